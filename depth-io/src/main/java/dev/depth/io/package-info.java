/**
 * Saving and loading models: tensors in the safetensors format ({@link dev.depth.io.Safetensors}),
 * model directories with weights and run configuration ({@link dev.depth.io.Checkpoint}), atomic
 * file replacement ({@link dev.depth.io.AtomicFiles}) and a small strict JSON reader and writer
 * ({@link dev.depth.io.Json}).
 *
 * <p>Every reader validates what it reads and reports a bad file with a
 * {@link dev.depth.io.FileFormatException} that names the file, the byte offset and what was
 * expected; every writer replaces its file atomically, so a crash never leaves a truncated
 * checkpoint under the final name. The package depends on nothing beyond the JDK and
 * {@code depth-core}.
 *
 * <p>A model saved here loads in Python with {@code safetensors.torch.load_file}, and the tensor
 * names are PyTorch's dotted {@code state_dict} names, so checkpoints move both ways.
 */
package dev.depth.io;
