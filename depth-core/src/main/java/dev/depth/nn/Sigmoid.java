package dev.depth.nn;

/** Element-wise {@code 1 / (1 + exp(-x))}. Shape: any -> same. No parameters. */
public class Sigmoid extends Activation {
    public Sigmoid() {
        super(x -> x.sigmoid());
    }
}
