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
 * Concatenation along the first sample dimension: features of vectors, channels of images (the
 * other dimensions must agree). With row-major samples (NCHW) that is each sample's values of input
 * 1, then of input 2, and so on. Backward hands each input its slice of ∂L/∂y. Type name
 * {@value #TYPE}; empty configuration.
 */
public final class Concat implements Merge {
    /** The type name in checkpoints. */
    public static final String TYPE = "concat";

    private final String name;
    private final List<Shape> inputs;
    private final Shape output;

    /**
     * A concatenation of inputs of these shapes.
     *
     * @param name the node's name
     * @param inputs the shape of one sample of each input, in order
     */
    public Concat(String name, List<Shape> inputs) {
        this.name = Objects.requireNonNull(name, "name");
        this.inputs = List.copyOf(inputs);
        if (inputs.size() < 2) {
            throw new IllegalArgumentException(name + ": a concatenation needs >= 2 inputs, got " + inputs.size());
        }
        Shape first = inputs.get(0);
        int[] d = first.dims();
        d[0] = 0;
        for (Shape s : inputs) {
            boolean ok = s.rank() == first.rank();
            for (int i = 1; ok && i < s.rank(); i++) {
                ok = s.dim(i) == first.dim(i);
            }
            if (!ok) {
                throw new ShapeException(name, "inputs equal in every dimension but the first", "inputs " + inputs);
            }
            d[0] += s.dim(0);
        }
        this.output = Shape.of(d);
    }

    /**
     * A spec for a concatenation of its inputs.
     *
     * @return the spec
     */
    public static Node.Spec of() {
        return Concat::create;
    }

    static Concat create(BuildContext context) {
        return new Concat(context.name(TYPE), context.inputShapes());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Shape> inputShapes() {
        return inputs;
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LayerConfig config() {
        return LayerConfig.empty();
    }

    private static final class ConcatState extends State {
        final MatrixBuffer out = new MatrixBuffer();
        final MatrixBuffer[] grads;

        ConcatState(int n) {
            grads = new MatrixBuffer[n];
            for (int i = 0; i < n; i++) {
                grads[i] = new MatrixBuffer();
            }
        }
    }

    @Override
    public State newState() {
        return new ConcatState(inputs.size());
    }

    @Override
    public Matrix forward(Matrix[] in, State state) {
        ShapeException.requireBatch(name, "input 1", in[0], inputs.get(0).size());
        int rows = in[0].rows();
        for (int k = 1; k < in.length; k++) {
            ShapeException.requireShape(name, "input " + (k + 1), in[k], rows, inputs.get(k).size());
        }
        ConcatState s = (ConcatState) state;
        int width = output.size();
        Matrix out = s.out.get(rows, width);
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            for (int k = 0; k < in.length; k++) {
                int w = in[k].cols();
                System.arraycopy(in[k].data(), in[k].offset() + r * w, out.data(), at, w);
                at += w;
            }
        }
        return out;
    }

    @Override
    public void backward(Matrix outputGradient, State state, Matrix[] inputGradients) {
        ConcatState s = (ConcatState) state;
        int rows = outputGradient.rows();
        int width = output.size();
        float[] g = outputGradient.data();
        int go = outputGradient.offset();
        int col = 0;
        for (int k = 0; k < inputs.size(); k++) {
            int w = inputs.get(k).size();
            Matrix gk = s.grads[k].get(rows, w);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(g, go + r * width + col, gk.data(), r * w, w);
            }
            inputGradients[k] = gk;
            col += w;
        }
    }
}
