package dev.depth.kernel;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * HotSpot compiler directives (JEP 165) that leave the GEMM's driver and the batch assembly of an
 * in-memory dataset to C1: see {@link Kernels#adviseJit()}.
 *
 * <p>These methods only orchestrate: they loop over blocks, panels, tiles and rows and call the
 * SIMD kernels, which do the work and which C2 still compiles. C1's code for them measured as
 * fast as C2's, while C2 spent about 0.2 s of CPU time compiling them during the first few
 * hundred training steps, when two cores have none to spare (bench/README.md, "A faster
 * morning"): they are called a few to a few dozen times per step and reach C2's threshold there.
 *
 * <p>A method listed here must not use the Vector API itself (C1 does not intrinsify it: each
 * vector operation would run its Java fallback, about 100x slower); {@code JitAdviceTest} checks
 * that the classes do not refer to it. Lambdas are matched by prefix, since their numbers change
 * with the source.
 */
final class JitAdvice {
    private JitAdvice() {}

    /**
     * The methods left to C1, as {@code class::method} patterns of the directives' {@code match}
     * (a trailing {@code *} matches any rest of the name: the classes' lambdas).
     */
    static final List<String> C1_ONLY = List.of(
            "dev.depth.kernel.Gemm::sgemm", "dev.depth.kernel.Gemm::linear", "dev.depth.kernel.Gemm::multiply",
            "dev.depth.kernel.Gemm::packed", "dev.depth.kernel.Gemm::grid", "dev.depth.kernel.Gemm::block",
            "dev.depth.kernel.Gemm::packA", "dev.depth.kernel.Gemm::packB", "dev.depth.kernel.Gemm::zeroColumns",
            "dev.depth.kernel.Gemm::tiles", "dev.depth.kernel.Gemm::transposed", "dev.depth.kernel.Gemm::lambda*",
            "dev.depth.data.TensorDataset::batch", "dev.depth.data.TensorDataset::decode", "dev.depth.data.TensorDataset::lambda*");

    /** The directives file's text: C2 excludes {@link #C1_ONLY}, which C1 goes on compiling. */
    static String directives() {
        return C1_ONLY.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(", ", "[{ match: [", "], c2: { Exclude: true } }]\n"));
    }

    /**
     * Adds the directives to this JVM's compiler through the {@code Compiler.directives_add}
     * diagnostic command (the platform MBean server's {@code DiagnosticCommand} bean: no JVM flag
     * needed, and its message is returned rather than printed).
     *
     * @return the command's output, e.g. "1 compiler directives added"
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
