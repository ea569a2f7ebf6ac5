package io.vecnn.train;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of numeric CSV files (comma-separated, optionally gzip-compressed, detected from the
 * content) into a classification {@link Dataset}: every column is a feature except the label
 * column, which holds integer class labels 0..classes−1.
 */
public final class Csv {
    private Csv() {
    }

    /**
     * Reading options.
     *
     * @param header         whether the first line is a header (skipped)
     * @param labelColumn    the label's column, counted from 0; −1 for the last
     * @param classes        the number of classes, or 0 to use the largest label + 1
     * @param allowNonFinite whether NaN and infinite feature values are accepted (rejected by default)
     */
    public record Options(boolean header, int labelColumn, int classes, boolean allowNonFinite) {
        /** No header, the label in the last column, classes from the data, finite values only. */
        public static Options defaults() {
            return new Options(false, -1, 0, false);
        }
    }

    /** Reads a CSV file. */
    public static Dataset read(Path file, Options options) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            return read(raw, file.toString(), options);
        }
    }

    /** Reads a CSV stream; {@code name} names it in messages. */
    public static Dataset read(InputStream stream, String name, Options options) throws IOException {
        InputStream in = stream.markSupported() ? stream : new BufferedInputStream(stream);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                in = new GZIPInputStream(in, 1 << 16);
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new MalformedDataException(name + ": corrupt gzip header: " + e.getMessage(), e);
            }
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        FloatList values = new FloatList();
        java.util.stream.IntStream.Builder labels = java.util.stream.IntStream.builder();
        int labelCount = 0;
        int maxLabel = 0;
        int columns = -1;
        int lineNo = 0;
        String line;
        boolean sawHeader = false;
        try {
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (options.header() && !sawHeader) {
                    sawHeader = true;
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] tokens = line.split(",", -1);
                if (columns < 0) {
                    columns = tokens.length;
                    if (columns < 2) {
                        throw new MalformedDataException(name + ": line " + lineNo + " has " + columns
                                + " column; need at least one feature and a label");
                    }
                } else if (tokens.length != columns) {
                    throw new MalformedDataException(name + ": line " + lineNo + " has " + tokens.length + " columns, earlier lines "
                            + columns + " (ragged rows)");
                }
                int labelCol = options.labelColumn() < 0 ? columns - 1 : options.labelColumn();
                if (labelCol >= columns) {
                    throw new MalformedDataException(name + ": label column " + labelCol + " does not exist; lines have "
                            + columns + " columns");
                }
                for (int c = 0; c < columns; c++) {
                    String t = tokens[c].trim();
                    double v;
                    try {
                        v = Double.parseDouble(t);
                    } catch (NumberFormatException e) {
                        throw new MalformedDataException(name + ": line " + lineNo + ", column " + (c + 1) + ": '" + t
                                + "' is not a number");
                    }
                    if (c == labelCol) {
                        if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE - 1
                                || (options.classes() > 0 && v >= options.classes())) {
                            throw new MalformedDataException(name + ": line " + lineNo + ", column " + (c + 1) + ": label '" + t
                                    + "' is not a class " + (options.classes() > 0 ? "0.." + (options.classes() - 1) : "index >= 0"));
                        }
                        labels.add((int) v);
                        labelCount++;
                        maxLabel = Math.max(maxLabel, (int) v);
                    } else {
                        if (!Double.isFinite(v) && !options.allowNonFinite()) {
                            throw new MalformedDataException(name + ": line " + lineNo + ", column " + (c + 1) + ": value '" + t
                                    + "' is not finite (allow it explicitly if intended)");
                        }
                        values.add((float) v);
                    }
                }
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new MalformedDataException(name + ": corrupt or truncated gzip data near line " + lineNo + ": " + e.getMessage(), e);
        }
        if (labelCount == 0) {
            throw new MalformedDataException(name + (lineNo == 0 ? ": the file is empty" : ": no data rows (header only)"));
        }
        int classes = options.classes();
        if (classes == 0) {
            classes = Math.max(2, maxLabel + 1);
        }
        return Dataset.of(name, values.toArray(), columns - 1, labels.build().toArray(), classes);
    }

    private static final class FloatList {
        float[] data = new float[1 << 12];
        int size;

        void add(float v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, Math.multiplyExact(data.length, 2));
            }
            data[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
