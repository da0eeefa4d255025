package dev.depth.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread pool of Depth. Every multi-threaded kernel splits its work here.
 *
 * <p>The pool size defaults to the number of available processors and is changed with
 * {@link #setThreads(int)} (the CLI's {@code --threads}). Work is split into contiguous ranges
 * whose boundaries depend only on the range, the grain and the thread count, so results are
 * bit-identical for the same thread count, whichever thread happens to run a range.
 *
 * <p>Thread safety: all methods may be called from any thread. One parallel region runs at a
 * time; a call made from inside a region (a nested kernel) or while another thread's region is
 * running executes the same ranges one after the other on the calling thread.
 *
 * <p>Cost: the calling thread runs the first range itself and hands the others to {@code
 * threads() - 1} workers that wait for {@link #SPIN_NANOS} after each region before they park, so
 * back-to-back kernels pay a few microseconds per region rather than a thread wake-up. Chunks
 * not yet claimed by a worker are run by the caller, so a busy machine degrades gracefully.
 *
 * <p>Between regions the first worker may run work handed to it with {@link #background} (a data
 * loader's next batch), a short piece at a time, so that what it builds costs the caller nothing
 * but the wait for a piece in progress.
 */
public final class Parallel {
    /**
     * How long an idle worker (and a caller waiting for its workers) waits before it parks: the
     * system property {@code depth.spinMicros}, default 1000 us. A training step's serial stretches
     * (autograd bookkeeping, small element-wise ops, the loss) often last more than 100 us; a worker
     * parked by then wakes 10-40 us after the next region was handed to it, and the caller has
     * meanwhile run the worker's share itself, on data in the other core's cache. Measured inside
     * W2's training step (2 cores): at 100 us the worker was parked at 35-45% of the regions and the
     * caller ran 16-25% of them alone; at 1000 us 2-7% and 2-8%, and the step was 3-7% faster. After
     * {@link #BUSY_SPIN_NANOS} an idle worker yields its core while it waits (see there). Set it
     * lower (0 parks at once) where cores are shared with other busy processes.
     */
    static final long SPIN_NANOS = Math.max(0L, Long.getLong("depth.spinMicros", 1000L)) * 1000L;
    /**
     * An idle worker spins for this long, then calls {@link Thread#yield()} until {@link #SPIN_NANOS};
     * a caller waiting for its workers does the same. Where nothing else is runnable on the core,
     * the yield returns at once and the loop still sees new work within a microsecond; where
     * something is (a JIT compiler or GC thread, or the other pool thread that the scheduler has put
     * on the same core), the yield hands the core over instead of spinning out a time slice while
     * the thread with the work waits for it. A perf trace of a loop of W2's GEMMs showed the worker
     * preempted ~300 times in 6 s by the caller itself, sharing its core, and ~270 times by ZGC's
     * director thread; 5% of the regions then ran on the caller alone.
     * 5 us rather than 50 (2026-11-27, W2 over 2 epochs, one process per run, alternating): 0.5-4% more
     * samples/s in 7 of 8 pairs; in two sets in slower hours of the machine, more in 4 of 6 pairs (one
     * equal) and in 3 of 5. W3, W4 and W5 the same.
     * 0 (yielding at once) was as fast on W2 but made W6's batch-1 latency 10% longer (12.2-12.7
     * against 11.3-11.4 us), where the worker must answer each call within microseconds. Earlier
     * (2026-11-26): spinning the whole 1,000 us was 9% slower on W2's timed steps than 50 us, which
     * was 4% faster than parking after 100 us.
     */
    static final long BUSY_SPIN_NANOS = 5_000L;

    private static final ReentrantLock REGION = new ReentrantLock();
    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static volatile Worker[] workers = startWorkers(threads - 1);

    private Parallel() {}

    /** A body over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Sets the number of threads kernels use; {@code n >= 1}. Waits for a running region to end,
     * so it must not be called from inside a kernel's body.
     */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        REGION.lock();
        try {
            if (n == threads) return;
            for (Worker w : workers) w.shutdown();
            workers = startWorkers(n - 1);
            threads = n;
        } finally {
            REGION.unlock();
        }
    }

    /** The number of threads kernels use. */
    public static int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous
     * chunks, none smaller than {@code grain} items. Runs inline when one chunk suffices. The
     * first exception thrown by any chunk is rethrown after all chunks have finished.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        Worker[] ws = workers;
        if (nested() || !REGION.tryLock()) {
            for (int c = 0; c < chunks; c++) body.run(bound(n, c, chunks), bound(n, c + 1, chunks));
            return;
        }
        try {
            ws = workers; // setThreads may have replaced them before we got the lock
            if (ws.length < chunks - 1) {
                for (int c = 0; c < chunks; c++) body.run(bound(n, c, chunks), bound(n, c + 1, chunks));
                return;
            }
            Region region = new Region(body, n, chunks, Thread.currentThread());
            for (int c = 1; c < chunks; c++) ws[c - 1].submit(region);
            region.runChunks(0);
            region.await();
        } finally {
            REGION.unlock();
        }
    }

    /**
     * Hands {@code pieces} pieces of work, run in order ({@code piece.accept(0)}, then 1, ...), to
     * the first pool worker, which runs them one at a time while it has no region to run: work that
     * the caller will need later (the next mini-batch, say) is done in the idle time between the
     * regions of the kernels it runs meanwhile. {@link Background#join()} runs the pieces no worker
     * has started, on the calling thread, waits for the one a worker may be running, and rethrows
     * the first failure; the pieces after a failed one are not run.
     *
     * <p>Each piece should be short (microseconds): a region submitted while the worker runs a
     * piece waits for the piece to end before the worker takes its chunk. Pieces run one at a time,
     * each after the previous one has finished (perhaps on another thread; each sees what the
     * previous one wrote), so piece 0 may allocate what the others fill. With one thread, or when
     * the worker still holds another unfinished job, or when called from a worker, nothing runs
     * before {@code join}.
     *
     * @param pieces at least 0
     */
    public static Background background(int pieces, java.util.function.IntConsumer piece) {
        if (pieces < 0) throw new IllegalArgumentException("Parallel.background: pieces must be >= 0, got " + pieces);
        java.util.Objects.requireNonNull(piece, "Parallel.background: piece is null");
        Background job = new Background(pieces, piece);
        Worker[] ws = workers;
        if (pieces > 0 && ws.length > 0 && !(Thread.currentThread() instanceof Worker)) ws[0].offer(job);
        return job;
    }

    /** Work handed to a pool worker by {@link #background}. */
    public static final class Background {
        private final int pieces;
        private final java.util.function.IntConsumer piece;
        /** Pieces claimed (started) so far, and finished so far: a piece is claimed only once the one before it finished. */
        private final AtomicInteger claimed = new AtomicInteger(), finished = new AtomicInteger();
        private volatile Throwable failure;
        private volatile Worker holder;
        private boolean joined;

        private Background(int pieces, java.util.function.IntConsumer piece) {
            this.pieces = pieces;
            this.piece = piece;
        }

        /** Runs the next piece if it can be claimed now (the previous one finished, no failure); false otherwise. */
        boolean runNext() {
            if (failure != null) return false;
            int i = claimed.get();
            if (i >= pieces || finished.get() != i || !claimed.compareAndSet(i, i + 1)) return false;
            try {
                piece.accept(i);
            } catch (Throwable t) {
                failure = t;
            } finally {
                finished.incrementAndGet();
            }
            return true;
        }

        /** True when no piece is running and none will: all finished, or one failed. */
        boolean settled() {
            int c = claimed.get();
            return finished.get() == c && (c == pieces || failure != null);
        }

        /**
         * Runs the pieces not yet started on this thread and waits for the one a worker may be
         * running; rethrows the first failure (an unchecked exception or error as itself, others
         * wrapped). Call it once.
         */
        public void join() {
            if (joined) throw new IllegalStateException("Parallel.Background: join was already called");
            joined = true;
            long start = System.nanoTime();
            while (!settled()) {
                if (runNext()) continue;
                if (System.nanoTime() - start < BUSY_SPIN_NANOS) Thread.onSpinWait(); // a worker runs a piece: microseconds
                else Thread.yield();
            }
            Worker w = holder;
            if (w != null) w.job.compareAndSet(this, null); // let the worker drop it (and what it holds) now
            Throwable t = failure;
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new RuntimeException(t);
        }
    }

    /** True inside a parallel region (a worker, or a caller running its chunks): a nested call runs inline. */
    static boolean nested() {
        return Thread.currentThread() instanceof Worker || REGION.isHeldByCurrentThread();
    }

    private static int bound(int n, int c, int chunks) {
        return (int) ((long) n * c / chunks);
    }

    private static Worker[] startWorkers(int count) {
        Worker[] ws = new Worker[Math.max(0, count)];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = new Worker(i);
            ws[i].start();
        }
        return ws;
    }

    /**
     * One call of {@link #forRange}: its chunks, the next one to claim, how many are still
     * running, the first failure. Chunks are claimed by whichever thread comes first (the caller
     * included), so a worker that the OS is slow to schedule delays nothing; which thread runs a
     * chunk never changes its range.
     */
    private static final class Region {
        final RangeBody body;
        final int n, chunks;
        final Thread caller;
        /** taken[c] is 1 once a thread has claimed chunk c. */
        final AtomicIntegerArray taken;
        final AtomicInteger pending;
        volatile Throwable failure;

        Region(RangeBody body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
            this.taken = new AtomicIntegerArray(chunks);
            this.pending = new AtomicInteger(chunks);
        }

        /**
         * Runs chunk {@code own} if nobody has claimed it, then any chunk still unclaimed. The
         * caller owns chunk 0 and worker i chunk i + 1, so the same thread runs the same share of
         * every region with the same split: a weight's half that one core's backward GEMM wrote
         * is the half that core's Adam update reads, and no cache lines cross between the cores.
         */
        void runChunks(int own) {
            if (own < chunks && taken.compareAndSet(own, 0, 1)) run(own);
            for (int c = 0; c < chunks; c++) if (taken.get(c) == 0 && taken.compareAndSet(c, 0, 1)) run(c);
        }

        private void run(int c) {
            try {
                body.run(bound(n, c, chunks), bound(n, c + 1, chunks));
            } catch (Throwable t) {
                if (failure == null) failure = t;
            } finally {
                if (pending.decrementAndGet() == 0 && Thread.currentThread() != caller) LockSupport.unpark(caller);
            }
        }

        void await() {
            long start = System.nanoTime();
            while (pending.get() > 0) {
                long waited = System.nanoTime() - start;
                if (waited < Math.min(BUSY_SPIN_NANOS, SPIN_NANOS)) Thread.onSpinWait();
                else if (waited < SPIN_NANOS) Thread.yield();
                else LockSupport.parkNanos(this, 50_000L);
            }
            Throwable t = failure;
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new RuntimeException(t);
        }
    }

    /** A daemon thread that runs one chunk at a time, spinning briefly between chunks. */
    private static final class Worker extends Thread {
        private final java.util.concurrent.atomic.AtomicReference<Region> slot = new java.util.concurrent.atomic.AtomicReference<>();
        /** Background work run between regions (see {@link Parallel#background}), or null. */
        private final java.util.concurrent.atomic.AtomicReference<Background> job = new java.util.concurrent.atomic.AtomicReference<>();
        private final int own; // the chunk of every region that this worker runs first: its index + 1
        private volatile boolean stopped;

        Worker(int index) {
            super("depth-worker-" + index);
            this.own = index + 1;
            setDaemon(true);
        }

        void submit(Region r) {
            slot.set(r);
            LockSupport.unpark(this);
        }

        /** Takes a background job unless an unfinished one is held; wakes the worker if parked. */
        void offer(Background b) {
            Background old = job.get();
            if ((old == null || old.settled()) && job.compareAndSet(old, b)) {
                b.holder = this;
                LockSupport.unpark(this);
            }
        }

        void shutdown() {
            stopped = true;
            LockSupport.unpark(this);
        }

        /*
         * The loop calls poll() once per turn rather than holding its body: a loop that runs once per thread is
         * compiled only by on-stack replacement, which the JIT reached 70-220 ms into W2's timed steps (its
         * interpreted turns until then, and C1's work on it there); a method called on every turn of an idle
         * worker's spin is compiled within its first idle millisecond.
         */
        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (!stopped) idleSince = poll(idleSince);
        }

        /** One turn: runs a region's chunks, or a background piece, or waits a little; returns the new idle start. */
        private long poll(long idleSince) {
            Region r = slot.get() == null ? null : slot.getAndSet(null);
            Background b;
            if (r != null) {
                r.runChunks(own);
                return System.nanoTime();
            }
            if ((b = job.get()) != null && b.runNext()) return System.nanoTime(); // one piece, then look for a region again
            if (b != null && b.settled()) job.compareAndSet(b, null);
            long idle = System.nanoTime() - idleSince;
            if (idle < Math.min(BUSY_SPIN_NANOS, SPIN_NANOS)) Thread.onSpinWait();
            else if (idle < SPIN_NANOS) Thread.yield(); // a compiler, GC or loader thread waiting for this core gets it
            else LockSupport.park(this);
            return idleSince;
        }
    }
}
