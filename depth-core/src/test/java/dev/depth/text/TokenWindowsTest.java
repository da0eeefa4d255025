package dev.depth.text;

import dev.depth.data.Batch;
import dev.depth.data.DataLoader;
import dev.depth.data.Example;
import dev.depth.tensor.Generator;
import org.junit.jupiter.api.Test;

import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenWindowsTest {
    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void targetsAreTheInputsShiftedByOne() {
        TokenWindows w = new TokenWindows(range(10), 4);
        assertEquals(2, w.size()); // starts 0 and 4; start 8 would need tokens up to 12
        Example e = w.get(1);
        assertArrayEquals(new int[]{4}, e.x().shape());
        assertArrayEquals(new float[]{4, 5, 6, 7}, e.x().toFloatArray());
        assertArrayEquals(new float[]{5, 6, 7, 8}, e.y().toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> w.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> w.get(-1));
    }

    @Test
    void lastWindowEndsAtTheLastToken() {
        // 9 tokens, length 4, stride 4: starts 0 and 4; window 1's y ends at token 8, the last one
        TokenWindows w = new TokenWindows(range(9), 4);
        assertEquals(2, w.size());
        assertArrayEquals(new float[]{5, 6, 7, 8}, w.get(w.size() - 1).y().toFloatArray());
        // stride 1: every start 0 .. n - length - 1
        TokenWindows dense = new TokenWindows(range(9), 4, 1);
        assertEquals(5, dense.size());
        assertArrayEquals(new float[]{4, 5, 6, 7}, dense.get(4).x().toFloatArray());
        assertArrayEquals(new float[]{5, 6, 7, 8}, dense.get(4).y().toFloatArray());
        // stride 3 over 10 tokens, length 4: starts 0, 3 (6 would need token 10)
        TokenWindows three = new TokenWindows(range(10), 4, 3);
        assertEquals(2, three.size());
        assertEquals(3, three.start(1));
        // too short for one window
        assertEquals(0, new TokenWindows(range(4), 4).size());
        assertEquals(1, new TokenWindows(range(5), 4).size());
        assertEquals(0, new TokenWindows(new int[0], 1).size());
    }

    @Test
    void loaderBatchesAreBatchByLength() {
        TokenWindows w = new TokenWindows(range(101), 10);
        assertEquals(10, w.size());
        DataLoader loader = DataLoader.builder(w).batchSize(4).prefetch(0).build();
        Iterator<Batch> it = loader.iterator();
        Batch b = it.next();
        assertArrayEquals(new int[]{4, 10}, b.x().shape());
        assertArrayEquals(new int[]{4, 10}, b.y().shape());
        assertEquals(30f, b.x().get(3, 0));
        assertEquals(40f, b.y().get(3, 9));
    }

    @Test
    void randomBatchesAreSeededWindowsAtAnyOffset() {
        int[] tokens = range(50);
        TokenWindows w = new TokenWindows(tokens, 8);
        Batch a = w.randomBatch(new Generator(1), 16), b = w.randomBatch(new Generator(1), 16);
        assertArrayEquals(a.x().toFloatArray(), b.x().toFloatArray());
        assertArrayEquals(new int[]{16, 8}, a.x().shape());
        boolean offStride = false;
        for (int r = 0; r < 16; r++) {
            float s = a.x().get(r, 0);
            assertTrue(s >= 0 && s <= 50 - 8 - 1, "start " + s);
            offStride |= s % 8 != 0;
            for (int t = 0; t < 8; t++) {
                assertEquals(s + t, a.x().get(r, t));
                assertEquals(s + t + 1, a.y().get(r, t));
            }
        }
        assertTrue(offStride);
        Iterator<Batch> i1 = w.randomBatches(5, 4).iterator(), i2 = w.randomBatches(5, 4).iterator();
        for (int k = 0; k < 3; k++) assertArrayEquals(i1.next().y().toFloatArray(), i2.next().y().toFloatArray());
        // every start, including the last one (n - length - 1), is reachable
        TokenWindows tiny = new TokenWindows(range(6), 4);
        boolean[] seen = new boolean[2];
        Batch many = tiny.randomBatch(new Generator(9), 64);
        for (int r = 0; r < 64; r++) seen[(int) many.x().get(r, 0)] = true;
        assertTrue(seen[0] && seen[1]);
        assertThrows(IllegalStateException.class, () -> new TokenWindows(range(4), 4).randomBatch(new Generator(0), 1));
    }

    @Test
    void floatStreamsAndValidation() {
        TokenWindows w = new TokenWindows(new float[]{3, 1, 4, 1, 5}, 2, 2);
        assertEquals(2, w.size());
        assertArrayEquals(new float[]{4, 1}, w.get(1).x().toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new TokenWindows(range(5), 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenWindows(range(5), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenWindows(new int[]{-1}, 1));
    }

    @Test
    void splitKeepsTheLastPartForValidation() {
        TokenWindows.Split s = TokenWindows.split(range(100), 0.1);
        assertEquals(90, s.train().length);
        assertEquals(10, s.validation().length);
        assertEquals(89, s.train()[89]);
        assertEquals(90, s.validation()[0]);
        assertEquals(99, s.validation()[9]);
        assertEquals(3, TokenWindows.split(range(29), 0.1).validation().length); // 2.9 rounds to 3
        assertEquals(3, TokenWindows.split(range(25), 0.1).validation().length); // 2.5 rounds half up
        assertEquals(0, TokenWindows.split(range(7), 0).validation().length);
        assertEquals(7, TokenWindows.split(range(7), 1).validation().length);
        assertEquals(0, TokenWindows.split(new int[0], 0.1).train().length);
        assertThrows(IllegalArgumentException.class, () -> TokenWindows.split(range(7), 1.5));
        assertThrows(IllegalArgumentException.class, () -> TokenWindows.split(range(7), Double.NaN));
    }
}
