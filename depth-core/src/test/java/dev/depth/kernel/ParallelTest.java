package dev.depth.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void theCallerRunsTheFirstChunk() {
        Parallel.setThreads(3);
        Thread caller = Thread.currentThread();
        for (int round = 0; round < 5; round++) {
            Thread[] ran = new Thread[3];
            Parallel.forRange(3, 1, (a, b) -> {
                ran[a] = Thread.currentThread();
                try {
                    Thread.sleep(30); // long enough for the caller to claim chunk 0 before a worker is free to take it
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            assertSame(caller, ran[0], "chunk 0 runs on the caller (round " + round + ")");
            for (int c = 1; c < 3; c++) assertTrue(ran[c] != null, "chunk " + c + " ran");
        }
    }

    @Test
    void everyIndexRunsExactlyOnceInContiguousChunks() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 7, 100, 1001}) {
                for (int grain : new int[] {1, 3, 1000}) {
                    var hits = new AtomicIntegerArray(n);
                    List<int[]> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
                    Parallel.forRange(n, grain, (a, b) -> {
                        ranges.add(new int[] {a, b});
                        for (int i = a; i < b; i++) hits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "n=" + n + " grain=" + grain + " i=" + i);
                    assertTrue(ranges.size() <= Math.max(1, threads), "at most one chunk per thread");
                    for (int[] r : ranges) assertTrue(r[1] - r[0] >= Math.min(n, grain) || ranges.size() == 1, "chunk below grain");
                }
            }
        }
    }

    @Test
    void exceptionsReachTheCallerAndThePoolSurvives() {
        Parallel.setThreads(2);
        var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1, (a, b) -> {
            if (a > 0) throw new IllegalStateException("chunk " + a);
        }));
        assertTrue(e.getMessage().startsWith("chunk "));
        var hits = new AtomicIntegerArray(10);
        Parallel.forRange(10, 1, (a, b) -> { for (int i = a; i < b; i++) hits.incrementAndGet(i); });
        for (int i = 0; i < 10; i++) assertEquals(1, hits.get(i));
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setThreads(2);
        var hits = new AtomicIntegerArray(40);
        Parallel.forRange(4, 1, (a, b) -> {
            for (int i = a; i < b; i++) {
                final int outer = i;
                Parallel.forRange(10, 1, (c, d) -> { for (int j = c; j < d; j++) hits.incrementAndGet(outer * 10 + j); });
            }
        });
        for (int i = 0; i < 40; i++) assertEquals(1, hits.get(i));
    }

    /** Several user threads share the pool; each still gets the single-threaded result, bit for bit. */
    @Test
    void concurrentCallersGetTheSameResults() throws Exception {
        Parallel.setThreads(2);
        int m = 150, n = 130, k = 270;
        var r = new java.util.Random(1);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat();
        float[] expected = new float[m * n];
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    float[] c = new float[m * n];
                    for (int rep = 0; rep < 5; rep++) Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                    return c;
                }));
            }
            for (var f : results) assertArrayEquals(expected, f.get());
        } finally {
            pool.shutdown();
        }
    }
}
