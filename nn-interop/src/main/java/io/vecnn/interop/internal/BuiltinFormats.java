package io.vecnn.interop.internal;

import io.vecnn.api.Matrix;
import io.vecnn.api.Node;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Add;
import io.vecnn.layers.Concat;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Embedding;
import io.vecnn.layers.Flatten;
import io.vecnn.layers.LayerNorm;

import java.util.ArrayList;
import java.util.List;

/**
 * The formats of the built-in nodes of {@code io.vecnn.layers}. Samples are batch first and, for
 * images, NCHW, in vecnn and in ONNX alike, so no node needs a transposition.
 */
final class BuiltinFormats {
    private BuiltinFormats() {
    }

    /**
     * z = x·Wᵀ + b is ONNX's Gemm with transB = 1: vecnn's W is out × in, the layout of ONNX's B
     * transposed and of PyTorch's {@code nn.Linear.weight}, so the values are written unchanged.
     * The bias is {@code [out]}, as in PyTorch.
     */
    static final NodeFormat DENSE = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return Dense.class;
        }

        @Override
        public long[] dims(Node node, String tensor, Matrix value) {
            Dense d = (Dense) node;
            if (d.bias() != null && tensor.equals(d.bias().name())) {
                return new long[] {value.size()};
            }
            return new long[] {value.rows(), value.cols()};
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            Dense d = (Dense) node;
            ActivationOps.requireExportable(d.activation(), onnx);   // before writing anything for this node
            boolean identity = d.activation().equals(Activations.identity());
            List<String> in = new ArrayList<>(List.of(onnx.inputs().get(0), onnx.tensor(d.weight())));
            if (d.bias() != null) {
                in.add(onnx.tensor(d.bias()));
            }
            String z = identity ? onnx.output() : onnx.temporary("z");
            onnx.op("Gemm", in, z, OnnxGraph.attribute("transB", 1L));
            if (!identity) {
                ActivationOps.emit(d.activation(), z, onnx.output(), onnx);
            }
        }
    };

    /** Inverted dropout is the identity at inference (it scales while training, not after). */
    static final NodeFormat DROPOUT = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return Dropout.class;
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            onnx.op("Identity", onnx.inputs(), onnx.output());
        }
    };

    /** [batch, C, H, W] → [batch, C·H·W], row-major like vecnn's samples. */
    static final NodeFormat FLATTEN = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return Flatten.class;
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            onnx.op("Flatten", onnx.inputs(), onnx.output(), OnnxGraph.attribute("axis", 1L));
        }
    };

    /** x₁ + x₂ + …, added in input order as vecnn does. */
    static final NodeFormat ADD = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return Add.class;
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            List<String> in = onnx.inputs();
            String sum = in.get(0);
            for (int k = 1; k < in.size(); k++) {
                String next = k == in.size() - 1 ? onnx.output() : onnx.temporary("sum" + k);
                onnx.op("Add", List.of(sum, in.get(k)), next);
                sum = next;
            }
        }
    };

    /** Along the first sample dimension (features, or channels of NCHW images): ONNX axis 1. */
    static final NodeFormat CONCAT = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return Concat.class;
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            onnx.op("Concat", onnx.inputs(), onnx.output(), OnnxGraph.attribute("axis", 1L));
        }
    };

    /**
     * ONNX's LayerNormalization (opset 17) over the last axis with the layer's ε; γ and β are
     * {@code [D]}, PyTorch's {@code nn.LayerNorm} weight and bias.
     */
    static final NodeFormat LAYER_NORM = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return LayerNorm.class;
        }

        @Override
        public long[] dims(Node node, String tensor, Matrix value) {
            return new long[] {value.size()};
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            LayerNorm ln = (LayerNorm) node;
            onnx.op("LayerNormalization", List.of(onnx.inputs().get(0), onnx.tensor(ln.weight()), onnx.tensor(ln.bias())),
                    onnx.output(), OnnxGraph.attribute("axis", -1L), OnnxGraph.attribute("epsilon", ln.eps()));
        }
    };

    /**
     * The ids arrive as floats (vecnn's inputs are float tensors): Cast to int64, then Gather along
     * axis 0 of the {@code [V, D]} table (PyTorch's {@code nn.Embedding.weight}): [batch, T] →
     * [batch, T, D]. An id out of range is an error in onnxruntime as in vecnn.
     */
    static final NodeFormat EMBEDDING = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return Embedding.class;
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            Embedding e = (Embedding) node;
            String ids = onnx.temporary("ids");
            onnx.op("Cast", List.of(onnx.inputs().get(0)), ids, OnnxGraph.attribute("to", 7L)); // TensorProto.INT64
            onnx.op("Gather", List.of(onnx.tensor(e.weight()), ids), onnx.output(), OnnxGraph.attribute("axis", 0L));
        }
    };
}
