package dev.depth.nn;

import dev.depth.tensor.Tensor;

/**
 * Max pooling over windows of (N, C, H, W); stride defaults to the kernel size.
 * <p>Shape: (N, C, H, W) -> (N, C, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1). No parameters.
 */
public class MaxPool2d extends Module {
    private final int[] kernel, stride, padding;

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this.kernel = new int[] {kernelSize, kernelSize};
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {padding, padding};
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.maxPool2d(x, kernel, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel=" + kernel[0] + ", stride=" + stride[0] + ", padding=" + padding[0];
    }
}
