package io.vecnn.layers;

import io.vecnn.api.BuildContext;
import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;

/**
 * Inverted dropout: in training, each element is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), or set to 0; in inference the layer is the identity.
 *
 * <p>The mask is a pure function of the layer's seed, the training step and the element's position
 * (a counter-based generator), so it needs no mutable random state: a run resumed from a checkpoint
 * draws the same masks as the uninterrupted run, and the masks do not depend on thread count.
 *
 * <p>Any input shape; the output has the same. Type name {@value #TYPE}; configuration {@code rate},
 * {@code seed}.
 */
public final class Dropout implements Layer {
    /** The type name in checkpoints. */
    public static final String TYPE = "dropout";

    private final String name;
    private final Shape shape;
    private final int width;
    private final float rate;
    private final long seed;

    /**
     * A dropout layer for inputs of this width.
     *
     * @param name  the layer's name
     * @param width its input and output width
     * @param rate  the probability of dropping an element, in [0, 1)
     * @param seed  the mask seed
     */
    public Dropout(String name, int width, float rate, long seed) {
        this(name, shapeOf(name, width), rate, seed);
    }

    private static Shape shapeOf(String name, int width) {
        if (width < 1) {
            throw new IllegalArgumentException(name + ": width must be >= 1, got " + width);
        }
        return Shape.of(width);
    }

    /**
     * A dropout layer for inputs of this shape.
     *
     * @param name  the layer's name
     * @param shape its input and output shape
     * @param rate  the probability of dropping an element, in [0, 1)
     * @param seed  the mask seed
     */
    public Dropout(String name, Shape shape, float rate, long seed) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException(name + ": dropout rate must be in [0, 1), got " + rate);
        }
        this.name = java.util.Objects.requireNonNull(name, "name");
        this.shape = java.util.Objects.requireNonNull(shape, "shape");
        this.width = shape.size();
        this.rate = rate;
        this.seed = seed;
    }

    /**
     * A spec for a dropout layer with this rate, seeded from the model's seed.
     *
     * @param rate the probability of dropping an element, in [0, 1)
     * @return the spec
     */
    public static Layer.Spec of(float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        return context -> {
            String nm = context.name("dropout");
            return new Dropout(nm, context.inputShape(nm), rate, context.random().nextLong());
        };
    }

    /**
     * The drop probability.
     *
     * @return the rate
     */
    public float rate() {
        return rate;
    }

    /**
     * The mask seed.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape inputShape() {
        return shape;
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
        return LayerConfig.builder().put("rate", rate).put("seed", seed).build();
    }

    @Override
    public String describe() {
        return name + " dropout " + rate;
    }

    @Override
    public State newState() {
        return new DropoutState();
    }

    private static final class DropoutState extends State {
        float[] scale = new float[0];
        float[] outBuf = new float[0];
        Matrix output;
        int rows = -1;
        boolean backwardReady;
    }

    @Override
    public Matrix forward(Matrix input, State state) {
        ShapeException.requireBatch(name, "input", input, width);
        DropoutState s = (DropoutState) state;
        int rows = input.rows();
        int n = rows * width;
        if (rows != s.rows) {
            if (s.outBuf.length < n) {
                s.outBuf = new float[n];
                s.scale = new float[n];
            }
            s.output = Matrix.wrap(rows, width, s.outBuf);
            s.rows = rows;
        }
        float[] x = input.data();
        int xo = input.offset();
        float[] y = s.outBuf;
        boolean training = s.mode() == Mode.TRAINING;
        if (!training || rate == 0f) {
            System.arraycopy(x, xo, y, 0, n);
            java.util.Arrays.fill(s.scale, 0, n, 1f);
        } else {
            float keep = 1f / (1f - rate);
            // Keep when the top 24 bits of the hash, as a fraction of 2^24, reach the rate.
            int threshold = (int) Math.ceil(rate * (double) (1 << 24));
            long base = mix(seed ^ mix(s.step() + 0x9E3779B97F4A7C15L));
            for (int i = 0; i < n; i++) {
                int u = (int) (mix(base + i) >>> 40);
                float m = u >= threshold ? keep : 0f;
                s.scale[i] = m;
                y[i] = x[xo + i] * m;
            }
        }
        s.backwardReady = training;
        return s.output;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        DropoutState s = (DropoutState) state;
        if (!s.backwardReady) {
            throw new IllegalStateException(name + ": backward without a training forward pass");
        }
        ShapeException.requireShape(name, "output gradient", outputGradient, s.rows, width);
        s.backwardReady = false;
        if (!needInputGradient) {
            return null;
        }
        float[] g = outputGradient.data();
        int go = outputGradient.offset();
        for (int i = 0, n = s.rows * width; i < n; i++) {
            g[go + i] *= s.scale[i];
        }
        return outputGradient;
    }

    /** SplitMix64's finalizer: a bijective 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
