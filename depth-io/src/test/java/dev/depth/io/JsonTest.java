package dev.depth.io;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    enum Mode { FAST }

    @Test
    void parsesAllValueKinds() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, -0.25E-2, true, false, null], \"b\": {\"c\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"},"
                + " \"big\": 123456789012345678901234567890, \"max\": 9223372036854775807, \"min\": -9223372036854775808} ");
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(List.of("a", "b", "big", "max", "min"), new ArrayList<>(m.keySet()));
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2L, a.get(1));
        assertEquals(3.5, a.get(2));
        assertEquals(1000.0, a.get(3));
        assertEquals(-0.0025, a.get(4));
        assertEquals(true, a.get(5));
        assertEquals(false, a.get(6));
        assertNull(a.get(7));
        assertEquals("x\"\\/\b\f\n\r\té", ((Map<?, ?>) m.get("b")).get("c"));
        assertEquals(new BigInteger("123456789012345678901234567890"), m.get("big"));
        assertEquals(Long.MAX_VALUE, m.get("max"));
        assertEquals(Long.MIN_VALUE, m.get("min"));
    }

    @Test
    void parsesUtf8AndSurrogatePairs() {
        assertEquals("é€😀", Json.parse("\"é€😀\""));
        assertEquals("😀", Json.parse("\"\\ud83d\\ude00\""));
    }

    @Test
    void rejectsWhatStrictJsonForbidsWithTheOffset() {
        assertSyntax("{\"a\":1,}", 7, "expected a string key");
        assertSyntax("[1,]", 3, "expected a value");
        assertSyntax("{\"a\":1,\"a\":2}", 7, "duplicate key \"a\"");
        assertSyntax("01", 0, "leading zero");
        assertSyntax("-", 1, "expected a digit");
        assertSyntax("1.", 2, "after a decimal point");
        assertSyntax("1e+", 3, "exponent");
        assertSyntax("NaN", 0, "expected a value");
        assertSyntax("Infinity", 0, "expected a value");
        assertSyntax("1e999", 0, "beyond the range");
        assertSyntax("tru", 0, "expected a value");
        assertSyntax("{} x", 3, "after the JSON value");
        assertSyntax("\"abc", 0, "not terminated");
        assertSyntax("\"a\tb\"", 2, "control character");
        assertSyntax("\"\\x\"", 1, "invalid escape");
        assertSyntax("\"\\u12\"", 1, "four hexadecimal digits");
        assertSyntax("// c\n1", 0, "expected a value");
        assertSyntax("", 0, "unexpected end");
        assertSyntax("{\"a\" 1}", 5, "expected ':'");
        assertSyntax("[1 2]", 3, "expected ',' or ']'");
        assertSyntax("[".repeat(Json.MAX_DEPTH + 1), Json.MAX_DEPTH, "nesting deeper");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] overlong = {'"', (byte) 0xc0, (byte) 0xaf, '"'};
        byte[] truncated = {'"', (byte) 0xe2, (byte) 0x82, '"'};
        byte[] surrogate = {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'};
        for (byte[] b : new byte[][] {overlong, truncated, surrogate}) {
            Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(b));
            assertEquals(1, e.offset());
            assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        }
    }

    @Test
    void offsetsCountBytesNotChars() {
        assertSyntax("[\"é\", x]", 7, "expected a value"); // é is two bytes
    }

    @Test
    void writesCompactAndPrettyAndReadsBack() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("lr", 1e-3f);
        inner.put("betas", new double[] {0.9, 0.999});
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "mlp");
        m.put("seed", 42);
        m.put("layers", List.of(784, 512, 10));
        m.put("optimizer", inner);
        m.put("mode", Mode.FAST);
        m.put("none", null);
        m.put("empty", Map.of());
        m.put("emptyList", List.of());
        m.put("nested", List.of(Map.of("k", 1)));
        assertEquals("{\"model\":\"mlp\",\"seed\":42,\"layers\":[784,512,10],\"optimizer\":{\"lr\":0.001,\"betas\":[0.9,0.999]},"
                + "\"mode\":\"FAST\",\"none\":null,\"empty\":{},\"emptyList\":[],\"nested\":[{\"k\":1}]}", Json.write(m));
        String pretty = Json.writePretty(m);
        assertEquals("""
                {
                  "model": "mlp",
                  "seed": 42,
                  "layers": [784, 512, 10],
                  "optimizer": {
                    "lr": 0.001,
                    "betas": [0.9, 0.999]
                  },
                  "mode": "FAST",
                  "none": null,
                  "empty": {},
                  "emptyList": [],
                  "nested": [
                    {
                      "k": 1
                    }
                  ]
                }""", pretty);
        Map<?, ?> back = (Map<?, ?>) Json.parse(pretty);
        assertEquals(42L, back.get("seed"));
        assertEquals(0.001, ((Map<?, ?>) back.get("optimizer")).get("lr"));
        assertEquals(List.of(784L, 512L, 10L), back.get("layers"));
    }

    @Test
    void escapesStringsSoTheyReadBack() {
        String s = "q\"b\\n\n\t\u0001\u007f é 😀 \ud800 end";
        String json = Json.write(s);
        assertTrue(json.contains("\\u0001") && json.contains("\\ud800"), json);
        assertEquals(s, Json.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writesNonFiniteNumbersAsStrings() {
        assertEquals("[\"NaN\",\"Infinity\",\"-Infinity\",\"NaN\"]",
                Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN)));
    }

    @Test
    void rejectsUnwritableValuesNamingThePath() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", Map.of("state", new Object()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write(m));
        assertTrue(e.getMessage().contains("$.optimizer.state") && e.getMessage().contains("java.lang.Object"), e.getMessage());

        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(1, "x");
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(badKey)));
        assertTrue(e.getMessage().contains("$[0]") && e.getMessage().contains("expected a String"), e.getMessage());

        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    private static void assertSyntax(String text, long offset, String fragment) {
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(text), text);
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().contains("at byte " + offset), e.getMessage());
    }
}
