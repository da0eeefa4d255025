package dev.depth.nn;

import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied one after the other: {@code forward(x) = m_n(... m_2(m_1(x)))}. Submodules are
 * named "0", "1", ... as in PyTorch.
 *
 * <pre>{@code
 * var model = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 10));
 * }</pre>
 */
public class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends a module; returns this. */
    public Sequential add(Module m) {
        registerModule(Integer.toString(layers.size()), m);
        layers.add(m);
        return this;
    }

    public Module get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : layers) x = m.forward(x);
        return x;
    }
}
