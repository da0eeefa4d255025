package dev.depth.tensor;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

import java.util.Arrays;

/** Reductions over sets of dimensions; each reduces one dimension at a time as (outer, n, inner). */
final class ReduceOps {
    private ReduceOps() {}

    private static final FloatKernels K = Simd.kernels();

    private static boolean[] dimMask(int[] dims, int rank, String op) {
        boolean[] m = new boolean[rank];
        for (int d : dims) {
            int w = Shapes.wrapDim(d, rank, op);
            if (rank == 0) continue;
            if (m[w]) throw new IllegalArgumentException(op + ": dimension " + d + " repeated in " + Arrays.toString(dims));
            m[w] = true;
        }
        return m;
    }

    private static int[] keptShape(int[] shape, boolean[] mask) {
        int[] r = shape.clone();
        for (int i = 0; i < r.length; i++) if (mask[i]) r[i] = 1;
        return r;
    }

    private static int[] droppedShape(int[] shape, boolean[] mask) {
        int k = 0;
        for (boolean b : mask) if (!b) k++;
        int[] r = new int[k];
        k = 0;
        for (int i = 0; i < shape.length; i++) if (!mask[i]) r[k++] = shape[i];
        return r;
    }

    /** kind 0 sum, 1 max, 2 min; returns the keep-dim shaped values. */
    private static Tensor reduceRaw(Tensor x, boolean[] mask, int kind) {
        Tensor cur = x.contiguous();
        int[] shape = x.shape.clone();
        float[] data = cur.data;
        int off = cur.offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (!mask[d]) continue;
            int outer = 1, inner = 1, n = shape[d];
            for (int i = 0; i < d; i++) outer *= shape[i];
            for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
            float[] out = new float[outer * inner];
            if (n == 0) {
                if (kind != 0) throw new IllegalArgumentException((kind == 1 ? "max" : "min") + ": reduction over an empty dimension " + d);
            } else {
                reduceDim(data, off, out, outer, n, inner, kind);
            }
            data = out;
            off = 0;
            shape[d] = 1;
        }
        if (data == cur.data) data = Arrays.copyOfRange(cur.data, cur.offset, cur.offset + cur.numel());
        return new Tensor(data, shape);
    }

    private static void reduceDim(float[] x, int off, float[] out, int outer, int n, int inner, int kind) {
        for (int o = 0; o < outer; o++) {
            int base = off + o * n * inner, ob = o * inner;
            if (inner == 1) {
                float acc = x[base];
                if (kind == 0) {
                    double s = 0;
                    for (int r = 0; r < n; r++) s += x[base + r];
                    acc = (float) s;
                } else if (kind == 1) {
                    for (int r = 1; r < n; r++) { float v = x[base + r]; if (v > acc || v != v) acc = v; if (acc != acc) break; }
                } else {
                    for (int r = 1; r < n; r++) { float v = x[base + r]; if (v < acc || v != v) acc = v; if (acc != acc) break; }
                }
                out[ob] = acc;
            } else if (kind == 0) {
                // each of the inner columns summed row after row from row 0: the order (so the bits) of the scalar
                // loop, with the running sums in registers (K.columnSums)
                K.columnSums(x, base, n, inner, out, ob, inner);
            } else {
                System.arraycopy(x, base, out, ob, inner);
                for (int r = 1; r < n; r++) {
                    int rb = base + r * inner;
                    if (kind == 1) {
                        for (int i = 0; i < inner; i++) { float v = x[rb + i]; float c = out[ob + i]; if (v > c || v != v) out[ob + i] = (c != c) ? c : v; }
                    } else {
                        for (int i = 0; i < inner; i++) { float v = x[rb + i]; float c = out[ob + i]; if (v < c || v != v) out[ob + i] = (c != c) ? c : v; }
                    }
                }
            }
        }
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        boolean[] mask = dimMask(dims, x.shape.length, "sum");
        Tensor kept = reduceRaw(x, mask, 0);
        int[] outShape = keepDim ? kept.shape : droppedShape(x.shape, mask);
        int[] keptShape = kept.shape, inShape = x.shape;
        Tensor out = new Tensor(kept.data, outShape);
        return Tensor.attach(out, "sum", new Tensor[] {x}, g -> new Tensor[] {g.reshape(keptShape).expand(inShape)});
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        boolean[] mask = dimMask(dims, x.shape.length, "mean");
        long count = 1;
        for (int i = 0; i < mask.length; i++) if (mask[i]) count *= x.shape[i];
        return sum(x, dims, keepDim).div((float) count);
    }

    static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) {
        boolean[] mask = dimMask(dims, x.shape.length, "var");
        long count = 1;
        for (int i = 0; i < mask.length; i++) if (mask[i]) count *= x.shape[i];
        Tensor centered = x.sub(mean(x, dims, true));
        return sum(centered.square(), dims, keepDim).div((float) Math.max(0, count - correction));
    }

    static Tensor extreme(Tensor x, int[] dims, boolean keepDim, boolean isMax) {
        String op = isMax ? "max" : "min";
        if (x.numel() == 0) throw new IllegalArgumentException(op + ": empty tensor of shape " + Shapes.str(x.shape));
        boolean[] mask = dimMask(dims, x.shape.length, op);
        Tensor kept = reduceRaw(x, mask, isMax ? 1 : 2);
        int[] outShape = keepDim ? kept.shape : droppedShape(x.shape, mask);
        int[] keptShape = kept.shape, inShape = x.shape;
        Tensor out = new Tensor(kept.data, outShape);
        return Tensor.attach(out, op, new Tensor[] {x}, g -> {
            Tensor hit = x.detach().eq(kept.expand(inShape));
            Tensor count = sum(hit, dims, true);
            return new Tensor[] {g.reshape(keptShape).div(count).expand(inShape).mul(hit)};
        });
    }

    static Tensor argExtreme(Tensor x, int dim, boolean keepDim, boolean isMax) {
        int d = Shapes.wrapDim(dim, x.shape.length, isMax ? "argmax" : "argmin");
        Tensor c = x.contiguous();
        int outer = 1, inner = 1, n = x.shape.length == 0 ? 1 : x.shape[d];
        if (n == 0) throw new IllegalArgumentException((isMax ? "argmax" : "argmin") + ": empty dimension " + dim);
        for (int i = 0; i < d; i++) outer *= x.shape[i];
        for (int i = d + 1; i < x.shape.length; i++) inner *= x.shape[i];
        float[] out = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = c.offset + o * n * inner + i;
                int best = 0;
                float bv = c.data[base];
                for (int r = 1; r < n && bv == bv; r++) {
                    float v = c.data[base + r * inner];
                    if (isMax ? (v > bv || v != v) : (v < bv || v != v)) {
                        bv = v;
                        best = r;
                    }
                }
                out[o * inner + i] = best;
            }
        }
        boolean[] mask = new boolean[x.shape.length];
        if (mask.length > 0) mask[d] = true;
        return new Tensor(out, keepDim ? keptShape(x.shape, mask) : droppedShape(x.shape, mask));
    }

    /** Sums g over the dimensions broadcast from {@code shape} (the backward of broadcasting). */
    static Tensor sumToShape(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape, shape)) return g;
        int lead = g.shape.length - shape.length;
        if (lead < 0) throw new IllegalStateException("sumToShape: gradient " + Shapes.str(g.shape) + " has fewer dims than " + Shapes.str(shape));
        int k = 0;
        int[] dims = new int[g.shape.length];
        for (int i = 0; i < g.shape.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && g.shape[i] != 1)) dims[k++] = i;
        }
        Tensor s = k == 0 ? g : sum(g, Arrays.copyOf(dims, k), true);
        return s.reshape(shape);
    }
}
