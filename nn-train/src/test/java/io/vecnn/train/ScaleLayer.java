package io.vecnn.train;

import io.vecnn.api.BuildContext;
import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.LayerType;
import io.vecnn.api.Matrix;
import io.vecnn.api.MatrixBuffer;
import io.vecnn.api.Mode;
import io.vecnn.api.Node;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;

import java.util.List;

/**
 * A layer from "another project": y = x ⊙ s with a learned scale per feature, and an offset given
 * by its configuration. It knows nothing of vecnn's internals: only the public API.
 */
public final class ScaleLayer implements Layer {
    private final String name;
    private final String type;
    private final Shape shape;
    private final float offset;
    private final Parameter scale;
    private final Node.Buffer calls;

    ScaleLayer(String name, String type, Shape shape, float offset) {
        this.name = name;
        this.type = type;
        this.shape = shape;
        this.offset = offset;
        Matrix s = Matrix.zeros(1, shape.size());
        s.fill(1f);
        this.scale = new Parameter(name + ".scale", s);
        this.calls = new Node.Buffer(name + ".stat", Matrix.zeros(1, 1));
    }

    static Layer.Spec of(String type, float offset) {
        return c -> new ScaleLayer(c.name("scale"), type, c.inputShape("scale"), offset);
    }

    /** Its layer type, registered under {@code type}. */
    static final class Type implements LayerType {
        private final String type;

        Type(String type) {
            this.type = type;
        }

        @Override
        public String name() {
            return type;
        }

        @Override
        public Node create(LayerConfig config, BuildContext context) {
            String n = context.name("scale");
            return new ScaleLayer(n, type, context.inputShape(n), config.getFloat("offset"));
        }
    }

    /** The same, found through ServiceLoader from a META-INF/services file. */
    public static final class ServiceType implements LayerType {
        /** For ServiceLoader. */
        public ServiceType() {
        }

        @Override
        public String name() {
            return "test.service-scale";
        }

        @Override
        public Node create(LayerConfig config, BuildContext context) {
            String n = context.name("scale");
            return new ScaleLayer(n, name(), context.inputShape(n), config.getFloat("offset"));
        }
    }

    Parameter scale() {
        return scale;
    }

    Node.Buffer stat() {
        return calls;
    }

    @Override public String name() { return name; }
    @Override public Shape inputShape() { return shape; }
    @Override public Shape outputShape() { return shape; }
    @Override public List<Parameter> parameters() { return List.of(scale); }
    @Override public List<Node.Buffer> buffers() { return List.of(calls); }
    @Override public String type() { return type; }
    @Override public LayerConfig config() { return LayerConfig.builder().put("offset", offset).build(); }

    private static final class S extends State {
        final MatrixBuffer out = new MatrixBuffer();
        final MatrixBuffer gin = new MatrixBuffer();
        Matrix input;
    }

    @Override
    public State newState() {
        return new S();
    }

    @Override
    public Matrix forward(Matrix input, State state) {
        ShapeException.requireBatch(name, "input", input, shape.size());
        S st = (S) state;
        int n = shape.size();
        Matrix out = st.out.get(input.rows(), n);
        for (int r = 0; r < input.rows(); r++) {
            for (int j = 0; j < n; j++) {
                out.set(r, j, input.get(r, j) * scale.value().get(0, j) + offset);
            }
        }
        if (st.mode() == Mode.TRAINING) {
            calls.value().set(0, 0, calls.value().get(0, 0) + 1);   // non-trainable state, saved with the model
        }
        st.input = input;
        return out;
    }

    @Override
    public Matrix backward(Matrix g, State state, boolean needInputGradient) {
        S st = (S) state;
        int n = shape.size();
        Matrix gs = st.gradient(0);
        Matrix gin = st.gin.get(g.rows(), n);
        for (int r = 0; r < g.rows(); r++) {
            for (int j = 0; j < n; j++) {
                gs.set(0, j, gs.get(0, j) + g.get(r, j) * st.input.get(r, j));
                gin.set(r, j, g.get(r, j) * scale.value().get(0, j));
            }
        }
        return needInputGradient ? gin : null;
    }
}
