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
}
