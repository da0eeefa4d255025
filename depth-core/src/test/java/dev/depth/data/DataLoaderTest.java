package dev.depth.data;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class DataLoaderTest {

    /** n examples: x row i = (i, i + 0.5, -i), y = i. */
    static TensorDataset numbered(int n) {
        float[] x = new float[n * 3], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[3 * i] = i;
            x[3 * i + 1] = i + 0.5f;
            x[3 * i + 2] = -i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.wrap(x, n, 3), Tensor.wrap(y, n));
    }

    /** The y values of each batch, checking x against y on the way. */
    static List<int[]> epoch(Iterable<Batch> batches) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : batches) {
            assertTrue(b.x().isContiguous() && b.y().isContiguous());
            int[] ys = new int[b.size()];
            for (int k = 0; k < b.size(); k++) {
                ys[k] = (int) b.y().get(k);
                assertEquals(ys[k], b.x().get(k, 0));
                assertEquals(ys[k] + 0.5f, b.x().get(k, 1));
                assertEquals(-ys[k], b.x().get(k, 2));
            }
            out.add(ys);
        }
        return out;
    }

    static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void everyExampleOncePerEpochWithPartialLastBatch() {
        DataLoader loader = DataLoader.builder(numbered(103)).batchSize(10).shuffle(42).build();
        assertEquals(11, loader.numBatches());
        assertEquals(11, loader.len());
        for (int e = 0; e < 3; e++) {
            List<int[]> batches = epoch(loader);
            assertEquals(11, batches.size());
            for (int k = 0; k < 10; k++) assertEquals(10, batches.get(k).length);
            assertEquals(3, batches.get(10).length);
            int[] seen = flat(batches);
            Arrays.sort(seen);
            for (int i = 0; i < 103; i++) assertEquals(i, seen[i]);
        }
        assertEquals(3, loader.epoch());
    }

    @Test
    void sequentialByDefault() {
        DataLoader loader = DataLoader.of(numbered(7), 3);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, flat(epoch(loader)));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, flat(epoch(loader)));
        Batch first = loader.iterator(0).next();
        assertArrayEquals(new int[] {3, 3}, first.x().shape());
        assertArrayEquals(new int[] {3}, first.y().shape());
    }

    @Test
    void dropLast() {
        DataLoader loader = DataLoader.builder(numbered(103)).batchSize(10).dropLast(true).shuffle(1).build();
        assertEquals(10, loader.numBatches());
        List<int[]> batches = epoch(loader);
        assertEquals(10, batches.size());
        for (int[] b : batches) assertEquals(10, b.length);
        // exactly divisible: nothing dropped
        assertEquals(5, DataLoader.builder(numbered(50)).batchSize(10).dropLast(true).build().numBatches());
        // fewer examples than one batch
        DataLoader tiny = DataLoader.builder(numbered(3)).batchSize(10).dropLast(true).build();
        assertEquals(0, tiny.numBatches());
        assertFalse(tiny.iterator().hasNext());
    }

    @Test
    void shuffleIsDeterministicPerSeedAndDiffersPerEpoch() {
        TensorDataset data = numbered(50);
        DataLoader a = DataLoader.builder(data).batchSize(8).shuffle(7).build();
        DataLoader b = DataLoader.builder(data).batchSize(8).shuffle(7).prefetch(0).build();
        int[] a0 = flat(epoch(a)), a1 = flat(epoch(a));
        int[] b0 = flat(epoch(b)), b1 = flat(epoch(b));
        assertArrayEquals(a0, b0);
        assertArrayEquals(a1, b1);
        assertFalse(Arrays.equals(a0, a1), "epochs 0 and 1 have the same order");
        int[] identity = flat(epoch(DataLoader.of(data, 8)));
        assertFalse(Arrays.equals(a0, identity), "epoch 0 is not shuffled");
        // a given epoch can be replayed on its own, and the counter can be set to resume
        assertArrayEquals(a1, flat(epoch(() -> a.iterator(1))));
        DataLoader c = DataLoader.builder(data).batchSize(8).shuffle(7).build();
        c.setEpoch(1);
        assertArrayEquals(a1, flat(epoch(c)));
        // another seed, another order
        DataLoader d = DataLoader.builder(data).batchSize(8).shuffle(8).build();
        assertFalse(Arrays.equals(a0, flat(epoch(d))));
        // the order is a fixed function of seed and epoch (pins Sampler.Random's documented recipe)
        int[] expected = new Sampler.Sequential(50).indices(0);
        new dev.depth.tensor.Generator(Sampler.Random.epochSeed(7, 0)).shuffle(expected);
        assertArrayEquals(expected, a0);
    }

    @Test
    void batchesAreFreshCopies() {
        TensorDataset data = numbered(4);
        Batch b = DataLoader.of(data, 4).iterator().next();
        b.x().fill(99f);
        assertEquals(1f, data.features().get(1, 0));
        assertNotSame(data.features().storage(), b.x().storage());
    }

    @Test
    void generalDatasetsAreStackedLikeTensorDatasets() {
        TensorDataset data = numbered(23);
        Dataset<Example> general = new Dataset<>() {
            public int size() { return data.size(); }
            public Example get(int i) { return data.get(i); }
        };
        DataLoader fast = DataLoader.builder(data).batchSize(5).shuffle(3).build();
        DataLoader slow = DataLoader.builder(general).batchSize(5).shuffle(3).build();
        var fi = fast.iterator();
        var si = slow.iterator();
        while (fi.hasNext()) {
            Batch f = fi.next(), s = si.next();
            assertArrayEquals(f.x().shape(), s.x().shape());
            assertArrayEquals(f.x().toFloatArray(), s.x().toFloatArray());
            assertArrayEquals(f.y().toFloatArray(), s.y().toFloatArray());
        }
        assertFalse(si.hasNext());
    }

    @Test
    void customSamplerDecidesTheEpoch() {
        // a toy curriculum: epoch e visits the first 5 * (e + 1) examples, in order
        Sampler curriculum = epoch -> new Sampler.Sequential(Math.min(20, 5 * (epoch + 1))).indices(epoch);
        DataLoader loader = DataLoader.builder(numbered(20)).batchSize(4).sampler(curriculum).build();
        assertEquals(2, loader.numBatches());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, flat(epoch(loader)));
        assertEquals(3, loader.numBatches());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, flat(epoch(loader)));
        // an index outside the dataset is reported, not silently wrapped
        DataLoader bad = DataLoader.builder(numbered(3)).sampler(e -> new int[] {0, 3}).build();
        IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class, () -> epoch(bad));
        assertTrue(ex.getMessage().contains("index 3 is out of range for 3 examples"), ex.getMessage());
    }

    private static void assertTerminates(Thread t) throws InterruptedException {
        t.join(10_000);
        assertFalse(t.isAlive(), t.getName() + " is still running");
    }

    @Test
    void prefetchThreadEndsWithTheEpoch() throws Exception {
        DataLoader loader = DataLoader.builder(numbered(30)).batchSize(4).prefetch(2).build();
        DataLoader.BatchIterator it = loader.iterator();
        Thread t = it.producerThread();
        assertNotNull(t);
        assertTrue(t.isDaemon());
        while (it.hasNext()) it.next();
        assertTerminates(t);
        assertFalse(it.hasNext());
        assertNull(DataLoader.builder(numbered(3)).prefetch(0).build().iterator().producerThread());
    }

    @Test
    void closingEarlyStopsABlockedProducer() throws Exception {
        DataLoader loader = DataLoader.builder(numbered(1000)).batchSize(1).prefetch(1).build();
        DataLoader.BatchIterator it = loader.iterator();
        it.next();
        Thread t = it.producerThread();
        Thread.sleep(50); // let the producer fill the queue and block
        assertTrue(t.isAlive());
        it.close();
        assertTerminates(t);
        assertFalse(it.hasNext());
        it.close(); // idempotent
    }

    @Test
    void tryWithResourcesAndBreak() throws Exception {
        DataLoader loader = DataLoader.builder(numbered(1000)).batchSize(1).prefetch(2).build();
        Thread t;
        try (DataLoader.BatchIterator it = loader.iterator()) {
            t = it.producerThread();
            it.next();
        }
        assertTerminates(t);
    }

    @Test
    void abandonedIteratorDoesNotLeakItsThread() throws Exception {
        DataLoader loader = DataLoader.builder(numbered(1000)).batchSize(1).prefetch(2).build();
        Thread t = startAndAbandon(loader);
        for (int i = 0; i < 100 && t.isAlive(); i++) {
            System.gc();
            t.join(100);
        }
        assertFalse(t.isAlive(), "the prefetch thread of an unreachable iterator is still running");
    }

    private static Thread startAndAbandon(DataLoader loader) {
        DataLoader.BatchIterator it = loader.iterator();
        it.next(); // like `for (Batch b : loader) { ...; break; }`
        return it.producerThread();
    }

    @Test
    void prefetchQueueIsBounded() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        TensorDataset data = numbered(100);
        Dataset<Example> counting = new Dataset<>() {
            public int size() { return data.size(); }
            public Example get(int i) { gets.incrementAndGet(); return data.get(i); }
        };
        try (DataLoader.BatchIterator it = DataLoader.builder(counting).batchSize(1).prefetch(2).build().iterator()) {
            it.next();
            Thread.sleep(200);
            // one delivered, two queued, one assembled and waiting for room
            assertTrue(gets.get() <= 4, gets.get() + " examples fetched ahead");
        }
    }

    @Test
    void producerExceptionIsRethrownInTheConsumer() throws Exception {
        TensorDataset data = numbered(100);
        Dataset<Example> failing = new Dataset<>() {
            public int size() { return data.size(); }
            public Example get(int i) {
                if (i == 57) throw new IllegalStateException("cannot decode example 57");
                return data.get(i);
            }
        };
        DataLoader loader = DataLoader.builder(failing).batchSize(10).build();
        DataLoader.BatchIterator it = loader.iterator();
        Thread t = it.producerThread();
        int delivered = 0;
        IllegalStateException e = null;
        try {
            while (it.hasNext()) {
                it.next();
                delivered++;
            }
        } catch (IllegalStateException caught) {
            e = caught;
        }
        assertNotNull(e, "the failure was not rethrown");
        assertEquals(5, delivered);
        assertEquals("cannot decode example 57", e.getMessage());
        assertTrue(e.getSuppressed().length == 1 && e.getSuppressed()[0].getMessage().contains("batch 5 of 10"),
                Arrays.toString(e.getSuppressed()));
        assertTerminates(t);
        assertFalse(it.hasNext());
        // without prefetch the same exception comes straight from the consumer's own call
        DataLoader direct = DataLoader.builder(failing).batchSize(10).prefetch(0).build();
        assertThrows(IllegalStateException.class, () -> epoch(direct));
    }

    @Test
    void checkedAndErrorFailuresToo() {
        Dataset<Example> oom = new Dataset<>() {
            public int size() { return 3; }
            public Example get(int i) { throw new OutOfMemoryError("simulated"); }
        };
        assertThrows(OutOfMemoryError.class, () -> epoch(DataLoader.of(oom, 2)));
    }

    /**
     * By default an in-memory dataset is gathered on the consumer thread while the kernels' threads
     * take every core, and prefetched on a thread otherwise; any other dataset is prefetched.
     */
    @Test
    void defaultPrefetchDependsOnTheDatasetAndTheCores() {
        int cores = Runtime.getRuntime().availableProcessors(), threads = dev.depth.kernel.Parallel.threads();
        try {
            dev.depth.kernel.Parallel.setThreads(cores);
            DataLoader inMemory = DataLoader.builder(numbered(40)).batchSize(8).build();
            assertEquals(0, inMemory.prefetch());
            assertNull(inMemory.iterator().producerThread());
            assertEquals(5, epoch(inMemory).size());
            Dataset<Example> other = new Dataset<>() {
                @Override public int size() { return 10; }
                @Override public Example get(int i) { return new Example(Tensor.of((float) i, i + 0.5f, -i), Tensor.scalar(i)); }
            };
            DataLoader general = DataLoader.builder(other).batchSize(4).build();
            assertEquals(DataLoader.DEFAULT_PREFETCH, general.prefetch());
            assertNotNull(general.iterator().producerThread());
            if (cores > 1) {
                dev.depth.kernel.Parallel.setThreads(cores - 1); // a core left over: a loader thread pays
                assertEquals(DataLoader.DEFAULT_PREFETCH, inMemory.prefetch());
            }
            assertTrue(inMemory.toString().contains("prefetch=auto"), inMemory.toString());
        } finally {
            dev.depth.kernel.Parallel.setThreads(threads);
        }
    }

    /** A batch split over the kernels' threads has the same rows as one gathered on one thread, for float and byte features. */
    @Test
    void splitGatherMatchesTheSerialOne() {
        int threads = dev.depth.kernel.Parallel.threads();
        try {
            dev.depth.kernel.Parallel.setThreads(3);
            java.util.Random r = new java.util.Random(3);
            int n = 500, row = 301;
            float[] x = new float[n * row], y = new float[n];
            byte[] bytes = new byte[n * row];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            r.nextBytes(bytes);
            for (int i = 0; i < n; i++) y[i] = i;
            TensorDataset floats = new TensorDataset(Tensor.wrap(x, n, row), Tensor.wrap(y, n));
            TensorDataset fromBytes = TensorDataset.ofUnsignedBytes(bytes, 255f, new int[] {row}, Tensor.wrap(y, n));
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = (i * 7919) % n;
            for (TensorDataset d : new TensorDataset[] {floats, fromBytes}) {
                for (int[] range : new int[][] {{0, 500}, {3, 250}, {10, 11}, {0, 0}}) {
                    Batch serial = d.batch(order, range[0], range[1], false), split = d.batch(order, range[0], range[1], true);
                    assertArrayEquals(serial.x().toFloatArray(), split.x().toFloatArray());
                    assertArrayEquals(serial.y().toFloatArray(), split.y().toFloatArray());
                    assertArrayEquals(serial.x().shape(), split.x().shape());
                }
            }
            int[] bad = order.clone();
            bad[400] = n;
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> floats.batch(bad, 0, n, true));
            assertTrue(e.getMessage().contains("TensorDataset.batch") && e.getMessage().contains(String.valueOf(n)), e.getMessage());
        } finally {
            dev.depth.kernel.Parallel.setThreads(threads);
        }
    }

    /**
     * Without a prefetch thread on several kernel threads, a tensor dataset's next batch is built by
     * an idle pool worker: the same batches as with one thread or a prefetch thread, float or byte
     * features, and a bad index fails the call for its own batch, not earlier.
     */
    @Test
    void batchesBuiltInTheBackgroundAreTheSame() {
        int threads = dev.depth.kernel.Parallel.threads();
        try {
            java.util.Random r = new java.util.Random(5);
            int n = 203, row = 37;
            float[] y = new float[n];
            byte[] bytes = new byte[n * row];
            r.nextBytes(bytes);
            for (int i = 0; i < n; i++) y[i] = i;
            TensorDataset fromBytes = TensorDataset.ofUnsignedBytes(bytes, 255f, new int[] {row}, Tensor.wrap(y, n));
            for (TensorDataset d : new TensorDataset[] {numbered(n), fromBytes}) {
                List<float[]> reference = new ArrayList<>();
                dev.depth.kernel.Parallel.setThreads(1);
                for (Batch b : DataLoader.builder(d).batchSize(17).shuffle(3).prefetch(0).build()) reference.add(b.x().toFloatArray());
                for (int t : new int[] {2, 3}) {
                    dev.depth.kernel.Parallel.setThreads(t);
                    for (int prefetch : new int[] {0, 2}) {
                        List<float[]> got = new ArrayList<>();
                        DataLoader loader = DataLoader.builder(d).batchSize(17).shuffle(3).prefetch(prefetch).build();
                        for (Batch b : loader) {
                            got.add(b.x().toFloatArray());
                            dev.depth.kernel.Parallel.forRange(4096, 1, (a, c) -> { }); // regions between batches, as a training step
                        }
                        assertEquals(reference.size(), got.size());
                        for (int k = 0; k < got.size(); k++) assertArrayEquals(reference.get(k), got.get(k), "threads=" + t + " prefetch=" + prefetch + " batch " + k);
                    }
                }
            }
            dev.depth.kernel.Parallel.setThreads(2);
            Sampler badThird = new Sampler() {
                @Override public int length(int epoch) { return 12; }
                @Override public int[] indices(int epoch) {
                    int[] o = new int[12];
                    for (int i = 0; i < 12; i++) o[i] = i;
                    o[9] = 1000; // in the third batch of four
                    return o;
                }
            };
            DataLoader.BatchIterator it = DataLoader.builder(numbered(20)).batchSize(4).sampler(badThird).prefetch(0).build().iterator();
            assertEquals(4, it.next().size());
            assertEquals(4, it.next().size());
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, it::hasNext);
            assertTrue(e.getMessage().contains("1000"), e.getMessage());
        } finally {
            dev.depth.kernel.Parallel.setThreads(threads);
        }
    }

    @Test
    void settingsAreValidated() {
        TensorDataset data = numbered(3);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(data).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(data).prefetch(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.of(data, 2).setEpoch(-1));
        assertEquals(DataLoader.DEFAULT_BATCH_SIZE, DataLoader.builder(data).build().batchSize());
        assertEquals(3, DataLoader.builder(data).prefetch(3).build().prefetch());
        assertEquals(DataLoader.DEFAULT_DROP_LAST, DataLoader.builder(data).build().dropLast());
    }

    @Test
    void emptyDataset() {
        TensorDataset empty = new TensorDataset(Tensor.zeros(0, 3), Tensor.zeros(0));
        DataLoader loader = DataLoader.of(empty, 4);
        assertEquals(0, loader.numBatches());
        assertEquals(0, epoch(loader).size());
    }
}
