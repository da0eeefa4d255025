package dev.depth.tensor;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.Elementwise;
import dev.depth.kernel.Elementwise.Binary;
import dev.depth.kernel.Elementwise.Unary;

/** Element-wise ops: each op's forward and its backward side by side. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    // ------------------------------------------------------------------ unary

    static Tensor unary(Unary f, Tensor x) {
        Tensor xc = x.contiguous();
        int n = xc.numel();
        float[] out = new float[n];
        Elementwise.unary(f, xc.data, xc.offset, out, 0, n);
        Tensor y = new Tensor(out, x.shape.clone());
        return consumingGrad(Tensor.attach(y, f.name().toLowerCase(), new Tensor[] {x}, g -> new Tensor[] {unaryGrad(f, xc, y, g)}), f, xc, y);
    }

    /**
     * Gives y's node (if any) the in-place form of {@link #unaryGrad}: g[i] *= f'(x[i]) over g's own
     * storage, used by the engine when g is a dense gradient nobody else holds (no new array).
     */
    private static Tensor consumingGrad(Tensor y, Unary f, Tensor x, Tensor out) {
        if (y.gradFn != null) y.gradFn.withConsumingBackward(g -> {
            float[] xs = x.offset == 0 ? x.data : x.toFloatArray();
            Elementwise.unaryBackward(f, xs, out.data, g.data, g.data, g.numel());
            return new Tensor[] {g};
        });
        return y;
    }

    /** Ops whose backward reads neither their output nor its storage: their output may be overwritten. */
    private static final java.util.Set<String> OUTPUT_FREE_BACKWARD = java.util.Set.of("linear", "conv2d");

    /**
     * max(y, 0) written over y's own storage, recorded as a ReLU of y (see
     * {@link Tensor#reluOverOpOutput()}); falls back to a new tensor unless y is the whole, dense output of one of those ops.
     * With {@code applied} the op has already clamped its output (a fused kernel) and only the ReLU is recorded.
     */
    static Tensor reluOverOpOutput(Tensor y, boolean applied) {
        if (y.gradFn == null || !OUTPUT_FREE_BACKWARD.contains(y.gradFn.name()) || y.offset != 0 || !y.isContiguous()
                || y.data.length != y.numel()) return unary(Unary.RELU, y); // when applied: the same values and mask
        int n = y.numel();
        if (!applied) Elementwise.unary(Unary.RELU, y.data, 0, y.data, 0, n);
        Tensor out = new Tensor(y.data, y.shape.clone());
        // out > 0 exactly where y was > 0 (NaN stays NaN and is not > 0), so the mask comes from out
        return consumingGrad(Tensor.attach(out, "relu", new Tensor[] {y}, g -> new Tensor[] {unaryGrad(Unary.RELU, out, out, g)}), Unary.RELU, out, out);
    }

    /** dL/dx for y = f(x). With createGraph on, built from differentiable ops; else one fused kernel. */
    private static Tensor unaryGrad(Unary f, Tensor x, Tensor y, Tensor g) {
        if (Autograd.isGradEnabled()) {
            return switch (f) {
                case NEG -> g.neg();
                case EXP -> g.mul(x.exp());
                case LOG -> g.div(x);
                case SQRT -> g.mul(0.5f).div(x.sqrt());
                case ABS -> g.mul(x.gt(0f).sub(x.lt(0f)));
                case TANH -> g.mul(x.tanh().square().rsub(1f));
                case SIGMOID -> { Tensor s = x.sigmoid(); yield g.mul(s).mul(s.rsub(1f)); }
                case RELU -> g.mul(x.gt(0f));
                case SQUARE -> g.mul(x).mul(2f);
                case RECIPROCAL -> g.neg().div(x.square());
                case RSQRT -> g.mul(-0.5f).mul(x.pow(-1.5f));
                case SIN -> g.mul(x.cos());
                case COS -> g.neg().mul(x.sin());
                case SOFTPLUS -> g.mul(x.sigmoid());
                default -> throw new UnsupportedOperationException("double backward (createGraph) is not supported for "
                        + f.name().toLowerCase());
            };
        }
        Tensor gc = g.contiguous();
        int n = x.numel();
        float[] out = new float[n];
        float[] xs = x.offset == 0 ? x.data : x.toFloatArray();
        float[] gs = gc.offset == 0 ? gc.data : gc.toFloatArray();
        Elementwise.unaryBackward(f, xs, y.data, gs, out, n);
        return new Tensor(out, x.shape.clone());
    }

    static Tensor powScalar(Tensor x, float p) {
        if (p == 2f) return unary(Unary.SQUARE, x);
        if (p == 1f) return x;
        if (p == 0.5f) return unary(Unary.SQRT, x);
        if (p == -1f) return unary(Unary.RECIPROCAL, x);
        Tensor xc = x.contiguous();
        int n = xc.numel();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) Math.pow(xc.data[xc.offset + i], p);
        return Tensor.fromOp(out, x.shape.clone(), "pow", new Tensor[] {x},
                g -> new Tensor[] {g.mul(x.pow(p - 1f)).mul(p)});
    }

    static Tensor leakyRelu(Tensor x, float slope) {
        Tensor xc = x.contiguous();
        int n = xc.numel();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float v = xc.data[xc.offset + i];
            out[i] = v > 0f ? v : v * slope;
        }
        return Tensor.fromOp(out, x.shape.clone(), "leakyRelu", new Tensor[] {x},
                g -> new Tensor[] {g.mul(Tensor.where(x.gt(0f), Tensor.scalar(1f), Tensor.scalar(slope)))});
    }

    static Tensor clamp(Tensor x, float min, float max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        Tensor xc = x.contiguous();
        int n = xc.numel();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float v = xc.data[xc.offset + i];
            out[i] = v < min ? min : (v > max ? max : v);
        }
        return Tensor.fromOp(out, x.shape.clone(), "clamp", new Tensor[] {x},
                g -> new Tensor[] {g.mul(x.ge(Tensor.scalar(min)).mul(x.le(Tensor.scalar(max))))});
    }

    // ------------------------------------------------------------------ binary

    static Tensor binary(Binary f, Tensor a, Tensor b) {
        int[] outShape = Shapes.broadcast(a.shape, b.shape, f.name().toLowerCase());
        Tensor out = new Tensor(new float[Shapes.numel(outShape)], outShape);
        binaryInto(f, a, b, out);
        return Tensor.attach(out, f.name().toLowerCase(), new Tensor[] {a, b}, g -> binaryGrad(f, a, b, out, g));
    }

    private static Tensor[] binaryGrad(Binary f, Tensor a, Tensor b, Tensor out, Tensor g) {
        boolean ga = a.requiresGrad(), gb = b.requiresGrad();
        Tensor da = null, db = null;
        switch (f) {
            case ADD -> {
                if (ga) da = g;
                if (gb) db = g;
            }
            case SUB -> {
                if (ga) da = g;
                if (gb) db = g.neg();
            }
            case MUL -> {
                if (ga) da = g.mul(b);
                if (gb) db = g.mul(a);
            }
            case DIV -> {
                if (ga) da = g.div(b);
                if (gb) db = g.mul(a).div(b.square()).neg();
            }
            case POW -> {
                if (ga) da = g.mul(b).mul(a.pow(b.sub(1f)));
                if (gb) db = g.mul(out.detach()).mul(a.log());
            }
            case MAXIMUM, MINIMUM -> {
                Tensor win = f == Binary.MAXIMUM ? a.gt(b) : a.lt(b);
                Tensor tie = a.eq(b).mul(0.5f);
                Tensor wa = win.add(tie);
                if (ga) da = g.mul(wa);
                if (gb) db = g.mul(wa.rsub(1f));
            }
        }
        return new Tensor[] {
                da == null ? null : ReduceOps.sumToShape(da, a.shape),
                db == null ? null : ReduceOps.sumToShape(db, b.shape)};
    }

    /**
     * out = f(a, b) with a and b broadcast to out's shape; out may alias a when shapes match
     * (used by the in-place methods). No graph is recorded.
     */
    static void binaryInto(Binary f, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape;
        int n = Shapes.numel(shape);
        if (n == 0) return;
        Tensor ea = a.shape.length == shape.length && java.util.Arrays.equals(a.shape, shape) ? a : broadcastView(a, shape, f);
        Tensor eb = b.shape.length == shape.length && java.util.Arrays.equals(b.shape, shape) ? b : broadcastView(b, shape, f);
        if (out.isContiguous() && ea.isContiguous() && eb.isContiguous()) {
            Elementwise.binary(f, ea.data, ea.offset, 1, eb.data, eb.offset, 1, out.data, out.offset, n);
            return;
        }
        if (out.isContiguous() && ea.isContiguous() && b.numel() == 1) {
            Elementwise.binary(f, ea.data, ea.offset, 1, b.data, b.offset, 0, out.data, out.offset, n);
            return;
        }
        int rank = shape.length;
        int inner = shape[rank - 1];
        int sa = ea.strides[rank - 1], sb = eb.strides[rank - 1], so = out.strides[rank - 1];
        int[] idx = new int[rank];
        int pa = ea.offset, pb = eb.offset, po = out.offset;
        float[] tmp = so == 1 ? null : new float[inner];
        for (int done = 0; done < n; done += inner) {
            if (so == 1) {
                Elementwise.binary(f, ea.data, pa, sa, eb.data, pb, sb, out.data, po, inner);
            } else {
                Elementwise.binary(f, ea.data, pa, sa, eb.data, pb, sb, tmp, 0, inner);
                for (int j = 0; j < inner; j++) out.data[po + j * so] = tmp[j];
            }
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                pa += ea.strides[d];
                pb += eb.strides[d];
                po += out.strides[d];
                if (idx[d] < shape[d]) break;
                pa -= ea.strides[d] * shape[d];
                pb -= eb.strides[d] * shape[d];
                po -= out.strides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /** A graph-free view of t broadcast to shape (stride 0 in broadcast dims). */
    private static Tensor broadcastView(Tensor t, int[] shape, Binary f) {
        int lead = shape.length - t.shape.length;
        if (lead < 0) throw new IllegalArgumentException(f.name().toLowerCase() + ": cannot write shape " + Shapes.str(t.shape) + " into " + Shapes.str(shape));
        int[] st = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            int src = i - lead;
            if (src < 0) st[i] = 0;
            else if (t.shape[src] == shape[i]) st[i] = t.strides[src];
            else if (t.shape[src] == 1) st[i] = 0;
            else throw new IllegalArgumentException(f.name().toLowerCase() + ": shape " + Shapes.str(t.shape) + " does not broadcast to " + Shapes.str(shape));
        }
        return new Tensor(t.data, t.offset, shape, st);
    }

    // ------------------------------------------------------------------ masks and selection

    /** kind: 0 gt, 1 lt, 2 ge, 3 le, 4 eq. */
    static Tensor compare(Tensor a, Tensor b, int kind) {
        int[] shape = Shapes.broadcast(a.shape, b.shape, "compare");
        Tensor ea = broadcastView(a, shape, Binary.SUB), eb = broadcastView(b, shape, Binary.SUB);
        float[] av = ea.toFloatArray(), bv = eb.toFloatArray();
        float[] out = new float[av.length];
        for (int i = 0; i < out.length; i++) {
            float x = av[i], y = bv[i];
            boolean r = switch (kind) {
                case 0 -> x > y;
                case 1 -> x < y;
                case 2 -> x >= y;
                case 3 -> x <= y;
                default -> x == y;
            };
            out[i] = r ? 1f : 0f;
        }
        return new Tensor(out, shape);
    }

    static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        int[] shape = Shapes.broadcast(x.shape, mask.shape, "maskedFill");
        if (!java.util.Arrays.equals(shape, x.shape))
            throw new IllegalArgumentException("maskedFill: mask of shape " + Shapes.str(mask.shape) + " does not broadcast to the tensor's shape " + Shapes.str(x.shape));
        // The mask repeats with period p over x's row-major elements when it only lacks leading dimensions
        // (a (T, S) mask over (N, heads, T, S) scores): then it is read modulo p, never broadcast into a copy.
        int lead = shape.length - mask.shape.length;
        boolean suffix = true;
        for (int i = 0; i < mask.shape.length; i++) suffix &= mask.shape[i] == shape[lead + i];
        final boolean periodic = suffix;
        float[] m = periodic ? mask.toFloatArray() : broadcastView(mask, shape, Binary.MUL).toFloatArray();
        int period = m.length;
        float[] out = x.toFloatArray();
        for (int i = 0; i < out.length; i++) if (m[i % period] != 0f) out[i] = value;
        return Tensor.fromOp(out, x.shape.clone(), "maskedFill", new Tensor[] {x}, g -> {
            if (Autograd.isGradEnabled()) return new Tensor[] {g.mul(Tensor.wrap(m, periodic ? mask.shape.clone() : shape).eq(0f))};
            float[] d = g.toFloatArray();
            for (int i = 0; i < d.length; i++) if (m[i % period] != 0f) d[i] = 0f;
            return new Tensor[] {new Tensor(d, shape.clone())};
        });
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(Shapes.broadcast(cond.shape, a.shape, "where"), b.shape, "where");
        float[] c = broadcastView(cond, shape, Binary.MUL).toFloatArray();
        float[] av = broadcastView(a, shape, Binary.MUL).toFloatArray(), bv = broadcastView(b, shape, Binary.MUL).toFloatArray();
        float[] out = new float[c.length];
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0f ? av[i] : bv[i];
        Tensor mask = Tensor.wrap(c, shape).eq(0f).rsub(1f);
        return Tensor.fromOp(out, shape, "where", new Tensor[] {a, b}, g -> new Tensor[] {
                a.requiresGrad() ? ReduceOps.sumToShape(g.mul(mask), a.shape) : null,
                b.requiresGrad() ? ReduceOps.sumToShape(g.mul(mask.rsub(1f)), b.shape) : null});
    }
}
