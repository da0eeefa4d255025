package dev.depth.kernel;

import dev.depth.kernel.simd.FloatKernels;
import dev.depth.kernel.simd.Simd;

/**
 * Fused gate kernels of one LSTM or GRU time step over a batch, in PyTorch's gate order. Each
 * operand is a row-major matrix given by its array, offset and row stride (unit column stride),
 * so that views such as one time step of the input projection or half of the previous step's
 * packed state need no copy. The activations (sigmoid, tanh) use the SIMD kernels of
 * {@link Simd}; the rest are plain loops that the JIT vectorises.
 */
public final class RecurrentKernels {
    private RecurrentKernels() {}

    private static final FloatKernels K = Simd.kernels();
    /** Batch rows times hidden units below which a step stays on the calling thread. */
    private static final int GRAIN = 1 << 15;

    /** A row-major operand: element (r, j) at {@code a[off + r * ld + j]}. */
    public record Rows(float[] a, int off, int ld) {
        int at(int r) { return off + r * ld; }
    }

    /**
     * LSTM step: with gates = xp + hp (batch, 4H) split into i, f, g, o, writes the activated
     * gates sigmoid(i), sigmoid(f), tanh(g), sigmoid(o) into {@code acts} (batch, 4H), c' = f c +
     * i g and tanh(c') into {@code tc} (batch, H), and packs {h' = o tanh(c'), c'} into
     * {@code hc} (batch, 2H).
     */
    public static void lstmForward(Rows xp, Rows hp, Rows c, int batch, int h, float[] acts, float[] tc, float[] hc) {
        Parallel.forRange(batch, Math.max(1, GRAIN / (4 * h)), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int a = b * 4 * h, x = xp.at(b), y = hp.at(b), cb = c.at(b), o = b * 2 * h, t = b * h;
                K.arith(FloatKernels.Arith.ADD, xp.a(), x, hp.a(), y, acts, a, 4 * h);
                K.sigmoid(acts, a, acts, a, 2 * h);
                K.tanh(acts, a + 2 * h, acts, a + 2 * h, h);
                K.sigmoid(acts, a + 3 * h, acts, a + 3 * h, h);
                float[] cs = c.a();
                for (int j = 0; j < h; j++) hc[o + h + j] = acts[a + h + j] * cs[cb + j] + acts[a + j] * acts[a + 2 * h + j];
                K.tanh(hc, o + h, tc, t, h);
                K.arith(FloatKernels.Arith.MUL, acts, a + 3 * h, tc, t, hc, o, h);
            }
        });
    }

    /**
     * The gradient of {@link #lstmForward} from the gradient {@code g} (batch, 2H) of the packed
     * {h', c'}: writes the gradient of the gates' pre-activation (batch, 4H) into {@code dGates}
     * and of c into {@code dc} (batch, H; may be null).
     */
    public static void lstmBackward(float[] g, Rows c, int batch, int h, float[] acts, float[] tc, float[] dGates, float[] dc) {
        Parallel.forRange(batch, Math.max(1, GRAIN / (4 * h)), (b0, b1) -> {
            float[] cs = c.a();
            for (int b = b0; b < b1; b++) {
                int a = b * 4 * h, gb = b * 2 * h, t = b * h, cb = c.at(b);
                for (int j = 0; j < h; j++) {
                    float i = acts[a + j], f = acts[a + h + j], gg = acts[a + 2 * h + j], o = acts[a + 3 * h + j];
                    float th = tc[t + j], gh = g[gb + j];
                    float dcj = g[gb + h + j] + gh * o * (1f - th * th);
                    dGates[a + j] = dcj * gg * i * (1f - i);
                    dGates[a + h + j] = dcj * cs[cb + j] * f * (1f - f);
                    dGates[a + 2 * h + j] = dcj * i * (1f - gg * gg);
                    dGates[a + 3 * h + j] = gh * th * o * (1f - o);
                    if (dc != null) dc[t + j] = dcj * f;
                }
            }
        });
    }

    /**
     * GRU step: with xp, hp (batch, 3H) split into r, z, n parts, r = sigmoid(x_r + h_r),
     * z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n), writes {r, z, n} into {@code acts}
     * (batch, 3H) and h' = (1 - z) n + z h into {@code out} (batch, H).
     */
    public static void gruForward(Rows xp, Rows hp, Rows hPrev, int batch, int h, float[] acts, float[] out) {
        Parallel.forRange(batch, Math.max(1, GRAIN / (3 * h)), (b0, b1) -> {
            float[] xs = xp.a(), hs = hp.a(), ps = hPrev.a();
            for (int b = b0; b < b1; b++) {
                int a = b * 3 * h, x = xp.at(b), y = hp.at(b), p = hPrev.at(b), o = b * h;
                K.arith(FloatKernels.Arith.ADD, xs, x, hs, y, acts, a, 2 * h);
                K.sigmoid(acts, a, acts, a, 2 * h);
                for (int j = 0; j < h; j++) acts[a + 2 * h + j] = xs[x + 2 * h + j] + acts[a + j] * hs[y + 2 * h + j];
                K.tanh(acts, a + 2 * h, acts, a + 2 * h, h);
                for (int j = 0; j < h; j++) {
                    float n = acts[a + 2 * h + j];
                    out[o + j] = n + acts[a + h + j] * (ps[p + j] - n);
                }
            }
        });
    }

    /**
     * The gradient of {@link #gruForward} from {@code g} (batch, H): the gradients of xp and hp
     * (batch, 3H each; either may be null) and of the previous state (batch, H; may be null).
     */
    public static void gruBackward(float[] g, Rows hp, Rows hPrev, int batch, int h, float[] acts, float[] dxp, float[] dhp, float[] dh) {
        Parallel.forRange(batch, Math.max(1, GRAIN / (3 * h)), (b0, b1) -> {
            float[] hs = hp.a(), ps = hPrev.a();
            for (int b = b0; b < b1; b++) {
                int a = b * 3 * h, y = hp.at(b), p = hPrev.at(b), o = b * h;
                for (int j = 0; j < h; j++) {
                    float r = acts[a + j], z = acts[a + h + j], n = acts[a + 2 * h + j], gj = g[o + j];
                    float dpn = gj * (1f - z) * (1f - n * n);
                    float dpr = dpn * hs[y + 2 * h + j] * r * (1f - r);
                    float dpz = gj * (ps[p + j] - n) * z * (1f - z);
                    if (dxp != null) {
                        dxp[a + j] = dpr;
                        dxp[a + h + j] = dpz;
                        dxp[a + 2 * h + j] = dpn;
                    }
                    if (dhp != null) {
                        dhp[a + j] = dpr;
                        dhp[a + h + j] = dpz;
                        dhp[a + 2 * h + j] = dpn * r;
                    }
                    if (dh != null) dh[o + j] = gj * z;
                }
            }
        });
    }
}
