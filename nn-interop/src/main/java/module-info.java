/**
 * Models that leave the JVM: {@link io.vecnn.interop.OnnxExport} writes a model of built-in nodes as
 * an ONNX file, {@link io.vecnn.interop.SafeTensors} reads and writes a model's parameters and
 * buffers in the safetensors format (the one PyTorch and Hugging Face use).
 *
 * <p>ONNX's messages are generated from its {@code onnx.proto} into a package this module does not
 * export; the command-line part ({@code io.vecnn.interop.cli}) needs picocli, an optional dependency.
 */
module io.vecnn.interop {
    requires transitive io.vecnn.layers;
    requires com.google.protobuf;
    requires com.google.gson;
    requires static info.picocli;

    exports io.vecnn.interop;
    exports io.vecnn.interop.cli;

    opens io.vecnn.interop.cli to info.picocli;
    // Protobuf's reflection (text format, field accessors) reads the generated classes.
    opens io.vecnn.interop.onnx.proto to com.google.protobuf;
}
