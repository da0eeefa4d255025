package dev.depth.bench.jmh;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The machine's fp32 FMA peak as the JVM reaches it: the yardstick for the GEMM's GFLOP/s. One call
 * runs {@link #STEPS} steps of 16 independent chains of vector FMAs (the preferred species: 16
 * floats with AVX-512) on values held in registers, with no memory traffic, so
 * GFLOP/s = {@link #FLOPS_PER_CALL} / time per call. Sixteen chains are enough to cover the FMA
 * latency on two pipes; fewer measure the latency rather than the throughput.
 *
 * <pre>
 * java -jar depth-bench/target/benchmarks.jar FmaPeakBench          # one core
 * java -jar depth-bench/target/benchmarks.jar FmaPeakBench -t 2     # two threads: the whole 2-core machine
 * </pre>
 * JMH reports each thread's time per call: with {@code -t N} the machine's rate is
 * N x {@link #FLOPS_PER_CALL} / time. Measured on the 2-core development machine (AMD EPYC with
 * AVX-512, 2026-11-27): 236 us per call on one thread = 217 GFLOP/s, 244 us with two = 419 GFLOP/s
 * (JDK 17; a plain loop of the same on JDK 25 gave 213-217 and 415-424). That is about twice the 230
 * GFLOP/s that bench/PYTORCH.md gives as the two cores' peak.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class FmaPeakBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Steps of 16 FMAs per call. */
    public static final int STEPS = 100_000;
    /** Floating-point operations per call: 2 per lane of each FMA. */
    public static final long FLOPS_PER_CALL = 2L * 16 * S.length() * STEPS;

    private final float[] seed = new float[2 * S.length()];

    @Setup
    public void setup() {
        for (int i = 0; i < seed.length; i++) seed[i] = 0.999f + i * 1e-6f; // |a * b| < 1: the chains stay finite
    }

    @Benchmark
    public float fma() {
        FloatVector a = FloatVector.fromArray(S, seed, 0), b = FloatVector.fromArray(S, seed, S.length());
        FloatVector c0 = a, c1 = b, c2 = a, c3 = b, c4 = a, c5 = b, c6 = a, c7 = b;
        FloatVector c8 = a, c9 = b, c10 = a, c11 = b, c12 = a, c13 = b, c14 = a, c15 = b;
        for (int i = 0; i < STEPS; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
            c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
                .add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).reduceLanes(VectorOperators.ADD);
    }
}
