/**
 * Tensors: float32 n-dimensional arrays as views over shared storage (shape, strides, offset),
 * their creation ({@link dev.depth.tensor.Tensor#zeros}, {@link dev.depth.tensor.Tensor#randn}
 * with an explicit {@link dev.depth.tensor.Generator}, ...), views, NumPy broadcasting, and the
 * differentiable ops. Each op's forward and backward sit side by side in the package-private
 * op classes ({@code ElementwiseOps}, {@code ReduceOps}, {@code LinalgOps}, {@code IndexOps}).
 */
package dev.depth.tensor;
