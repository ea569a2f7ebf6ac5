package io.vecnn.train;

import io.vecnn.api.Matrix;

import java.util.List;
import java.util.Locale;

/**
 * A model's metrics on a dataset, following the task:
 * <ul>
 * <li>classification: accuracy, the confusion matrix, per-class precision, recall and F1, macro F1;</li>
 * <li>regression: mean squared error, mean absolute error and R² (per output, averaged over outputs
 *     as scikit-learn's default does);</li>
 * <li>multi-label: accuracy over every (sample, label) flag, and micro precision, recall and F1; a
 *     flag is predicted set when the model's output (a logit) is above 0.</li>
 * </ul>
 * {@link #score()} is the task's headline figure: accuracy, or R² for regression.
 */
public final class Evaluation {
    private final Dataset.Task task;
    private final double loss;
    private final long samples;
    private final List<String> classNames;
    private final long[][] confusion;
    private final long[] flags;        // multi-label: tp, fp, fn, tn
    private final double[] sse;
    private final double[] sae;
    private final double[] sum;
    private final double[] sumSquares;

    private Evaluation(Accumulator a, double loss) {
        this.task = a.task;
        this.loss = loss;
        this.samples = a.samples;
        this.classNames = a.classNames;
        // Copies: the accumulator is reused for the next epoch.
        this.confusion = a.confusion == null ? null : java.util.Arrays.stream(a.confusion).map(long[]::clone).toArray(long[][]::new);
        this.flags = a.flags == null ? null : a.flags.clone();
        this.sse = a.sse == null ? null : a.sse.clone();
        this.sae = a.sae == null ? null : a.sae.clone();
        this.sum = a.sum == null ? null : a.sum.clone();
        this.sumSquares = a.sumSquares == null ? null : a.sumSquares.clone();
    }

    /**
     * The task.
     *
     * @return the task
     */
    public Dataset.Task task() {
        return task;
    }

    /**
     * Mean loss over the samples.
     *
     * @return the mean loss
     */
    public double loss() {
        return loss;
    }

    /**
     * Number of samples evaluated.
     *
     * @return the number of samples
     */
    public long samples() {
        return samples;
    }

    /**
     * Accuracy for classification and multi-label, R² for regression.
     *
     * @return the score
     */
    public double score() {
        return task == Dataset.Task.REGRESSION ? r2() : accuracy();
    }

    /**
     * The name of {@link #score()}: {@code "accuracy"} or {@code "r2"}.
     *
     * @return the score's name
     */
    public String scoreName() {
        return scoreName(task);
    }

    static String scoreName(Dataset.Task task) {
        return task == Dataset.Task.REGRESSION ? "r2" : "accuracy";
    }

    /**
     * Fraction of samples classified right (classification) or of flags right (multi-label); NaN
     * for regression.
     *
     * @return the accuracy, in [0, 1]
     */
    public double accuracy() {
        return switch (task) {
            case CLASSIFICATION -> {
                long right = 0;
                for (int i = 0; i < confusion.length; i++) {
                    right += confusion[i][i];
                }
                yield (double) right / samples;
            }
            case MULTI_LABEL -> (double) (flags[0] + flags[3]) / (flags[0] + flags[1] + flags[2] + flags[3]);
            case REGRESSION -> Double.NaN;
        };
    }

    /**
     * {@code confusion[actual][predicted]} counts (a copy); classification only.
     *
     * @return the confusion matrix, classes × classes
     */
    public int[][] confusion() {
        requireTask(Dataset.Task.CLASSIFICATION);
        int[][] c = new int[confusion.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = new int[confusion.length];
            for (int j = 0; j < c.length; j++) {
                c[i][j] = Math.toIntExact(confusion[i][j]);
            }
        }
        return c;
    }

    /**
     * Precision of class {@code c}: right predictions of c over all predictions of c (NaN if c was
     * never predicted).
     *
     * @param c the class
     * @return its precision
     */
    public double precision(int c) {
        requireTask(Dataset.Task.CLASSIFICATION);
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[c];
        }
        return (double) confusion[c][c] / predicted;
    }

    /**
     * Recall of class {@code c}: right predictions of c over its samples (NaN if it has none).
     *
     * @param c the class
     * @return its recall
     */
    public double recall(int c) {
        requireTask(Dataset.Task.CLASSIFICATION);
        long actual = 0;
        for (long v : confusion[c]) {
            actual += v;
        }
        return (double) confusion[c][c] / actual;
    }

    /**
     * F1 of class {@code c} (0 when precision and recall are both 0 or undefined).
     *
     * @param c the class
     * @return its F1
     */
    public double f1(int c) {
        return f1(precision(c), recall(c));
    }

    private static double f1(double p, double r) {
        return p + r > 0 ? 2 * p * r / (p + r) : 0;
    }

    /**
     * The mean of the per-class F1 (classification), or micro F1 (multi-label).
     *
     * @return the macro F1
     */
    public double macroF1() {
        if (task == Dataset.Task.MULTI_LABEL) {
            return f1(microPrecision(), microRecall());
        }
        requireTask(Dataset.Task.CLASSIFICATION);
        double s = 0;
        for (int c = 0; c < confusion.length; c++) {
            s += f1(c);
        }
        return s / confusion.length;
    }

    /**
     * Multi-label: set flags predicted right over all flags predicted set.
     *
     * @return the micro precision
     */
    public double microPrecision() {
        requireTask(Dataset.Task.MULTI_LABEL);
        return (double) flags[0] / (flags[0] + flags[1]);
    }

    /**
     * Multi-label: set flags predicted right over all set flags.
     *
     * @return the micro recall
     */
    public double microRecall() {
        requireTask(Dataset.Task.MULTI_LABEL);
        return (double) flags[0] / (flags[0] + flags[2]);
    }

    /**
     * Mean squared error over samples and outputs (regression).
     *
     * @return the mean squared error
     */
    public double mse() {
        requireTask(Dataset.Task.REGRESSION);
        double s = 0;
        for (double v : sse) {
            s += v;
        }
        return s / ((double) samples * sse.length);
    }

    /**
     * Mean absolute error over samples and outputs (regression).
     *
     * @return the mean absolute error
     */
    public double mae() {
        requireTask(Dataset.Task.REGRESSION);
        double s = 0;
        for (double v : sae) {
            s += v;
        }
        return s / ((double) samples * sae.length);
    }

    /**
     * R² = 1 − SS_res/SS_tot per output, averaged over outputs (regression; an output with SS_tot =
     * 0 counts as 0).
     *
     * @return R²
     */
    public double r2() {
        requireTask(Dataset.Task.REGRESSION);
        double s = 0;
        for (int j = 0; j < sse.length; j++) {
            double mean = sum[j] / samples;
            double tot = sumSquares[j] - samples * mean * mean;
            s += tot > 0 ? 1 - sse[j] / tot : 0;
        }
        return s / sse.length;
    }

    private void requireTask(Dataset.Task t) {
        if (task != t) {
            throw new IllegalStateException("this is a " + task + " evaluation, not " + t);
        }
    }

    /**
     * The confusion matrix as an aligned text table (classification).
     *
     * @return the table
     */
    public String confusionTable() {
        requireTask(Dataset.Task.CLASSIFICATION);
        int k = confusion.length;
        StringBuilder sb = new StringBuilder("actual\\predicted");
        for (int j = 0; j < k; j++) {
            sb.append(String.format("%6d", j));
        }
        sb.append('\n');
        for (int i = 0; i < k; i++) {
            sb.append(String.format("%16d", i));
            for (int j = 0; j < k; j++) {
                sb.append(String.format("%6d", confusion[i][j]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * A multi-line report of every metric of the task.
     *
     * @return the report
     */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "loss %.4f over %d samples%n", loss, samples));
        switch (task) {
            case CLASSIFICATION -> {
                sb.append(String.format(Locale.ROOT, "accuracy %.2f %%, macro F1 %.4f%n", 100 * accuracy(), macroF1()));
                sb.append(String.format("%-16s %9s %9s %9s%n", "class", "precision", "recall", "f1"));
                for (int c = 0; c < confusion.length; c++) {
                    sb.append(String.format(Locale.ROOT, "%-16s %9.4f %9.4f %9.4f%n", abbreviate(classNames.get(c)), precision(c),
                            recall(c), f1(c)));
                }
                sb.append(confusionTable());
            }
            case REGRESSION -> sb.append(String.format(Locale.ROOT, "MSE %.6g, MAE %.6g, R² %.4f%n", mse(), mae(), r2()));
            case MULTI_LABEL -> sb.append(String.format(Locale.ROOT, "flag accuracy %.2f %%, micro precision %.4f, recall %.4f, F1 %.4f%n",
                    100 * accuracy(), microPrecision(), microRecall(), macroF1()));
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 15) + "…";
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Evaluation[%s, loss %.4f, %s %.4f, %d samples]", task, loss, scoreName(), score(), samples);
    }

    /**
     * Accumulates batches of (output, target) into the task's sufficient statistics, allocation-free
     * per batch; used by the trainer for its running training score and by evaluation. Serializable,
     * so that engines running shards in other processes can send a shard's statistics back; counts
     * add exactly, the regression sums are doubles added in the order the caller chooses.
     */
    public static final class Accumulator implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        /** The task the statistics are of. */
        final Dataset.Task task;
        /** Class names (classification), or empty. */
        final List<String> classNames;
        /** Confusion counts, [true class][predicted class] (classification). */
        final long[][] confusion;
        /** True positives, false positives, false negatives, true negatives over all labels (multi-label). */
        final long[] flags;
        /** Sum of squared errors per output (regression). */
        final double[] sse;
        /** Sum of absolute errors per output (regression). */
        final double[] sae;
        /** Sum of targets per output (regression, for R²). */
        final double[] sum;
        /** Sum of squared targets per output (regression, for R²). */
        final double[] sumSquares;
        /** Samples added. */
        long samples;

        /**
         * Empty statistics for the task and target width of {@code d}.
         *
         * @param d the dataset whose task, width and class names the statistics are for
         */
        public Accumulator(Dataset d) {
            task = d.task();
            int w = d.targetWidth();
            classNames = task == Dataset.Task.CLASSIFICATION ? d.classNames() : null;
            confusion = task == Dataset.Task.CLASSIFICATION ? new long[w][w] : null;
            flags = task == Dataset.Task.MULTI_LABEL ? new long[4] : null;
            boolean reg = task == Dataset.Task.REGRESSION;
            sse = reg ? new double[w] : null;
            sae = reg ? new double[w] : null;
            sum = reg ? new double[w] : null;
            sumSquares = reg ? new double[w] : null;
        }

        /** Forgets every batch added. */
        public void reset() {
            samples = 0;
            if (confusion != null) {
                for (long[] row : confusion) {
                    java.util.Arrays.fill(row, 0);
                }
            }
            if (flags != null) {
                java.util.Arrays.fill(flags, 0);
            }
            if (sse != null) {
                java.util.Arrays.fill(sse, 0);
                java.util.Arrays.fill(sae, 0);
                java.util.Arrays.fill(sum, 0);
                java.util.Arrays.fill(sumSquares, 0);
            }
        }

        /**
         * Adds a batch of outputs and their targets (rows × width each).
         *
         * @param out    the model's outputs
         * @param target the targets (one-hot rows for classification)
         */
        public void add(Matrix out, Matrix target) {
            int rows = out.rows();
            int w = out.cols();
            float[] o = out.data();
            float[] t = target.data();
            int oo = out.offset();
            int to = target.offset();
            switch (task) {
                case CLASSIFICATION -> {
                    for (int r = 0; r < rows; r++) {
                        confusion[target.argMax(r)][out.argMax(r)]++;
                    }
                }
                case MULTI_LABEL -> {
                    for (int i = 0; i < rows * w; i++) {
                        boolean predicted = o[oo + i] > 0f;
                        boolean actual = t[to + i] == 1f;
                        flags[predicted ? (actual ? 0 : 1) : (actual ? 2 : 3)]++;
                    }
                }
                case REGRESSION -> {
                    for (int r = 0; r < rows; r++) {
                        for (int j = 0; j < w; j++) {
                            double y = t[to + r * w + j];
                            double e = y - o[oo + r * w + j];
                            sse[j] += e * e;
                            sae[j] += Math.abs(e);
                            sum[j] += y;
                            sumSquares[j] += y * y;
                        }
                    }
                }
            }
            samples += rows;
        }

        /**
         * Adds another accumulator's counts (of the same dataset task and width).
         *
         * @param o the statistics to add
         */
        public void add(Accumulator o) {
            samples += o.samples;
            if (confusion != null) {
                for (int i = 0; i < confusion.length; i++) {
                    for (int j = 0; j < confusion.length; j++) {
                        confusion[i][j] += o.confusion[i][j];
                    }
                }
            }
            if (flags != null) {
                for (int i = 0; i < 4; i++) {
                    flags[i] += o.flags[i];
                }
            }
            if (sse != null) {
                for (int j = 0; j < sse.length; j++) {
                    sse[j] += o.sse[j];
                    sae[j] += o.sae[j];
                    sum[j] += o.sum[j];
                    sumSquares[j] += o.sumSquares[j];
                }
            }
        }

        /**
         * The metrics of the batches added.
         *
         * @param meanLoss the mean loss over them (computed by the caller)
         * @return the evaluation
         */
        public Evaluation result(double meanLoss) {
            return new Evaluation(this, meanLoss);
        }
    }
}
