package dev.depth.kernel.simd;

/**
 * The inner loops of Depth's kernels, over flat float arrays with explicit offsets.
 *
 * <p>Implementations are stateless and thread-safe. Two exist: {@link ScalarFloatKernels} (the
 * fallback and the test oracle) and a Vector API implementation that {@link Simd} loads when it
 * can. For the same inputs both give bit-identical results for {@link #gemmTile},
 * {@link #gemmTileBias}, {@link #gemmTileRows}, the
 * {@link Arith} operations, {@link #axpy}, {@link #relu}, {@link #reluBackward},
 * {@link #unsignedBytesToFloat} and
 * {@link #maxPool2x2} and {@link #maxPool2x2Stride2}; reductions ({@link #dot},
 * {@link #sum}) and the transcendental functions may differ in rounding.
 */
public interface FloatKernels {

    /** Element-wise arithmetic that every implementation vectorises. */
    enum Arith { ADD, SUB, MUL, DIV, MAX, MIN }

    /** A one-line name, e.g. {@code "SIMD AVX-512 (16 floats)"} or {@code "scalar"}. */
    String name();

    /** MR: rows of the GEMM register tile. */
    int tileRows();

    /** NR: columns of the GEMM register tile. */
    int tileCols();

    /**
     * The GEMM micro-kernel. With {@code acc = sum over p < kc of ap[apOff + p*MR + r] *
     * bp[bpOff + p*NR + j]} (accumulated in increasing p with fused multiply-adds), writes the MR x
     * NR tile of C at {@code c[cOff + r*ldc + j]}: {@code alpha*acc} when {@code beta == 0}
     * (previous content ignored), else {@code fma(c, beta, alpha*acc)}.
     */
    void gemmTile(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float beta,
                  float[] c, int cOff, int ldc);

    /**
     * {@link #gemmTile} onto a bias: writes {@code alpha*acc + bias[biasOff + j]} to every row r of
     * the tile (C's previous content ignored), bit-identical to {@link #gemmTile} with beta = 1 on a
     * C whose rows hold the bias: a linear layer's first block of k, without a pass that copies
     * the bias into C and without reading C back. With {@code relu}, each value is then clamped as
     * {@link #relu} clamps it ({@code max(v, 0)}, NaN kept) before it is stored: a linear layer
     * followed by a ReLU whose k fits one block, with no pass of its own over the tile.
     */
    void gemmTileBias(int kc, float[] ap, int apOff, float[] bp, int bpOff, float alpha, float[] bias, int biasOff,
                      float[] c, int cOff, int ldc, boolean relu);

    /**
     * {@link #gemmTile}, or with a {@code bias} {@link #gemmTileBias} (beta then unused), with A read where it
     * is rather than from a panel: row r of the tile's A is {@code a[aOff + r*lda + p]} for p < kc (a
     * row-major A, k-contiguous), and all MR rows must exist. Bit-identical to packing those rows into a
     * panel and calling {@link #gemmTile} or {@link #gemmTileBias} on it.
     */
    default void gemmTileRows(int kc, float[] a, int aOff, int lda, float[] bp, int bpOff, float alpha, float beta,
                              float[] bias, int biasOff, float[] c, int cOff, int ldc, boolean relu) {
        int mr = tileRows();
        float[] ap = new float[kc * mr]; // by the definition: the rows packed into a panel (row r, column p at p*mr + r)
        for (int r = 0; r < mr; r++) {
            for (int p = 0; p < kc; p++) ap[p * mr + r] = a[aOff + r * lda + p];
        }
        if (bias != null) gemmTileBias(kc, ap, 0, bp, bpOff, alpha, bias, biasOff, c, cOff, ldc, relu);
        else gemmTile(kc, ap, 0, bp, bpOff, alpha, beta, c, cOff, ldc);
    }

    /**
     * Whether {@link #gemmTileRows} runs at the speed of {@link #gemmTile} on panels of depth up to 512,
     * so that a GEMM may skip packing A: the 8-row vector tile does; the default packs the rows into a
     * new panel on every call.
     */
    default boolean tileReadsRows() {
        return false;
    }

    /** Returns sum of a[ao+i] * b[bo+i] for i in [0, n). */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** y[yo+i] += alpha * x[xo+i] for i in [0, n), one fused multiply-add per element. */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

    /** Returns the sum of x[xo+i] for i in [0, n). */
    float sum(float[] x, int xo, int n);

    /** out[o+i] = a[ao+i] op b[bo+i]. */
    void arith(Arith op, float[] a, int ao, float[] b, int bo, float[] out, int o, int n);

    /** out[o+i] = a[ao+i] op b. */
    void arith(Arith op, float[] a, int ao, float b, float[] out, int o, int n);

    /** out[o+i] = a op b[bo+i]. */
    void arith(Arith op, float a, float[] b, int bo, float[] out, int o, int n);

    /**
     * out[o+j] = the sum over r in [0, rows) of x[xo + r*ldx + j], for j in [0, n): each column summed in
     * float, row after row from row 0 (the order, and so the bits, of a column's running sum); 0 when rows is 0.
     */
    void columnSums(float[] x, int xo, int rows, int ldx, float[] out, int o, int n);

    /** out[o+i] = max(x[xo+i], 0), NaN propagated. */
    void relu(float[] x, int xo, float[] out, int o, int n);

    /** out[o+i] = x[xo+i] > 0 ? g[go+i] : 0. */
    void reluBackward(float[] x, int xo, float[] g, int go, float[] out, int o, int n);

    /**
     * out[o+i] = (src[s+i] & 0xFF) / divisor: unsigned bytes (8-bit pixels, say) decoded into
     * floats, one correctly rounded division each, so bit-identical in every implementation.
     */
    void unsignedBytesToFloat(byte[] src, int s, float divisor, float[] out, int o, int n);

    /**
     * out[o+i] = exp(x[xo+i]), within a few ulps of {@link Math#exp}. This and the other
     * transcendental kernels below are deterministic: an element gets the same bits whatever its
     * position in the array and whether the caller has been compiled yet (the vector
     * implementation's {@code ExpMath}), so training from a fixed seed repeats exactly.
     */
    void exp(float[] x, int xo, float[] out, int o, int n);

    /**
     * 2 x 2 max pooling over n windows: window t holds x[xo + f], x[xo + f + 1], x[xo + f + w],
     * x[xo + f + w + 1] with f = first[firstOff + t], in that order; out[o + t] is its max and
     * argmax[o + t] = f + the winner's offset (0, 1, w or w + 1). The first NaN wins, else the
     * first of equal maxima. Bit-identical in every implementation; indices must stay below 2^24.
     */
    void maxPool2x2(float[] x, int xo, int w, int[] first, int firstOff, float[] out, int o, int[] argmax, int n);

    /**
     * 2 x 2 max pooling with stride 2 over one plane of width w: output (y, q), for y < oh and
     * q < ow, is the window whose first element is x[xo + 2y*w + 2q]; it goes to
     * out[o + y*ow + q], and argmax[o + y*ow + q] receives 2y*w + 2q + the winner's offset (0, 1,
     * w or w + 1). The same winner as {@link #maxPool2x2} (the first NaN, else the first of equal
     * maxima), bit-identical in every implementation; needs 2*oh <= rows, 2*ow <= w and w < 2^24.
     */
    void maxPool2x2Stride2(float[] x, int xo, int w, int oh, int ow, float[] out, int o, int[] argmax);

    /** out[o+i] = tanh(x[xo+i]), within a few ulps of {@link Math#tanh}. */
    void tanh(float[] x, int xo, float[] out, int o, int n);

    /** out[o+i] = 1 / (1 + exp(-x[xo+i])), within a few ulps (results below 2^-126 may be 0). */
    void sigmoid(float[] x, int xo, float[] out, int o, int n);

    /**
     * out[o+i] = GELU(x[xo+i]) = x Phi(x), Phi the standard normal CDF (the exact, erf form).
     * The vector implementation evaluates erf by Abramowitz and Stegun's 7.1.26 in float (within
     * about 3e-7 absolute of the scalar reference's double-precision erf).
     */
    void gelu(float[] x, int xo, float[] out, int o, int n);

    /** out[o+i] = g[go+i] * GELU'(x[xo+i]), GELU'(x) = Phi(x) + x phi(x). */
    void geluBackward(float[] x, int xo, float[] g, int go, float[] out, int o, int n);

    /**
     * One row of layer normalisation: with mean m and biased variance v of x[xo .. xo+n),
     * r = 1 / sqrt(v + eps), writes out[o+i] = (x[xo+i] - m) r w[i] + b[i] (w, b indexed from 0;
     * either may be null for 1 and 0), stats[so] = m and stats[so+1] = r. Two passes over the
     * row (the variance from centred values).
     */
    void layerNormRow(float[] x, int xo, int n, float eps, float[] w, float[] b, float[] out, int o, float[] stats, int so);

    /**
     * The gradient of {@link #layerNormRow} for one row given its mean and r: with
     * xh = (x - m) r and d = g w, writes dx[dxo+i] = r (d_i - mean(d) - xh_i mean(d xh)), and adds
     * g xh into gw and g into gb (either may be null). w may be null (1).
     */
    void layerNormRowBackward(float[] x, int xo, float[] g, int go, int n, float mean, float rstd, float[] w,
                              float[] dx, int dxo, float[] gw, float[] gb);

    /**
     * A block of {@code rows x width} floats from rows {@code lds} apart into rows {@code ldd}
     * apart: dst[d + p*ldd + j] = src[s + p*lds + j] for p < rows, j < width. Packs GEMM panels
     * (rows of B, columns of a transposed A), where a {@link System#arraycopy} per row of 8 or
     * 32 floats costs more in the call than in the copy. Bit-identical in every implementation.
     */
    void copyBlock(float[] src, int s, int lds, int rows, int width, float[] dst, int d, int ldd);

    /**
     * Eight rows of a k-contiguous operand into a GEMM panel's interleaved order:
     * dst[d + p*8 + r] = src[s + r*lds + p] for r < 8, p < kc (an 8 x kc transpose).
     * Bit-identical in every implementation (it only moves values).
     */
    default void transposeRows8(float[] src, int s, int lds, int kc, float[] dst, int d) {
        transposeRows8(src, s, lds, kc, dst, d, 8);
    }

    /**
     * {@link #transposeRows8(float[], int, int, int, float[], int)} into a wider panel:
     * dst[d + p*ldd + r] = src[s + r*lds + p] for r < 8, p < kc, with {@code ldd >= 8}; the
     * other ldd - 8 floats of each panel row are left alone. Packs eight rows of a transposed B
     * into a GEMM panel of NR columns (ldd = NR). Bit-identical in every implementation.
     */
    void transposeRows8(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd);

    /**
     * Sixteen rows into a GEMM panel of {@code ldd >= 16} columns:
     * dst[d + p*ldd + r] = src[s + r*lds + p] for r < 16, p < kc; the other ldd - 16 floats of each
     * panel row are left alone. Packs sixteen rows of a transposed B (a linear layer's weight in its
     * forward pass) into a panel of NR columns. By default two {@link #transposeRows8} calls.
     * Bit-identical in every implementation.
     */
    default void transposeRows16(float[] src, int s, int lds, int kc, float[] dst, int d, int ldd) {
        if (ldd < 16) throw new IllegalArgumentException("transposeRows16: ldd must be >= 16, got " + ldd);
        transposeRows8(src, s, lds, kc, dst, d, ldd);
        transposeRows8(src, s + 8 * lds, lds, kc, dst, d + 8, ldd);
    }

    // ---- matrix-vector products (rows of a matrix dotted with one vector) ----------------------

    /**
     * The dot products of {@code rows} consecutive rows of a row-major matrix with one vector, the
     * matrix-vector product {@code y = alpha * W x + beta * y} (e.g. a linear layer on one sample,
     * W its (out, in) weight): with {@code s_j = sum over p < k of w[wOff + j*ldw + p] *
     * x[xo + p]}, writes {@code y[yo + j] = alpha * s_j} when {@code beta == 0} (previous content
     * ignored, even NaN), else {@code fma(y[yo + j], beta, alpha * s_j)}, for j < rows.
     *
     * <p>Each s_j is summed the same way whichever other rows share the call, so splitting the rows
     * between calls (or threads) never changes a result; implementations differ in rounding, like
     * {@link #dot}.
     */
    void dotRows(int rows, int k, float[] w, int wOff, int ldw, float[] x, int xo, float alpha, float beta, float[] y, int yo);
}
