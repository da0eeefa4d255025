package dev.depth.cli;

import dev.depth.optim.Adagrad;
import dev.depth.optim.Adam;
import dev.depth.optim.AdamW;
import dev.depth.optim.Optimizer;
import dev.depth.optim.RMSprop;
import dev.depth.optim.SGD;
import dev.depth.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/** The optimizers the CLI offers by name, with their default learning rates. */
final class OptimizerFactory {
    private OptimizerFactory() {}

    static final List<String> NAMES = List.of("adam", "adamw", "sgd", "rmsprop", "adagrad");

    /** SGD's momentum when chosen by name on the command line. */
    static final double SGD_MOMENTUM = 0.9;

    static double defaultLr(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> 0.05;
            case "adagrad" -> 1e-2;
            default -> 1e-3;
        };
    }

    static Optimizer create(String name, List<Tensor> params, double lr) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(params, lr);
            case "adamw" -> new AdamW(params, lr);
            case "sgd" -> new SGD(params, lr).momentum(SGD_MOMENTUM);
            case "rmsprop" -> new RMSprop(params, lr);
            case "adagrad" -> new Adagrad(params, lr);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected one of " + NAMES);
        };
    }
}
