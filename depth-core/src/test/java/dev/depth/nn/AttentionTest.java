package dev.depth.nn;

import dev.depth.autograd.GradCheck;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/** Attention and transformer blocks against PyTorch (src/test/python/make_attention_fixtures.py). */
class AttentionTest {
    private static final Fixtures FIX = new Fixtures("attention.txt");
    private static final double RTOL = 1e-5, ATOL = 2e-6;

    private static void loadWeights(String prefix, Module m) {
        m.stateDict().forEach((name, t) -> {
            if (m.namedParameters().containsKey(name)) t.copyFrom(FIX.get(prefix + "." + name));
        });
    }

    /** Compares the outputs, backpropagates the fixture's upstream gradients, compares input and parameter gradients. */
    private static void compare(String prefix, Module m, Tensor[] outputs, String[] inputNames, Tensor[] inputs) {
        Tensor loss = null;
        for (int i = 0; i < outputs.length; i++) {
            Fixtures.assertClose(prefix + ".out" + i, FIX.get(prefix + ".out" + i), outputs[i], RTOL, ATOL);
            Tensor l = outputs[i].mul(FIX.get(prefix + ".gout" + i)).sum();
            loss = loss == null ? l : loss.add(l);
        }
        loss.backward();
        for (int i = 0; i < inputs.length; i++)
            Fixtures.assertClose(prefix + ".grad." + inputNames[i], FIX.get(prefix + ".grad." + inputNames[i]), inputs[i].grad(), RTOL, ATOL);
        for (var e : m.namedParameters().entrySet())
            Fixtures.assertClose(prefix + ".grad." + e.getKey(), FIX.get(prefix + ".grad." + e.getKey()), e.getValue().grad(), RTOL, ATOL);
    }

    @Test
    void multiheadAttentionWithMasksMatchesPyTorch() {
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0f, true, false, new Generator(1));
        loadWeights("mha", mha);
        Tensor q = FIX.get("mha.q").requiresGrad(true), k = FIX.get("mha.k").requiresGrad(true), v = FIX.get("mha.v").requiresGrad(true);
        Attention.Output o = mha.forward(q, k, v, FIX.get("mha.kpm"), FIX.get("mha.am"), true);
        compare("mha", mha, new Tensor[] {o.output(), o.weights()}, new String[] {"q", "k", "v"}, new Tensor[] {q, k, v});
    }

    @Test
    void postNormEncoderLayerMatchesPyTorch() {
        var layer = new TransformerEncoderLayer(8, 2, 16, 0f, false, false, false, new Generator(1));
        loadWeights("enc_post", layer);
        Tensor x = FIX.get("enc_post.x").requiresGrad(true);
        compare("enc_post", layer, new Tensor[] {layer.forward(x, FIX.get("enc_post.mask"), null)}, new String[] {"x"}, new Tensor[] {x});
    }

    @Test
    void preNormGeluBatchFirstEncoderLayerMatchesPyTorch() {
        var layer = new TransformerEncoderLayer(8, 2, 16, 0f, true, true, true, new Generator(1));
        loadWeights("enc_pre", layer);
        Tensor x = FIX.get("enc_pre.x").requiresGrad(true);
        compare("enc_pre", layer, new Tensor[] {layer.forward(x, Attention.causalMask(5), null)}, new String[] {"x"}, new Tensor[] {x});
    }

    @Test
    void preNormDecoderLayerMatchesPyTorch() {
        var layer = new TransformerDecoderLayer(8, 2, 16, 0f, false, true, true, new Generator(1));
        loadWeights("dec", layer);
        Tensor t = FIX.get("dec.t").requiresGrad(true), m = FIX.get("dec.m").requiresGrad(true);
        compare("dec", layer, new Tensor[] {layer.forward(t, m, FIX.get("dec.tmask"), null, null, null)}, new String[] {"t", "m"}, new Tensor[] {t, m});
    }

    @Test
    void causalAttentionIgnoresTheFuture() {
        Generator g = new Generator(3);
        Tensor q = Tensor.randn(g, 1, 4, 2), k = Tensor.randn(g, 1, 4, 2), v = Tensor.randn(g, 1, 4, 2);
        Attention.Output a = Attention.scaledDotProduct(q, k, v, null, true, 0f, false, g);
        Tensor v2 = v.copy();
        v2.set(100f, 0, 3, 0); // change the last value: earlier positions must not see it
        Attention.Output b = Attention.scaledDotProduct(q, k, v2, null, true, 0f, false, g);
        assertTrue(a.output().narrow(1, 0, 3).allClose(b.output().narrow(1, 0, 3), 0, 0));
        assertEquals(0f, a.weights().get(0, 0, 1));
        assertArrayEquals(new float[] {1, 1, 1, 1}, a.weights().sum(-1).toFloatArray(), 1e-6f);
    }

    @Test
    void additiveAttentionPassesGradCheckAndMasksPadding() {
        Generator g = new Generator(4);
        AdditiveAttention att = new AdditiveAttention(3, 2, 4, g);
        Tensor query = Tensor.uniform(g, -1, 1, 2, 3).requiresGrad(true), keys = Tensor.uniform(g, -1, 1, 2, 5, 2).requiresGrad(true);
        Tensor pad = Tensor.of(new float[][] {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}});
        Attention.Output o = att.forward(query, keys, pad);
        assertEquals(0f, o.weights().get(0, 4));
        assertArrayEquals(new float[] {1, 1}, o.weights().sum(1).toFloatArray(), 1e-6f);
        GradCheck.assertGradients("additive attention", t -> att.forward(t[0], t[1], pad).output(), query, keys, att.v, att.queryProj.weight);
    }

    @Test
    void positionalEncodings() {
        PositionalEncoding pe = PositionalEncoding.sinusoidal(50, 6);
        Tensor e = pe.encodings(0, 50);
        assertEquals(0f, e.get(0, 0));
        assertEquals(1f, e.get(0, 1));
        assertEquals((float) Math.sin(7 / Math.pow(10000, 2 / 6.0)), e.get(7, 2), 1e-6);
        assertEquals(0, pe.numParameters());
        PositionalEncoding learned = PositionalEncoding.learned(10, 4, new Generator(1));
        assertEquals(40, learned.numParameters());
        Tensor x = Tensor.zeros(2, 3, 4).requiresGrad(true);
        learned.forward(x).sum().backward();
        assertArrayEquals(new float[] {2, 2, 2, 2}, learned.parameters().get(0).grad().select(0, 1).toFloatArray());
        assertEquals(0f, learned.parameters().get(0).grad().select(0, 5).sum().item());
        Supplier<Tensor> tooLong = () -> pe.forward(Tensor.zeros(51, 6));
        assertThrows(IllegalArgumentException.class, tooLong::get);
    }
}
