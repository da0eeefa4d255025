package dev.depth.nn;

/** How a loss combines its per-element values: PyTorch's {@code reduction} argument. */
public enum Reduction {
    /** The mean over elements (the default). */
    MEAN,
    /** The sum over elements. */
    SUM,
    /** No reduction: one value per element. */
    NONE
}
