package io.vecnn.layers;

import io.vecnn.api.Activation;
import io.vecnn.api.Matrix;

import java.util.Random;

/** Helpers shared by the layer tests. */
final class TestNets {
    private TestNets() {
    }

    static final float ALPHA = 0.2f;

    /** The framework activation matching a {@link DoubleReference} name. */
    static Activation activation(String name) {
        return switch (name) {
            case "leaky" -> Activations.leakyRelu(ALPHA);
            case "elu" -> Activations.elu(ALPHA);
            default -> Activations.named(name);
        };
    }

    static final String[] ELEMENTWISE = {"identity", "sigmoid", "tanh", "relu", "leaky", "elu", "gelu", "gelu_erf", "softplus", "silu"};

    static Matrix randomMatrix(Random r, int rows, int cols, double scale) {
        Matrix m = Matrix.zeros(rows, cols);
        for (int i = 0; i < m.size(); i++) {
            m.data()[i] = (float) (r.nextGaussian() * scale);
        }
        return m;
    }

    static float[] randomVector(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /** Targets valid for the loss: one-hot rows, probabilities in [0,1], or any values. */
    static Matrix targets(Random r, String loss, int rows, int cols) {
        Matrix t = Matrix.zeros(rows, cols);
        for (int i = 0; i < rows; i++) {
            if (loss.equals("softmax-ce")) {
                t.set(i, r.nextInt(cols), 1f);
            } else {
                for (int j = 0; j < cols; j++) {
                    t.set(i, j, r.nextFloat());
                }
            }
        }
        return t;
    }

    static io.vecnn.api.Loss loss(String name) {
        return switch (name) {
            case "quadratic" -> Losses.quadratic();
            case "bce" -> Losses.binaryCrossEntropyWithLogits();
            case "softmax-ce" -> Losses.softmaxCrossEntropy();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static double[][] toDouble(Matrix m) {
        double[][] d = new double[m.rows()][m.cols()];
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                d[i][j] = m.get(i, j);
            }
        }
        return d;
    }
}
