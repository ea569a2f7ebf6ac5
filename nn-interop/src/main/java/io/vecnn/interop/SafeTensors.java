package io.vecnn.interop;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.Parameter;
import io.vecnn.interop.internal.Version;
import io.vecnn.interop.internal.NodeFormats;
import io.vecnn.interop.internal.SafeTensorsFormat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Reads and writes a model's parameters and buffers in the safetensors format, the one PyTorch
 * ({@code safetensors.torch.save_file}) and Hugging Face use, so that weights move between vecnn
 * and PyTorch in both directions.
 *
 * <h2>Names and shapes</h2>
 * Tensors are named as in vecnn ({@code "dense1.weight"}, {@code "dense1.bias"}) unless a name
 * mapping says otherwise, and have PyTorch's shapes: a dense layer's weight is
 * {@code [out, in]}, exactly the layout of PyTorch's {@code nn.Linear.weight} (and of vecnn's
 * {@code Dense}, row j holding the weights into unit j), so its bytes are the same on both sides;
 * its bias is {@code [out]}. A PyTorch module whose attributes are named like vecnn's layers
 * ({@code self.dense1 = nn.Linear(784, 256)}) has the same state-dict names.
 *
 * <h2>Element types</h2>
 * Files are written as F32. Reading takes F32, and F16 and BF16 widened to float32 (exactly: each
 * of their values is a float32); F64 is refused rather than rounded silently (save it with
 * {@code tensor.float()}), and so are integer and boolean tensors.
 *
 * <h2>Validation</h2>
 * Reading validates the file as the reference implementation does (header length bounded and in
 * the file, strict UTF-8 JSON, known dtypes, overflow-checked sizes, offsets contiguous and
 * covering the data exactly; see {@link MalformedFileException}), then checks every tensor's name
 * and shape against the model before any value is copied: a failed load leaves the model as it was.
 * Writing is atomic: a previous file is replaced whole or left intact.
 */
public final class SafeTensors {
    private SafeTensors() {
    }

    /**
     * A tensor: its shape and row-major float32 values.
     *
     * @param shape  the dimensions (their product is {@code values.length})
     * @param values the values (not copied)
     */
    public record Tensor(long[] shape, float[] values) {
        /** Checks that the shape holds the values. */
        public Tensor {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(values, "values");
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            if (n != values.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                        + values.length);
            }
        }
    }

    /**
     * What a file holds: tensors by name (in file order) and string metadata.
     *
     * @param tensors  by name
     * @param metadata the file's {@code __metadata__}
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** Copies the maps (not the arrays). */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * Every tensor of a file, as float32.
     *
     * @param file the file
     * @return its tensors and metadata
     * @throws MalformedFileException naming the file and the tensor if the file is not valid
     *                                safetensors, or holds a tensor of a type vecnn does not read
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafeTensorsFormat.Header h = SafeTensorsFormat.readHeader(file, ch);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (SafeTensorsFormat.Entry e : h.entries()) {
                tensors.put(e.name(), new Tensor(e.shape().clone(), SafeTensorsFormat.readFloats(h, ch, e)));
            }
            return new Contents(tensors, h.metadata());
        }
    }

    /**
     * Writes tensors and metadata as an F32 safetensors file.
     *
     * @param file the file to write (replaced atomically)
     * @param contents the tensors and metadata
     * @throws IllegalArgumentException if a tensor is named {@code "__metadata__"}
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, Contents contents) throws IOException {
        List<SafeTensorsFormat.Out> out = new ArrayList<>();
        contents.tensors().forEach((name, t) -> out.add(new SafeTensorsFormat.Out(name, t.shape(), t.values(), 0, t.values().length)));
        SafeTensorsFormat.write(file, out, contents.metadata());
    }

    /**
     * Writes every parameter and buffer of {@code model} under its vecnn name, in
     * {@link Model#parameters()} order then buffers, with metadata {@code format: pt} (what
     * PyTorch-side loaders look for) and {@code producer: vecnn VERSION}.
     *
     * @param model the model
     * @param file the file to write (replaced atomically)
     * @throws IOException if the file cannot be written
     */
    public static void save(Model model, Path file) throws IOException {
        save(model, file, UnaryOperator.identity());
    }

    /**
     * As {@link #save(Model, Path)}, naming each tensor {@code fileName.apply(vecnnName)} in the
     * file (e.g. to match a PyTorch module's state-dict names).
     *
     * @param model the model
     * @param file the file to write (replaced atomically)
     * @param fileName the name in the file of each vecnn name
     * @throws IOException if the file cannot be written
     */
    public static void save(Model model, Path file, UnaryOperator<String> fileName) throws IOException {
        List<SafeTensorsFormat.Out> out = new ArrayList<>();
        for (Slot s : slots(model, fileName, file)) {
            Matrix v = s.value;
            out.add(new SafeTensorsFormat.Out(s.fileName, s.dims, v.data(), v.offset(), v.size()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("producer", "vecnn " + Version.version());
        SafeTensorsFormat.write(file, out, meta);
    }

    /**
     * Loads every parameter and buffer of {@code model} from {@code file}, where they are named as
     * in vecnn. The file must hold exactly the model's tensors, each in its shape.
     *
     * @param file the file to read
     * @param model the model whose parameters and buffers are overwritten
     * @throws MalformedFileException   if the file is not valid safetensors
     * @throws IllegalArgumentException naming the file and the tensor if a tensor is missing, extra,
     *                                  of another shape, or non-zero where the parameter's mask is 0
     *                                  (the model is left unchanged)
     */
    public static void load(Path file, Model model) throws IOException {
        load(file, model, UnaryOperator.identity());
    }

    /**
     * As {@link #load(Path, Model)}, reading each of the model's tensors from the file's tensor
     * {@code fileName.apply(vecnnName)}: e.g. {@code n -> n.replace("dense1.", "0.")} for a
     * PyTorch {@code nn.Sequential} whose first module is the first dense layer.
     *
     * @param file the file to read
     * @param model the model whose parameters and buffers are overwritten
     * @param fileName the name in the file of each vecnn name
     * @throws IOException if the file cannot be read
     */
    public static void load(Path file, Model model, UnaryOperator<String> fileName) throws IOException {
        List<Slot> slots = slots(model, fileName, file);
        float[][] values = new float[slots.size()][];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafeTensorsFormat.Header h = SafeTensorsFormat.readHeader(file, ch);
            Map<String, SafeTensorsFormat.Entry> byName = new HashMap<>();
            for (SafeTensorsFormat.Entry e : h.entries()) {
                byName.put(e.name(), e);
            }
            TreeSet<String> extra = new TreeSet<>(byName.keySet());
            for (Slot s : slots) {
                SafeTensorsFormat.Entry e = byName.get(s.fileName);
                String what = s.fileName.equals(s.name) ? "'" + s.name + "'" : "'" + s.fileName + "' (vecnn's " + s.name + ")";
                if (e == null) {
                    throw new IllegalArgumentException(file + " has no tensor " + what + " of node " + s.node.name());
                }
                if (!Arrays.equals(e.shape(), s.dims)) {
                    throw new IllegalArgumentException(file + ": tensor " + what + " has shape " + Arrays.toString(e.shape())
                            + ", the model's is " + Arrays.toString(s.dims) + " (node " + s.node.describe() + ")");
                }
                extra.remove(s.fileName);
            }
            if (!extra.isEmpty()) {
                throw new IllegalArgumentException(file + " holds tensors the model does not have: " + String.join(", ", extra));
            }
            for (int i = 0; i < slots.size(); i++) {
                Slot s = slots.get(i);
                values[i] = SafeTensorsFormat.readFloats(h, ch, byName.get(s.fileName));
                if (s.mask != null) {
                    for (int k = 0; k < s.mask.length; k++) {
                        if (!s.mask[k] && values[i][k] != 0f) {
                            throw new IllegalArgumentException(file + ": tensor '" + s.fileName + "' has " + values[i][k]
                                    + " at element " + k + ", where " + s.name + "'s mask has no connection (it must be 0)");
                        }
                    }
                }
            }
        }
        // Everything is read and checked: only now does the model change.
        for (int i = 0; i < slots.size(); i++) {
            Matrix v = slots.get(i).value;
            System.arraycopy(values[i], 0, v.data(), v.offset(), v.size());
        }
    }

    /** One tensor of the model: its node, vecnn name, name in the file, outside shape, values, mask. */
    private record Slot(Node node, String name, String fileName, long[] dims, Matrix value, boolean[] mask) {
    }

    private static List<Slot> slots(Model model, UnaryOperator<String> fileName, Path file) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(fileName, "fileName");
        List<Slot> slots = new ArrayList<>();
        Map<String, String> taken = new HashMap<>();
        for (Node n : model.nodes()) {
            for (Parameter p : n.parameters()) {
                slots.add(slot(n, p.name(), p.value(), p.mask(), fileName, taken, file));
            }
        }
        for (Node n : model.nodes()) {
            for (Node.Buffer b : n.buffers()) {
                slots.add(slot(n, b.name(), b.value(), null, fileName, taken, file));
            }
        }
        return slots;
    }

    private static Slot slot(Node n, String name, Matrix value, boolean[] mask, UnaryOperator<String> fileName,
                             Map<String, String> taken, Path file) {
        String f = Objects.requireNonNull(fileName.apply(name), () -> "the name mapping gave null for " + name);
        String before = taken.putIfAbsent(f, name);
        if (before != null) {
            throw new IllegalArgumentException(file + ": the name mapping gives both " + before + " and " + name + " the name '" + f + "'");
        }
        return new Slot(n, name, f, NodeFormats.dims(n, name, value), value, mask);
    }
}
