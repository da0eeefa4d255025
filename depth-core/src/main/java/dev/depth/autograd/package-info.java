/**
 * Define-by-run automatic differentiation: the graph {@link dev.depth.autograd.Node}s that ops
 * record, the backward engine and gradient mode ({@link dev.depth.autograd.Autograd#noGrad()}),
 * and {@link dev.depth.autograd.GradCheck}, the finite-difference check every op passes.
 */
package dev.depth.autograd;
