package io.vecnn.interop.internal;

import io.vecnn.api.Matrix;
import io.vecnn.api.Node;

/**
 * How the nodes of one type leave vecnn: the shapes their tensors have outside (in ONNX
 * initializers and safetensors files, the shapes PyTorch uses) and the ONNX operators that compute
 * them. One entry per node type in {@link NodeFormats}; a new layer type (convolution, pooling,
 * normalization) becomes exportable by adding its entry there.
 */
public interface NodeFormat {
    /**
     * The class this entry knows. A node of the same type name but another class (another project's
     * layer that claims the name) is refused rather than exported from a guess.
     */
    Class<? extends Node> nodeClass();

    /**
     * The shape of {@code node}'s parameter or buffer {@code tensor} outside vecnn. vecnn keeps every
     * tensor as a row-major matrix; the default is that matrix's rows × cols. Entries override it
     * where PyTorch and ONNX see more or fewer dimensions (a bias of 1 × n is {@code [n]}; a
     * convolution's Cout × (Cin·kh·kw) weight matrix would be {@code [Cout, Cin, kh, kw]}). The
     * product of the dimensions is always {@code value.size()}: the values are the same bytes.
     */
    default long[] dims(Node node, String tensor, Matrix value) {
        return new long[] {value.rows(), value.cols()};
    }

    /**
     * Emits the ONNX operators that compute the node from {@link OnnxGraph.Scope#inputs()} into
     * {@link OnnxGraph.Scope#output()} at inference.
     *
     * @throws IllegalArgumentException from {@link OnnxGraph.Scope#refuse} if this node cannot be
     *                                  expressed (a user-defined activation)
     */
    void toOnnx(Node node, OnnxGraph.Scope onnx);
}
