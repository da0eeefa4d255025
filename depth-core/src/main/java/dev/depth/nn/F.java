package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.kernel.Conv2dKernels;
import dev.depth.kernel.Elementwise;
import dev.depth.kernel.Gemm;
import dev.depth.kernel.LayerNormKernels;
import dev.depth.kernel.Pool2dKernels;
import dev.depth.tensor.Generator;
import dev.depth.tensor.Shapes;
import dev.depth.tensor.Tensor;

import java.util.Arrays;

/**
 * Functional forms of the layers and losses (PyTorch's {@code torch.nn.functional}). Layers are
 * thin wrappers over these; each primitive here defines its shape rule, forward and backward.
 */
public final class F {
    private F() {}

    /** The elements in row-major order: the storage itself when it is exactly that, else a copy. */
    private static float[] dense(Tensor t) {
        float[] s = t.storage();
        if (t.offset() == 0 && s.length == t.numel() && t.isContiguous()) return s;
        return t.toFloatArray();
    }

    private static void noDoubleBackward(String op) {
        if (Autograd.isGradEnabled())
            throw new UnsupportedOperationException(op + ": double backward (createGraph) is not supported");
    }

    // ------------------------------------------------------------------ activations

    public static Tensor relu(Tensor x) { return x.relu(); }
    public static Tensor leakyRelu(Tensor x, float slope) { return x.leakyRelu(slope); }
    public static Tensor gelu(Tensor x) { return x.gelu(); }
    public static Tensor tanh(Tensor x) { return x.tanh(); }
    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }
    public static Tensor softplus(Tensor x) { return x.softplus(); }
    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }
    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    // ------------------------------------------------------------------ linear

    /**
     * y = x W^T + b. Shapes: x (..., in), weight (out, in), bias (out) or null -> (..., out).
     * One {@link Gemm#linear} call (a GEMM with the bias written into the output first; one row
     * takes the matrix-vector path).
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return linear(x, weight, bias, false);
    }

    /**
     * relu(x W^T + b) with the ReLU fused into the GEMM: each tile of the output is clamped while
     * it is in cache, by the thread that computed it, instead of in a pass of its own. The same
     * values, graph (a linear node, then a ReLU node) and gradients as
     * {@code linear(x, weight, bias).relu()}; {@link Sequential} uses it for a Linear followed by a ReLU.
     */
    public static Tensor linearRelu(Tensor x, Tensor weight, Tensor bias) {
        return linear(x, weight, bias, true);
    }

    private static Tensor linear(Tensor x, Tensor weight, Tensor bias, boolean relu) {
        if (weight.dim() != 2) throw new IllegalArgumentException("linear: weight must be 2-D (out, in), got " + Shapes.str(weight.shape()));
        int out = weight.size(0), in = weight.size(1);
        if (x.dim() < 1 || x.size(-1) != in)
            throw new IllegalArgumentException("linear: input of shape " + Shapes.str(x.shape()) + " does not end in in_features=" + in
                    + " (weight " + Shapes.str(weight.shape()) + ")");
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out))
            throw new IllegalArgumentException("linear: bias of shape " + Shapes.str(bias.shape()) + ", expected [" + out + "]");
        Tensor xc = x.contiguous(), wc = weight.contiguous();
        int rows = x.numel() / Math.max(in, 1);
        if (in == 0) rows = Shapes.numel(Arrays.copyOf(x.shape(), x.dim() - 1));
        float[] y = new float[rows * out];
        Tensor bc = bias == null ? null : bias.contiguous();
        Gemm.linear(rows, in, out, xc.storage(), xc.offset(), wc.storage(), wc.offset(), bc == null ? null : bc.storage(), bc == null ? 0 : bc.offset(),
                relu, y, 0);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        final int rowsF = rows;
        Tensor result = Tensor.fromOp(y, outShape, "linear", new Tensor[] {x, weight, bias}, g -> {
            Tensor g2 = g.reshape(rowsF, out);
            return new Tensor[] {
                    x.requiresGrad() ? g2.matmul(weight).reshape(x.shape()) : null,
                    weight.requiresGrad() ? g2.t().matmul(x.reshape(rowsF, in)) : null,
                    bias != null && bias.requiresGrad() ? g2.sum(0) : null};
        });
        // Without a recorded backward, the products go straight into the gradient buffers (beta = 1):
        // a weight's gradient kept by zeroGrad(false) is then reused instead of a new array each step,
        // and written with beta = 0 when it was zeroed lazily (no fill, and the old values not read).
        if (result.gradFn() != null) result.gradFn().withAccumulator((g, bufs, overwrite) -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.storage();
            int go = gc.offset();
            if (bufs[0] != null) // dx (rows, in) += g (rows, out) W (out, in)
                Gemm.sgemm(false, false, rowsF, in, out, 1f, gd, go, out, wc.storage(), wc.offset(), in, overwrite[0] ? 0f : 1f,
                        bufs[0].storage(), bufs[0].offset(), in);
            if (bufs[1] != null) // dW (out, in) += g^T (out, rows) x (rows, in)
                Gemm.sgemm(true, false, out, in, rowsF, 1f, gd, go, out, xc.storage(), xc.offset(), in, overwrite[1] ? 0f : 1f,
                        bufs[1].storage(), bufs[1].offset(), in);
            if (bufs[2] != null) // db (out) += the column sums of g (rows, out)
                Elementwise.columnSums(gd, go, rowsF, out, bufs[2].storage(), bufs[2].offset(), !overwrite[2]);
        });
        // the linear node's backward reads x and W, never y, so y may hold the ReLU's values (see Tensor.reluOverOpOutput)
        return relu ? result.reluOverClampedOpOutput() : result;
    }

    // ------------------------------------------------------------------ convolution and pooling

    /**
     * 2-D convolution (cross-correlation, as PyTorch). Shapes: x (N, C, H, W), weight
     * (OC, C/groups, KH, KW), bias (OC) or null -> (N, OC, OH, OW) with
     * OH = (H + 2 padH - dilH (KH - 1) - 1) / strideH + 1.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        if (x.dim() != 4) throw new IllegalArgumentException("conv2d: input must be 4-D (N, C, H, W), got " + Shapes.str(x.shape()));
        if (weight.dim() != 4) throw new IllegalArgumentException("conv2d: weight must be 4-D (OC, C/groups, KH, KW), got " + Shapes.str(weight.shape()));
        check2("conv2d", "stride", stride, 1);
        check2("conv2d", "padding", padding, 0);
        check2("conv2d", "dilation", dilation, 1);
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        int oc = weight.size(0), kh = weight.size(2), kw = weight.size(3);
        if (groups < 1 || c % groups != 0 || oc % groups != 0)
            throw new IllegalArgumentException("conv2d: groups=" + groups + " must divide in_channels=" + c + " and out_channels=" + oc);
        if (weight.size(1) != c / groups)
            throw new IllegalArgumentException("conv2d: input has " + c + " channels, weight " + Shapes.str(weight.shape())
                    + " expects " + weight.size(1) * groups + " (groups=" + groups + ")");
        if (bias != null && (bias.dim() != 1 || bias.size(0) != oc))
            throw new IllegalArgumentException("conv2d: bias of shape " + Shapes.str(bias.shape()) + ", expected [" + oc + "]");
        var geo = new Conv2dKernels.Geometry(n, c, h, w, oc, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups);
        if (geo.oh() <= 0 || geo.ow() <= 0)
            throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw + " (dilation " + Arrays.toString(dilation) + ") larger than the padded input "
                    + (h + 2 * padding[0]) + "x" + (w + 2 * padding[1]));
        float[] xs = dense(x), ws = dense(weight);
        float[] bs = bias == null ? null : dense(bias);
        float[] out = new float[n * oc * geo.oh() * geo.ow()];
        Conv2dKernels.forward(geo, xs, ws, bs, out);
        return Tensor.fromOp(out, new int[] {n, oc, geo.oh(), geo.ow()}, "conv2d", new Tensor[] {x, weight, bias}, g -> {
            noDoubleBackward("conv2d");
            float[] gs = dense(g);
            Tensor dx = null, dw = null, db = null;
            if (x.requiresGrad()) {
                float[] d = Autograd.gradientArray(xs.length); // backwardInput writes all of it
                Conv2dKernels.backwardInput(geo, gs, ws, d);
                dx = Tensor.wrap(d, x.shape());
            }
            if (weight.requiresGrad()) {
                float[] d = new float[ws.length];
                Conv2dKernels.backwardWeight(geo, xs, gs, d);
                dw = Tensor.wrap(d, weight.shape());
            }
            if (bias != null && bias.requiresGrad()) {
                float[] d = new float[oc];
                Conv2dKernels.backwardBias(geo, gs, d);
                db = Tensor.wrap(d, oc);
            }
            return new Tensor[] {dx, dw, db};
        });
    }

    private static void check2(String op, String name, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min)
            throw new IllegalArgumentException(op + ": " + name + " must be two integers >= " + min + ", got " + Arrays.toString(v));
    }

    /** Max pooling over (N, C, H, W) or (C, H, W); padding must be at most half the kernel. */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return pool2d(x, kernel, stride, padding, true);
    }

    /** Average pooling (zero padding counted, as PyTorch's default count_include_pad). */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return pool2d(x, kernel, stride, padding, false);
    }

    private static Tensor pool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean max) {
        String op = max ? "maxPool2d" : "avgPool2d";
        if (x.dim() != 4 && x.dim() != 3) throw new IllegalArgumentException(op + ": input must be (N, C, H, W) or (C, H, W), got " + Shapes.str(x.shape()));
        check2(op, "kernel", kernel, 1);
        check2(op, "stride", stride, 1);
        check2(op, "padding", padding, 0);
        if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1])
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(padding) + " must be at most half the kernel " + Arrays.toString(kernel));
        int h = x.size(-2), w = x.size(-1);
        int planes = x.numel() / Math.max(1, h * w);
        var geo = new Pool2dKernels.Geometry(planes, h, w, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1]);
        if (geo.oh() <= 0 || geo.ow() <= 0)
            throw new IllegalArgumentException(op + ": kernel " + Arrays.toString(kernel) + " larger than the padded input " + h + "x" + w);
        float[] xs = dense(x);
        float[] out = new float[planes * geo.oh() * geo.ow()];
        int[] outShape = x.shape();
        outShape[outShape.length - 2] = geo.oh();
        outShape[outShape.length - 1] = geo.ow();
        int[] inShape = x.shape();
        if (max) {
            int[] argmax = new int[out.length];
            Pool2dKernels.maxForward(geo, xs, out, argmax);
            return Tensor.fromOp(out, outShape, op, new Tensor[] {x}, g -> {
                noDoubleBackward(op);
                float[] d = Autograd.gradientArray(xs.length); // maxBackward zeroes it, a plane per thread
                Pool2dKernels.maxBackward(geo, dense(g), argmax, d);
                return new Tensor[] {Tensor.wrap(d, inShape)};
            });
        }
        Pool2dKernels.avgForward(geo, xs, out);
        return Tensor.fromOp(out, outShape, op, new Tensor[] {x}, g -> {
            noDoubleBackward(op);
            float[] d = Autograd.gradientArray(xs.length); // avgBackward zeroes it
            Pool2dKernels.avgBackward(geo, dense(g), d);
            return new Tensor[] {Tensor.wrap(d, inShape)};
        });
    }

    // ------------------------------------------------------------------ regularisation, lookup, normalisation

    /**
     * Inverted dropout: in training, zeroes each element with probability p and scales the rest
     * by 1 / (1 - p); identity in evaluation.
     */
    public static Tensor dropout(Tensor x, float p, boolean training, Generator gen) {
        if (!(p >= 0f && p <= 1f)) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0f) return x;
        if (p == 1f) return x.mul(0f);
        float[] mask = new float[x.numel()];
        float keep = 1f / (1f - p);
        for (int i = 0; i < mask.length; i++) mask[i] = gen.nextFloat() >= p ? keep : 0f;
        return x.mul(Tensor.wrap(mask, x.shape()));
    }

    /** Rows of {@code weight} (num, dim) at integral indices of any shape -> (indices..., dim). */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        if (weight.dim() != 2) throw new IllegalArgumentException("embedding: weight must be 2-D (num, dim), got " + Shapes.str(weight.shape()));
        int[] outShape = Shapes.concat(indices.shape(), weight.size(1));
        return weight.indexSelect(0, indices.reshape(-1)).reshape(outShape);
    }

    /**
     * Layer normalisation over the last {@code normalizedShape.length} dimensions:
     * y = (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance.
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        int k = normalizedShape.length;
        if (k == 0 || x.dim() < k || !Arrays.equals(Arrays.copyOfRange(x.shape(), x.dim() - k, x.dim()), normalizedShape))
            throw new IllegalArgumentException("layerNorm: input of shape " + Shapes.str(x.shape()) + " does not end in normalized shape "
                    + Arrays.toString(normalizedShape));
        int n = Shapes.numel(normalizedShape), rows = n == 0 ? 0 : x.numel() / n;
        if (weight != null && weight.numel() != n || bias != null && bias.numel() != n)
            throw new IllegalArgumentException("layerNorm: weight and bias must have the normalized shape " + Arrays.toString(normalizedShape)
                    + ", got " + (weight == null ? "none" : Shapes.str(weight.shape())) + " and " + (bias == null ? "none" : Shapes.str(bias.shape())));
        if (n == 0 || rows == 0) return layerNormComposite(x, k, weight, bias, eps);
        float[] xs = dense(x), ws = weight == null ? null : dense(weight), bs = bias == null ? null : dense(bias);
        float[] out = new float[rows * n], stats = new float[2 * rows];
        LayerNormKernels.forward(xs, 0, rows, n, eps, ws, bs, out, stats);
        return Tensor.fromOp(out, x.shape(), "layerNorm", new Tensor[] {x, weight, bias}, g -> {
            if (Autograd.isGradEnabled()) return layerNormBackwardComposite(x, k, weight, eps, g, bias != null && bias.requiresGrad());
            float[] gs = dense(g);
            float[] dx = x.requiresGrad() ? new float[rows * n] : null;
            float[] gw = weight != null && weight.requiresGrad() ? new float[n] : null;
            float[] gb = bias != null && bias.requiresGrad() ? new float[n] : null;
            LayerNormKernels.backward(xs, 0, gs, rows, n, ws, stats, dx, gw, gb);
            return new Tensor[] {
                    dx == null ? null : Tensor.wrap(dx, x.shape()),
                    gw == null ? null : Tensor.wrap(gw, weight.shape()),
                    gb == null ? null : Tensor.wrap(gb, bias.shape())};
        });
    }

    /** Layer normalisation from differentiable ops: the reference of the fused kernel. */
    static Tensor layerNormComposite(Tensor x, int k, Tensor weight, Tensor bias, float eps) {
        int[] dims = lastDims(x, k);
        Tensor mean = x.mean(dims, true);
        Tensor centered = x.sub(mean);
        Tensor var = centered.square().mean(dims, true);
        Tensor y = centered.mul(var.add(eps).rsqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    /** The fused layer norm's gradients as differentiable ops, for double backward. */
    private static Tensor[] layerNormBackwardComposite(Tensor x, int k, Tensor weight, float eps, Tensor g, boolean biasGrad) {
        int[] dims = lastDims(x, k);
        int[] lead = new int[x.dim() - k];
        for (int i = 0; i < lead.length; i++) lead[i] = i;
        Tensor centered = x.sub(x.mean(dims, true));
        Tensor rstd = centered.square().mean(dims, true).add(eps).rsqrt();
        Tensor xh = centered.mul(rstd);
        Tensor d = weight == null ? g : g.mul(weight);
        Tensor dx = x.requiresGrad() ? d.sub(d.mean(dims, true)).sub(xh.mul(d.mul(xh).mean(dims, true))).mul(rstd) : null;
        Tensor gw = weight != null && weight.requiresGrad() ? (lead.length == 0 ? g.mul(xh) : g.mul(xh).sum(lead, false)) : null;
        Tensor gb = biasGrad ? (lead.length == 0 ? g : g.sum(lead, false)) : null;
        return new Tensor[] {dx, gw, gb};
    }

    private static int[] lastDims(Tensor x, int k) {
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = x.dim() - k + i;
        return dims;
    }

    /**
     * Batch normalisation over every dimension but 1 (channels) of (N, C), (N, C, L) or
     * (N, C, H, W). In training, normalises with the batch statistics and updates the running
     * ones in place: running = (1 - momentum) running + momentum batch (the variance unbiased);
     * in evaluation, normalises with the running statistics.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, float momentum, float eps) {
        if (x.dim() < 2) throw new IllegalArgumentException("batchNorm: input must be (N, C, ...), got " + Shapes.str(x.shape()));
        int c = x.size(1);
        int[] bshape = new int[x.dim()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        int[] dims = new int[x.dim() - 1];
        dims[0] = 0;
        for (int i = 2; i < x.dim(); i++) dims[i - 1] = i;
        Tensor mean, var;
        if (training) {
            int count = x.numel() / c;
            if (count <= 1) throw new IllegalArgumentException("batchNorm: training needs more than 1 value per channel, got input " + Shapes.str(x.shape()));
            mean = x.mean(dims, true);
            Tensor centered = x.sub(mean);
            var = centered.square().mean(dims, true);
            if (runningMean != null && runningVar != null) {
                try (var scope = Autograd.noGrad()) {
                    Tensor m = mean.detach().reshape(c), v = var.detach().reshape(c).mul((float) count / (count - 1));
                    runningMean.copyFrom(runningMean.mul(1f - momentum).add(m.mul(momentum)));
                    runningVar.copyFrom(runningVar.mul(1f - momentum).add(v.mul(momentum)));
                }
            }
            Tensor y = centered.mul(var.add(eps).rsqrt());
            return affine(y, weight, bias, bshape);
        }
        if (runningMean == null || runningVar == null)
            throw new IllegalStateException("batchNorm: evaluation mode needs running statistics");
        mean = runningMean.reshape(bshape);
        var = runningVar.reshape(bshape);
        return affine(x.sub(mean).mul(var.add(eps).rsqrt()), weight, bias, bshape);
    }

    private static Tensor affine(Tensor y, Tensor weight, Tensor bias, int[] bshape) {
        if (weight != null) y = y.mul(weight.reshape(bshape));
        if (bias != null) y = y.add(bias.reshape(bshape));
        return y;
    }

    // ------------------------------------------------------------------ losses

    private static Tensor reduce(Tensor perElement, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
            case NONE -> perElement;
        };
    }

    /** Cross-entropy from logits with class-index targets, mean reduction, no smoothing. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, 0f, Reduction.MEAN, -100);
    }

    /**
     * Cross-entropy from logits. Shapes: logits (N, C) or (N, C, d1, ...); target either class
     * indices (N) / (N, d1, ...) as integral floats, or class probabilities of the logits' shape.
     * With label smoothing s the target distribution is (1 - s) onehot + s / C. Targets equal to
     * {@code ignoreIndex} contribute nothing, and the mean divides by the number of the others.
     * Computed in one fused pass: loss_i = -sum_c q_ic log softmax(x_i)_c, gradient softmax - q.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, float labelSmoothing, Reduction reduction, int ignoreIndex) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        if (logits.dim() < 2) throw new IllegalArgumentException("crossEntropy: logits must be (N, C, ...), got " + Shapes.str(logits.shape()));
        int c = logits.size(1);
        boolean probs = Arrays.equals(logits.shape(), target.shape());
        if (logits.dim() > 2) {
            // (N, C, d...) -> (N * d..., C)
            int[] perm = new int[logits.dim()];
            perm[0] = 0;
            for (int i = 2; i < logits.dim(); i++) perm[i - 1] = i;
            perm[logits.dim() - 1] = 1;
            Tensor flat = logits.permute(perm).reshape(-1, c);
            Tensor t = probs ? target.permute(perm).reshape(-1, c) : target.reshape(-1);
            Tensor loss = crossEntropy(flat, t, labelSmoothing, reduction, ignoreIndex);
            if (reduction != Reduction.NONE) return loss;
            int[] outShape = logits.shape();
            int[] keep = new int[outShape.length - 1];
            keep[0] = outShape[0];
            for (int i = 2; i < outShape.length; i++) keep[i - 1] = outShape[i];
            return loss.reshape(keep);
        }
        int n = logits.size(0);
        if (!probs && (target.dim() != 1 || target.size(0) != n))
            throw new IllegalArgumentException("crossEntropy: target of shape " + Shapes.str(target.shape()) + " for logits " + Shapes.str(logits.shape())
                    + "; expected class indices of shape [" + n + "] or probabilities of the logits' shape");
        Tensor lc = logits.contiguous();
        float[] x = lc.storage();
        int xo = lc.offset();
        float[] t = target.toFloatArray();
        // q: first exp(x - the row's max), then softmax - the target distribution. The exp is the element-wise kernel's
        // (ExpMath: within 2 ulps, and the same bits compiled or not, unlike the Vector API's EXP). The forward pass on
        // W2's 128 x 10 took 4.1-7.4 us a call, against 8-19 us with Math.exp per element (20,000 calls, JDK 25).
        float[] q = new float[n * c];
        float[] max = new float[n];
        expShiftedByRowMax(x, xo, n, c, max, q);
        float[] loss = new float[n];
        int counted = 0;
        for (int i = 0; i < n; i++) {
            if (probs) {
                loss[i] = softCrossEntropyRow(x, xo + i * c, c, max[i], t, i * c, labelSmoothing, q, i * c);
                counted++;
                continue;
            }
            float tv = t[i];
            if (tv == ignoreIndex) {
                Arrays.fill(q, i * c, (i + 1) * c, 0f);
                continue;
            }
            int k = (int) tv;
            if (k != tv || k < 0 || k >= c)
                throw new IndexOutOfBoundsException("crossEntropy: target " + tv + " at position " + i + " is not a class index in [0, " + c + ")");
            loss[i] = crossEntropyRow(x, xo + i * c, c, max[i], k, labelSmoothing, q, i * c);
            counted++;
        }
        float scale;
        float[] value;
        int[] valueShape;
        switch (reduction) {
            case MEAN -> {
                double s = 0;
                for (float v : loss) s += v;
                value = new float[] {(float) (s / Math.max(counted, 0))};
                valueShape = new int[0];
                scale = 1f / counted;
            }
            case SUM -> {
                double s = 0;
                for (float v : loss) s += v;
                value = new float[] {(float) s};
                valueShape = new int[0];
                scale = 1f;
            }
            default -> {
                value = loss;
                valueShape = new int[] {n};
                scale = 1f;
            }
        }
        return Tensor.fromOp(value, valueShape, "crossEntropy", new Tensor[] {logits}, g -> {
            noDoubleBackward("crossEntropy");
            float[] d = reduction == Reduction.NONE ? scaleRows(q, g.toFloatArray(), n, c) : scale(q, g.item() * scale);
            return new Tensor[] {Tensor.wrap(d, n, c)};
        });
    }

    // crossEntropy's arithmetic, in methods of their own: the JIT compiles these small loops early and
    // quickly, while crossEntropy itself is left to C1 (dev.depth.kernel.JitAdvice).

    /** max[i] = the largest of row i of x (n rows of c at xo), and out's row i = exp(that row minus it). */
    private static void expShiftedByRowMax(float[] x, int xo, int n, int c, float[] max, float[] out) {
        for (int i = 0; i < n; i++) {
            int row = xo + i * c;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) m = Math.max(m, x[row + j]);
            max[i] = m;
            for (int j = 0; j < c; j++) out[i * c + j] = x[row + j] - m;
        }
        Elementwise.unary(Elementwise.Unary.EXP, out, 0, out, 0, n * c);
    }

    /**
     * One row of logits x[row, row + c) against class k with label smoothing, given the row's max and
     * e = exp(x - max) in q[qo, qo + c): returns the loss and overwrites q's row with softmax - the
     * smoothed target distribution (softmax_j = e_j / sum e, log softmax_j = (x_j - max) - log sum e, in
     * that order, as PyTorch's log_softmax: max + log sum e rounded first loses the low bits of a log
     * softmax near 0 when the logits are large, 2e-5 at logits of -5000).
     */
    private static float crossEntropyRow(float[] x, int row, int c, float max, int k, float labelSmoothing, float[] q, int qo) {
        double sum = 0;
        for (int j = 0; j < c; j++) sum += q[qo + j];
        float logSum = (float) Math.log(sum);
        float smooth = labelSmoothing / c;
        double l = 0;
        for (int j = 0; j < c; j++) {
            float qj = (j == k ? 1f - labelSmoothing : 0f) + smooth;
            if (qj != 0f) l -= qj * ((x[row + j] - max) - logSum);
            q[qo + j] = (float) (q[qo + j] / sum) - qj;
        }
        return (float) l;
    }

    /** {@link #crossEntropyRow} against class probabilities t[to, to + c). */
    private static float softCrossEntropyRow(float[] x, int row, int c, float max, float[] t, int to, float labelSmoothing, float[] q, int qo) {
        double sum = 0;
        for (int j = 0; j < c; j++) sum += q[qo + j];
        float logSum = (float) Math.log(sum);
        float smooth = labelSmoothing / c;
        double l = 0;
        for (int j = 0; j < c; j++) {
            float qj = (1f - labelSmoothing) * t[to + j] + smooth;
            l -= qj * ((x[row + j] - max) - logSum);
            q[qo + j] = (float) (q[qo + j] / sum) - qj;
        }
        return (float) l;
    }

    /**
     * A new array q * s. A plain loop, not the element-wise kernel: a loss's gradient is small (W2's 128 x 10) and
     * computed once per step, so the kernel's overload for a scalar operand reached C2 only after about 900 calls,
     * 420-570 ms into W2's timed window (at its end); until then it ran the Vector API's fallback, 10-90 us a call
     * (a probe, 2026-11-27), against 1-2 us for this loop in C1's code and 0.3 us once C2 has compiled either.
     */
    private static float[] scale(float[] q, float s) {
        float[] d = new float[q.length];
        for (int i = 0; i < d.length; i++) d[i] = q[i] * s;
        return d;
    }

    /** A new (n, c) array with row i of q times g[i] (a plain loop, as {@link #scale}). */
    private static float[] scaleRows(float[] q, float[] g, int n, int c) {
        float[] d = new float[n * c];
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            for (int j = i * c, end = j + c; j < end; j++) d[j] = q[j] * gi;
        }
        return d;
    }

    /** Negative log-likelihood of log-probabilities (N, C) at class indices (N). */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Reduction reduction) {
        if (logProbs.dim() != 2 || target.dim() != 1 || target.size(0) != logProbs.size(0))
            throw new IllegalArgumentException("nllLoss: expected log-probabilities (N, C) and targets (N), got "
                    + Shapes.str(logProbs.shape()) + " and " + Shapes.str(target.shape()));
        return reduce(logProbs.gather(1, target.reshape(-1, 1)).reshape(-1).neg(), reduction);
    }

    public static Tensor nllLoss(Tensor logProbs, Tensor target) {
        return nllLoss(logProbs, target, Reduction.MEAN);
    }

    /** Mean squared error (a - b)^2, broadcast shapes must match exactly. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        sameShape("mseLoss", input, target);
        return reduce(input.sub(target).square(), reduction);
    }

    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy from logits, stable form: max(x, 0) - x y + log(1 + exp(-|x|)).
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        sameShape("binaryCrossEntropyWithLogits", logits, target);
        Tensor perElement = logits.relu().sub(logits.mul(target)).add(logits.abs().neg().softplus());
        return reduce(perElement, reduction);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return binaryCrossEntropyWithLogits(logits, target, Reduction.MEAN);
    }

    /** Binary cross-entropy of probabilities in [0, 1]; logs clamped at -100 as PyTorch does. */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target, Reduction reduction) {
        sameShape("binaryCrossEntropy", probs, target);
        Tensor logP = probs.log().clamp(-100f, Float.MAX_VALUE);
        Tensor log1mP = probs.rsub(1f).log().clamp(-100f, Float.MAX_VALUE);
        return reduce(target.mul(logP).add(target.rsub(1f).mul(log1mP)).neg(), reduction);
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(op + ": input shape " + Shapes.str(a.shape()) + " and target shape " + Shapes.str(b.shape()) + " differ");
    }
}
