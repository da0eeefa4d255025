package dev.depth.train;

/** Mean loss and accuracy over a dataset; accuracy is NaN when the outputs are not class scores. */
public record Evaluation(double loss, double accuracy, long samples) {}
