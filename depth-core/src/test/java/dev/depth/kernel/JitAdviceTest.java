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
        for (String pattern : JitAdvice.C1_ONLY) {
            String[] parts = pattern.split("::");
            assertEquals(2, parts.length, pattern);
            Class<?> c = Class.forName(parts[0]);
            String name = parts[1];
            boolean prefix = name.endsWith("*");
            String stem = prefix ? name.substring(0, name.length() - 1) : name;
            assertTrue(Arrays.stream(c.getDeclaredMethods()).map(Method::getName).anyMatch(n -> prefix ? n.startsWith(stem) : n.equals(stem)),
                    pattern + " matches no method of " + c.getName());
        }
        String text = JitAdvice.directives();
        assertTrue(text.startsWith("[{ match: [") && text.strip().endsWith("c2: { Exclude: true } }]"), text);
        for (String pattern : JitAdvice.C1_ONLY) assertTrue(text.contains("\"" + pattern + "\""), pattern);
    }

    @Test
    void hotSpotTakesTheDirectivesAndTheAdviceActsOnce() throws Exception {
        assertEquals("1 compiler directives added", JitAdvice.install());
        String installed = String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
        assertTrue(installed.contains("dev/depth/kernel/Gemm.block") && installed.contains("dev/depth/data/TensorDataset.batch"), installed);

        boolean first = Kernels.adviseJit();
        assertEquals(!"false".equalsIgnoreCase(System.getProperty("depth.jitAdvice")), first);
        assertFalse(Kernels.adviseJit(), "a second call adds nothing");
    }
}
