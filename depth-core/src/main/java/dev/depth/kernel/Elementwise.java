package dev.depth.kernel;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

/**
 * Element-wise kernels over flat float ranges. Each kind's formula is written once, in the
 * switch of its loop in the {@code *Reference} methods; the switch sits outside the loop so every
 * loop is a tight, inlinable one.
 *
 * <p>{@link #unary}, {@link #unaryBackward} and {@link #binary} send the common cases
 * (arithmetic, maximum and minimum, ReLU and its gradient, exp, tanh, sigmoid, GELU and its
 * gradient) to the SIMD kernels of {@link Simd}, bit-identical to the references except exp, tanh
 * and sigmoid (within a few ulps) and GELU (within about 3e-7 absolute), and the rest to the
 * references. Arrays of at least {@link #PARALLEL_MIN} elements are split over {@link Parallel};
 * smaller ones run on the calling thread. {@code out} may be the
 * same array at the same offset as an input (in place).
 */
public final class Elementwise {
    private Elementwise() {}

    private static final FloatKernels K = Simd.kernels();
    /**
     * Elements at or above which a call is split over threads. ReLU and its gradient over arrays
     * that one core had in cache, back to back (2 cores, JDK 25, 2026-11-27; best of 8 rounds, two
     * processes each): at 65,536 elements 4.9-5.9 us on one thread and 3.3 us split, at 32,768
     * 1.9-2.8 and 1.9-2.4, at 16,384 0.8-1.1 and 1.3-1.5. In a training step half of such an array
     * is usually in the other core's cache (the GEMM that wrote it was split), which favours the
     * split further: in one probe of W2's step, its serial stretches between GEMMs fell from 236 us
     * to 152 us with the threshold at 16,384.
     */
    static final int PARALLEL_MIN = 1 << 15;
    /**
     * Whether exp, tanh and sigmoid take the SIMD kernels (which agree with the reference to a few
     * ulps, 20 to 600 times faster); the scalar kernels' versions are the reference's own loops.
     */
    private static final boolean VECTORIZED = Simd.vectorized();

    /** Runs {@code body} over [0, n) on one thread, or split in chunks when n is large. */
    private static void split(int n, Parallel.RangeBody body) {
        if (n < PARALLEL_MIN) body.run(0, n);
        else Parallel.forRange(n, PARALLEL_MIN / 2, body);
    }

    /**
     * The sums of the columns of a row-major (rows, cols) matrix at {@code x[xo]} (a linear layer's
     * bias gradient): {@code out[o + j] = sum over r of x[xo + r*cols + j]}, or, with {@code add},
     * that sum added to {@code out[o + j]}. Each column is summed row after row from row 0 (one
     * column alone in double), the order (and so the bits) of {@code sum(0)} on the same matrix,
     * with the sum complete before it is added. The columns are split over the threads from
     * {@link #PARALLEL_MIN} elements (a bias gradient was a serial stretch of W2's step: 10 us of
     * its three layers on one thread), and each range is summed by {@link FloatKernels#columnSums},
     * which keeps the running sums in registers over all the rows (W2's 128 x 512 and 128 x 256 took
     * 2.6 and 1.5 us a call on two threads that way, against 6.3 and 9.2 us summed a row at a time).
     */
    public static void columnSums(float[] x, int xo, int rows, int cols, float[] out, int o, boolean add) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("columnSums: negative size rows=" + rows + " cols=" + cols);
        if (cols == 0) return;
        if (cols == 1) { // as sum(0) over one column: in double, rounded once
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += x[xo + r];
            out[o] = add ? out[o] + (float) sum : (float) sum;
            return;
        }
        Parallel.RangeBody body = (j0, j1) -> columnSums(x, xo, rows, cols, j0, j1, out, o, add);
        if ((long) rows * cols < PARALLEL_MIN) body.run(0, cols);
        else Parallel.forRange(cols, 16, body);
    }

    /** Columns [j0, j1) of {@link #columnSums}. */
    private static void columnSums(float[] x, int xo, int rows, int cols, int j0, int j1, float[] out, int o, boolean add) {
        int w = j1 - j0;
        float[] acc = add ? new float[w] : out;
        int ao = add ? 0 : o + j0;
        K.columnSums(x, xo + j0, rows, cols, acc, ao, w);
        if (add) K.arith(FloatKernels.Arith.ADD, out, o + j0, acc, 0, out, o + j0, w);
    }

    /**
     * Sets {@code a[from, from + n)} to {@code v}; split over the threads like the other kernels
     * here, so that zeroing a gradient in place (zeroGrad(false)) writes each half of it on the core
     * whose GEMM wrote it in the backward pass (measured inside W2's step on 2 cores: zeroGrad(false)
     * 186-202 us on one thread, 91-103 us split).
     */
    public static void fill(float[] a, int from, int n, float v) {
        split(n, (i0, i1) -> java.util.Arrays.fill(a, from + i0, from + i1, v));
    }

    /** Unary functions; {@code derivative} gives d f / d x from x and y = f(x). */
    public enum Unary { NEG, EXP, LOG, SQRT, ABS, TANH, SIGMOID, RELU, GELU, GELU_TANH, SOFTPLUS, SQUARE, RECIPROCAL, RSQRT, SIN, COS }

    /** Binary functions with NumPy broadcasting handled by the caller through strides. */
    public enum Binary { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float INV_SQRT_2 = (float) (1.0 / Math.sqrt(2.0));
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    /*
     * unary, unaryBackward and binary call their range method directly below PARALLEL_MIN rather than through
     * split's lambda: the lambda captures the call's arguments, and since it escapes into Parallel.forRange on the
     * other path, C2 allocated it on every call. A broadcast op runs these once per row (ElementwiseOps.binaryInto):
     * W5's GPT allocated 877 MB of such lambdas in 60 steps (JFR's allocation samples, 2026-11-27).
     */

    /** out[o + i] = f(x[xo + i]) for i in [0, n). */
    public static void unary(Unary f, float[] x, int xo, float[] out, int o, int n) {
        if (n < PARALLEL_MIN) unaryRange(f, x, xo, out, o, 0, n);
        else Parallel.forRange(n, PARALLEL_MIN / 2, (i0, i1) -> unaryRange(f, x, xo, out, o, i0, i1));
    }

    private static void unaryRange(Unary f, float[] x, int xo, float[] out, int o, int i0, int i1) {
        int len = i1 - i0;
        switch (f) {
            case RELU -> K.relu(x, xo + i0, out, o + i0, len);
            case NEG -> K.arith(FloatKernels.Arith.MUL, x, xo + i0, -1f, out, o + i0, len);
            case SQUARE -> K.arith(FloatKernels.Arith.MUL, x, xo + i0, x, xo + i0, out, o + i0, len);
            case RECIPROCAL -> K.arith(FloatKernels.Arith.DIV, 1f, x, xo + i0, out, o + i0, len);
            case EXP -> { if (VECTORIZED) K.exp(x, xo + i0, out, o + i0, len); else unaryReference(f, x, xo + i0, out, o + i0, len); }
            case TANH -> { if (VECTORIZED) K.tanh(x, xo + i0, out, o + i0, len); else unaryReference(f, x, xo + i0, out, o + i0, len); }
            case SIGMOID -> { if (VECTORIZED) K.sigmoid(x, xo + i0, out, o + i0, len); else unaryReference(f, x, xo + i0, out, o + i0, len); }
            case GELU -> K.gelu(x, xo + i0, out, o + i0, len);
            default -> unaryReference(f, x, xo + i0, out, o + i0, len);
        }
    }

    /** The scalar definition of {@link #unary}: the reference its fast paths are tested against. */
    public static void unaryReference(Unary f, float[] x, int xo, float[] out, int o, int n) {
        switch (f) {
            case NEG -> { for (int i = 0; i < n; i++) out[o + i] = -x[xo + i]; }
            case EXP -> { for (int i = 0; i < n; i++) out[o + i] = (float) Math.exp(x[xo + i]); }
            case LOG -> { for (int i = 0; i < n; i++) out[o + i] = (float) Math.log(x[xo + i]); }
            case SQRT -> { for (int i = 0; i < n; i++) out[o + i] = (float) Math.sqrt(x[xo + i]); }
            case ABS -> { for (int i = 0; i < n; i++) out[o + i] = Math.abs(x[xo + i]); }
            case TANH -> { for (int i = 0; i < n; i++) out[o + i] = (float) Math.tanh(x[xo + i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) out[o + i] = sigmoid(x[xo + i]); }
            case RELU -> { for (int i = 0; i < n; i++) { float v = x[xo + i]; out[o + i] = v > 0f ? v : (v == v ? 0f : v); } }
            case GELU -> { for (int i = 0; i < n; i++) { float v = x[xo + i]; out[o + i] = 0.5f * v * (1f + erf(v * INV_SQRT_2)); } }
            case GELU_TANH -> { for (int i = 0; i < n; i++) { float v = x[xo + i];
                out[o + i] = 0.5f * v * (1f + (float) Math.tanh(SQRT_2_OVER_PI * (v + 0.044715f * v * v * v))); } }
            case SOFTPLUS -> { for (int i = 0; i < n; i++) out[o + i] = softplus(x[xo + i]); }
            case SQUARE -> { for (int i = 0; i < n; i++) { float v = x[xo + i]; out[o + i] = v * v; } }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) out[o + i] = 1f / x[xo + i]; }
            case RSQRT -> { for (int i = 0; i < n; i++) out[o + i] = (float) (1.0 / Math.sqrt(x[xo + i])); }
            case SIN -> { for (int i = 0; i < n; i++) out[o + i] = (float) Math.sin(x[xo + i]); }
            case COS -> { for (int i = 0; i < n; i++) out[o + i] = (float) Math.cos(x[xo + i]); }
        }
    }

    /** out[i] = g[i] * f'(x[i]) where y = f(x) is given too (some derivatives are cheaper from y). */
    public static void unaryBackward(Unary f, float[] x, float[] y, float[] g, float[] out, int n) {
        if (n < PARALLEL_MIN) unaryBackwardRange(f, x, y, g, out, 0, n);
        else Parallel.forRange(n, PARALLEL_MIN / 2, (i0, i1) -> unaryBackwardRange(f, x, y, g, out, i0, i1));
    }

    private static void unaryBackwardRange(Unary f, float[] x, float[] y, float[] g, float[] out, int i0, int i1) {
        int len = i1 - i0;
        switch (f) {
            case RELU -> K.reluBackward(x, i0, g, i0, out, i0, len);
            case EXP -> K.arith(FloatKernels.Arith.MUL, g, i0, y, i0, out, i0, len);
            case NEG -> K.arith(FloatKernels.Arith.MUL, g, i0, -1f, out, i0, len);
            case LOG -> K.arith(FloatKernels.Arith.DIV, g, i0, x, i0, out, i0, len);
            case GELU -> K.geluBackward(x, i0, g, i0, out, i0, len);
            default -> unaryBackwardReference(f, x, y, g, out, i0, i1);
        }
    }

    /** The scalar definition of {@link #unaryBackward}. */
    public static void unaryBackwardReference(Unary f, float[] x, float[] y, float[] g, float[] out, int n) {
        unaryBackwardReference(f, x, y, g, out, 0, n);
    }

    private static void unaryBackwardReference(Unary f, float[] x, float[] y, float[] g, float[] out, int from, int to) {
        switch (f) {
            case NEG -> { for (int i = from; i < to; i++) out[i] = -g[i]; }
            case EXP -> { for (int i = from; i < to; i++) out[i] = g[i] * y[i]; }
            case LOG -> { for (int i = from; i < to; i++) out[i] = g[i] / x[i]; }
            case SQRT -> { for (int i = from; i < to; i++) out[i] = g[i] * 0.5f / y[i]; }
            case ABS -> { for (int i = from; i < to; i++) out[i] = g[i] * Math.signum(x[i]); }
            case TANH -> { for (int i = from; i < to; i++) out[i] = g[i] * (1f - y[i] * y[i]); }
            case SIGMOID -> { for (int i = from; i < to; i++) out[i] = g[i] * y[i] * (1f - y[i]); }
            case RELU -> { for (int i = from; i < to; i++) out[i] = x[i] > 0f ? g[i] : 0f; }
            case GELU -> { for (int i = from; i < to; i++) { float v = x[i];
                float cdf = 0.5f * (1f + erf(v * INV_SQRT_2));
                float pdf = INV_SQRT_2PI * (float) Math.exp(-0.5f * v * v);
                out[i] = g[i] * (cdf + v * pdf); } }
            case GELU_TANH -> { for (int i = from; i < to; i++) { float v = x[i];
                float inner = SQRT_2_OVER_PI * (v + 0.044715f * v * v * v);
                float t = (float) Math.tanh(inner);
                float dInner = SQRT_2_OVER_PI * (1f + 3f * 0.044715f * v * v);
                out[i] = g[i] * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * dInner); } }
            case SOFTPLUS -> { for (int i = from; i < to; i++) out[i] = g[i] * sigmoid(x[i]); }
            case SQUARE -> { for (int i = from; i < to; i++) out[i] = g[i] * 2f * x[i]; }
            case RECIPROCAL -> { for (int i = from; i < to; i++) out[i] = -g[i] * y[i] * y[i]; }
            case RSQRT -> { for (int i = from; i < to; i++) out[i] = -0.5f * g[i] * y[i] * y[i] * y[i]; }
            case SIN -> { for (int i = from; i < to; i++) out[i] = g[i] * (float) Math.cos(x[i]); }
            case COS -> { for (int i = from; i < to; i++) out[i] = -g[i] * (float) Math.sin(x[i]); }
        }
    }

    /**
     * out[o + i*os] = f(a[ao + i*as], b[bo + i*bs]) for i in [0, n). Strides may be 0 (broadcast).
     * The common cases (both unit stride, or one of them 0) take tight loops.
     */
    public static void binary(Binary f, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int o, int n) {
        FloatKernels.Arith op = switch (f) {
            case ADD -> FloatKernels.Arith.ADD;
            case SUB -> FloatKernels.Arith.SUB;
            case MUL -> FloatKernels.Arith.MUL;
            case DIV -> FloatKernels.Arith.DIV;
            case MAXIMUM -> FloatKernels.Arith.MAX;
            case MINIMUM -> FloatKernels.Arith.MIN;
            default -> null;
        };
        if (n < PARALLEL_MIN) binaryRange(f, op, a, ao, as, b, bo, bs, out, o, 0, n);
        else Parallel.forRange(n, PARALLEL_MIN / 2, (i0, i1) -> binaryRange(f, op, a, ao, as, b, bo, bs, out, o, i0, i1));
    }

    private static void binaryRange(Binary f, FloatKernels.Arith op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int o,
                                    int i0, int i1) {
        int len = i1 - i0;
        if (op != null && as == 1 && bs == 1) K.arith(op, a, ao + i0, b, bo + i0, out, o + i0, len);
        else if (op != null && as == 1 && bs == 0) K.arith(op, a, ao + i0, b[bo], out, o + i0, len);
        else if (op != null && as == 0 && bs == 1) K.arith(op, a[ao], b, bo + i0, out, o + i0, len);
        else binaryReference(f, a, ao + i0 * as, as, b, bo + i0 * bs, bs, out, o + i0, len);
    }

    /** The scalar definition of {@link #binary}. */
    public static void binaryReference(Binary f, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int o, int n) {
        if (as == 1 && bs == 1) {
            switch (f) {
                case ADD -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] + b[bo + i]; }
                case SUB -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] - b[bo + i]; }
                case MUL -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] * b[bo + i]; }
                case DIV -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] / b[bo + i]; }
                default -> { for (int i = 0; i < n; i++) out[o + i] = apply(f, a[ao + i], b[bo + i]); }
            }
        } else if (as == 1 && bs == 0) {
            float bv = b[bo];
            switch (f) {
                case ADD -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] + bv; }
                case SUB -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] - bv; }
                case MUL -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] * bv; }
                case DIV -> { for (int i = 0; i < n; i++) out[o + i] = a[ao + i] / bv; }
                default -> { for (int i = 0; i < n; i++) out[o + i] = apply(f, a[ao + i], bv); }
            }
        } else {
            for (int i = 0; i < n; i++) out[o + i] = apply(f, a[ao + i * as], b[bo + i * bs]);
        }
    }

    /** The scalar definition of each binary function: the reference for every loop above. */
    public static float apply(Binary f, float x, float y) {
        return switch (f) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> (float) Math.pow(x, y);
            case MAXIMUM -> (x != x || y != y) ? Float.NaN : Math.max(x, y);
            case MINIMUM -> (x != x || y != y) ? Float.NaN : Math.min(x, y);
        };
    }

    public static float sigmoid(float v) {
        return v >= 0f ? 1f / (1f + (float) Math.exp(-v)) : (float) (Math.exp(v) / (1.0 + Math.exp(v)));
    }

    /** log(1 + exp(v)) without overflow; PyTorch's threshold of 20 (linear above). */
    public static float softplus(float v) {
        return v > 20f ? v : (float) Math.log1p(Math.exp(v));
    }

    /** The error function to about 1.5e-7 absolute error ({@link dev.depth.kernel.simd.ScalarFloatKernels#erf}). */
    public static float erf(float x) {
        return dev.depth.kernel.simd.ScalarFloatKernels.erf(x);
    }
}
