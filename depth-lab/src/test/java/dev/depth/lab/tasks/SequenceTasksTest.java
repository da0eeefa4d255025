package dev.depth.lab.tasks;

import dev.depth.data.Batch;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
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
        // the probe: ||dL/dh_t|| for every step of the one layer, before and after training, and every parameter's gradient norm
        TaskRunner.Probe p = r.probe();
        assertEquals(1, p.initialStepGradNorms().length);
        assertEquals(10, p.finalStepGradNorms()[0].length);
        for (double v : p.finalStepGradNorms()[0]) assertTrue(v > 0 && Double.isFinite(v), "step gradient norm " + v);
        // the loss reads only the last output: the gradient reaches the last state directly, the first through 9 steps
        assertTrue(p.initialStepGradNorms()[0][9] > p.initialStepGradNorms()[0][0], java.util.Arrays.toString(p.initialStepGradNorms()[0]));
        assertEquals(java.util.Set.of("rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "readout.weight", "readout.bias"),
                p.parameterGradNorms().keySet());
        for (double v : p.parameterGradNorms().values()) assertTrue(v > 0, "parameter gradient norm " + v);
        assertNull(p.attention());
    }

    @Test
    void seq2seqWithAttentionLearnsToReverseShortStrings() {
        var c = new TaskRunner.Config("reverse", "gru", 5, 32, 64, 300, 1e-2, 1.0, 1, 300);
        TaskRunner.Result r = TaskRunner.run(c, null);
        assertTrue(r.metric() > 0.5, "exact match " + r.metric());
        assertArrayEquals(new int[] {TaskRunner.ATTENTION_EXAMPLES, 5, 5}, r.probe().attention().shape());
        assertArrayEquals(new int[] {TaskRunner.ATTENTION_EXAMPLES, 5}, r.probe().decoded().shape());
        // a model that reverses attends, for output t, mostly to source position 4 - t
        Tensor a = r.probe().attention();
        int onAntiDiagonal = 0;
        for (int n = 0; n < a.size(0); n++) for (int t = 0; t < 5; t++) if (a.select(0, n).select(0, t).argmax(0, false).item() == 4 - t) onAntiDiagonal++;
        assertTrue(onAntiDiagonal >= 0.6 * 5 * a.size(0), "attention peaks on the mirrored position in " + onAntiDiagonal + " of " + 5 * a.size(0));
        Seq2Seq m = new Seq2Seq(TaskRunner.REVERSE_VOCAB, 8, 8);
        var d = m.greedy(SequenceTasks.reverse(2, 4, TaskRunner.REVERSE_VOCAB, new Generator(1)).x(), 4, true);
        assertArrayEquals(new int[] {2, 4, 4}, d.attentionWeights().shape());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, d.attentionWeights().sum(2).reshape(-1).toFloatArray(), 1e-5f);
    }
}
