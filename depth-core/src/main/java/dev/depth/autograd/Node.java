package dev.depth.autograd;

import dev.depth.tensor.Tensor;

/**
 * One recorded operation of the define-by-run graph: the op's name, its inputs and the function
 * that maps the gradient of its output to the gradients of its inputs.
 */
public final class Node {
    /**
     * Maps dL/d(output) to dL/d(input i) for each input; an entry may be null (no gradient). Each
     * entry must be a tensor the backward creates, the output gradient or a view of it, or an
     * input: the engine may keep a created one as a leaf's gradient and add into it in place. A
     * created one may take its array from {@link Autograd#gradientArray} (an array an earlier pass
     * was done with), writing every element of it.
     */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * An optional faster form of the backward for ops whose input gradient is mostly zeros (a
     * slice of a large tensor) or that can write it with no temporary (a linear layer's GEMMs
     * into a weight gradient kept across steps): adds the contribution of {@code gradOutput} in place into
     * {@code inputGrads[i]}, a dense buffer the engine owns (null where input i needs no
     * gradient). The buffer holds zeros or earlier contributions, except where {@code overwrite[i]}
     * is true: then it holds stale values (a gradient zeroed lazily, see {@link Tensor#clearGrad}, or
     * an array an earlier backward pass was done with, see {@link Autograd#releaseGradientBuffers})
     * and the accumulator must write every element of it instead of adding. The same tensor may
     * appear at two indices (an op applied to one leaf twice); only the first is marked overwrite,
     * so an accumulator handles its inputs in index order. Used when the graph of the backward
     * itself is not recorded.
     */
    @FunctionalInterface
    public interface Accumulator {
        void accumulate(Tensor gradOutput, Tensor[] inputGrads, boolean[] overwrite);
    }

    private final String name;
    private Tensor[] inputs;
    private Backward backward;
    private Accumulator accumulator;
    private Backward consuming;
    Tensor retained; // non-leaf tensor that asked for retainGrad()

    public Node(String name, Tensor[] inputs, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** The same node with an in-place accumulating form of its backward; returns this. */
    public Node withAccumulator(Accumulator accumulator) {
        this.accumulator = accumulator;
        return this;
    }

    Accumulator accumulator() {
        return accumulator;
    }

    /**
     * The same node with a form of its backward that may overwrite the output gradient it is given
     * and return it, or tensors over its storage, as input gradients (an element-wise op's
     * gradient computed in place: no new array). The engine calls it instead of the backward only
     * when that gradient is a dense buffer this backward pass created and nothing else holds, and
     * the backward's own graph is not recorded. Returns this.
     */
    public Node withConsumingBackward(Backward consuming) {
        this.consuming = consuming;
        return this;
    }

    Backward consuming() {
        return consuming;
    }

    public String name() {
        return name;
    }

    /** The inputs; empty once the graph has been freed by a backward pass. */
    public Tensor[] inputs() {
        return inputs == null ? new Tensor[0] : inputs;
    }

    boolean freed() {
        return backward == null;
    }

    Tensor[] apply(Tensor g) {
        if (backward == null)
            throw new IllegalStateException("backward through the graph a second time (op '" + name
                    + "'): its buffers were freed; call backward(retainGraph = true) the first time");
        return backward.apply(g);
    }

    void free() {
        backward = null;
        accumulator = null;
        consuming = null;
        inputs = null;
    }

    /** Makes the output tensor of this node receive its gradient in {@code grad()} during backward. */
    public void retain(Tensor output) {
        this.retained = output;
    }

    @Override
    public String toString() {
        return name + "Backward";
    }
}
