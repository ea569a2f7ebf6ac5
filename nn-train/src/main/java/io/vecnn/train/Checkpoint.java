package io.vecnn.train;

import io.vecnn.api.BuildContext;
import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.LayerType;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.api.Registry;
import io.vecnn.api.Shape;
import io.vecnn.api.internal.AtomicWrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.WeakHashMap;
import java.util.zip.CRC32C;

/**
 * The checkpoint file format, little-endian:
 *
 * <pre>
 * offset  size  content
 * 0       8     magic "VECNNCKP"
 * 8       4     format version (2; version 1 files are still read)
 * 12      4     header length H
 * 16      H     header: UTF-8 lines "record field…"
 * 16+H    P     payload: the tensors' float32 values, at the offsets the header gives
 * end−4   4     CRC-32C of every byte before it
 * </pre>
 *
 * <h2>Header (version 2)</h2>
 * <pre>
 * layout sequential|graph
 * input  NAME SHAPE                       one per model input, e.g. "input input 1x28x28"
 * node   NAME TYPE IN1[,IN2…] [CONFIG]    in running order; CONFIG is {@link LayerConfig#encode()}
 * output NAME
 * tensor NAME ROWS COLS OFFSET            parameters and buffers by name; "opt.S.PARAM" optimizer
 *                                         state slot S; "extra.KEY" extra tensors
 * optimizer NAME ITERATIONS SLOTS
 * state SEED EPOCHS STEP BEST BAD         BEST as raw double bits
 * epoch N V1 … V7                         the history, raw double bits
 * meta CONFIG                             string metadata (an encoded LayerConfig of strings)
 * </pre>
 * The format is generic over layers and graphs: a node is saved by its {@link Node#type()} and
 * {@link Node#config()} and rebuilt by the {@link LayerType} registered under that name; its
 * parameters and buffers (non-trainable state such as running statistics) are tensors by name.
 *
 * <h2>Saving and loading</h2>
 * Saving writes a temporary file in the target's directory, forces it to disk and renames it over
 * the target atomically, so a crash mid-save leaves the previous checkpoint intact. A model is
 * checked once to be describable (every node's type registered and rebuilding nodes with the same
 * tensors; no connectivity masks) before anything is written. Loading reads the file (bounded by its
 * length), checks magic, version, header length, checksum, a strict UTF-8 header, every record and
 * every tensor's bounds (no overflow, inside the payload, no overlap, the whole payload covered),
 * rebuilds the model and checks every tensor's name and shape against it before copying any value.
 * Every problem is a {@link MalformedDataException} naming the file and where.
 */
public final class Checkpoint {
    /** The current format version. */
    public static final int VERSION = 2;
    private static final byte[] MAGIC = "VECNNCKP".getBytes(StandardCharsets.US_ASCII);
    private static final int PREFIX = 16;
    private static final Map<Model, Boolean> DESCRIBABLE = Collections.synchronizedMap(new WeakHashMap<>());

    private Checkpoint() {
    }

    /**
     * What a checkpoint holds besides the model: string metadata (e.g. class names, the data
     * source) and named float tensors (e.g. a standardization's means).
     *
     * @param metadata keys of letters, digits, {@code _ . -}; any string values
     * @param tensors  keys as for metadata; any float arrays
     */
    public record Extras(Map<String, String> metadata, Map<String, float[]> tensors) {
        /** No extras. */
        public static final Extras NONE = new Extras(Map.of(), Map.of());

        /** Copies the maps (the arrays are not copied). */
        public Extras {
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        }
    }

    /**
     * What a checkpoint holds.
     *
     * @param model the model, with its parameters and buffers
     * @param optimizer the optimizer's name
     * @param iterations the optimizer's step count
     * @param slots the optimizer's state slots per parameter
     * @param optimizerState the optimizer's state, per parameter and slot
     * @param state the trainer's state
     * @param extras what the model needs besides its weights
     */
    public record Loaded(Model model, String optimizer, long iterations, int slots, List<float[][]> optimizerState,
                         Trainer.State state, Extras extras) {
    }

    /**
     * Throws a clear exception if a checkpoint cannot be written at {@code file}: its directory missing,
     * not a directory or not writable. Called before training starts.
     *
     * @param file the checkpoint file to be written
     */
    public static void checkWritable(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("cannot save a checkpoint to " + file + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("cannot save a checkpoint to " + file + ": directory " + dir + " is not writable");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("cannot save a checkpoint to " + file + ": it is a directory");
        }
    }

    /**
     * Saves atomically, without extras.
     *
     * @param file the checkpoint file
     * @param model the model
     * @param optimizer the optimizer whose state is saved
     * @param state the trainer's state
     * @throws IOException if the file cannot be written (a previous checkpoint there is left
     *     intact)
     */
    public static void save(Path file, Model model, Optimizer optimizer, Trainer.State state) throws IOException {
        save(file, model, optimizer, state, Extras.NONE);
    }

    /**
     * Saves atomically. Fails without touching an existing checkpoint if the model cannot be
     * described (a node type without a registered {@link LayerType}, a user-defined activation that is
     * not registered, a connectivity mask), holds non-finite values, or the directory is missing or not
     * writable.
     *
     * @param file the checkpoint file
     * @param model the model
     * @param optimizer the optimizer whose state is saved
     * @param state the trainer's state
     * @param extras class names, standardization and split to save with the model
     * @throws IOException if the file cannot be written (a previous checkpoint there is left
     *     intact)
     */
    public static void save(Path file, Model model, Optimizer optimizer, Trainer.State state, Extras extras) throws IOException {
        try {
            checkWritable(file);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        requireDescribable(model);
        StringBuilder h = new StringBuilder();
        h.append("layout ").append(model.sequential() ? "sequential" : "graph").append('\n');
        for (int i = 0; i < model.inputNames().size(); i++) {
            h.append("input ").append(model.inputNames().get(i)).append(' ').append(shapeText(model.inputShapes().get(i))).append('\n');
        }
        List<Node> nodes = model.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String config = n.config().encode();
            h.append("node ").append(n.name()).append(' ').append(n.type()).append(' ').append(String.join(",", model.inputsOf(i)))
                    .append(config.isEmpty() ? "" : " " + config).append('\n');
        }
        h.append("output ").append(model.outputName()).append('\n');
        List<Chunk> chunks = new ArrayList<>();
        long[] offset = {0};
        for (Parameter p : model.parameters()) {
            tensor(h, chunks, offset, p.name(), p.value(), "parameter");
        }
        for (Node.Buffer b : model.buffers()) {
            tensor(h, chunks, offset, b.name(), b.value(), "buffer");
        }
        List<Parameter> ps = model.parameters();
        int slots = optimizer.stateSlots();
        h.append("optimizer ").append(optimizer.name().replace(' ', '_')).append(' ').append(optimizer.iterations()).append(' ')
                .append(slots).append('\n');
        for (int i = 0; i < ps.size(); i++) {
            for (int s = 0; s < slots; s++) {
                Parameter p = ps.get(i);
                float[] st = optimizer.state(ps, i, s);
                tensor(h, chunks, offset, "opt." + s + "." + p.name(),
                        Matrix.wrap(p.value().rows(), p.value().cols(), st), "optimizer state");
            }
        }
        for (Map.Entry<String, float[]> e : extras.tensors().entrySet()) {
            LayerConfig.builder().put(e.getKey(), 0);   // validates the key
            tensor(h, chunks, offset, "extra." + e.getKey(), Matrix.wrap(1, e.getValue().length, e.getValue()), "extra tensor");
        }
        h.append("state ").append(state.seed()).append(' ').append(state.epochsDone()).append(' ').append(state.step()).append(' ')
                .append(Double.doubleToRawLongBits(state.best())).append(' ').append(state.badEpochs()).append('\n');
        for (EpochMetrics m : state.history()) {
            h.append("epoch ").append(m.epoch());
            for (double v : new double[] {m.trainLoss(), m.trainScore(), m.validationLoss(), m.validationScore(),
                    m.learningRate(), m.seconds(), m.samplesPerSecond()}) {
                h.append(' ').append(Double.doubleToRawLongBits(v));
            }
            h.append('\n');
        }
        if (!extras.metadata().isEmpty()) {
            LayerConfig.Builder meta = LayerConfig.builder();
            extras.metadata().forEach(meta::put);
            h.append("meta ").append(meta.build().encode()).append('\n');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        long total = PREFIX + header.length + offset[0] + 4;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IOException("checkpoint of " + total + " bytes exceeds the 2 GiB this format supports");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putInt(header.length).put(header);
        for (Chunk c : chunks) {
            buf.asFloatBuffer().put(c.array(), c.offset(), c.length());
            buf.position(buf.position() + 4 * c.length());
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        AtomicWrite.write(file, buf.flip());
    }

    /** A tensor's values in the payload: {@code array[offset .. offset + length)}. */
    private record Chunk(float[] array, int offset, int length) {
    }

    private static void tensor(StringBuilder h, List<Chunk> chunks, long[] offset, String name, Matrix m, String what)
            throws IOException {
        int bad = m.firstNonFinite();
        if (bad >= 0) {
            throw new IOException("cannot save " + what + " " + name + ": element " + bad + " is "
                    + m.data()[m.offset() + bad] + " (not finite); the existing checkpoint is left as it was");
        }
        h.append("tensor ").append(name).append(' ').append(m.rows()).append(' ').append(m.cols()).append(' ').append(offset[0])
                .append('\n');
        chunks.add(new Chunk(m.data(), m.offset(), m.size()));
        offset[0] += 4L * m.size();
    }

    private static String shapeText(Shape s) {
        return s.toString().replace('×', 'x');
    }

    /**
     * Checks, once per model, that a loader can rebuild it: every node's type is registered and
     * rebuilds a node with the same tensors (names and shapes) from the node's configuration, and no
     * parameter has a connectivity mask (masks are not part of a configuration).
     */
    private static void requireDescribable(Model model) throws IOException {
        if (DESCRIBABLE.containsKey(model)) {
            return;
        }
        List<Node> nodes = model.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String who = "cannot checkpoint node " + n.name() + " (" + n.type() + ")";
            for (Parameter p : n.parameters()) {
                if (p.hasMask()) {
                    throw new IOException(who + ": parameter " + p.name() + " has a connectivity mask, which a checkpoint does not hold");
                }
            }
            if (n.name().chars().anyMatch(c -> Character.isWhitespace(c) || c == ',')) {
                throw new IOException(who + ": node names may not contain spaces or commas");
            }
            Node rebuilt;
            try {
                LayerType type = Registry.layerType(n.type());
                List<Shape> shapes = new ArrayList<>();
                for (String in : model.inputsOf(i)) {
                    shapes.add(shapeOf(model, in));
                }
                rebuilt = type.create(LayerConfig.decode(n.config().encode()),
                        BuildContext.of(n.name(), i + 1, shapes, new SplittableRandom(0)));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IOException(who + ": a loader could not rebuild it: " + e.getMessage(), e);
            }
            if (!tensorShapes(rebuilt).equals(tensorShapes(n)) || !rebuilt.outputShape().equals(n.outputShape())) {
                throw new IOException(who + ": its layer type rebuilds it with tensors " + tensorShapes(rebuilt) + " and output "
                        + rebuilt.outputShape() + ", not " + tensorShapes(n) + " and " + n.outputShape());
            }
        }
        DESCRIBABLE.put(model, Boolean.TRUE);
    }

    private static Shape shapeOf(Model model, String name) {
        int k = model.inputNames().indexOf(name);
        if (k >= 0) {
            return model.inputShapes().get(k);
        }
        for (Node n : model.nodes()) {
            if (n.name().equals(name)) {
                return n.outputShape();
            }
        }
        throw new IllegalStateException("no input or node " + name);
    }

    private static Map<String, String> tensorShapes(Node n) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Parameter p : n.parameters()) {
            m.put(p.name(), p.value().shape());
        }
        for (Node.Buffer b : n.buffers()) {
            m.put(b.name(), b.value().shape());
        }
        return m;
    }

    // ---------------------------------------------------------------------------------- loading

    /**
     * Loads and validates a checkpoint; see the class documentation for what is checked.
     *
     * @param file the checkpoint file
     * @return the model, optimizer state, trainer state and extras
     * @throws IOException if the file cannot be read or is not a valid checkpoint
     */
    public static Loaded load(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such checkpoint");
        }
        String f = file.toString();
        if (size < PREFIX + 4) {
            throw new MalformedDataException(f + ": " + size + " bytes is shorter than a checkpoint's " + (PREFIX + 4)
                    + "-byte frame (truncated?)");
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new MalformedDataException(f + ": " + size + " bytes exceeds the 2 GiB this format supports");
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != size) {
            throw new MalformedDataException(f + ": changed while being read");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(bytes, 0, 8, MAGIC, 0, 8)) {
            throw new MalformedDataException(f + ": bad magic (bytes 0-7 are not \"VECNNCKP\"): not a vecnn checkpoint");
        }
        int version = buf.getInt(8);
        if (version > VERSION) {
            throw new MalformedDataException(f + ": format version " + version + " is newer than this vecnn reads (" + VERSION
                    + "); upgrade vecnn");
        }
        if (version < 1) {
            throw new MalformedDataException(f + ": format version " + version + " is older than any this vecnn reads (1.."
                    + VERSION + ")");
        }
        long headerLen = Integer.toUnsignedLong(buf.getInt(12));
        if (headerLen > size - PREFIX - 4) {
            throw new MalformedDataException(f + ": header length " + headerLen + " at byte 12 goes beyond the file's "
                    + size + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = buf.getInt(bytes.length - 4);
        if ((int) crc.getValue() != stored) {
            throw new MalformedDataException(f + String.format(Locale.ROOT,
                    ": bad checksum (stored %08x, computed %08x): the file is corrupt or truncated", stored, (int) crc.getValue()));
        }
        int payloadStart = PREFIX + (int) headerLen;
        long payload = size - 4 - payloadStart;
        String header = decodeHeader(f, bytes, (int) headerLen);
        Parsed p = version == 1 ? parseV1(f, header, payload) : parseV2(f, header, payload);
        return build(f, p, buf, payloadStart, payload);
    }

    private static String decodeHeader(String f, byte[] bytes, int length) throws MalformedDataException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, PREFIX, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            throw new MalformedDataException(f + ": the header is not valid UTF-8 at byte " + in.position() + " of the file");
        }
        r = dec.flush(out);
        if (r.isError()) {
            throw new MalformedDataException(f + ": the header ends inside a UTF-8 sequence (byte " + (PREFIX + length) + ")");
        }
        return out.flip().toString();
    }

    private record TensorEntry(String name, int rows, int cols, long offset, String where) {
    }

    private record NodeEntry(String name, String type, String[] inputs, LayerConfig config, String where) {
    }

    /** A header read into records, before anything is built. */
    private static final class Parsed {
        final long payload;
        boolean sequential = true;
        final List<String> inputNames = new ArrayList<>();
        final List<Shape> inputShapes = new ArrayList<>();
        final List<NodeEntry> nodes = new ArrayList<>();
        String output;
        final Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        String optName;
        long iterations;
        int slots = -1;
        long[] state;
        final List<EpochMetrics> history = new ArrayList<>();
        final Map<String, String> metadata = new LinkedHashMap<>();
        final Set<String> names = new HashSet<>();

        Parsed(long payload) {
            this.payload = payload;
        }

        void name(String where, String name) throws MalformedDataException {
            if (!names.add(name)) {
                throw new MalformedDataException(where + ": the name '" + abbreviate(name) + "' is used twice");
            }
        }
    }

    private interface LineParser {
        void parse(String[] t, String line, String where) throws MalformedDataException;
    }

    private static void forEachLine(String f, String header, LineParser p) throws MalformedDataException {
        String[] lines = header.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) {
            n--;
        }
        for (int ln = 0; ln < n; ln++) {
            String where = f + ": header line " + (ln + 1) + " ('" + abbreviate(lines[ln]) + "')";
            if (lines[ln].chars().anyMatch(c -> Character.isISOControl(c) && c != '\t')) {
                throw new MalformedDataException(where + ": control characters");
            }
            try {
                p.parse(lines[ln].split(" ", -1), lines[ln], where);
            } catch (NumberFormatException e) {
                throw new MalformedDataException(where + ": not a number: " + e.getMessage());
            }
        }
    }

    private static Parsed parseV2(String f, String header, long payload) throws MalformedDataException {
        Parsed p = new Parsed(payload);
        boolean[] layoutSeen = {false};
        forEachLine(f, header, (t, line, where) -> {
            switch (t[0]) {
                case "layout" -> {
                    need(t, 2, where);
                    if (!t[1].equals("sequential") && !t[1].equals("graph") || layoutSeen[0]) {
                        throw new MalformedDataException(where + ": layout must be given once, as sequential or graph");
                    }
                    layoutSeen[0] = true;
                    p.sequential = t[1].equals("sequential");
                }
                case "input" -> {
                    need(t, 3, where);
                    p.name(where, t[1]);
                    try {
                        p.inputShapes.add(Shape.parse(t[2]));
                    } catch (IllegalArgumentException e) {
                        throw new MalformedDataException(where + ": " + e.getMessage());
                    }
                    p.inputNames.add(t[1]);
                }
                case "node" -> {
                    if (t.length < 4) {
                        throw new MalformedDataException(where + ": expected node NAME TYPE INPUTS [CONFIG]");
                    }
                    p.name(where, t[1]);
                    String[] parts = line.split(" ", 5);
                    String config = parts.length == 5 ? parts[4] : "";
                    try {
                        p.nodes.add(new NodeEntry(t[1], t[2], t[3].split(",", -1), LayerConfig.decode(config), where));
                    } catch (IllegalArgumentException e) {
                        throw new MalformedDataException(where + ": " + e.getMessage());
                    }
                }
                case "output" -> {
                    need(t, 2, where);
                    if (p.output != null) {
                        throw new MalformedDataException(where + ": a second output");
                    }
                    p.output = t[1];
                }
                case "meta" -> {
                    try {
                        LayerConfig meta = LayerConfig.decode(line.substring(4));
                        for (String k : meta.keys()) {
                            p.metadata.put(k, meta.getString(k));
                        }
                    } catch (IllegalArgumentException e) {
                        throw new MalformedDataException(where + ": " + e.getMessage());
                    }
                }
                default -> commonRecord(p, t, where);
            }
        });
        if (!layoutSeen[0] || p.inputNames.isEmpty() || p.nodes.isEmpty() || p.output == null) {
            throw new MalformedDataException(f + ": the header lacks " + (!layoutSeen[0] ? "the layout" : p.inputNames.isEmpty()
                    ? "an input" : p.nodes.isEmpty() ? "nodes" : "the output"));
        }
        return p;
    }

    private static Parsed parseV1(String f, String header, long payload) throws MalformedDataException {
        Parsed p = new Parsed(payload);
        int[] width = {-1};
        String[] previous = {"input"};
        forEachLine(f, header, (t, line, where) -> {
            switch (t[0]) {
                case "input" -> {
                    need(t, 2, where);
                    if (width[0] >= 0) {
                        throw new MalformedDataException(where + ": a second input");
                    }
                    width[0] = positive(t, 1, where);
                    p.name(where, "input");
                    p.inputNames.add("input");
                    p.inputShapes.add(Shape.of(width[0]));
                }
                case "dense" -> {
                    need(t, 5, where);
                    int units = positive(t, 2, where);
                    if (!t[4].equals("true") && !t[4].equals("false")) {
                        throw new MalformedDataException(where + ": bias flag must be true or false");
                    }
                    p.name(where, t[1]);
                    p.nodes.add(new NodeEntry(t[1], "dense", new String[] {previous[0]}, LayerConfig.builder().put("units", units)
                            .put("activation", t[3]).put("bias", Boolean.parseBoolean(t[4])).build(), where));
                    previous[0] = t[1];
                }
                case "dropout" -> {
                    need(t, 4, where);
                    p.name(where, t[1]);
                    p.nodes.add(new NodeEntry(t[1], "dropout", new String[] {previous[0]}, LayerConfig.builder()
                            .put("rate", Float.parseFloat(t[2])).put("seed", Long.parseLong(t[3])).build(), where));
                    previous[0] = t[1];
                }
                default -> commonRecord(p, t, where);
            }
        });
        if (width[0] < 1 || p.nodes.isEmpty()) {
            throw new MalformedDataException(f + ": the header lacks " + (width[0] < 1 ? "the input width" : "layers"));
        }
        p.output = previous[0];
        return p;
    }

    private static void commonRecord(Parsed p, String[] t, String where) throws MalformedDataException {
        switch (t[0]) {
            case "tensor" -> {
                need(t, 5, where);
                int r = positive(t, 2, where);
                int c = positive(t, 3, where);
                long off = Long.parseLong(t[4]);
                if (off < 0 || (long) r * c > Integer.MAX_VALUE - 8 || off > p.payload || 4L * r * c > p.payload - off) {
                    throw new MalformedDataException(where + ": tensor " + abbreviate(t[1]) + " of " + r + "×" + c
                            + " at offset " + off + " does not fit the " + p.payload + "-byte payload");
                }
                if (p.tensors.put(t[1], new TensorEntry(t[1], r, c, off, where)) != null) {
                    throw new MalformedDataException(where + ": tensor " + abbreviate(t[1]) + " appears twice");
                }
            }
            case "optimizer" -> {
                need(t, 4, where);
                if (p.optName != null) {
                    throw new MalformedDataException(where + ": a second optimizer");
                }
                p.optName = t[1];
                p.iterations = Long.parseLong(t[2]);
                p.slots = Integer.parseInt(t[3]);
                if (p.iterations < 0 || p.slots < 0 || p.slots > 4) {
                    throw new MalformedDataException(where + ": bad optimizer iterations or slots");
                }
            }
            case "state" -> {
                need(t, 6, where);
                if (p.state != null) {
                    throw new MalformedDataException(where + ": a second training state");
                }
                long[] st = new long[5];
                for (int i = 0; i < 5; i++) {
                    st[i] = Long.parseLong(t[i + 1]);
                }
                if (st[1] < 0 || st[1] > Integer.MAX_VALUE || st[2] < 0 || st[4] < 0 || st[4] > Integer.MAX_VALUE) {
                    throw new MalformedDataException(where + ": negative or oversized training state");
                }
                p.state = st;
            }
            case "epoch" -> {
                need(t, 9, where);
                double[] v = new double[7];
                for (int i = 0; i < 7; i++) {
                    v[i] = Double.longBitsToDouble(Long.parseLong(t[i + 2]));
                }
                p.history.add(new EpochMetrics(Integer.parseInt(t[1]), v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
            }
            default -> throw new MalformedDataException(where + ": unknown record '" + abbreviate(t[0]) + "'");
        }
    }

    private static Loaded build(String f, Parsed p, ByteBuffer buf, int payloadStart, long payload) throws IOException {
        if (p.optName == null || p.state == null) {
            throw new MalformedDataException(f + ": the header lacks " + (p.optName == null ? "the optimizer" : "the training state"));
        }
        // Tensors: inside the payload, disjoint and covering it exactly.
        List<TensorEntry> sorted = new ArrayList<>(p.tensors.values());
        sorted.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        long expect = 0;
        for (TensorEntry e : sorted) {
            if (e.offset() != expect) {
                throw new MalformedDataException(f + ": tensor " + abbreviate(e.name()) + " starts at payload offset " + e.offset()
                        + ", expected " + expect + (e.offset() < expect ? " (it overlaps the previous tensor)" : " (a gap)"));
            }
            expect += 4L * e.rows() * e.cols();
        }
        if (expect != payload) {
            throw new MalformedDataException(f + ": the tensors cover " + expect + " bytes of a " + payload + "-byte payload");
        }
        // Every model tensor must be declared with its shape; a layer allocates its tensors when it is
        // built, so the declared sizes bound what building may allocate.
        long declared = 0;
        for (TensorEntry e : p.tensors.values()) {
            if (!e.name().startsWith("opt.") && !e.name().startsWith("extra.")) {
                declared += (long) e.rows() * e.cols();
            }
        }
        Model model = buildModel(f, p, declared);
        Set<String> used = new HashSet<>();
        for (Parameter par : model.parameters()) {
            expectShape(f, p.tensors, par.name(), par.value());
            used.add(par.name());
        }
        for (Node.Buffer b : model.buffers()) {
            expectShape(f, p.tensors, b.name(), b.value());
            used.add(b.name());
        }
        List<Parameter> params = model.parameters();
        for (Parameter par : params) {
            for (int s = 0; s < p.slots; s++) {
                String name = "opt." + s + "." + par.name();
                expectShape(f, p.tensors, name, par.value());
                used.add(name);
            }
        }
        Map<String, float[]> extraTensors = new LinkedHashMap<>();
        for (TensorEntry e : p.tensors.values()) {
            if (e.name().startsWith("extra.")) {
                if (e.rows() != 1) {
                    throw new MalformedDataException(e.where() + ": extra tensors are 1×n");
                }
                used.add(e.name());
            } else if (!used.contains(e.name())) {
                throw new MalformedDataException(e.where() + ": tensor " + abbreviate(e.name())
                        + " belongs to no parameter, buffer or optimizer slot of the model");
            }
        }
        // Valid: copy the values in.
        for (Parameter par : params) {
            read(buf, payloadStart, p.tensors.get(par.name()), par.value());
        }
        for (Node.Buffer b : model.buffers()) {
            read(buf, payloadStart, p.tensors.get(b.name()), b.value());
        }
        List<float[][]> opt = new ArrayList<>();
        for (Parameter par : params) {
            float[][] s = new float[p.slots][];
            for (int k = 0; k < p.slots; k++) {
                s[k] = new float[par.size()];
                read(buf, payloadStart, p.tensors.get("opt." + k + "." + par.name()), Matrix.wrap(par.value().rows(), par.value().cols(), s[k]));
            }
            opt.add(s);
        }
        for (TensorEntry e : p.tensors.values()) {
            if (e.name().startsWith("extra.")) {
                float[] a = new float[e.cols()];
                read(buf, payloadStart, e, Matrix.wrap(1, e.cols(), a));
                extraTensors.put(e.name().substring(6), a);
            }
        }
        long[] st = p.state;
        Trainer.State state = new Trainer.State(st[0], (int) st[1], st[2], Double.longBitsToDouble(st[3]), (int) st[4], p.history);
        return new Loaded(model, p.optName, p.iterations, p.slots, opt, state, new Extras(p.metadata, extraTensors));
    }

    private static Model buildModel(String f, Parsed p, long declaredValues) throws MalformedDataException {
        Map<String, Shape> shapes = new HashMap<>();
        for (int i = 0; i < p.inputNames.size(); i++) {
            shapes.put(p.inputNames.get(i), p.inputShapes.get(i));
        }
        List<NodeEntry> nodes = p.nodes;
        Model.GraphBuilder g = p.sequential ? null : Model.graph();
        Model.Builder seq = null;
        if (p.sequential) {
            if (p.inputNames.size() != 1) {
                throw new MalformedDataException(f + ": a sequential model has one input, this header declares " + p.inputNames.size());
            }
            seq = Model.builder(p.inputShapes.get(0));
        } else {
            for (int i = 0; i < p.inputNames.size(); i++) {
                g.input(p.inputNames.get(i), p.inputShapes.get(i));
            }
        }
        long allocated = 0;
        String previous = p.inputNames.get(0);
        for (int i = 0; i < nodes.size(); i++) {
            NodeEntry e = nodes.get(i);
            List<Shape> in = new ArrayList<>();
            for (String s : e.inputs()) {
                Shape sh = shapes.get(s);
                if (sh == null) {
                    throw new MalformedDataException(e.where() + ": input '" + abbreviate(s) + "' is not an input or an earlier node");
                }
                in.add(sh);
            }
            if (p.sequential && (e.inputs().length != 1 || !e.inputs()[0].equals(previous))) {
                throw new MalformedDataException(e.where() + ": a sequential model's node reads the node before it ('" + previous + "')");
            }
            Node node;
            try {
                LayerType type = Registry.layerType(e.type());
                // Values are overwritten from the payload; the generator only fills them first.
                node = type.create(e.config(), BuildContext.of(e.name(), i + 1, in, new SplittableRandom(0)));
                if (!node.name().equals(e.name())) {
                    throw new IllegalArgumentException("its layer type built a node named '" + node.name() + "'");
                }
                for (Parameter par : node.parameters()) {
                    allocated += par.size();
                    expectShape(f, p.tensors, par.name(), par.value());
                }
                for (Node.Buffer b : node.buffers()) {
                    allocated += b.value().size();
                    expectShape(f, p.tensors, b.name(), b.value());
                }
                if (allocated > declaredValues) {
                    throw new IllegalArgumentException("its tensors exceed the " + declaredValues + " values the header declares");
                }
                if (p.sequential) {
                    if (!(node instanceof Layer layer)) {
                        throw new IllegalArgumentException("a sequential model holds single-input layers only");
                    }
                    seq.add(layer);
                } else {
                    g.add(node, e.inputs());
                }
            } catch (IllegalArgumentException | IllegalStateException ex) {
                throw new MalformedDataException(e.where() + ": node " + abbreviate(e.name()) + " (" + abbreviate(e.type()) + "): "
                        + ex.getMessage(), ex);
            } catch (OutOfMemoryError oom) {
                throw new MalformedDataException(e.where() + ": node " + abbreviate(e.name()) + " does not fit in the heap ("
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB)");
            }
            shapes.put(e.name(), node.outputShape());
            previous = e.name();
        }
        try {
            if (p.sequential) {
                if (!p.output.equals(previous)) {
                    throw new IllegalArgumentException("a sequential model's output is its last node, '" + previous + "'");
                }
                return seq.build();
            }
            return g.output(p.output).build();
        } catch (IllegalArgumentException | IllegalStateException ex) {
            throw new MalformedDataException(f + ": " + ex.getMessage(), ex);
        }
    }

    private static void expectShape(String f, Map<String, TensorEntry> tensors, String name, Matrix m) throws MalformedDataException {
        TensorEntry e = tensors.get(name);
        if (e == null) {
            throw new MalformedDataException(f + ": tensor " + abbreviate(name) + " (" + m.shape() + ") is missing");
        }
        if (e.rows() != m.rows() || e.cols() != m.cols()) {
            throw new MalformedDataException(e.where() + ": tensor " + abbreviate(name) + " is " + e.rows() + "×" + e.cols()
                    + ", the model needs " + m.shape());
        }
    }

    private static void read(ByteBuffer buf, int payloadStart, TensorEntry e, Matrix into) {
        buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(payloadStart + (int) e.offset()).asFloatBuffer()
                .get(into.data(), into.offset(), into.size());
    }

    private static void need(String[] t, int n, String where) throws MalformedDataException {
        if (t.length != n) {
            throw new MalformedDataException(where + ": expected " + n + " fields, found " + t.length);
        }
    }

    private static int positive(String[] t, int i, String where) throws MalformedDataException {
        if (t.length <= i) {
            throw new MalformedDataException(where + ": field " + i + " missing");
        }
        int v = Integer.parseInt(t[i]);
        if (v < 1) {
            throw new MalformedDataException(where + ": field " + i + " must be >= 1, got " + v);
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /**
     * Copies a loaded optimizer state into {@code optimizer} (bound to {@code parameters}, the loaded
     * model's). The optimizer must be of the same kind: same name and number of slots.
     *
     * @param loaded the loaded checkpoint
     * @param optimizer the optimizer to restore into
     * @param parameters the loaded model's parameters
     */
    public static void restoreOptimizer(Loaded loaded, Optimizer optimizer, List<Parameter> parameters) {
        String name = optimizer.name().replace(' ', '_');
        if (!name.equals(loaded.optimizer()) || optimizer.stateSlots() != loaded.slots()) {
            throw new IllegalArgumentException("the checkpoint's optimizer is " + loaded.optimizer() + ", this one " + name);
        }
        for (int i = 0; i < parameters.size(); i++) {
            for (int s = 0; s < loaded.slots(); s++) {
                float[] dst = optimizer.state(parameters, i, s);
                float[] src = loaded.optimizerState().get(i)[s];
                System.arraycopy(src, 0, dst, 0, dst.length);
            }
        }
        optimizer.restoreIterations(loaded.iterations());
    }
}
