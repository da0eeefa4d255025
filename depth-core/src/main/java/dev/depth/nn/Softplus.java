package dev.depth.nn;

/** Element-wise {@code log(1 + exp(x))}. Shape: any -> same. No parameters. */
public class Softplus extends Activation {
    public Softplus() {
        super(x -> x.softplus());
    }
}
