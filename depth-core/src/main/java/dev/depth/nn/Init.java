package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Weight initialisers, writing in place into a tensor (no graph recorded), and the seed context
 * that layers draw their initial weights from.
 *
 * <p>Randomness is explicit: every initialiser takes a {@link Generator}. Layers constructed
 * without one take {@link #generator()}, the current thread's context generator, which is seeded
 * with {@link #DEFAULT_SEED} and can be replaced for a block of code:
 * <pre>{@code
 * try (var seed = Init.seed(42)) {
 *     model = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 10));
 * }
 * }</pre>
 */
public final class Init {
    private Init() {}

    /** The seed of each thread's context generator until {@link #seed(long)} replaces it. */
    public static final long DEFAULT_SEED = 0L;

    private static final ThreadLocal<Generator> CONTEXT = ThreadLocal.withInitial(() -> new Generator(DEFAULT_SEED));

    /** The current thread's context generator. */
    public static Generator generator() {
        return CONTEXT.get();
    }

    /** Scope that restores the previous context generator when closed. */
    public static final class SeedScope implements AutoCloseable {
        private final Generator previous;

        private SeedScope(Generator next) {
            previous = CONTEXT.get();
            CONTEXT.set(next);
        }

        @Override
        public void close() {
            CONTEXT.set(previous);
        }
    }

    /** Makes layers created on this thread draw from a generator seeded with {@code seed}. */
    public static SeedScope seed(long seed) {
        return new SeedScope(new Generator(seed));
    }

    /** Uses {@code gen} as the context generator until the scope closes. */
    public static SeedScope using(Generator gen) {
        return new SeedScope(gen);
    }

    /** (fanIn, fanOut) of a weight: (in, out) for 2-D (out, in); times the receptive field for conv weights. */
    public static int[] fans(Tensor w) {
        if (w.dim() < 2) throw new IllegalArgumentException("Init: fan in/out need a tensor of at least 2 dimensions, got " + w.dim());
        int receptive = 1;
        for (int i = 2; i < w.dim(); i++) receptive *= w.size(i);
        return new int[] {w.size(1) * receptive, w.size(0) * receptive};
    }

    /** The recommended gain for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh), sqrt(2) (relu), sqrt(2/(1+a^2)) (leaky relu). */
    public static double gain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3.0;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 0.75;
            default -> throw new IllegalArgumentException("Init.gain: unknown nonlinearity '" + nonlinearity + "'");
        };
    }

    private static Tensor fill(Tensor t, Tensor values) {
        try (var scope = Autograd.noGrad()) {
            t.copyFrom(values);
        }
        return t;
    }

    /** U(low, high). */
    public static Tensor uniform(Tensor t, double low, double high, Generator gen) {
        return fill(t, Tensor.uniform(gen, (float) low, (float) high, t.shape()));
    }

    /** N(mean, std^2). */
    public static Tensor normal(Tensor t, double mean, double std, Generator gen) {
        return fill(t, Tensor.normal(gen, (float) mean, (float) std, t.shape()));
    }

    public static Tensor constant(Tensor t, double value) {
        try (var scope = Autograd.noGrad()) {
            return t.fill((float) value);
        }
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /** Glorot/Xavier uniform: U(-a, a), a = gain sqrt(6 / (fanIn + fanOut)). Glorot and Bengio, 2010. */
    public static Tensor xavierUniform(Tensor t, double gain, Generator gen) {
        int[] f = fans(t);
        double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -a, a, gen);
    }

    /** Glorot/Xavier normal: N(0, std^2), std = gain sqrt(2 / (fanIn + fanOut)). */
    public static Tensor xavierNormal(Tensor t, double gain, Generator gen) {
        int[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), gen);
    }

    /**
     * He/Kaiming uniform: U(-b, b), b = gain(nonlinearity, a) sqrt(3 / fan), fan = fanIn
     * (or fanOut with {@code fanOut}). He et al., 2015.
     */
    public static Tensor kaimingUniform(Tensor t, double a, boolean fanOut, String nonlinearity, Generator gen) {
        int[] f = fans(t);
        double bound = gain(nonlinearity, a) * Math.sqrt(3.0 / f[fanOut ? 1 : 0]);
        return uniform(t, -bound, bound, gen);
    }

    /** He/Kaiming normal: N(0, std^2), std = gain(nonlinearity, a) / sqrt(fan). */
    public static Tensor kaimingNormal(Tensor t, double a, boolean fanOut, String nonlinearity, Generator gen) {
        int[] f = fans(t);
        return normal(t, 0, gain(nonlinearity, a) / Math.sqrt(f[fanOut ? 1 : 0]), gen);
    }
}
