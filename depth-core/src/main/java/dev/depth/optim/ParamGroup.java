package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.List;

/**
 * A set of parameters that share a learning rate and a weight decay inside an {@link Optimizer}
 * (PyTorch's {@code param_groups} entry). The lr is what schedules change; a common use of several
 * groups is no weight decay on biases and normalisation parameters.
 *
 * <p>Obtained from {@link Optimizer#paramGroups()}; the parameter list is fixed, lr and weight
 * decay may be changed between steps.
 */
public final class ParamGroup {
    private final String owner;
    private final List<Tensor> params;
    private final int firstIndex;
    private double lr;
    private double weightDecay;

    ParamGroup(String owner, List<Tensor> params, int firstIndex, double lr, double weightDecay) {
        this.owner = owner;
        this.params = params;
        this.firstIndex = firstIndex;
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    /** The parameters (unmodifiable). */
    public List<Tensor> params() {
        return params;
    }

    /** The optimiser's state index of this group's first parameter; the others follow in order. */
    public int firstIndex() {
        return firstIndex;
    }

    /** The learning rate used by the next step. */
    public double lr() {
        return lr;
    }

    /** Sets the learning rate (finite, {@code >= 0}). */
    public void setLr(double lr) {
        this.lr = Optimizer.requireNonNegative(owner, "lr", lr);
    }

    /** The weight decay coefficient (L2 penalty, or decoupled decay for AdamW). */
    public double weightDecay() {
        return weightDecay;
    }

    /** Sets the weight decay (finite, {@code >= 0}). */
    public void setWeightDecay(double weightDecay) {
        this.weightDecay = Optimizer.requireNonNegative(owner, "weight_decay", weightDecay);
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, lr=" + lr + ", weight_decay=" + weightDecay + ")";
    }
}
