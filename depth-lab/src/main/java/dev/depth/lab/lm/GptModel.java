package dev.depth.lab.lm;

import dev.depth.nn.Attention;
import dev.depth.nn.Embedding;
import dev.depth.nn.Init;
import dev.depth.nn.LayerNorm;
import dev.depth.nn.Linear;
import dev.depth.nn.Module;
import dev.depth.nn.Sequential;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-style decoder-only transformer (Radford et al., 2018/2019), the model of bench workload
 * W5: token and learned position embeddings, {@code layers} pre-LayerNorm blocks of causal
 * multi-head self-attention and a 4x GELU MLP, a final LayerNorm and a linear head.
 *
 * <p>Shape: tokens (N, T) with T <= context -> logits (N, T, vocab).
 * <p>Initialisation (GPT-2): weights N(0, 0.02), the two residual projections of each block
 * N(0, 0.02 / sqrt(2 layers)), biases 0, LayerNorm 1 and 0.
 * <p>Generation keeps each layer's keys and values (a key/value cache), so a new token costs
 * one position's work against the cached context instead of a full re-run.
 */
public class GptModel extends LanguageModel {
    /** The model's size. */
    public record Config(int vocab, int context, int layers, int heads, int width) {
        /** Bench workload W5: vocab 96, context 128, 4 layers, 4 heads, width 128. */
        public static final Config W5 = new Config(96, 128, 4, 4, 128);

        public Config {
            if (vocab <= 0 || context <= 0 || layers <= 0 || heads <= 0 || width <= 0 || width % heads != 0)
                throw new IllegalArgumentException("GptModel: sizes must be positive and width divisible by heads, got " + this);
        }
    }

    public final Config config;
    public final Embedding tokenEmbedding, positionEmbedding;
    private final List<Block> blocks = new ArrayList<>();
    public final LayerNorm finalNorm;
    public final Linear head;

    public GptModel(Config config) {
        this(config, Init.generator());
    }

    public GptModel(Config config, Generator gen) {
        this.config = config;
        tokenEmbedding = registerModule("wte", new Embedding(config.vocab(), config.width(), gen));
        positionEmbedding = registerModule("wpe", new Embedding(config.context(), config.width(), gen));
        Sequential h = registerModule("h", new Sequential());
        for (int i = 0; i < config.layers(); i++) {
            Block b = new Block(config.width(), config.heads(), gen);
            h.add(b);
            blocks.add(b);
        }
        finalNorm = registerModule("ln_f", new LayerNorm(config.width()));
        head = registerModule("head", new Linear(config.width(), config.vocab(), false, gen));
        double residualStd = 0.02 / Math.sqrt(2.0 * config.layers());
        namedParameters().forEach((name, p) -> {
            if (name.contains("ln")) return;
            if (name.endsWith("bias")) Init.zeros(p);
            else Init.normal(p, 0, name.endsWith("attn_proj.weight") || name.endsWith("mlp_proj.weight") ? residualStd : 0.02, gen);
        });
    }

    @Override
    public int vocabSize() {
        return config.vocab();
    }

    @Override
    public int contextLength() {
        return config.context();
    }

    @Override
    public Tensor forward(Tensor tokens) {
        return run(tokens, null);
    }

    private Tensor run(Tensor tokens, KvCache cache) {
        if (tokens.dim() != 2) throw new IllegalArgumentException("GptModel: tokens must be (N, T), got " + java.util.Arrays.toString(tokens.shape()));
        int past = cache == null ? 0 : cache.length;
        int t = tokens.size(1);
        if (past + t > config.context())
            throw new IllegalArgumentException("GptModel: " + (past + t) + " positions exceed the context of " + config.context());
        Tensor x = tokenEmbedding.forward(tokens).add(positionEmbedding.weight.narrow(0, past, t));
        for (int i = 0; i < blocks.size(); i++) x = blocks.get(i).forward(x, past, cache == null ? null : cache.layers[i], config.context());
        if (cache != null) cache.length += t;
        return head.forward(finalNorm.forward(x));
    }

    /** Keys and values of every layer for the positions seen so far. */
    static final class KvCache implements State {
        final Tensor[][] layers; // [layer] -> {keys, values}, each (1, heads, length, headDim)
        int length;

        KvCache(int n) {
            layers = new Tensor[n][2];
        }
    }

    @Override
    public State newState() {
        return new KvCache(blocks.size());
    }

    @Override
    public float[] step(Tensor tokens, State state) {
        KvCache cache = (KvCache) state;
        Tensor logits = run(tokens, cache);
        return logits.select(1, tokens.size(1) - 1).reshape(-1).toFloatArray();
    }

    /** Generation without the cache: re-runs the whole (clipped) context for every new token. For comparison. */
    public int[] generateUncached(int[] prompt, int count, Sampling sampling, Generator gen) {
        boolean wasTraining = isTraining();
        eval();
        int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + count);
        try (var scope = dev.depth.autograd.Autograd.noGrad()) {
            for (int i = 0; i < count; i++) {
                int end = prompt.length + i, start = Math.max(0, end - config.context());
                Tensor logits = forward(ids(java.util.Arrays.copyOfRange(seq, start, end)));
                seq[end] = sampling.sample(logits.select(1, end - start - 1).reshape(-1).toFloatArray(), gen);
            }
        } finally {
            train(wasTraining);
        }
        return java.util.Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    /** One pre-LayerNorm block: x + attn(ln1(x)), then + mlp(ln2(x)). */
    static final class Block extends Module {
        final LayerNorm ln1, ln2;
        final Linear qkv, attnProj, fc, mlpProj;
        final int heads;

        Block(int width, int heads, Generator gen) {
            this.heads = heads;
            ln1 = registerModule("ln_1", new LayerNorm(width));
            qkv = registerModule("attn_qkv", new Linear(width, 3 * width, true, gen));
            attnProj = registerModule("attn_proj", new Linear(width, width, true, gen));
            ln2 = registerModule("ln_2", new LayerNorm(width));
            fc = registerModule("mlp_fc", new Linear(width, 4 * width, true, gen));
            mlpProj = registerModule("mlp_proj", new Linear(4 * width, width, true, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return forward(x, 0, null, 0);
        }

        /**
         * x (N, T, E) at positions past .. past+T-1; cache {keys, values} is extended when given
         * (in buffers of capacity0 positions when no graph is recorded).
         */
        Tensor forward(Tensor x, int past, Tensor[] cache, int capacity0) {
            int n = x.size(0), t = x.size(1), e = x.size(2), hd = e / heads;
            Tensor qkvOut = qkv.forward(ln1.forward(x)); // (N, T, 3E)
            // views, no copies: (N, T, 3 heads, hd), a third of the heads each, heads before positions
            Tensor split = qkvOut.reshape(n, t, 3 * heads, hd);
            Tensor q = split.narrow(2, 0, heads).permute(0, 2, 1, 3); // (N, heads, T, hd)
            Tensor k = split.narrow(2, heads, heads).permute(0, 2, 1, 3);
            Tensor v = split.narrow(2, 2 * heads, heads).permute(0, 2, 1, 3);
            if (cache != null) {
                if (dev.depth.autograd.Autograd.isGradEnabled()) { // differentiable path: concatenate
                    if (cache[0] != null) {
                        k = Tensor.cat(2, cache[0], k);
                        v = Tensor.cat(2, cache[1], v);
                    }
                    cache[0] = k;
                    cache[1] = v;
                } else { // generation: write into buffers of the full context, read a view of the filled part
                    if (cache[0] == null || cache[0].size(2) < past + t) {
                        int capacity = Math.max(capacity0, past + t);
                        Tensor kb = Tensor.zeros(n, heads, capacity, hd), vb = Tensor.zeros(n, heads, capacity, hd);
                        if (past > 0) {
                            kb.narrow(2, 0, past).copyFrom(cache[0].narrow(2, 0, past));
                            vb.narrow(2, 0, past).copyFrom(cache[1].narrow(2, 0, past));
                        }
                        cache[0] = kb;
                        cache[1] = vb;
                    }
                    cache[0].narrow(2, past, t).copyFrom(k);
                    cache[1].narrow(2, past, t).copyFrom(v);
                    k = cache[0].narrow(2, 0, past + t);
                    v = cache[1].narrow(2, 0, past + t);
                }
            }
            // fused; causal with queries at positions past .. past+t-1 against the past+t keys
            Tensor y = Attention.scaledDotProduct(q, k, v, null, true); // (N, heads, T, hd)
            x = x.add(attnProj.forward(y.permute(0, 2, 1, 3).reshape(n, t, e)));
            return x.add(mlpProj.forward(fc.forward(ln2.forward(x)).gelu()));
        }
    }
}
