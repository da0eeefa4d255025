package dev.depth.cli;

import dev.depth.io.Checkpoint;
import picocli.CommandLine.Command;

/** The top-level {@code depth} command. */
@Command(name = "depth",
        mixinStandardHelpOptions = true,
        versionProvider = DepthCommand.Version.class,
        description = {"Depth: deep learning on the JVM, in pure Java.", ""},
        subcommands = {TrainCommand.class, EvalCommand.class, GenerateCommand.class, BenchCommand.class, picocli.CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  depth train                           train the CNN on Fashion-MNIST for 2 epochs",
                "  depth train --model mlp --epochs 5 --json",
                "  depth eval --checkpoint runs/cnn-20261126-101500",
                "  depth bench W1 W6                     sgemm GFLOP/s and MLP inference latency (bench/WORKLOADS.md)"})
public final class DepthCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints Depth's, the JVM's and the kernels' versions. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"depth " + Checkpoint.depthVersion(),
                    "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                    "kernels: " + dev.depth.kernel.Kernels.describe()};
        }
    }
}
