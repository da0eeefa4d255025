package dev.depth.autograd;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradCheckTest {
    static List<OpCases.Case> cases() {
        return OpCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyRegisteredOpPassesGradCheck(OpCases.Case c) {
        GradCheck.assertGradients(c.name(), c.op(), c.inputs().get());
    }

    @Test
    void registryCoversTheOps() {
        assertTrue(OpCases.all().size() >= 80, "registry has " + OpCases.all().size() + " cases");
    }

    /** An op with a deliberately wrong backward (off by 10%) must be caught. */
    @Test
    void catchesAPlantedWrongGradient() {
        Tensor x = OpCases.r(3, 2, 3);
        GradCheck.Result r = GradCheck.check(t -> {
            Tensor in = t[0];
            float[] v = in.toFloatArray();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) out[i] = v[i] * v[i];
            return Tensor.fromOp(out, in.shape(), "plantedSquare", new Tensor[] {in},
                    g -> new Tensor[] {g.mul(in.detach()).mul(2.2f)});
        }, GradCheck.Options.DEFAULT, x);
        assertFalse(r.passed(), r.message());
        assertThrows(AssertionError.class, () -> GradCheck.assertGradients("planted", t -> {
            Tensor in = t[0];
            return Tensor.fromOp(in.toFloatArray(), in.shape(), "plantedIdentity", new Tensor[] {in},
                    g -> new Tensor[] {g.mul(0.95f)});
        }, OpCases.r(4, 5)));
    }

    @Test
    void catchesAMissingBroadcastReduction() {
        // a backward that forgets one element's contribution is caught too
        Tensor x = OpCases.r(5, 4);
        GradCheck.Result r = GradCheck.check(t -> {
            Tensor in = t[0];
            return Tensor.fromOp(in.toFloatArray(), in.shape(), "leaky", new Tensor[] {in}, g -> {
                Tensor d = g.copy().detach();
                d.set(0f, 2);
                return new Tensor[] {d};
            });
        }, GradCheck.Options.DEFAULT, x);
        assertFalse(r.passed(), r.message());
    }
}
