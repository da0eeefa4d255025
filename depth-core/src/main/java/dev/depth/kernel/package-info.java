/**
 * Depth's compute kernels (internal): they work on flat float arrays with explicit offsets and
 * strides and know nothing of tensors or autograd.
 *
 * <ul>
 *   <li>{@link dev.depth.kernel.Gemm}: SGEMM in all four transpose forms, packed and
 *       register-blocked; {@link dev.depth.kernel.Gemm#reference} is its scalar oracle.</li>
 *   <li>{@link dev.depth.kernel.Conv2dKernels} and {@link dev.depth.kernel.Pool2dKernels}: NCHW
 *       convolution (im2col + GEMM) and pooling, forward and backward.</li>
 *   <li>{@link dev.depth.kernel.Elementwise}: unary and binary element-wise functions and their
 *       derivatives, each with a {@code *Reference} scalar definition.</li>
 *   <li>{@link dev.depth.kernel.FusedAttention}: scaled-dot-product attention, forward and
 *       backward, without keeping the (L, S) scores (FlashAttention, Dao et al., 2022).</li>
 *   <li>{@link dev.depth.kernel.Parallel}: the one thread pool; splits depend only on sizes and
 *       the thread count, so results are bit-identical for the same thread count.</li>
 *   <li>{@link dev.depth.kernel.Kernels#describe()}: the start-up line that says which kernels
 *       run (SIMD width or the reason for the scalar fallback) and on how many threads.</li>
 * </ul>
 *
 * <p>All SIMD code sits behind one door, {@link dev.depth.kernel.simd}; this package has no
 * {@code jdk.incubator.vector} import and runs unchanged on a JVM without that module.
 */
package dev.depth.kernel;
