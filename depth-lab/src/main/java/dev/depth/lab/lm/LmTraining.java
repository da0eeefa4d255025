package dev.depth.lab.lm;

import dev.depth.autograd.Autograd;
import dev.depth.io.Checkpoint;
import dev.depth.nn.Init;
import dev.depth.optim.AdamW;
import dev.depth.optim.Optimizer;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import dev.depth.text.BytePairEncoding;
import dev.depth.text.CharVocabulary;
import dev.depth.text.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a character (or BPE) language model on a text: random windows of the first 90% of the
 * token stream for training, the last 10% for validation. Reports validation loss in nats per
 * token and in bits per character, to compare with the corpus's unigram entropy.
 */
public final class LmTraining {
    private LmTraining() {}

    /** File in a checkpoint directory that holds the tokenizer. */
    public static final String TOKENIZER_FILE = "tokenizer.txt";

    /**
     * @param model "lstm-lm" (W4's sizes) or "gpt" (W5's sizes)
     * @param tokenizer "char" or "bpe"
     * @param bpeVocab vocabulary size when tokenizer is "bpe"
     * @param seqLength window length; 0 for the model's default (64 for lstm-lm, 128 for gpt)
     */
    public record Config(String model, String tokenizer, int bpeVocab, int steps, int batch, int seqLength, double lr, long seed,
                         int evalEvery, int evalBatches) {
        public static final Config DEFAULTS = new Config("lstm-lm", "char", 512, 2000, 32, 0, 2e-3, 42, 200, 20);
    }

    /** Figures of a finished run. */
    public record Result(double trainLoss, double valLoss, double valBitsPerChar, double unigramBitsPerChar, double tokensPerSecond,
                         int vocab, long trainTokens, String sample) {}

    public static LanguageModel create(String model, int vocab, int context) {
        return switch (model) {
            case "lstm-lm" -> new CharLstmModel(vocab, 64, 256, 1);
            case "gpt" -> new GptModel(new GptModel.Config(vocab, context, 4, 4, 128));
            default -> throw new IllegalArgumentException("unknown language model '" + model + "'; expected lstm-lm or gpt");
        };
    }

    public static Result run(Config c, String text, double unigramBits, Path out, PrintStream log) throws IOException {
        Tokenizer tok = c.tokenizer().equals("bpe") ? BytePairEncoding.train(text, c.bpeVocab()) : CharVocabulary.build(text);
        int[] tokens = tok.encode(text);
        double charsPerToken = text.codePointCount(0, text.length()) / (double) tokens.length;
        int split = (int) (tokens.length * 0.9);
        int seq = c.seqLength() > 0 ? c.seqLength() : (c.model().equals("gpt") ? 128 : 64);
        if (split <= seq + 1 || tokens.length - split <= seq + 1)
            throw new IllegalArgumentException("the text is too short: " + tokens.length + " tokens for windows of " + seq);
        LanguageModel model;
        try (var s = Init.seed(c.seed())) {
            model = create(c.model(), tok.vocabSize(), seq);
        }
        Optimizer opt = new AdamW(model.parameters(), c.lr()).withGradClipNorm(1.0);
        Generator gen = new Generator(c.seed());
        log.printf(Locale.ROOT, "%s: %,d parameters, %s tokenizer with %d tokens (%.2f chars/token), %,d training / %,d validation tokens%n",
                c.model(), model.numParameters(), c.tokenizer(), tok.vocabSize(), charsPerToken, split, tokens.length - split);
        double lossSum = 0;
        int count = 0;
        double trainLoss = Double.NaN, valLoss = Double.NaN;
        long start = System.nanoTime(), tokensSeen = 0;
        for (int step = 1; step <= c.steps(); step++) {
            Tensor[] b = batch(tokens, 0, split, c.batch(), seq, gen);
            Tensor loss = model.loss(b[0], b[1]);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            lossSum += loss.item();
            count++;
            tokensSeen += (long) c.batch() * seq;
            if (step % c.evalEvery() == 0 || step == c.steps()) {
                trainLoss = lossSum / count;
                lossSum = 0;
                count = 0;
                valLoss = validate(model, tokens, split, c, seq);
                double seconds = (System.nanoTime() - start) / 1e9;
                log.printf(Locale.ROOT, "step %d/%d  train loss %.4f  val loss %.4f  val bits/char %.3f  (unigram %.3f)  %,.0f tokens/s%n",
                        step, c.steps(), trainLoss, valLoss, bitsPerChar(valLoss, charsPerToken), unigramBits, tokensSeen / seconds);
            }
        }
        double tps = tokensSeen / ((System.nanoTime() - start) / 1e9);
        // a sample continuing the start of the validation text
        int[] prompt = java.util.Arrays.copyOfRange(tokens, split, split + Math.max(1, (int) Math.round(20 / charsPerToken)));
        int[] continuation = model.generate(prompt, (int) Math.round(300 / charsPerToken), new Sampling(0.8, 0, 0.95), new Generator(c.seed()));
        String sample = tok.decode(prompt) + tok.decode(continuation);
        if (out != null) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("model", c.model());
            config.put("vocab", tok.vocabSize());
            config.put("context", seq);
            config.put("tokenizer", c.tokenizer());
            config.put("steps", c.steps());
            config.put("seed", c.seed());
            config.put("val_loss", valLoss);
            config.put("val_bits_per_char", bitsPerChar(valLoss, charsPerToken));
            config.putAll(Checkpoint.provenance());
            Checkpoint.save(out, model, config);
            tok.save(out.resolve(TOKENIZER_FILE));
        }
        return new Result(trainLoss, valLoss, bitsPerChar(valLoss, charsPerToken), unigramBits, tps, tok.vocabSize(), tokensSeen, sample);
    }

    /** nats per token to bits per character. */
    public static double bitsPerChar(double natsPerToken, double charsPerToken) {
        return natsPerToken / Math.log(2) / charsPerToken;
    }

    /** Random windows of tokens[from, to): x (batch, seq) and y shifted by one. */
    static Tensor[] batch(int[] tokens, int from, int to, int batch, int seq, Generator gen) {
        float[] x = new float[batch * seq], y = new float[batch * seq];
        for (int b = 0; b < batch; b++) {
            int s = from + gen.nextInt(to - from - seq - 1);
            for (int t = 0; t < seq; t++) {
                x[b * seq + t] = tokens[s + t];
                y[b * seq + t] = tokens[s + t + 1];
            }
        }
        return new Tensor[] {Tensor.wrap(x, batch, seq), Tensor.wrap(y, batch, seq)};
    }

    /** Mean loss over evalBatches fixed windows of the validation part. */
    static double validate(LanguageModel model, int[] tokens, int split, Config c, int seq) {
        Generator gen = new Generator(c.seed() ^ 0xA11CE);
        double sum = 0;
        model.eval();
        try (var s = Autograd.noGrad()) {
            for (int i = 0; i < c.evalBatches(); i++) {
                Tensor[] b = batch(tokens, split, tokens.length, c.batch(), seq, gen);
                sum += model.loss(b[0], b[1]).item();
            }
        } finally {
            model.train();
        }
        return sum / c.evalBatches();
    }
}
