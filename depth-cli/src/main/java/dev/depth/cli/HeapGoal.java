package dev.depth.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The soft heap goal the {@code ./depth} launcher asks for with {@code -Ddepth.softMaxHeap=SIZE}
 * (e.g. {@code 640m}), applied at start-up rather than as {@code -XX:SoftMaxHeapSize}: the JVM
 * refuses to start when that flag exceeds the maximum heap (a machine with under 2.5 GB of memory,
 * a container limit, or an {@code -Xmx} of the user's), while here the goal is clamped to it.
 * {@code SoftMaxHeapSize} is a manageable flag that ZGC reads at every cycle. A value the user set
 * on the command line is left alone.
 */
final class HeapGoal {
    private HeapGoal() {}

    static final String PROPERTY = "depth.softMaxHeap";

    /** Applies the goal when the property is set; returns the bytes applied, or -1 when nothing was. */
    static long apply() {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isBlank()) return -1;
        long bytes = parse(spec);
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (chosen(vm.getVMOption("SoftMaxHeapSize"))) return -1; // the user's own setting wins
            long goal = Math.min(bytes, Runtime.getRuntime().maxMemory());
            vm.setVMOption("SoftMaxHeapSize", Long.toString(goal));
            return goal;
        } catch (RuntimeException e) { // a JVM without the flag or the bean: run without a goal
            System.err.println("depth: warning: could not set the soft heap goal " + spec + ": " + e.getMessage());
            return -1;
        }
    }

    /** Whether the option was given (command line, JAVA_TOOL_OPTIONS, a flags file) or set since start-up. */
    static boolean chosen(VMOption option) {
        return switch (option.getOrigin()) {
            case DEFAULT, ERGONOMIC, OTHER -> false; // ERGONOMIC: the JVM's own choice (the maximum heap, for ZGC)
            default -> true;
        };
    }

    /** "640m", "2g", "1048576" (bytes). */
    static long parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            s = s.substring(0, s.length() - 1);
        }
        try {
            long v = Long.parseLong(s);
            if (v <= 0) throw new NumberFormatException();
            return Math.multiplyExact(v, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + spec + ": expected a positive size such as 640m or 2g");
        }
    }
}
