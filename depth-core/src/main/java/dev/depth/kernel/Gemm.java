package dev.depth.kernel;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

/**
 * Single-precision matrix multiply on row-major float arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(X)} is X or its transpose.
 *
 * <p>Shapes: op(A) is (m, k), op(B) is (k, n), C is (m, n). {@code lda}, {@code ldb}, {@code ldc}
 * are the row strides of A, B and C as stored (for a transposed A, stored as (k, m), lda >= m).
 * When {@code beta == 0}, C is overwritten and its previous content (even NaN) is ignored.
 *
 * <p>Threading: {@link #sgemm} splits C into at most {@link Parallel#threads()} rectangular
 * blocks and never splits k, and which path a call takes depends on its shape alone, so every
 * element of C is summed in the same order whatever the thread count: results are bit-identical
 * for the same inputs. Products below {@link #PARALLEL_MIN} multiply-adds, and calls made from
 * inside a parallel region, run on the calling thread. C must not overlap A or B.
 *
 * <p>Memory: each thread that runs a packed product keeps its packing buffers (up to
 * {@code KC * (MC + 2 NC)} floats, 4.5 MiB) for reuse, and a thread that runs {@link #transposed}
 * its scratch (up to {@link #TRANSPOSED_SCRATCH_MAX} floats).
 *
 * <p>Method (after Goto and van de Geijn, "Anatomy of high-performance matrix multiplication",
 * ACM TOMS 2008): A and B are packed into panels of up to {@link #KC} rows of k, B in blocks of
 * {@link #NC} columns ({@link #columnBlock}), and a register-blocked micro-kernel
 * ({@link FloatKernels#gemmTile}) computes one MR x NR tile of C at a time, even for tiny
 * products (measured faster than unpacked loops from 8 x 8 x 8 up). A row-major A whose k blocks
 * are at most {@link #IN_PLACE_A_MAX_K} deep is read in place by the 8-row vector tile
 * ({@link FloatKernels#gemmTileRows}) instead of packed. GEMV-like shapes (m <= 2,
 * n == 1) and A B^T with few rows or few outputs skip packing; A B^T then runs as matrix-vector
 * products ({@link FloatKernels#dotRows}), split over threads by rows of B from
 * {@link #DOT_ROWS_PARALLEL_MIN} multiply-adds. {@link #linear} adds a linear layer's bias and
 * ReLU to the same paths.
 */
public final class Gemm {
    private Gemm() {}

    private static final FloatKernels K = Simd.kernels();
    private static final int MR = K.tileRows(), NR = K.tileCols();
    /**
     * The largest depth of a packed panel (the k block); k is cut into ceil(k / KC) blocks of equal
     * depth (784 in one block, 2048 in two of 1024, 3136 in four of 784: no thin last block).
     * 1024 rather than 512 (2026-11-27, two threads, JDK 25, one process alternating the settings,
     * three runs in both orders): 2048^3 2-10% faster, 1024^3 4-11%, 128x512x784 A B^T (W2's first
     * layer) 3-7%, 128x512x4096 A^T B 1-4%, the other W2, W3 and W5 shapes tried within 4% either
     * way: with fewer blocks each tile of C is loaded and stored fewer times, and each micro-kernel
     * call runs longer. 64x288x3136 A B^T (a convolution's weight gradient) lost 4-6% with blocks of
     * 1024 and a remainder of 64, and is at par with equal blocks. (512 had been 5-13% faster than
     * 256 on the same shapes.)
     */
    static final int KC = 1024;
    /** Rows of A packed at once (a multiple of MR). */
    static final int MC = MR * 16;
    /** Columns of B packed at once (a multiple of NR). */
    static final int NC = NR * Math.max(1, 512 / NR);
    /**
     * A thread's block of C with at least this many rows takes B in blocks of 2 NC columns: A is
     * packed again for every block of columns, and with many rows that costs more than B's block
     * outgrowing L2 (2048^3 4-6% faster, 1536^3 6%, 2026-11-27, in-process A/B). Shorter blocks keep
     * NC (64x3136x288, a convolution, lost 1-8% with 2 NC).
     */
    static final int WIDE_MIN_ROWS = 512;
    /**
     * C = A B^T with both stored k-contiguous is computed as dot products, without packing, when
     * m is at most this (transposing B into panels would cost more than the product)...
     */
    static final int DOT_MAX_ROWS = 4;
    /** ... or when m*n is at most this (e.g. a convolution's weight gradient: few outputs, long k). */
    static final int DOT_MAX_OUTPUTS = 512;
    /** Below this m*n*k, one thread. */
    static final long PARALLEL_MIN = 1L << 18;
    /**
     * The same for {@link #rowwise} products (few rows, e.g. inference on one sample): they read
     * every element of B once and are bound by memory, so splitting pays from smaller sizes (the
     * second layer of the W6 MLP at batch 1, 256 x 512, took 30% less time on two threads).
     */
    static final long ROWWISE_PARALLEL_MIN = 1L << 18;
    /**
     * The same for rowwise A B^T ({@link FloatKernels#dotRows}: a linear layer on a few samples).
     * Each thread then reads only its half of B, which on two cores also halves what each core's
     * cache must hold across calls.
     */
    static final long DOT_ROWS_PARALLEL_MIN = 1L << 15;

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        multiply(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, false, null, 0, null);
    }

    /**
     * A linear layer's forward pass on row-major arrays: {@code y = x W^T + bias}, then
     * {@code max(y, 0)} when {@code relu}, for x (rows, in), W (out, in) as stored by a linear layer,
     * bias (out) or null, y (rows, out). y is bit-identical to {@link #sgemm} with beta = 1 on a y
     * whose rows hold the bias, followed by a ReLU pass; but on the packed path the micro-kernel
     * adds the bias as it stores each tile ({@link FloatKernels#gemmTileBias}: no pass that copies
     * it into y, and y is not read), and the ReLU is applied to each tile as soon as it is final.
     * One row (a single sample) takes the matrix-vector path ({@link FloatKernels#dotRows}).
     */
    public static void linear(int rows, int in, int out, float[] x, int xOff, float[] w, int wOff,
                              float[] bias, int biasOff, boolean relu, float[] y, int yOff) {
        if (rows < 0 || in < 0 || out < 0) throw new IllegalArgumentException("linear: negative size rows=" + rows + " in=" + in + " out=" + out);
        multiply(false, true, rows, out, in, 1f, x, xOff, in, w, wOff, in, 0f, y, yOff, out, relu, bias, biasOff, null);
    }

    /**
     * {@link #linear} with weights packed beforehand ({@link #packWeights}): the same results, bit for bit,
     * without packing W^T on every call where the product takes the packed path (a batch of rows); the
     * other paths (one or two rows, a narrow output) read the row-major copy that {@code w} keeps.
     */
    public static void linear(int rows, PackedWeights w, float[] x, int xOff, float[] bias, int biasOff, boolean relu, float[] y, int yOff) {
        if (rows < 0) throw new IllegalArgumentException("linear: negative size rows=" + rows);
        multiply(false, true, rows, w.out, w.in, 1f, x, xOff, w.in, w.weight, 0, w.in, 0f, y, yOff, w.out, relu, bias, biasOff, w);
    }

    /**
     * A linear layer's weight W (out, in), copied and packed once into the micro-kernel's panels of
     * W^T, for products with the same weights many times over (inference). It is a snapshot: later
     * changes to the array it was made from are not seen. It holds the panels (every k block of
     * every column panel, padded to whole panels) and a row-major copy, about twice the weight's size.
     */
    public static final class PackedWeights {
        final int out, in;
        /** The k block at pc starts at pc * nPanels * NR; its panel q at that + q * kc * NR (see {@link #packB}). */
        final float[] panels;
        final float[] weight;

        private PackedWeights(int out, int in, float[] weight) {
            this.out = out;
            this.in = in;
            this.weight = weight;
            int nPanels = ceilDiv(out, NR);
            long size = (long) in * nPanels * NR;
            if (size > Integer.MAX_VALUE - 8)
                throw new IllegalArgumentException("packWeights: " + out + " x " + in + " needs " + size + " floats of panels, more than an array holds");
            panels = new float[(int) size];
            int kStep = kStep(in);
            for (int pc = 0; pc < in; pc += kStep) packB(true, weight, 0, in, pc, Math.min(kStep, in - pc), 0, out, panels, pc * nPanels * NR);
        }

        /** Rows of W: the layer's output features. */
        public int outFeatures() {
            return out;
        }

        /** Columns of W: the layer's input features. */
        public int inFeatures() {
            return in;
        }
    }

    /** Packs W (out, in), row-major at w[wOff], for {@link #linear(int, PackedWeights, float[], int, float[], int, boolean, float[], int)}. */
    public static PackedWeights packWeights(int out, int in, float[] w, int wOff) {
        if (out <= 0 || in <= 0) throw new IllegalArgumentException("packWeights: out and in must be positive, got " + out + ", " + in);
        if (wOff < 0 || (long) wOff + (long) out * in > w.length)
            throw new IllegalArgumentException("packWeights: " + out + " x " + in + " floats from offset " + wOff + " exceed the array's " + w.length);
        return new PackedWeights(out, in, java.util.Arrays.copyOfRange(w, wOff, wOff + out * in));
    }

    /** The depth of the k blocks: k cut into ceil(k / KC) equal blocks (the last may be shorter). */
    private static int kStep(int k) {
        return ceilDiv(k, ceilDiv(k, KC));
    }

    /**
     * {@link #sgemm}, then max(C, 0) over the m x n block of C when {@code relu}. With a {@code bias}
     * (n values from biasOff), C's rows start as the bias and beta must be 0: the packed path adds
     * it in the micro-kernel's store ({@link FloatKernels#gemmTileBias}), the others copy it into C
     * first and take beta = 1 (the same bits either way).
     */
    private static void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc, boolean relu, float[] bias, int biasOff, PackedWeights pw) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        if (m == 0 || n == 0) return;
        boolean rowwise = m <= 2 || (transB && !transA && (m <= DOT_MAX_ROWS || (long) m * n <= DOT_MAX_OUTPUTS));
        boolean transposed = !rowwise && efficiency(n, m) > 1.5 * efficiency(m, n);
        if (bias != null && (k == 0 || n == 1 || rowwise || transposed)) { // only the packed path adds it itself
            for (int r = 0; r < m; r++) System.arraycopy(bias, biasOff, c, cOff + r * ldc, n);
            beta = 1f;
            bias = null;
        }
        if (k == 0) {
            scale(m, n, beta, c, cOff, ldc);
            if (relu) for (int i = 0; i < m; i++) K.relu(c, cOff + i * ldc, c, cOff + i * ldc, n);
        } else if (n == 1) {
            gemv(transA, transB, m, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, relu);
        } else if (rowwise) {
            rowwise(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, relu);
        } else if (transposed) {
            transposed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, relu);
        } else {
            packed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, relu, bias, biasOff, pw);
        }
    }

    /** One-line description of the GEMM path: tile and blocking. */
    static String describe() {
        return "gemm " + MR + "x" + NR + " tile, kc=" + KC + " mc=" + MC + " nc=" + NC;
    }

    /** Scalar reference over rows {@code [r0, r1)} of C: the oracle for faster kernels. */
    public static void reference(boolean transA, boolean transB, int r0, int r1, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        float[] acc = new float[n];
        for (int i = r0; i < r1; i++) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (!transB) {
                    int bo = bOff + p * ldb;
                    for (int j = 0; j < n; j++) acc[j] += av * b[bo + j];
                } else {
                    for (int j = 0; j < n; j++) acc[j] += av * b[bOff + j * ldb + p];
                }
            }
            int co = cOff + i * ldc;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) c[co + j] = alpha * acc[j];
            } else {
                for (int j = 0; j < n; j++) c[co + j] = alpha * acc[j] + beta * c[co + j];
            }
        }
    }

    // ---- small shapes -------------------------------------------------------------------------

    /** c = alpha*acc + beta*c with beta == 0 meaning overwrite; the same rounding as the micro-kernel. */
    private static float merge(float cv, float acc, float alpha, float beta) {
        float x = alpha * acc;
        return beta == 0f ? x : Math.fma(cv, beta, x);
    }

    /** max(v, 0) with NaN propagated (as {@link FloatKernels#relu}) when {@code relu}, else v. */
    private static float reluIf(boolean relu, float v) {
        return relu ? Math.max(v, 0f) : v;
    }

    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int co = cOff + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, co, co + n, 0f);
            else for (int j = 0; j < n; j++) c[co + j] *= beta;
        }
    }

    /** n == 1: one dot product (or one axpy per k) per element of the column C. */
    private static void gemv(boolean transA, boolean transB, int m, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, boolean relu) {
        float[] x;
        int xo;
        if (transB || ldb == 1) {
            x = b;
            xo = bOff;
        } else {
            x = new float[k];
            xo = 0;
            for (int p = 0; p < k; p++) x[p] = b[bOff + p * ldb];
        }
        int grain = (long) m * k < PARALLEL_MIN ? m : 64;
        Parallel.forRange(m, grain, (i0, i1) -> {
            if (!transA) {
                for (int i = i0; i < i1; i++) {
                    int co = cOff + i * ldc;
                    c[co] = reluIf(relu, merge(c[co], K.dot(a, aOff + i * lda, x, xo, k), alpha, beta));
                }
            } else {
                float[] acc = new float[i1 - i0];
                for (int p = 0; p < k; p++) K.axpy(x[xo + p], a, aOff + p * lda + i0, acc, 0, i1 - i0);
                for (int i = i0; i < i1; i++) {
                    int co = cOff + i * ldc;
                    c[co] = reluIf(relu, merge(c[co], acc[i - i0], alpha, beta));
                }
            }
        });
    }

    /** Few rows, or few outputs: each row of C from axpys over rows of B, or dots with rows of B. */
    private static void rowwise(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float beta, float[] c, int cOff, int ldc, boolean relu) {
        boolean single = (long) m * n * k < (transB ? DOT_ROWS_PARALLEL_MIN : ROWWISE_PARALLEL_MIN);
        if (single || n >= 128 || m == 1) { // split the columns (or nothing)
            Parallel.forRange(n, single ? n : 64, (j0, j1) -> rowwise(transA, transB, 0, m, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, relu));
        } else { // few columns, e.g. a weight gradient with n = 9: split the rows
            Parallel.forRange(m, 1, (i0, i1) -> rowwise(transA, transB, i0, i1, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, relu));
        }
    }

    /** C[i0:i1, j0:j1] by {@link #rowwise}; each element is computed the same way whatever the split. */
    private static void rowwise(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, float alpha,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float beta, float[] c, int cOff, int ldc, boolean relu) {
        int w = j1 - j0;
        float[] acc = transB ? null : new float[w];
        float[] column = transA && transB ? new float[k] : null;
        for (int i = i0; i < i1; i++) {
            if (!transB) {
                java.util.Arrays.fill(acc, 0f);
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    K.axpy(av, b, bOff + p * ldb + j0, acc, 0, w);
                }
            } else { // rows j0..j1 of B dotted with row i of op(A), merged into C by the kernel
                float[] row = a;
                int ro = aOff + i * lda;
                if (transA) {
                    for (int p = 0; p < k; p++) column[p] = a[aOff + p * lda + i];
                    row = column;
                    ro = 0;
                }
                K.dotRows(w, k, b, bOff + j0 * ldb, ldb, row, ro, alpha, beta, c, cOff + i * ldc + j0);
                if (relu) K.relu(c, cOff + i * ldc + j0, c, cOff + i * ldc + j0, w);
                continue;
            }
            int co = cOff + i * ldc + j0;
            for (int j = 0; j < w; j++) c[co + j] = reluIf(relu, merge(c[co + j], acc[j], alpha, beta));
        }
    }

    // ---- packed path --------------------------------------------------------------------------

    /** Fraction of the tiles' area that is useful for an m x n C. */
    private static double efficiency(int m, int n) {
        return (double) m / (ceilDiv(m, MR) * MR) * n / (ceilDiv(n, NR) * NR);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * C^T = op(B)^T op(A)^T into a scratch (n, m), then C = alpha*that + beta*C: for shapes whose
     * n fills the tile's columns badly (e.g. n = 9 with NR = 32) but whose m fills them well.
     */
    private static void transposed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc, boolean relu) {
        // C^T goes to a per-thread scratch (packed() overwrites it: beta = 0) rather than a new array per call:
        // 4096x10x128 took 175 us per call at first and 0.8-1 ms after a few thousand calls with a fresh
        // 160 KB array each time (generational ZGC without a heap goal kept handing out new pages, each a page
        // fault), 2026-11-27.
        Buffers buf = BUFFERS.get();
        float[] t;
        if ((long) n * m <= TRANSPOSED_SCRATCH_MAX) {
            if (buf.t.length < n * m) buf.t = new float[n * m];
            t = buf.t;
        } else {
            t = new float[n * m];
        }
        packed(!transB, !transA, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, 0f, t, 0, m, false, null, 0, null);
        for (int i = 0; i < m; i++) {
            int co = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[co + j] = reluIf(relu, beta == 0f ? t[j * m + i] : Math.fma(c[co + j], beta, t[j * m + i]));
        }
    }

    private static void packed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float beta, float[] c, int cOff, int ldc, boolean relu, float[] bias, int biasOff, PackedWeights pw) {
        int mPanels = ceilDiv(m, MR), nPanels = ceilDiv(n, NR);
        int threads = (long) m * n * k < PARALLEL_MIN || Parallel.nested() ? 1 : Parallel.threads();
        int[] grid = grid(threads, mPanels, nPanels, k);
        int tm = grid[0], tn = grid[1];
        Parallel.forRange(tm * tn, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int bi = t / tn, bj = t % tn;
                int i0 = Math.min(m, (int) ((long) mPanels * bi / tm) * MR);
                int i1 = Math.min(m, (int) ((long) mPanels * (bi + 1) / tm) * MR);
                int j0 = Math.min(n, (int) ((long) nPanels * bj / tn) * NR);
                int j1 = Math.min(n, (int) ((long) nPanels * (bj + 1) / tn) * NR);
                if (i0 < i1 && j0 < j1) {
                    block(transA, transB, i0, i1, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, relu, bias, biasOff, pw);
                }
            }
        });
    }

    /**
     * The thread grid (tm row blocks x tn column blocks, tm*tn <= threads) that minimises the
     * largest block's cost: its multiply-adds plus its packing (B once, A once per block of
     * {@link #columnBlock} columns).
     */
    static int[] grid(int threads, int mPanels, int nPanels, int k) {
        int[] best = {1, 1};
        double bestCost = Double.MAX_VALUE;
        for (int tm = 1; tm <= Math.min(threads, mPanels); tm++) {
            for (int tn = 1; tm * tn <= threads && tn <= nPanels; tn++) {
                int r = ceilDiv(mPanels, tm) * MR, cl = ceilDiv(nPanels, tn) * NR;
                double rows = r, cols = cl;
                // ceilDiv, not Math.ceil: this method runs in C1's code (JitAdvice), where Math.ceil is a call
                // to StrictMath.ceil, which C2 then compiled on its own inside W2's timed steps
                double cost = rows * cols * k + 8.0 * k * (rows * ceilDiv(cl, columnBlock(r, kStep(k), cl)) + cols);
                if (cost < bestCost * 0.999) {
                    bestCost = cost;
                    best = new int[] {tm, tn};
                }
            }
        }
        return best;
    }

    /**
     * The columns of B packed at once for a thread's block of C with {@code rows} rows and {@code cols}
     * columns, over k blocks of {@code kStep}: all of them when the whole block of B is at most
     * {@link #SHALLOW_B_MAX} floats, else {@link #NC} (2 NC from {@link #WIDE_MIN_ROWS} rows).
     */
    static int columnBlock(int rows, int kStep, int cols) {
        int width = ceilDiv(cols, NR) * NR;
        if ((long) kStep * width <= SHALLOW_B_MAX) return width;
        return rows >= WIDE_MIN_ROWS ? 2 * NC : NC;
    }

    /**
     * A shallow B (short k: a weight gradient summed over a batch) up to this many floats, 512 KiB, is packed
     * in one block of columns however wide, so that A is packed once rather than once per NC columns.
     * W2's first weight gradient (512 x 784 over a batch of 128; a thread's block 256 x 784, B 128 x 800)
     * took 222-224 us instead of 228-236 (three runs, both rules alternating in one process, 2026-11-28).
     */
    static final int SHALLOW_B_MAX = 1 << 17;

    /** The largest C^T (floats) that {@link #transposed} keeps per thread for reuse: 4 MiB. */
    static final int TRANSPOSED_SCRATCH_MAX = 1 << 20;

    /** Per-thread packing buffers (and {@link #transposed}'s scratch), grown on demand. */
    private static final class Buffers {
        float[] a = new float[0], b = new float[0], t = new float[0];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * C[i0:i1, j0:j1] on one thread; i0 is a multiple of MR and j0 of NR. A bias (see {@link #multiply}) goes with the first k block.
     * With {@code pw}, op(B) is its panels (the blocks of columns start at multiples of NR, so each is a run of whole panels there).
     */
    private static void block(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc, boolean relu, float[] bias, int biasOff, PackedWeights pw) {
        Buffers buf = BUFFERS.get();
        int kStep = kStep(k); // equal k blocks of at most KC (and at most k)
        int aSize = kStep * Math.min(MC, ceilDiv(i1 - i0, MR) * MR);
        int nBlock = columnBlock(i1 - i0, kStep, j1 - j0);
        int bSize = kStep * Math.min(nBlock, ceilDiv(j1 - j0, NR) * NR);
        if (buf.a.length < aSize) buf.a = new float[aSize];
        if (pw == null && buf.b.length < bSize) buf.b = new float[bSize];
        float[] ap = buf.a, bp = pw == null ? buf.b : pw.panels;
        boolean aInPlace = !transA && kStep <= IN_PLACE_A_MAX_K && K.tileReadsRows();
        int nPanels = pw == null ? 0 : ceilDiv(pw.out, NR);
        for (int jc = j0; jc < j1; jc += nBlock) {
            int nc = Math.min(nBlock, j1 - jc);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                float betaBlock = pc == 0 ? beta : 1f;
                boolean reluTiles = relu && pc + kc == k; // the last k block: the tiles are final
                int bpOff = 0;
                if (pw == null) packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp, 0);
                else bpOff = pc * nPanels * NR + jc / NR * kc * NR;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, ap, aInPlace ? mc / MR : 0); // in place: only a short last panel
                    tiles(kc, ap, aInPlace ? a : null, aOff + ic * lda + pc, lda, bp, bpOff, mc, nc, alpha, betaBlock, pc == 0 ? bias : null,
                            biasOff + jc, c, cOff + ic * ldc + jc, ldc, reluTiles, buf.tile);
                }
            }
        }
    }

    /**
     * A row-major A whose k blocks are at most this deep is read in place by the micro-kernel
     * ({@link FloatKernels#gemmTileRows}) where it can ({@link FloatKernels#tileReadsRows}): only a last
     * panel of fewer than MR rows is packed. Packing A cost each thread a transposing pass over all its rows
     * (both threads over all of A when they split the columns); from depth 513 the in-place tile measured
     * 4-6% slower than the packed one, and A is packed.
     */
    static final int IN_PLACE_A_MAX_K = 512;

    /**
     * A block of B (kc x nc floats) above this size is not kept in L2 against every panel of A: the panels
     * of A go past each panel of B instead ({@link #tiles}). 256 Ki floats, 1 MiB, half the L2 of the Zen 5
     * measured. W2's and W3's products stay below it (W2's first layer, 784 x 256 a thread, is 200 Ki floats).
     */
    static final int B_BLOCK_IN_L2_MAX = 1 << 18;

    /**
     * The micro-kernel over an mc x nc block of C at c[co0] from packed panels (A's at ap[0], B's
     * at bp[0]). While the block of B fits in L2 ({@link #B_BLOCK_IN_L2_MAX}), for each panel of A
     * (which stays in L1), every panel of B (the other order measured 8-20% slower on 128x512x784 and
     * 64x3136x288, two threads, JDK 25, in one process alternating the two). A larger block of B (kc
     * up to 1024 by nc up to 1024 floats: 4 MiB) would be streamed from L3 for every panel of A; then
     * for each panel of B, every panel of A, so that what is streamed is A's block (MC x kc, 512 KiB)
     * from L2: W1's 1024^3 and 2048^3 3-6% faster (471-480 and 470-482 GFLOP/s against 446-458 and
     * 454-466, three alternating runs of each, 2026-11-27).
     */
    private static void tiles(int kc, float[] ap, float[] a, int ao0, int lda, float[] bp, int bpOff, int mc, int nc, float alpha, float betaBlock,
                              float[] bias, int bo0, float[] c, int co0, int ldc, boolean reluTiles, float[] tile) {
        if ((long) kc * nc <= B_BLOCK_IN_L2_MAX) {
            for (int ir = 0; ir < mc; ir += MR) {
                for (int jr = 0; jr < nc; jr += NR) tile(kc, ap, a, ao0, lda, ir, bp, bpOff, jr, mc, nc, alpha, betaBlock, bias, bo0, c, co0, ldc, reluTiles, tile);
            }
        } else {
            for (int jr = 0; jr < nc; jr += NR) {
                for (int ir = 0; ir < mc; ir += MR) tile(kc, ap, a, ao0, lda, ir, bp, bpOff, jr, mc, nc, alpha, betaBlock, bias, bo0, c, co0, ldc, reluTiles, tile);
            }
        }
    }

    /**
     * The tile at row ir and column jr of the block (see {@link #tiles}). With {@code a} (not null), the block's
     * rows of A are read in place from a[ao0] (row stride lda), except a last panel of fewer than MR rows,
     * which is packed in ap as usual.
     */
    private static void tile(int kc, float[] ap, float[] a, int ao0, int lda, int ir, float[] bp, int bpOff, int jr, int mc, int nc,
                             float alpha, float betaBlock, float[] bias, int bo0, float[] c, int co0, int ldc, boolean reluTiles, float[] tile) {
        int rows = Math.min(MR, mc - ir), apo = ir * kc;
        int cols = Math.min(NR, nc - jr), bpo = bpOff + jr * kc;
        int co = co0 + ir * ldc + jr;
        boolean inPlace = a != null && rows == MR;
        int ao = ao0 + ir * lda; // the tile's first row of A, when read in place
        boolean clamped = false;
        if (rows == MR && cols == NR) {
            if (bias != null) {
                if (inPlace) K.gemmTileRows(kc, a, ao, lda, bp, bpo, alpha, 0f, bias, bo0 + jr, c, co, ldc, reluTiles);
                else K.gemmTileBias(kc, ap, apo, bp, bpo, alpha, bias, bo0 + jr, c, co, ldc, reluTiles);
                clamped = reluTiles;
            } else if (inPlace) {
                K.gemmTileRows(kc, a, ao, lda, bp, bpo, alpha, betaBlock, null, 0, c, co, ldc, false);
            } else {
                K.gemmTile(kc, ap, apo, bp, bpo, alpha, betaBlock, c, co, ldc);
            }
        } else {
            if (inPlace) K.gemmTileRows(kc, a, ao, lda, bp, bpo, 1f, 0f, null, 0, tile, 0, NR, false);
            else K.gemmTile(kc, ap, apo, bp, bpo, 1f, 0f, tile, 0, NR);
            if (bias == null && alpha == 1f && betaBlock == 0f) {
                // C = the tile as it is (merge(c, t, 1, 0) == t): vector rows, e.g. the 16 columns left of W2's 784
                // (its first layer's dW took 4-5% longer than the same product on 768 columns with the scalar merge,
                // 1.5-4% with the copy; 2026-11-27)
                K.copyBlock(tile, 0, NR, rows, cols, c, co, ldc);
            } else for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    int ci = co + r * ldc + j;
                    // with a bias: fma(bias, 1, alpha*acc), as merge() on a C that held the bias
                    c[ci] = bias != null ? merge(bias[bo0 + jr + j], tile[r * NR + j], alpha, 1f) : merge(c[ci], tile[r * NR + j], alpha, betaBlock);
                }
            }
        }
        if (reluTiles && !clamped) for (int r = 0; r < rows; r++) K.relu(c, co + r * ldc, c, co + r * ldc, cols);
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] as column panels of NR: panel q, row p at bpOff + q*kc*NR + p*NR; zero padded. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp, int bpOff) {
        for (int q = 0; q * NR < nc; q++) {
            int w = Math.min(NR, nc - q * NR), dst = bpOff + q * kc * NR;
            // copyBlock: one SIMD copy per row of 32 floats (and of 8 for a transposed A, below) on JDK 25 rather than
            // an arraycopy call: 6% faster on 64x3136x288, 13% on 288x3136x64 (A^T B), 1-3% on W2's shapes
            // (2026-11-27, in-process A/B); older JDKs keep the arraycopy calls (VectorFloatKernels.VECTOR_COPY).
            if (!transB) {
                K.copyBlock(b, bOff + pc * ldb + jc + q * NR, ldb, kc, w, bp, dst, NR);
                zeroColumns(bp, dst, kc, w, NR);
            } else {
                int jj = 0;
                for (; jj + 16 <= w; jj += 16) K.transposeRows16(b, bOff + (jc + q * NR + jj) * ldb + pc, ldb, kc, bp, dst + jj, NR);
                for (; jj + 8 <= w; jj += 8) K.transposeRows8(b, bOff + (jc + q * NR + jj) * ldb + pc, ldb, kc, bp, dst + jj, NR);
                for (; jj < w; jj++) {
                    int src = bOff + (jc + q * NR + jj) * ldb + pc;
                    for (int p = 0; p < kc; p++) bp[dst + p * NR + jj] = b[src + p];
                }
                for (jj = w; jj < NR; jj++) {
                    for (int p = 0; p < kc; p++) bp[dst + p * NR + jj] = 0f;
                }
            }
        }
    }

    /** Zeroes columns [from, width) of the rows x width panel at p[off] (a short panel's padding). */
    private static void zeroColumns(float[] p, int off, int rows, int from, int width) {
        if (from < width) for (int r = 0; r < rows; r++) java.util.Arrays.fill(p, off + r * width + from, off + (r + 1) * width, 0f);
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] as row panels of MR: panel r, column p at r*kc*MR + p*MR; zero padded.
     * Panels before {@code fromPanel} are left as they are (read in place: see {@link #IN_PLACE_A_MAX_K}).
     */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] ap, int fromPanel) {
        for (int r = fromPanel; r * MR < mc; r++) {
            int h = Math.min(MR, mc - r * MR), dst = r * kc * MR;
            if (transA) {
                K.copyBlock(a, aOff + pc * lda + ic + r * MR, lda, kc, h, ap, dst, MR);
                zeroColumns(ap, dst, kc, h, MR);
            } else {
                int ii = 0;
                if (MR == 8 && h == 8) { // a whole panel of eight rows (MR is at most 8): the SIMD transpose
                    K.transposeRows8(a, aOff + (ic + r * MR) * lda + pc, lda, kc, ap, dst);
                    ii = 8;
                }
                for (; ii < h; ii++) {
                    int src = aOff + (ic + r * MR + ii) * lda + pc;
                    for (int p = 0; p < kc; p++) ap[dst + p * MR + ii] = a[src + p];
                }
                for (ii = h; ii < MR; ii++) {
                    for (int p = 0; p < kc; p++) ap[dst + p * MR + ii] = 0f;
                }
            }
        }
    }
}
