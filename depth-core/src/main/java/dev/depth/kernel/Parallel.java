package dev.depth.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool of Depth. Every multi-threaded kernel splits its work here.
 *
 * <p>The pool size defaults to the number of available processors and is changed with
 * {@link #setThreads(int)} (the CLI's {@code --threads}). Work is split into contiguous ranges
 * whose boundaries depend only on the range and the thread count, so results are bit-identical
 * for the same thread count.
 *
 * <p>Thread safety: all methods may be called from any thread; a kernel that is already running
 * inside the pool runs nested ranges inline rather than dispatching again.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(Runtime.getRuntime().availableProcessors());
    private static volatile int threads = Runtime.getRuntime().availableProcessors();

    private Parallel() {}

    /** A body over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("depth-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Sets the number of threads kernels use; {@code n >= 1}. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        threads = n;
        old.shutdown();
    }

    /** The number of threads kernels use. */
    public static int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous
     * chunks, none smaller than {@code grain} items. Runs inline when one chunk suffices, when
     * one thread is configured, or when already inside the pool.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int t = threads;
        int chunks = Math.min(t, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
            if (n > 0) body.run(0, n);
            return;
        }
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
                for (int c = 1; c < chunks; c++) {
                    final int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
                    tasks[c - 1] = ForkJoinTask.adapt(() -> body.run(from, to)).fork();
                }
                body.run(0, (int) ((long) n / chunks));
                for (int i = tasks.length - 1; i >= 0; i--) tasks[i].join();
            }
        });
    }
}
