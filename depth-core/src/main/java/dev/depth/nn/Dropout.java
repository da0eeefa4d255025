package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * Inverted dropout: in training, each element is zeroed with probability p and the rest scaled
 * by 1 / (1 - p); identity in evaluation. Srivastava et al., 2014.
 * <p>Shape: any -> same. The masks come from the generator given (by default a split of the
 * context generator at construction, see {@link Init}), so runs are reproducible.
 */
public class Dropout extends Module {
    private final float p;
    private final Generator gen;

    public Dropout(float p) {
        this(p, Init.generator().split());
    }

    public Dropout(float p, Generator gen) {
        if (!(p >= 0f && p <= 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        this.p = p;
        this.gen = gen;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), gen);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
