package dev.depth.optim;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.Parallel;
import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. A subclass defines one update rule; this class holds
 * what every rule shares: the parameter groups (each with its own learning rate and weight decay),
 * the per-parameter state (a step count and named buffers such as Adam's moments), skipping
 * parameters without a gradient, optional gradient clipping before the update, and saving and
 * restoring the state ({@link #stateDict()}, {@link #loadStateDict}).
 *
 * <p>Parameters are numbered in the order they were given, group after group (group 0's first
 * parameter is 0); the state is keyed by that number, as in PyTorch's {@code state_dict()}.
 *
 * <p>One {@link #step()}:
 * <ol>
 *   <li>applies the attached gradient transforms in the order they were attached
 *       ({@link #withGradClipNorm}, {@link #withGradClipValue});</li>
 *   <li>for every parameter whose {@code grad()} is not null, increments its step count {@code t}
 *       and applies the subclass's update rule in place on the parameter's storage. A parameter
 *       whose gradient is null is skipped entirely: neither it, its step count nor its buffers
 *       change (PyTorch's behaviour).</li>
 * </ol>
 *
 * <p>Parameters must be contiguous leaf tensors (as {@code Module.parameters()} are); gradients
 * may have any layout (a non-contiguous gradient is read through a contiguous copy).
 *
 * <p>Cost: one pass over each parameter's elements per step (a second, light pass for some
 * options, such as weight decay in Adam); buffers are allocated on a parameter's first step and
 * reused, so a step allocates nothing proportional to the model. The loops are written so that the
 * JIT vectorises them (about 0.1-0.3 ns per element on one core, cache-resident). Parameters of
 * 2^17 elements or more are split over the threads of {@link Parallel}; the update is element-wise,
 * so results do not depend on the thread count. (Measured on a 2-core machine inside a training
 * step, where the backward pass's GEMMs leave each half of a weight gradient in the cache of the
 * core that computed it: splitting W2's 401,408- and 131,072-element weights cut Adam from 176-445
 * to 105-233 us per step. The threshold had been 2^20, from a benchmark of the update alone, where
 * the gradient sits in one core's cache. Worth re-measuring on a many-core machine.)
 *
 * <p>Thread safety: not thread-safe; one training thread owns an optimiser.
 */
public abstract class Optimizer {
    /** Parameters with at least this many elements are updated on several threads (see the class notes). */
    static final int PARALLEL_MIN_ELEMENTS = 1 << 17;
    private static final int PARALLEL_GRAIN = 1 << 16;

    private final String name;
    private final List<ParamGroup> groups = new ArrayList<>();
    private final List<Tensor> params = new ArrayList<>();
    private final List<Tensor> paramsView = Collections.unmodifiableList(params);
    private final List<ParamState> states = new ArrayList<>();
    private final IdentityHashMap<Tensor, Integer> indexOf = new IdentityHashMap<>();
    private final List<GradTransform> gradTransforms = new ArrayList<>();
    private final double defaultLr;
    private double defaultWeightDecay;
    private double lastGradNorm = Double.NaN;
    private float[] gradScratch, paramScratch; // for views with an offset; reused across steps
    private float[] workspace;

    /**
     * Creates the optimiser with one group holding {@code params}.
     *
     * @param name        the optimiser's name, used in messages and saved state ("Adam")
     * @param params      the parameters (contiguous leaf tensors), at least one, no duplicates
     * @param lr          the learning rate of the first group and of groups added without one
     * @param weightDecay the weight decay likewise
     * @throws IllegalArgumentException if a value is out of range or the list is empty
     */
    protected Optimizer(String name, List<Tensor> params, double lr, double weightDecay) {
        this.name = name;
        this.defaultLr = requireNonNegative("lr", lr);
        this.defaultWeightDecay = requireNonNegative("weight_decay", weightDecay);
        addParamGroup(params, lr, weightDecay);
    }

    // ---------------------------------------------------------------- the update rule

    /**
     * The names of the per-parameter buffers this rule may use, indexed by slot (for
     * {@link ParamState#buffer(int)}); they are the keys of the saved state. Called from this
     * class's constructor, before the subclass's fields are set: return a constant.
     */
    protected abstract String[] bufferNames();

    /**
     * Updates one parameter in place: elements {@code [0, n)} of {@code param} from elements
     * {@code [0, n)} of {@code grad} (either array may be longer). The state's step count has
     * already been incremented for this step (it is 1 on the first step).
     *
     * <p>Both arrays start at index 0 so that one loop index addresses the parameter, the gradient
     * and every buffer alike: that is the form the JIT vectorises (a loop mixing {@code p[po + i]}
     * with {@code m[i]} ran about 15 times slower on JDK 17).
     */
    protected abstract void update(ParamGroup group, ParamState state, float[] param, float[] grad, int n);

    /**
     * Checks constraints between hyperparameters that fluent setters cannot check one at a time
     * (SGD's Nesterov needs momentum); called at the start of every {@link #step()}.
     */
    protected void checkConfiguration() {}

    /**
     * Runs {@code body} over {@code [0, n)}: inline for small parameters, split over the threads
     * of {@link Parallel} for large ones. For update rules that are element-wise.
     */
    protected static void forRange(int n, Parallel.RangeBody body) {
        if (n < PARALLEL_MIN_ELEMENTS) body.run(0, n);
        else Parallel.forRange(n, PARALLEL_GRAIN, body);
    }

    // ---------------------------------------------------------------- groups

    /** Adds a group of parameters with the default learning rate and weight decay. */
    public void addParamGroup(List<Tensor> params) {
        addParamGroup(params, defaultLr, defaultWeightDecay);
    }

    /**
     * Adds a group of parameters with its own learning rate and weight decay (for example no
     * weight decay on biases and norms). Their indices continue after the existing parameters.
     *
     * @throws IllegalArgumentException if the list is empty, a parameter is already in a group, is
     *                                  not a contiguous leaf tensor, or a value is out of range
     */
    public void addParamGroup(List<Tensor> params, double lr, double weightDecay) {
        requireNonNegative("lr", lr);
        requireNonNegative("weight_decay", weightDecay);
        if (params == null || params.isEmpty())
            throw new IllegalArgumentException(name + ": got an empty parameter list");
        IdentityHashMap<Tensor, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) throw new IllegalArgumentException(name + ": parameter " + i + " of the group is null");
            if (!p.isLeaf())
                throw new IllegalArgumentException(name + ": parameter " + i + " of the group is not a leaf tensor (it was computed by "
                        + p.gradFn() + "); optimise leaves only");
            if (!p.isContiguous())
                throw new IllegalArgumentException(name + ": parameter " + i + " of the group (shape " + Arrays.toString(p.shape())
                        + ") is not contiguous; parameters must own contiguous storage");
            if (indexOf.containsKey(p) || seen.put(p, i) != null)
                throw new IllegalArgumentException(name + ": parameter " + i + " of the group (shape " + Arrays.toString(p.shape())
                        + ") appears in more than one place; each parameter may be optimised once");
        }
        List<Tensor> copy = List.copyOf(params);
        groups.add(new ParamGroup(name, copy, this.params.size(), lr, weightDecay));
        for (Tensor p : copy) {
            indexOf.put(p, this.params.size());
            this.params.add(p);
            states.add(new ParamState(bufferNames().length));
        }
    }

    /** The parameter groups, in the order added (live: setting a group's lr affects the next step). */
    public List<ParamGroup> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /** Every parameter, group after group; a parameter's position here is its state index. */
    public List<Tensor> parameters() {
        return paramsView;
    }

    /** The learning rate of the first group (the only one, usually). */
    public double getLr() {
        return groups.get(0).lr();
    }

    /** Sets the learning rate of every group. Schedules call this or {@link ParamGroup#setLr}. */
    public void setLr(double lr) {
        requireNonNegative("lr", lr);
        for (ParamGroup g : groups) g.setLr(lr);
    }

    /** The name used in messages and saved state, e.g. {@code "Adam"}. */
    public String name() {
        return name;
    }

    /** Sets the weight decay of every current group and the default for groups added later. */
    protected void setWeightDecayAll(double weightDecay) {
        requireNonNegative("weight_decay", weightDecay);
        defaultWeightDecay = weightDecay;
        for (ParamGroup g : groups) g.setWeightDecay(weightDecay);
    }

    // ---------------------------------------------------------------- the step

    /** Sets every parameter's gradient to null (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears every parameter's gradient: with {@code setToNone}, sets it to null; otherwise fills
     * it with zeros in place (PyTorch's {@code zero_grad(set_to_none=False)}, the default of
     * PyTorch 1.x), so that the next backward pass adds into the same buffers instead of
     * allocating new ones (a linear layer's weight gradient is then written there by its GEMM).
     * In-place zeroing changes a gradient tensor that code may still hold from an earlier step, and
     * a parameter whose gradient then stays zero (unused in a step) still has a gradient, so
     * {@link #step()} updates it (momentum, weight decay), as PyTorch does with set_to_none=False.
     * A gradient that is part of a graph (from {@code backward} with createGraph) or is not
     * contiguous is set to null instead. A gradient that no code outside the framework has been
     * given ({@link Tensor#grad()} was not called on it) is zeroed lazily, with the same results:
     * the next backward pass writes it instead of adding into it ({@link Tensor#clearGrad}; 3.5-8%
     * of the W2 MLP's steady step).
     */
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : params) Autograd.clearGrad(p, setToNone);
    }

    /**
     * Applies the gradient transforms, then updates every parameter that has a gradient (see the
     * class notes). Each group's lr and weight decay are read here, so a schedule's change takes
     * effect at the next step.
     *
     * @throws IllegalStateException if the hyperparameters contradict each other (SGD's Nesterov
     *                               without momentum)
     */
    public final void step() {
        checkConfiguration();
        for (GradTransform t : gradTransforms) t.apply(this);
        for (ParamGroup group : groups) {
            List<Tensor> ps = group.params();
            for (int i = 0; i < ps.size(); i++) {
                Tensor p = ps.get(i);
                Tensor g = p.peekGrad();
                if (g == null) continue;
                int n = p.numel();
                float[] grad;
                if (!g.isContiguous()) {
                    grad = g.toFloatArray();
                } else if (g.offset() != 0) {
                    grad = gradScratch = ensure(gradScratch, n);
                    System.arraycopy(g.storage(), g.offset(), grad, 0, n);
                } else {
                    grad = g.storage();
                }
                ParamState s = states.get(group.firstIndex() + i);
                s.step++;
                if (p.offset() == 0) {
                    update(group, s, p.storage(), grad, n);
                } else { // a parameter that is a view into a larger array: update a copy, write it back
                    float[] param = paramScratch = ensure(paramScratch, n);
                    System.arraycopy(p.storage(), p.offset(), param, 0, n);
                    update(group, s, param, grad, n);
                    System.arraycopy(param, 0, p.storage(), p.offset(), n);
                }
            }
        }
    }

    /**
     * A scratch array of at least {@code n} floats for an update rule, reused by every call (its
     * contents are undefined and valid until the next call): for example the effective gradient
     * {@code sign · g + λθ}, computed in a pass of its own so that the main loop stays small enough
     * for the JIT to vectorise.
     */
    protected final float[] workspace(int n) {
        return workspace = ensure(workspace, n);
    }

    /**
     * The pre-pass shared by rules with maximize, L2 decay or decoupled decay:
     * {@code θ_i ← decay · θ_i; out_i ← sign · g_i + wd · θ_i} for i in {@code [from, to)}.
     */
    static void prepare(float[] p, float[] g, float[] out, float sign, float wd, float decay, int from, int to) {
        for (int i = from; i < to; i++) {
            float pi = p[i] * decay;
            p[i] = pi;
            out[i] = sign * g[i] + wd * pi;
        }
    }

    private static float[] ensure(float[] scratch, int n) {
        return scratch != null && scratch.length >= n ? scratch : new float[n];
    }

    // ---------------------------------------------------------------- gradient transforms

    /**
     * Makes {@link #step()} first clip the global L2 norm of all gradients to {@code maxNorm}
     * ({@link GradClip#clipGradNorm(List, double)}); the norm before clipping is then
     * {@link #lastGradNorm()}. Returns this.
     */
    public Optimizer withGradClipNorm(double maxNorm) {
        return withGradClipNorm(maxNorm, 2.0);
    }

    /**
     * Makes {@link #step()} first clip the global {@code normType}-norm of all gradients to
     * {@code maxNorm} ({@link GradClip#clipGradNorm(List, double, double)};
     * {@code Double.POSITIVE_INFINITY} is the max-norm). Returns this.
     */
    public Optimizer withGradClipNorm(double maxNorm, double normType) {
        GradClip.checkNormArgs(maxNorm, normType);
        gradTransforms.add(opt -> opt.lastGradNorm = GradClip.clipGradNorm(opt.params, maxNorm, normType));
        return this;
    }

    /**
     * Makes {@link #step()} first clamp every gradient element to {@code [-clipValue, clipValue]}
     * ({@link GradClip#clipGradValue}). Returns this.
     */
    public Optimizer withGradClipValue(double clipValue) {
        GradClip.checkClipValue(clipValue);
        gradTransforms.add(opt -> GradClip.clipGradValue(opt.params, clipValue));
        return this;
    }

    /** The total gradient norm measured by the last clipping step, or NaN if none has run. */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    @FunctionalInterface
    private interface GradTransform {
        void apply(Optimizer opt);
    }

    // ---------------------------------------------------------------- state

    /**
     * A snapshot of the state: every group's learning rate and weight decay, and every
     * parameter's step count and buffers (copies, shaped like the parameter). Parameters that
     * never took a step have no entry. Hyperparameters other than lr and weight decay are
     * configuration, not state: construct the resuming optimiser the same way.
     */
    public OptimizerState stateDict() {
        List<OptimizerState.GroupState> gs = new ArrayList<>();
        for (ParamGroup g : groups) {
            int[] idx = new int[g.params().size()];
            for (int i = 0; i < idx.length; i++) idx[i] = g.firstIndex() + i;
            gs.add(new OptimizerState.GroupState(g.lr(), g.weightDecay(), idx));
        }
        Map<Integer, OptimizerState.ParamState> ps = new LinkedHashMap<>();
        String[] names = bufferNames();
        for (int i = 0; i < states.size(); i++) {
            ParamState s = states.get(i);
            if (s.step == 0) continue;
            Map<String, Tensor> bufs = new LinkedHashMap<>();
            int[] shape = params.get(i).shape();
            for (int b = 0; b < names.length; b++) {
                if (s.buffers[b] != null) bufs.put(names[b], Tensor.of(s.buffers[b], shape));
            }
            ps.put(i, new OptimizerState.ParamState(s.step, bufs));
        }
        return new OptimizerState(name, gs, ps);
    }

    /**
     * Restores a state saved by {@link #stateDict()} of an optimiser of the same kind over
     * parameters of the same shapes in the same groups: learning rates, weight decays, step counts
     * and buffers (copied, so the snapshot stays unchanged). Parameters without an entry are reset
     * to no state.
     *
     * @throws IllegalArgumentException naming every mismatch; nothing is changed then
     */
    public void loadStateDict(OptimizerState state) {
        List<String> problems = new ArrayList<>();
        if (!name.equals(state.optimizer()))
            problems.add("the state is of " + state.optimizer() + ", this optimiser is " + name);
        if (state.groups().size() != groups.size()) {
            problems.add("the state has " + state.groups().size() + " parameter groups, this optimiser has " + groups.size());
        } else {
            for (int g = 0; g < groups.size(); g++) {
                int want = groups.get(g).params().size(), got = state.groups().get(g).paramIndices().length;
                if (want != got) problems.add("group " + g + " has " + got + " parameters in the state, " + want + " here");
            }
        }
        List<String> names = Arrays.asList(bufferNames());
        for (var e : state.params().entrySet()) {
            int i = e.getKey();
            if (i < 0 || i >= params.size()) {
                problems.add("state for parameter " + i + ", but there are " + params.size() + " parameters");
                continue;
            }
            if (e.getValue().step() < 1) problems.add("parameter " + i + " has step " + e.getValue().step() + ", expected >= 1");
            int[] shape = params.get(i).shape();
            for (var b : e.getValue().buffers().entrySet()) {
                if (!names.contains(b.getKey()))
                    problems.add("parameter " + i + " has buffer '" + b.getKey() + "', which " + name + " does not use (it uses " + names + ")");
                else if (!Arrays.equals(b.getValue().shape(), shape))
                    problems.add("buffer '" + b.getKey() + "' of parameter " + i + " has shape " + Arrays.toString(b.getValue().shape())
                            + ", the parameter has " + Arrays.toString(shape));
            }
        }
        if (!problems.isEmpty())
            throw new IllegalArgumentException(name + ".loadStateDict: " + String.join("; ", problems));
        for (int g = 0; g < groups.size(); g++) {
            groups.get(g).setLr(state.groups().get(g).lr());
            groups.get(g).setWeightDecay(state.groups().get(g).weightDecay());
        }
        for (int i = 0; i < states.size(); i++) states.set(i, new ParamState(names.size()));
        for (var e : state.params().entrySet()) {
            ParamState s = states.get(e.getKey());
            s.step = e.getValue().step();
            for (var b : e.getValue().buffers().entrySet()) s.buffers[names.indexOf(b.getKey())] = b.getValue().toFloatArray();
        }
    }

    // ---------------------------------------------------------------- validation

    /** {@code value} if it is finite and {@code >= 0}, else an exception naming it: "Adam: lr must be >= 0, got -1.0". */
    protected final double requireNonNegative(String what, double value) {
        return requireNonNegative(name, what, value);
    }

    static double requireNonNegative(String owner, String what, double value) {
        if (!(value >= 0))
            throw new IllegalArgumentException(owner + ": " + what + " must be >= 0, got " + value);
        if (Double.isInfinite(value))
            throw new IllegalArgumentException(owner + ": " + what + " must be finite, got " + value);
        return value;
    }

    /** {@code value} if it is in {@code [0, 1)}, else an exception naming it. */
    protected final double requireUnitInterval(String what, double value) {
        if (!(value >= 0 && value < 1))
            throw new IllegalArgumentException(name + ": " + what + " must be in [0, 1), got " + value);
        return value;
    }

    /** {@code value} if it is in {@code [0, 1]}, else an exception naming it. */
    protected final double requireClosedUnitInterval(String what, double value) {
        if (!(value >= 0 && value <= 1))
            throw new IllegalArgumentException(name + ": " + what + " must be in [0, 1], got " + value);
        return value;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append('(').append(describe());
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup pg = groups.get(g);
            sb.append(g == 0 && describe().isEmpty() ? "" : ", ").append("group ").append(g).append(": ")
                    .append(pg.params().size()).append(" params, lr=").append(pg.lr()).append(", weight_decay=").append(pg.weightDecay());
        }
        return sb.append(')').toString();
    }

    /** The hyperparameters beyond lr and weight decay, for {@link #toString()}: {@code "betas=(0.9, 0.999)"}. */
    protected String describe() {
        return "";
    }

    // ---------------------------------------------------------------- per-parameter state

    /**
     * One parameter's state: its step count {@code t} and the rule's buffers, allocated on first
     * use and kept for the parameter's lifetime.
     */
    protected static final class ParamState {
        long step;
        final float[][] buffers;

        ParamState(int slots) {
            buffers = new float[slots][];
        }

        /** The number of steps this parameter has taken, this one included. */
        public long step() {
            return step;
        }

        /** The buffer in {@code slot}, or null if it was never allocated. */
        public float[] buffer(int slot) {
            return buffers[slot];
        }

        /** The buffer in {@code slot}, allocated with {@code n} elements of {@code initial} if absent. */
        public float[] buffer(int slot, int n, float initial) {
            float[] b = buffers[slot];
            if (b == null) {
                b = new float[n];
                if (initial != 0f) Arrays.fill(b, initial);
                buffers[slot] = b;
            }
            return b;
        }

        /** Stores {@code values} as the buffer in {@code slot}. */
        public void setBuffer(int slot, float[] values) {
            buffers[slot] = values;
        }
    }
}
