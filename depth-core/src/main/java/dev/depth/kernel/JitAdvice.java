package dev.depth.kernel;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * HotSpot compiler directives (JEP 165) that leave a training step's orchestration to C1: see
 * {@link Kernels#adviseJit()}.
 *
 * <p>The methods of {@link #C1_ONLY} only orchestrate: the GEMM's driver loops over blocks, panels
 * and tiles; autograd walks the graph; tensors check shapes and make views; the optimiser and the
 * modules loop over parameters and layers. They call the kernels, which do the arithmetic and
 * which C2 still compiles. C1's code for them measured as fast as C2's, while C2 took a fifth of a
 * core compiling them in W2's third and fourth epochs (from steps a few hundred in up to step
 * ~2,500, one large method after another), on two cores that had none to spare: while C2 ran, the
 * kernels' second thread often had no core, and whole steps ran on one thread
 * (bench/README.md, "Glue to C1"). They are called a few to a few dozen times per step, so they
 * reach C2's thresholds late and keep C2 busy long after the kernels are compiled.
 *
 * <p>A method listed here must not use the Vector API itself (C1 does not intrinsify it: each
 * vector operation would run its Java fallback, about 100x slower) nor loop over a tensor's
 * elements; {@code JitAdviceTest} checks the former. Methods of a listed class that do loop over
 * elements are in {@link #C2_KEPT}, which the directives match first. Lambdas are matched by
 * prefix, since their numbers change with the source; {@code Class$$Lambda*} matches the hidden
 * classes of a class's lambdas.
 *
 * <p>On JDK 25 and newer on x86-64 the Vector API's own classes are left to C1 as well ({@link #VECTOR_API}):
 * C2 still inlines them into the kernels, and no longer spends its first second compiling their
 * Java fallback.
 */
final class JitAdvice {
    private JitAdvice() {}

    /**
     * The methods left to C1, as {@code class::method} patterns of the directives' {@code match}
     * (a trailing {@code *} matches any rest of the name; a method {@code *}, all of a class's).
     */
    static final List<String> C1_ONLY = List.of(
            "dev.depth.kernel.Gemm::sgemm", "dev.depth.kernel.Gemm::linear", "dev.depth.kernel.Gemm::multiply",
            "dev.depth.kernel.Gemm::packed", "dev.depth.kernel.Gemm::grid", "dev.depth.kernel.Gemm::block",
            "dev.depth.kernel.Gemm::packA", "dev.depth.kernel.Gemm::packB", "dev.depth.kernel.Gemm::zeroColumns",
            "dev.depth.kernel.Gemm::tiles", "dev.depth.kernel.Gemm::tile", "dev.depth.kernel.Gemm::transposed", "dev.depth.kernel.Gemm::lambda*",
            "dev.depth.kernel.Gemm$$Lambda*::*", "dev.depth.kernel.Parallel::forRange",
            "dev.depth.kernel.Parallel$Region::*", "dev.depth.kernel.Parallel$Worker::*", "dev.depth.kernel.Parallel$Background::*",
            "dev.depth.data.TensorDataset::batch", "dev.depth.data.TensorDataset::decode", "dev.depth.data.TensorDataset$Assembly::*",
            "dev.depth.autograd.Autograd::*", "dev.depth.autograd.Node::*",
            "dev.depth.tensor.Tensor::*", "dev.depth.tensor.Shapes::*", "dev.depth.tensor.ElementwiseOps::binaryInto",
            "dev.depth.optim.Optimizer::*", "dev.depth.optim.Optimizer$ParamState::*", "dev.depth.optim.Adam::*",
            "dev.depth.optim.AdamW::*", "dev.depth.optim.AdamKernel::step", "dev.depth.optim.AdamKernel::lambda$step*",
            "dev.depth.optim.AdamKernel$$Lambda*::*",
            "dev.depth.nn.Module::*", "dev.depth.nn.Sequential::*", "dev.depth.nn.Linear::*",
            "dev.depth.nn.F::linear", "dev.depth.nn.F::lambda$linear*", "dev.depth.nn.F::crossEntropy", "dev.depth.nn.F::lambda$crossEntropy*",
            "dev.depth.nn.F$$Lambda*::*");

    /** Methods of the classes in {@link #C1_ONLY} that loop over elements: C2 keeps compiling them. */
    static final List<String> C2_KEPT = List.of(
            "dev.depth.tensor.Tensor::copyStrided", "dev.depth.tensor.Tensor::allClose", "dev.depth.tensor.Tensor::arange",
            "dev.depth.tensor.Tensor::eye", "dev.depth.tensor.Tensor::normal", "dev.depth.tensor.Tensor::uniform",
            "dev.depth.tensor.Tensor::of", "dev.depth.tensor.Tensor::stack", "dev.depth.optim.Optimizer::prepare");

    /**
     * The Vector API's own classes, left to C1 on JDK 25 and newer on x86-64 ({@link #VECTOR_API_TO_C1}). Their methods
     * do two jobs. Inlined into a kernel that C2 compiles, they become its vector instructions (C2 still inlines
     * them there: a directive's exclusion only stops C2 from compiling a method on its own). Run on their own,
     * they are the Java fallback that a kernel runs until C2 has compiled it: an object per vector operation,
     * millions of calls in a training's first second. Those calls made C2 compile the fallback itself (bOp,
     * tOp, ldOp, stOp, the operations' lambdas, VectorSupport's entry points: 180 of the 314 methods C2
     * compiled in W2's first 1.7 s, 0.6-1.0 s of its 1.4-1.9 s of work) while the kernels waited in its queue:
     * the GEMM's micro-kernel reached C2 at 1.0 s and the transposes at 1.5-1.7 s, inside the steps that W2
     * times. Code C2 compiles for the fallback is dead as soon as the kernels are compiled.
     */
    static final List<String> VECTOR_API = List.of("jdk.incubator.vector.*::*", "jdk.internal.vm.vector.*::*");

    /**
     * Whether {@link #VECTOR_API} joins the methods left to C1: on JDK 25 and newer on x86-64, where every
     * kernel was measured to compile to intrinsics ({@code CompiledKernelsTest}, run with this advice). Older
     * JDKs' C2 leaves some vector operations as calls ({@code FullC2}), and so may C2 on other processors (not
     * measured: a two-vector rearrange, say, on NEON); those calls would then run C1's code.
     * Measured on W2 (2026-11-27, bench/README.md, "The Vector API's fallback left to C1"): C2's work in the
     * first 1.7 s fell from 1.4-1.9 s to 1.1 s, C2 began the micro-kernel at 0.80 s of uptime instead of 1.01 s,
     * and the timed window ran 5.5% faster (8 alternating pairs, 7 faster).
     */
    static final boolean VECTOR_API_TO_C1 = vectorApiToC1(Runtime.version().feature(), System.getProperty("os.arch", ""));

    static boolean vectorApiToC1(int jdk, String arch) {
        return jdk >= 25 && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /**
     * The JDK's classes that a training step's glue calls into every step: autograd's identity maps and its
     * traversal's deque, the optimiser's maps, the pool's atomics and its lock. C2 compiles their methods as usual
     * ({@link #compileCommands()} only lowers the thresholds, as for {@link #C1_ONLY}): those methods reached C2's
     * thresholds inside W2's timed steps and took most of C2's 10.6-11.7 ms there (2026-11-28, JFR),
     * {@code IdentityHashMap.remove} 3.4-3.7 ms of it. With them: W2's window 0.99-1.12x (8 rounds, median 1.03).
     */
    static final List<String> JDK_GLUE = List.of("java.util.IdentityHashMap::*", "java.util.HashMap::*", "java.util.ArrayDeque::*",
            "java.util.concurrent.atomic.*::*", "java.util.concurrent.locks.*::*");

    /**
     * The factor the launcher's compile commands ({@link #compileCommands()}) apply to the JIT's thresholds for
     * {@link #C1_ONLY} (and {@link #JDK_GLUE}): 0.1, so that C1 compiles them after about 20-200 calls instead of 200-2,000, and compiles
     * them again without profiling (tier 1, their final code: C2 is excluded) after about 500 calls instead of
     * 5,000. Without it, a training step's glue reached its final code only inside W2's timed steps (steps 50-469):
     * C1 compiled 23-27 of them the second time there and 31-38 methods with profiling (18-19 ms of C1's time in the
     * 0.4-0.5 s window, JFR's {@code jdk.Compilation}), the profiled code ran until then, and steps after each compilation ran long
     * while the compiler thread had a core. Measured (2026-11-28, W2's window, 6 rounds of alternating processes):
     * 1.02-1.15x samples/s (median 1.06), a third fewer steps above 1.3x the median (31-36 against 45-58); the same
     * factor for every {@code dev.depth} method (the kernels reaching C2 early, on a shorter profile) was 0.85-0.97x.
     */
    static final double THRESHOLD_SCALING = 0.1;

    /**
     * The text of a {@code -XX:CompileCommandFile} that scales the compile thresholds of {@link #C1_ONLY} and
     * {@link #JDK_GLUE} by {@link #THRESHOLD_SCALING} ({@code quiet} first: HotSpot would print every command on standard output).
     * A JVM flag, unlike the directives: a per-method threshold is not a directive option, and compile commands
     * are read only at start-up. The launcher passes {@code depth-cli/jvm/compile-commands.txt}, which holds this
     * text (a test compares them).
     */
    static String compileCommands() {
        StringBuilder sb = new StringBuilder("quiet\n");
        for (String p : java.util.stream.Stream.concat(C1_ONLY.stream(), JDK_GLUE.stream()).toList())
            sb.append("CompileThresholdScaling,").append(p).append(',').append(THRESHOLD_SCALING).append('\n');
        return sb.toString();
    }

    /** How many directives {@link #directives()} holds. */
    static final int DIRECTIVES = 2;

    /**
     * The directives file's text: {@link #C2_KEPT} as they are, then C2 excludes {@link #C1_ONLY} (and
     * {@link #VECTOR_API} where {@link #VECTOR_API_TO_C1}), which C1 goes on compiling.
     */
    static String directives() {
        List<String> toC1 = VECTOR_API_TO_C1 ? java.util.stream.Stream.concat(C1_ONLY.stream(), VECTOR_API.stream()).toList() : C1_ONLY;
        return "[" + match(C2_KEPT) + "c2: { Exclude: false } },\n " + match(toC1) + "c2: { Exclude: true } }]\n";
    }

    private static String match(List<String> patterns) {
        return patterns.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(", ", "{ match: [", "], "));
    }

    /**
     * Adds the directives to this JVM's compiler through the {@code Compiler.directives_add}
     * diagnostic command (the platform MBean server's {@code DiagnosticCommand} bean: no JVM flag
     * needed, and its message is returned rather than printed).
     *
     * @return the command's output, e.g. "2 compiler directives added"
     * @throws Exception when this JVM has no such command (not HotSpot, or no jdk.management
     *     module) or refuses it
     */
    static String install() throws Exception {
        Path file = Files.createTempFile("depth-jit-", ".json");
        try {
            Files.writeString(file, directives(), StandardCharsets.UTF_8);
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "compilerDirectivesAdd", new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            return String.valueOf(out).strip();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
