package io.vecnn.train;

import io.vecnn.api.Gradients;
import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;

import java.util.Objects;

/**
 * One shard of data-parallel training: a model replica (a training workspace with its own flat
 * gradient buffer) that computes the gradient of its shard of a global batch. The {@link Trainer}
 * runs one per shard on its replica threads; another engine (for example one Spark task per shard)
 * runs the same class elsewhere, so every shard is computed identically wherever it runs.
 *
 * <p>Shard {@code j} of {@code S} of a batch of {@code B} rows is the contiguous row range
 * {@link #shardStart(int, int, int) shardStart(B, S, j)} of {@link #shardRows(int, int, int)
 * shardRows(B, S, j)} rows. Its gradient is of the batch's mean loss restricted to those rows (each
 * row's output gradient scaled by rows/B), so the step's gradient is the sum of the shards' buffers,
 * which callers must add in shard order (g₁ + g₂) + g₃ + … to get the weights the {@link Trainer}
 * gets.
 *
 * <p>Allocates nothing per step (matrices are reused; the views for a shorter last batch are made
 * when the row count changes). Not thread-safe: one thread at a time.
 */
public final class ShardWorker implements AutoCloseable {
    private final Model.Workspace workspace;
    private final Loss loss;
    private final Dataset data;
    private final int shard;
    private final int shards;
    private final Evaluation.Accumulator score;
    private final Matrix xFull;
    private final Matrix yFull;
    private final Matrix gFull;
    private Matrix x;
    private Matrix y;
    private Matrix g;
    private double lastLoss;
    private int lastRows;

    /**
     * A worker for shard {@code shard} of {@code shards} of batches of at most {@code batchSize}
     * rows of {@code data}.
     *
     * @param model     the model whose replica this is (its parameters are read, never written here)
     * @param loss      the training loss
     * @param data      the training set, from which the worker gathers its rows
     * @param batchSize the global batch size (rows of a full batch, all shards together)
     * @param shard     this worker's shard, 0 ≤ shard &lt; shards
     * @param shards    the number of shards each batch is cut into
     * @param kernels   the kernels this worker computes with
     * @throws IllegalArgumentException if the shard is out of range, the batch size is below 1, or
     *                                  the data does not fit the model
     */
    public ShardWorker(Model model, Loss loss, Dataset data, int batchSize, int shard, int shards, Kernels kernels) {
        Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.data = Objects.requireNonNull(data, "data");
        Objects.requireNonNull(kernels, "kernels");
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards + " does not exist (0 <= shard < shards)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (data.features() != model.inputSize() || data.targetWidth() != model.outputSize()) {
            throw new IllegalArgumentException("dataset '" + data.name() + "' has " + data.features() + " features and targets of width "
                    + data.targetWidth() + ", the model takes " + model.inputSize() + " and outputs " + model.outputSize());
        }
        this.shard = shard;
        this.shards = shards;
        int maxRows = Math.max(1, shardRows(Math.min(batchSize, data.size()), shards, 0));
        xFull = Matrix.zeros(maxRows, data.features());
        yFull = Matrix.zeros(maxRows, data.targetWidth());
        gFull = Matrix.zeros(maxRows, model.outputSize());
        score = new Evaluation.Accumulator(data);
        workspace = model.newTrainingWorkspace(kernels);
    }

    /**
     * Rows of shard {@code j} of {@code shards} of a batch of {@code rows} rows (the first
     * rows % shards shards get one more).
     *
     * @param rows   the batch's rows
     * @param shards the shards per batch
     * @param j      the shard
     * @return the shard's row count
     */
    public static int shardRows(int rows, int shards, int j) {
        return rows / shards + (j < rows % shards ? 1 : 0);
    }

    /**
     * The first row of shard {@code j} of {@code shards} within a batch of {@code rows} rows.
     *
     * @param rows   the batch's rows
     * @param shards the shards per batch
     * @param j      the shard
     * @return the shard's first row
     */
    public static int shardStart(int rows, int shards, int j) {
        return j * (rows / shards) + Math.min(j, rows % shards);
    }

    /**
     * Computes this shard's gradient for the batch {@code order[from .. from + rows)} at training step
     * {@code step}: zeroes the buffer, gathers the shard's rows, runs forward, loss and backward.
     * A shard with no rows (a last batch smaller than the shard count) leaves a zero gradient.
     *
     * @param order the epoch's sample order
     * @param from  the batch's first position in {@code order}
     * @param rows  the batch's rows (all shards together)
     * @param step  the training step (1-based; dropout masks depend on it)
     * @return the shard's mean loss over its rows (0 for an empty shard)
     */
    public double compute(int[] order, int from, int rows, long step) {
        workspace.zeroGradients();
        int count = shardRows(rows, shards, shard);
        lastRows = count;
        lastLoss = 0;
        if (count == 0) {
            return 0;
        }
        if (x == null || x.rows() != count) {
            boolean full = count == xFull.rows();
            x = full ? xFull : xFull.rows(0, count);
            y = full ? yFull : yFull.rows(0, count);
            g = full ? gFull : gFull.rows(0, count);
        }
        data.gather(order, from + shardStart(rows, shards, shard), count, x, y);
        Matrix out = workspace.forward(x, Mode.TRAINING, step);
        score.add(out, y);
        lastLoss = loss.compute(out, y, g, workspace.kernels());
        if (shards > 1) {
            // The loss is a mean over the shard's rows; the step's gradient is of the mean over the batch.
            float factor = (float) ((double) count / rows);
            float[] d = g.data();
            for (int i = g.offset(), end = g.offset() + g.size(); i < end; i++) {
                d[i] *= factor;
            }
        }
        workspace.backward(g);
        return lastLoss;
    }

    /**
     * This worker's state of node {@code i} (in {@link Model#nodes()} order): what the step's
     * {@link io.vecnn.api.Node#updateBuffers} gets for this shard.
     *
     * @param i the node's index
     * @return its state in this worker's workspace
     */
    public io.vecnn.api.Node.State state(int i) {
        return workspace.state(i);
    }

    /**
     * The gradient buffer the last {@link #compute} filled (this worker's own; callers may sum into it).
     *
     * @return the gradient buffer
     */
    public Gradients gradients() {
        return workspace.gradients();
    }

    /**
     * The shard's mean loss of the last {@link #compute}.
     *
     * @return the mean loss
     */
    public double lastLoss() {
        return lastLoss;
    }

    /**
     * The rows of the last {@link #compute}'s shard.
     *
     * @return the row count
     */
    public int lastRows() {
        return lastRows;
    }

    /**
     * This worker's shard index.
     *
     * @return the shard
     */
    public int shard() {
        return shard;
    }

    /**
     * The number of shards per batch.
     *
     * @return the shard count
     */
    public int shards() {
        return shards;
    }

    /**
     * The training-score statistics of the outputs computed since the last {@link Evaluation.Accumulator#reset()}
     * (the trainer moves them into its epoch's statistics after every step).
     *
     * @return this worker's accumulator (shared, not a copy)
     */
    public Evaluation.Accumulator score() {
        return score;
    }

    /** Releases the workspace. */
    @Override
    public void close() {
        workspace.close();
    }
}
