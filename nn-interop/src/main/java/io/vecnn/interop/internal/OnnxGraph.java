package io.vecnn.interop.internal;

import com.google.protobuf.ByteString;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.interop.onnx.proto.OnnxProto.AttributeProto;
import io.vecnn.interop.onnx.proto.OnnxProto.GraphProto;
import io.vecnn.interop.onnx.proto.OnnxProto.ModelProto;
import io.vecnn.interop.onnx.proto.OnnxProto.NodeProto;
import io.vecnn.interop.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.vecnn.interop.onnx.proto.OnnxProto.TensorProto;
import io.vecnn.interop.onnx.proto.OnnxProto.TensorShapeProto;
import io.vecnn.interop.onnx.proto.OnnxProto.TypeProto;
import io.vecnn.interop.onnx.proto.OnnxProto.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the ONNX model of a vecnn {@link Model}: one graph input per model input (a float tensor
 * of shape [batch, sample dims…], NCHW for images), the operators of every node in running order
 * (each node's {@link NodeFormat} emits them through a {@link Scope}), its tensors as initializers
 * under their vecnn names, and the output node's value as the graph output. Every node's output
 * value is named after the node, so a converter only needs its inputs' names and its own.
 */
public final class OnnxGraph {
    /** The default-domain operator set the exporter writes (LayerNormalization needs 17). */
    public static final int OPSET = 17;
    /** The IR version that goes with opset 17 (ONNX 1.12). */
    public static final int IR_VERSION = 8;
    /** The symbolic name of the batch dimension of the graph's inputs and output. */
    public static final String BATCH = "batch";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> constants = new HashMap<>();

    private OnnxGraph() {
    }

    /**
     * The ONNX model of {@code model}.
     *
     * @throws IllegalArgumentException naming the node if a node cannot be exported
     */
    public static ModelProto build(Model model, String producerVersion) {
        OnnxGraph g = new OnnxGraph();
        g.graph.setName("vecnn");
        List<String> inputNames = model.inputNames();
        for (int i = 0; i < inputNames.size(); i++) {
            g.names.add(inputNames.get(i));
            g.graph.addInput(valueInfo(inputNames.get(i), model.inputShapes().get(i)));
        }
        List<Node> nodes = model.nodes();
        for (Node n : nodes) {
            g.names.add(n.name());
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            NodeFormat f = NodeFormats.require(n);
            Scope s = g.new Scope(n, model.inputsOf(i));
            f.toOnnx(n, s);
            if (!s.produced) {
                throw new IllegalStateException("the " + n.type() + " format wrote no operator producing '" + n.name() + "'");
            }
        }
        g.graph.addOutput(valueInfo(model.outputName(), model.outputShape()));
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("vecnn")
                .setProducerVersion(producerVersion)
                .setDocString("Exported by vecnn from a " + (model.sequential() ? "sequential" : "graph") + " model of "
                        + nodes.size() + " nodes. Inputs and output are batch first; images NCHW.")
                .setGraph(g.graph)
                .build();
    }

    private static ValueInfoProto valueInfo(String name, Shape shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (int d : shape.dims()) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s)))
                .build();
    }

    private String claim(String wanted) {
        String name = wanted;
        for (int k = 2; !names.add(name); k++) {
            name = wanted + "_" + k;
        }
        return name;
    }

    private String initializer(String wanted, float[] data, int offset, int count, long[] dims) {
        String name = claim(wanted);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(count, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data, offset, count);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** An integer attribute. */
    public static AttributeProto attribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A float attribute. */
    public static AttributeProto attribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    /** An attribute holding a list of integers (kernel shapes, pads, strides). */
    public static AttributeProto attribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** What a {@link NodeFormat} sees while it converts one node. */
    public final class Scope {
        private final Node node;
        private final List<String> inputs;
        private boolean produced;
        private int operators;

        private Scope(Node node, List<String> inputs) {
            this.node = node;
            this.inputs = List.copyOf(inputs);
        }

        /** The names of the values the node reads, in order (model inputs or earlier nodes' outputs). */
        public List<String> inputs() {
            return inputs;
        }

        /** The name of the value the node must produce: its own name. */
        public String output() {
            return node.name();
        }

        /** The initializer holding parameter {@code p} of the node, in its outside shape. */
        public String tensor(Parameter p) {
            return tensor(p.name(), p.value());
        }

        /** The initializer holding the node's tensor {@code name} (a parameter or a buffer). */
        public String tensor(String name, Matrix value) {
            return initializer(name, value.data(), value.offset(), value.size(), NodeFormats.dims(node, name, value));
        }

        /** A float scalar constant (one initializer per distinct value, shared across nodes). */
        public String scalar(float value) {
            String key = Integer.toHexString(Float.floatToRawIntBits(value));
            return constants.computeIfAbsent(key, k -> initializer("const_" + k, new float[] {value}, 0, 1, new long[0]));
        }

        /** A fresh name for an intermediate value of this node: the node's name and a suffix. */
        public String temporary(String suffix) {
            return claim(node.name() + "." + suffix);
        }

        /** Appends an operator of the default domain. */
        public void op(String type, List<String> in, String out, AttributeProto... attributes) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(node.name() + "/" + type
                    + (operators++ == 0 ? "" : "_" + operators)).addAllInput(in).addOutput(out);
            for (AttributeProto a : attributes) {
                n.addAttribute(a);
            }
            graph.addNode(n);
            if (out.equals(output())) {
                produced = true;
            }
        }

        /** An error naming the node, for what cannot be exported. */
        public IllegalArgumentException refuse(String why) {
            return new IllegalArgumentException("node '" + node.name() + "' (" + node.type() + ") cannot be exported to ONNX: " + why);
        }
    }
}
