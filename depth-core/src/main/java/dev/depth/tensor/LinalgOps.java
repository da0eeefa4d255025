package dev.depth.tensor;

import dev.depth.kernel.Gemm;
import dev.depth.kernel.Parallel;

import java.util.Arrays;

/** Matrix products and softmax. */
final class LinalgOps {
    private LinalgOps() {}

    /** A 2-D operand as GEMM sees it: row-major (trans = false) or a transposed view (trans = true). */
    private record Operand(float[] data, int offset, int ld, boolean trans) {}

    /** Describes a (rows, cols) matrix at {@code offset} with strides (rs, cs) for GEMM, or null if it needs a copy. */
    private static Operand operand(float[] data, int offset, int rows, int cols, int rs, int cs) {
        if (cs == 1 && (rs >= cols || rows == 1)) return new Operand(data, offset, Math.max(rs, cols), false);
        if (rs == 1 && (cs >= rows || cols == 1)) return new Operand(data, offset, Math.max(cs, rows), true);
        return null;
    }

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0)
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape));
        if (a.dim() == 1 && b.dim() == 1) {
            if (a.shape[0] != b.shape[0])
                throw new IllegalArgumentException("matmul: vectors of sizes " + a.shape[0] + " and " + b.shape[0] + " differ");
            return a.unsqueeze(0).matmul(b.unsqueeze(1)).reshape();
        }
        if (a.dim() == 1) return a.unsqueeze(0).matmul(b).squeeze(-2);
        if (b.dim() == 1) return a.matmul(b.unsqueeze(1)).squeeze(-1);
        int n = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1], k2 = b.shape[b.dim() - 2], m = b.shape[b.dim() - 1];
        if (k != k2)
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shapes.str(a.shape) + " x " + Shapes.str(b.shape)
                    + " (" + k + " vs " + k2 + ")");
        if (b.dim() == 2 && a.dim() > 2 && isFoldable(a)) {
            // (..., n, k) x (k, m): fold the batch into rows, one GEMM
            int[] outShape = a.shape.clone();
            outShape[outShape.length - 1] = m;
            return a.reshape(-1, k).matmul(b).reshape(outShape);
        }
        int[] batchA = Arrays.copyOf(a.shape, a.dim() - 2), batchB = Arrays.copyOf(b.shape, b.dim() - 2);
        int[] batch = Shapes.broadcast(batchA, batchB, "matmul");
        int batches = Shapes.numel(batch);
        Tensor ea = a.detach().expand(Shapes.concat(batch, n, k)), eb = b.detach().expand(Shapes.concat(batch, k, m));
        float[] out = new float[batches * n * m];
        // Small products (attention heads) run one batch entry per task instead of one thread dispatch per entry;
        // each entry's GEMM takes the same path either way, so results do not depend on the split.
        long work = (long) n * m * k;
        int grain = work >= SMALL_GEMM_WORK ? batches : Math.max(1, (int) (SMALL_GEMM_WORK / Math.max(1, work)));
        Parallel.forRange(batches, grain, (b0, b1) -> {
            for (int bi = b0; bi < b1; bi++) gemmOne(ea, eb, batch, bi, n, m, k, out);
        });
        int[] outShape = Shapes.concat(batch, n, m);
        return Tensor.fromOp(out, outShape, "matmul", new Tensor[] {a, b}, g -> new Tensor[] {
                a.requiresGrad() ? ReduceOps.sumToShape(g.matmul(b.transpose(-1, -2)), a.shape) : null,
                b.requiresGrad() ? ReduceOps.sumToShape(a.transpose(-1, -2).matmul(g), b.shape) : null});
    }

    /** Below this many multiply-adds per batch entry, batched products are split across threads by entry. */
    private static final long SMALL_GEMM_WORK = 1L << 16;

    /** C[bi] = A[bi] B[bi] for one entry of the broadcast batch. */
    private static void gemmOne(Tensor ea, Tensor eb, int[] batch, int bi, int n, int m, int k, float[] out) {
        int oa = ea.offset, ob = eb.offset, rem = bi;
        for (int d = batch.length - 1; d >= 0; d--) {
            int i = rem % batch[d];
            rem /= batch[d];
            oa += i * ea.strides[d];
            ob += i * eb.strides[d];
        }
        int r = batch.length;
        Operand pa = operand(ea.data, oa, n, k, ea.strides[r], ea.strides[r + 1]);
        Operand pb = operand(eb.data, ob, k, m, eb.strides[r], eb.strides[r + 1]);
        if (pa == null) pa = new Operand(new Tensor(ea.data, oa, new int[] {n, k}, new int[] {ea.strides[r], ea.strides[r + 1]}).toFloatArray(), 0, k, false);
        if (pb == null) pb = new Operand(new Tensor(eb.data, ob, new int[] {k, m}, new int[] {eb.strides[r], eb.strides[r + 1]}).toFloatArray(), 0, m, false);
        Gemm.sgemm(pa.trans, pb.trans, n, m, k, 1f, pa.data, pa.offset, pa.ld, pb.data, pb.offset, pb.ld, 0f, out, bi * n * m, m);
    }

    /** Whether a's leading dims can be merged into its rows without a copy. */
    private static boolean isFoldable(Tensor a) {
        return a.isContiguous();
    }

    // ------------------------------------------------------------------ softmax

    static Tensor softmax(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        int d = Shapes.wrapDim(dim, x.dim(), op);
        Tensor c = x.contiguous();
        int outer = 1, inner = 1, n = x.dim() == 0 ? 1 : x.shape[d];
        for (int i = 0; i < d; i++) outer *= x.shape[i];
        for (int i = d + 1; i < x.dim(); i++) inner *= x.shape[i];
        float[] out = new float[c.numel()];
        softmaxKernel(c.data, c.offset, out, outer, n, inner, log);
        Tensor y = new Tensor(out, x.shape.clone());
        return Tensor.attach(y, op, new Tensor[] {x}, g -> {
            Tensor yd = y.detach();
            if (log) return new Tensor[] {g.sub(yd.exp().mul(g.sum(d, true)))};
            return new Tensor[] {yd.mul(g.sub(g.mul(yd).sum(d, true)))};
        });
    }

    static void softmaxKernel(float[] x, int off, float[] out, int outer, int n, int inner, boolean log) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                float max = Float.NEGATIVE_INFINITY;
                for (int r = 0; r < n; r++) max = Math.max(max, x[off + base + r * inner]);
                if (max == Float.NEGATIVE_INFINITY) max = 0f;
                double sum = 0;
                for (int r = 0; r < n; r++) {
                    float e = (float) Math.exp(x[off + base + r * inner] - max);
                    out[base + r * inner] = e;
                    sum += e;
                }
                if (log) {
                    float lse = (float) Math.log(sum) + max;
                    for (int r = 0; r < n; r++) out[base + r * inner] = x[off + base + r * inner] - lse;
                } else {
                    float inv = (float) (1.0 / sum);
                    for (int r = 0; r < n; r++) out[base + r * inner] *= inv;
                }
            }
        }
    }
}
