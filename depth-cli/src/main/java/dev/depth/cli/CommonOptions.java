package dev.depth.cli;

import dev.depth.data.FashionMnist;
import dev.depth.kernel.Parallel;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by the subcommands. */
final class CommonOptions {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory holding the Fashion-MNIST files. Default: $DEPTH_DATA, ~/.cache/depth/datasets/fashion-mnist, "
                    + "/usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist), else download.")
    Path data;

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all ${sys:depth.cores} cores).")
    Integer threads;

    @Option(names = "--json", description = "Print one final JSON line with the metrics on stdout (progress stays on stderr).")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces of errors.")
    boolean verbose;

    static {
        System.setProperty("depth.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    /** The data and where it came from, for the run's header line. */
    record LoadedData(FashionMnist.Splits splits, String source) {}

    /** Finds Fashion-MNIST (--data first, then the default places) and loads at most the given counts. */
    LoadedData loadData(int maxTrain, int maxTest) throws java.io.IOException {
        FashionMnist.Location location = FashionMnist.builder().directory(data).build().locate();
        return new LoadedData(FashionMnist.load(location, maxTrain, maxTest),
                location.directory() + " (" + location.origin().toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")");
    }

    /**
     * {@link #applyThreads} for a command that trains: also starts the training code's warm-up
     * ({@link dev.depth.train.TrainingWarmUp#inBackground}), which compiles the modules', autograd's and
     * Adam's code on a spare core while the data loads.
     */
    int applyThreadsForTraining(picocli.CommandLine.Model.CommandSpec spec) {
        int threads = applyThreads(spec);
        dev.depth.train.TrainingWarmUp.inBackground();
        return threads;
    }

    /**
     * Applies --threads, gives the JIT Depth's advice ({@link dev.depth.kernel.Kernels#adviseJit}) and starts
     * the kernels' warm-up ({@link dev.depth.kernel.Kernels#warmUpInBackground}); returns the thread count in use.
     */
    int applyThreads(picocli.CommandLine.Model.CommandSpec spec) {
        if (threads != null) {
            if (threads < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
            Parallel.setThreads(threads);
        }
        // Every command that computes comes here before it loads its data. The JIT's advice loads JMX (120-135 ms),
        // so a daemon thread gives it while the data loads, long before the methods it names are hot; the
        // micro-kernel is compiled meanwhile too.
        Thread advice = new Thread(dev.depth.kernel.Kernels::adviseJit, "depth-jit-advice");
        advice.setDaemon(true);
        advice.start();
        dev.depth.kernel.Kernels.warmUpInBackground();
        return Parallel.threads();
    }
}
