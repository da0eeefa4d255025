package dev.depth.nn;

import dev.depth.autograd.Autograd;
import dev.depth.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied one after the other: {@code forward(x) = m_n(... m_2(m_1(x)))}. Submodules are
 * named "0", "1", ... as in PyTorch.
 *
 * <p>Inference: under {@code Autograd.noGrad()}, consecutive {@link Linear} layers (each optionally
 * followed by {@link ReLU}s and evaluation-mode {@link Dropout}s) run as one fused chain, with the
 * same results and no intermediate tensors: {@code model.eval()}, {@code Autograd.noGrad()} and {@code model.forward(x)} is the fast
 * path, down to one sample at a time.
 *
 * <p>Training: a {@link Linear} or {@link Conv2d} directly followed by a {@link ReLU} computes the
 * ReLU over the layer's fresh output in place ({@link Tensor#reluOverOpOutput()}; for a Linear,
 * inside its GEMM: {@link F#linearRelu}): the same values and gradients, bit for bit, without the
 * ReLU's output array.
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

    /**
     * A snapshot of this model for inference: a new Sequential in which every {@link Linear} is
     * {@linkplain Linear#freeze() frozen} (its weight copied and packed once for the GEMM), {@link Dropout}s
     * and {@link Identity}s are left out (they are the identity in evaluation mode), {@link ReLU}s,
     * {@link Flatten}s and frozen layers are kept (as new modules), and nested Sequentials are frozen in turn. Its outputs are the
     * evaluation-mode outputs of this model now, bit for bit (the same GEMM and fused ReLU run under
     * {@code Autograd.noGrad()}); training this model afterwards does not change it.
     *
     * @throws IllegalArgumentException for any other kind of layer (one with parameters, buffers or
     *                                  a mode of its own, which a snapshot would have to copy)
     */
    public Sequential freeze() {
        Sequential frozen = new Sequential();
        freezeInto(frozen);
        frozen.eval();
        return frozen;
    }

    private void freezeInto(Sequential frozen) {
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            Class<?> c = m.getClass();
            // new modules rather than shared ones: eval() on the snapshot must not change this model's modules
            if (c == Linear.class) frozen.add(((Linear) m).freeze());
            else if (c == FrozenLinear.class) frozen.add(((FrozenLinear) m).copy());
            else if (c == ReLU.class) frozen.add(new ReLU());
            else if (c == Flatten.class) frozen.add(((Flatten) m).copy());
            else if (c == Dropout.class || c == Identity.class) continue;
            else if (c == Sequential.class) ((Sequential) m).freezeInto(frozen);
            else throw new IllegalArgumentException("freeze: layer " + i + " is a " + c.getSimpleName()
                        + "; freeze supports Linear, ReLU, Flatten, Dropout, Identity and nested Sequentials");
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        boolean inference = !Autograd.isGradEnabled();
        for (int i = 0; i < layers.size(); ) {
            if (inference) {
                int end = LinearChain.end(layers, i);
                Tensor y = end > i ? LinearChain.forward(layers, i, end, x) : null;
                if (y != null) {
                    x = y;
                    i = end;
                    continue;
                }
            }
            Module m = layers.get(i);
            if (!inference && i + 1 < layers.size() && layers.get(i + 1).getClass() == ReLU.class
                    && (m.getClass() == Linear.class || m.getClass() == Conv2d.class)) {
                // the ReLU over the layer's fresh output, in its storage (their backwards read neither); a linear
                // layer's GEMM clamps each tile of it while in cache
                x = m instanceof Linear l ? F.linearRelu(x, l.weight, l.bias) : m.forward(x).reluOverOpOutput();
                i += 2;
                continue;
            }
            x = layers.get(i++).forward(x);
        }
        return x;
    }
}
