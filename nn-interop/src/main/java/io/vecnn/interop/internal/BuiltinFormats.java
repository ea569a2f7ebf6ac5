package io.vecnn.interop.internal;

import io.vecnn.api.Matrix;
import io.vecnn.api.Node;
import io.vecnn.interop.onnx.proto.OnnxProto.AttributeProto;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Add;
import io.vecnn.layers.BatchNorm;
import io.vecnn.layers.Conv2D;
import io.vecnn.layers.Pool2D;
import io.vecnn.kernels.ConvGeometry;
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

    /**
     * ONNX's Conv: vecnn's weight {@code filters × C·k·k} is PyTorch's {@code [O, C, k, k]} row-major, so
     * the values are written unchanged with those dims; the bias is {@code [O]}. A fused activation follows.
     */
    static final NodeFormat CONV2D = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return Conv2D.class;
        }

        @Override
        public long[] dims(Node node, String tensor, Matrix value) {
            Conv2D c = (Conv2D) node;
            if (c.bias() != null && tensor.equals(c.bias().name())) {
                return new long[] {value.size()};
            }
            ConvGeometry g = c.geometry();
            return new long[] {c.filters(), g.channels(), g.kernelH(), g.kernelW()};
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            Conv2D c = (Conv2D) node;
            ActivationOps.requireExportable(c.activation(), onnx);
            ConvGeometry g = c.geometry();
            boolean identity = c.activation().equals(Activations.identity());
            List<String> in = new ArrayList<>(List.of(onnx.inputs().get(0), onnx.tensor(c.weight())));
            if (c.bias() != null) {
                in.add(onnx.tensor(c.bias()));
            }
            String z = identity ? onnx.output() : onnx.temporary("z");
            onnx.op("Conv", in, z, OnnxGraph.attribute("kernel_shape", (long) g.kernelH(), g.kernelW()),
                    OnnxGraph.attribute("strides", (long) g.strideH(), g.strideW()),
                    OnnxGraph.attribute("pads", (long) g.padH(), g.padW(), g.padH(), g.padW()));
            if (!identity) {
                ActivationOps.emit(c.activation(), z, onnx.output(), onnx);
            }
        }
    };

    private static NodeFormat pool(String onnxOp) {
        return new NodeFormat() {
            @Override
            public Class<? extends Node> nodeClass() {
                return Pool2D.class;
            }

            @Override
            public void toOnnx(Node node, OnnxGraph.Scope onnx) {
                ConvGeometry g = ((Pool2D) node).geometry();
                if (onnxOp.equals("GlobalAveragePool")) {
                    onnx.op(onnxOp, onnx.inputs(), onnx.output());
                    return;
                }
                AttributeProto[] common = {OnnxGraph.attribute("kernel_shape", (long) g.kernelH(), g.kernelW()),
                        OnnxGraph.attribute("strides", (long) g.strideH(), g.strideW()),
                        OnnxGraph.attribute("pads", (long) g.padH(), g.padW(), g.padH(), g.padW())};
                if (onnxOp.equals("AveragePool")) {
                    // vecnn divides by kh·kw whatever the padding: PyTorch's count_include_pad=True.
                    onnx.op(onnxOp, onnx.inputs(), onnx.output(), common[0], common[1], common[2],
                            OnnxGraph.attribute("count_include_pad", 1L));
                } else {
                    onnx.op(onnxOp, onnx.inputs(), onnx.output(), common);
                }
            }
        };
    }

    /** ONNX's MaxPool (floor mode, padding never wins, as vecnn's). */
    static final NodeFormat MAX_POOL = pool("MaxPool");
    /** ONNX's AveragePool with count_include_pad = 1. */
    static final NodeFormat AVG_POOL = pool("AveragePool");
    /** ONNX's GlobalAveragePool: [batch, C, H, W] → [batch, C, 1, 1]. */
    static final NodeFormat GLOBAL_AVG_POOL = pool("GlobalAveragePool");

    /**
     * ONNX's BatchNormalization in inference form (the running statistics as input_mean and input_var,
     * PyTorch's {@code running_mean}/{@code running_var}; ONNX's momentum is 1 − PyTorch's), on
     * [batch, C] or [batch, C, H, W]; γ, β and the statistics are {@code [C]}. A fused activation follows.
     */
    static final NodeFormat BATCH_NORM = new NodeFormat() {
        @Override
        public Class<? extends Node> nodeClass() {
            return BatchNorm.class;
        }

        @Override
        public long[] dims(Node node, String tensor, Matrix value) {
            return new long[] {value.size()};
        }

        @Override
        public void toOnnx(Node node, OnnxGraph.Scope onnx) {
            BatchNorm b = (BatchNorm) node;
            ActivationOps.requireExportable(b.activation(), onnx);
            boolean identity = b.activation().equals(Activations.identity());
            String z = identity ? onnx.output() : onnx.temporary("z");
            onnx.op("BatchNormalization", List.of(onnx.inputs().get(0), onnx.tensor(b.weight()), onnx.tensor(b.bias()),
                            onnx.tensor(b.name() + ".running_mean", b.runningMean()),
                            onnx.tensor(b.name() + ".running_var", b.runningVar())), z,
                    OnnxGraph.attribute("epsilon", b.eps()), OnnxGraph.attribute("momentum", 1 - b.momentum()));
            if (!identity) {
                ActivationOps.emit(b.activation(), z, onnx.output(), onnx);
            }
        }
    };
}
