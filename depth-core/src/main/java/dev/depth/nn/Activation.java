package dev.depth.nn;

import dev.depth.tensor.Tensor;

import java.util.function.UnaryOperator;

/** A parameter-free element-wise layer; the named subclasses ({@link ReLU}, {@link Tanh}, ...) are what users write. */
public abstract class Activation extends Module {
    private final UnaryOperator<Tensor> fn;

    protected Activation(UnaryOperator<Tensor> fn) {
        this.fn = fn;
    }

    @Override
    public Tensor forward(Tensor x) {
        return fn.apply(x);
    }
}
