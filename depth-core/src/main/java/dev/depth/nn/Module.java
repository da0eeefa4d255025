package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A building block of models: it owns parameters (tensors that train), buffers (state that is
 * saved but not trained, such as batch norm's running statistics) and submodules, and maps an
 * input tensor to an output in {@link #forward}.
 *
 * <p>Names in {@link #namedParameters()} and {@link #stateDict()} are dotted paths as in PyTorch
 * ({@code "0.weight"}, {@code "encoder.fc1.bias"}), so checkpoints line up with PyTorch's.
 *
 * <p>Thread safety: a module may run {@code forward} from several threads only in eval mode under
 * {@code Autograd.noGrad()}; training mutates state and is single-threaded per module.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Maps the input to the output. */
    public abstract Tensor forward(Tensor input);

    /** Registers a trainable tensor (its requiresGrad is set) under {@code name}; returns it. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a saved, non-trainable tensor under {@code name}; returns it. */
    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a submodule under {@code name}; returns it. */
    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid member name '" + name + "' (non-empty, no dots)");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": member '" + name + "' registered twice");
    }

    /** All trainable tensors of this module and its submodules, in registration order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Trainable tensors by dotted name. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    /** Parameters and buffers by dotted name: what a checkpoint stores. The tensors are live, not copies. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withBuffers));
    }

    /**
     * Copies values into this module's parameters and buffers. With {@code strict}, the key sets
     * must match exactly; shapes must always match. The message names every problem found.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> mine = stateDict();
        List<String> problems = new ArrayList<>();
        for (var e : state.entrySet()) {
            Tensor target = mine.get(e.getKey());
            if (target == null) {
                if (strict) problems.add("unexpected key '" + e.getKey() + "'");
            } else if (!Arrays.equals(target.shape(), e.getValue().shape())) {
                problems.add("'" + e.getKey() + "' has shape " + Arrays.toString(e.getValue().shape()) + ", the model expects "
                        + Arrays.toString(target.shape()));
            }
        }
        if (strict) for (String k : mine.keySet()) if (!state.containsKey(k)) problems.add("missing key '" + k + "'");
        if (!problems.isEmpty())
            throw new IllegalArgumentException("loadStateDict(" + getClass().getSimpleName() + "): " + String.join("; ", problems));
        for (var e : state.entrySet()) {
            Tensor target = mine.get(e.getKey());
            if (target != null) target.copyFrom(e.getValue());
        }
    }

    public void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /** Direct submodules by name. */
    public Map<String, Module> namedChildren() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Applies {@code fn} to every submodule (depth first) and then to this module. */
    public void apply(Consumer<Module> fn) {
        for (Module m : children.values()) m.apply(fn);
        fn.accept(this);
    }

    /** Training mode (dropout active, batch norm uses batch statistics); returns this. */
    public Module train(boolean mode) {
        apply(m -> m.training = mode);
        return this;
    }

    public Module train() {
        return train(true);
    }

    /** Evaluation mode; returns this. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears the gradients of all parameters (sets them to null). */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /** Clears the gradients of all parameters: to null, or zero-filled in place; see {@link dev.depth.optim.Optimizer#zeroGrad(boolean)}. */
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : parameters()) Autograd.clearGrad(p, setToNone);
    }

    /** The number of trainable scalars. */
    public long numParameters() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** The configuration shown by {@link #toString()} in parentheses, e.g. {@code in=784, out=10}. */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            for (var e : children.entrySet()) {
                String child = e.getValue().toString().replace("\n", "\n  ");
                sb.append("  (").append(e.getKey()).append("): ").append(child).append('\n');
            }
        }
        return sb.append(')').toString();
    }
}
