package io.vecnn.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed (detected from the
 * content). A file is: two zero bytes, a type code, the number of dimensions d, d big-endian 32-bit
 * sizes, then the items. Everything is validated against the file before the payload is allocated:
 * magic, type, 1..4 dimensions, each size ≥ 1, the product without overflow and within the file
 * (raw) or a limit (gzip), no truncation, no trailing bytes.
 */
public final class Idx {
    /** The largest payload read, in bytes (a gzip file's size does not bound its content). */
    public static final long MAX_PAYLOAD = 1L << 30;

    private Idx() {
    }

    /** An IDX tensor: its dimensions and its values as floats. */
    public record Tensor(int[] dims, float[] values) {
        /** Product of the dimensions after the first (values per item). */
        public int itemSize() {
            int n = 1;
            for (int i = 1; i < dims.length; i++) {
                n *= dims[i];
            }
            return n;
        }
    }

    /** Reads one IDX file. */
    public static Tensor read(Path file) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return read(in, file.toString(), gzip ? -1 : fileSize);
        } catch (java.util.zip.ZipException | EOFException e) {
            throw new MalformedDataException(file + ": corrupt or truncated gzip data: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one IDX stream.
     *
     * @param name     the file's name, for messages
     * @param knownSize the stream's length in bytes, or -1 if unknown (compressed)
     */
    public static Tensor read(InputStream stream, String name, long knownSize) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int[] header = new int[4];
        for (int i = 0; i < 4; i++) {
            header[i] = in.read();
            if (header[i] < 0) {
                throw new MalformedDataException(name + ": truncated header: " + i + " of 4 magic bytes");
            }
        }
        if (header[0] != 0 || header[1] != 0) {
            throw new MalformedDataException(name + ": wrong magic: bytes 0-1 are " + hex(header[0]) + " " + hex(header[1])
                    + ", an IDX file starts with 00 00");
        }
        int type = header[2];
        int width = switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> throw new MalformedDataException(name + ": unknown type code " + hex(type)
                    + " at byte 2 (known: 08 ubyte, 09 byte, 0B short, 0C int, 0D float, 0E double)");
        };
        int d = header[3];
        if (d < 1 || d > 4) {
            throw new MalformedDataException(name + ": " + d + " dimensions at byte 3; expected 1 to 4");
        }
        int[] dims = new int[d];
        long count = 1;
        for (int i = 0; i < d; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new MalformedDataException(name + ": truncated header: dimension " + i + " of " + d + " missing");
            }
            if (dims[i] < 1) {
                throw new MalformedDataException(name + ": dimension " + i + " is " + Integer.toUnsignedString(dims[i])
                        + "; sizes must be >= 1 and < 2^31");
            }
            count *= dims[i];
            if (count > Integer.MAX_VALUE - 8) {
                throw new MalformedDataException(name + ": dimensions " + java.util.Arrays.toString(java.util.Arrays.copyOf(dims, i + 1))
                        + " hold more than 2^31 values");
            }
        }
        long headerBytes = 4 + 4L * d;
        long payload = count * width;
        if (knownSize >= 0) {
            if (headerBytes + payload > knownSize) {
                throw new MalformedDataException(name + ": dimensions " + java.util.Arrays.toString(dims) + " need " + payload
                        + " bytes of data, the file has " + (knownSize - headerBytes) + " after its header");
            }
            if (headerBytes + payload < knownSize) {
                throw new MalformedDataException(name + ": " + (knownSize - headerBytes - payload)
                        + " trailing bytes after the " + payload + " bytes of data its dimensions describe");
            }
        } else if (payload > MAX_PAYLOAD) {
            throw new MalformedDataException(name + ": dimensions " + java.util.Arrays.toString(dims) + " describe " + payload
                    + " bytes, more than the " + MAX_PAYLOAD + " this reader accepts");
        }
        float[] values = new float[(int) count];
        byte[] buf = new byte[1 << 16];
        long done = 0;
        int item = 0;
        while (done < payload) {
            int want = (int) Math.min(buf.length - buf.length % width, payload - done);
            int got = in.readNBytes(buf, 0, want);
            if (got < want) {
                throw new MalformedDataException(name + ": truncated: data ends after " + (done + got) + " of " + payload
                        + " bytes (byte " + (headerBytes + done + got) + " of the file)");
            }
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 0, got);
            for (int k = 0; k < got / width; k++) {
                values[item++] = switch (type) {
                    case 0x08 -> bb.get() & 0xFF;
                    case 0x09 -> bb.get();
                    case 0x0B -> bb.getShort();
                    case 0x0C -> bb.getInt();
                    case 0x0D -> bb.getFloat();
                    default -> (float) bb.getDouble();
                };
            }
            done += got;
        }
        if (in.read() >= 0) {
            throw new MalformedDataException(name + ": trailing bytes after the " + payload + " bytes of data its dimensions describe");
        }
        return new Tensor(dims, values);
    }

    /**
     * Reads an image file and a label file into a dataset: images of any item shape (flattened, scaled
     * by {@code scale}), labels in 0..classes−1.
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
        return Dataset.of(name, x, img.itemSize(), l, classes);
    }

    private static String hex(int b) {
        return String.format("%02X", b);
    }
}
