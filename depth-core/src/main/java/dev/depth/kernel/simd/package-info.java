/**
 * The one door to SIMD: every {@code jdk.incubator.vector} import of Depth lives in this package.
 *
 * <p>{@link dev.depth.kernel.simd.FloatKernels} lists the inner loops that pay for vectorising
 * (the GEMM micro-kernel, dot, axpy, element-wise arithmetic). {@link
 * dev.depth.kernel.simd.ScalarFloatKernels} implements them in plain Java: it is the fallback
 * and the test oracle. {@code VectorFloatKernels} implements them with the Vector API and is
 * loaded reflectively by {@link dev.depth.kernel.simd.Simd}, so a JVM started without
 * {@code --add-modules jdk.incubator.vector}, or with an unexpected vector width, silently runs
 * the scalar code instead.
 *
 * <p>{@link dev.depth.kernel.simd.AttentionKernels} does the same for fused attention's inner
 * loops (a 4-row register-tiled product, a row's softmax pieces), with {@code
 * ScalarAttentionKernels} as oracle and fallback and {@code VectorAttentionKernels} used
 * whenever {@link dev.depth.kernel.simd.Simd} uses the vector kernels.
 */
package dev.depth.kernel.simd;
