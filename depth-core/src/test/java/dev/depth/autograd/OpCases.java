package dev.depth.autograd;

import dev.depth.nn.F;
import dev.depth.nn.Reduction;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The registry of differentiable ops with sample inputs (STYLE.md habit 8). Every entry runs
 * through the generic gradient check; a new op is covered by adding one line here.
 */
public final class OpCases {
    private OpCases() {}

    /** A named case: fresh inputs (leaves that require grad where differentiable) and the op. */
    public record Case(String name, Supplier<Tensor[]> inputs, Function<Tensor[], Tensor> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void add(String name, Supplier<Tensor[]> inputs, Function<Tensor[], Tensor> op) {
        CASES.add(new Case(name, inputs, op));
    }

    /** Random values in [-1, 1] with a fixed seed per shape. */
    static Tensor r(long seed, int... shape) {
        return Tensor.uniform(new Generator(seed), -1f, 1f, shape).requiresGrad(true);
    }

    /** Values in [0.2, 1.5]: positive, away from 0. */
    static Tensor pos(long seed, int... shape) {
        return Tensor.uniform(new Generator(seed), 0.2f, 1.5f, shape).requiresGrad(true);
    }

    /** Values with |x| in [0.1, 1]: away from kinks at 0. */
    static Tensor away(long seed, int... shape) {
        Generator g = new Generator(seed);
        Tensor t = Tensor.uniform(g, 0.1f, 1f, shape);
        float[] s = t.storage();
        for (int i = 0; i < s.length; i++) if (g.nextFloat() < 0.5f) s[i] = -s[i];
        return t.requiresGrad(true);
    }

    /** Distinct values (a permutation of a grid) so max/min have no ties. */
    static Tensor distinct(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int n = t.numel();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        new Generator(seed).shuffle(perm);
        float[] s = t.storage();
        for (int i = 0; i < n; i++) s[i] = (perm[i] - n / 2f) * 0.1f;
        return t.requiresGrad(true);
    }

    static Tensor idx(float... v) {
        return Tensor.of(v);
    }

    static Tensor[] in(Tensor... t) {
        return t;
    }

    static {
        // element-wise binary, with broadcasting and odd shapes
        add("add same", () -> in(r(1, 7), r(2, 7)), t -> t[0].add(t[1]));
        add("add broadcast row", () -> in(r(1, 3, 5), r(2, 5)), t -> t[0].add(t[1]));
        add("add broadcast both", () -> in(r(1, 3, 1), r(2, 1, 4)), t -> t[0].add(t[1]));
        add("add scalar tensor", () -> in(r(1, 2, 3), r(2)), t -> t[0].add(t[1]));
        add("sub broadcast rank", () -> in(r(1, 4), r(2, 2, 3, 4)), t -> t[0].sub(t[1]));
        add("mul broadcast", () -> in(r(1, 2, 3, 4), r(2, 3, 1)), t -> t[0].mul(t[1]));
        add("div", () -> in(r(1, 17), pos(2, 17)), t -> t[0].div(t[1]));
        add("div broadcast", () -> in(r(1, 3, 4), pos(2, 3, 1)), t -> t[0].div(t[1]));
        add("pow tensor", () -> in(pos(1, 2, 3), r(2, 2, 3)), t -> t[0].pow(t[1]));
        add("maximum", () -> in(distinct(1, 3, 4), distinct(2, 3, 4).add(0.05f).detach().requiresGrad(true)), t -> t[0].maximum(t[1]));
        add("minimum broadcast", () -> in(distinct(1, 3, 4), away(2, 4)), t -> t[0].minimum(t[1]));
        add("mul scalar", () -> in(r(1, 5)), t -> t[0].mul(3f).add(1f).div(2f).sub(0.5f));
        add("rsub", () -> in(r(1, 5)), t -> t[0].rsub(2f));
        // element-wise unary
        add("neg", () -> in(r(1, 7)), t -> t[0].neg());
        add("pow 3", () -> in(r(1, 2, 5)), t -> t[0].pow(3f));
        add("pow -1.5", () -> in(pos(1, 2, 5)), t -> t[0].pow(-1.5f));
        add("exp", () -> in(r(1, 1)), t -> t[0].exp());
        add("log", () -> in(pos(1, 17)), t -> t[0].log());
        add("sqrt", () -> in(pos(1, 3, 3)), t -> t[0].sqrt());
        add("rsqrt", () -> in(pos(1, 3, 3)), t -> t[0].rsqrt());
        add("reciprocal", () -> in(pos(1, 3, 3)), t -> t[0].reciprocal());
        add("abs", () -> in(away(1, 7)), t -> t[0].abs());
        add("square", () -> in(r(1, 7)), t -> t[0].square());
        add("sin cos", () -> in(r(1, 7)), t -> t[0].sin().add(t[0].cos()));
        add("clamp", () -> in(distinct(1, 2, 7)), t -> t[0].clamp(-0.45f, 0.35f));
        add("tanh", () -> in(r(1, 3, 7)), t -> t[0].tanh());
        add("sigmoid", () -> in(r(1, 3, 7)), t -> t[0].sigmoid());
        add("relu", () -> in(away(1, 3, 7)), t -> t[0].relu());
        add("leakyRelu", () -> in(away(1, 3, 7)), t -> t[0].leakyRelu(0.1f));
        add("gelu", () -> in(r(1, 17)), t -> t[0].mul(3f).gelu());
        add("geluTanh", () -> in(r(1, 17)), t -> t[0].mul(3f).geluTanh());
        add("softplus", () -> in(r(1, 17)), t -> t[0].mul(4f).softplus());
        // reductions
        add("sum all", () -> in(r(1, 2, 3, 4)), t -> t[0].sum());
        add("sum dim", () -> in(r(1, 2, 3, 4)), t -> t[0].sum(1));
        add("sum dims keep", () -> in(r(1, 2, 3, 4)), t -> t[0].sum(new int[] {0, 2}, true));
        add("mean dim -1", () -> in(r(1, 3, 5)), t -> t[0].mean(-1));
        add("mean all", () -> in(r(1, 7)), t -> t[0].mean());
        add("max all", () -> in(distinct(1, 3, 4)), t -> t[0].max());
        add("max dim", () -> in(distinct(1, 3, 4)), t -> t[0].max(1, false));
        add("min dims keep", () -> in(distinct(1, 2, 3, 4)), t -> t[0].min(new int[] {0, 2}, true));
        add("var unbiased", () -> in(r(1, 3, 5)), t -> t[0].var(new int[] {1}, false));
        add("var biased all", () -> in(r(1, 2, 3)), t -> t[0].var(new int[] {0, 1}, 0, false));
        // shape ops
        add("reshape", () -> in(r(1, 2, 6)), t -> t[0].reshape(3, -1).mul(t[0].reshape(3, 4)));
        add("transpose", () -> in(r(1, 2, 3), r(2, 3, 2)), t -> t[0].transpose(0, 1).mul(t[1]));
        add("permute", () -> in(r(1, 2, 3, 4)), t -> t[0].permute(2, 0, 1).mul(Tensor.arange(24).reshape(4, 2, 3)));
        add("slice step", () -> in(r(1, 5, 3)), t -> t[0].slice(0, 1, 5, 2));
        add("narrow select", () -> in(r(1, 4, 3)), t -> t[0].narrow(1, 1, 2).select(0, -1));
        add("expand", () -> in(r(1, 3, 1)), t -> t[0].expand(2, 3, 4).mul(Tensor.arange(24).reshape(2, 3, 4)));
        add("squeeze unsqueeze", () -> in(r(1, 3, 1, 2)), t -> t[0].squeeze().unsqueeze(0).unsqueeze(-1));
        add("cat", () -> in(r(1, 2, 3), r(2, 2, 1)), t -> Tensor.cat(1, t[0], t[1]));
        add("stack", () -> in(r(1, 2, 3), r(2, 2, 3)), t -> Tensor.stack(0, t[0], t[1]));
        add("indexSelect repeat", () -> in(r(1, 4, 3)), t -> t[0].indexSelect(0, idx(3, 0, 3, 1)));
        add("gather", () -> in(r(1, 3, 4)), t -> t[0].gather(1, Tensor.of(new float[][] {{0, 3}, {1, 1}, {2, 0}})));
        add("copy of transposed", () -> in(r(1, 3, 4)), t -> t[0].t().contiguous().mul(Tensor.arange(12).reshape(4, 3)));
        add("where", () -> in(r(1, 3, 4), r(2, 4)), t -> Tensor.where(Tensor.arange(12).reshape(3, 4).gt(5f), t[0], t[1]));
        add("maskedFill", () -> in(r(1, 3, 4)), t -> t[0].maskedFill(Tensor.arange(4).lt(2f), -1f));
        // linear algebra, softmax
        add("matmul 2d", () -> in(r(1, 3, 5), r(2, 5, 7)), t -> t[0].matmul(t[1]));
        add("matmul 1x1", () -> in(r(1, 1, 1), r(2, 1, 1)), t -> t[0].matmul(t[1]));
        add("matmul transposed operands", () -> in(r(1, 5, 3), r(2, 7, 5)), t -> t[0].t().matmul(t[1].t()));
        add("matmul batched broadcast", () -> in(r(1, 2, 1, 3, 4), r(2, 3, 4, 2)), t -> t[0].matmul(t[1]));
        add("matmul 3d x 2d", () -> in(r(1, 2, 3, 4), r(2, 4, 5)), t -> t[0].matmul(t[1]));
        add("matmul vec", () -> in(r(1, 4), r(2, 4, 3), r(3, 3)), t -> t[0].matmul(t[1]).add(t[1].matmul(t[2]).sum()));
        add("dot", () -> in(r(1, 7), r(2, 7)), t -> t[0].matmul(t[1]));
        add("softmax last", () -> in(r(1, 3, 5)), t -> t[0].softmax(-1));
        add("softmax dim0", () -> in(r(1, 3, 5)), t -> t[0].softmax(0));
        add("logSoftmax", () -> in(r(1, 2, 3, 4)), t -> t[0].logSoftmax(1));
        // nn.functional
        add("linear", () -> in(r(1, 3, 5), r(2, 4, 5), r(3, 4)), t -> F.linear(t[0], t[1], t[2]));
        add("linear 3d no bias", () -> in(r(1, 2, 3, 5), r(2, 4, 5)), t -> F.linear(t[0], t[1], null));
        add("conv2d", () -> in(r(1, 2, 3, 5, 6), r(2, 4, 3, 3, 3), r(3, 4)),
                t -> F.conv2d(t[0], t[1], t[2], new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1));
        add("conv2d stride dilation", () -> in(r(1, 1, 2, 7, 7), r(2, 3, 2, 2, 3), r(3, 3)),
                t -> F.conv2d(t[0], t[1], t[2], new int[] {2, 1}, new int[] {0, 1}, new int[] {2, 1}, 1));
        add("conv2d groups", () -> in(r(1, 2, 4, 5, 5), r(2, 6, 2, 3, 3)),
                t -> F.conv2d(t[0], t[1], null, new int[] {1, 2}, new int[] {1, 0}, new int[] {1, 1}, 2));
        add("maxPool2d", () -> in(distinct(1, 2, 3, 6, 6)), t -> F.maxPool2d(t[0], new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}));
        add("maxPool2d overlap pad", () -> in(distinct(1, 1, 2, 5, 5)), t -> F.maxPool2d(t[0], new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}));
        add("avgPool2d", () -> in(r(1, 2, 2, 5, 7)), t -> F.avgPool2d(t[0], new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 1}));
        add("dropout", () -> in(r(1, 4, 5)), t -> F.dropout(t[0], 0.3f, true, new Generator(7)));
        add("embedding", () -> in(r(1, 5, 3)), t -> F.embedding(Tensor.of(new float[][] {{0, 4}, {4, 2}}), t[0]));
        add("layerNorm", () -> in(r(1, 3, 4, 5), r(2, 5), r(3, 5)), t -> F.layerNorm(t[0], new int[] {5}, t[1], t[2], 1e-5f));
        add("layerNorm 2 dims", () -> in(r(1, 2, 3, 4)), t -> F.layerNorm(t[0], new int[] {3, 4}, null, null, 1e-5f));
        add("batchNorm train 2d", () -> in(r(1, 4, 3, 2, 2), r(2, 3), r(3, 3)),
                t -> F.batchNorm(t[0], Tensor.zeros(3), Tensor.ones(3), t[1], t[2], true, 0.1f, 1e-5f));
        add("batchNorm train 1d", () -> in(r(1, 5, 3), r(2, 3), r(3, 3)),
                t -> F.batchNorm(t[0], null, null, t[1], t[2], true, 0.1f, 1e-5f));
        add("batchNorm eval", () -> in(r(1, 4, 3), r(2, 3), r(3, 3)),
                t -> F.batchNorm(t[0], Tensor.of(0.1f, -0.2f, 0.3f), Tensor.of(0.5f, 1.5f, 2f), t[1], t[2], false, 0.1f, 1e-5f));
        // attention (fused: recomputes the scores in the backward)
        add("scaledDotProduct", () -> in(r(1, 2, 3, 4), r(2, 2, 5, 4), r(3, 2, 5, 3)),
                t -> dev.depth.nn.Attention.scaledDotProduct(t[0], t[1], t[2], null, false));
        add("scaledDotProduct causal offset padding", () -> in(r(1, 2, 3, 4), r(2, 2, 5, 4), r(3, 2, 5, 3)),
                t -> dev.depth.nn.Attention.scaledDotProduct(t[0], t[1], t[2], Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 0}).reshape(2, 1, 5), true));
        add("scaledDotProduct strided", () -> in(r(1, 3, 2, 4), r(2, 5, 2, 4), r(3, 5, 2, 2)),
                t -> dev.depth.nn.Attention.scaledDotProduct(t[0].transpose(0, 1), t[1].transpose(0, 1), t[2].transpose(0, 1), null, true));
        // losses
        add("crossEntropy", () -> in(r(1, 4, 5)), t -> F.crossEntropy(t[0], idx(0, 4, 2, 2)));
        add("crossEntropy smoothing sum", () -> in(r(1, 3, 7)), t -> F.crossEntropy(t[0], idx(6, 0, 3), 0.1f, Reduction.SUM, -100));
        add("crossEntropy none ignore", () -> in(r(1, 3, 4)), t -> F.crossEntropy(t[0], idx(1, -100, 3), 0f, Reduction.NONE, -100));
        add("crossEntropy spatial", () -> in(r(1, 2, 3, 2, 2)),
                t -> F.crossEntropy(t[0], Tensor.of(new float[] {0, 1, 2, 0, 2, 2, 1, 0}, 2, 2, 2)));
        add("crossEntropy probs", () -> in(r(1, 2, 3)),
                t -> F.crossEntropy(t[0], Tensor.of(new float[][] {{0.2f, 0.3f, 0.5f}, {1f, 0f, 0f}}), 0.05f, Reduction.MEAN, -100));
        add("nllLoss", () -> in(r(1, 3, 4)), t -> F.nllLoss(t[0].logSoftmax(1), idx(3, 0, 1)));
        add("mseLoss", () -> in(r(1, 3, 4), r(2, 3, 4)), t -> F.mseLoss(t[0], t[1]));
        add("bceWithLogits", () -> in(r(1, 7)), t -> F.binaryCrossEntropyWithLogits(t[0].mul(3f), Tensor.of(0, 1, 1, 0, 0.5f, 1, 0)));
        add("bce", () -> in(r(1, 5)), t -> F.binaryCrossEntropy(t[0].sigmoid(), Tensor.of(0, 1, 0.3f, 1, 0), Reduction.SUM));
    }

    public static List<Case> all() {
        return List.copyOf(CASES);
    }
}
