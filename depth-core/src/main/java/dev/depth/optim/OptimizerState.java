package dev.depth.optim;

import dev.depth.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of an {@link Optimizer}'s state, from {@link Optimizer#stateDict()}, for resuming
 * training: the shape of PyTorch's {@code optimizer.state_dict()}.
 *
 * <p>Buffers are tensors shaped like their parameter (for Adam {@code "exp_avg"} and
 * {@code "exp_avg_sq"}), so a checkpoint writer can store them as it stores weights, under keys
 * such as {@code "state.3.exp_avg"}.
 *
 * @param optimizer the optimiser's name ("Adam"); loading into another kind is refused
 * @param groups    per group: lr, weight decay and the state indices of its parameters
 * @param params    per parameter index (only parameters that took a step): step count and buffers
 */
public record OptimizerState(String optimizer, List<GroupState> groups, Map<Integer, ParamState> params) {
    public OptimizerState {
        groups = List.copyOf(groups);
        params = Map.copyOf(params);
    }

    /**
     * One parameter group's saved values.
     *
     * @param lr           the learning rate at the time of saving (what a schedule had set)
     * @param weightDecay  the weight decay
     * @param paramIndices the state indices of the group's parameters
     */
    public record GroupState(double lr, double weightDecay, int[] paramIndices) {
        public GroupState {
            paramIndices = paramIndices.clone();
        }

        @Override
        public int[] paramIndices() {
            return paramIndices.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GroupState g && Double.compare(g.lr, lr) == 0 && Double.compare(g.weightDecay, weightDecay) == 0
                    && Arrays.equals(g.paramIndices, paramIndices);
        }

        @Override
        public int hashCode() {
            return (Double.hashCode(lr) * 31 + Double.hashCode(weightDecay)) * 31 + Arrays.hashCode(paramIndices);
        }

        @Override
        public String toString() {
            return "GroupState[lr=" + lr + ", weightDecay=" + weightDecay + ", paramIndices=" + Arrays.toString(paramIndices) + "]";
        }
    }

    /**
     * One parameter's saved state.
     *
     * @param step    the number of steps it has taken
     * @param buffers the update rule's buffers by name, shaped like the parameter
     */
    public record ParamState(long step, Map<String, Tensor> buffers) {
        public ParamState {
            buffers = Map.copyOf(buffers);
        }
    }
}
