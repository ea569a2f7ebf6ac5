package io.vecnn.layers;

import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.MatrixBuffer;
import io.vecnn.api.Mode;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A lookup table from integer ids to learned vectors, as PyTorch's {@code nn.Embedding(V, D)}: a
 * sample of T ids (a rank-1 input of T values, as a {@code Dataset} of integer ids hands them to
 * the model: exact float values) becomes T × D values, row t the table row of id t. Put a
 * {@link Flatten} after it before a dense layer, or average the rows yourself.
 *
 * <p>Forward gathers rows ({@link io.vecnn.kernels.Kernels#gatherRows}); backward adds each output
 * row's gradient into its id's row of the table gradient ({@link io.vecnn.kernels.Kernels#scatterAddRows}),
 * sample by sample and position by position, so an id used several times receives its
 * contributions in that fixed order and the gradient does not depend on thread or shard counts
 * beyond the trainer's fixed-order sum of shards. Only the rows of ids in the batch are touched.
 * An id that is not an integer in [0, V) is an error naming the layer, the id and its position.
 * Ids carry no gradient: the input gradient (needed only if something before this layer asks for
 * it) is zero.
 *
 * <h2>Optimizers and rows not in the batch (PyTorch's dense semantics)</h2>
 * The table's gradient is a dense V × D matrix whose untouched rows are 0, as PyTorch's with
 * {@code sparse=False} (its default), and every optimizer treats those rows as it treats any zero
 * gradient, as {@code torch.optim} does:
 * <ul>
 * <li>SGD without momentum or weight decay: the rows do not change.</li>
 * <li>SGD with momentum μ: the velocity decays (v ← μv) and the rows keep moving by −ηv.</li>
 * <li>Weight decay λ (SGD, Adam's L2 form, RMSprop, Adagrad): the gradient is λw, so the rows
 *     shrink toward 0 (and, in Adam, feed the moments); AdamW's decoupled decay w ← w(1 − ηλ)
 *     applies to them too.</li>
 * <li>Adam / AdamW: both moments decay (m ← β₁m, v ← β₂v) and the rows keep moving by
 *     −η·m̂/(√v̂ + ε) while m is non-zero.</li>
 * <li>RMSprop: the squared average decays; without weight decay the rows do not change.</li>
 * <li>Adagrad: the accumulated sum stays; without weight decay the rows do not change.</li>
 * </ul>
 * Sparse updates (touching only the rows in the batch, PyTorch's {@code sparse=True} with
 * {@code SparseAdam}) are not offered.
 *
 * <p>Parameter {@code NAME.weight} (V × D, initialised from N(0, 1) as PyTorch's). Type name
 * {@value #TYPE}; configuration {@code vocabulary}, {@code dim}.
 */
public final class Embedding implements Layer {
    /** The type name in checkpoints. */
    public static final String TYPE = "embedding";

    private final String name;
    private final int length;
    private final int vocabulary;
    private final int dim;
    private final Parameter weight;

    /**
     * An embedding with the given table (copied).
     *
     * @param name   the layer's name
     * @param length the ids per sample, T ≥ 1
     * @param table  the V × D table
     * @throws IllegalArgumentException if T &lt; 1 or the table is empty
     */
    public Embedding(String name, int length, Matrix table) {
        this.name = Objects.requireNonNull(name, "name");
        if (length < 1) {
            throw new IllegalArgumentException(name + ": an embedding needs >= 1 id per sample, got " + length);
        }
        Objects.requireNonNull(table, "table");
        if (table.rows() < 1 || table.cols() < 1) {
            throw new ShapeException(name + " table", "V×D with V, D >= 1", table.shape());
        }
        this.length = length;
        this.vocabulary = table.rows();
        this.dim = table.cols();
        this.weight = new Parameter(name + ".weight", table.copy());
    }

    /**
     * A spec for an embedding of {@code vocabulary} ids into {@code dim} values, its table drawn
     * from N(0, 1) with the model's random generator. The input must be a rank-1 shape (T ids).
     *
     * @param vocabulary V, the number of ids (ids are 0 … V − 1)
     * @param dim        D, the values per id
     * @return the spec
     * @throws IllegalArgumentException if V or D is below 1
     */
    public static Layer.Spec of(int vocabulary, int dim) {
        if (vocabulary < 1 || dim < 1) {
            throw new IllegalArgumentException("an embedding needs vocabulary >= 1 and dim >= 1, got " + vocabulary + " and " + dim);
        }
        return context -> {
            String nm = context.name(TYPE);
            Shape in = context.inputShape(nm);
            if (in.rank() != 1) {
                throw new ShapeException(nm, "a rank-1 input of ids [T]", in.toString());
            }
            RandomGenerator r = context.random();
            float[] t = new float[Math.multiplyExact(vocabulary, dim)];
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) r.nextGaussian();
            }
            return new Embedding(nm, in.dim(0), Matrix.wrap(vocabulary, dim, t));
        };
    }

    /**
     * The table (V × D).
     *
     * @return the parameter
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * V, the number of ids.
     *
     * @return V
     */
    public int vocabulary() {
        return vocabulary;
    }

    /**
     * D, the values per id.
     *
     * @return D
     */
    public int dim() {
        return dim;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape inputShape() {
        return Shape.of(length);
    }

    @Override
    public Shape outputShape() {
        return Shape.of(length, dim);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LayerConfig config() {
        return LayerConfig.builder().put("vocabulary", vocabulary).put("dim", dim).build();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    @Override
    public String describe() {
        return name + " embedding " + length + " ids of " + vocabulary + " → " + length + "×" + dim;
    }

    @Override
    public State newState() {
        return new EmbeddingState();
    }

    private static final class EmbeddingState extends State {
        final MatrixBuffer output = new MatrixBuffer();
        final MatrixBuffer inputGradient = new MatrixBuffer();
        int[] ids = new int[0];
        int rows = -1;
        boolean backwardReady;
    }

    @Override
    public Matrix forward(Matrix input, State state) {
        ShapeException.requireBatch(name, "input", input, length);
        EmbeddingState s = (EmbeddingState) state;
        int rows = input.rows();
        int n = rows * length;
        if (s.ids.length < n) {
            s.ids = new int[n];
        }
        float[] x = input.data();
        int xo = input.offset();
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int id = (int) v;
            if (id != v || id >= vocabulary || id < 0) {
                throw new IllegalArgumentException(name + ": id " + v + " at sample " + i / length + ", position "
                        + i % length + " is not an integer in [0, " + vocabulary + ")");
            }
            s.ids[i] = id;
        }
        Matrix y = s.output.get(rows, length * dim);
        Matrix w = weight.value();
        s.kernels().gatherRows(n, dim, w.data(), w.offset(), dim, vocabulary, s.ids, 0, y.data(), y.offset(), dim);
        s.rows = rows;
        s.backwardReady = s.mode() == Mode.TRAINING;
        return y;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        EmbeddingState s = (EmbeddingState) state;
        if (!s.backwardReady) {
            throw new IllegalStateException(name + ": backward without a training forward pass");
        }
        ShapeException.requireShape(name, "output gradient", outputGradient, s.rows, length * dim);
        s.backwardReady = false;
        Matrix gw = s.gradient(0);
        s.kernels().scatterAddRows(s.rows * length, dim, outputGradient.data(), outputGradient.offset(), dim, s.ids, 0,
                gw.data(), gw.offset(), dim, vocabulary);
        if (!needInputGradient) {
            return null;
        }
        Matrix g = s.inputGradient.get(s.rows, length);
        Arrays.fill(g.data(), g.offset(), g.offset() + g.size(), 0f);
        return g;
    }
}
