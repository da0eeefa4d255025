package dev.depth.text;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level byte-pair encoding (BPE; Sennrich, Haddow and Birch, 2016,
 * <a href="https://arxiv.org/abs/1508.07909">arXiv:1508.07909</a>; byte-level as in GPT-2, Radford
 * et al., 2019): ids {@code 0..255} are the byte values, and id {@code 256 + i} is the
 * concatenation of the two tokens of merge {@code i}.
 *
 * <p><b>Training</b> ({@link #train(CharSequence, int, Pretokenizer)}): the corpus is cut into
 * chunks by the {@link Pretokenizer}, each chunk is turned into its UTF-8 bytes, and then, until the
 * vocabulary has {@code vocabSize} ids, the most frequent adjacent pair of tokens (counted over all
 * chunks, with multiplicity) is replaced everywhere by a new token. Ties go to the pair with the
 * smaller first id, then the smaller second id, so training is deterministic. Training stops early
 * when no pair occurs twice, so {@link #vocabSize()} may be smaller than asked. Pairs never span
 * two chunks. Pair counts are updated incrementally: each merge only revisits the distinct chunks
 * that hold the pair, and a priority queue (with stale entries skipped) finds the next pair.
 * Cost: about one pass over the distinct chunks to start, then per merge the size of the chunks
 * holding the pair.
 *
 * <p><b>Encoding</b> ({@link #encode(String)}): the text is cut into chunks the same way; in each
 * chunk, the adjacent pair with the earliest merge is merged (all its occurrences, left to right),
 * repeatedly, until no pair of the chunk has a merge. Encoding then decoding gives back the exact
 * string for every Java string: code points become their UTF-8 bytes, and a lone surrogate (not
 * valid Unicode) becomes the three bytes of its code unit, as in WTF-8.
 *
 * <p><b>Decoding</b> ({@link #decode(int[])}) concatenates the tokens' bytes and reads them as
 * UTF-8. It never throws for ids in range: a sequence of ids need not form valid UTF-8 (a model
 * may emit half a character), and every ill-formed byte sequence becomes U+FFFD, one per maximal
 * ill-formed subpart (the Unicode Standard's recommended practice); the three-byte surrogate forms
 * that encoding produces are read back as surrogates.
 *
 * <p><b>Text form</b> ({@link #toText()}): {@code depth-tokenizer byte-pair-encoding 1}, then
 * {@code pretokenizer gpt2|none}, {@code merges N}, and N lines {@code LEFT RIGHT}, the ids merged
 * into id {@code 256 + i} on line {@code i}.
 *
 * <p>Thread safety: immutable apart from an internal cache of encoded chunks, which is a concurrent
 * map; {@code encode} and {@code decode} may be called from several threads.
 */
public final class BytePairEncoding implements Tokenizer {
    /** The kind named in the text form's header. */
    public static final String KIND = "byte-pair-encoding";
    /** The number of byte tokens, ids {@code 0..255}; merges start at this id. */
    public static final int BYTE_TOKENS = 256;
    private static final String VERSION = "1";
    private static final int CACHE_LIMIT = 1 << 16;

    /** How text is cut into chunks before pairs are counted or merged; pairs never span chunks. */
    public enum Pretokenizer {
        /** No cutting: the whole text is one chunk. Encoding is quadratic in the chunk, so only for short texts. */
        NONE,
        /**
         * GPT-2's rule: the contractions {@code 's 't 're 've 'm 'll 'd}, then an optional space
         * followed by a run of letters, or of digits, or of other non-space characters; runs of
         * white space stay separate, except that the last space before a word goes with the word.
         * (GPT-2's regular expression, with Unicode character classes.)
         */
        GPT2
    }

    private static final Pattern GPT2_PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private final int[] mergeLeft, mergeRight; // merge i makes id 256 + i
    private final byte[][] tokenBytes; // id -> bytes
    private final Map<Long, Integer> mergeIds; // pair key -> merged id
    private final Pretokenizer pretokenizer;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    private BytePairEncoding(int[] mergeLeft, int[] mergeRight, Pretokenizer pretokenizer) {
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.pretokenizer = Objects.requireNonNull(pretokenizer, "BytePairEncoding: pretokenizer is null");
        int n = mergeLeft.length;
        this.tokenBytes = new byte[BYTE_TOKENS + n][];
        for (int b = 0; b < BYTE_TOKENS; b++) tokenBytes[b] = new byte[]{(byte) b};
        this.mergeIds = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            int id = BYTE_TOKENS + i, l = mergeLeft[i], r = mergeRight[i];
            if (l < 0 || l >= id || r < 0 || r >= id)
                throw new IllegalArgumentException("BytePairEncoding: merge " + i + " (" + l + ", " + r + ") must merge ids below its own id " + id);
            if (mergeIds.putIfAbsent(key(l, r), id) != null)
                throw new IllegalArgumentException("BytePairEncoding: merge " + i + " (" + l + ", " + r + ") repeats an earlier merge");
            byte[] a = tokenBytes[l], b = tokenBytes[r];
            byte[] c = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            tokenBytes[id] = c;
        }
    }

    /** Trains on {@code corpus} up to {@code vocabSize} ids with the {@link Pretokenizer#GPT2} rule. */
    public static BytePairEncoding train(CharSequence corpus, int vocabSize) {
        return train(corpus, vocabSize, Pretokenizer.GPT2);
    }

    /**
     * Trains on {@code corpus} up to {@code vocabSize} ids (so up to {@code vocabSize - 256}
     * merges); see the class comment.
     *
     * @throws IllegalArgumentException if {@code vocabSize < 256}
     */
    public static BytePairEncoding train(CharSequence corpus, int vocabSize, Pretokenizer pretokenizer) {
        Objects.requireNonNull(corpus, "BytePairEncoding.train: corpus is null");
        Objects.requireNonNull(pretokenizer, "BytePairEncoding.train: pretokenizer is null");
        if (vocabSize < BYTE_TOKENS)
            throw new IllegalArgumentException("BytePairEncoding.train: vocabSize must be >= " + BYTE_TOKENS + " (the byte values), got " + vocabSize);
        // Distinct chunks and their frequencies, in first-seen order (the order does not affect the merges).
        Map<String, long[]> chunkCounts = new LinkedHashMap<>();
        for (String chunk : chunks(corpus, pretokenizer)) chunkCounts.computeIfAbsent(chunk, k -> new long[1])[0]++;
        return new Trainer(chunkCounts).run(vocabSize - BYTE_TOKENS, pretokenizer);
    }

    /**
     * A tokenizer with the given merges: merge {@code i} joins ids {@code merges.get(i)[0]} and
     * {@code merges.get(i)[1]} into id {@code 256 + i}.
     *
     * @throws IllegalArgumentException if a merge uses an id not below its own, or repeats
     */
    public static BytePairEncoding of(List<int[]> merges, Pretokenizer pretokenizer) {
        int n = merges.size();
        int[] l = new int[n], r = new int[n];
        for (int i = 0; i < n; i++) {
            int[] m = merges.get(i);
            if (m.length != 2) throw new IllegalArgumentException("BytePairEncoding.of: merge " + i + " must hold two ids, got " + m.length);
            l[i] = m[0];
            r[i] = m[1];
        }
        return new BytePairEncoding(l, r, pretokenizer);
    }

    /** The pretokenizer used to cut text into chunks. */
    public Pretokenizer pretokenizer() {
        return pretokenizer;
    }

    /** The number of merges, {@code vocabSize() - 256}. */
    public int numMerges() {
        return mergeLeft.length;
    }

    /** The merges in order: element {@code i} is {@code {left, right}}, merged into id {@code 256 + i}. */
    public List<int[]> merges() {
        List<int[]> out = new ArrayList<>(mergeLeft.length);
        for (int i = 0; i < mergeLeft.length; i++) out.add(new int[]{mergeLeft[i], mergeRight[i]});
        return out;
    }

    /** The bytes of token {@code id} (a copy). */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return tokenBytes[id].clone();
    }

    /** The chunks {@code text} is cut into before encoding; they concatenate to {@code text}. */
    public List<String> pretokenize(CharSequence text) {
        return chunks(text, pretokenizer);
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) return new int[0];
        int[] out = new int[Math.max(16, text.length() / 2)];
        int n = 0;
        for (String chunk : chunks(text, pretokenizer)) {
            int[] ids = cache.get(chunk);
            if (ids == null) {
                ids = encodeChunk(Utf8.encode(chunk));
                if (cache.size() < CACHE_LIMIT && chunk.length() <= 64) cache.put(chunk, ids);
            }
            if (n + ids.length > out.length) out = Arrays.copyOf(out, Math.max(n + ids.length, out.length * 2));
            System.arraycopy(ids, 0, out, n, ids.length);
            n += ids.length;
        }
        return Arrays.copyOf(out, n);
    }

    /** Applies the merges to one chunk's bytes, earliest merge first. */
    private int[] encodeChunk(byte[] bytes) {
        int[] s = new int[bytes.length];
        for (int i = 0; i < s.length; i++) s[i] = bytes[i] & 0xFF;
        int n = s.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Integer id = mergeIds.get(key(s[i], s[i + 1]));
                if (id != null && id < best) best = id;
            }
            if (best == Integer.MAX_VALUE) break;
            int l = mergeLeft[best - BYTE_TOKENS], r = mergeRight[best - BYTE_TOKENS];
            int w = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && s[i] == l && s[i + 1] == r) {
                    s[w++] = best;
                    i += 2;
                } else {
                    s[w++] = s[i++];
                }
            }
            n = w;
        }
        return Arrays.copyOf(s, n);
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            checkId(id);
            bytes.writeBytes(tokenBytes[id]);
        }
        byte[] b = bytes.toByteArray();
        return Utf8.decode(b, b.length);
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokenBytes.length)
            throw new IllegalArgumentException("BytePairEncoding: id " + id + " is not in [0, " + tokenBytes.length + ")");
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    @Override
    public String toText() {
        StringBuilder s = new StringBuilder(mergeLeft.length * 10 + 64);
        s.append(HEADER).append(' ').append(KIND).append(' ').append(VERSION).append('\n');
        s.append("pretokenizer ").append(pretokenizer.name().toLowerCase(Locale.ROOT)).append('\n');
        s.append("merges ").append(mergeLeft.length).append('\n');
        for (int i = 0; i < mergeLeft.length; i++) s.append(mergeLeft[i]).append(' ').append(mergeRight[i]).append('\n');
        return s.toString();
    }

    static BytePairEncoding fromLines(String[] lines, String version) {
        TextFormat.requireVersion(KIND, version, VERSION);
        TextFormat in = new TextFormat(lines);
        int preLine = in.lineNumber();
        String pre = in.keyed("pretokenizer");
        Pretokenizer p;
        try {
            p = Pretokenizer.valueOf(pre.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("line " + preLine + ": unknown pretokenizer '" + TextFormat.shorten(pre) + "'; expected gpt2 or none");
        }
        int n = in.keyedInt("merges", 0, Integer.MAX_VALUE - BYTE_TOKENS - 8);
        int[] l = new int[n], r = new int[n];
        for (int i = 0; i < n; i++) {
            int number = in.lineNumber();
            String[] parts = in.line("merge " + i + " as 'LEFT RIGHT'").strip().split(" ");
            if (parts.length != 2)
                throw new IllegalArgumentException("line " + number + ": expected merge " + i + " as two ids 'LEFT RIGHT'");
            l[i] = TextFormat.parseInt(parts[0], number, "the left id of merge " + i, 0, BYTE_TOKENS + i - 1);
            r[i] = TextFormat.parseInt(parts[1], number, "the right id of merge " + i, 0, BYTE_TOKENS + i - 1);
        }
        in.end();
        try {
            return new BytePairEncoding(l, r, p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("byte-pair-encoding: " + e.getMessage(), e);
        }
    }

    /** Cuts {@code text} into chunks that concatenate to it. */
    static List<String> chunks(CharSequence text, Pretokenizer pretokenizer) {
        List<String> out = new ArrayList<>();
        if (text.length() == 0) return out;
        if (pretokenizer == Pretokenizer.NONE) {
            out.add(text.toString());
            return out;
        }
        Matcher m = GPT2_PATTERN.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) out.add(text.subSequence(end, m.start()).toString()); // never expected; keeps the text whole
            out.add(m.group());
            end = m.end();
        }
        if (end < text.length()) out.add(text.subSequence(end, text.length()).toString());
        return out;
    }

    static long key(int left, int right) {
        return (long) left << 32 | (right & 0xFFFFFFFFL);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BytePairEncoding b && b.pretokenizer == pretokenizer && Arrays.equals(b.mergeLeft, mergeLeft)
                && Arrays.equals(b.mergeRight, mergeRight);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mergeLeft) * 31 + Arrays.hashCode(mergeRight) + pretokenizer.hashCode();
    }

    @Override
    public String toString() {
        return "BytePairEncoding(vocabSize=" + vocabSize() + ", merges=" + numMerges() + ", pretokenizer="
                + pretokenizer.name().toLowerCase(Locale.ROOT) + ")";
    }

    /**
     * BPE training with incremental pair counts. Each distinct chunk is a word (its current token
     * ids) with a frequency; {@code counts} holds the weighted count of every adjacent pair,
     * {@code where} the words that may hold each pair (lists only grow, so a listed word is
     * re-checked), and {@code queue} the pairs by count, descending, then by key, ascending; an
     * entry whose count is no longer current is skipped when it comes up.
     */
    private static final class Trainer {
        private final int[][] words;
        private final int[] lengths;
        private final long[] freq;
        private final HashMap<Long, long[]> counts = new HashMap<>();
        private final HashMap<Long, IntList> where = new HashMap<>();
        private final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) ->
                a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));

        Trainer(Map<String, long[]> chunkCounts) {
            int n = chunkCounts.size();
            words = new int[n][];
            lengths = new int[n];
            freq = new long[n];
            int w = 0;
            for (Map.Entry<String, long[]> e : chunkCounts.entrySet()) {
                byte[] b = Utf8.encode(e.getKey());
                int[] s = new int[b.length];
                for (int i = 0; i < b.length; i++) s[i] = b[i] & 0xFF;
                words[w] = s;
                lengths[w] = s.length;
                freq[w] = e.getValue()[0];
                for (int i = 0; i + 1 < s.length; i++) {
                    long k = key(s[i], s[i + 1]);
                    counts.computeIfAbsent(k, x -> new long[1])[0] += freq[w];
                    IntList list = where.computeIfAbsent(k, x -> new IntList());
                    if (list.size == 0 || list.last() != w) list.add(w);
                }
                w++;
            }
            for (Map.Entry<Long, long[]> e : counts.entrySet()) queue.add(new long[]{e.getValue()[0], e.getKey()});
        }

        BytePairEncoding run(int maxMerges, Pretokenizer pretokenizer) {
            int[] left = new int[maxMerges], right = new int[maxMerges];
            int merges = 0;
            int[] seen = new int[words.length];
            Arrays.fill(seen, -1);
            while (merges < maxMerges) {
                long[] top = queue.poll();
                if (top == null) break;
                long[] current = counts.get(top[1]);
                if (current == null || current[0] != top[0]) continue; // stale entry
                if (top[0] < 2) break;
                long k = top[1];
                int l = (int) (k >>> 32), r = (int) k, id = BYTE_TOKENS + merges;
                left[merges] = l;
                right[merges] = r;
                HashMap<Long, Boolean> changed = new HashMap<>();
                IntList list = where.remove(k);
                for (int j = 0; j < list.size; j++) {
                    int w = list.data[j];
                    if (seen[w] == merges) continue;
                    seen[w] = merges;
                    mergeInWord(w, l, r, id, changed);
                }
                counts.remove(k);
                for (Long c : changed.keySet()) {
                    long[] cnt = counts.get(c);
                    if (cnt == null) continue;
                    if (cnt[0] <= 0) {
                        counts.remove(c);
                        continue;
                    }
                    queue.add(new long[]{cnt[0], c});
                }
                merges++;
            }
            return new BytePairEncoding(Arrays.copyOf(left, merges), Arrays.copyOf(right, merges), pretokenizer);
        }

        private void mergeInWord(int w, int l, int r, int id, HashMap<Long, Boolean> changed) {
            int[] s = words[w];
            int n = lengths[w];
            boolean found = false;
            for (int i = 0; i + 1 < n; i++) {
                if (s[i] == l && s[i + 1] == r) {
                    found = true;
                    break;
                }
            }
            if (!found) return;
            long f = freq[w];
            for (int i = 0; i + 1 < n; i++) add(key(s[i], s[i + 1]), -f, changed);
            int m = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && s[i] == l && s[i + 1] == r) {
                    s[m++] = id;
                    i += 2;
                } else {
                    s[m++] = s[i++];
                }
            }
            lengths[w] = m;
            for (int i = 0; i + 1 < m; i++) {
                long k = key(s[i], s[i + 1]);
                add(k, f, changed);
                if (s[i] == id || s[i + 1] == id) {
                    IntList list = where.computeIfAbsent(k, x -> new IntList());
                    if (list.size == 0 || list.last() != w) list.add(w);
                }
            }
        }

        private void add(long k, long delta, HashMap<Long, Boolean> changed) {
            counts.computeIfAbsent(k, x -> new long[1])[0] += delta;
            changed.put(k, Boolean.TRUE);
        }
    }

    /** A growable list of ints. */
    private static final class IntList {
        int[] data = new int[2];
        int size;

        void add(int v) {
            if (size == data.length) data = Arrays.copyOf(data, size * 2);
            data[size++] = v;
        }

        int last() {
            return data[size - 1];
        }
    }
}
