package dev.depth.nn;

import dev.depth.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the golden-value files written by src/test/python/make_*_fixtures.py and compares tensors with them. */
final class Fixtures {
    private final Map<String, Tensor> tensors = new HashMap<>();

    /** Loads "name TAB d1,d2 TAB values" lines from a resource next to this class. */
    Fixtures(String resource) {
        try (var in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] p = line.split("\t");
                int[] shape = p[1].isEmpty() ? new int[0] : Arrays.stream(p[1].split(",")).mapToInt(Integer::parseInt).toArray();
                String[] vs = p.length > 2 ? p[2].trim().split(" ") : new String[0];
                float[] v = new float[vs.length];
                for (int i = 0; i < v.length; i++) v[i] = Float.parseFloat(vs[i]);
                tensors.put(p[0], Tensor.of(v, shape));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    /** A fresh copy of the named tensor. */
    Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalStateException("fixture has no tensor " + name);
        return Tensor.of(t.toFloatArray(), t.shape());
    }

    /** |expected - actual| <= atol + rtol |expected| element-wise, shapes equal. */
    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++)
            assertTrue(Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]), what + "[" + i + "]: expected " + e[i] + ", got " + a[i]);
    }
}
