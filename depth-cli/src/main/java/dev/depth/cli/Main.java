package dev.depth.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Entry point of the {@code depth} command. Errors a user can act on (bad options, missing or
 * corrupt data) print one line on stderr and exit non-zero; the stack trace only with --verbose.
 */
public final class Main {
    private Main() {}

    /** Exit code for bad usage (picocli's convention). */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure while running. */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        try {
            HeapGoal.apply();
        } catch (IllegalArgumentException e) {
            System.err.println("depth: " + e.getMessage());
            System.exit(EXIT_USAGE);
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new DepthCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("depth: " + ex.getMessage());
            CommandLine sub = ex.getCommandLine();
            err.println("Try '" + sub.getCommandSpec().qualifiedName() + " --help' for more information.");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            if (verbose) ex.printStackTrace(err);
            err.println("depth: error: " + describe(ex));
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    private static String describe(Throwable ex) {
        String msg = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) return "no such file: " + msg;
        if (ex instanceof OutOfMemoryError) return "out of memory (" + msg + "); try a smaller --batch-size or more heap via DEPTH_JVM_OPTS=-Xmx8g";
        if (msg == null || msg.isBlank()) return ex.getClass().getSimpleName();
        return msg;
    }
}
