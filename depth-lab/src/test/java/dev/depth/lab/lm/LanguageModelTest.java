package dev.depth.lab.lm;

import dev.depth.autograd.Autograd;
import dev.depth.nn.Init;
import dev.depth.optim.AdamW;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LanguageModelTest {
    private static GptModel gpt(int context) {
        try (var s = Init.seed(1)) {
            return new GptModel(new GptModel.Config(11, context, 2, 2, 16));
        }
    }

    /** The logits of the last position, from a full forward pass. */
    private static float[] lastLogits(LanguageModel m, int[] tokens) {
        try (var s = Autograd.noGrad()) {
            Tensor logits = m.forward(LanguageModel.ids(tokens));
            return logits.select(1, tokens.length - 1).reshape(-1).toFloatArray();
        }
    }

    @Test
    void kvCachedStepsEqualFullForwardPasses() {
        GptModel m = gpt(16);
        m.eval();
        int[] seq = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
        LanguageModel.State state = m.newState();
        try (var s = Autograd.noGrad()) {
            float[] step = m.step(LanguageModel.ids(java.util.Arrays.copyOf(seq, 4)), state); // a prompt of 4 at once
            assertArrayEquals(lastLogits(m, java.util.Arrays.copyOf(seq, 4)), step, 1e-5f);
            for (int i = 4; i < seq.length; i++) {
                step = m.step(LanguageModel.ids(new int[] {seq[i]}), state);
                assertArrayEquals(lastLogits(m, java.util.Arrays.copyOf(seq, i + 1)), step, 1e-5f, "position " + i);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> m.forward(LanguageModel.ids(new int[17])));
    }

    @Test
    void lstmStepsEqualFullForwardPasses() {
        CharLstmModel m;
        try (var s = Init.seed(2)) {
            m = new CharLstmModel(7, 5, 8, 2);
        }
        int[] seq = {1, 2, 3, 4, 5, 6, 0};
        LanguageModel.State state = m.newState();
        try (var s = Autograd.noGrad()) {
            m.step(LanguageModel.ids(new int[] {1, 2}), state);
            for (int i = 2; i < seq.length; i++) {
                float[] step = m.step(LanguageModel.ids(new int[] {seq[i]}), state);
                assertArrayEquals(lastLogits(m, java.util.Arrays.copyOf(seq, i + 1)), step, 1e-5f);
            }
        }
    }

    @Test
    void cachedAndUncachedGreedyGenerationAgree() {
        GptModel m = gpt(32);
        int[] prompt = {1, 2, 3};
        Sampling greedy = new Sampling(0, 0, 1);
        assertArrayEquals(m.generateUncached(prompt, 20, greedy, new Generator(1)), m.generate(prompt, 20, greedy, new Generator(1)));
    }

    @Test
    void samplingRespectsTopKTopPAndTemperature() {
        float[] logits = {0f, 5f, 4f, -3f};
        Generator g = new Generator(3);
        assertEquals(1, new Sampling(0, 0, 1).sample(logits, g));
        for (int i = 0; i < 200; i++) {
            int k2 = new Sampling(1, 2, 1).sample(logits, g);
            assertTrue(k2 == 1 || k2 == 2);
            assertEquals(1, new Sampling(1, 0, 0.5).sample(logits, g)); // token 1 alone holds > 50%
        }
        int[] counts = new int[4];
        for (int i = 0; i < 2000; i++) counts[new Sampling(100, 0, 1).sample(logits, g)]++;
        for (int c : counts) assertTrue(c > 350, "high temperature is near uniform: " + java.util.Arrays.toString(counts));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(-1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(1, 0, 0));
    }

    @Test
    void gptLearnsARepeatingSequence() {
        GptModel m = gpt(16);
        AdamW opt = new AdamW(m.parameters(), 3e-3);
        int[] pattern = {1, 2, 3, 4, 5, 6, 7};
        float[] x = new float[4 * 12], y = new float[4 * 12];
        for (int b = 0; b < 4; b++)
            for (int t = 0; t < 12; t++) {
                x[b * 12 + t] = pattern[(b + t) % 7];
                y[b * 12 + t] = pattern[(b + t + 1) % 7];
            }
        Tensor xs = Tensor.wrap(x, 4, 12), ys = Tensor.wrap(y, 4, 12);
        float first = 0, last = 0;
        for (int i = 0; i < 150; i++) {
            Tensor loss = m.loss(xs, ys);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (i == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < 0.1 * first, "loss " + first + " -> " + last);
        assertArrayEquals(new int[] {4, 5, 6, 7, 1}, m.generate(new int[] {1, 2, 3}, 5, new Sampling(0, 0, 1), new Generator(0)));
    }
}
