package dev.depth.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Kernels#describe()} and the scalar fallback, in child JVMs started without the Vector API. */
class KernelsTest {

    @Test
    void describesKernelsAndThreads() {
        String d = Kernels.describe();
        assertTrue(d.endsWith(Parallel.threads() + (Parallel.threads() == 1 ? " thread" : " threads")), d);
        assertTrue(d.startsWith("SIMD ") || d.startsWith("scalar fallback: "), d);
    }

    @Test
    void theWarmUpStartsOnceAndCanBeAwaited() throws Exception {
        Thread first = Kernels.warmUpInBackground();
        assertNull(Kernels.warmUpInBackground(), "a second call starts nothing");
        boolean expected = Kernels.vectorized() && Runtime.getRuntime().availableProcessors() >= 2
                && !"false".equalsIgnoreCase(System.getProperty("depth.warmUp"));
        assertEquals(expected, first != null);
        Kernels.awaitWarmUp();
        if (first != null) {
            assertTrue(first.isDaemon());
            assertFalse(first.isAlive());
        }
    }

    @Test
    void anotherWarmUpRunsOnADaemonThreadAndIsAwaited() {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = Kernels.warmUpInBackground("test-warm-up", () -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.set(true);
        });
        boolean expected = Runtime.getRuntime().availableProcessors() >= 2 && !"false".equalsIgnoreCase(System.getProperty("depth.warmUp"));
        assertEquals(expected, t != null);
        Kernels.awaitWarmUp();
        if (t != null) {
            assertEquals("test-warm-up", t.getName());
            assertTrue(t.isDaemon());
            assertTrue(done.get(), "awaitWarmUp returned before the task ended");
        }
    }

    @Test
    void withoutTheIncubatorModuleDepthFallsBackToScalarAndStillComputes() throws Exception {
        String out = runChild(List.of());
        assertTrue(out.contains("scalar fallback: "), out);
        assertTrue(out.contains("add-modules"), "the reason should say how to enable SIMD: " + out);
        assertTrue(out.contains("OK"), out);
    }

    @Test
    void systemPropertyForcesScalar() throws Exception {
        String out = runChild(List.of("--add-modules", "jdk.incubator.vector", "-Ddepth.kernels=scalar"));
        assertTrue(out.contains("scalar fallback: forced by -Ddepth.kernels=scalar"), out);
        assertTrue(out.contains("OK"), out);
    }

    private static String runChild(List<String> jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** Prints the kernel description, then checks a GEMM, a convolution and ReLU against references. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println(Kernels.describe());
            var r = new java.util.Random(1);
            int m = 37, n = 45, k = 300;
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], ref = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
            Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            Gemm.reference(false, false, 0, m, n, k, 1f, a, 0, k, b, 0, n, 0f, ref, 0, n);
            for (int i = 0; i < c.length; i++) if (Math.abs(c[i] - ref[i]) > 1e-4f) throw new AssertionError("gemm at " + i);
            float[] y = new float[a.length], yRef = new float[a.length];
            Elementwise.unary(Elementwise.Unary.RELU, a, 0, y, 0, a.length);
            Elementwise.unaryReference(Elementwise.Unary.RELU, a, 0, yRef, 0, a.length);
            if (!java.util.Arrays.equals(y, yRef)) throw new AssertionError("relu");
            var g = new Conv2dKernels.Geometry(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            float[] x = java.util.Arrays.copyOf(b, 2 * 3 * 64), w = java.util.Arrays.copyOf(a, 4 * 27), out = new float[2 * 4 * 64];
            Conv2dKernels.forward(g, x, w, null, out);
            float[] col = new float[27 * 64], outRef = new float[4 * 64];
            Conv2dKernels.im2col(g, x, 0, 0, 3, col);
            Gemm.reference(false, false, 0, 4, 64, 27, 1f, w, 0, 27, col, 0, 64, 0f, outRef, 0, 64);
            for (int i = 0; i < outRef.length; i++) if (Math.abs(out[i] - outRef[i]) > 1e-4f) throw new AssertionError("conv at " + i);
            System.out.println("OK");
        }
    }
}
