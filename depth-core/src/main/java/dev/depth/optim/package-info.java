/**
 * Optimisers, learning-rate schedules and gradient clipping.
 *
 * <p>An {@link dev.depth.optim.Optimizer} updates the parameters it was given from their
 * gradients, one {@link dev.depth.optim.Optimizer#step() step()} per iteration:
 * <pre>{@code
 * var opt = new AdamW(model.parameters(), 3e-4).withGradClipNorm(1.0);
 * var schedule = new WarmupCosine(opt, 500, 10_000, 0.0, 1e-5);
 * for (var batch : loader) {
 *     opt.zeroGrad();
 *     F.crossEntropy(model.forward(batch.x()), batch.y()).backward();
 *     opt.step();          // clips, then updates
 *     schedule.step();     // per iteration here; per epoch is equally valid
 * }
 * }</pre>
 *
 * <p>The optimisers are {@link dev.depth.optim.SGD} (momentum, dampening, Nesterov),
 * {@link dev.depth.optim.Adam}, {@link dev.depth.optim.AdamW}, {@link dev.depth.optim.RMSprop} and
 * {@link dev.depth.optim.Adagrad}. Each one's Javadoc gives its update rule; the rules are
 * PyTorch's ({@code torch.optim}, version 1.13 and later), and the tests compare several steps of
 * every configuration with values that PyTorch computed (the generator is
 * {@code depth-core/src/test/python/make_optim_fixtures.py}). The schedules
 * ({@link dev.depth.optim.StepLR}, {@link dev.depth.optim.ExponentialLR},
 * {@link dev.depth.optim.CosineAnnealingLR}, {@link dev.depth.optim.WarmupCosine}) are closed forms
 * of the step count. {@link dev.depth.optim.GradClip} clips by global norm or by value, alone or
 * attached to an optimiser so that {@code step()} clips first.
 *
 * <p>Names follow PyTorch ({@code zeroGrad}, {@code stateDict}, {@code weightDecay}), so a paper's
 * training recipe translates line by line; hyperparameters whose PyTorch default exists have that
 * default, stated once as a constant on the optimiser class.
 */
package dev.depth.optim;
