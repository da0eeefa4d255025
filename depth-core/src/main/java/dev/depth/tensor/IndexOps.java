package dev.depth.tensor;

/** Gathering and joining: indexSelect, gather, cat. Indices are integral floats. */
final class IndexOps {
    private IndexOps() {}

    static int checkIndex(float v, int size, String op) {
        int i = (int) v;
        if (i != v || i < 0 || i >= size)
            throw new IndexOutOfBoundsException(op + ": index " + v + " is not an integer in [0, " + size + ")");
        return i;
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor indices) {
        int d = Shapes.wrapDim(dim, x.dim(), "indexSelect");
        float[] idx = indices.toFloatArray();
        Tensor c = x.contiguous();
        int n = x.shape[d];
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= x.shape[i];
        for (int i = d + 1; i < x.dim(); i++) inner *= x.shape[i];
        final int outerF = outer, innerF = inner;
        int[] pos = new int[idx.length];
        for (int j = 0; j < idx.length; j++) pos[j] = checkIndex(idx[j], n, "indexSelect");
        int[] outShape = x.shape.clone();
        outShape[d] = idx.length;
        float[] out = new float[outer * idx.length * inner];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < pos.length; j++)
                System.arraycopy(c.data, c.offset + (o * n + pos[j]) * inner, out, (o * pos.length + j) * inner, inner);
        int[] inShape = x.shape;
        return Tensor.fromOp(out, outShape, "indexSelect", new Tensor[] {x}, g -> {
            Tensor gc = g.contiguous();
            float[] dx = new float[Shapes.numel(inShape)];
            for (int o = 0; o < outerF; o++)
                for (int j = 0; j < pos.length; j++) {
                    int src = gc.offset + (o * pos.length + j) * innerF, dst = (o * n + pos[j]) * innerF;
                    for (int i = 0; i < innerF; i++) dx[dst + i] += gc.data[src + i];
                }
            return new Tensor[] {new Tensor(dx, inShape.clone())};
        });
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        int d = Shapes.wrapDim(dim, x.dim(), "gather");
        if (index.dim() != x.dim())
            throw new IllegalArgumentException("gather: index of rank " + index.dim() + " for a tensor of rank " + x.dim());
        for (int i = 0; i < x.dim(); i++)
            if (i != d && index.shape[i] > x.shape[i])
                throw new IllegalArgumentException("gather: index shape " + Shapes.str(index.shape) + " exceeds input shape " + Shapes.str(x.shape) + " in dimension " + i);
        float[] idx = index.toFloatArray();
        int[] outShape = index.shape.clone();
        int rank = x.dim();
        float[] out = new float[idx.length];
        int[] flat = new int[idx.length];
        int[] cs = Shapes.contiguousStrides(x.shape);
        int[] coord = new int[rank];
        for (int p = 0; p < idx.length; p++) {
            int s = x.offset, f = 0;
            for (int i = 0; i < rank; i++) {
                int c = i == d ? checkIndex(idx[p], x.shape[d], "gather") : coord[i];
                s += c * x.strides[i];
                f += c * cs[i];
            }
            flat[p] = f;
            out[p] = x.data[s];
            for (int i = rank - 1; i >= 0; i--) {
                if (++coord[i] < outShape[i]) break;
                coord[i] = 0;
            }
        }
        int[] inShape = x.shape;
        return Tensor.fromOp(out, outShape, "gather", new Tensor[] {x}, g -> {
            float[] gv = g.toFloatArray();
            float[] dx = new float[Shapes.numel(inShape)];
            for (int p = 0; p < gv.length; p++) dx[flat[p]] += gv[p];
            return new Tensor[] {new Tensor(dx, inShape.clone())};
        });
    }

    static Tensor cat(int dim, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("cat: no tensors");
        int rank = ts[0].dim();
        int d = Shapes.wrapDim(dim, rank, "cat");
        int total = 0;
        for (int t = 0; t < ts.length; t++) {
            if (ts[t].dim() != rank) throw new IllegalArgumentException("cat: tensor " + t + " has rank " + ts[t].dim() + ", tensor 0 has " + rank);
            for (int i = 0; i < rank; i++)
                if (i != d && ts[t].shape[i] != ts[0].shape[i])
                    throw new IllegalArgumentException("cat: tensor " + t + " has shape " + Shapes.str(ts[t].shape) + ", incompatible with "
                            + Shapes.str(ts[0].shape) + " outside dimension " + d);
            total += ts[t].shape[d];
        }
        int[] outShape = ts[0].shape.clone();
        outShape[d] = total;
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= outShape[i];
        for (int i = d + 1; i < rank; i++) inner *= outShape[i];
        float[] out = new float[Shapes.numel(outShape)];
        int start = 0;
        int[] starts = new int[ts.length];
        for (int t = 0; t < ts.length; t++) {
            float[] part = ts[t].toFloatArray();
            int len = ts[t].shape[d] * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(part, o * len, out, o * total * inner + start * inner, len);
            starts[t] = start;
            start += ts[t].shape[d];
        }
        return Tensor.fromOp(out, outShape, "cat", ts, g -> {
            Tensor[] r = new Tensor[ts.length];
            for (int t = 0; t < ts.length; t++)
                if (ts[t].requiresGrad()) r[t] = g.slice(d, starts[t], starts[t] + ts[t].shape[d]).contiguous();
            return r;
        });
    }
}
