package dev.depth.train;

/** Called by {@link Trainer} after each epoch, e.g. to save a checkpoint or log metrics. */
@FunctionalInterface
public interface TrainingListener {
    void onEpochEnd(EpochResult result);
}
