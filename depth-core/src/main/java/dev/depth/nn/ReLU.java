package dev.depth.nn;

/** Element-wise {@code max(0, x)}. Shape: any -> same. No parameters. */
public class ReLU extends Activation {
    public ReLU() {
        super(x -> x.relu());
    }
}
