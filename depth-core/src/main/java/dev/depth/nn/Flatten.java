package dev.depth.nn;

import dev.depth.tensor.Tensor;

/** Flattens dimensions startDim..endDim (default 1..-1): (N, C, H, W) -> (N, C*H*W). No parameters. */
public class Flatten extends Module {
    private final int startDim, endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim, endDim);
    }

    /** A new Flatten over the same dimensions. */
    Flatten copy() {
        return new Flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "startDim=" + startDim + ", endDim=" + endDim;
    }
}
