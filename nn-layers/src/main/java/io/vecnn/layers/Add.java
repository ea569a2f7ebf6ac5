package io.vecnn.layers;

import io.vecnn.api.BuildContext;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.MatrixBuffer;
import io.vecnn.api.Merge;
import io.vecnn.api.Node;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;

import java.util.List;
import java.util.Objects;

/**
 * Element-wise sum of two or more inputs of one shape (a residual connection): y = x₁ + x₂ + …,
 * added in input order. Backward hands ∂L/∂y to every input unchanged. Type name {@value #TYPE};
 * empty configuration.
 */
public final class Add implements Merge {
    /** The type name in checkpoints. */
    public static final String TYPE = "add";

    private final String name;
    private final Shape shape;
    private final int inputs;

    /**
     * An add node of {@code inputs} (≥ 2) inputs of {@code shape}.
     *
     * @param name the node's name
     * @param shape the shape of one sample of every input and of the output
     * @param inputs the number of inputs
     */
    public Add(String name, Shape shape, int inputs) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape");
        if (inputs < 2) {
            throw new IllegalArgumentException(name + ": an add needs >= 2 inputs, got " + inputs);
        }
        this.inputs = inputs;
    }

    /**
     * A spec for an add node over its inputs, which must all have one shape.
     *
     * @return the spec
     */
    public static Node.Spec of() {
        return Add::create;
    }

    static Add create(BuildContext context) {
        String nm = context.name(TYPE);
        List<Shape> in = context.inputShapes();
        for (Shape s : in) {
            if (!s.equals(in.get(0))) {
                throw new ShapeException(nm, "inputs of one shape", "inputs " + in);
            }
        }
        return new Add(nm, in.get(0), in.size());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Shape> inputShapes() {
        return java.util.Collections.nCopies(inputs, shape);
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LayerConfig config() {
        return LayerConfig.empty();
    }

    private static final class AddState extends State {
        final MatrixBuffer out = new MatrixBuffer();
        final MatrixBuffer[] copies;

        AddState(int n) {
            copies = new MatrixBuffer[n];
            for (int i = 0; i < n; i++) {
                copies[i] = new MatrixBuffer();
            }
        }
    }

    @Override
    public State newState() {
        return new AddState(inputs - 1);
    }

    @Override
    public Matrix forward(Matrix[] in, State state) {
        int width = shape.size();
        ShapeException.requireBatch(name, "input 1", in[0], width);
        int rows = in[0].rows();
        for (int k = 1; k < in.length; k++) {
            ShapeException.requireShape(name, "input " + (k + 1), in[k], rows, width);
        }
        AddState s = (AddState) state;
        int n = rows * width;
        Matrix out = s.out.get(rows, width);
        float[] y = out.data();
        System.arraycopy(in[0].data(), in[0].offset(), y, 0, n);
        for (int k = 1; k < in.length; k++) {
            float[] x = in[k].data();
            int o = in[k].offset();
            for (int i = 0; i < n; i++) {
                y[i] += x[o + i];
            }
        }
        return out;
    }

    @Override
    public void backward(Matrix outputGradient, State state, Matrix[] inputGradients) {
        AddState s = (AddState) state;
        int n = outputGradient.size();
        // Each producer may overwrite what it receives, so all but the first get a copy.
        inputGradients[0] = outputGradient;
        for (int k = 1; k < inputs; k++) {
            Matrix copy = s.copies[k - 1].get(outputGradient.rows(), outputGradient.cols());
            System.arraycopy(outputGradient.data(), outputGradient.offset(), copy.data(), 0, n);
            inputGradients[k] = copy;
        }
    }
}
