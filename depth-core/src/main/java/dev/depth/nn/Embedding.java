package dev.depth.nn;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;

/**
 * A lookup table: row i of the weight is the vector of token i.
 * <p>Shape: integral indices of any shape (...) -> (..., embeddingDim).
 * <p>Parameters: weight (numEmbeddings, embeddingDim) from N(0, 1), as PyTorch.
 */
public class Embedding extends Module {
    public final int numEmbeddings, embeddingDim;
    public final Tensor weight;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, Init.generator());
    }

    public Embedding(int numEmbeddings, int embeddingDim, Generator gen) {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new IllegalArgumentException("Embedding: sizes must be positive, got " + numEmbeddings + ", " + embeddingDim);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.weight = registerParameter("weight", Tensor.zeros(numEmbeddings, embeddingDim));
        resetParameters(gen);
    }

    /** Re-draws the weight from N(0, 1). */
    public void resetParameters(Generator gen) {
        Init.normal(weight, 0, 1, gen);
    }

    @Override
    public Tensor forward(Tensor indices) {
        return F.embedding(indices, weight);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim;
    }
}
