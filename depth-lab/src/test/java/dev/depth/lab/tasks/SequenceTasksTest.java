package dev.depth.lab.tasks;

import dev.depth.data.Batch;
import dev.depth.tensor.Generator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SequenceTasksTest {
    @Test
    void addingMarksTwoPositionsAndSumsThem() {
        Batch b = SequenceTasks.adding(5, 20, new Generator(1));
        assertArrayEquals(new int[] {5, 20, 2}, b.x().shape());
        for (int i = 0; i < 5; i++) {
            assertEquals(2f, b.x().select(0, i).select(1, 1).sum().item());
            float sum = b.x().select(0, i).select(1, 0).mul(b.x().select(0, i).select(1, 1)).sum().item();
            assertEquals(sum, b.y().get(i, 0), 1e-6);
            assertEquals(1f, b.x().select(0, i).select(1, 1).narrow(0, 0, 10).sum().item(), "one marker in each half");
        }
    }

    @Test
    void copyRepeatsTheDataAfterTheDelimiter() {
        Batch b = SequenceTasks.copy(3, 15, new Generator(2));
        assertArrayEquals(new int[] {3, 35}, b.x().shape());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(b.x().select(0, i).narrow(0, 0, 10).toFloatArray(), b.y().select(0, i).narrow(0, 25, 10).toFloatArray());
            assertEquals(9f, b.x().get(i, 24));
            assertEquals(0f, b.y().select(0, i).narrow(0, 0, 25).sum().item());
        }
    }

    @Test
    void reverseReverses() {
        Batch b = SequenceTasks.reverse(2, 7, 5, new Generator(3));
        for (int j = 0; j < 7; j++) assertEquals(b.x().get(1, j), b.y().get(1, 6 - j));
        assertTrue(b.x().min().item() >= 1 && b.x().max().item() <= 4);
    }

    @Test
    void lstmLearnsShortAddingProblem() {
        var c = new TaskRunner.Config("adding", "lstm", 10, 32, 64, 300, 1e-2, 1.0, 1, 300);
        TaskRunner.Result r = TaskRunner.run(c, null);
        assertTrue(r.metric() < 0.25 * r.baseline(), "mse " + r.metric() + " vs baseline " + r.baseline());
    }

    @Test
    void seq2seqWithAttentionLearnsToReverseShortStrings() {
        var c = new TaskRunner.Config("reverse", "gru", 5, 32, 64, 300, 1e-2, 1.0, 1, 300);
        TaskRunner.Result r = TaskRunner.run(c, null);
        assertTrue(r.metric() > 0.5, "exact match " + r.metric());
        Seq2Seq m = new Seq2Seq(TaskRunner.REVERSE_VOCAB, 8, 8);
        var d = m.greedy(SequenceTasks.reverse(2, 4, TaskRunner.REVERSE_VOCAB, new Generator(1)).x(), 4, true);
        assertArrayEquals(new int[] {2, 4, 4}, d.attentionWeights().shape());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, d.attentionWeights().sum(2).reshape(-1).toFloatArray(), 1e-5f);
    }
}
