package dev.depth.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depth.kernel.Kernels;
import dev.depth.nn.Init;
import dev.depth.nn.Linear;
import org.junit.jupiter.api.Test;

/** {@link TrainingWarmUp}: it trains (the code it is meant to warm up runs), and it leaves the caller's state alone. */
class TrainingWarmUpTest {

    @Test
    void itTrainsTheTinyModel() {
        float first = TrainingWarmUp.run(1), later = TrainingWarmUp.run(100);
        assertTrue(Float.isFinite(first) && Float.isFinite(later), first + " " + later);
        assertTrue(later < 0.5f * first, "100 Adam steps on one batch should fit it: loss " + first + " -> " + later);
        assertTrue(Float.isNaN(TrainingWarmUp.run(0)));
        assertThrows(IllegalArgumentException.class, () -> TrainingWarmUp.run(-1));
    }

    @Test
    void itDoesNotDrawFromTheCallersGenerator() {
        float[] expected, actual;
        try (var scope = Init.seed(7)) {
            expected = new Linear(5, 3).weight.toFloatArray();
        }
        try (var scope = Init.seed(7)) {
            TrainingWarmUp.run(2);
            actual = new Linear(5, 3).weight.toFloatArray();
        }
        assertArrayEquals(expected, actual);
    }

    @Test
    void inBackgroundStartsOnceAndEnds() {
        Thread t = TrainingWarmUp.inBackground();
        assertNull(TrainingWarmUp.inBackground(), "a second call starts nothing");
        Kernels.awaitWarmUp();
        if (t != null) {
            assertTrue(t.isDaemon());
            assertFalse(t.isAlive());
        }
    }
}
