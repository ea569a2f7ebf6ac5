package io.vecnn.train;

import io.vecnn.api.Activation;
import io.vecnn.api.Layer;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.train.internal.AtomicWrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The checkpoint file format (version 1), little-endian:
 *
 * <pre>
 * offset  size  content
 * 0       8     magic "VECNNCKP"
 * 8       4     format version (1)
 * 12      4     header length H
 * 16      H     header: UTF-8 lines "key value…" (architecture, tensors, optimizer, training state)
 * 16+H    P     payload: the tensors' float32 values, at the offsets the header gives
 * end−4   4     CRC-32C of every byte before it
 * </pre>
 *
 * The header describes the model (input width; per layer: dense units, activation, bias; dropout
 * rate and seed), each tensor (name, rows, cols, payload offset), the optimizer (name, iterations,
 * state slots), the training state (seed, epochs done, step, early-stopping state) and the history.
 *
 * <p>Saving writes a temporary file in the target's directory, forces it to disk and renames it over
 * the target atomically, so a crash mid-save leaves the previous checkpoint intact. Loading reads the
 * file (bounded by its length), checks magic, version, header length, checksum, then every tensor's
 * bounds (no overflow, inside the payload, no overlap, the whole payload covered) and every shape
 * against the architecture, before allocating any tensor.
 */
public final class Checkpoint {
    /** The current format version. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "VECNNCKP".getBytes(StandardCharsets.US_ASCII);
    private static final int PREFIX = 16;

    private Checkpoint() {
    }

    /** What a checkpoint holds. */
    public record Loaded(Model model, String optimizer, long iterations, int slots, List<float[][]> optimizerState,
                         Trainer.State state) {
    }

    /**
     * Throws a clear exception if a checkpoint cannot be written at {@code file}: its directory missing,
     * not a directory or not writable. Called before training starts.
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
     * Saves atomically. Fails without touching an existing checkpoint if the model has layers this
     * format cannot describe (user-defined layers or activations, masks) or the directory is missing
     * or not writable.
     */
    public static void save(Path file, Model model, Optimizer optimizer, Trainer.State state) throws IOException {
        try {
            checkWritable(file);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        StringBuilder h = new StringBuilder();
        h.append("input ").append(model.inputSize()).append('\n');
        for (Layer l : model.layers()) {
            h.append(describe(l)).append('\n');
        }
        List<float[]> arrays = new ArrayList<>();
        long offset = 0;
        List<Parameter> ps = model.parameters();
        for (Parameter p : ps) {
            h.append("tensor ").append(p.name()).append(' ').append(p.value().rows()).append(' ').append(p.value().cols())
                    .append(' ').append(offset).append('\n');
            arrays.add(p.value().data());
            offset += 4L * p.size();
        }
        int slots = optimizer.stateSlots();
        h.append("optimizer ").append(optimizer.name().replace(' ', '_')).append(' ').append(optimizer.iterations()).append(' ')
                .append(slots).append('\n');
        for (int i = 0; i < ps.size(); i++) {
            for (int s = 0; s < slots; s++) {
                Parameter p = ps.get(i);
                h.append("tensor opt.").append(s).append('.').append(p.name()).append(' ').append(p.value().rows()).append(' ')
                        .append(p.value().cols()).append(' ').append(offset).append('\n');
                arrays.add(optimizer.state(ps, i, s));
                offset += 4L * p.size();
            }
        }
        h.append("state ").append(state.seed()).append(' ').append(state.epochsDone()).append(' ').append(state.step()).append(' ')
                .append(Double.doubleToRawLongBits(state.best())).append(' ').append(state.badEpochs()).append('\n');
        for (EpochMetrics m : state.history()) {
            h.append("epoch ").append(m.epoch());
            for (double v : new double[] {m.trainLoss(), m.trainAccuracy(), m.validationLoss(), m.validationAccuracy(),
                    m.learningRate(), m.seconds(), m.samplesPerSecond()}) {
                h.append(' ').append(Double.doubleToRawLongBits(v));
            }
            h.append('\n');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        long total = PREFIX + header.length + offset + 4;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IOException("checkpoint of " + total + " bytes exceeds the 2 GiB this format supports");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putInt(header.length).put(header);
        for (float[] a : arrays) {
            buf.asFloatBuffer().put(a);
            buf.position(buf.position() + 4 * a.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());

        AtomicWrite.write(file, buf.flip());
    }

    private static String describe(Layer l) {
        for (Parameter p : l.parameters()) {
            if (p.name().chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("cannot checkpoint parameter '" + p.name() + "': names may not contain spaces");
            }
        }
        if (l instanceof Dense d) {
            if (d.weight().hasMask()) {
                throw new IllegalArgumentException("cannot checkpoint layer " + l.name() + ": masked weights are not in format "
                        + VERSION);
            }
            String act = d.activation().name();
            Activation check;
            try {
                check = Activations.named(act);
            } catch (IllegalArgumentException e) {
                check = null;
            }
            if (check == null || !check.name().equals(act)) {
                throw new IllegalArgumentException("cannot checkpoint layer " + l.name() + ": activation '" + act
                        + "' is not built in, so a loader could not rebuild it");
            }
            return "dense " + l.name() + ' ' + d.outputSize() + ' ' + act + ' ' + (d.bias() != null);
        }
        if (l instanceof Dropout dr) {
            return "dropout " + l.name() + ' ' + dr.rate() + ' ' + dr.seed();
        }
        throw new IllegalArgumentException("cannot checkpoint layer " + l.name() + " (" + l.getClass().getName()
                + "): only dense and dropout layers are in format " + VERSION);
    }

    /** Loads and validates a checkpoint; see the class documentation for what is checked. */
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
        if (version < VERSION) {
            throw new MalformedDataException(f + ": format version " + version + " is older than any this vecnn reads ("
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
        String header = new String(bytes, PREFIX, (int) headerLen, StandardCharsets.UTF_8);
        return parse(f, header, buf, payloadStart, payload);
    }

    private record TensorEntry(String name, int rows, int cols, long offset) {
    }

    private static Loaded parse(String f, String header, ByteBuffer buf, int payloadStart, long payload) throws IOException {
        int input = -1;
        List<String[]> layers = new ArrayList<>();
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        String optName = null;
        long iterations = 0;
        int slots = -1;
        long[] st = null;
        List<EpochMetrics> history = new ArrayList<>();
        String[] lines = header.split("\n");
        for (int ln = 0; ln < lines.length; ln++) {
            String[] t = lines[ln].split(" ");
            String where = f + ": header line " + (ln + 1) + " ('" + abbreviate(lines[ln]) + "')";
            try {
                switch (t[0]) {
                    case "input" -> {
                        need(t, 2, where);
                        input = positive(t, 1, where);
                    }
                    case "dense" -> {
                        need(t, 5, where);
                        positive(t, 2, where);
                        if (!t[4].equals("true") && !t[4].equals("false")) {
                            throw new MalformedDataException(where + ": bias flag must be true or false");
                        }
                        layers.add(t);
                    }
                    case "dropout" -> {
                        need(t, 4, where);
                        layers.add(t);
                    }
                    case "tensor" -> {
                        need(t, 5, where);
                        int r = positive(t, 2, where);
                        int c = positive(t, 3, where);
                        long off = Long.parseLong(t[4]);
                        if (off < 0 || (long) r * c > Integer.MAX_VALUE - 8 || off > payload || 4L * r * c > payload - off) {
                            throw new MalformedDataException(where + ": tensor " + t[1] + " of " + r + "×" + c + " at offset " + off
                                    + " does not fit the " + payload + "-byte payload");
                        }
                        if (tensors.put(t[1], new TensorEntry(t[1], r, c, off)) != null) {
                            throw new MalformedDataException(where + ": tensor " + t[1] + " appears twice");
                        }
                    }
                    case "optimizer" -> {
                        need(t, 4, where);
                        optName = t[1];
                        iterations = Long.parseLong(t[2]);
                        slots = Integer.parseInt(t[3]);
                        if (iterations < 0 || slots < 0 || slots > 4) {
                            throw new MalformedDataException(where + ": bad optimizer iterations or slots");
                        }
                    }
                    case "state" -> {
                        need(t, 6, where);
                        st = new long[5];
                        for (int i = 0; i < 5; i++) {
                            st[i] = Long.parseLong(t[i + 1]);
                        }
                        if (st[1] < 0 || st[1] > Integer.MAX_VALUE || st[2] < 0 || st[4] < 0 || st[4] > Integer.MAX_VALUE) {
                            throw new MalformedDataException(where + ": negative or oversized training state");
                        }
                    }
                    case "epoch" -> {
                        need(t, 9, where);
                        double[] v = new double[7];
                        for (int i = 0; i < 7; i++) {
                            v[i] = Double.longBitsToDouble(Long.parseLong(t[i + 2]));
                        }
                        history.add(new EpochMetrics(Integer.parseInt(t[1]), v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
                    }
                    default -> throw new MalformedDataException(where + ": unknown record '" + abbreviate(t[0]) + "'");
                }
            } catch (NumberFormatException e) {
                throw new MalformedDataException(where + ": not a number: " + e.getMessage());
            }
        }
        if (input < 1 || layers.isEmpty() || optName == null || st == null) {
            throw new MalformedDataException(f + ": the header lacks " + (input < 1 ? "the input width"
                    : layers.isEmpty() ? "layers" : optName == null ? "the optimizer" : "the training state"));
        }
        // Tensors: disjoint and covering the payload exactly.
        List<TensorEntry> sorted = new ArrayList<>(tensors.values());
        sorted.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        long expect = 0;
        for (TensorEntry e : sorted) {
            if (e.offset() != expect) {
                throw new MalformedDataException(f + ": tensor " + e.name() + " starts at payload offset " + e.offset() + ", expected "
                        + expect + (e.offset() < expect ? " (it overlaps the previous tensor)" : " (a gap)"));
            }
            expect += 4L * e.rows() * e.cols();
        }
        if (expect != payload) {
            throw new MalformedDataException(f + ": the tensors cover " + expect + " bytes of a " + payload + "-byte payload");
        }
        // Shapes against the architecture, before any tensor is allocated.
        int width = input;
        List<String> paramNames = new ArrayList<>();
        for (String[] l : layers) {
            if (l[0].equals("dense")) {
                int units = Integer.parseInt(l[2]);
                expectShape(f, tensors, l[1] + ".weight", units, width);
                paramNames.add(l[1] + ".weight");
                if (Boolean.parseBoolean(l[4])) {
                    expectShape(f, tensors, l[1] + ".bias", 1, units);
                    paramNames.add(l[1] + ".bias");
                }
                width = units;
            }
        }
        for (String p : paramNames) {
            for (int s = 0; s < slots; s++) {
                TensorEntry w = tensors.get(p);
                expectShape(f, tensors, "opt." + s + "." + p, w.rows(), w.cols());
            }
        }
        int expectedTensors = paramNames.size() * (1 + slots);
        if (tensors.size() != expectedTensors) {
            throw new MalformedDataException(f + ": " + tensors.size() + " tensors for an architecture with " + expectedTensors);
        }
        // Valid: build.
        Model.Builder mb = Model.builder(input);
        width = input;
        for (String[] l : layers) {
            if (l[0].equals("dense")) {
                TensorEntry w = tensors.get(l[1] + ".weight");
                TensorEntry b = tensors.get(l[1] + ".bias");
                Activation act;
                try {
                    act = Activations.named(l[3]);
                } catch (IllegalArgumentException e) {
                    throw new MalformedDataException(f + ": layer " + l[1] + ": " + e.getMessage());
                }
                boolean hasBias = Boolean.parseBoolean(l[4]);
                mb.add(Dense.withWeights(l[1], Matrix.wrap(w.rows(), w.cols(), read(buf, payloadStart, w)),
                        hasBias ? read(buf, payloadStart, b) : null, act));
                width = w.rows();
            } else {
                float rate;
                long seed;
                try {
                    rate = Float.parseFloat(l[2]);
                    seed = Long.parseLong(l[3]);
                    mb.add(new Dropout(l[1], width, rate, seed));
                } catch (IllegalArgumentException e) {
                    throw new MalformedDataException(f + ": layer " + l[1] + ": " + e.getMessage());
                }
            }
        }
        Model model = mb.build();
        List<float[][]> opt = new ArrayList<>();
        for (String p : paramNames) {
            float[][] s = new float[slots][];
            for (int k = 0; k < slots; k++) {
                s[k] = read(buf, payloadStart, tensors.get("opt." + k + "." + p));
            }
            opt.add(s);
        }
        Trainer.State state = new Trainer.State(st[0], (int) st[1], st[2], Double.longBitsToDouble(st[3]), (int) st[4], history);
        return new Loaded(model, optName, iterations, slots, opt, state);
    }

    private static void expectShape(String f, Map<String, TensorEntry> tensors, String name, int rows, int cols)
            throws MalformedDataException {
        TensorEntry e = tensors.get(name);
        if (e == null) {
            throw new MalformedDataException(f + ": tensor " + name + " (" + rows + "×" + cols + ") is missing");
        }
        if (e.rows() != rows || e.cols() != cols) {
            throw new MalformedDataException(f + ": tensor " + name + " is " + e.rows() + "×" + e.cols() + ", the architecture needs "
                    + rows + "×" + cols);
        }
    }

    private static float[] read(ByteBuffer buf, int payloadStart, TensorEntry e) {
        float[] a = new float[e.rows() * e.cols()];
        buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(payloadStart + (int) e.offset()).asFloatBuffer().get(a);
        return a;
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
