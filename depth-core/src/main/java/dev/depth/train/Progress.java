package dev.depth.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress line of a training epoch: step/total, rate, ETA and running loss.
 *
 * <p>On a terminal the line is redrawn in place (carriage return) at most {@link #REDRAW_MS}
 * apart; when the output is not a terminal (a log file, CI) it degrades to plain lines, one every
 * {@link #PLAIN_INTERVAL_MS} and one at the end, so logs stay readable.
 *
 * <p>Not thread safe: one epoch, one thread.
 */
public final class Progress {
    /** Minimum time between redraws on a terminal. */
    public static final long REDRAW_MS = 100;
    /** Time between plain lines when the output is not a terminal. */
    public static final long PLAIN_INTERVAL_MS = 10_000;
    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final int total;
    private final String unit;
    private final long startNanos;
    private long lastDraw;
    private int lastWidth;

    /**
     * @param out where to draw (the CLI uses stderr so stdout stays clean for --json)
     * @param terminal whether {@code out} is an interactive terminal
     * @param label prefix such as "epoch 1/5"
     * @param total number of steps, or 0 if unknown
     * @param unit what the rate counts, such as "samples"
     */
    public Progress(PrintStream out, boolean terminal, String label, int total, String unit) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.startNanos = System.nanoTime();
        this.lastDraw = terminal ? 0 : System.currentTimeMillis();
    }

    /** Whether standard output looks like an interactive terminal. */
    public static boolean isTerminal() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    /** Reports that {@code step} of {@code total} steps are done, with {@code items} processed so far. */
    public void update(int step, long items, double runningLoss) {
        long now = System.currentTimeMillis();
        boolean last = total > 0 && step >= total;
        if (!last && now - lastDraw < (terminal ? REDRAW_MS : PLAIN_INTERVAL_MS)) return;
        lastDraw = now;
        String line = format(step, items, runningLoss);
        if (terminal) {
            String pad = line.length() < lastWidth ? " ".repeat(lastWidth - line.length()) : "";
            out.print("\r" + line + pad);
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the progress line (a newline on a terminal). */
    public void finish() {
        if (terminal && lastWidth > 0) {
            out.println();
            out.flush();
        }
    }

    String format(int step, long items, double runningLoss) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? items / seconds : 0;
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.round(BAR_WIDTH * Math.min(1.0, step / (double) total));
            sb.append('[').append("=".repeat(filled));
            if (filled < BAR_WIDTH) sb.append('>').append(" ".repeat(BAR_WIDTH - filled - 1));
            sb.append("] ").append(step).append('/').append(total);
        } else {
            sb.append(step);
        }
        sb.append(String.format(Locale.ROOT, "  %,.0f %s/s", rate, unit));
        if (total > 0 && step > 0 && step < total) {
            double eta = seconds / step * (total - step);
            sb.append("  ETA ").append(duration(eta));
        } else {
            sb.append("  ").append(duration(seconds));
        }
        if (!Double.isNaN(runningLoss)) sb.append(String.format(Locale.ROOT, "  loss %.4f", runningLoss));
        return sb.toString();
    }

    /** m:ss or h:mm:ss. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
