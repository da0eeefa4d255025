package dev.depth.autograd;

import dev.depth.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward engine and the gradient mode.
 *
 * <p>Gradient recording is on by default and is switched off per thread with
 * {@code try (var scope = Autograd.noGrad()) { ... }}; ops run inside it record no graph.
 */
public final class Autograd {
    private Autograd() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** Whether ops on this thread currently record the graph. */
    public static boolean isGradEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope that restores the previous gradient mode when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;

        private Scope(boolean enabled) {
            boolean[] flag = ENABLED.get();
            previous = flag[0];
            flag[0] = enabled;
        }

        @Override
        public void close() {
            ENABLED.get()[0] = previous;
        }
    }

    /** Disables gradient recording until the returned scope is closed. */
    public static Scope noGrad() {
        return new Scope(false);
    }

    /** Enables gradient recording until the returned scope is closed (inside a noGrad scope). */
    public static Scope enableGrad() {
        return new Scope(true);
    }

    /**
     * Back-propagates {@code gradient} (dL/d root) through the graph that produced {@code root},
     * adding into the {@code grad()} of every leaf that requires a gradient.
     *
     * @param retainGraph keep the graph so backward can run through it again
     * @param createGraph record the backward computation itself, for higher-order derivatives
     */
    public static void backward(Tensor root, Tensor gradient, boolean retainGraph, boolean createGraph) {
        if (!root.requiresGrad())
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn "
                    + "(was it computed under noGrad, or from tensors without requiresGrad?)");
        if (!java.util.Arrays.equals(root.shape(), gradient.shape()))
            throw new IllegalArgumentException("backward: gradient shape " + java.util.Arrays.toString(gradient.shape())
                    + " does not match the tensor's shape " + java.util.Arrays.toString(root.shape()));
        Node rootNode = root.gradFn();
        if (rootNode == null) { // a leaf
            accumulateLeaf(root, gradient, false);
            return;
        }
        List<Node> order = topologicalOrder(rootNode);
        Map<Node, Tensor> grads = new IdentityHashMap<>();
        // gradients this backward pass allocated itself: safe to add into in place
        Map<Tensor, Boolean> owned = new IdentityHashMap<>();
        grads.put(rootNode, gradient);
        try (Scope scope = new Scope(createGraph)) {
            for (int k = order.size() - 1; k >= 0; k--) {
                Node node = order.get(k);
                Tensor g = grads.remove(node);
                if (g == null) continue;
                if (node.retained != null) accumulateLeaf(node.retained, g, false);
                Tensor[] inputs = node.inputs();
                if (!createGraph && node.accumulator() != null) {
                    accumulateInPlace(node, g, inputs, grads, owned);
                    // an accumulator only reads g, and writes into other buffers: an array of this pass's own
                    // (it left the map above, a retained copy has been taken) is now dead
                    if (owned.remove(g) != null && dense(g)) GradBufferPool.give(g.storage());
                } else {
                    // g may be overwritten when this pass created it and nothing else holds it: it left
                    // the map above, a retained copy has been taken, and owned buffers are never shared.
                    // Its entry goes now: a backward may hand g itself on to several inputs (an addition
                    // gives its output gradient to both), and then none of them holds it alone.
                    boolean wasOwned = !createGraph && owned.remove(g) != null;
                    boolean consume = wasOwned && node.consuming() != null && dense(g);
                    Tensor[] inGrads = consume ? node.consuming().apply(g) : node.apply(g);
                    for (int i = 0; i < inputs.length; i++) {
                        Tensor in = inputs[i];
                        Tensor ig = inGrads[i];
                        if (in == null || ig == null || !in.requiresGrad()) continue;
                        if (!java.util.Arrays.equals(in.shape(), ig.shape()))
                            throw new IllegalStateException("internal error: " + node + " produced a gradient of shape "
                                    + java.util.Arrays.toString(ig.shape()) + " for an input of shape "
                                    + java.util.Arrays.toString(in.shape()));
                        Node producer = in.gradFn();
                        if (producer == null) {
                            accumulateLeaf(in, ig, owned(ig, i, inGrads, g, inputs));
                        } else {
                            Tensor prev = grads.get(producer);
                            if (prev == null) {
                                grads.put(producer, ig);
                                // a fresh array of this backward's own may be added into, or consumed, later; so may
                                // g's array handed on whole to this input alone (g is dead, ig its only holder)
                                if (!createGraph && (owned(ig, i, inGrads, g, inputs) || (wasOwned && handedOn(ig, i, inGrads, g, inputs))))
                                    owned.put(ig, Boolean.TRUE);
                            } else if (!createGraph && owned.containsKey(prev)) {
                                prev.addInPlace(ig);
                            } else {
                                Tensor sum = prev.add(ig);
                                if (!createGraph) owned.put(sum, Boolean.TRUE);
                                grads.put(producer, sum);
                            }
                        }
                    }
                    // g's array, this pass's own, is dead unless the backward handed it on (a view or g itself)
                    if (wasOwned && dense(g) && !sharesStorage(inGrads, g)) GradBufferPool.give(g.storage());
                }
                if (!retainGraph) node.free();
            }
        }
    }

    /** Runs a node's in-place accumulator against dense buffers owned by this pass (or the leaves' grads). */
    private static void accumulateInPlace(Node node, Tensor g, Tensor[] inputs, Map<Node, Tensor> grads, Map<Tensor, Boolean> owned) {
        Tensor[] buffers = new Tensor[inputs.length];
        boolean[] overwrite = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !in.requiresGrad()) continue;
            Node producer = in.gradFn();
            if (producer == null) {
                overwrite[i] = in.claimGradOverwrite(); // a lazily zeroed gradient (only dense ones are)
                Tensor current = in.peekGrad();
                if (current == null || !current.isContiguous()) {
                    Tensor fresh = Tensor.zeros(in.shape());
                    if (current != null) fresh.addInPlace(current);
                    in.storeGrad(fresh);
                    current = fresh;
                }
                buffers[i] = current;
            } else {
                Tensor prev = grads.get(producer);
                if (prev == null) {
                    // an array the pool kept, stale, which the accumulator overwrites; else a new one of zeros
                    float[] kept = GradBufferPool.take(in.numel());
                    Tensor fresh = kept != null ? Tensor.wrap(kept, in.shape()) : Tensor.zeros(in.shape());
                    overwrite[i] = kept != null;
                    owned.put(fresh, Boolean.TRUE);
                    grads.put(producer, fresh);
                    prev = fresh;
                } else if (!owned.containsKey(prev)) {
                    Tensor fresh = Tensor.zeros(in.shape());
                    fresh.addInPlace(prev);
                    owned.put(fresh, Boolean.TRUE);
                    grads.put(producer, fresh);
                    prev = fresh;
                }
                buffers[i] = prev;
            }
        }
        node.accumulator().accumulate(g, buffers, overwrite);
    }

    /**
     * Drops the intermediate gradient arrays kept for the next backward pass. A backward pass gives back the
     * arrays of its own that die in it (a layer's input gradient, once the layer below has used it) and takes
     * them again where the next pass needs arrays of the same sizes (a linear layer's input gradient, or one
     * from {@link #gradientArray}), which saves their allocation and zeroing every step; only lengths that have
     * been asked for are kept, at most 64 MiB. Call this to return that memory after training. The system
     * property {@code depth.gradBufferPool=false} turns the reuse off.
     */
    public static void releaseGradientBuffers() {
        GradBufferPool.clear();
    }

    /**
     * An array of {@code length} floats for an op's backward function to return as an input gradient, with
     * unspecified contents: one an earlier backward pass was done with (see {@link #releaseGradientBuffers}),
     * or a new one. The caller must write every element before returning it. A convolution's and a pooling
     * layer's input gradients take their arrays here, so that a training step reuses the last step's.
     */
    public static float[] gradientArray(int length) {
        if (length < 0) throw new IllegalArgumentException("gradientArray: negative length " + length);
        float[] kept = GradBufferPool.take(length);
        return kept != null ? kept : new float[length];
    }

    /** Clears a tensor's gradient: {@link Tensor#clearGrad}. */
    public static void clearGrad(Tensor t, boolean setToNone) {
        t.clearGrad(setToNone);
    }

    /**
     * Adds g into leaf.grad(). The first gradient of a leaf is stored as it is when it is
     * {@code owned} (nothing else can see its storage), else as a copy, so that accumulating into
     * it in place later cannot change another tensor. A gradient zeroed lazily counts as none.
     */
    private static void accumulateLeaf(Tensor leaf, Tensor g, boolean owned) {
        boolean stale = !isGradEnabled() && leaf.claimGradOverwrite();
        Tensor current = leaf.peekGrad();
        if (current == null || (stale && owned)) {
            leaf.storeGrad(isGradEnabled() || owned ? g : g.detach().copy());
        } else if (stale) {
            current.copyFrom(g); // keeps the buffer: no new array
        } else if (isGradEnabled()) {
            leaf.storeGrad(current.add(g));
        } else {
            current.addInPlace(g);
        }
    }

    /**
     * Whether gradient {@code i} of a node's backward owns its storage: a dense array of its own,
     * not the node's output gradient (or a view of it), not shared with another of the node's
     * input gradients, not an input's storage. A backward creates it then (the contract of
     * {@link Node.Backward}), so storing it as a leaf's gradient without a copy is safe. This
     * saves a copy of every parameter gradient per step (2 MiB for the W2 MLP).
     */
    private static boolean owned(Tensor ig, int i, Tensor[] inGrads, Tensor g, Tensor[] inputs) {
        float[] s = ig.storage();
        if (ig.offset() != 0 || s.length != ig.numel() || !ig.isContiguous() || s == g.storage()) return false;
        for (int j = 0; j < inGrads.length; j++) {
            if (j != i && inGrads[j] != null && inGrads[j].storage() == s) return false;
        }
        for (Tensor in : inputs) {
            if (in != null && in.storage() == s) return false;
        }
        return true;
    }

    /**
     * Whether gradient {@code i} of a node's backward is the whole of g's array (g itself, as an addition or a
     * consuming backward returns it) and no other input gradient and no input shares that array: given that
     * this pass owned g, its only holder from now on.
     */
    private static boolean handedOn(Tensor ig, int i, Tensor[] inGrads, Tensor g, Tensor[] inputs) {
        float[] s = ig.storage();
        if (s != g.storage() || !dense(ig)) return false;
        for (int j = 0; j < inGrads.length; j++) {
            if (j != i && inGrads[j] != null && inGrads[j].storage() == s) return false;
        }
        for (Tensor in : inputs) {
            if (in != null && in.storage() == s) return false;
        }
        return true;
    }

    /** Whether any of a backward's input gradients lies in g's array. */
    private static boolean sharesStorage(Tensor[] inGrads, Tensor g) {
        for (Tensor ig : inGrads) {
            if (ig != null && ig.storage() == g.storage()) return true;
        }
        return false;
    }

    /** A tensor that is its whole storage, in order: offset 0, contiguous, exactly numel() floats. */
    private static boolean dense(Tensor t) {
        return t.offset() == 0 && t.isContiguous() && t.storage().length == t.numel();
    }

    private static List<Node> topologicalOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.gradFn() != null && !visited.containsKey(in.gradFn())) {
                    visited.put(in.gradFn(), Boolean.TRUE);
                    stack.push(new Object[] {in.gradFn(), 0});
                }
            } else {
                stack.pop();
                order.add(node);
            }
        }
        return order; // children before parents; iterate from the end for backward
    }
}
