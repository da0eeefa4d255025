package dev.depth.io;

import dev.depth.tensor.Generator;
import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.depth.io.SafetensorsFiles.concat;
import static dev.depth.io.SafetensorsFiles.f32;
import static dev.depth.io.SafetensorsFiles.headerOffsetOf;
import static dev.depth.io.SafetensorsFiles.le64;
import static dev.depth.io.SafetensorsFiles.padded;
import static dev.depth.io.SafetensorsFiles.raw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------- round trips

    @Test
    void roundTripsShapesIncludingScalarsAndEmptyTensors() throws IOException {
        Generator gen = new Generator(7);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("scalar", Tensor.scalar(-3.25f));
        in.put("empty", Tensor.zeros(0));
        in.put("empty3d", Tensor.zeros(2, 0, 3));
        in.put("vector", Tensor.randn(gen, 5));
        in.put("matrix", Tensor.randn(gen, 3, 4));
        in.put("rank4", Tensor.randn(gen, 2, 3, 4, 5));
        in.put("big", Tensor.randn(gen, 1000, 300)); // 1.2 MB: more than one I/O chunk
        in.put("special", Tensor.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE, Float.MAX_VALUE));
        Path file = dir.resolve("t.safetensors");
        Safetensors.save(file, in);
        LinkedHashMap<String, Tensor> out = Safetensors.load(file);
        assertSame(in, out);
        assertEquals(Map.of(), Safetensors.loadMetadata(file));
    }

    @Test
    void roundTripsManyTensorsInOrderWithMetadata() throws IOException {
        Generator gen = new Generator(11);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) in.put("layers." + (299 - i) + ".weight", Tensor.randn(gen, 1 + i % 7, 1 + i % 3));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcode \"quoted\"\n");
        Path file = dir.resolve("many.safetensors");
        Safetensors.save(file, in, meta);
        assertSame(in, Safetensors.load(file));
        assertEquals(meta, Safetensors.loadMetadata(file));
        assertEquals(new ArrayList<>(meta.keySet()), new ArrayList<>(Safetensors.loadMetadata(file).keySet()));
    }

    @Test
    void savesViewsAsTheirRowMajorElements() throws IOException {
        Tensor base = Tensor.arange(12).reshape(3, 4);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("transposed", base.transpose(0, 1)); // not contiguous
        in.put("rows", base.slice(0, 1, 3));         // contiguous with a storage offset
        Path file = dir.resolve("views.safetensors");
        Safetensors.save(file, in);
        Map<String, Tensor> out = Safetensors.load(file);
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, out.get("transposed").toFloatArray());
        assertArrayEquals(new int[] {4, 3}, out.get("transposed").shape());
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, out.get("rows").toFloatArray());
    }

    @Test
    void sameInputGivesSameBytes() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("b", Tensor.randn(new Generator(1), 4, 4));
        in.put("a", Tensor.arange(3));
        Safetensors.save(dir.resolve("1"), in, Map.of("k", "v"));
        Safetensors.save(dir.resolve("2"), in, Map.of("k", "v"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("1")), Files.readAllBytes(dir.resolve("2")));
    }

    // ---------------------------------------------------------------- the exact bytes

    @Test
    void writesTheFormatByteForByte() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("w", Tensor.of(new float[] {1f, -2f}, 2, 1));
        in.put("s", Tensor.scalar(0.5f));
        Path file = dir.resolve("tiny.safetensors");
        Safetensors.save(file, in, Map.of("format", "pt"));

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
                + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        assertEquals(140, json.length());
        String header = json + "    "; // padded with spaces to 144, a multiple of 8
        byte[] expected = concat(
                new byte[] {(byte) 144, 0, 0, 0, 0, 0, 0, 0},            // u64 little-endian header length
                header.getBytes(StandardCharsets.US_ASCII),
                new byte[] {0, 0, (byte) 0x80, 0x3f},                    // 1.0f  = 0x3f800000, little-endian
                new byte[] {0, 0, 0, (byte) 0xc0},                       // -2.0f = 0xc0000000
                new byte[] {0, 0, 0, 0x3f});                             // 0.5f  = 0x3f000000
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void writesAnEmptyFileAsAnEmptyObject() throws IOException {
        Path file = dir.resolve("none.safetensors");
        Safetensors.save(file, Map.of());
        assertArrayEquals(concat(le64(8), "{}      ".getBytes(StandardCharsets.US_ASCII)), Files.readAllBytes(file));
        assertEquals(Map.of(), Safetensors.load(file));
    }

    // ---------------------------------------------------------------- reading other dtypes

    @Test
    void convertsOtherDtypesToFloat() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(0.1).putDouble(1e300).putDouble(-2.5);                                   // F64 [0, 24)
        d.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001)
                .putShort((short) 0x7c00).putShort((short) 0x3555);                           // F16 [24, 34)
        d.putShort((short) 0x3f80).putShort((short) 0xc049);                                  // BF16 [34, 38)
        d.putLong(-7).putLong(16_777_217L);                                                   // I64 [38, 54)
        d.putInt(123456).putInt(Integer.MIN_VALUE);                                           // I32 [54, 62)
        d.putShort((short) -300);                                                             // I16 [62, 64)
        d.put((byte) -128).put((byte) 200).put((byte) 0).put((byte) 1);                       // I8, U8, BOOL [64, 68)
        byte[] data = java.util.Arrays.copyOf(d.array(), d.position());
        String header = "{\"f64\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[24,34]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[34,38]},"
                + "\"i64\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[38,54]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[54,62]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[],\"data_offsets\":[62,64]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[64,65]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[65,66]},"
                + "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[66,68]}}";
        Map<String, Tensor> t = load(padded(header, data));
        assertArrayEquals(new float[] {0.1f, Float.POSITIVE_INFINITY, -2.5f}, t.get("f64").toFloatArray());
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY, 0.33325195f}, t.get("f16").toFloatArray());
        assertArrayEquals(new float[] {1f, -3.140625f}, t.get("bf16").toFloatArray());
        assertArrayEquals(new float[] {-7f, 16_777_216f}, t.get("i64").toFloatArray()); // 2^24 + 1 rounds to even
        assertArrayEquals(new float[] {123456f, -2147483648f}, t.get("i32").toFloatArray());
        assertEquals(-300f, t.get("i16").item());
        assertArrayEquals(new int[0], t.get("i16").shape());
        assertEquals(-128f, t.get("i8").item());
        assertEquals(200f, t.get("u8").item());
        assertArrayEquals(new float[] {0f, 1f}, t.get("bool").toFloatArray());
    }

    @Test
    void halfPrecisionConversionIsExactForEveryValue() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Dtype.halfToFloat((short) h);
            int exponent = (h >>> 10) & 0x1f, mantissa = h & 0x3ff;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            if (exponent == 0x1f) {
                assertEquals(mantissa == 0, Float.isInfinite(f), "half 0x" + Integer.toHexString(h));
                assertEquals(mantissa != 0, Float.isNaN(f), "half 0x" + Integer.toHexString(h));
            } else {
                double expected = exponent == 0 ? sign * mantissa * 0x1p-24 : sign * (1024 + mantissa) * Math.pow(2, exponent - 25);
                assertEquals(expected, f, 0.0, "half 0x" + Integer.toHexString(h));
                if (expected == 0) assertEquals((h & 0x8000) != 0, Float.floatToRawIntBits(f) < 0, "sign of zero");
            }
        }
    }

    // ---------------------------------------------------------------- corrupt files

    private static final String A8 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void rejectsAFileShorterThanTheLengthPrefix() throws IOException {
        assertCorrupt(new byte[] {1, 0, 0}, 0, "expected at least 8");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() throws IOException {
        byte[] good = padded("{" + A8 + "}", f32(1, 2));
        byte[] truncated = java.util.Arrays.copyOf(good, 20);
        assertCorrupt(truncated, 0, "exceeds the 12 bytes that follow it");
        assertCorrupt(concat(le64(-1), new byte[8]), 0, "header length 18446744073709551615 exceeds");
    }

    @Test
    void rejectsAHeaderLengthAboveTheLimit() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(le64(Safetensors.MAX_HEADER_BYTES + 1));
            f.setLength(Safetensors.MAX_HEADER_BYTES + 16); // sparse
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.load(file));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("exceeds the limit of 100000000 bytes"), e.getMessage());
    }

    @Test
    void rejectsAnEmptyHeader() throws IOException {
        assertCorrupt(le64(0), 0, "header length is 0");
    }

    @Test
    void rejectsMalformedJsonAtItsOffset() throws IOException {
        assertCorrupt(raw("{\"a\":", new byte[0]), 8 + 5, "not valid JSON");
        assertCorrupt(raw("{\"a\":1}\u0000", new byte[0]), 8 + 7, "after the JSON value");
        assertCorrupt(concat(le64(4), new byte[] {'"', (byte) 0xff, '"', ' '}), 9, "UTF-8");
    }

    @Test
    void rejectsAHeaderThatIsNotAnObject() throws IOException {
        assertCorrupt(padded("[1, 2]", new byte[0]), 8, "expected an object");
        assertCorrupt(padded("{\"a\": [1]}", new byte[0]), 8, "tensor \"a\" is a JSON array");
    }

    @Test
    void rejectsDuplicateKeys() throws IOException {
        String header = "{" + A8 + "," + A8 + "}";
        assertCorrupt(padded(header, f32(1, 2)), headerOffsetOf(header, "," + A8) + 1, "duplicate key \"a\"");
    }

    @Test
    void rejectsUnknownDtypes() throws IOException {
        String header = "{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        assertCorrupt(padded(header, new byte[1]), headerOffsetOf(header, "{\"dtype"), "dtype \"F8_E4M3\", which Depth cannot read; expected one of F32");
        String q = "{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        assertCorrupt(padded(q, new byte[1]), headerOffsetOf(q, "{\"dtype"), "dtype \"Q4\"");
    }

    @Test
    void rejectsMalformedEntries() throws IOException {
        String missing = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}";
        assertCorrupt(padded(missing, f32(1)), headerOffsetOf(missing, "{\"dtype"), "has no field 'data_offsets'");
        String unknown = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"stride\":[1]}}";
        assertCorrupt(padded(unknown, f32(1)), headerOffsetOf(unknown, "{\"dtype"), "unknown field \"stride\"");
        String negative = "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
        assertCorrupt(padded(negative, f32(1)), headerOffsetOf(negative, "{\"dtype"), "dimension 0 of shape [-1]");
        String fractional = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}";
        assertCorrupt(padded(fractional, f32(1)), headerOffsetOf(fractional, "{\"dtype"), "is not an integer");
        String arity = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}";
        assertCorrupt(padded(arity, f32(1)), headerOffsetOf(arity, "{\"dtype"), "expected [begin, end]");
        String reversed = "{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}";
        assertCorrupt(padded(reversed, f32(1)), headerOffsetOf(reversed, "{\"dtype"), "not an interval");
        String tooMany = "{\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}";
        assertCorrupt(padded(tooMany, f32(1)), headerOffsetOf(tooMany, "{\"dtype"), "the most a Depth tensor holds");
        String meta = "{\"__metadata__\":{\"epoch\":3}}";
        assertCorrupt(padded(meta, new byte[0]), headerOffsetOf(meta, "{\"epoch"), "metadata value of \"epoch\" is a JSON number; expected a string");
    }

    @Test
    void rejectsAShapeThatDisagreesWithTheOffsets() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        assertCorrupt(padded(header, f32(1, 2)), headerOffsetOf(header, "{\"dtype"),
                "data_offsets [0, 8] span 8 bytes; expected 12 for dtype F32 and shape [3]");
    }

    @Test
    void rejectsOffsetsBeyondTheData() throws IOException {
        String header = "{" + A8 + "}";
        byte[] file = padded(header, f32(1));
        assertCorrupt(file, headerOffsetOf(header, "{\"dtype"), "end beyond the data section, which has 4 bytes");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        String header = "{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        byte[] file = padded(header, f32(1, 2, 3));
        long dataStart = file.length - 12;
        assertCorrupt(file, dataStart + 4, "tensor \"b\" (data_offsets [4, 12]) overlaps tensor \"a\"");
        String inside = "{" + A8 + ",\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
        assertCorrupt(padded(inside, f32(1, 2)), padded(inside, f32(1, 2)).length - 8 + 4, "overlaps");
    }

    @Test
    void rejectsGaps() throws IOException {
        String header = "{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        byte[] file = padded(header, f32(1, 2, 0, 3, 4));
        long dataStart = file.length - 20;
        assertCorrupt(file, dataStart + 8, "4 unused bytes before tensor \"b\"");
        String late = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        byte[] lateFile = padded(late, f32(0, 1, 2));
        assertCorrupt(lateFile, lateFile.length - 12, "4 unused bytes before tensor \"a\"");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] file = padded("{" + A8 + "}", f32(1, 2, 3));
        assertCorrupt(file, file.length - 4, "4 trailing bytes after the last tensor's data; expected the file to end at byte " + (file.length - 4));
    }

    @Test
    void rejectsInvalidBooleans() throws IOException {
        byte[] file = padded("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", new byte[] {1, 0, 2});
        assertCorrupt(file, file.length - 1, "element 2 of tensor \"m\" (dtype BOOL) is not a valid value; expected 0 or 1");
    }

    @Test
    void acceptsAnUnpaddedHeaderAndEmptyTensorsAnywhere() throws IOException {
        String header = "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[0,0]}," + A8
                + ",\"z\":{\"dtype\":\"I64\",\"shape\":[0],\"data_offsets\":[8,8]}}";
        Map<String, Tensor> t = load(raw(header, f32(1, 2)));
        assertEquals(List.of("e", "a", "z"), new ArrayList<>(t.keySet()));
        assertArrayEquals(new int[] {0, 5}, t.get("e").shape());
        assertArrayEquals(new float[] {1, 2}, t.get("a").toFloatArray());
    }

    @Test
    void aMissingFileIsNamed() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Safetensors.load(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
    }

    // ---------------------------------------------------------------- invalid arguments to save

    @Test
    void saveRejectsReservedAndNullNames() {
        Path file = dir.resolve("bad.safetensors");
        Map<String, Tensor> reserved = Map.of(Safetensors.METADATA_KEY, Tensor.scalar(1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.save(file, reserved)).getMessage().contains("reserved"));
        Map<String, Tensor> nullTensor = new LinkedHashMap<>();
        nullTensor.put("w", null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.save(file, nullTensor)).getMessage().contains("'w' is null"));
        Map<String, String> nullMeta = new LinkedHashMap<>();
        nullMeta.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.save(file, Map.of(), nullMeta));
        assertTrue(Files.notExists(file));
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, Tensor> load(byte[] bytes) throws IOException {
        Path file = dir.resolve("in.safetensors");
        Files.write(file, bytes);
        return Safetensors.load(file);
    }

    private void assertCorrupt(byte[] bytes, long offset, String fragment) throws IOException {
        Path file = dir.resolve("corrupt.safetensors");
        Files.write(file, bytes);
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.load(file));
        assertEquals(file, e.file());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": at byte " + offset + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    private static void assertSame(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        for (var e : expected.entrySet()) {
            Tensor a = actual.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), a.shape(), e.getKey());
            float[] x = e.getValue().toFloatArray(), y = a.toFloatArray();
            for (int i = 0; i < x.length; i++)
                assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(y[i]), e.getKey() + "[" + i + "]");
        }
    }
}
