/**
 * Benchmarks of Depth: {@link dev.depth.bench.Workloads} runs the workloads W1-W6 of
 * bench/WORKLOADS.md ({@code depth bench}), and {@link dev.depth.bench.jmh} holds the JMH
 * micro-benchmarks of the kernels. bench/compare.sh runs the workloads side by side with their
 * PyTorch twins (bench/pytorch/workloads.py) and prints the ratios.
 */
package dev.depth.bench;
