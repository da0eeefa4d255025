package dev.depth.data;

import dev.depth.kernel.Parallel;
import dev.depth.tensor.Tensor;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Cuts a dataset into mini-batches, epoch after epoch, assembling the next batches on a background
 * thread while the training step runs.
 *
 * <pre>{@code
 * var loader = DataLoader.builder(train).batchSize(64).shuffle(seed).build();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (Batch batch : loader) {          // each for-each loop is the next epoch
 *         Tensor loss = F.crossEntropy(model.forward(batch.x()), batch.y());
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p><b>Order.</b> A {@link Sampler} gives each epoch's indices ({@link Sampler#sequential} by
 * default; {@link Builder#shuffle(long)} uses {@link Sampler#random}); consecutive runs of
 * {@link Builder#batchSize(int) batchSize} indices form the batches. The last batch of an epoch is
 * smaller when the batch size does not divide the epoch, or dropped with
 * {@link Builder#dropLast(boolean)}. Each call of {@link #iterator()} starts the next epoch
 * (0, 1, 2, ...; see {@link #epoch()}); {@link #iterator(int)} runs a given epoch without moving
 * the counter. Epoch {@code e}'s batches depend only on the sampler and {@code e}.
 *
 * <p><b>Assembly.</b> From a {@link TensorDataset} a batch is copied row by row with
 * {@link System#arraycopy}, or decoded row by row from byte features
 * ({@link TensorDataset#batch(int[], int, int)}); from any other
 * {@code Dataset<Example>}, the examples are fetched with {@link Dataset#get(int)} and their
 * elements copied into one array per tensor (all examples must have the same shapes). Batches are
 * fresh contiguous tensors: x (batch, feature dims...), y (batch, target dims...).
 *
 * <p><b>Prefetch.</b> With {@link Builder#prefetch(int) prefetch} {@code k > 0} each iterator
 * starts one daemon thread that assembles batches into a queue of at most {@code k} batches, so at
 * most {@code k + 1} batches exist ahead of the consumer. By default an iterator prefetches
 * {@value #DEFAULT_PREFETCH} batches, except from a {@link TensorDataset} (in memory) while the
 * kernels' threads ({@link Parallel#threads()}) take every core: a loader thread then only takes
 * time from them, and the batch is gathered on the consumer thread instead, split over those
 * threads. (W2, the MLP on Fashion-MNIST at batch 128 on 2 cores: 4.7% more samples/s in steady
 * state than with a loader thread, which ran mostly while the training thread waited for it;
 * 2026-11-27.) There, from the second batch on, each batch is built while the caller trains on
 * the one before: handed to the first pool worker ({@link Parallel#background}) in pieces of 16
 * examples that it runs between the regions of the caller's kernels, in the time it would
 * otherwise wait for the next one (W2 over 5 epochs on 2 cores: 2-4% more samples/s in 5 of 5
 * alternating pairs than gathering each batch when it is asked for, and epochs 2-5 1-7% shorter;
 * 2026-11-27). What the caller then asks for is ready, or it finishes the pieces left. Every
 * batch holds the same values either way, and an exception thrown while building one comes from
 * the iterator's {@code hasNext}/{@code next} for that batch, as when it is built there. An
 * exception thrown on a prefetch thread is rethrown by the iterator's {@code hasNext}/{@code next}
 * in the consumer thread (unchecked exceptions as themselves, with a suppressed note; others
 * wrapped). The thread ends when the epoch is done, when the iterator is
 * {@link BatchIterator#close() closed}, or, if an iterator is abandoned without closing (a
 * {@code break} out of a for-each loop), once the iterator is garbage collected; so abandoning an
 * iterator does not leak a blocked thread, though closing it frees the thread at once. With
 * {@code prefetch(0)} batches are assembled in the consumer thread and no thread is started.
 *
 * <p>Thread safety: the loader's configuration is immutable and the epoch counter is atomic, so
 * several threads may call {@link #iterator()}; each iterator must be used by one thread.
 */
public final class DataLoader implements Iterable<Batch> {
    /** Examples per batch unless {@link Builder#batchSize(int)} says otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** Batches assembled ahead of the consumer when a thread does it, unless {@link Builder#prefetch(int)} says otherwise. */
    public static final int DEFAULT_PREFETCH = 2;
    /** The builder's prefetch when none was set: decided per iterator (see "Prefetch" above). */
    private static final int AUTO = -1;
    /** Whether an epoch's last, smaller batch is dropped unless {@link Builder#dropLast(boolean)} says otherwise. */
    public static final boolean DEFAULT_DROP_LAST = false;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final Dataset<Example> dataset;
    private final Sampler sampler;
    private final int batchSize;
    private final boolean dropLast;
    private final int prefetch;
    private final AtomicInteger nextEpoch = new AtomicInteger();

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.sampler = b.sampler != null ? b.sampler : Sampler.sequential(b.dataset.size());
        this.batchSize = b.batchSize;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
    }

    /** A builder over {@code dataset} with the defaults above: sequential order, no shuffling. */
    public static Builder builder(Dataset<Example> dataset) {
        return new Builder(dataset);
    }

    /** A loader with batch size {@code batchSize} and every other setting at its default. */
    public static DataLoader of(Dataset<Example> dataset, int batchSize) {
        return builder(dataset).batchSize(batchSize).build();
    }

    /**
     * Configures a {@link DataLoader}. Not thread safe; {@link #build()} copies the settings, so a
     * builder may be reused.
     */
    public static final class Builder {
        private final Dataset<Example> dataset;
        private Sampler sampler;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private boolean dropLast = DEFAULT_DROP_LAST;
        private int prefetch = AUTO;

        private Builder(Dataset<Example> dataset) {
            this.dataset = Objects.requireNonNull(dataset, "DataLoader: dataset is null");
        }

        /** Examples per batch, at least 1; default {@value DataLoader#DEFAULT_BATCH_SIZE}. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** Shuffles every epoch with {@link Sampler#random(int, long) Sampler.random(size, seed)}. */
        public Builder shuffle(long seed) {
            this.sampler = Sampler.random(dataset.size(), seed);
            return this;
        }

        /** The order of each epoch (replaces {@link #shuffle(long)}); default sequential. */
        public Builder sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "DataLoader: sampler is null");
            return this;
        }

        /** Drops each epoch's last batch when it is smaller than the batch size; default {@value DataLoader#DEFAULT_DROP_LAST}. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Batches assembled ahead on a background thread, 0 for none (no thread); by default
         * {@value DataLoader#DEFAULT_PREFETCH}, or 0 for an in-memory dataset while the kernels'
         * threads take every core (see the class documentation).
         */
        public Builder prefetch(int batches) {
            if (batches < 0) throw new IllegalArgumentException("DataLoader: prefetch must be >= 0 batches, got " + batches);
            this.prefetch = batches;
            return this;
        }

        /** A loader with these settings. */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    /** The dataset batches are drawn from. */
    public Dataset<Example> dataset() {
        return dataset;
    }

    /** The sampler that orders each epoch. */
    public Sampler sampler() {
        return sampler;
    }

    /** Examples per batch (the last batch of an epoch may be smaller unless {@link #dropLast()}). */
    public int batchSize() {
        return batchSize;
    }

    /** Whether an epoch's smaller last batch is dropped. */
    public boolean dropLast() {
        return dropLast;
    }

    /** Batches an iterator started now assembles ahead on a prefetch thread (0: no thread). */
    public int prefetch() {
        if (prefetch != AUTO) return prefetch;
        return dataset instanceof TensorDataset && Parallel.threads() >= Runtime.getRuntime().availableProcessors() ? 0 : DEFAULT_PREFETCH;
    }

    /** The epoch that the next {@link #iterator()} call will run. */
    public int epoch() {
        return nextEpoch.get();
    }

    /** Sets the epoch that the next {@link #iterator()} call will run (to resume training). */
    public void setEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader.setEpoch: epoch must be >= 0, got " + epoch);
        nextEpoch.set(epoch);
    }

    /** The number of batches of the next epoch ({@link #epoch()}). */
    public int numBatches() {
        return numBatches(nextEpoch.get());
    }

    /** The number of batches of epoch {@code epoch}: the sampler's length divided by the batch size, rounded up (down with drop-last). */
    public int numBatches(int epoch) {
        int n = sampler.length(epoch);
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** PyTorch's name for {@link #numBatches()}. */
    public int len() {
        return numBatches();
    }

    /** Starts the next epoch ({@link #epoch()}, then advances the counter). */
    @Override
    public BatchIterator iterator() {
        return iterator(nextEpoch.getAndIncrement());
    }

    /** Runs epoch {@code epoch}, leaving the epoch counter as it is. */
    public BatchIterator iterator(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader.iterator: epoch must be >= 0, got " + epoch);
        int[] order = sampler.indices(epoch);
        int batches = dropLast ? order.length / batchSize : (order.length + batchSize - 1) / batchSize;
        int ahead = prefetch();
        // on the consumer thread a tensor batch may be split over the kernels' threads; a prefetch thread must not
        // take them (a region it held would make the training thread's kernels run on one thread)
        IntFunction<Batch> assemble = k -> assemble(order, k * batchSize, Math.min(order.length, (k + 1) * batchSize), ahead == 0);
        if (ahead != 0) return new BatchIterator(batches, assemble, ahead, epoch);
        IntFunction<TensorDataset.Assembly> inPieces = dataset instanceof TensorDataset td && Parallel.threads() > 1
                ? k -> td.assembly(order, k * batchSize, Math.min(order.length, (k + 1) * batchSize)) : null;
        return new BatchIterator(batches, assemble, inPieces);
    }

    private Batch assemble(int[] order, int from, int to, boolean split) {
        if (dataset instanceof TensorDataset td) return td.batch(order, from, to, split);
        return stack(dataset, order, from, to);
    }

    /** Batches examples from a general dataset: one element copy per example and tensor. */
    static Batch stack(Dataset<Example> dataset, int[] order, int from, int to) {
        int count = to - from;
        Example first = dataset.get(order[from]);
        int[] xShape = first.x().shape(), yShape = first.y().shape();
        int xRow = first.x().numel(), yRow = first.y().numel();
        float[] x = new float[Math.multiplyExact(count, xRow)];
        float[] y = new float[Math.multiplyExact(count, yRow)];
        for (int k = 0; k < count; k++) {
            Example e = k == 0 ? first : dataset.get(order[from + k]);
            if (!Arrays.equals(e.x().shape(), xShape) || !Arrays.equals(e.y().shape(), yShape))
                throw new IllegalArgumentException("DataLoader: example " + order[from + k] + " has x " + Arrays.toString(e.x().shape())
                        + " and y " + Arrays.toString(e.y().shape()) + ", but example " + order[from] + " of the same batch has x "
                        + Arrays.toString(xShape) + " and y " + Arrays.toString(yShape) + "; a batch needs equal shapes");
            copyInto(e.x(), x, k * xRow);
            copyInto(e.y(), y, k * yRow);
        }
        return new Batch(Tensor.wrap(x, TensorDataset.withFirst(count, xShape)), Tensor.wrap(y, TensorDataset.withFirst(count, yShape)));
    }

    private static void copyInto(Tensor t, float[] out, int at) {
        if (t.isContiguous()) System.arraycopy(t.storage(), t.offset(), out, at, t.numel());
        else System.arraycopy(t.toFloatArray(), 0, out, at, t.numel());
    }

    @Override
    public String toString() {
        return "DataLoader(size=" + dataset.size() + ", batchSize=" + batchSize + ", sampler=" + sampler
                + ", dropLast=" + dropLast + ", prefetch=" + (prefetch == AUTO ? "auto (" + prefetch() + ")" : prefetch) + ")";
    }

    /**
     * The batches of one epoch. Use it from one thread. {@link #close()} stops the prefetch thread
     * early (idempotent; iterating to the end closes it too); after closing, {@link #hasNext()} is
     * false.
     */
    public static final class BatchIterator implements Iterator<Batch>, AutoCloseable {
        private final int batches;
        private final IntFunction<Batch> assemble; // only without prefetch
        /** Without prefetch, from a TensorDataset on several threads: batch k built in pieces by an idle pool worker. */
        private final IntFunction<TensorDataset.Assembly> inPieces;
        private final Prefetcher prefetcher; // null without prefetch
        private final Cleaner.Cleanable cleanable;
        private int delivered;
        private Batch pending;
        private boolean finished;
        private TensorDataset.Assembly ahead; // the next batch (number delivered), being built in the background, or null
        private Parallel.Background aheadJob;

        private BatchIterator(int batches, IntFunction<Batch> assemble, IntFunction<TensorDataset.Assembly> inPieces) {
            this.batches = batches;
            this.assemble = assemble;
            this.inPieces = inPieces;
            this.prefetcher = null;
            this.cleanable = null;
        }

        private BatchIterator(int batches, IntFunction<Batch> assemble, int capacity, int epoch) {
            this.batches = batches;
            this.assemble = null;
            this.inPieces = null;
            this.prefetcher = new Prefetcher(batches, assemble, capacity, epoch);
            // The prefetcher must not reference this iterator, or it would never become unreachable.
            this.cleanable = CLEANER.register(this, prefetcher::stop);
            prefetcher.thread.start();
        }

        /** The number of batches this epoch yields in all. */
        public int numBatches() {
            return batches;
        }

        @Override
        public boolean hasNext() {
            if (pending != null) return true;
            if (finished) return false;
            if (prefetcher == null) {
                if (delivered == batches) {
                    finished = true;
                    return false;
                }
                if (aheadJob != null) {
                    Parallel.Background job = aheadJob;
                    TensorDataset.Assembly a = ahead;
                    aheadJob = null;
                    ahead = null;
                    job.join(); // rethrows what building it threw, as assembling it here would have
                    pending = a.batch();
                } else {
                    pending = assemble.apply(delivered);
                }
                return true;
            }
            Object item;
            try {
                item = prefetcher.queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("DataLoader: interrupted while waiting for batch " + delivered + " of " + batches, e);
            }
            if (item == Prefetcher.END) {
                close();
                return false;
            }
            if (item instanceof Failure f) {
                close();
                throw rethrow(f.error, delivered, batches);
            }
            pending = (Batch) item;
            return true;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: all " + batches + " batches of this epoch were delivered");
            Batch b = pending;
            pending = null;
            delivered++;
            if (inPieces != null && delivered < batches) { // the next batch, built while the caller trains on this one
                ahead = inPieces.apply(delivered);
                aheadJob = Parallel.background(ahead.pieces(), ahead);
            }
            return b;
        }

        /** Stops the prefetch thread (if any) and discards the batches assembled ahead. Idempotent. */
        @Override
        public void close() {
            finished = true;
            pending = null;
            ahead = null; // a worker may still finish building it; nobody will read it
            aheadJob = null;
            if (cleanable != null) cleanable.clean();
        }

        /** The prefetch thread, or null without prefetch (for tests). */
        Thread producerThread() {
            return prefetcher == null ? null : prefetcher.thread;
        }

        private static RuntimeException rethrow(Throwable error, int batch, int batches) {
            String note = "rethrown by DataLoader in the consumer thread: the prefetch thread failed while assembling batch "
                    + batch + " of " + batches;
            if (error instanceof RuntimeException re) {
                re.addSuppressed(new RuntimeException(note));
                return re;
            }
            if (error instanceof Error err) {
                err.addSuppressed(new RuntimeException(note));
                throw err;
            }
            return new IllegalStateException(note + ": " + error, error);
        }
    }

    private record Failure(Throwable error) {}

    /** The producer: state shared by the iterator and the prefetch thread, never the iterator itself. */
    private static final class Prefetcher implements Runnable {
        static final Object END = new Object();

        final BlockingQueue<Object> queue;
        final Thread thread;
        private final int batches;
        private final IntFunction<Batch> assemble;
        private volatile boolean stopped;

        Prefetcher(int batches, IntFunction<Batch> assemble, int capacity, int epoch) {
            this.batches = batches;
            this.assemble = assemble;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.thread = new Thread(this, "depth-dataloader-" + THREAD_IDS.incrementAndGet() + "-epoch-" + epoch);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                for (int k = 0; k < batches && !stopped; k++) queue.put(assemble.apply(k));
                if (!stopped) queue.put(END);
            } catch (InterruptedException e) {
                // stop() interrupted us: the consumer is gone, nothing to report.
            } catch (Throwable t) {
                if (stopped) return;
                try {
                    queue.put(new Failure(t));
                } catch (InterruptedException ignored) {
                    // stopped while reporting: nobody is listening.
                }
            }
        }

        /** Called once, by close() or by the cleaner after the iterator became unreachable. */
        void stop() {
            stopped = true;
            thread.interrupt();
            queue.clear();
        }
    }
}
