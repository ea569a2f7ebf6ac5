package io.vecnn.interop.internal;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import com.google.gson.stream.MalformedJsonException;
import io.vecnn.api.internal.AtomicWrite;
import io.vecnn.interop.MalformedFileException;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional
 * {@code "__metadata__"} map of strings), then the data section, where each tensor's bytes are
 * {@code [begin, end)}, row-major, little-endian.
 *
 * <p>Reading validates what the reference implementation validates, before any tensor is read:
 * the header length bounded (≤ {@value #MAX_HEADER_BYTES} bytes) and within the file; a strict
 * UTF-8 JSON object starting with {@code '{'}, without duplicate names or unknown fields; known
 * dtypes; the element count of every shape and its byte size computed without overflow and equal
 * to its offsets' span; offsets contiguous from 0 (sorted, no gap, no overlap) and covering the data
 * section exactly. Every problem is a {@link MalformedFileException} naming the file and the tensor.
 */
public final class SafeTensorsFormat {
    /** The reference implementation's bound on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";
    // The largest float[] a JVM allocates.
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;

    private SafeTensorsFormat() {
    }

    /** The element types of the format, with their sizes in bytes. */
    public enum DType {
        BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), F64(8),
        I64(8), U64(8);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor's header entry. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        /** The number of elements (validated to fit a Java array when the header was read). */
        public int elements() {
            return (int) ((end - begin) / dtype.bytes);
        }
    }

    /** A validated header: the entries in file order, the metadata, where the data section starts. */
    public record Header(Path file, List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    /** Reads and validates the header of {@code file}, open as {@code ch}. */
    public static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw bad(file, "the file has " + size + " bytes, fewer than the 8 of the header length");
        }
        ByteBuffer lenBuf = readFully(file, ch, 0, 8);
        long n = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw bad(file, "the header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw bad(file, "the header length " + n + " exceeds the file's " + (size - 8) + " bytes after the length");
        }
        if (n < 2) {
            throw bad(file, "the header length " + n + " is too short for a JSON object");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(readFully(file, ch, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "the header is not valid UTF-8");
        }
        if (json.charAt(0) != '{') {
            throw bad(file, "the header does not start with '{'");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parse(file, json, metadata);
        long dataStart = 8 + n;
        validateOffsets(file, entries, size - dataStart);
        return new Header(file, List.copyOf(entries), metadata, dataStart);
    }

    private static List<Entry> parse(Path file, String json, Map<String, String> metadata) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!names.add(name)) {
                    throw bad(file, "the header names '" + name + "' twice");
                }
                if (name.equals(METADATA)) {
                    readMetadata(file, r, metadata);
                } else {
                    entries.add(readEntry(file, r, name));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw bad(file, "the header has more after its JSON object");
            }
        } catch (MalformedJsonException | EOFException e) {
            throw bad(file, "the header is not valid JSON (" + position(e) + ")");
        } catch (IllegalStateException | NumberFormatException e) {
            throw bad(file, "the header is not the expected JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return entries;
    }

    // Gson's messages end with advice for Gson's users ("Use JsonReader.setStrictness…", a link): keep the position.
    private static String position(IOException e) {
        Matcher m = Pattern.compile("line \\d+ column \\d+").matcher(String.valueOf(e.getMessage()));
        return m.find() ? "at " + m.group() : "it ends early";
    }

    private static void readMetadata(Path file, JsonReader r, Map<String, String> metadata) throws IOException {
        if (r.peek() == JsonToken.NULL) {
            r.nextNull();
            return;
        }
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw bad(file, "metadata '" + key + "' is not a string");
            }
            if (metadata.put(key, r.nextString()) != null) {
                throw bad(file, "the metadata names '" + key + "' twice");
            }
        }
        r.endObject();
    }

    private static Entry readEntry(Path file, JsonReader r, String name) throws IOException {
        String where = "tensor '" + name + "'";
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            String field = r.nextName();
            switch (field) {
                case "dtype" -> {
                    if (dtype != null) {
                        throw bad(file, where + " has two dtypes");
                    }
                    if (r.peek() != JsonToken.STRING) {
                        throw bad(file, where + ": dtype is not a string");
                    }
                    String d = r.nextString();
                    try {
                        dtype = DType.valueOf(d);
                    } catch (IllegalArgumentException e) {
                        throw bad(file, where + " has dtype '" + d + "', not one of " + Arrays.toString(DType.values()));
                    }
                }
                case "shape" -> {
                    if (shape != null) {
                        throw bad(file, where + " has two shapes");
                    }
                    shape = readCounts(file, r, where + " shape");
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw bad(file, where + " has two data_offsets");
                    }
                    offsets = readCounts(file, r, where + " data_offsets");
                    if (offsets.length != 2) {
                        throw bad(file, where + " data_offsets has " + offsets.length + " values, not [begin, end]");
                    }
                }
                default -> throw bad(file, where + " has an unknown field '" + field + "'");
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw bad(file, where + " lacks " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    // Non-negative integers that fit a u64 below 2^63: the reference parses usize, which rejects signs,
    // fractions and exponents.
    private static long[] readCounts(Path file, JsonReader r, String where) throws IOException {
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) {
                throw bad(file, where + " holds a " + r.peek() + ", not an integer");
            }
            String s = r.nextString();
            if (!s.matches("0|[1-9][0-9]{0,18}")) {
                throw bad(file, where + " holds " + s + ", not a non-negative integer below 2^63");
            }
            values.add(Long.parseLong(s));
        }
        r.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void validateOffsets(Path file, List<Entry> entries, long dataBytes) throws IOException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : byOffset) {
            String where = "tensor '" + e.name() + "'";
            if (e.begin() != expected) {
                throw bad(file, where + " starts at byte " + e.begin() + " of the data, expected " + expected
                        + " (tensors must follow each other from 0, without gaps or overlaps)");
            }
            if (e.end() < e.begin()) {
                throw bad(file, where + " ends at byte " + e.end() + ", before its start " + e.begin());
            }
            long elements = 1;
            long bytes;
            try {
                for (long d : e.shape()) {
                    elements = Math.multiplyExact(elements, d);
                }
                bytes = Math.multiplyExact(elements, e.dtype().bytes);
            } catch (ArithmeticException x) {
                throw bad(file, where + ": the size of shape " + Arrays.toString(e.shape()) + " overflows");
            }
            if (e.end() - e.begin() != bytes) {
                throw bad(file, where + ": shape " + Arrays.toString(e.shape()) + " of " + e.dtype() + " takes " + bytes
                        + " bytes, its data_offsets [" + e.begin() + ", " + e.end() + "] span " + (e.end() - e.begin()));
            }
            if (elements > MAX_ELEMENTS) {
                throw bad(file, where + " has " + elements + " elements, more than a Java array holds");
            }
            expected = e.end();
        }
        if (expected != dataBytes) {
            throw bad(file, "the tensors cover " + expected + " bytes of data, the file holds " + dataBytes
                    + " after its header" + (expected > dataBytes ? " (it is truncated)" : ""));
        }
    }

    /**
     * The values of {@code e} as float32: F32 as stored, F16 and BF16 widened (exactly: every value
     * of theirs is a float32). Other dtypes are refused: F64 would round (convert it with
     * {@code tensor.float()} in PyTorch), integers and booleans are not parameters.
     */
    public static float[] readFloats(Header h, FileChannel ch, Entry e) throws IOException {
        if (e.dtype() != DType.F32 && e.dtype() != DType.F16 && e.dtype() != DType.BF16) {
            throw bad(h.file(), "tensor '" + e.name() + "' is " + e.dtype() + "; vecnn reads F32, F16 and BF16 (widened exactly)"
                    + (e.dtype() == DType.F64 ? "; F64 would be rounded: save it as float32 (tensor.float() in PyTorch)" : ""));
        }
        int n = e.elements();
        float[] out = new float[n];
        int per = e.dtype().bytes;
        int done = 0;
        while (done < n) {
            int count = Math.min(n - done, CHUNK / per);
            ByteBuffer b = readFully(h.file(), ch, h.dataStart() + e.begin() + (long) done * per, count * per)
                    .order(ByteOrder.LITTLE_ENDIAN);
            switch (e.dtype()) {
                case F32 -> b.asFloatBuffer().get(out, done, count);
                case F16 -> {
                    for (int i = 0; i < count; i++) {
                        out[done + i] = Float.float16ToFloat(b.getShort(2 * i));
                    }
                }
                default -> {   // BF16: the top half of a float32
                    for (int i = 0; i < count; i++) {
                        out[done + i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16);
                    }
                }
            }
            done += count;
        }
        return out;
    }

    private static ByteBuffer readFully(Path file, FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw bad(file, "the file ends at byte " + (position + b.position()) + ", inside a tensor");
            }
        }
        return b.flip();
    }

    /** A tensor to write: its name, outside shape and float32 values {@code data[offset .. offset + n)}. */
    public record Out(String name, long[] shape, float[] data, int offset, int count) {
    }

    /**
     * Writes a safetensors file (atomically): the header with {@code metadata} first and the tensors
     * in the order given, contiguous from 0, the JSON padded with spaces to a multiple of 8 bytes so
     * that the data is aligned, as the reference writer does.
     *
     * @throws IllegalArgumentException naming the tensor if a name repeats or is reserved, or a shape
     *                                  does not hold its values
     */
    public static void write(Path file, List<Out> tensors, Map<String, String> metadata) throws IOException {
        StringWriter json = new StringWriter();
        try (JsonWriter w = new JsonWriter(json)) {
            w.setHtmlSafe(false);
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name(METADATA).beginObject();
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    w.name(m.getKey()).value(m.getValue());
                }
                w.endObject();
            }
            Set<String> names = new HashSet<>();
            long offset = 0;
            for (Out t : tensors) {
                if (t.name().equals(METADATA) || !names.add(t.name())) {
                    throw new IllegalArgumentException(file + ": the tensor name '" + t.name() + "' is "
                            + (t.name().equals(METADATA) ? "reserved" : "used twice"));
                }
                long elements = 1;
                for (long d : t.shape()) {
                    if (d < 0) {
                        throw new IllegalArgumentException(file + ": tensor '" + t.name() + "' has a negative dimension");
                    }
                    elements = Math.multiplyExact(elements, d);
                }
                if (elements != t.count()) {
                    throw new IllegalArgumentException(file + ": tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                            + " but " + t.count() + " values");
                }
                w.name(t.name()).beginObject().name("dtype").value("F32").name("shape").beginArray();
                for (long d : t.shape()) {
                    w.value(d);
                }
                long end = offset + 4L * t.count();
                w.endArray().name("data_offsets").beginArray().value(offset).value(end).endArray().endObject();
                offset = end;
            }
            w.endObject();
        }
        byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) & ~7;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(raw);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicWrite.write(file, out -> {
            out.write(head.array(), 0, head.limit());
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Out t : tensors) {
                for (int done = 0; done < t.count(); ) {
                    int count = Math.min(t.count() - done, CHUNK / 4);
                    chunk.clear();
                    chunk.asFloatBuffer().put(t.data(), t.offset() + done, count);
                    out.write(chunk.array(), 0, count * 4);
                    done += count;
                }
            }
        });
    }

    private static MalformedFileException bad(Path file, String what) {
        return new MalformedFileException(file + ": " + what);
    }
}
