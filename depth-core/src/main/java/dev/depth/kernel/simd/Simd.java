package dev.depth.kernel.simd;

/**
 * Chooses the {@link FloatKernels} implementation once, at class initialisation, and never
 * throws: the Vector API implementation when the JVM has {@code jdk.incubator.vector} and a
 * vector width it knows, the scalar one otherwise (or when the system property
 * {@code depth.kernels=scalar} asks for it).
 *
 * <p>The vector implementation must also pass a small self-test against the scalar oracle before
 * it is used.
 */
public final class Simd {
    private static final String VECTOR_CLASS = "dev.depth.kernel.simd.VectorFloatKernels";
    private static final FloatKernels KERNELS;
    private static final String REASON;

    static {
        FloatKernels chosen = null;
        String reason;
        String prop = System.getProperty("depth.kernels", "auto");
        if (prop.equalsIgnoreCase("scalar")) {
            reason = "forced by -Ddepth.kernels=scalar";
        } else {
            try {
                FloatKernels v = (FloatKernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
                String problem = selfTest(v);
                if (problem == null) {
                    chosen = v;
                    reason = "";
                } else {
                    reason = "vector self-test failed: " + problem;
                }
            } catch (java.lang.reflect.InvocationTargetException e) {
                reason = String.valueOf(e.getCause());
            } catch (Throwable t) { // NoClassDefFoundError without --add-modules, IllegalAccessError, ...
                reason = t.getClass().getSimpleName() + ": " + t.getMessage()
                        + (t instanceof LinkageError ? " (run the JVM with --add-modules jdk.incubator.vector)" : "");
            }
        }
        KERNELS = chosen != null ? chosen : new ScalarFloatKernels();
        REASON = reason;
    }

    private Simd() {}

    /** The implementation in use. */
    public static FloatKernels kernels() {
        return KERNELS;
    }

    /** True when the Vector API implementation is in use. */
    public static boolean vectorized() {
        return !(KERNELS instanceof ScalarFloatKernels);
    }

    /**
     * Calls the GEMM micro-kernel of {@link #kernels()} a few thousand times on a small tile, so that
     * the JIT compiles it (see {@link WarmUp}); about half a second of one core.
     */
    public static void warmUp() {
        if (WarmUp.run(KERNELS, WarmUp.CALLS) == Float.MIN_VALUE) System.out.print(""); // keeps the results alive
    }

    /** E.g. {@code "SIMD AVX-512 (16 floats)"} or {@code "scalar fallback: <reason>"}. */
    public static String describe() {
        return vectorized() ? KERNELS.name() : "scalar fallback: " + REASON;
    }

    /** Compares a candidate with the scalar oracle on one GEMM tile and one element-wise op. */
    private static String selfTest(FloatKernels v) {
        int mr = v.tileRows(), nr = v.tileCols(), kc = 5;
        if (mr < 1 || nr < 1 || mr > 64 || nr > 256) return "tile " + mr + " x " + nr;
        var oracle = new ScalarFloatKernels(mr, nr);
        float[] ap = new float[Math.max(1 + mr * (kc + 2), 64)], bp = new float[Math.max(kc * nr, 64)];
        for (int i = 0; i < ap.length; i++) ap[i] = (i * 7 % 13) - 6.5f;
        for (int i = 0; i < bp.length; i++) bp[i] = (i * 5 % 11) * 0.25f - 1f;
        float[] c1 = new float[mr * nr + 3], c2 = new float[mr * nr + 3];
        for (int i = 0; i < c1.length; i++) c1[i] = c2[i] = i * 0.5f;
        v.gemmTile(kc, ap, 0, bp, 0, 1.5f, 0.5f, c1, 1, nr);
        oracle.gemmTile(kc, ap, 0, bp, 0, 1.5f, 0.5f, c2, 1, nr);
        if (!java.util.Arrays.equals(c1, c2)) return "gemm tile differs from the scalar oracle";
        v.gemmTileBias(kc, ap, 0, bp, 0, 1.5f, bp, 1, c1, 1, nr, false);
        oracle.gemmTileBias(kc, ap, 0, bp, 0, 1.5f, bp, 1, c2, 1, nr, false);
        if (!java.util.Arrays.equals(c1, c2)) return "gemm tile with a bias differs from the scalar oracle";
        v.gemmTileBias(kc, ap, 0, bp, 0, -1.5f, bp, 1, c1, 1, nr, true);
        oracle.gemmTileBias(kc, ap, 0, bp, 0, -1.5f, bp, 1, c2, 1, nr, true);
        if (!java.util.Arrays.equals(c1, c2)) return "gemm tile with a bias and a ReLU differs from the scalar oracle";
        v.gemmTileRows(kc, ap, 1, kc + 2, bp, 0, 1.5f, 0.5f, null, 0, c1, 1, nr, false);
        oracle.gemmTileRows(kc, ap, 1, kc + 2, bp, 0, 1.5f, 0.5f, null, 0, c2, 1, nr, false);
        if (!java.util.Arrays.equals(c1, c2)) return "gemm tile on rows of A in place differs from the scalar oracle";
        v.gemmTileRows(kc, ap, 1, kc + 2, bp, 0, -1.5f, 0f, bp, 1, c1, 1, nr, true);
        oracle.gemmTileRows(kc, ap, 1, kc + 2, bp, 0, -1.5f, 0f, bp, 1, c2, 1, nr, true);
        if (!java.util.Arrays.equals(c1, c2)) return "gemm tile on rows of A in place, with a bias and a ReLU, differs from the scalar oracle";
        float[] o1 = new float[37], o2 = new float[37];
        v.arith(FloatKernels.Arith.MUL, ap, 1, bp, 2, o1, 0, 37);
        oracle.arith(FloatKernels.Arith.MUL, ap, 1, bp, 2, o2, 0, 37);
        if (!java.util.Arrays.equals(o1, o2)) return "element-wise multiply differs from the scalar oracle";
        return null;
    }
}
