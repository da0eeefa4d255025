package dev.depth.nn;

/** Element-wise {@code x Phi(x), Phi the standard normal CDF (exact, PyTorch's default)}. Shape: any -> same. No parameters. */
public class GELU extends Activation {
    public GELU() {
        super(x -> x.gelu());
    }
}
