package io.vecnn.layers;

import io.vecnn.api.Activation;
import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.MatrixBuffer;
import io.vecnn.api.Mode;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.ActivationKind;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.internal.KernelActivation;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Batch normalization as PyTorch's {@code nn.BatchNorm1d} (after a dense layer: a feature vector of F
 * values, F channels) and {@code nn.BatchNorm2d} (after a convolution: a C × H × W image, C channels,
 * statistics over the batch and the H·W positions), optionally followed by a fused activation.
 *
 * <p>In training, each channel is normalized by the mean and biased variance of the batch,
 * x̂ = (x − μ)/√(σ² + ε), y = f(γ·x̂ + β). In inference the running statistics are used instead.
 * The running statistics (buffers {@code NAME.running_mean}, starting at 0, and {@code NAME.running_var},
 * starting at 1, PyTorch's names) are updated once per training step through
 * {@link #updateBuffers}: running = (1 − momentum)·running + momentum·statistic with the batch mean and
 * the <b>unbiased</b> batch variance (as PyTorch does), momentum 0.1 and ε = 1e−5 by default. When a
 * trainer cuts a batch into shards, each shard normalizes by its own statistics (as data-parallel
 * PyTorch without synchronized batch norm does), and the running statistics are those of the whole
 * batch, combined from the shards' counts, means and variances in shard order (Chan et al.'s pairwise
 * update, in double): the same for any replica or thread count.
 *
 * <p>Parameters {@code NAME.weight} (γ, 1 × C, starting at 1) and {@code NAME.bias} (β, 0). Type name
 * {@value #TYPE}; configuration {@code eps}, {@code momentum}, {@code activation}.
 */
public final class BatchNorm implements Layer {
    /** The type name in checkpoints. */
    public static final String TYPE = "batch_norm";
    /** PyTorch's default ε. */
    public static final float DEFAULT_EPS = 1e-5f;
    /** PyTorch's default momentum. */
    public static final float DEFAULT_MOMENTUM = 0.1f;

    private final String name;
    private final Shape shape;
    private final int channels;
    private final int spatial;
    private final float eps;
    private final float momentum;
    private final Activation activation;
    private final KernelActivation fused;
    private final Parameter gamma;
    private final Parameter beta;
    private final Matrix runningMean;
    private final Matrix runningVar;

    /**
     * A batch normalization with γ = 1, β = 0, running mean 0 and running variance 1.
     *
     * @param name       the layer's name
     * @param shape      its input and output shape: a feature vector (rank 1) or an image (rank 3)
     * @param eps        ε, finite and &gt; 0
     * @param momentum   the running statistics' momentum, in (0, 1]
     * @param activation the activation after the normalization (identity for none)
     * @throws IllegalArgumentException if ε or the momentum is out of range
     * @throws ShapeException           if the shape is neither rank 1 nor rank 3
     */
    public BatchNorm(String name, Shape shape, float eps, float momentum, Activation activation) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape");
        checkEps(eps);
        checkMomentum(momentum);
        if (shape.rank() == 1) {
            channels = shape.dim(0);
            spatial = 1;
        } else if (shape.isImage()) {
            channels = shape.channels();
            spatial = shape.height() * shape.width();
        } else {
            throw new ShapeException(name, "a feature vector (rank 1) or an image C×H×W (rank 3)", "input " + shape);
        }
        this.eps = eps;
        this.momentum = momentum;
        this.activation = Objects.requireNonNull(activation, "activation");
        this.fused = activation instanceof KernelActivation k ? k : null;
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        this.gamma = new Parameter(name + ".weight", Matrix.wrap(1, channels, ones));
        this.beta = new Parameter(name + ".bias", Matrix.zeros(1, channels));
        this.runningMean = Matrix.zeros(1, channels);
        this.runningVar = Matrix.wrap(1, channels, ones.clone());
    }

    private static void checkEps(float eps) {
        if (!(eps > 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException("batch norm eps must be finite and > 0, got " + eps);
        }
    }

    private static void checkMomentum(float momentum) {
        if (!(momentum > 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batch norm momentum must be in (0, 1], got " + momentum);
        }
    }

    /**
     * A spec for a batch normalization with PyTorch's defaults (ε = 1e−5, momentum 0.1) and no activation.
     *
     * @return the spec
     */
    public static Layer.Spec of() {
        return of(DEFAULT_EPS, DEFAULT_MOMENTUM, Activations.identity());
    }

    /**
     * A spec for a batch normalization with PyTorch's defaults followed by {@code f} (fused for the
     * built-in activations).
     *
     * @param f the activation
     * @return the spec
     */
    public static Layer.Spec of(Activation f) {
        return of(DEFAULT_EPS, DEFAULT_MOMENTUM, f);
    }

    /**
     * A spec for a batch normalization.
     *
     * @param eps      ε, finite and &gt; 0
     * @param momentum the running statistics' momentum, in (0, 1]
     * @param f        the activation after it
     * @return the spec
     * @throws IllegalArgumentException if ε or the momentum is out of range
     */
    public static Layer.Spec of(float eps, float momentum, Activation f) {
        checkEps(eps);
        checkMomentum(momentum);
        Objects.requireNonNull(f, "activation");
        return context -> {
            String nm = context.name(TYPE);
            return new BatchNorm(nm, context.inputShape(nm), eps, momentum, f);
        };
    }

    /**
     * γ (1 × channels).
     *
     * @return the parameter
     */
    public Parameter weight() {
        return gamma;
    }

    /**
     * β (1 × channels).
     *
     * @return the parameter
     */
    public Parameter bias() {
        return beta;
    }

    /**
     * The running mean (1 × channels), shared by every workspace.
     *
     * @return the buffer's matrix
     */
    public Matrix runningMean() {
        return runningMean;
    }

    /**
     * The running (unbiased) variance (1 × channels).
     *
     * @return the buffer's matrix
     */
    public Matrix runningVar() {
        return runningVar;
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
     * The momentum of the running statistics.
     *
     * @return the momentum
     */
    public float momentum() {
        return momentum;
    }

    /**
     * The activation after the normalization.
     *
     * @return f
     */
    public Activation activation() {
        return activation;
    }

    /**
     * The normalized channels (features of a vector, channels of an image).
     *
     * @return the channel count
     */
    public int channels() {
        return channels;
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
        return LayerConfig.builder().put("eps", eps).put("momentum", momentum).put("activation", activation.name()).build();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    @Override
    public List<Buffer> buffers() {
        return List.of(new Buffer(name + ".running_mean", runningMean), new Buffer(name + ".running_var", runningVar));
    }

    @Override
    public String describe() {
        return name + " batch_norm " + shape + ", " + channels + " channels, eps " + eps + ", momentum " + momentum
                + (fused != null && fused.kind() == ActivationKind.IDENTITY ? "" : ", " + activation.name());
    }

    @Override
    public State newState() {
        return new NormState(channels);
    }

    private static final class NormState extends State {
        final MatrixBuffer z = new MatrixBuffer();
        final MatrixBuffer h = new MatrixBuffer();
        final MatrixBuffer xhat = new MatrixBuffer();
        final float[] mean;
        final float[] var;
        final float[] rstd;
        Matrix saved;
        Matrix out;
        int rows;
        /** Values per channel of the last training forward not yet taken into the running statistics. */
        long count;
        boolean backwardReady;

        NormState(int channels) {
            mean = new float[channels];
            var = new float[channels];
            rstd = new float[channels];
        }
    }

    @Override
    public Matrix forward(Matrix input, State state) {
        ShapeException.requireBatch(name, "input", input, shape.size());
        NormState s = (NormState) state;
        Kernels k = s.kernels();
        int rows = input.rows();
        int width = shape.size();
        boolean training = s.mode() == Mode.TRAINING;
        Matrix z = s.z.get(rows, width);
        Matrix g = gamma.value(), b = beta.value();
        if (training) {
            if ((long) rows * spatial < 2) {
                throw new IllegalArgumentException(name + ": training needs more than 1 value per channel, got a batch of "
                        + rows + " with " + spatial + " per channel");
            }
            Matrix xh = s.xhat.get(rows, width);
            k.batchNormTraining(rows, channels, spatial, eps, input.data(), input.offset(), g.data(), g.offset(), b.data(),
                    b.offset(), z.data(), z.offset(), xh.data(), xh.offset(), s.mean, 0, s.var, 0, s.rstd, 0);
            s.count = (long) rows * spatial;
        } else {
            k.batchNormInference(rows, channels, spatial, eps, input.data(), input.offset(), g.data(), g.offset(),
                    b.data(), b.offset(), runningMean.data(), runningMean.offset(), runningVar.data(), runningVar.offset(),
                    z.data(), z.offset());
        }
        Matrix result = z;
        if (fused != null) {
            if (fused.kind() != ActivationKind.IDENTITY) {
                boolean inPlace = !training || fused.kind().derivativeFromOutput();
                result = inPlace ? z : s.h.get(rows, width);
                k.biasActivation(fused.kind(), fused.alpha(), 1, rows * width, z.data(), z.offset(), rows * width, null, 0,
                        result.data(), result.offset(), rows * width);
            }
        } else {
            result = s.h.get(rows, width);
            activation.forward(z, result, k);
        }
        s.saved = z;
        s.out = result;
        s.rows = rows;
        s.backwardReady = training;
        return result;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        NormState s = (NormState) state;
        if (!s.backwardReady) {
            throw new IllegalStateException(name + ": backward without a training forward pass");
        }
        int width = shape.size();
        ShapeException.requireShape(name, "output gradient", outputGradient, s.rows, width);
        Kernels k = s.kernels();
        float[] dy = outputGradient.data();
        int off = outputGradient.offset();
        if (fused != null) {
            if (fused.kind() != ActivationKind.IDENTITY) {
                k.activationBackward(fused.kind(), fused.alpha(), s.rows * width, dy, off, s.saved.data(),
                        s.saved.offset(), dy, off);
            }
        } else {
            activation.backward(s.saved, s.out, outputGradient, outputGradient, k);
        }
        Matrix dg = s.gradient(0), db = s.gradient(1), g = gamma.value(), xh = s.xhat.get(s.rows, width);
        k.batchNormBackward(s.rows, channels, spatial, dy, off, xh.data(), xh.offset(), s.rstd, 0, g.data(), g.offset(),
                dg.data(), dg.offset(), db.data(), db.offset(), needInputGradient ? dy : null, off);
        s.backwardReady = false;
        return needInputGradient ? outputGradient : null;
    }

    /**
     * Takes the step's batch statistics into the running mean and variance: the shards' counts, means
     * and biased variances combined in shard order into those of the whole batch, then
     * running = (1 − momentum)·running + momentum·statistic with the unbiased variance. States that ran
     * no training forward since the last update contribute nothing; each is consumed.
     *
     * @param shardStates this layer's states of the step's shards, in shard order
     */
    @Override
    public void updateBuffers(List<? extends State> shardStates) {
        long total = 0;
        for (int i = 0; i < shardStates.size(); i++) {
            total += ((NormState) shardStates.get(i)).count;
        }
        if (total < 2) {
            return;
        }
        float[] rm = runningMean.data(), rv = runningVar.data();
        int mo = runningMean.offset(), vo = runningVar.offset();
        for (int c = 0; c < channels; c++) {
            long n = 0;
            double mean = 0, m2 = 0;
            for (int i = 0; i < shardStates.size(); i++) {
                NormState s = (NormState) shardStates.get(i);
                if (s.count == 0) {
                    continue;
                }
                double mb = s.mean[c], m2b = (double) s.var[c] * s.count;
                long nb = s.count, nab = n + nb;
                double delta = mb - mean;
                mean += delta * nb / nab;
                m2 += m2b + delta * delta * ((double) n * nb / nab);
                n = nab;
            }
            double unbiased = m2 / (n - 1);
            rm[mo + c] = (float) ((1 - (double) momentum) * rm[mo + c] + momentum * mean);
            rv[vo + c] = (float) ((1 - (double) momentum) * rv[vo + c] + momentum * unbiased);
        }
        for (int i = 0; i < shardStates.size(); i++) {
            ((NormState) shardStates.get(i)).count = 0;
        }
    }
}
