package dev.depth.nn;

import dev.depth.autograd.GradCheck;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** RNN, LSTM and GRU against PyTorch (src/test/python/make_recurrent_fixtures.py): outputs, states and all gradients. */
class RecurrentTest {
    private static final Fixtures FIX = new Fixtures("recurrent.txt");
    private static final double RTOL = 1e-5, ATOL = 1e-6;

    /** Loads PyTorch's weights into the module, runs it, backpropagates the fixture's upstream gradients, compares everything. */
    private static void compare(String prefix, Recurrent m, boolean withC) {
        Map<String, Tensor> state = m.stateDict();
        for (String name : state.keySet()) state.get(name).copyFrom(FIX.get(prefix + "." + name));
        Tensor x = FIX.get(prefix + ".x").requiresGrad(true);
        Tensor h0 = FIX.get(prefix + ".h0").requiresGrad(true);
        Tensor c0 = withC ? FIX.get(prefix + ".c0").requiresGrad(true) : null;
        Recurrent.Result r = m.forward(x, h0, c0);
        Fixtures.assertClose(prefix + ".out", FIX.get(prefix + ".out"), r.output(), RTOL, ATOL);
        Fixtures.assertClose(prefix + ".hn", FIX.get(prefix + ".hn"), r.hn(), RTOL, ATOL);
        Tensor loss = r.output().mul(FIX.get(prefix + ".gout")).sum().add(r.hn().mul(FIX.get(prefix + ".ghn")).sum());
        if (withC) {
            Fixtures.assertClose(prefix + ".cn", FIX.get(prefix + ".cn"), r.cn(), RTOL, ATOL);
            loss = loss.add(r.cn().mul(FIX.get(prefix + ".gcn")).sum());
        }
        loss.backward();
        Fixtures.assertClose(prefix + ".grad.x", FIX.get(prefix + ".grad.x"), x.grad(), RTOL, ATOL);
        Fixtures.assertClose(prefix + ".grad.h0", FIX.get(prefix + ".grad.h0"), h0.grad(), RTOL, ATOL);
        if (withC) Fixtures.assertClose(prefix + ".grad.c0", FIX.get(prefix + ".grad.c0"), c0.grad(), RTOL, ATOL);
        for (var e : m.namedParameters().entrySet())
            Fixtures.assertClose(prefix + ".grad." + e.getKey(), FIX.get(prefix + ".grad." + e.getKey()), e.getValue().grad(), RTOL, ATOL);
    }

    @Test
    void lstmTwoLayersBidirectionalBatchFirstMatchesPyTorch() {
        compare("lstm", new LSTM(5, 4, 2, true, true), true);
    }

    @Test
    void gruTwoLayersBidirectionalTimeFirstMatchesPyTorch() {
        compare("gru", new GRU(5, 4, 2, false, true), false);
    }

    @Test
    void reluRnnMatchesPyTorch() {
        compare("rnn", new RNN(5, 4, 1, RNN.Nonlinearity.RELU, false, false), false);
    }

    @Test
    void tanhRnnTwoLayersBidirectionalMatchesPyTorch() {
        compare("rnn_tanh", new RNN(5, 4, 2, RNN.Nonlinearity.TANH, true, true), false);
    }

    @Test
    void parameterNamesAreTorchs() {
        var names = new LSTM(3, 2, 2, false, true).namedParameters().keySet();
        assertTrue(names.containsAll(java.util.List.of("weight_ih_l0", "weight_hh_l0_reverse", "bias_ih_l1", "bias_hh_l1_reverse")), names.toString());
        assertEquals(16, names.size());
    }

    @Test
    void cellsMatchTheirSequenceLayers() {
        Generator g = new Generator(5);
        LSTM lstm = new LSTM(3, 4, 1, true, false, false, g);
        LSTMCell cell = new LSTMCell(3, 4, true, g);
        cell.loadStateDict(Map.of("weight_ih", lstm.stateDict().get("weight_ih_l0"), "weight_hh", lstm.stateDict().get("weight_hh_l0"),
                "bias_ih", lstm.stateDict().get("bias_ih_l0"), "bias_hh", lstm.stateDict().get("bias_hh_l0")));
        Tensor x = Tensor.randn(g, 5, 2, 3);
        Recurrent.Result r = lstm.forward(x, null, null);
        Tensor h = null, c = null;
        for (int t = 0; t < 5; t++) {
            Tensor[] s = cell.forward(x.select(0, t), h, c);
            h = s[0];
            c = s[1];
        }
        assertTrue(h.allClose(r.hn().select(0, 0), 1e-6f, 1e-6f));
        assertTrue(c.allClose(r.cn().select(0, 0), 1e-6f, 1e-6f));
    }

    @Test
    void cellsPassGradCheck() {
        Generator g = new Generator(9);
        GRUCell gru = new GRUCell(3, 2, true, g);
        RNNCell rnn = new RNNCell(3, 2, RNN.Nonlinearity.TANH, true, g);
        LSTMCell lstm = new LSTMCell(3, 2, true, g);
        Tensor x = Tensor.uniform(g, -1, 1, 2, 3).requiresGrad(true), h = Tensor.uniform(g, -1, 1, 2, 2).requiresGrad(true);
        GradCheck.assertGradients("GRUCell", t -> gru.forward(t[0], t[1]), x, h, gru.weightIh, gru.weightHh, gru.biasHh);
        GradCheck.assertGradients("RNNCell", t -> rnn.forward(t[0], t[1]), x, h, rnn.weightHh);
        GradCheck.assertGradients("LSTMCell", t -> { Tensor[] s = lstm.forward(t[0], t[1], t[1].mul(0.5f)); return s[0].add(s[1]); },
                x, h, lstm.weightIh, lstm.biasIh);
    }

    @Test
    void tracksGradientNormsPerTimeStep() {
        Generator g = new Generator(2);
        RNN rnn = new RNN(2, 3, 2, RNN.Nonlinearity.TANH, true, true, false, g);
        rnn.trackStepGradients(true);
        Tensor x = Tensor.randn(g, 4, 6, 2);
        // the loss reads only the last step: the gradient flows back through time from there
        rnn.forward(x).select(1, 5).sum().backward();
        double[][] norms = rnn.stepGradientNorms();
        assertEquals(2, norms.length);
        assertEquals(6, norms[0].length);
        for (double[] layer : norms) for (double n : layer) assertTrue(n > 0 && Double.isFinite(n), java.util.Arrays.toString(layer));
        assertTrue(norms[1][5] > norms[1][0], "gradient decays back through time: " + java.util.Arrays.toString(norms[1]));
    }

    @Test
    void badShapesAreNamed() {
        LSTM lstm = new LSTM(3, 4);
        var ex = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 4)));
        assertTrue(ex.getMessage().contains("LSTM") && ex.getMessage().contains("[2, 5, 4]"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 3), Tensor.zeros(1, 4, 4), null));
        assertTrue(ex.getMessage().contains("h0"), ex.getMessage());
    }
}
