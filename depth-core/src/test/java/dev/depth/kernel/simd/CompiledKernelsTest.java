package dev.depth.kernel.simd;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SIMD kernels end up compiled with the Vector API's intrinsics, on whatever JDK runs the tests
 * (CI's is 17): once C2 has compiled a kernel, a call allocates nothing. Where C2 gives up on a
 * kernel's vector operations, each one runs the API's Java fallback, which allocates an object per
 * operation, and training runs some 40x slower while every result stays right: a third store in
 * {@code tile8} did that on JDK 17 (W2 at 1,300 samples/s instead of 75,000), and no other test saw
 * it. Each test calls a group of kernels in rounds until a round allocates (almost) nothing; if none
 * does within 30 s, it measures the group again in a fresh JVM ({@link #main}) and fails, naming the
 * calls that still allocate, when that one does not get there either (JDK 17's C2 compiles a kernel
 * differently from one process to the next, see {@link #assertCompiled}). A healthy JVM gets there in
 * well under a second.
 *
 * <p>It found, on JDK 17: the attention kernels' masked loads and stores, rearranges and lane-type
 * conversions never compiled (3-16 KB allocated per call; now a basic form there,
 * {@code VectorAttentionKernels.FULL_API}); on JDK 25, the masked tile of the attention product boxed
 * a vector (144 bytes per call); on both, the pooling kernels allocated scratch arrays per call.
 *
 * <p>The build runs this class in a JVM of its own (depth-core's pom), as a fresh {@code depth}
 * process would. After the other tests, which run every kernel on odd shapes and both vector widths,
 * JDK 17's C2 compiled the GEMM tiles, {@code dotRows}, the layer-norm backward and (after
 * {@code GemmTest}) {@code arith}, {@code dot} and {@code sum} with Vector API calls it could not bind
 * ("no static binding" in {@code -XX:+PrintInlining}), 0.5-12 KB allocated per call: on JDK 17 the
 * kernels' speed can depend on what else the process ran. JDK 25 passes either way.
 */
class CompiledKernelsTest {

    static {
        // The JIT advice that the CLI installs at start-up (and the fresh JVM of inFreshJvm, which initialises this
        // class, too): on JDK 25 it leaves the Vector API's own methods to C1, and the kernels must still compile
        // to intrinsics under it (C2 inlines those methods).
        dev.depth.kernel.Kernels.adviseJit();
    }

    /** Calls per measured round, and the bytes a round may allocate (a few objects, none per call). */
    private static final int ROUND = 2_000, ALLOWED_BYTES = 16 * 1024;

    private static final FloatKernels K = Simd.kernels();
    private static final int MR = K.tileRows(), NR = K.tileCols();

    @Test
    void gemmTilesAllocateNothingOnceCompiled() {
        assertCompiled("gemmTiles");
    }

    @Test
    void packingKernelsAllocateNothingOnceCompiled() {
        assertCompiled("packingKernels");
    }

    @Test
    void elementwiseKernelsAllocateNothingOnceCompiled() {
        assertCompiled("elementwiseKernels");
    }

    @Test
    void arithmeticKernelsAllocateNothingOnceCompiled() {
        assertCompiled("arithmeticKernels");
    }

    @Test
    void activationKernelsAllocateNothingOnceCompiled() {
        assertCompiled("activationKernels");
    }

    @Test
    void layerNormAndPoolingKernelsAllocateNothingOnceCompiled() {
        assertCompiled("layerNormAndPoolingKernels");
    }

    @Test
    void attentionKernelsAllocateNothingOnceCompiled() {
        assumeTrue(AttentionKernels.get() != AttentionKernels.scalar(), "the scalar attention kernels are in use");
        assertCompiled("attentionKernels");
    }

    // ---- the groups of kernel calls, each measured as one (also by main, in a fresh JVM) ----------

    static Group gemmTiles() {
        int kc = 64;
        float[] ap = ramp(kc * MR), bp = ramp(kc * NR), bias = ramp(NR), c = new float[MR * NR];
        java.util.List<Call> calls = new java.util.ArrayList<>(java.util.List.of(
                i -> { K.gemmTile(kc, ap, 0, bp, 0, 1f, 0f, c, 0, NR); return c[i % c.length]; },
                i -> { K.gemmTile(kc, ap, 0, bp, 0, 1f, 1f, c, 0, NR); return c[i % c.length]; },
                i -> { K.gemmTileBias(kc, ap, 0, bp, 0, 1f, bias, 0, c, 0, NR, false); return c[i % c.length]; },
                i -> { K.gemmTileBias(kc, ap, 0, bp, 0, -1f, bias, 0, c, 0, NR, true); return c[i % c.length]; }));
        if (K.tileReadsRows()) { // A in place (the others pack the rows into a new panel: not on the GEMM's path)
            calls.add(i -> { K.gemmTileRows(kc, ap, 0, kc, bp, 0, 1f, 0f, null, 0, c, 0, NR, false); return c[i % c.length]; });
            calls.add(i -> { K.gemmTileRows(kc, ap, 0, kc, bp, 0, 1f, 1f, null, 0, c, 0, NR, false); return c[i % c.length]; });
            calls.add(i -> { K.gemmTileRows(kc, ap, 0, kc, bp, 0, -1f, 0f, bias, 0, c, 0, NR, true); return c[i % c.length]; });
        }
        return new Group("the GEMM tiles", calls.toArray(Call[]::new));
    }

    static Group packingKernels() {
        int kc = 37, lds = 70; // odd depths: the vector loops and their scalar tails
        float[] src = ramp(40 * lds), dst = new float[kc * 40];
        return new Group("the GEMM's packing",
                i -> { K.transposeRows8(src, 1, lds, kc, dst, 0, 8); return dst[i % dst.length]; }, // A's panels
                i -> { K.transposeRows8(src, 2, lds, kc, dst, 0, NR); return dst[i % dst.length]; }, // B^T's panels
                i -> { if (NR >= 16) K.transposeRows16(src, 5, lds, kc, dst, 0, NR); return dst[i % dst.length]; }, // B^T's panels, 16 rows
                i -> { K.copyBlock(src, 3, lds, kc, NR, dst, 0, NR); return dst[i % dst.length]; }, // B's panels
                i -> { K.copyBlock(src, 4, lds, kc, 8, dst, 0, 8); return dst[i % dst.length]; }); // A^T's panels
    }

    static Group elementwiseKernels() {
        int n = 1023;
        float[] a = ramp(n), b = ramp(n), out = new float[n], w = ramp(64 * 77), y = new float[64];
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) bytes[i] = (byte) (i * 7);
        return new Group("the element-wise kernels",
                i -> { K.arith(FloatKernels.Arith.MUL, a, 0, b, 0, out, 0, n); return out[i % n]; },
                i -> { K.arith(FloatKernels.Arith.ADD, a, 0, 0.5f, out, 0, n); return out[i % n]; },
                i -> { K.relu(a, 0, out, 0, n); return out[i % n]; },
                i -> { K.reluBackward(a, 0, b, 0, out, 0, n); return out[i % n]; },
                i -> { K.columnSums(w, 0, 64, 77, y, 0, 64); return y[i % 64]; },
                i -> { K.axpy(0.25f, a, 0, out, 0, n); return out[i % n]; },
                i -> K.dot(a, 0, b, 0, n) + K.sum(a, 0, n),
                i -> { K.unsignedBytesToFloat(bytes, 0, 255f, out, 0, n); return out[i % n]; },
                i -> { K.dotRows(64, 77, w, 0, 77, a, 0, 1f, 0f, y, 0); return y[i % 64]; });
    }

    static Group arithmeticKernels() {
        int n = 1023;
        float[] a = ramp(n), b = ramp(n), out = new float[n];
        for (int i = 0; i < n; i++) b[i] += 2f; // no division by zero
        Call[] calls = new Call[3 * FloatKernels.Arith.values().length];
        int c = 0;
        for (FloatKernels.Arith op : FloatKernels.Arith.values()) {
            calls[c++] = i -> { K.arith(op, a, 0, b, 0, out, 0, n); return out[i % n]; };
            calls[c++] = i -> { K.arith(op, a, 1, 3f, out, 0, n - 1); return out[i % n]; };
            calls[c++] = i -> { K.arith(op, 3f, b, 2, out, 0, n - 2); return out[i % n]; };
        }
        return new Group("the arithmetic kernels (every op, every form)", calls);
    }

    static Group activationKernels() {
        int n = 1023;
        float[] x = ramp(n), g = ramp(n), out = new float[n];
        return new Group("the activation kernels",
                i -> { K.exp(x, 0, out, 0, n); return out[i % n]; },
                i -> { K.tanh(x, 0, out, 0, n); return out[i % n]; },
                i -> { K.sigmoid(x, 0, out, 0, n); return out[i % n]; },
                i -> { K.gelu(x, 0, out, 0, n); return out[i % n]; },
                i -> { K.geluBackward(x, 0, g, 0, out, 0, n); return out[i % n]; });
    }

    static Group layerNormAndPoolingKernels() {
        int n = 131, w = 29, rows = 30, oh = 14, ow = 14; // odd widths: the vector loops and their scalar tails
        float[] x = ramp(n), g = ramp(n), gamma = ramp(n), beta = ramp(n), out = new float[n], dx = new float[n];
        float[] gw = new float[n], gb = new float[n], stats = new float[2];
        float[] plane = ramp(rows * w), pooled = new float[oh * ow];
        int[] first = new int[oh * ow], argmax = new int[oh * ow];
        for (int y = 0; y < oh; y++) for (int q = 0; q < ow; q++) first[y * ow + q] = 2 * y * w + 2 * q;
        return new Group("the layer-norm and pooling kernels",
                i -> { K.layerNormRow(x, 0, n, 1e-5f, gamma, beta, out, 0, stats, 0); return out[i % n] + stats[1]; },
                i -> { K.layerNormRowBackward(x, 0, g, 0, n, 0.1f, 1.5f, gamma, dx, 0, gw, gb); return dx[i % n]; },
                i -> { K.maxPool2x2(plane, 0, w, first, 0, pooled, 0, argmax, oh * ow); return pooled[i % pooled.length] + argmax[i % pooled.length]; },
                i -> { K.maxPool2x2Stride2(plane, 1, w, oh, ow, pooled, 0, argmax); return pooled[i % pooled.length] + argmax[i % pooled.length]; });
    }

    static Group attentionKernels() {
        AttentionKernels at = AttentionKernels.get();
        int rows = 4, k = 33, n = 67; // a head of 33 against a block of 67 keys
        float[] a = ramp(rows * k), b = ramp(k * n), c = new float[rows * n], p = ramp(n), ds = ramp(n);
        return new Group("the attention kernels",
                i -> { at.gemm(rows, k, a, 0, k, 1, b, 0, n, n, 0.5f, false, c, 0, n); return c[i % c.length]; },
                i -> { at.gemm(rows, k, a, 0, 1, rows, b, 0, n, n, 0.5f, true, c, 0, n); return c[i % c.length]; }, // A transposed
                i -> at.max(p, 0, n) + at.dot(p, 0, ds, 0, n),
                i -> { System.arraycopy(p, 0, c, 0, n); return at.expShiftSum(c, 0, n, 1f); },
                i -> { at.softmaxGrad(p, 0, ds, 0, 0.25f, n); return ds[i % n]; });
    }

    private interface Call {
        float run(int i);
    }

    /** Kernel calls measured together; {@code what} names them in a failure. */
    record Group(String what, Call... calls) {}

    private static Group group(String name) {
        return switch (name) {
            case "gemmTiles" -> gemmTiles();
            case "packingKernels" -> packingKernels();
            case "elementwiseKernels" -> elementwiseKernels();
            case "arithmeticKernels" -> arithmeticKernels();
            case "activationKernels" -> activationKernels();
            case "layerNormAndPoolingKernels" -> layerNormAndPoolingKernels();
            case "attentionKernels" -> attentionKernels();
            default -> throw new IllegalArgumentException("no group " + name);
        };
    }

    /**
     * Fails when the group's kernels still allocate after 30 s, unless they do not in a fresh JVM. On JDK 17,
     * C2 compiled the 6-row GEMM tile's beta = 1 branch without its intrinsics in one of 21 runs on
     * 2026-11-27 (1,152 bytes per call after 30 s; the same code passed the other 20): its choices vary from
     * one process to the next. A kernel that C2 cannot compile fails in the fresh JVM too, so a second
     * process tells that apart from such a one-off, which is reported on standard error.
     */
    private static void assertCompiled(String name) {
        assumeTrue(Simd.vectorized(), "no SIMD kernels on this machine");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(), "no allocation counter");
        String failure = measure(group(name));
        if (failure == null) return;
        String again = inFreshJvm(name);
        if (again != null) fail(failure + "; in a fresh JVM: " + again);
        System.err.println("CompiledKernelsTest: " + failure + "; a fresh JVM compiled them (" + name + "), so this was C2's choice in this process");
    }

    /** The group measured by {@link #main} in a new JVM with this one's flags: null when it passed, else why not. */
    private static String inFreshJvm(String name) {
        String launcher = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of(launcher));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-javaagent") && !a.startsWith("-agentlib") && !a.startsWith("-Xrunjdwp")) command.add(a);
        }
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                CompiledKernelsTest.class.getName(), name));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "no answer within 120 s";
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return "could not start " + command + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Measures one group ({@code args[0]}) in this JVM: exit 0 when its kernels stop allocating, 1 (and why) when not. */
    public static void main(String[] args) {
        String failure = measure(group(args[0]));
        if (failure != null) {
            System.out.println(failure);
            System.exit(1);
        }
    }

    /**
     * Calls the group's kernels in rounds until a round allocates (almost) nothing: null then, else a
     * message naming the calls that still allocate, each measured alone, after 30 s.
     * Each kernel is in a small lambda of its own: one large caller that inlined all of them measured 12 bytes
     * per call on JDK 17 (presumably C2's inlining budget: the kernels allocated nothing called alone).
     */
    private static String measure(Group group) {
        Call[] calls = group.calls();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + 30_000_000_000L, lastRound = Long.MAX_VALUE;
        float sink = 0;
        while (System.nanoTime() < deadline) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUND; i++) sink += calls[i % calls.length].run(i);
            lastRound = threads.getCurrentThreadAllocatedBytes() - before;
            if (lastRound <= ALLOWED_BYTES) break;
        }
        if (Float.isNaN(sink)) return group.what() + " returned NaN";
        if (lastRound <= ALLOWED_BYTES) return null;
        StringBuilder which = new StringBuilder(); // name the calls that still allocate, each measured alone
        for (int c = 0; c < calls.length; c++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUND; i++) sink += calls[c].run(i);
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            if (bytes > ALLOWED_BYTES) which.append(which.length() == 0 ? "" : ", ").append("call ").append(c).append(": ").append(bytes / ROUND).append(" bytes per call");
        }
        return group.what() + " still allocate " + lastRound + " bytes per " + ROUND + " calls after 30 s (" + which
                + "): the JIT has not compiled their vector operations (" + Runtime.version() + ")";
    }

    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = ((i % 13) - 6) * 0.125f;
        return a;
    }
}
