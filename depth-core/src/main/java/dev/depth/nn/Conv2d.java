package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation): {@code y[n, o] = b[o] + sum_c W[o, c] * x[n, c]}.
 *
 * <p>Shape: (N, inChannels, H, W) -> (N, outChannels, OH, OW), OH = (H + 2 padding - dilation
 * (kernel - 1) - 1) / stride + 1.
 * <p>Parameters: weight (outChannels, inChannels / groups, kH, kW) and bias (outChannels), both
 * from U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = inChannels / groups * kH * kW (PyTorch's default).
 * <pre>{@code
 * var conv = new Conv2d(1, 32, 3).padding(1); // 28x28 stays 28x28
 * }</pre>
 */
public class Conv2d extends Module {
    public final int inChannels, outChannels, kernelH, kernelW, groups;
    private int[] stride = {1, 1}, padding = {0, 0}, dilation = {1, 1};
    public final Tensor weight;
    public final Tensor bias;

    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, kernelSize, 1, true, Init.generator());
    }

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int groups, boolean bias, Generator gen) {
        if (inChannels <= 0 || outChannels <= 0 || kernelH <= 0 || kernelW <= 0)
            throw new IllegalArgumentException("Conv2d: channels and kernel sizes must be positive, got in=" + inChannels
                    + " out=" + outChannels + " kernel=" + kernelH + "x" + kernelW);
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new IllegalArgumentException("Conv2d: groups=" + groups + " must divide inChannels=" + inChannels + " and outChannels=" + outChannels);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.groups = groups;
        this.weight = registerParameter("weight", Tensor.zeros(outChannels, inChannels / groups, kernelH, kernelW));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outChannels)) : null;
        resetParameters(gen);
    }

    public Conv2d stride(int s) { return stride(s, s); }
    public Conv2d stride(int sh, int sw) { stride = checked("stride", sh, sw, 1); return this; }
    public Conv2d padding(int p) { return padding(p, p); }
    public Conv2d padding(int ph, int pw) { padding = checked("padding", ph, pw, 0); return this; }
    public Conv2d dilation(int d) { return dilation(d, d); }
    public Conv2d dilation(int dh, int dw) { dilation = checked("dilation", dh, dw, 1); return this; }

    private static int[] checked(String what, int a, int b, int min) {
        if (a < min || b < min) throw new IllegalArgumentException("Conv2d: " + what + " must be >= " + min + ", got " + a + ", " + b);
        return new int[] {a, b};
    }

    /** Re-draws the weights: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    public void resetParameters(Generator gen) {
        Init.kaimingUniform(weight, Math.sqrt(5), false, "leaky_relu", gen);
        if (bias != null) {
            double bound = 1 / Math.sqrt(Init.fans(weight)[0]);
            Init.uniform(bias, -bound, bound, gen);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel=" + kernelH + "x" + kernelW + ", stride=" + stride[0] + "x" + stride[1]
                + ", padding=" + padding[0] + "x" + padding[1]
                + (dilation[0] != 1 || dilation[1] != 1 ? ", dilation=" + dilation[0] + "x" + dilation[1] : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=false" : "");
    }
}
