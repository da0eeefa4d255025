/**
 * JMH micro-benchmarks of Depth's hot kernels: {@link dev.depth.bench.jmh.GemmBench} (sgemm in its
 * four transpose forms and odd shapes), {@link dev.depth.bench.jmh.ConvBench} (conv2d forward and
 * both backward passes at the W3 shapes), {@link dev.depth.bench.jmh.PoolBench} (max pooling),
 * {@link dev.depth.bench.jmh.TensorOpsBench} (an element-wise chain, reductions, softmax,
 * layerNorm through the public ops), {@link dev.depth.bench.jmh.OptimizerBench} (an Adam step
 * over the W2 MLP's parameters), {@link dev.depth.bench.jmh.SequenceOpsBench} (GELU, layerNorm and
 * an LSTM cell step at W4's and W5's shapes), {@link dev.depth.bench.jmh.AttentionBench} (causal
 * self-attention at W5's shapes, fused against composite), {@link dev.depth.bench.jmh.TrainStepBench}
 * (a whole training step of W2 or W3, with {@code -prof gc} the bytes allocated per step), and
 * {@link dev.depth.bench.jmh.FmaPeakBench}, the machine's FMA peak as the JVM reaches it (the
 * yardstick for GFLOP/s figures).
 *
 * <p>Build and run (from the repository root):
 * <pre>
 * mvn -q -B -DskipTests -pl depth-bench -am package
 * java -jar depth-bench/target/benchmarks.jar                     # everything (about 15 minutes)
 * java -jar depth-bench/target/benchmarks.jar GemmBench -p trans=NN -p mnk=128x512x784
 * java -jar depth-bench/target/benchmarks.jar ConvBench -f 1 -wi 2 -i 3   # fewer iterations
 * java -jar depth-bench/target/benchmarks.jar TensorOps -prof gc   # allocation rate: gc.alloc.rate.norm = bytes per call
 * ./depth bench --jmh 'GemmBench' -- -p trans=NT                   # the same through the depth command
 * </pre>
 * Every benchmark forks a JVM with {@code --add-modules jdk.incubator.vector} (see {@link
 * dev.depth.bench.jmh.BenchDefaults#JVM_ARGS}); the kernel thread count is the parameter
 * {@code threads} (0: Depth's default, all cores; {@code -p threads=1} for one). Times are
 * microseconds per call; a GEMM's GFLOP/s is {@code 2*m*n*k / time}. On the shared 2-core machine
 * wrap a run in {@code flock /tmp/bench.lock} as bench/WORKLOADS.md asks.
 */
package dev.depth.bench.jmh;
