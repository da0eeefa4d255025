package dev.depth.io;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reads a file written by PyTorch-side code (src/test/python/make_fixture.py) and compares every
 * tensor with the values PyTorch's {@code tensor.float()} gives, bit for bit. Python is needed only
 * to regenerate the fixture, never to run this test.
 */
class FixtureTest {
    private static Path resource(String name) throws URISyntaxException {
        return Path.of(FixtureTest.class.getResource(name).toURI());
    }

    @Test
    void readsTheFileWrittenByPyTorch() throws IOException, URISyntaxException {
        Map<String, Tensor> loaded = Safetensors.load(resource("fixture.safetensors"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> expected = (Map<String, Map<String, Object>>) Json.parse(
                Files.readAllBytes(resource("fixture_expected.json")));

        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(loaded.keySet()), "header order");
        List<String> dtypes = new ArrayList<>();
        for (var e : expected.entrySet()) {
            String name = e.getKey();
            Tensor t = loaded.get(name);
            int[] shape = ((List<?>) e.getValue().get("shape")).stream().mapToInt(d -> ((Long) d).intValue()).toArray();
            assertArrayEquals(shape, t.shape(), name);
            List<?> values = (List<?>) e.getValue().get("values");
            float[] actual = t.toFloatArray();
            assertEquals(values.size(), actual.length, name);
            for (int i = 0; i < actual.length; i++) {
                float want = ((Number) values.get(i)).floatValue();
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(actual[i]), name + "[" + i + "]: " + want + " vs " + actual[i]);
            }
            dtypes.add((String) e.getValue().get("dtype"));
        }
        assertEquals(List.of("F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"),
                List.of(Dtype.values()).stream().map(Enum::name).filter(dtypes::contains).toList(), "every dtype is covered");
        assertEquals(Map.of("format", "pt", "generator", "make_fixture.py"), Safetensors.loadMetadata(resource("fixture.safetensors")));
    }
}
