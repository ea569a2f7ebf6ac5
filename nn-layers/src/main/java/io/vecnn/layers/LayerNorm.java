package io.vecnn.layers;

import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.MatrixBuffer;
import io.vecnn.api.Mode;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.Kernels;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Layer normalisation over the last dimension of each sample, as PyTorch's
 * {@code nn.LayerNorm(D, eps=1e-5)} with D the last dimension: every run of D consecutive values
 * (the whole feature vector of a rank-1 sample; each row of W values of a C × H × W image) is
 * normalised by its own mean and biased variance, x̂ = (x − μ)/√(σ² + ε), then scaled and shifted
 * per position, y = γ ⊙ x̂ + β. The statistics are those of the sample itself, so training and
 * inference compute the same function and there is no running state.
 *
 * <p>Parameters {@code NAME.weight} (γ, D values, initialised to 1) and {@code NAME.bias} (β, D
 * values, initialised to 0), PyTorch's names. Forward and backward run on
 * {@link Kernels#layerNorm} and {@link Kernels#layerNormBackward}; the backward adds the γ and β
 * gradients row by row in a fixed order and writes the input gradient over the output gradient.
 *
 * <p>Any input shape; the output has the same. Type name {@value #TYPE}; configuration {@code eps}.
 */
public final class LayerNorm implements Layer {
    /** The type name in checkpoints. */
    public static final String TYPE = "layer_norm";
    /** PyTorch's default ε. */
    public static final float DEFAULT_EPS = 1e-5f;

    private final String name;
    private final Shape shape;
    private final int width;
    private final int dim;
    private final float eps;
    private final Parameter gamma;
    private final Parameter beta;

    /**
     * A layer normalisation with γ = 1 and β = 0.
     *
     * @param name  the layer's name
     * @param shape its input and output shape; the last dimension is normalised
     * @param eps   ε, finite and &gt; 0
     * @throws IllegalArgumentException if ε is not finite and positive
     */
    public LayerNorm(String name, Shape shape, float eps) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape");
        if (!(eps > 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException(name + ": eps must be finite and > 0, got " + eps);
        }
        this.eps = eps;
        this.width = shape.size();
        this.dim = shape.dim(shape.rank() - 1);
        float[] ones = new float[dim];
        Arrays.fill(ones, 1f);
        this.gamma = new Parameter(name + ".weight", Matrix.wrap(1, dim, ones));
        this.beta = new Parameter(name + ".bias", Matrix.zeros(1, dim));
    }

    /**
     * A spec for a layer normalisation with PyTorch's ε = 1e−5.
     *
     * @return the spec
     */
    public static Layer.Spec of() {
        return of(DEFAULT_EPS);
    }

    /**
     * A spec for a layer normalisation with this ε.
     *
     * @param eps ε, finite and &gt; 0
     * @return the spec
     * @throws IllegalArgumentException if ε is not finite and positive
     */
    public static Layer.Spec of(float eps) {
        if (!(eps > 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException("layer norm eps must be finite and > 0, got " + eps);
        }
        return context -> {
            String nm = context.name(TYPE);
            return new LayerNorm(nm, context.inputShape(nm), eps);
        };
    }

    /**
     * ε.
     *
     * @return ε
     */
    public float eps() {
        return eps;
    }

    /**
     * γ, the scale (1 × D).
     *
     * @return the parameter
     */
    public Parameter weight() {
        return gamma;
    }

    /**
     * β, the shift (1 × D).
     *
     * @return the parameter
     */
    public Parameter bias() {
        return beta;
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
        return LayerConfig.builder().put("eps", eps).build();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    @Override
    public String describe() {
        return name + " layer_norm " + shape + " over the last " + dim + ", eps " + eps;
    }

    @Override
    public State newState() {
        return new NormState();
    }

    private static final class NormState extends State {
        final MatrixBuffer output = new MatrixBuffer();
        float[] xhat = new float[0];
        float[] rstd = new float[0];
        int rows = -1;
        boolean backwardReady;
    }

    @Override
    public Matrix forward(Matrix input, State state) {
        ShapeException.requireBatch(name, "input", input, width);
        NormState s = (NormState) state;
        int rows = input.rows();
        int groups = rows * (width / dim);
        Matrix y = s.output.get(rows, width);
        boolean training = s.mode() == Mode.TRAINING;
        if (training && s.rstd.length < groups) {
            s.xhat = new float[groups * dim];
            s.rstd = new float[groups];
        }
        Matrix g = gamma.value(), b = beta.value();
        s.kernels().layerNorm(groups, dim, eps, input.data(), input.offset(), dim, g.data(), g.offset(), b.data(), b.offset(),
                y.data(), y.offset(), dim, training ? s.xhat : null, 0, dim, training ? s.rstd : null, 0);
        s.rows = rows;
        s.backwardReady = training;
        return y;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        NormState s = (NormState) state;
        if (!s.backwardReady) {
            throw new IllegalStateException(name + ": backward without a training forward pass");
        }
        ShapeException.requireShape(name, "output gradient", outputGradient, s.rows, width);
        s.backwardReady = false;
        int groups = s.rows * (width / dim);
        Matrix dg = s.gradient(0), db = s.gradient(1), g = gamma.value();
        float[] dy = outputGradient.data();
        int off = outputGradient.offset();
        s.kernels().layerNormBackward(groups, dim, dy, off, dim, s.xhat, 0, dim, s.rstd, 0, g.data(), g.offset(),
                dg.data(), dg.offset(), db.data(), db.offset(), needInputGradient ? dy : null, off, dim);
        return needInputGradient ? outputGradient : null;
    }
}
