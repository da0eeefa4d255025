package dev.depth.nn;

/** {@link BatchNorm} over (N, C, H, W). */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, DEFAULT_EPS, DEFAULT_MOMENTUM);
    }

    public BatchNorm2d(int numFeatures, float eps, float momentum) {
        super(numFeatures, eps, momentum, 4, 4);
    }
}
