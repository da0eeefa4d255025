package dev.depth.optim;

import java.util.Arrays;
import java.util.List;

/**
 * Sets an optimiser's learning rates from a closed-form function of a step count; PyTorch's
 * {@code torch.optim.lr_scheduler}. Each parameter group's rate follows the schedule from the rate
 * it had when the scheduler was created (its base rate).
 *
 * <p>The count t starts at 0 when the scheduler is created (the constructor already sets
 * lr(0)); each {@link #step()} adds one and sets lr(t). Whether t counts epochs or iterations is the
 * caller's choice: call {@code step()} once per epoch, or once per iteration, after
 * {@code optimizer.step()}:
 * <pre>{@code
 * var opt = new SGD(model.parameters(), 0.1).momentum(0.9);
 * var schedule = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *     trainOneEpoch(model, opt);
 *     schedule.step();
 * }
 * }</pre>
 *
 * <p>Being closed forms, schedules are exact at any t and can be resumed from {@link #stateDict()}.
 * One scheduler per optimiser: a second one would overwrite the first's rates.
 */
public abstract class LRScheduler {
    /** A learning rate as a function of a group's base rate and the step count t &gt;= 0. */
    @FunctionalInterface
    protected interface Schedule {
        double lr(double baseLr, long t);
    }

    private final Optimizer optimizer;
    private final Schedule schedule;
    private double[] baseLrs;
    private long lastEpoch;
    private double[] lastLr;

    /** Records the optimiser's current rates as base rates and sets lr(0). */
    protected LRScheduler(Optimizer optimizer, Schedule schedule) {
        if (optimizer == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer is null");
        this.optimizer = optimizer;
        this.schedule = schedule;
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) baseLrs[i] = groups.get(i).lr();
        apply();
    }

    /** Advances the count by one and sets every group's learning rate to lr(t). */
    public void step() {
        lastEpoch++;
        apply();
    }

    private void apply() {
        List<ParamGroup> groups = optimizer.paramGroups();
        if (groups.size() != baseLrs.length)
            throw new IllegalStateException(getClass().getSimpleName() + ": the optimizer has " + groups.size()
                    + " parameter groups, the scheduler was created for " + baseLrs.length + "; create it after adding groups");
        double[] lrs = new double[baseLrs.length];
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = schedule.lr(baseLrs[i], lastEpoch);
            groups.get(i).setLr(lrs[i]);
        }
        lastLr = lrs;
    }

    /** The learning rate of each group as this scheduler last set it. */
    public double[] getLastLr() {
        return lastLr.clone();
    }

    /** The number of {@link #step()} calls so far (PyTorch's {@code last_epoch}). */
    public long lastEpoch() {
        return lastEpoch;
    }

    /** The base rate of each group. */
    public double[] baseLrs() {
        return baseLrs.clone();
    }

    /** The optimiser this scheduler drives. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The count and the base rates, for resuming. */
    public State stateDict() {
        return new State(lastEpoch, baseLrs);
    }

    /** Restores a saved count and base rates and sets the rates they give. */
    public void loadStateDict(State state) {
        if (state.lastEpoch() < 0)
            throw new IllegalArgumentException(getClass().getSimpleName() + ".loadStateDict: lastEpoch must be >= 0, got " + state.lastEpoch());
        if (state.baseLrs().length != baseLrs.length)
            throw new IllegalArgumentException(getClass().getSimpleName() + ".loadStateDict: the state has " + state.baseLrs().length
                    + " base rates, the optimizer has " + baseLrs.length + " parameter groups");
        lastEpoch = state.lastEpoch();
        baseLrs = state.baseLrs();
        apply();
    }

    /**
     * A scheduler's saved state.
     *
     * @param lastEpoch the step count
     * @param baseLrs   the base rate of each group
     */
    public record State(long lastEpoch, double[] baseLrs) {
        public State {
            baseLrs = baseLrs.clone();
        }

        @Override
        public double[] baseLrs() {
            return baseLrs.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.lastEpoch == lastEpoch && Arrays.equals(s.baseLrs, baseLrs);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(lastEpoch) * 31 + Arrays.hashCode(baseLrs);
        }

        @Override
        public String toString() {
            return "State[lastEpoch=" + lastEpoch + ", baseLrs=" + Arrays.toString(baseLrs) + "]";
        }
    }

    static void require(boolean ok, String owner, String what, Object value) {
        if (!ok) throw new IllegalArgumentException(owner + ": " + what + ", got " + value);
    }
}
