package io.vecnn.train;

import io.vecnn.api.Matrix;
import io.vecnn.api.Shape;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reader of CSV files (comma-separated, RFC 4180 quoting, UTF-8, optionally gzip-compressed, detected
 * from the content) into a classification {@link Dataset}: every column is a feature except the label
 * column. {@link #readFeatures} reads a file without a label column (samples to predict).
 *
 * <p><b>Header.</b> By default the first line is taken as a header when some column holds a
 * non-number there and a number on the second line (a header of numbers only is not detected: force
 * it with {@link Header#PRESENT}). A label column chosen by name implies a header.
 *
 * <p><b>Features</b> are numbers in this grammar only: an optional sign, digits with an optional
 * fraction (or a fraction alone), an optional exponent ({@code 12}, {@code -0.5}, {@code .5},
 * {@code 1e-3}, {@code +2.5E+4}); no Java suffixes ({@code 1.5f}, {@code 2d}), no hexadecimal, no
 * empty field. {@code nan}, {@code inf}, {@code infinity} (any case, optionally signed) are accepted
 * only with {@link Options#allowNonFinite()}; a number too large for a float ({@code 1e39}) is always
 * an error. Surrounding spaces and tabs are ignored.
 *
 * <p><b>Labels.</b> If every label is a number, each must be an integer ≥ 0: it is the class id and
 * the class names are {@code "0"}, {@code "1"}, …. Otherwise the labels are class names, and class
 * ids follow the names' sorted order ({@link String#compareTo}), so any file with the same set of
 * names gives the same ids whatever its row order. {@link Options#withClassNames} fixes the names
 * and their order instead (to read a test file with a training file's classes).
 *
 * <p><b>Errors</b> are {@link MalformedDataException}s whose message starts with
 * {@code FILE:LINE:COLUMN:} (lines and columns counted from 1, columns in fields), or
 * {@code FILE:LINE:} for a whole line. A line longer than {@link Options#maxLineLength()} characters
 * fails without being held in memory; so do invalid UTF-8 and broken quoting.
 */
public final class Csv {
    /** The default limit on one line's (record's) length, in characters. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 1 << 22;
    /** The most classes taken from the data alone (more needs {@link Options#withClasses} or names). */
    public static final int MAX_INFERRED_CLASSES = 1 << 16;
    private static final int MAX_VALUES = Integer.MAX_VALUE - 8;

    private Csv() {
    }

    /** Whether the first line is a header. */
    public enum Header {
        /** Detected: a header when some column is a non-number on line 1 and a number on line 2. */
        DETECT,
        /** The first non-blank line is a header. */
        PRESENT,
        /** Every line is data. */
        ABSENT
    }

    /**
     * Reading options; start from {@link #defaults()} and change with the {@code with} methods.
     *
     * @param header         whether the first line is a header
     * @param labelColumn    the label's column counted from 0, or −1 for the last (ignored when named)
     * @param labelName      the label column's name in the header, or null to choose it by index
     * @param classes        the number of classes, or 0 to take it from the data
     * @param classNames     the class names in id order, or empty to take them from the data
     * @param allowNonFinite whether nan and inf feature values are accepted (rejected by default)
     * @param maxLineLength  the longest line accepted, in characters
     */
    public record Options(Header header, int labelColumn, String labelName, int classes, List<String> classNames,
                          boolean allowNonFinite, int maxLineLength) {
        /**
         * Options as given, checked.
         *
         * @throws IllegalArgumentException if the options contradict each other or are out of range
         */
        public Options {
            Objects.requireNonNull(header, "header");
            classNames = List.copyOf(classNames);
            if (labelName != null && header == Header.DETECT) {
                header = Header.PRESENT;   // a column is named by the header
            }
            if (labelColumn < -1) {
                throw new IllegalArgumentException("label column " + labelColumn + ": counted from 0, or -1 for the last");
            }
            if (labelName != null && labelName.isEmpty()) {
                throw new IllegalArgumentException("an empty label column name");
            }
            if (labelName != null && header == Header.ABSENT) {
                throw new IllegalArgumentException("the label column '" + labelName + "' is named, but the file has no header");
            }
            if (classes < 0 || classes == 1) {
                throw new IllegalArgumentException("classes " + classes + ": 0 (from the data) or at least 2");
            }
            if (!classNames.isEmpty()) {
                if (classNames.size() < 2) {
                    throw new IllegalArgumentException("class names " + classNames + ": need at least 2");
                }
                if (classes != 0 && classes != classNames.size()) {
                    throw new IllegalArgumentException(classes + " classes but " + classNames.size() + " class names");
                }
                if (new HashSet<>(classNames).size() != classNames.size()) {
                    throw new IllegalArgumentException("class names " + classNames + " repeat a name");
                }
            }
            if (maxLineLength < 1) {
                throw new IllegalArgumentException("max line length " + maxLineLength + " < 1");
            }
        }

        /**
         * Header detected, the label in the last column, classes from the data, finite values only.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(Header.DETECT, -1, null, 0, List.of(), false, DEFAULT_MAX_LINE_LENGTH);
        }

        /**
         * These options with the given header rule.
         *
         * @param h the header rule
         * @return the new options
         */
        public Options withHeader(Header h) {
            return new Options(h, labelColumn, labelName, classes, classNames, allowNonFinite, maxLineLength);
        }

        /**
         * These options with the label in column {@code index} (from 0; −1 for the last).
         *
         * @param index the label column
         * @return the new options
         */
        public Options withLabelColumn(int index) {
            return new Options(header, index, null, classes, classNames, allowNonFinite, maxLineLength);
        }

        /**
         * These options with the label in the column the header names {@code name} (implies a
         * header).
         *
         * @param name the label column's name in the header
         * @return the new options
         */
        public Options withLabelName(String name) {
            Objects.requireNonNull(name, "name");
            return new Options(header, -1, name, classes, classNames, allowNonFinite, maxLineLength);
        }

        /**
         * These options with a fixed number of classes (numeric labels must be below it).
         *
         * @param n the number of classes
         * @return the new options
         */
        public Options withClasses(int n) {
            return new Options(header, labelColumn, labelName, n, classNames, allowNonFinite, maxLineLength);
        }

        /**
         * These options with fixed class names: label i is {@code names.get(i)}; any other label is
         * an error.
         *
         * @param names the class names in id order
         * @return the new options
         */
        public Options withClassNames(List<String> names) {
            return new Options(header, labelColumn, labelName, 0, names, allowNonFinite, maxLineLength);
        }

        /**
         * These options accepting (or not) nan and inf feature values.
         *
         * @param allow true to accept nan and inf
         * @return the new options
         */
        public Options withAllowNonFinite(boolean allow) {
            return new Options(header, labelColumn, labelName, classes, classNames, allow, maxLineLength);
        }

        /**
         * These options with another line-length limit, in characters.
         *
         * @param chars the longest line accepted
         * @return the new options
         */
        public Options withMaxLineLength(int chars) {
            return new Options(header, labelColumn, labelName, classes, classNames, allowNonFinite, chars);
        }
    }

    /**
     * What a CSV file holds.
     *
     * @param dataset      the samples, named after the file
     * @param classNames   the name of each class id, {@code dataset.classes()} of them
     * @param featureNames the header's names of the feature columns in order, or empty without a header
     */
    public record Table(Dataset dataset, List<String> classNames, List<String> featureNames) {
        /** Lists are copied. */
        public Table {
            classNames = List.copyOf(classNames);
            featureNames = List.copyOf(featureNames);
        }
    }

    /**
     * What a CSV file without a label column holds: every column is a feature (new samples to
     * predict, for instance).
     *
     * @param values the samples, one row each
     * @param names  the header's column names in order, or empty without a header
     */
    public record Features(Matrix values, List<String> names) {
        /** The list is copied. */
        public Features {
            Objects.requireNonNull(values, "values");
            names = List.copyOf(names);
        }
    }

    /**
     * Reads a CSV file.
     *
     * @param file the file
     * @param options how to read it
     * @return the dataset, its class names and its feature names
     * @throws IOException if the file cannot be read or is malformed ({@link
     *     MalformedDataException}, naming line and column)
     */
    public static Table read(Path file, Options options) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            return read(raw, file.toString(), options);
        }
    }

    /**
     * Reads a CSV stream (not closed); {@code name} names it in messages.
     *
     * @param stream the CSV text, UTF-8
     * @param name the stream's name, for messages
     * @param options how to read it
     * @return the dataset, its class names and its feature names
     * @throws IOException if the stream cannot be read or is malformed ({@link
     *     MalformedDataException}, naming line and column)
     */
    public static Table read(InputStream stream, String name, Options options) throws IOException {
        return read(stream, name, options, Parser::parse);
    }

    /**
     * Reads a CSV file that has no label column: every column is a feature, in the number grammar
     * and with the header rule, limits and errors of {@link #read}. The options' label column,
     * classes and class names are not used.
     *
     * @param file the file
     * @param options how to read it
     * @return the feature values and the columns' names
     * @throws IllegalArgumentException if the options name a label column
     * @throws IOException if the file cannot be read or is malformed ({@link
     *     MalformedDataException}, naming line and column)
     */
    public static Features readFeatures(Path file, Options options) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            return readFeatures(raw, file.toString(), options);
        }
    }

    /**
     * Reads a CSV stream without a label column (not closed); see {@link #readFeatures(Path,
     * Options)}.
     *
     * @param stream the CSV text, UTF-8
     * @param name the stream's name, for messages
     * @param options how to read it
     * @return the feature values and the columns' names
     * @throws IOException if the stream cannot be read or is malformed ({@link
     *     MalformedDataException}, naming line and column)
     */
    public static Features readFeatures(InputStream stream, String name, Options options) throws IOException {
        if (options.labelName() != null) {
            throw new IllegalArgumentException("the label column '" + options.labelName() + "' is named, but features alone are read");
        }
        return read(stream, name, options, Parser::parseFeatures);
    }

    private interface ParseStep<T> {
        T parse(Parser parser) throws IOException;
    }

    private static <T> T read(InputStream stream, String name, Options options, ParseStep<T> step) throws IOException {
        InputStream in = new BufferedInputStream(stream, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        Records records = null;
        try {
            if (b0 == 0x1f && b1 == 0x8b) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            // A strict decoder: invalid UTF-8 is an error, never a silent U+FFFD in a class name.
            records = new Records(new Utf8(in), name, options.maxLineLength());
            return step.parse(new Parser(name, options, records));
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new MalformedDataException(name + (records == null ? "" : ":" + records.nextLine)
                    + ": corrupt or truncated gzip data: " + e.getMessage(), e);
        } catch (Utf8.Invalid e) {
            throw new MalformedDataException(name + ":" + records.nextLine + ": not valid UTF-8 (byte " + e.offset
                    + (in instanceof GZIPInputStream ? " of the decompressed data" : "") + ")", e);
        }
    }

    /**
     * A strict UTF-8 decoder that hands out every character before an invalid byte and fails only when
     * the reader reaches it, so that the error names the right line and byte.
     */
    private static final class Utf8 extends Reader {
        /** Invalid UTF-8 at {@code offset} bytes into the stream. */
        static final class Invalid extends IOException {
            private static final long serialVersionUID = 1L;
            final long offset;

            Invalid(long offset) {
                super("invalid UTF-8 at byte " + offset);
                this.offset = offset;
            }
        }

        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();   // reports, never replaces
        private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
        /** The stream offset of bytes[0]. */
        private long base;
        private boolean eof;
        private long invalidAt = -1;

        Utf8(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            if (invalidAt >= 0) {
                throw new Invalid(invalidAt);
            }
            CharBuffer out = CharBuffer.wrap(cbuf, off, len);
            while (true) {
                CoderResult r = decoder.decode(bytes, out, eof);
                if (r.isError()) {
                    invalidAt = base + bytes.position();
                    if (out.position() > off) {
                        return out.position() - off;
                    }
                    throw new Invalid(invalidAt);
                }
                if (out.position() > off || len == 0) {
                    return out.position() - off;
                }
                if (eof) {
                    return -1;
                }
                base += bytes.position();
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
        }

        @Override
        public void close() {
            // the caller closes the stream
        }
    }

    /** Kinds of field text. */
    private static final int NUMBER = 0;
    private static final int NON_FINITE = 1;
    private static final int OTHER = 2;

    /** Which kind of number {@code c[s..e)} is in the grammar of the class documentation. */
    static int kind(char[] c, int s, int e) {
        int i = s;
        if (i < e && (c[i] == '+' || c[i] == '-')) {
            i++;
        }
        int body = i;
        int digits = 0;
        while (i < e && c[i] >= '0' && c[i] <= '9') {
            i++;
            digits++;
        }
        if (i < e && c[i] == '.') {
            i++;
            while (i < e && c[i] >= '0' && c[i] <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            String word = new String(c, body, e - body);
            return i == body && (word.equalsIgnoreCase("nan") || word.equalsIgnoreCase("inf") || word.equalsIgnoreCase("infinity"))
                    ? NON_FINITE : OTHER;
        }
        if (i < e && (c[i] == 'e' || c[i] == 'E')) {
            i++;
            if (i < e && (c[i] == '+' || c[i] == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < e && c[i] >= '0' && c[i] <= '9') {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return OTHER;
            }
        }
        return i == e ? NUMBER : OTHER;
    }

    private static final float[] POWERS_OF_TEN = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

    /**
     * The float nearest to the {@link #NUMBER} {@code c[s..e)}. Short numbers (a significand below
     * 2²⁴ and a decimal exponent within ±10, all of them exact floats) take one correctly rounded
     * multiplication or division; the rest go through {@link Float#parseFloat}.
     */
    static float toFloat(char[] c, int s, int e) {
        int i = s;
        boolean negative = false;
        if (c[i] == '+' || c[i] == '-') {
            negative = c[i] == '-';
            i++;
        }
        long significand = 0;
        int scale = 0;
        boolean fast = true;
        boolean fraction = false;
        for (; i < e && c[i] != 'e' && c[i] != 'E'; i++) {
            if (c[i] == '.') {
                fraction = true;
                continue;
            }
            significand = significand * 10 + (c[i] - '0');
            if (fraction) {
                scale--;
            }
            if (significand >= 1 << 24) {
                fast = false;
                break;
            }
        }
        if (fast && i < e) {
            int exponent = 0;
            int j = i + 1;
            boolean negativeExponent = false;
            if (c[j] == '+' || c[j] == '-') {
                negativeExponent = c[j] == '-';
                j++;
            }
            for (; j < e && exponent < 100; j++) {
                exponent = exponent * 10 + (c[j] - '0');
            }
            scale += negativeExponent ? -exponent : exponent;
            fast = j == e;
        }
        if (fast && scale >= -10 && scale <= 10) {
            float v = scale >= 0 ? significand * POWERS_OF_TEN[scale] : significand / POWERS_OF_TEN[-scale];
            return negative ? -v : v;
        }
        return Float.parseFloat(new String(c, s, e - s));
    }

    /** The value of the {@link #NON_FINITE} word {@code c[s..e)}. */
    private static float nonFinite(char[] c, int s, int e) {
        boolean negative = c[s] == '-';
        int body = c[s] == '+' || c[s] == '-' ? s + 1 : s;
        return Character.toLowerCase(c[body]) == 'n' ? Float.NaN : negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    }

    /** A field's text for a message: quoted, control characters escaped, long text cut. */
    private static String quote(String t) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < t.length() && i < 40; i++) {
            char ch = t.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.append(t.length() > 40 ? "...' (" + t.length() + " characters)" : "'").toString();
    }

    /**
     * Splits the input into records of fields (RFC 4180: a quoted field may hold commas, doubled
     * quotes and line breaks), never holding more than one record, and that record no longer than the
     * limit. Unquoted fields are trimmed of spaces and tabs.
     */
    private static final class Records {
        private final Reader in;
        private final String name;
        private final int maxLength;
        private final char[] buf = new char[1 << 16];
        private int pos;
        private int lim;
        private boolean started;
        /** The current record's field texts, one after another; field f is text[start[f]..end[f]). */
        char[] text = new char[1 << 10];
        int[] start = new int[64];
        int[] end = new int[64];
        int fields;
        /** Whether the first field is quoted and empty (then an otherwise empty record is no blank line). */
        private boolean quotedEmpty;
        /** The line the current record starts on, and the line the next one does. */
        long line;
        long nextLine = 1;

        Records(Reader in, String name, int maxLength) {
            this.in = in;
            this.name = name;
            this.maxLength = maxLength;
        }

        private int read() throws IOException {
            if (pos == lim) {
                lim = in.read(buf, 0, buf.length);
                pos = 0;
                if (lim <= 0) {
                    lim = 0;
                    return -1;
                }
            }
            return buf[pos++];
        }

        private int peek() throws IOException {
            int c = read();
            if (c >= 0) {
                pos--;
            }
            return c;
        }

        /** Whether the current record is a blank line (nothing but spaces and tabs). */
        boolean blank() {
            return fields == 1 && start[0] == end[0] && !quotedEmpty;
        }

        /** Reads the next record; false at the end of the input. */
        boolean next() throws IOException {
            if (!started) {
                started = true;
                if (peek() == '\uFEFF') {
                    read();   // a byte-order mark, as spreadsheets write
                }
            }
            line = nextLine;
            fields = 0;
            int length = 0;
            int consumed = 0;
            int c = read();
            if (c < 0) {
                return false;
            }
            quotedEmpty = false;
            while (true) {
                // One field: leading blanks, then quoted or unquoted text, then a comma or the end of the record.
                while (c == ' ' || c == '\t') {
                    consumed = count(consumed);
                    c = read();
                }
                int fieldStart = length;
                boolean quoted = c == '"';
                if (quoted) {
                    long opened = nextLine;
                    consumed = count(consumed);
                    while (true) {
                        c = read();
                        if (c < 0) {
                            throw new MalformedDataException(name + ":" + opened + ":" + (fields + 1)
                                    + ": a quoted field is not closed before the end of the file");
                        }
                        consumed = count(consumed);
                        if (c == '"') {
                            if (peek() != '"') {
                                break;
                            }
                            read();
                            consumed = count(consumed);
                        } else if (c == '\n' || c == '\r' && peek() != '\n') {
                            nextLine++;
                        }
                        length = append(length, (char) c);
                    }
                    c = read();
                    while (c == ' ' || c == '\t') {
                        consumed = count(consumed);
                        c = read();
                    }
                    if (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                        throw new MalformedDataException(name + ":" + nextLine + ":" + (fields + 1) + ": "
                                + quote(String.valueOf((char) c)) + " after a closing quote (a quote inside a field is doubled: \"\")");
                    }
                    if (fields == 0 && length == fieldStart) {
                        quotedEmpty = true;
                    }
                } else {
                    int lastNonBlank = length;
                    while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                        if (c == '"') {
                            throw new MalformedDataException(name + ":" + nextLine + ":" + (fields + 1)
                                    + ": a quote inside an unquoted field (quote the whole field and double the quote)");
                        }
                        consumed = count(consumed);
                        length = append(length, (char) c);
                        if (c != ' ' && c != '\t') {
                            lastNonBlank = length;
                        }
                        c = read();
                    }
                    length = lastNonBlank;
                }
                addField(fieldStart, length);
                if (c == ',') {
                    consumed = count(consumed);
                    c = read();
                    continue;
                }
                if (c == '\r' && peek() == '\n') {
                    read();
                }
                if (c >= 0) {
                    nextLine++;
                }
                return true;
            }
        }

        private int count(int consumed) throws MalformedDataException {
            if (consumed >= maxLength) {
                throw new MalformedDataException(name + ":" + line + ": the line is longer than " + maxLength
                        + " characters (the limit; raise it with Csv.Options.withMaxLineLength if the data is right)");
            }
            return consumed + 1;
        }

        private int append(int length, char ch) {
            if (length == text.length) {
                text = Arrays.copyOf(text, Math.min(2 * text.length, maxLength + 1));
            }
            text[length] = ch;
            return length + 1;
        }

        private void addField(int s, int e) {
            if (fields == start.length) {
                start = Arrays.copyOf(start, 2 * fields);
                end = Arrays.copyOf(end, 2 * fields);
            }
            start[fields] = s;
            end[fields] = e;
            fields++;
        }

        String field(int f) {
            return new String(text, start[f], end[f] - start[f]);
        }
    }

    /** Turns records into a table: header, features, labels. */
    private static final class Parser {
        private final String name;
        private final Options options;
        private final Records records;
        private int columns = -1;
        private int labelColumn;
        /** Whether a column holds the labels (false: every column is a feature). */
        private boolean labelled = true;
        private float[] values = new float[1 << 12];
        private int valueCount;
        private int[] labels = new int[1 << 10];
        private int rows;
        /** Distinct label texts in order of first appearance, their provisional ids, and where each first appeared. */
        private final Map<String, Integer> labelIds = new HashMap<>();
        private final List<String> labelTexts = new ArrayList<>();
        private final List<Long> labelLines = new ArrayList<>();

        Parser(String name, Options options, Records records) {
            this.name = name;
            this.options = options;
            this.records = records;
        }

        private boolean nextNonBlank() throws IOException {
            while (records.next()) {
                if (!records.blank()) {
                    return true;
                }
            }
            return false;
        }

        Table parse() throws IOException {
            return table(readAll());
        }

        Features parseFeatures() throws IOException {
            labelled = false;
            List<String> names = readAll();
            float[] x = valueCount == values.length ? values : Arrays.copyOf(values, valueCount);
            return new Features(Matrix.wrap(rows, columns, x), names);
        }

        /** Reads the header (if any) and every row; returns the feature names (empty without a header). */
        private List<String> readAll() throws IOException {
            if (!nextNonBlank()) {
                throw new MalformedDataException(name + (records.nextLine <= 1 ? ": the file is empty" : ": no data rows"));
            }
            String[] first = new String[records.fields];
            for (int f = 0; f < first.length; f++) {
                first[f] = records.field(f);
            }
            long firstLine = records.line;
            boolean more = nextNonBlank();
            boolean header = switch (options.header()) {
                case PRESENT -> true;
                case ABSENT -> false;
                case DETECT -> more ? looksLikeHeader(first) : Arrays.stream(first).noneMatch(t -> kindOf(t) != OTHER);
            };
            List<String> featureNames = List.of();
            if (header) {
                labelColumn = labelColumn(first, firstLine);
                columns = first.length;
                List<String> names = new ArrayList<>(Arrays.asList(first));
                if (labelled) {
                    names.remove(labelColumn);
                }
                featureNames = names;
            } else {
                row(first, firstLine);
            }
            if (header && !more) {
                throw new MalformedDataException(name + ": no data rows (header only)");
            }
            while (more) {
                row(null, records.line);
                more = nextNonBlank();
            }
            return featureNames;
        }

        private static int kindOf(String t) {
            char[] c = t.toCharArray();
            return kind(c, 0, c.length);
        }

        /** Some column is text (not empty) on the first line and a number on the second. */
        private boolean looksLikeHeader(String[] first) {
            for (int f = 0; f < Math.min(first.length, records.fields); f++) {
                if (!first[f].isEmpty() && kindOf(first[f]) == OTHER
                        && kind(records.text, records.start[f], records.end[f]) != OTHER) {
                    return true;
                }
            }
            return false;
        }

        private int labelColumn(String[] header, long line) throws MalformedDataException {
            if (!labelled) {
                return -1;   // no column is the label
            }
            if (header.length < 2) {
                throw new MalformedDataException(name + ":" + line + ": " + header.length
                        + " column; need at least one feature and a label" + separatorHint(header));
            }
            if (options.labelName() == null) {
                int c = options.labelColumn() < 0 ? header.length - 1 : options.labelColumn();
                if (c >= header.length) {
                    throw new MalformedDataException(name + ":" + line + ": label column index " + c + " (counted from 0) does not exist: "
                            + "the line has " + header.length + " columns");
                }
                return c;
            }
            int found = -1;
            for (int f = 0; f < header.length; f++) {
                if (header[f].equals(options.labelName())) {
                    if (found >= 0) {
                        throw new MalformedDataException(name + ":" + line + ": columns " + (found + 1) + " and " + (f + 1)
                                + " are both named " + quote(options.labelName()) + ": which is the label?");
                    }
                    found = f;
                }
            }
            if (found < 0) {
                String all = String.join(", ", Arrays.asList(header).subList(0, Math.min(header.length, 20)));
                throw new MalformedDataException(name + ":" + line + ": no column is named " + quote(options.labelName())
                        + "; the header has " + (all.length() > 300 ? all.substring(0, 300) + "..." : all)
                        + (header.length > 20 ? ", ..." : ""));
            }
            return found;
        }

        private static String separatorHint(String[] fields) {
            String only = fields.length == 1 ? fields[0] : "";
            return only.indexOf(';') >= 0 ? " (the separator is a comma; this line has semicolons)"
                    : only.indexOf('\t') >= 0 ? " (the separator is a comma; this line has tabs)" : "";
        }

        /** One data row, from {@code saved} (the first line, kept) or the current record. */
        private void row(String[] saved, long line) throws MalformedDataException {
            int n = saved != null ? saved.length : records.fields;
            if (columns < 0) {
                String[] fields = saved;
                if (fields == null) {
                    fields = new String[n];
                    for (int f = 0; f < n; f++) {
                        fields[f] = records.field(f);
                    }
                }
                labelColumn = labelColumn(fields, line);
                columns = n;
            } else if (n != columns) {
                throw new MalformedDataException(name + ":" + line + ": " + n + " columns, the lines before have " + columns
                        + " (ragged rows)");
            }
            for (int f = 0; f < n; f++) {
                char[] c;
                int s;
                int e;
                if (saved != null) {
                    c = saved[f].toCharArray();
                    s = 0;
                    e = c.length;
                } else {
                    c = records.text;
                    s = records.start[f];
                    e = records.end[f];
                }
                if (f == labelColumn) {
                    label(new String(c, s, e - s), line, f);
                } else {
                    value(c, s, e, line, f);
                }
            }
            rows++;
        }

        private void value(char[] c, int s, int e, long line, int f) throws MalformedDataException {
            String at = name + ":" + line + ":" + (f + 1) + ": ";
            float v = switch (kind(c, s, e)) {
                case NUMBER -> {
                    float x = toFloat(c, s, e);
                    if (Float.isInfinite(x)) {
                        throw new MalformedDataException(at + quote(new String(c, s, e - s))
                                + " is outside float's range (magnitude above 3.4028235e38)");
                    }
                    yield x;
                }
                case NON_FINITE -> {
                    if (!options.allowNonFinite()) {
                        throw new MalformedDataException(at + "value " + quote(new String(c, s, e - s))
                                + " is not finite (allow it explicitly if intended)");
                    }
                    yield nonFinite(c, s, e);
                }
                default -> throw new MalformedDataException(at + (s == e ? "an empty field (a missing value)"
                        : quote(new String(c, s, e - s)) + " is not a number (digits, an optional sign, '.' and exponent only)"));
            };
            if (valueCount == values.length) {
                if (valueCount >= MAX_VALUES) {
                    throw new MalformedDataException(at + "more than " + MAX_VALUES + " feature values: too large for one array");
                }
                values = Arrays.copyOf(values, (int) Math.min(MAX_VALUES, 2L * values.length));
            }
            values[valueCount++] = v;
        }

        private void label(String text, long line, int f) throws MalformedDataException {
            Integer id = labelIds.get(text);
            if (id == null) {
                if (text.isEmpty()) {
                    throw new MalformedDataException(name + ":" + line + ":" + (f + 1) + ": an empty label");
                }
                int limit = Math.max(MAX_INFERRED_CLASSES, Math.max(options.classes(), options.classNames().size()));
                if (labelIds.size() == limit) {
                    throw new MalformedDataException(name + ":" + line + ":" + (f + 1) + ": more than " + limit
                            + " distinct labels (is column " + (f + 1) + " really the label?)");
                }
                id = labelIds.size();
                labelIds.put(text, id);
                labelTexts.add(text);
                labelLines.add(line);
            }
            if (rows == labels.length) {
                labels = Arrays.copyOf(labels, (int) Math.min(MAX_VALUES, 2L * labels.length));
            }
            labels[rows] = id;
        }

        private MalformedDataException labelError(int provisional, String what) {
            return new MalformedDataException(name + ":" + labelLines.get(provisional) + ":" + (labelColumn + 1) + ": label "
                    + quote(labelTexts.get(provisional)) + " " + what);
        }

        /** Provisional label ids become class ids. */
        private Table table(List<String> featureNames) throws MalformedDataException {
            int distinct = labelTexts.size();
            int[] classOf = new int[distinct];
            List<String> names;
            boolean numeric = true;
            for (String t : labelTexts) {
                numeric &= kindOf(t) == NUMBER;
            }
            if (!options.classNames().isEmpty()) {
                names = options.classNames();
                Map<String, Integer> index = new HashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    index.put(names.get(i), i);
                }
                for (int p = 0; p < distinct; p++) {
                    String t = labelTexts.get(p);
                    Integer id = index.get(t);
                    if (id == null && classId(t, Integer.MAX_VALUE) >= 0) {
                        id = index.get(Integer.toString(classId(t, Integer.MAX_VALUE)));   // "1.0" names the class "1"
                    }
                    if (id == null) {
                        throw labelError(p, "is not one of the " + names.size() + " classes " + abbreviate(names));
                    }
                    classOf[p] = id;
                }
            } else if (numeric) {
                int max = 0;
                int limit = options.classes() > 0 ? options.classes() : MAX_INFERRED_CLASSES;
                for (int p = 0; p < distinct; p++) {
                    int v = classId(labelTexts.get(p), limit);
                    if (v == -1) {
                        throw labelError(p, "is not a class id (an integer >= 0) nor a class name");
                    }
                    if (v == -2) {
                        throw labelError(p, options.classes() > 0 ? "is not a class 0.." + (options.classes() - 1)
                                : "implies more than " + MAX_INFERRED_CLASSES + " classes; give the number of classes if intended");
                    }
                    classOf[p] = v;
                    max = Math.max(max, v);
                }
                int classes = options.classes() > 0 ? options.classes() : Math.max(2, max + 1);
                String[] ids = new String[classes];
                for (int i = 0; i < classes; i++) {
                    ids[i] = Integer.toString(i);
                }
                names = List.of(ids);
            } else {
                String[] sorted = labelTexts.toArray(String[]::new);
                Arrays.sort(sorted);
                if (sorted.length < 2) {
                    throw labelError(0, "is the only class name: a classifier needs at least 2 classes");
                }
                if (options.classes() > 0 && options.classes() != sorted.length) {
                    throw new MalformedDataException(name + ": " + sorted.length + " class names in column " + (labelColumn + 1)
                            + " " + abbreviate(Arrays.asList(sorted)) + ", but " + options.classes()
                            + " classes were asked for (give the class names to fix the set)");
                }
                Map<String, Integer> index = new HashMap<>();
                for (int i = 0; i < sorted.length; i++) {
                    index.put(sorted[i], i);
                }
                for (int p = 0; p < distinct; p++) {
                    classOf[p] = index.get(labelTexts.get(p));
                }
                names = List.of(sorted);
            }
            int[] ids = new int[rows];
            for (int r = 0; r < rows; r++) {
                ids[r] = classOf[labels[r]];
            }
            float[] x = valueCount == values.length ? values : Arrays.copyOf(values, valueCount);
            Dataset d = Dataset.builder(name).features(Shape.of(columns - 1), x).labels(ids, names.size(), names).build();
            return new Table(d, names, featureNames);
        }

        /**
         * The integer value of the number {@code t} if it is one in 0..limit−1 (exactly: "2.0" and "2e0"
         * are 2, "1e-400" is no integer); −1 if it is no integer ≥ 0, −2 if it is one ≥ limit.
         */
        private static int classId(String t, int limit) {
            if (kindOf(t) != NUMBER) {
                return -1;
            }
            BigDecimal v;
            try {
                v = new BigDecimal(t);
            } catch (NumberFormatException | ArithmeticException exponentBeyondInt) {
                return -1;
            }
            if (v.signum() < 0) {
                return -1;
            }
            if (v.compareTo(BigDecimal.valueOf(limit)) >= 0) {
                return v.stripTrailingZeros().scale() <= 0 ? -2 : -1;
            }
            BigDecimal whole = v.stripTrailingZeros();
            return whole.scale() <= 0 ? whole.intValueExact() : -1;
        }

        private static String abbreviate(List<String> names) {
            List<String> shown = names.subList(0, Math.min(names.size(), 10));
            return shown.stream().map(Csv::quote).toList() + (names.size() > 10 ? " and " + (names.size() - 10) + " more" : "");
        }
    }
}
