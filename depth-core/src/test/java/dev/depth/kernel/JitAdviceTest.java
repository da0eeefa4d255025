package dev.depth.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Arrays;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** {@link Kernels#adviseJit()}: the directives name real methods, and HotSpot takes them. */
class JitAdviceTest {

    @Test
    void everyPatternNamesAMethodThatExists() throws Exception {
        // A renamed method would leave its pattern matching nothing, silently: C2 would compile it again.
        for (String pattern : concat(JitAdvice.C1_ONLY, JitAdvice.C2_KEPT)) {
            String[] parts = pattern.split("::");
            assertEquals(2, parts.length, pattern);
            String name = parts[1];
            boolean prefix = name.endsWith("*");
            String stem = prefix ? name.substring(0, name.length() - 1) : name;
            if (parts[0].endsWith("$$Lambda*")) { // the hidden classes of a class's lambdas: the class has lambdas
                Class<?> outer = Class.forName(parts[0].substring(0, parts[0].length() - "$$Lambda*".length()));
                assertEquals("*", name, pattern);
                assertTrue(Arrays.stream(outer.getDeclaredMethods()).anyMatch(m -> m.getName().startsWith("lambda$")), pattern + ": no lambdas");
                continue;
            }
            Class<?> c = Class.forName(parts[0]);
            assertTrue(Arrays.stream(c.getDeclaredMethods()).map(Method::getName).anyMatch(n -> prefix ? n.startsWith(stem) : n.equals(stem)),
                    pattern + " matches no method of " + c.getName());
        }
        String text = JitAdvice.directives();
        int kept = text.indexOf("c2: { Exclude: false }"), excluded = text.indexOf("c2: { Exclude: true }");
        assertTrue(text.startsWith("[{ match: [") && kept > 0 && excluded > kept && text.strip().endsWith("}]"), text);
        for (String pattern : JitAdvice.C2_KEPT) assertTrue(text.indexOf("\"" + pattern + "\"") < kept, pattern);
        for (String pattern : JitAdvice.C1_ONLY) {
            int at = text.indexOf("\"" + pattern + "\"");
            assertTrue(at > kept && at < excluded, pattern);
        }
    }

    @Test
    void theVectorApiIsLeftToC1OnJdk25AndNewerOnX86Only() throws Exception {
        // The patterns name packages that exist: one class of each is there.
        Class.forName("jdk.incubator.vector.FloatVector");
        Class.forName("jdk.internal.vm.vector.VectorSupport");
        assertEquals(JitAdvice.vectorApiToC1(Runtime.version().feature(), System.getProperty("os.arch")), JitAdvice.VECTOR_API_TO_C1);
        assertTrue(JitAdvice.vectorApiToC1(25, "amd64") && JitAdvice.vectorApiToC1(26, "x86_64"));
        assertFalse(JitAdvice.vectorApiToC1(24, "amd64") || JitAdvice.vectorApiToC1(17, "amd64") || JitAdvice.vectorApiToC1(25, "aarch64"));
        String text = JitAdvice.directives();
        int excluded = text.indexOf("c2: { Exclude: true }"), lastOwn = text.indexOf("\"" + JitAdvice.C1_ONLY.get(JitAdvice.C1_ONLY.size() - 1) + "\"");
        for (String pattern : JitAdvice.VECTOR_API) {
            int at = text.indexOf("\"" + pattern + "\"");
            if (JitAdvice.VECTOR_API_TO_C1) assertTrue(at > lastOwn && at < excluded, pattern + " in " + text);
            else assertEquals(-1, at, pattern + " in " + text);
        }
    }

    @Test
    void methodsKeptOnC2BelongToClassesLeftToC1() {
        // C2_KEPT only carves exceptions out of whole classes in C1_ONLY; anything else belongs in neither list.
        for (String pattern : JitAdvice.C2_KEPT) {
            String className = pattern.split("::")[0];
            assertTrue(JitAdvice.C1_ONLY.contains(className + "::*"), pattern + ": its class is not left to C1 as a whole");
        }
    }

    private static java.util.List<String> concat(java.util.List<String> a, java.util.List<String> b) {
        var all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void noMethodLeftToC1UsesTheVectorApiItself() throws Exception {
        // C1 does not intrinsify the Vector API: a vector operation written in one of these classes would run its
        // Java fallback, about 100x slower. They must only call the kernels (which C2 compiles).
        assertTrue(refersToTheVectorApi("dev.depth.kernel.simd.VectorFloatKernels"), "the check sees a class that does");
        for (String className : JitAdvice.C1_ONLY.stream().map(p -> p.split("::")[0]).filter(c -> !c.endsWith("$$Lambda*")).distinct().toList())
            assertFalse(refersToTheVectorApi(className), className + " refers to the Vector API; it cannot be left to C1");
    }

    /** Whether the class file names a jdk.incubator.vector type (its constant pool holds the names it uses). */
    private static boolean refersToTheVectorApi(String className) throws java.io.IOException {
        String resource = "/" + className.replace('.', '/') + ".class";
        try (var in = JitAdviceTest.class.getResourceAsStream(resource)) {
            assertTrue(in != null, resource);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("jdk/incubator/vector");
        }
    }

    @Test
    void hotSpotTakesTheDirectivesAndTheAdviceActsOnce() throws Exception {
        assertEquals(JitAdvice.DIRECTIVES + " compiler directives added", JitAdvice.install());
        String installed = String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
        assertTrue(installed.contains("dev/depth/kernel/Gemm.block") && installed.contains("dev/depth/data/TensorDataset.batch")
                && installed.contains("dev/depth/autograd/Autograd.*") && installed.contains("dev/depth/tensor/Tensor.copyStrided"), installed);
        assertEquals(JitAdvice.VECTOR_API_TO_C1, installed.contains("jdk/incubator/vector/*.*") && installed.contains("jdk/internal/vm/vector/*.*"), installed);

        boolean first = Kernels.adviseJit();
        assertEquals(!"false".equalsIgnoreCase(System.getProperty("depth.jitAdvice")), first);
        assertFalse(Kernels.adviseJit(), "a second call adds nothing");
    }
}
