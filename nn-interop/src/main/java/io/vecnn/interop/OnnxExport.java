package io.vecnn.interop;

import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.internal.AtomicWrite;
import io.vecnn.interop.internal.Version;
import io.vecnn.interop.internal.OnnxGraph;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a {@link Model} as an ONNX file that onnxruntime (and any ONNX runtime) runs for
 * inference, computing what {@link Model#predict} computes.
 *
 * <p>The file uses the default operator set, version {@value #OPSET}. Its graph has one float
 * input per model input, named as in {@link Model#inputNames()}, of shape
 * {@code [batch, sample dims…]} (images NCHW, as in vecnn), and one output named after the
 * model's output node; the batch dimension is symbolic ({@code "batch"}). Parameters become
 * initializers under their vecnn names ({@code "dense1.weight"}), in PyTorch's shapes (a dense
 * layer's weight is {@code [out, in]}, its bias {@code [out]}).
 *
 * <p>Exportable nodes: dense layers with any built-in activation (identity, sigmoid, tanh, ReLU,
 * leaky ReLU, ELU, GELU in its tanh form and in its exact form (through Erf), softplus, SiLU, softmax), dropout (the identity at
 * inference), flatten, add and concatenation, in sequential and graph models. A model with any
 * other node (another project's layer type) or a user-defined activation is refused with an
 * {@link IllegalArgumentException} naming the node, before anything is written.
 */
public final class OnnxExport {
    /** The ONNX operator set version of the files written. */
    public static final int OPSET = OnnxGraph.OPSET;
    // A protobuf message (and so an ONNX file without external data) holds less than 2 GiB.
    private static final long MAX_TENSOR_BYTES = 2_000_000_000L;

    private OnnxExport() {
    }

    /**
     * Writes {@code model} to {@code file} (atomically: a previous file there is replaced whole or
     * left intact).
     *
     * @param model the model
     * @param file the file to write
     * @throws IllegalArgumentException naming the node if the model cannot be exported (nothing is
     *                                  written)
     * @throws IOException              if the file cannot be written
     */
    public static void write(Model model, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] bytes = toBytes(model);
        AtomicWrite.write(file, ByteBuffer.wrap(bytes));
    }

    /**
     * The ONNX file of {@code model}, in memory.
     *
     * @param model the model
     * @return the serialized ONNX model
     * @throws IllegalArgumentException naming the node if the model cannot be exported
     */
    public static byte[] toBytes(Model model) {
        Objects.requireNonNull(model, "model");
        long bytes = 0;
        for (Node n : model.nodes()) {
            for (var p : n.parameters()) {
                bytes += 4L * p.size();
            }
            for (var b : n.buffers()) {
                bytes += 4L * b.value().size();
            }
        }
        if (bytes > MAX_TENSOR_BYTES) {
            throw new IllegalArgumentException("the model's tensors take " + bytes + " bytes; an ONNX file without "
                    + "external data holds at most 2 GB, which this exporter does not exceed");
        }
        return OnnxGraph.build(model, Version.version()).toByteArray();
    }
}
