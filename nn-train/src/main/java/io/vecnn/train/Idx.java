package io.vecnn.train;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed (detected from the
 * content). A file is: two zero bytes, a type code, the number of dimensions d, d big-endian 32-bit
 * sizes, then the items. Every header field is checked as it is read (magic, type, 1..4 dimensions,
 * each size ≥ 1, the product without overflow and within the file's length or, compressed, within
 * {@link #MAX_PAYLOAD}); then the data must be exactly as long as the header says (no truncation, no
 * trailing bytes) and, for float and double files, finite unless allowed. The values array grows as
 * data arrives, so a small compressed file claiming a huge size fails at its end without having
 * allocated for its claim. Errors are {@link MalformedDataException}s naming the file and the byte
 * (of the decompressed data, for a gzip file). Int values beyond ±2²⁴ are rounded to float.
 */
public final class Idx {
    /** The largest payload read, in bytes (a gzip file's size does not bound its content). */
    public static final long MAX_PAYLOAD = 1L << 30;
    /** Values allocated before a compressed file's data shows it holds more: then the array doubles. */
    private static final int FIRST_CHUNK = 1 << 16;

    private Idx() {
    }

    /**
     * An IDX tensor: its dimensions and its values as floats.
     *
     * @param dims the dimensions, the first being the number of items
     * @param values the values, row-major
     */
    public record Tensor(int[] dims, float[] values) {
        /**
         * Product of the dimensions after the first (values per item).
         *
         * @return the item size
         */
        public int itemSize() {
            int n = 1;
            for (int i = 1; i < dims.length; i++) {
                n *= dims[i];
            }
            return n;
        }
    }

    /**
     * Reads one IDX file; NaN and infinite values (of float and double files) are rejected.
     *
     * @param file the file, raw or gzip-compressed
     * @return the tensor
     * @throws IOException if the file cannot be read or is malformed ({@link
     *     MalformedDataException})
     */
    public static Tensor read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * Reads one IDX file.
     *
     * @param file the file, raw or gzip-compressed
     * @param allowNonFinite whether NaN and infinite values of float and double files are accepted
     * @return the tensor
     * @throws IOException if the file cannot be read or is malformed ({@link
     *     MalformedDataException})
     */
    public static Tensor read(Path file, boolean allowNonFinite) throws IOException {
        // A pipe or device has no length to check the header against: it is read like a compressed file.
        long size = Files.isRegularFile(file) ? Files.size(file) : -1;
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), size, allowNonFinite);
        }
    }

    /**
     * Reads one IDX stream (not closed), raw or gzip-compressed (detected from its first two bytes).
     *
     * @param stream the IDX bytes
     * @param name           the file's name, for messages
     * @param knownSize      the raw stream's length in bytes, or -1 if unknown
     * @param allowNonFinite whether NaN and infinite values of float and double files are accepted
     * @return the tensor
     * @throws IOException if the stream cannot be read or is malformed ({@link
     *     MalformedDataException})
     */
    public static Tensor read(InputStream stream, String name, long knownSize, boolean allowNonFinite) throws IOException {
        InputStream raw = new BufferedInputStream(stream, 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        Source in = new Source(name, gzip);
        try {
            in.stream = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return read(in, gzip ? -1 : knownSize, allowNonFinite);
        } catch (java.util.zip.ZipException | EOFException e) {
            throw new MalformedDataException(name + ": corrupt or truncated gzip data after " + in.position
                    + " decompressed bytes: " + e.getMessage(), e);
        }
    }

    /** The decoded stream, counting bytes so that every message can say where. */
    private static final class Source {
        final String name;
        final boolean compressed;
        InputStream stream;
        long position;

        Source(String name, boolean compressed) {
            this.name = name;
            this.compressed = compressed;
        }

        /** "byte N" of the file, or of the decompressed data. */
        String at(long offset) {
            return "byte " + offset + (compressed ? " of the decompressed data" : "");
        }

        MalformedDataException error(String what) {
            return new MalformedDataException(name + ": " + what);
        }

        int u8(String field) throws IOException {
            int b = stream.read();
            if (b < 0) {
                throw error("truncated header: the data ends at " + at(position) + ", before " + field);
            }
            position++;
            return b;
        }

        int i32(String field) throws IOException {
            int v = 0;
            for (int k = 0; k < 4; k++) {
                v = v << 8 | u8(field);
            }
            return v;
        }
    }

    private static Tensor read(Source in, long knownSize, boolean allowNonFinite) throws IOException {
        int m0 = in.u8("byte 0 of the magic");
        int m1 = in.u8("byte 1 of the magic");
        if (m0 != 0 || m1 != 0) {
            throw in.error("wrong magic: bytes 0-1 are " + hex(m0) + " " + hex(m1) + ", an IDX file starts with 00 00");
        }
        int type = in.u8("the type code (byte 2)");
        int width = switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> throw in.error("unknown type code " + hex(type)
                    + " at byte 2 (known: 08 ubyte, 09 byte, 0B short, 0C int, 0D float, 0E double)");
        };
        int d = in.u8("the number of dimensions (byte 3)");
        if (d < 1 || d > 4) {
            throw in.error(d + " dimensions at byte 3; expected 1 to 4");
        }
        int[] dims = new int[d];
        long count = 1;
        long headerBytes = 4 + 4L * d;
        if (knownSize >= 0 && knownSize < headerBytes) {
            throw in.error("truncated header: " + d + " dimensions (byte 3) need a " + headerBytes + "-byte header, the file has "
                    + knownSize + " bytes");
        }
        for (int i = 0; i < d; i++) {
            long at = in.position;
            dims[i] = in.i32("dimension " + i + " of " + d + " (bytes " + at + "-" + (at + 3) + ")");
            if (dims[i] < 1) {
                throw in.error("dimension " + i + " is " + Integer.toUnsignedString(dims[i]) + " at bytes " + at + "-" + (at + 3)
                        + "; sizes must be >= 1 and < 2^31");
            }
            count *= dims[i];
            if (count > Integer.MAX_VALUE - 8) {
                throw in.error("dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + " (bytes 4-" + (at + 3)
                        + ") hold more than 2^31 values");
            }
            long payload = count * width;
            if (knownSize >= 0 && headerBytes + payload > knownSize) {
                throw in.error("dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + " (bytes 4-" + (at + 3) + ") need "
                        + (i + 1 < d ? "at least " : "") + payload + " bytes of data, the file has "
                        + Math.max(0, knownSize - headerBytes) + " after its " + headerBytes + "-byte header");
            }
            if (payload > MAX_PAYLOAD) {
                throw in.error("dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + " (bytes 4-" + (at + 3) + ") describe "
                        + (i + 1 < d ? "at least " : "") + payload + " bytes, more than the " + MAX_PAYLOAD + " this reader accepts");
            }
        }
        long payload = count * width;
        if (knownSize >= 0 && headerBytes + payload < knownSize) {
            throw in.error((knownSize - headerBytes - payload) + " trailing bytes after the " + payload
                    + " bytes of data its dimensions describe (from " + in.at(headerBytes + payload) + ")");
        }
        // The length of a raw file was checked: allocate once. Otherwise grow as the data arrives.
        float[] values = new float[(int) (knownSize >= 0 ? count : Math.min(count, FIRST_CHUNK))];
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        int item = 0;
        int itemSize = (int) (count / dims[0]);
        while (item < count) {
            int want = (int) Math.min(buf.length / width, count - item) * width;
            int got = in.stream.readNBytes(buf, 0, want);
            if (got < want) {
                throw in.error("truncated: the data ends at " + in.at(in.position + got) + ", after " + (in.position + got - headerBytes)
                        + " of the " + payload + " bytes its dimensions " + Arrays.toString(dims) + " describe");
            }
            if (item + got / width > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(count, 2L * values.length + got / width));
            }
            bb.clear();
            for (int k = 0; k < got / width; k++, item++) {
                float v = switch (type) {
                    case 0x08 -> bb.get() & 0xFF;
                    case 0x09 -> bb.get();
                    case 0x0B -> bb.getShort();
                    case 0x0C -> bb.getInt();
                    case 0x0D -> bb.getFloat();
                    default -> {
                        double x = bb.getDouble();
                        float f = (float) x;
                        if (Float.isInfinite(f) && Double.isFinite(x)) {
                            throw in.error("value " + x + " at item " + item / itemSize + ", element " + item % itemSize + " ("
                                    + in.at(in.position + 8L * k) + ") is outside float's range");
                        }
                        yield f;
                    }
                };
                if (!allowNonFinite && !Float.isFinite(v)) {   // only float and double files can hold one
                    throw in.error("value " + v + " at item " + item / itemSize + ", element " + item % itemSize + " ("
                            + in.at(in.position + (long) width * k) + ") is not finite (allow it explicitly if intended)");
                }
                values[item] = v;
            }
            in.position += got;
        }
        if (in.stream.read() >= 0) {
            throw in.error("trailing bytes after the " + payload + " bytes of data its dimensions describe (from "
                    + in.at(in.position) + ")");
        }
        return new Tensor(dims, values);
    }

    /**
     * Reads an image file and a label file into a dataset: images scaled by {@code scale}, labels in
     * 0..classes−1. Items of rank 2 (rows × columns) become one-channel images (1 × rows × columns,
     * NCHW), items of rank 3 (channels × rows × columns) images as they are, others feature vectors.
     *
     * @param name the dataset's name
     * @param images the image file
     * @param labels the label file
     * @param classes the number of classes
     * @param scale the factor applied to each pixel
     * @return the dataset
     * @throws IOException if a file cannot be read, is malformed or the two disagree
     */
    public static Dataset dataset(String name, Path images, Path labels, int classes, float scale) throws IOException {
        Tensor img = read(images);
        Tensor lab = read(labels);
        if (lab.dims().length != 1) {
            throw new MalformedDataException(labels + ": a label file has 1 dimension, this one " + lab.dims().length);
        }
        if (lab.dims()[0] != img.dims()[0]) {
            throw new MalformedDataException(images + " holds " + img.dims()[0] + " images but " + labels + " holds "
                    + lab.dims()[0] + " labels");
        }
        int[] l = new int[lab.dims()[0]];
        for (int i = 0; i < l.length; i++) {
            float v = lab.values()[i];
            if (v != Math.rint(v) || v < 0 || v >= classes) {
                throw new MalformedDataException(labels + ": label " + v + " at item " + i + " is outside 0.." + (classes - 1));
            }
            l[i] = (int) v;
        }
        float[] x = img.values();
        if (scale != 1f) {
            for (int i = 0; i < x.length; i++) {
                x[i] *= scale;
            }
        }
        int[] d = img.dims();
        io.vecnn.api.Shape shape = switch (d.length) {
            case 3 -> io.vecnn.api.Shape.image(1, d[1], d[2]);
            case 4 -> io.vecnn.api.Shape.image(d[1], d[2], d[3]);
            default -> io.vecnn.api.Shape.of(img.itemSize());
        };
        return Dataset.builder(name).features(shape, x).labels(l, classes).build();
    }

    private static String hex(int b) {
        return String.format("%02X", b);
    }
}
