package dev.depth.train;

import dev.depth.data.DataLoader;
import dev.depth.data.FashionMnist;
import dev.depth.nn.F;
import dev.depth.nn.Init;
import dev.depth.nn.Models;
import dev.depth.nn.Module;
import dev.depth.optim.Adam;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains W2's MLP on a few thousand real Fashion-MNIST images. Skipped when the data is not on
 * the machine, unless DEPTH_REQUIRE_DATA=1 (set by .ci/run), where that is a failure.
 */
@Tag("e2e")
class FashionMnistEndToEndTest {
    static FashionMnist.Splits data;

    @BeforeAll
    static void loadData() throws Exception {
        try {
            data = FashionMnist.builder().build().load(6000, 2000);
        } catch (java.io.IOException e) {
            if ("1".equals(System.getenv("DEPTH_REQUIRE_DATA"))) throw e;
            Assumptions.abort("Fashion-MNIST not available: " + e.getMessage());
        }
    }

    private static Trainer trainer(Module model, long seed) {
        var quiet = new Trainer.Config(0, new PrintStream(PrintStream.nullOutputStream()), false);
        return new Trainer(model, new Adam(model.parameters(), 1e-3), F::crossEntropy, quiet);
    }

    @Test
    void mlpLearnsFashionMnistFarAboveChance() {
        Module model;
        try (var s = Init.seed(42)) {
            model = Models.mlp();
        }
        var train = DataLoader.builder(data.train()).batchSize(128).shuffle(42).build();
        var test = DataLoader.builder(data.test()).batchSize(500).build();
        List<EpochResult> h = trainer(model, 42).fit(train, test, 3);
        EpochResult last = h.get(2);
        assertTrue(last.testAccuracy() > 0.75, "test accuracy " + last.testAccuracy() + " (chance is 0.10)");
        assertTrue(h.get(2).trainLoss() < h.get(0).trainLoss(), "loss did not fall: " + h);
    }

    @Test
    void sameSeedGivesAnIdenticalLossTrajectory() {
        double[][] runs = new double[2][];
        for (int r = 0; r < 2; r++) {
            Module model;
            try (var s = Init.seed(7)) {
                model = Models.mlp();
            }
            var train = DataLoader.builder(data.train().head(1024)).batchSize(64).shuffle(7).build();
            List<EpochResult> h = trainer(model, 7).fit(train, null, 2);
            runs[r] = h.stream().mapToDouble(EpochResult::trainLoss).toArray();
        }
        assertArrayEquals(runs[0], runs[1], 0.0);
    }
}
