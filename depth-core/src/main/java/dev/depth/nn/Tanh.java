package dev.depth.nn;

/** Element-wise {@code tanh(x)}. Shape: any -> same. No parameters. */
public class Tanh extends Activation {
    public Tanh() {
        super(x -> x.tanh());
    }
}
