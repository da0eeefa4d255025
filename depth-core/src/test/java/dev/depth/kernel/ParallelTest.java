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
    void backgroundPiecesRunOnceInOrderOnAnIdleWorker() throws Exception {
        Parallel.setThreads(2);
        int pieces = 40;
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread[] ran = new Thread[pieces];
        Parallel.Background job = Parallel.background(pieces, i -> {
            order.add(i);
            ran[i] = Thread.currentThread();
        });
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (order.size() < pieces && System.nanoTime() < deadline) Thread.sleep(1); // the caller is idle: the worker has time
        job.join();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < pieces; i++) expected.add(i);
        assertEquals(expected, order, "each piece once, in order");
        for (Thread t : ran) assertTrue(t != Thread.currentThread() && t.getName().startsWith("depth-worker"), "ran on " + t);
        assertThrows(IllegalStateException.class, job::join, "a second join");
    }

    @Test
    void joinRunsThePiecesLeftAndSeesWhatEachWrote() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int round = 0; round < 200; round++) {
                int[][] box = new int[1][];
                int pieces = 1 + round % 9;
                // piece 0 allocates what the others fill: each must see the writes of the one before
                Parallel.Background job = Parallel.background(pieces, i -> {
                    if (i == 0) box[0] = new int[pieces];
                    else box[0][i] = box[0][i - 1] + i;
                });
                if (round % 2 == 0) Parallel.forRange(1000, 1, (a, b) -> { }); // a region between: the worker takes it first
                job.join();
                for (int i = 1; i < pieces; i++) assertEquals(i * (i + 1) / 2, box[0][i], "threads=" + threads + " round=" + round + " piece=" + i);
            }
            Parallel.background(0, i -> { throw new AssertionError("no pieces"); }).join();
        }
    }

    @Test
    void aFailedPieceStopsTheRestAndJoinRethrowsIt() {
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            var after = new java.util.concurrent.atomic.AtomicInteger();
            Parallel.Background job = Parallel.background(6, i -> {
                if (i == 2) throw new IndexOutOfBoundsException("piece 2");
                if (i > 2) after.incrementAndGet();
            });
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, job::join);
            assertEquals("piece 2", e.getMessage());
            assertEquals(0, after.get(), "pieces after the failed one ran");
            Parallel.Background checked = Parallel.background(1, i -> { throw new java.io.UncheckedIOException(new java.io.IOException("disk")); });
            assertThrows(java.io.UncheckedIOException.class, checked::join);
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.background(-1, i -> { }));
    }

    @Test
    void aBusyWorkerLeavesASecondJobToItsJoin() throws InterruptedException {
        Parallel.setThreads(2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Parallel.Background slow = Parallel.background(2, i -> {
            if (i == 0) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }
        });
        Thread[] ran = new Thread[1];
        try {
            assertTrue(started.await(5, java.util.concurrent.TimeUnit.SECONDS), "the worker took the first job");
            Parallel.Background second = Parallel.background(1, i -> ran[0] = Thread.currentThread());
            second.join();
            assertSame(Thread.currentThread(), ran[0], "the second job ran on the caller");
        } finally {
            release.countDown();
        }
        slow.join();
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
