package dev.depth.nn;

import dev.depth.kernel.Gemm;
import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * The inference path of {@link Sequential} for runs of {@link Linear} (or {@link FrozenLinear}) layers, each optionally
 * followed by a {@link ReLU} (and by {@link Dropout}s in evaluation mode, which are the identity),
 * while no graph is recorded ({@code Autograd.noGrad()}): every layer
 * is one {@link Gemm#linear} call with the bias and the ReLU fused into it, and the activations
 * between the layers of a run live in two buffers kept per thread instead of fresh arrays. Only
 * the run's output is a new tensor.
 *
 * <p>The results are bit-identical to running the layers one by one: the same {@link Gemm#linear}
 * call as {@link F#linear} and the same ReLU. Only the exact classes {@code Linear}, {@code ReLU}
 * and {@code Dropout} join a run (a subclass may override {@code forward}), a Dropout only in
 * evaluation mode.
 *
 * <p>Why: at batch 1 (the W6 MLP, 784-512-256-10) the layers' own work is ~20 us on two cores;
 * the six intermediate arrays (6 KB per call) and the separate ReLU passes cost more than the
 * arithmetic saved elsewhere, and on a JVM with a large young generation every fresh page of
 * eden is a page fault: with -Xmn1g, calls that allocate their intermediates measured 45-75 us
 * for the first several seconds, 17 us once eden had been touched.
 *
 * <p>Memory: each thread that runs a chain keeps two buffers of up to {@link #SCRATCH_MAX} floats
 * (as many as its largest intermediate activation needed); larger activations are allocated per call.
 */
final class LinearChain {
    private LinearChain() {}

    /** The largest intermediate activation (floats) kept in the per-thread buffers: 4 MiB each. */
    static final int SCRATCH_MAX = 1 << 20;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    /**
     * The end (exclusive) of the run of Linear layers, each optionally followed by ReLUs and
     * evaluation-mode Dropouts, that starts at {@code layers[from]}; {@code from} when that layer
     * is not a Linear.
     */
    static int end(List<Module> layers, int from) {
        int i = from;
        while (i < layers.size() && isLinear(layers.get(i))) {
            i++;
            while (i < layers.size() && (layers.get(i).getClass() == ReLU.class || isIdentity(layers.get(i)))) i++;
        }
        return i;
    }

    /** A {@link Linear} (the exact class) or a {@link FrozenLinear}. */
    private static boolean isLinear(Module m) {
        return m.getClass() == Linear.class || m.getClass() == FrozenLinear.class;
    }

    private static int inFeatures(Module m) {
        return m instanceof FrozenLinear f ? f.inFeatures : ((Linear) m).inFeatures;
    }

    private static int outFeatures(Module m) {
        return m instanceof FrozenLinear f ? f.outFeatures : ((Linear) m).outFeatures;
    }

    /** A Dropout in evaluation mode: F.dropout returns its input. */
    private static boolean isIdentity(Module m) {
        return m.getClass() == Dropout.class && !m.isTraining();
    }

    /**
     * Runs {@code layers[from:to)}, a run found by {@link #end}, on x (..., in) without recording a
     * graph. Returns null, having done nothing, when the shapes do not chain (the caller then runs
     * the layers one by one, whose errors name the layer and the shapes).
     */
    static Tensor forward(List<Module> layers, int from, int to, Tensor x) {
        int features = inFeatures(layers.get(from)), widest = 0;
        if (x.dim() < 1 || x.size(-1) != features) return null;
        for (int i = from; i < to; i++) {
            Module m = layers.get(i);
            if (!isLinear(m)) continue;
            if (inFeatures(m) != features) return null;
            if (m instanceof Linear l && (l.weight.dim() != 2 || l.weight.size(0) != l.outFeatures || l.weight.size(1) != l.inFeatures
                    || (l.bias != null && (l.bias.dim() != 1 || l.bias.size(0) != l.outFeatures)))) return null;
            features = outFeatures(m);
            widest = Math.max(widest, features);
        }
        Tensor xc = x.contiguous();
        int rows = x.numel() / inFeatures(layers.get(from));
        float[][] scratch = (long) rows * widest <= SCRATCH_MAX ? SCRATCH.get() : null;
        float[] src = xc.storage();
        int srcOff = xc.offset(), next = 0, out = 0;
        for (int i = from; i < to; ) {
            Module layer = layers.get(i++);
            boolean relu = false; // ReLUs and identities up to the next Linear: max(x, 0) once (it is idempotent)
            for (; i < to && !isLinear(layers.get(i)); i++) relu |= layers.get(i).getClass() == ReLU.class;
            out = outFeatures(layer);
            int size = rows * out;
            float[] dst;
            if (i == to || scratch == null) {
                dst = new float[size];
            } else {
                if (scratch[next].length < size) scratch[next] = new float[size];
                dst = scratch[next];
                next ^= 1;
            }
            if (layer instanceof FrozenLinear f) {
                f.linear(rows, src, srcOff, relu, dst);
            } else {
                Linear l = (Linear) layer;
                Tensor w = l.weight.contiguous(), b = l.bias == null ? null : l.bias.contiguous();
                Gemm.linear(rows, l.inFeatures, out, src, srcOff, w.storage(), w.offset(), b == null ? null : b.storage(), b == null ? 0 : b.offset(), relu, dst, 0);
            }
            src = dst;
            srcOff = 0;
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return Tensor.wrap(src, shape);
    }
}
