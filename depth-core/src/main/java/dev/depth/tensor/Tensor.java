package dev.depth.tensor;

import dev.depth.autograd.Autograd;
import dev.depth.autograd.Node;
import dev.depth.kernel.Elementwise;
import dev.depth.kernel.Elementwise.Binary;
import dev.depth.kernel.Elementwise.Unary;

import java.util.Arrays;

/**
 * An n-dimensional array of float32 values that records the operations applied to it, so that
 * {@link #backward()} can compute gradients (define-by-run automatic differentiation).
 *
 * <p>A tensor is a view: a shared storage array, an offset, a shape and strides. View operations
 * ({@link #reshape}, {@link #transpose}, {@link #permute}, {@link #slice}, {@link #expand},
 * {@link #squeeze}, {@link #unsqueeze}) share storage and copy nothing; {@link #contiguous()}
 * copies only when the layout requires it. Binary operations broadcast like NumPy.
 *
 * <p>Class indices (targets, embedding ids) are stored as integral float values; ops that take
 * them check that they are integral and in range.
 *
 * <p>Thread safety: a tensor may be read from several threads; mutating one (the in-place methods,
 * {@link #setGrad}, and {@link #grad()} after a lazy {@link #clearGrad}, which fills the gradient then)
 * while another thread reads it is not safe. Gradient mode is per thread.
 */
public final class Tensor {
    final float[] data;
    final int offset;
    final int[] shape;
    final int[] strides;
    private boolean requiresGrad;
    private Tensor grad;
    /** {@link #grad()} or {@link #setGrad} has handed the current gradient to code that may keep it. */
    private boolean gradShared;
    /** The gradient is zero, but its storage still holds older values ({@link #clearGrad}). */
    private boolean gradZeroPending;
    Node gradFn;

    Tensor(float[] data, int offset, int[] shape, int[] strides) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    /** A contiguous tensor over {@code data} (not copied). */
    Tensor(float[] data, int[] shape) {
        this(data, 0, shape, Shapes.contiguousStrides(shape));
        if (data.length < Shapes.numel(shape))
            throw new IllegalArgumentException("storage of " + data.length + " floats is too small for shape " + Shapes.str(shape));
    }

    // ---------------------------------------------------------------- creation

    /** A tensor of the given shape holding a copy of {@code values} (row-major). */
    public static Tensor of(float[] values, int... shape) {
        int n = Shapes.numel(shape);
        if (values.length != n)
            throw new IllegalArgumentException("Tensor.of: " + values.length + " values do not fill shape " + Shapes.str(shape) + " (" + n + " elements)");
        return new Tensor(values.clone(), shape.clone());
    }

    /** A 1-D tensor holding a copy of {@code values}. */
    public static Tensor of(float... values) {
        return new Tensor(values.clone(), new int[] {values.length});
    }

    /** A 2-D tensor from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] d = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols)
                throw new IllegalArgumentException("Tensor.of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return new Tensor(d, new int[] {rows.length, cols});
    }

    /** A contiguous tensor that uses {@code storage} directly (no copy): writes to either are shared. */
    public static Tensor wrap(float[] storage, int... shape) {
        if (storage.length != Shapes.numel(shape))
            throw new IllegalArgumentException("Tensor.wrap: " + storage.length + " values do not fill shape " + Shapes.str(shape));
        return new Tensor(storage, shape.clone());
    }

    /** A rank-0 tensor. */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shapes.numel(shape)], shape.clone());
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        Arrays.fill(d, value);
        return new Tensor(d, shape.clone());
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    public static Tensor onesLike(Tensor t) {
        return ones(t.shape);
    }

    /** 0, 1, ..., n-1. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** start, start+step, ... up to but excluding end. */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || Float.isNaN(step)) throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return new Tensor(d, new int[] {n});
    }

    /** The n x n identity matrix. */
    public static Tensor eye(int n) {
        float[] d = new float[n * n];
        for (int i = 0; i < n; i++) d[i * n + i] = 1f;
        return new Tensor(d, new int[] {n, n});
    }

    /** Uniform in [0, 1). */
    public static Tensor rand(Generator gen, int... shape) {
        return uniform(gen, 0f, 1f, shape);
    }

    /** Uniform in [low, high). */
    public static Tensor uniform(Generator gen, float low, float high, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        float w = high - low;
        for (int i = 0; i < d.length; i++) d[i] = low + w * gen.nextFloat();
        return new Tensor(d, shape.clone());
    }

    /** Standard normal. */
    public static Tensor randn(Generator gen, int... shape) {
        return normal(gen, 0f, 1f, shape);
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(Generator gen, float mean, float std, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = mean + std * (float) gen.nextGaussian();
        return new Tensor(d, shape.clone());
    }

    /**
     * The result of a primitive op: wraps {@code data} with {@code shape} and, when gradient
     * recording is on and an input requires a gradient, attaches a graph node named {@code op}
     * whose {@code backward} maps the output gradient to one gradient per input. This is the
     * extension point for ops implemented on raw arrays (kernels).
     */
    public static Tensor fromOp(float[] data, int[] shape, String op, Tensor[] inputs, Node.Backward backward) {
        Tensor out = new Tensor(data, shape);
        return attach(out, op, inputs, backward);
    }

    static Tensor attach(Tensor out, String op, Tensor[] inputs, Node.Backward backward) {
        if (!Autograd.isGradEnabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.requiresGrad = true;
                out.gradFn = new Node(op, inputs, backward);
                return out;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- properties

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) {
        return shape[Shapes.wrapDim(dim, shape.length, "size")];
    }

    /** The number of dimensions. */
    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    public int[] strides() {
        return strides.clone();
    }

    /** Offset of the first element in {@link #storage()}. */
    public int offset() {
        return offset;
    }

    /**
     * The storage array this tensor views (shared, not copied). Meant for kernels and optimisers;
     * index it with {@link #offset()} and {@link #strides()}.
     */
    public float[] storage() {
        return data;
    }

    /** Whether the elements lie in row-major order without gaps (strides of size-1 dims ignored). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: tensor of shape " + Shapes.str(shape) + " has " + numel() + " elements, expected 1");
        return data[offset];
    }

    /** The element at {@code index} (one index per dimension; negative counts from the end). */
    public float get(int... index) {
        return data[flatIndex(index, "get")];
    }

    /** Sets one element in place (no gradient is recorded). */
    public void set(float value, int... index) {
        data[flatIndex(index, "set")] = value;
    }

    private int flatIndex(int[] index, String op) {
        if (index.length != shape.length)
            throw new IllegalArgumentException(op + ": " + index.length + " indices for a tensor of rank " + shape.length);
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            int k = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (k < 0 || k >= shape[i])
                throw new IndexOutOfBoundsException(op + ": index " + index[i] + " out of range for dimension " + i + " of size " + shape[i]);
            p += k * strides[i];
        }
        return p;
    }

    /** A new row-major array with the elements. */
    public float[] toFloatArray() {
        if (isContiguous()) return Arrays.copyOfRange(data, offset, offset + numel());
        float[] out = new float[numel()];
        copyStrided(this, out, 0);
        return out;
    }

    static void copyStrided(Tensor t, float[] out, int outOff) {
        int n = Shapes.numel(t.shape);
        if (n == 0) return;
        int rank = t.shape.length;
        if (rank == 0) {
            out[outOff] = t.data[t.offset];
            return;
        }
        int inner = t.shape[rank - 1], innerStride = t.strides[rank - 1];
        int[] idx = new int[rank];
        int src = t.offset, o = outOff;
        for (int done = 0; done < n; done += inner) {
            if (innerStride == 1) {
                System.arraycopy(t.data, src, out, o, inner);
            } else {
                for (int j = 0, s = src; j < inner; j++, s += innerStride) out[o + j] = t.data[s];
            }
            o += inner;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                src += t.strides[d];
                if (idx[d] < t.shape[d]) break;
                src -= t.strides[d] * t.shape[d];
                idx[d] = 0;
            }
        }
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as needing a gradient; returns this. */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null && !flag)
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor; use detach()");
        this.requiresGrad = flag;
        return this;
    }

    /** The accumulated gradient, or null. */
    public Tensor grad() {
        Tensor g = peekGrad();
        if (g != null) gradShared = true;
        return g;
    }

    /** Sets the gradient (null to drop it); it must have this tensor's shape. */
    public void setGrad(Tensor g) {
        storeGrad(g);
        gradShared = g != null;
    }

    /**
     * The gradient, the same as {@link #grad()} returns, for framework code that uses it within one
     * call and keeps no reference to it (optimizers, gradient clipping, the autograd engine). Unlike
     * {@code grad()}, it leaves {@link #clearGrad} free to zero this gradient lazily.
     */
    public Tensor peekGrad() {
        if (gradZeroPending) {
            gradZeroPending = false;
            grad.zero();
        }
        return grad;
    }

    /**
     * {@link #setGrad} for framework code whose gradient nothing else holds (the autograd engine
     * storing a buffer it created): it may later be zeroed lazily.
     */
    public void storeGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape))
            throw new IllegalArgumentException("setGrad: gradient shape " + Shapes.str(g.shape) + " differs from the tensor's " + Shapes.str(shape));
        grad = g;
        gradShared = false;
        gradZeroPending = false;
    }

    /**
     * Clears the gradient, as {@code Optimizer.zeroGrad} and {@code Module.zeroGrad} do: sets it to
     * null when {@code setToNone}, when it is part of a graph (a createGraph backward made it) or when
     * it is not contiguous; otherwise zeros it, keeping its buffer for the next backward pass.
     *
     * <p>Zeroing is lazy where no code outside the framework can see the buffer: a gradient the
     * autograd engine created and stored, never returned by {@link #grad()} or set by
     * {@link #setGrad}. It is then only marked zero; the next backward pass writes it instead of
     * adding into it ({@link #claimGradOverwrite}), which saves filling it and reading it back (a
     * linear layer's weight gradient is written by its GEMM with beta = 0). Anything that reads it
     * first ({@code grad()}, {@link #peekGrad()}) gets it filled with zeros then, so the result is
     * the same as zeroing it at once. A gradient that was handed out is zeroed in place at once,
     * since a holder of it must see zeros.
     */
    public void clearGrad(boolean setToNone) {
        Tensor g = grad;
        if (g == null) return;
        if (setToNone || g.gradFn != null || g.requiresGrad || !g.isContiguous()) storeGrad(null);
        else if (gradShared || g.offset != 0 || g.data.length != g.numel()) g.zero();
        else gradZeroPending = true;
    }

    /**
     * For the autograd engine: whether the gradient is zero only by {@link #clearGrad}'s mark, its
     * storage holding older values. Then the caller takes it over as a buffer whose every element it
     * must write (not add into); the mark is cleared either way.
     */
    public boolean claimGradOverwrite() {
        boolean pending = gradZeroPending;
        gradZeroPending = false;
        return pending;
    }

    /** The node that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Makes this non-leaf tensor keep its gradient in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        if (gradFn != null) gradFn.retain(this);
        return this;
    }

    /** Back-propagates from this scalar (dL/dL = 1). */
    public void backward() {
        if (numel() != 1)
            throw new IllegalStateException("backward: implicit gradient only for a scalar, but the tensor has shape "
                    + Shapes.str(shape) + "; pass a gradient of that shape");
        Autograd.backward(this, Tensor.full(1f, shape), false, false);
    }

    /** Back-propagates the given gradient of this tensor. */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient, false, false);
    }

    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Autograd.backward(this, gradient, retainGraph, createGraph);
    }

    /** The same values without the graph (shares storage). */
    public Tensor detach() {
        return new Tensor(data, offset, shape, strides);
    }

    // ---------------------------------------------------------------- views

    /** The same elements with a new shape; one dimension may be -1. Copies only if not contiguous. */
    public Tensor reshape(int... newShape) {
        int[] ns = inferShape(newShape, "reshape");
        if (Arrays.equals(ns, shape)) return this;
        Tensor src = isContiguous() ? this : contiguous();
        Tensor out = new Tensor(src.data, src.offset, ns, Shapes.contiguousStrides(ns));
        int[] oldShape = shape;
        return attach(out, "reshape", new Tensor[] {this}, g -> new Tensor[] {g.reshape(oldShape)});
    }

    /** Like {@link #reshape} but never copies: the tensor must be contiguous. */
    public Tensor view(int... newShape) {
        if (!isContiguous())
            throw new IllegalStateException("view: tensor of shape " + Shapes.str(shape) + " with strides "
                    + Arrays.toString(strides) + " is not contiguous; use reshape() or contiguous()");
        return reshape(newShape);
    }

    private int[] inferShape(int[] ns, String op) {
        int[] r = ns.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + Arrays.toString(ns));
                infer = i;
            } else if (r[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid dimension " + r[i] + " in " + Arrays.toString(ns));
            } else {
                known *= r[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0)
                throw new IllegalArgumentException(op + ": cannot infer -1 in " + Arrays.toString(ns) + " for " + n + " elements of shape " + Shapes.str(shape));
            r[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(ns) + " (" + known + " elements) does not match "
                    + Shapes.str(shape) + " (" + n + " elements)");
        }
        return r;
    }

    /** Flattens all dimensions into one. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Flattens dimensions {@code startDim..endDim} (inclusive) into one. */
    public Tensor flatten(int startDim, int endDim) {
        int s = Shapes.wrapDim(startDim, shape.length, "flatten"), e = Shapes.wrapDim(endDim, shape.length, "flatten");
        if (s > e) throw new IllegalArgumentException("flatten: startDim " + startDim + " after endDim " + endDim);
        int[] ns = new int[shape.length - (e - s)];
        int k = 0, prod = 1;
        for (int i = 0; i < shape.length; i++) {
            if (i < s || i > e) ns[k++] = shape[i];
            else {
                prod *= shape[i];
                if (i == e) ns[k++] = prod;
            }
        }
        return reshape(ns);
    }

    /** Swaps two dimensions (a view). */
    public Tensor transpose(int dim0, int dim1) {
        int a = Shapes.wrapDim(dim0, shape.length, "transpose"), b = Shapes.wrapDim(dim1, shape.length, "transpose");
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** The transpose of a 2-D tensor (a view). */
    public Tensor t() {
        if (shape.length != 2) throw new IllegalStateException("t: expects a 2-D tensor, got shape " + Shapes.str(shape));
        return transpose(0, 1);
    }

    /** Reorders dimensions: output dimension i is input dimension {@code dims[i]} (a view). */
    public Tensor permute(int... dims) {
        if (dims.length != shape.length)
            throw new IllegalArgumentException("permute: " + dims.length + " dimensions given for a tensor of rank " + shape.length);
        int[] ns = new int[dims.length], st = new int[dims.length], inverse = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shapes.wrapDim(dims[i], shape.length, "permute");
            if (seen[d]) throw new IllegalArgumentException("permute: dimension " + d + " repeated in " + Arrays.toString(dims));
            seen[d] = true;
            ns[i] = shape[d];
            st[i] = strides[d];
            inverse[d] = i;
        }
        Tensor out = new Tensor(data, offset, ns, st);
        return attach(out, "permute", new Tensor[] {this}, g -> new Tensor[] {g.permute(inverse)});
    }

    /** Elements {@code start, start+step, ...} below {@code end} along {@code dim} (a view). */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shapes.wrapDim(dim, shape.length, "slice");
        int n = shape[d];
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int s = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
        int e = end < 0 ? Math.max(0, end + n) : Math.min(end, n);
        int len = e > s ? (e - s + step - 1) / step : 0;
        int[] ns = shape.clone(), st = strides.clone();
        ns[d] = len;
        st[d] = strides[d] * step;
        Tensor out = new Tensor(data, offset + s * strides[d], ns, st);
        int[] inShape = shape;
        attach(out, "slice", new Tensor[] {this}, g -> {
            Tensor full = Tensor.zeros(inShape);
            full.slice(d, s, e, step).copyFrom(g);
            // under createGraph the zero-padded gradient is itself an op of g (its adjoint: the same slice)
            return new Tensor[] {attach(full, "sliceBackward", new Tensor[] {g}, gg -> new Tensor[] {gg.slice(d, s, e, step)})};
        });
        // many slices of one tensor (time steps, heads) add into one buffer instead of one full-size zero tensor each
        if (out.gradFn != null) out.gradFn.withAccumulator((g, bufs, overwrite) -> {
            if (overwrite[0]) bufs[0].zero();
            bufs[0].slice(d, s, e, step).addInPlace(g);
        });
        return out;
    }

    public Tensor slice(int dim, int start, int end) {
        return slice(dim, start, end, 1);
    }

    /** {@code length} elements from {@code start} along {@code dim} (a view). */
    public Tensor narrow(int dim, int start, int length) {
        return slice(dim, start, start + length, 1);
    }

    /** The sub-tensor at {@code index} of {@code dim}, that dimension removed (a view). */
    public Tensor select(int dim, int index) {
        int d = Shapes.wrapDim(dim, shape.length, "select");
        int k = index < 0 ? index + shape[d] : index;
        if (k < 0 || k >= shape[d])
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for dimension " + d + " of size " + shape[d]);
        return slice(d, k, k + 1, 1).squeeze(d);
    }

    /** Repeats size-1 dimensions (stride 0, a view) to {@code newShape}; -1 keeps a size. */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length)
            throw new IllegalArgumentException("expand: target " + Arrays.toString(newShape) + " has fewer dimensions than " + Shapes.str(shape));
        int lead = newShape.length - shape.length;
        int[] ns = new int[newShape.length], st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int src = i - lead;
            int want = newShape[i];
            if (src < 0) {
                if (want < 0) throw new IllegalArgumentException("expand: -1 not allowed for a new leading dimension");
                ns[i] = want;
                st[i] = 0;
            } else if (want == -1 || want == shape[src]) {
                ns[i] = shape[src];
                st[i] = strides[src];
            } else if (shape[src] == 1) {
                ns[i] = want;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand dimension " + src + " of size " + shape[src]
                        + " to " + want + " (shape " + Shapes.str(shape) + " to " + Arrays.toString(newShape) + ")");
            }
        }
        if (Arrays.equals(ns, shape)) return this;
        Tensor out = new Tensor(data, offset, ns, st);
        int[] inShape = shape;
        return attach(out, "expand", new Tensor[] {this}, g -> new Tensor[] {ReduceOps.sumToShape(g, inShape)});
    }

    /** Removes all size-1 dimensions (a view). */
    public Tensor squeeze() {
        int k = 0;
        for (int s : shape) if (s != 1) k++;
        int[] ns = new int[k], st = new int[k];
        k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                ns[k] = shape[i];
                st[k++] = strides[i];
            }
        }
        return viewOf(ns, st, "squeeze");
    }

    /** Removes dimension {@code dim} if its size is 1 (a view). */
    public Tensor squeeze(int dim) {
        int d = Shapes.wrapDim(dim, shape.length, "squeeze");
        if (shape[d] != 1) return this;
        int[] ns = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, k = 0; i < shape.length; i++) {
            if (i != d) {
                ns[k] = shape[i];
                st[k++] = strides[i];
            }
        }
        return viewOf(ns, st, "squeeze");
    }

    /** Inserts a size-1 dimension at {@code dim} (0..rank; negative counts from the end) (a view). */
    public Tensor unsqueeze(int dim) {
        int d = dim < 0 ? dim + shape.length + 1 : dim;
        if (d < 0 || d > shape.length) throw new IllegalArgumentException("unsqueeze: dimension " + dim + " out of range for rank " + shape.length);
        int[] ns = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, k = 0; i < ns.length; i++) {
            if (i == d) {
                ns[i] = 1;
                st[i] = d < shape.length ? strides[d] * shape[d] : 1;
            } else {
                ns[i] = shape[k];
                st[i] = strides[k++];
            }
        }
        return viewOf(ns, st, "unsqueeze");
    }

    private Tensor viewOf(int[] ns, int[] st, String op) {
        Tensor out = new Tensor(data, offset, ns, st);
        int[] inShape = shape;
        return attach(out, op, new Tensor[] {this}, g -> new Tensor[] {g.reshape(inShape)});
    }

    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return copy();
    }

    /** A contiguous copy (differentiable, like PyTorch's clone). */
    public Tensor copy() {
        float[] out = new float[numel()];
        copyStrided(this, out, 0);
        return attach(new Tensor(out, shape.clone()), "copy", new Tensor[] {this}, g -> new Tensor[] {g});
    }

    // ---------------------------------------------------------------- in place (no graph)

    /** Copies {@code src} (broadcast to this shape) into this tensor's elements. Not recorded. */
    public Tensor copyFrom(Tensor src) {
        Tensor s = src.detach().expand(shape);
        if (isContiguous() && s.isContiguous()) {
            System.arraycopy(s.data, s.offset, data, offset, numel());
        } else {
            ElementwiseOps.binaryInto(Binary.ADD, s, Tensor.scalar(0f), this);
        }
        return this;
    }

    /**
     * {@code relu()} computed over this tensor's own storage, for the fresh output of an op whose
     * backward does not read its output (a linear layer, a convolution) and that nothing else
     * holds: it saves the ReLU's output array and a pass over memory. Afterwards this tensor holds
     * the ReLU's values; use only the returned one. {@link dev.depth.nn.Sequential} calls it for a
     * Linear or Conv2d followed by a ReLU. Anything else (a leaf, a view, the output of another
     * op, whose backward might read it) gets an ordinary {@link #relu()}.
     */
    public Tensor reluOverOpOutput() {
        return ElementwiseOps.reluOverOpOutput(this, false);
    }

    /**
     * Records {@code relu()} of this op output whose kernel has already clamped it to max(y, 0) in
     * its own storage (a linear layer with the ReLU fused into its GEMM, {@link
     * dev.depth.nn.F#linearRelu}): the same node, values and gradients as {@link #reluOverOpOutput()},
     * without its pass. On a tensor that is not such an output it is an ordinary {@link #relu()},
     * which gives the same values and gradient mask since max(y, 0) is idempotent.
     */
    public Tensor reluOverClampedOpOutput() {
        return ElementwiseOps.reluOverOpOutput(this, true);
    }

    /** this += other (broadcast). Not recorded. */
    public Tensor addInPlace(Tensor other) {
        ElementwiseOps.binaryInto(Binary.ADD, this, other, this);
        return this;
    }

    /** this *= value. Not recorded. */
    public Tensor mulInPlace(float value) {
        ElementwiseOps.binaryInto(Binary.MUL, this, Tensor.scalar(value), this);
        return this;
    }

    /** Sets every element to {@code value}. Not recorded. */
    public Tensor fill(float value) {
        if (isContiguous()) Elementwise.fill(data, offset, numel(), value);
        else ElementwiseOps.binaryInto(Binary.ADD, Tensor.scalar(value), Tensor.scalar(0f), this);
        return this;
    }

    public Tensor zero() {
        return fill(0f);
    }

    // ---------------------------------------------------------------- element-wise math

    public Tensor add(Tensor other) { return ElementwiseOps.binary(Binary.ADD, this, other); }
    public Tensor sub(Tensor other) { return ElementwiseOps.binary(Binary.SUB, this, other); }
    public Tensor mul(Tensor other) { return ElementwiseOps.binary(Binary.MUL, this, other); }
    public Tensor div(Tensor other) { return ElementwiseOps.binary(Binary.DIV, this, other); }
    public Tensor pow(Tensor exponent) { return ElementwiseOps.binary(Binary.POW, this, exponent); }
    /** Element-wise maximum of two tensors (broadcast). */
    public Tensor maximum(Tensor other) { return ElementwiseOps.binary(Binary.MAXIMUM, this, other); }
    /** Element-wise minimum of two tensors (broadcast). */
    public Tensor minimum(Tensor other) { return ElementwiseOps.binary(Binary.MINIMUM, this, other); }
    public Tensor add(float v) { return ElementwiseOps.binary(Binary.ADD, this, scalar(v)); }
    public Tensor sub(float v) { return ElementwiseOps.binary(Binary.SUB, this, scalar(v)); }
    public Tensor mul(float v) { return ElementwiseOps.binary(Binary.MUL, this, scalar(v)); }
    public Tensor div(float v) { return ElementwiseOps.binary(Binary.DIV, this, scalar(v)); }
    /** {@code v - this}. */
    public Tensor rsub(float v) { return ElementwiseOps.binary(Binary.SUB, scalar(v), this); }
    public Tensor pow(float exponent) { return ElementwiseOps.powScalar(this, exponent); }

    public Tensor neg() { return ElementwiseOps.unary(Unary.NEG, this); }
    public Tensor exp() { return ElementwiseOps.unary(Unary.EXP, this); }
    public Tensor log() { return ElementwiseOps.unary(Unary.LOG, this); }
    public Tensor sqrt() { return ElementwiseOps.unary(Unary.SQRT, this); }
    public Tensor rsqrt() { return ElementwiseOps.unary(Unary.RSQRT, this); }
    public Tensor abs() { return ElementwiseOps.unary(Unary.ABS, this); }
    public Tensor square() { return ElementwiseOps.unary(Unary.SQUARE, this); }
    public Tensor reciprocal() { return ElementwiseOps.unary(Unary.RECIPROCAL, this); }
    public Tensor sin() { return ElementwiseOps.unary(Unary.SIN, this); }
    public Tensor cos() { return ElementwiseOps.unary(Unary.COS, this); }
    public Tensor tanh() { return ElementwiseOps.unary(Unary.TANH, this); }
    public Tensor sigmoid() { return ElementwiseOps.unary(Unary.SIGMOID, this); }
    public Tensor relu() { return ElementwiseOps.unary(Unary.RELU, this); }
    /** GELU with the exact Gaussian CDF (PyTorch's default). */
    public Tensor gelu() { return ElementwiseOps.unary(Unary.GELU, this); }
    /** GELU with the tanh approximation (PyTorch's {@code approximate='tanh'}). */
    public Tensor geluTanh() { return ElementwiseOps.unary(Unary.GELU_TANH, this); }
    /** log(1 + exp(x)), linear above 20 as in PyTorch. */
    public Tensor softplus() { return ElementwiseOps.unary(Unary.SOFTPLUS, this); }
    /** x for x > 0, slope * x otherwise. */
    public Tensor leakyRelu(float slope) { return ElementwiseOps.leakyRelu(this, slope); }
    /** Limits values to [min, max]; the gradient passes where min <= x <= max. */
    public Tensor clamp(float min, float max) { return ElementwiseOps.clamp(this, min, max); }

    // comparisons: 1 where true, 0 where false; never differentiable
    public Tensor gt(Tensor o) { return ElementwiseOps.compare(this, o, 0); }
    public Tensor lt(Tensor o) { return ElementwiseOps.compare(this, o, 1); }
    public Tensor ge(Tensor o) { return ElementwiseOps.compare(this, o, 2); }
    public Tensor le(Tensor o) { return ElementwiseOps.compare(this, o, 3); }
    public Tensor eq(Tensor o) { return ElementwiseOps.compare(this, o, 4); }
    public Tensor gt(float v) { return gt(scalar(v)); }
    public Tensor lt(float v) { return lt(scalar(v)); }
    public Tensor eq(float v) { return eq(scalar(v)); }

    /** Where {@code mask} (broadcast) is non-zero, {@code value}; elsewhere this tensor's element. */
    public Tensor maskedFill(Tensor mask, float value) { return ElementwiseOps.maskedFill(this, mask, value); }

    /** {@code condition ? a : b} element-wise, broadcast. Differentiable in a and b. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) { return ElementwiseOps.where(condition, a, b); }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements (a scalar). */
    public Tensor sum() { return ReduceOps.sum(this, allDims(), false); }
    public Tensor sum(int dim) { return ReduceOps.sum(this, new int[] {dim}, false); }
    public Tensor sum(int dim, boolean keepDim) { return ReduceOps.sum(this, new int[] {dim}, keepDim); }
    public Tensor sum(int[] dims, boolean keepDim) { return ReduceOps.sum(this, dims, keepDim); }
    public Tensor mean() { return ReduceOps.mean(this, allDims(), false); }
    public Tensor mean(int dim) { return ReduceOps.mean(this, new int[] {dim}, false); }
    public Tensor mean(int dim, boolean keepDim) { return ReduceOps.mean(this, new int[] {dim}, keepDim); }
    public Tensor mean(int[] dims, boolean keepDim) { return ReduceOps.mean(this, dims, keepDim); }
    /** Maximum of all elements. The gradient is shared equally among ties. */
    public Tensor max() { return ReduceOps.extreme(this, allDims(), false, true); }
    public Tensor max(int dim, boolean keepDim) { return ReduceOps.extreme(this, new int[] {dim}, keepDim, true); }
    public Tensor max(int[] dims, boolean keepDim) { return ReduceOps.extreme(this, dims, keepDim, true); }
    public Tensor min() { return ReduceOps.extreme(this, allDims(), false, false); }
    public Tensor min(int dim, boolean keepDim) { return ReduceOps.extreme(this, new int[] {dim}, keepDim, false); }
    public Tensor min(int[] dims, boolean keepDim) { return ReduceOps.extreme(this, dims, keepDim, false); }
    /** Variance with Bessel's correction (divides by N - 1), as PyTorch's default. */
    public Tensor var(int[] dims, boolean keepDim) { return ReduceOps.var(this, dims, 1, keepDim); }
    /** Variance dividing by N - correction. */
    public Tensor var(int[] dims, int correction, boolean keepDim) { return ReduceOps.var(this, dims, correction, keepDim); }
    public Tensor var() { return ReduceOps.var(this, allDims(), 1, false); }
    public Tensor std(int[] dims, int correction, boolean keepDim) { return var(dims, correction, keepDim).sqrt(); }
    /** Index of the maximum along {@code dim} (first on ties), as integral floats; not differentiable. */
    public Tensor argmax(int dim, boolean keepDim) { return ReduceOps.argExtreme(this, dim, keepDim, true); }
    public Tensor argmin(int dim, boolean keepDim) { return ReduceOps.argExtreme(this, dim, keepDim, false); }

    private int[] allDims() {
        int[] d = new int[shape.length];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return d;
    }

    // ---------------------------------------------------------------- linear algebra, indexing, softmax

    /**
     * Matrix product with PyTorch's rules: 1-D operands are promoted (and the added dimension
     * removed afterwards); batch dimensions broadcast. Shapes (..., n, k) x (..., k, m) -> (..., n, m).
     */
    public Tensor matmul(Tensor other) { return LinalgOps.matmul(this, other); }

    /** Softmax along {@code dim}. */
    public Tensor softmax(int dim) { return LinalgOps.softmax(this, dim, false); }

    /** log(softmax(x)) along {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) { return LinalgOps.softmax(this, dim, true); }

    /** Slices of {@code dim} at the given indices (integral floats, any shape flattened to 1-D order). */
    public Tensor indexSelect(int dim, Tensor indices) { return IndexOps.indexSelect(this, dim, indices); }

    /** out[i][j]... = this[index[i][j]...] along {@code dim}; index has this tensor's rank. */
    public Tensor gather(int dim, Tensor index) { return IndexOps.gather(this, dim, index); }

    /** Joins tensors along an existing dimension. */
    public static Tensor cat(int dim, Tensor... tensors) { return IndexOps.cat(dim, tensors); }

    /** Joins tensors of equal shape along a new dimension. */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("stack: no tensors");
        Tensor[] u = new Tensor[tensors.length];
        for (int i = 0; i < u.length; i++) {
            if (!Arrays.equals(tensors[i].shape, tensors[0].shape))
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shapes.str(tensors[i].shape)
                        + ", tensor 0 has " + Shapes.str(tensors[0].shape));
            u[i] = tensors[i].unsqueeze(dim);
        }
        return cat(dim, u);
    }

    // ---------------------------------------------------------------- comparison and printing

    /** Whether shapes match and |a - b| <= atol + rtol * |b| everywhere (NaN never close). */
    public boolean allClose(Tensor other, float rtol, float atol) {
        if (!Arrays.equals(shape, other.shape)) return false;
        float[] a = toFloatArray(), b = other.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
