package dev.depth.tensor;

/** PyTorch-like printing: nested brackets, 4 decimals, summarised with "..." past 1000 elements. */
final class TensorFormat {
    private TensorFormat() {}

    private static final int SUMMARY_THRESHOLD = 1000, EDGE = 3;

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        float[] v = t.toFloatArray();
        boolean summarise = v.length > SUMMARY_THRESHOLD;
        boolean integral = true;
        for (float f : v) if (f != Math.rint(f) || Float.isInfinite(f)) { integral = false; break; }
        if (t.dim() == 0) {
            sb.append(num(v[0], integral));
        } else {
            append(sb, v, t.shape, 0, 0, integral, summarise, 7);
        }
        sb.append(", shape=").append(Shapes.str(t.shape));
        if (t.gradFn() != null) sb.append(", gradFn=").append(t.gradFn());
        else if (t.requiresGrad()) sb.append(", requiresGrad=true");
        return sb.append(')').toString();
    }

    private static void append(StringBuilder sb, float[] v, int[] shape, int dim, int base, boolean integral, boolean summarise, int indent) {
        int n = shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < shape.length; i++) stride *= shape[i];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarise && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = n - EDGE - 1;
                continue;
            }
            if (dim == shape.length - 1) sb.append(num(v[base + i], integral));
            else append(sb, v, shape, dim + 1, base + i * stride, integral, summarise, indent);
            if (i < n - 1) sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
        }
        sb.append(']');
    }

    private static String num(float f, boolean integral) {
        if (Float.isNaN(f)) return "nan";
        if (Float.isInfinite(f)) return f > 0 ? "inf" : "-inf";
        if (integral) return String.format("%.0f.", f);
        float a = Math.abs(f);
        if (a != 0 && (a < 1e-4 || a >= 1e6)) return String.format("%.4e", f);
        return String.format("%.4f", f);
    }
}
