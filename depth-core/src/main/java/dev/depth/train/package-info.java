/**
 * The training loop ({@link dev.depth.train.Trainer}): epochs, evaluation, metrics, a live
 * {@link dev.depth.train.Progress} line and per-epoch listeners (checkpoints).
 */
package dev.depth.train;
