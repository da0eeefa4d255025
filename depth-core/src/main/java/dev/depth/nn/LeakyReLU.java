package dev.depth.nn;

/** Element-wise {@code x > 0 ? x : slope x}; slope defaults to {@link #DEFAULT_SLOPE}. Shape: any -> same. */
public class LeakyReLU extends Activation {
    public static final float DEFAULT_SLOPE = 0.01f;
    private final float slope;

    public LeakyReLU() {
        this(DEFAULT_SLOPE);
    }

    public LeakyReLU(float slope) {
        super(x -> x.leakyRelu(slope));
        this.slope = slope;
    }

    @Override
    protected String extraRepr() {
        return "slope=" + slope;
    }
}
