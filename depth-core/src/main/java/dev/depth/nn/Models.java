package dev.depth.nn;

import java.util.List;
import java.util.Locale;

/**
 * The reference image classifiers of the benchmark workloads (bench/WORKLOADS.md), for
 * 28x28 single-channel images and 10 classes. Weights are drawn from {@link Init#generator()}.
 */
public final class Models {
    private Models() {}

    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("mlp", "cnn");

    /**
     * W2: Flatten, Linear 784-512, ReLU, Linear 512-256, ReLU, Linear 256-10.
     * Shape: (N, 1, 28, 28) or (N, 784) -> (N, 10) logits. 535,818 parameters.
     */
    public static Sequential mlp() {
        return new Sequential(new Flatten(), new Linear(784, 512), new ReLU(), new Linear(512, 256), new ReLU(), new Linear(256, 10));
    }

    /**
     * W3: Conv2d(1,32,3,pad 1), ReLU, MaxPool 2, Conv2d(32,64,3,pad 1), ReLU, MaxPool 2, Flatten,
     * Linear 3136-128, ReLU, Linear 128-10. Shape: (N, 1, 28, 28) -> (N, 10) logits. 421,642 parameters.
     */
    public static Sequential cnn() {
        return new Sequential(
                new Conv2d(1, 32, 3).padding(1), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3).padding(1), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(3136, 128), new ReLU(), new Linear(128, 10));
    }

    /** The model called {@code name} (one of {@link #NAMES}). */
    public static Sequential create(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mlp" -> mlp();
            case "cnn" -> cnn();
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; expected one of " + NAMES);
        };
    }
}
