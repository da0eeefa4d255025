package dev.depth.data;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorDatasetTest {
    @Test
    void unequalLengthsAreReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(5, 1, 2, 2), Tensor.zeros(4)));
        assertEquals("TensorDataset: features hold 5 examples (shape [5, 1, 2, 2]) but targets hold 4 (shape [4]); "
                + "the first dimension numbers the examples and must be equal", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.scalar(1f), Tensor.zeros(1)));
    }

    @Test
    void getBatchHeadAndShapes() {
        TensorDataset d = DataLoaderTest.numbered(6);
        assertEquals(6, d.size());
        assertArrayEquals(new int[] {3}, d.featureShape());
        assertArrayEquals(new int[0], d.targetShape());
        Example e = d.get(4);
        assertArrayEquals(new float[] {4f, 4.5f, -4f}, e.x().toFloatArray());
        assertEquals(4f, e.y().item());
        Batch b = d.batch(5, 0, 5);
        assertArrayEquals(new int[] {3, 3}, b.x().shape());
        assertArrayEquals(new float[] {5, 0, 5}, b.y().toFloatArray());
        TensorDataset head = d.head(2);
        assertEquals(2, head.size());
        assertSame(d.features().storage(), head.features().storage());
        TensorDataset sub = d.subset(3, 5);
        assertEquals(3f, sub.get(0).y().item());
        assertEquals(4f, sub.batch(1).x().get(0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.get(6));
        assertThrows(IndexOutOfBoundsException.class, () -> d.head(7));
        assertThrows(IndexOutOfBoundsException.class, () -> sub.batch(2));
    }

    @Test
    void nonContiguousInputsAreCopiedOnce() {
        Tensor x = Tensor.arange(6).reshape(3, 2).t(); // (2, 3), not contiguous
        TensorDataset d = new TensorDataset(x, Tensor.of(7f, 8f));
        assertArrayEquals(new float[] {1f, 3f, 5f}, d.batch(1).x().toFloatArray());
    }

    @Test
    void byteFeaturesDecodeAsTheFloatsWouldHold() {
        int n = 7, row = 6;
        byte[] raw = new byte[n * row];
        for (int i = 0; i < raw.length; i++) raw[i] = (byte) (i * 37 + 11); // covers bytes above 127
        float[] decoded = new float[raw.length];
        for (int i = 0; i < raw.length; i++) decoded[i] = (raw[i] & 0xFF) / 255f;
        Tensor targets = Tensor.arange(n);
        TensorDataset bytes = TensorDataset.ofUnsignedBytes(raw, 255f, new int[] {2, 3}, targets);
        TensorDataset floats = new TensorDataset(Tensor.wrap(decoded, n, 2, 3), targets);
        assertTrue(bytes.hasByteFeatures());
        assertFalse(floats.hasByteFeatures());
        assertEquals(n, bytes.size());
        assertArrayEquals(new int[] {2, 3}, bytes.featureShape());
        assertArrayEquals(floats.features().toFloatArray(), bytes.features().toFloatArray());
        assertArrayEquals(new int[] {n, 2, 3}, bytes.features().shape());
        int[] order = {6, 0, 3, 3, 5};
        Batch a = bytes.batch(order, 1, 5), b = floats.batch(order, 1, 5);
        assertArrayEquals(b.x().shape(), a.x().shape());
        assertArrayEquals(b.x().toFloatArray(), a.x().toFloatArray());
        assertArrayEquals(b.y().toFloatArray(), a.y().toFloatArray());
        assertArrayEquals(floats.get(4).x().toFloatArray(), bytes.get(4).x().toFloatArray());
        assertArrayEquals(new int[] {2, 3}, bytes.get(4).x().shape());
        assertEquals(4f, bytes.get(4).y().item());
        TensorDataset sub = bytes.subset(2, 5);
        assertTrue(sub.hasByteFeatures());
        assertArrayEquals(floats.subset(2, 5).features().toFloatArray(), sub.features().toFloatArray());
        assertArrayEquals(floats.get(3).x().toFloatArray(), sub.get(1).x().toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> sub.get(3));
        // through a shuffling loader, the same batches as the float dataset
        DataLoader la = DataLoader.builder(bytes).batchSize(3).shuffle(5).build(), lb = DataLoader.builder(floats).batchSize(3).shuffle(5).build();
        try (DataLoader.BatchIterator ia = la.iterator(1); DataLoader.BatchIterator ib = lb.iterator(1)) {
            while (ib.hasNext()) assertArrayEquals(ib.next().x().toFloatArray(), ia.next().x().toFloatArray());
            assertFalse(ia.hasNext());
        }
    }

    @Test
    void byteFeaturesAreChecked() {
        Tensor t = Tensor.zeros(3);
        assertEquals("TensorDataset.ofUnsignedBytes: 5 bytes do not hold 3 examples of shape [2]; expected 6",
                assertThrows(IllegalArgumentException.class, () -> TensorDataset.ofUnsignedBytes(new byte[5], 255f, new int[] {2}, t)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorDataset.ofUnsignedBytes(new byte[6], 0f, new int[] {2}, t));
        assertThrows(IllegalArgumentException.class, () -> TensorDataset.ofUnsignedBytes(new byte[6], Float.NaN, new int[] {2}, t));
        assertThrows(IllegalArgumentException.class, () -> TensorDataset.ofUnsignedBytes(new byte[6], 255f, new int[] {-2}, t));
        assertThrows(IllegalArgumentException.class, () -> TensorDataset.ofUnsignedBytes(new byte[1], 255f, new int[0], Tensor.scalar(1f)));
    }
}
