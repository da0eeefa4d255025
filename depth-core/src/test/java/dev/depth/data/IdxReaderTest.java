package dev.depth.data;

import dev.depth.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsRawAndGzipUnsignedBytes() throws Exception {
        byte[] raw = IdxFiles.ubyte(5, 3, 4);
        for (boolean gz : new boolean[] {false, true}) {
            // the name says nothing: compression is detected from the content
            Path f = IdxFiles.write(dir.resolve(gz ? "images-gz.bin" : "images.gz"), gz ? IdxFiles.gzip(raw) : raw);
            IdxData d = IdxReader.read(f);
            assertEquals(IdxType.UNSIGNED_BYTE, d.type());
            assertArrayEquals(new int[] {5, 3, 4}, d.dims());
            assertEquals(5, d.count());
            float[] v = d.toFloatArray();
            assertEquals(60, v.length);
            for (int i = 0; i < 60; i++) assertEquals((i * 7 + 3) & 0xFF, v[i], "element " + i);
            Tensor t = d.toTensor(255f);
            assertArrayEquals(new int[] {5, 3, 4}, t.shape());
            assertEquals(((59 * 7 + 3) & 0xFF) / 255f, t.get(4, 2, 3));
        }
    }

    @Test
    void readsFirstItemsOnlyButChecksTheWholeFile() throws Exception {
        byte[] raw = IdxFiles.ubyte(10, 2);
        IdxData d = IdxReader.read(IdxFiles.write(dir.resolve("a.idx"), IdxFiles.gzip(raw)), 3);
        assertArrayEquals(new int[] {3, 2}, d.dims());
        assertArrayEquals(new int[] {10, 2}, d.fileDims());
        assertEquals(6, d.numel());
        assertEquals(IdxReader.read(IdxFiles.write(dir.resolve("b.idx"), raw)).getFloat(5), d.getFloat(5));
        // a truncated file fails even when only the first items are asked for
        Path cut = IdxFiles.write(dir.resolve("cut.idx"), Arrays.copyOf(raw, raw.length - 1));
        assertThrows(IdxFormatException.class, () -> IdxReader.read(cut, 3));
    }

    @Test
    void decodesEveryType() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 * 2);
        // signed byte
        IdxData sb = IdxReader.read(new ByteArrayInputStream(IdxFiles.idx(0x09, new int[] {2}, new byte[] {-3, 4})), "sb", Integer.MAX_VALUE);
        assertArrayEquals(new float[] {-3, 4}, sb.toFloatArray());
        b.clear();
        b.putShort((short) -300).putShort((short) 7);
        IdxData sh = IdxReader.read(new ByteArrayInputStream(IdxFiles.idx(0x0B, new int[] {2}, Arrays.copyOf(b.array(), 4))), "sh", Integer.MAX_VALUE);
        assertArrayEquals(new float[] {-300, 7}, sh.toFloatArray());
        b.clear();
        b.putInt(-70000).putInt(123456);
        IdxData in = IdxReader.read(new ByteArrayInputStream(IdxFiles.idx(0x0C, new int[] {2}, Arrays.copyOf(b.array(), 8))), "in", Integer.MAX_VALUE);
        assertArrayEquals(new float[] {-70000, 123456}, in.toFloatArray());
        b.clear();
        b.putFloat(1.5f).putFloat(-0.25f);
        IdxData fl = IdxReader.read(new ByteArrayInputStream(IdxFiles.idx(0x0D, new int[] {1, 2}, Arrays.copyOf(b.array(), 8))), "fl", Integer.MAX_VALUE);
        assertArrayEquals(new float[] {1.5f, -0.25f}, fl.toFloatArray());
        assertArrayEquals(new int[] {1, 2}, fl.dims());
        b.clear();
        b.putDouble(2.5).putDouble(-1e10);
        IdxData db = IdxReader.read(new ByteArrayInputStream(IdxFiles.idx(0x0E, new int[] {2}, b.array())), "db", Integer.MAX_VALUE);
        assertArrayEquals(new float[] {2.5f, -1e10f}, db.toFloatArray());
        // a double file with one element too few: sizes are per type, so this is truncated by 8 bytes
        IdxFormatException e = assertThrows(IdxFormatException.class, () ->
                IdxReader.read(new ByteArrayInputStream(IdxFiles.idx(0x0E, new int[] {3}, b.array())), "short.idx", Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("promises 32 bytes"), e.getMessage());
    }

    private String error(String name, byte[] bytes) {
        Path f = IdxFiles.write(dir.resolve(name), bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void badMagic() {
        byte[] raw = IdxFiles.ubyte(2, 2);
        raw[1] = 0x12;
        String m = error("magic.idx", raw);
        assertTrue(m.contains("not an IDX file: expected the magic bytes 0x00 0x00 at byte offset 0, found 0x00 0x12"), m);
    }

    @Test
    void badType() {
        byte[] raw = IdxFiles.ubyte(2, 2);
        raw[2] = 0x0A;
        String m = error("type.idx", raw);
        assertTrue(m.contains("unknown IDX data type 0x0A at byte offset 2"), m);
        assertTrue(m.contains("0x08 (unsigned byte)") && m.contains("0x0E (double (float64))"), m);
        // ... also inside gzip, where offsets count decompressed bytes
        String g = error("type.gz", IdxFiles.gzip(raw));
        assertTrue(g.contains("at decompressed byte offset 2"), g);
    }

    @Test
    void zeroDimensionsAndBadSizes() {
        String m = error("rank0.idx", new byte[] {0, 0, 8, 0});
        assertTrue(m.contains("declares 0 dimensions"), m);
        m = error("zero.idx", IdxFiles.idx(0x08, new int[] {3, 0}, new byte[0]));
        assertTrue(m.contains("dimension 1 (at byte offset 8) has size 0; expected a positive size"), m);
        m = error("negative.idx", IdxFiles.idx(0x08, new int[] {-1}, new byte[0]));
        assertTrue(m.contains("has size 4294967295 (-1 as a signed int32)"), m);
        m = error("huge.idx", IdxFiles.idx(0x0E, new int[] {65536, 65536}, new byte[0]));
        assertTrue(m.contains("more than one Java array holds"), m);
    }

    @Test
    void truncatedHeader() {
        String m = error("header.idx", new byte[] {0, 0, 8, 3, 0, 0, 0, 5, 0, 0});
        assertTrue(m.contains("truncated IDX header: expected 4 bytes for the size of dimension 1 of 3 at byte offset 8, but the file ends at byte offset 10"), m);
        m = error("empty.idx", new byte[0]);
        assertTrue(m.contains("truncated IDX header"), m);
    }

    @Test
    void truncatedData() {
        byte[] raw = IdxFiles.ubyte(4, 5); // 12-byte header + 20 bytes
        String m = error("cut.idx", Arrays.copyOf(raw, 25));
        assertTrue(m.contains("truncated IDX data: the data ends at byte offset 25, but the header (0x08 (unsigned byte), dims [4, 5]) "
                + "promises 32 bytes (12-byte header + 20 bytes of data), 7 more than the file holds"), m);
    }

    @Test
    void truncatedGzip() {
        byte[] raw = IdxFiles.ubyte(50, 40);
        byte[] gz = IdxFiles.gzip(raw);
        String m = error("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertTrue(m.contains("truncated IDX data: the data ends at decompressed byte offset"), m);
        assertTrue(m.contains("promises 2012 bytes"), m);
        assertTrue(m.contains("the gzip stream ended early"), m);
        // a complete IDX payload whose gzip trailer is missing is still an error, not silently accepted
        String t = error("notrailer.gz", Arrays.copyOf(gz, gz.length - 4));
        assertTrue(t.contains("gzip"), t);
    }

    @Test
    void trailingBytes() {
        byte[] raw = IdxFiles.ubyte(4, 5);
        byte[] longer = Arrays.copyOf(raw, raw.length + 3);
        String m = error("long.idx", longer);
        assertTrue(m.contains("3 unexpected trailing bytes after byte offset 32; the IDX header (0x08 (unsigned byte), dims [4, 5]) promises exactly 32 bytes"), m);
        String g = error("long.gz", IdxFiles.gzip(longer));
        assertTrue(g.contains("3 unexpected trailing bytes after decompressed byte offset 32"), g);
    }

    @Test
    void requireTypeAndDims() throws Exception {
        IdxData d = IdxReader.read(IdxFiles.write(dir.resolve("imgs.idx"), IdxFiles.ubyte(3, 28, 27)), 2);
        assertSame(d, d.requireType(IdxType.UNSIGNED_BYTE).requireDims(-1, 28, 27));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> d.requireDims(-1, 28, 28));
        assertEquals(dir.resolve("imgs.idx") + ": IDX dims [3, 28, 27] do not match the expected [any, 28, 28]", e.getMessage());
        e = assertThrows(IdxFormatException.class, () -> d.requireDims(-1));
        assertTrue(e.getMessage().contains("do not match the expected [any]"), e.getMessage());
        e = assertThrows(IdxFormatException.class, () -> d.requireType(IdxType.FLOAT));
        assertTrue(e.getMessage().contains("IDX data type is 0x08 (unsigned byte), expected 0x0D (float (float32))"), e.getMessage());
    }
}
