package dev.depth.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapGoalTest {
    @Test
    void parsesSizes() {
        assertEquals(640L << 20, HeapGoal.parse("640m"));
        assertEquals(2L << 30, HeapGoal.parse(" 2G "));
        assertEquals(512L << 10, HeapGoal.parse("512k"));
        assertEquals(1_000_000L, HeapGoal.parse("1000000"));
        for (String bad : new String[] {"", "m", "-5m", "0", "12x", "640mb", "99999999999g"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeapGoal.parse(bad), bad);
            assertTrue(e.getMessage().contains("depth.softMaxHeap"), e.getMessage());
        }
    }

    @Test
    void appliesTheGoalClampedToTheMaximumHeap() {
        String before = System.getProperty(HeapGoal.PROPERTY);
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String original = vm.getVMOption("SoftMaxHeapSize").getValue();
        try {
            System.clearProperty(HeapGoal.PROPERTY);
            assertEquals(-1, HeapGoal.apply(), "no property, nothing applied");
            // far above any test JVM's maximum heap: clamped rather than refused
            boolean userSet = HeapGoal.chosen(vm.getVMOption("SoftMaxHeapSize"));
            System.setProperty(HeapGoal.PROPERTY, "100000g");
            long applied = HeapGoal.apply();
            if (userSet) {
                assertEquals(-1, applied, "a SoftMaxHeapSize given on the command line is left alone");
            } else {
                assertEquals(Runtime.getRuntime().maxMemory(), applied);
                assertEquals(Long.toString(applied), vm.getVMOption("SoftMaxHeapSize").getValue());
                assertEquals(-1, HeapGoal.apply(), "once set, the goal is not set again");
            }
        } finally {
            if (before == null) System.clearProperty(HeapGoal.PROPERTY);
            else System.setProperty(HeapGoal.PROPERTY, before);
            vm.setVMOption("SoftMaxHeapSize", original);
        }
    }
}
