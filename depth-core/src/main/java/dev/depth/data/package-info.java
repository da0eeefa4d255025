/**
 * Data for training: datasets, the loader that cuts them into mini-batches, the samplers that
 * order each epoch, and readers for dataset files.
 *
 * <ul>
 *   <li>{@link dev.depth.data.Dataset}: {@code size()} examples, each from {@code get(i)};
 *       {@link dev.depth.data.TensorDataset} holds features (n, ...) and targets (n, ...) in two
 *       tensors and copies batches out of them with {@code System.arraycopy}.
 *   <li>{@link dev.depth.data.DataLoader}: an {@code Iterable<Batch>}, one epoch per loop, with
 *       seeded per-epoch shuffling, drop-last and a background prefetch thread (by default
 *       not for an in-memory dataset while the kernels' threads take every core: those batches
 *       are gathered on the training thread, split over the kernels' threads);
 *       {@link dev.depth.data.Batch} is {@code x} (batch, ...) and {@code y} (batch, ...).
 *   <li>{@link dev.depth.data.Sampler}: the indices of epoch {@code e}, a pure function of its
 *       configuration and {@code e} (sequential, random; curriculum samplers plug in here).
 *   <li>{@link dev.depth.data.IdxReader}: the IDX format of MNIST and Fashion-MNIST, raw or gzip,
 *       validated byte for byte; {@link dev.depth.data.FashionMnist} finds (or downloads and
 *       verifies) the Fashion-MNIST files and loads them as tensors.
 * </ul>
 *
 * <pre>{@code
 * FashionMnist.Splits data = FashionMnist.load(null);          // or FashionMnist.load(Path.of(dir))
 * DataLoader loader = DataLoader.builder(data.train()).batchSize(64).shuffle(42).build();
 * for (Batch batch : loader) {
 *     Tensor x = batch.x();                                   // (64, 1, 28, 28), values in [0, 1]
 *     Tensor y = batch.y();                                   // (64), class indices 0..9 as floats
 * }
 * }</pre>
 *
 * <p>Randomness is explicit (a seed per loader); the same seed gives the same batches on every
 * JVM. Readers fail with an {@link dev.depth.data.IdxFormatException} or {@link java.io.IOException}
 * naming the file, the offset and what was expected; nothing is silently truncated.
 */
package dev.depth.data;
