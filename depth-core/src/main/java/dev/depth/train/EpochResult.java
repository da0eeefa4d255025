package dev.depth.train;

/**
 * What one epoch measured. Rates count training steps only (evaluation excluded);
 * {@code samplesPerSecond} leaves out the first {@link Trainer.Config#warmupSteps()} steps of the
 * run when the epoch has more than twice as many, so that JIT warm-up does not bias it.
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                          double samplesPerSecond, double trainSeconds, long trainSamples) {}
