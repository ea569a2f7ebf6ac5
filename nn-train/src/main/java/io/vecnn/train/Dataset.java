package io.vecnn.train;

import io.vecnn.api.Matrix;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An in-memory classification dataset: n samples of {@code features} float values (row-major in one
 * array) and a class label in 0..classes−1 each. Immutable; transformations return new datasets.
 */
public final class Dataset {
    private final String name;
    private final int features;
    private final int classes;
    private final float[] x;
    private final int[] labels;

    private Dataset(String name, float[] x, int features, int[] labels, int classes) {
        this.name = name;
        this.x = x;
        this.features = features;
        this.labels = labels;
        this.classes = classes;
    }

    /**
     * A dataset over the given arrays (not copied: the caller hands them over).
     *
     * @throws IllegalArgumentException if sizes disagree or a label is outside 0..classes−1 (naming the row)
     */
    public static Dataset of(String name, float[] x, int features, int[] labels, int classes) {
        Objects.requireNonNull(name, "name");
        if (features < 1 || classes < 2) {
            throw new IllegalArgumentException(name + ": need >= 1 feature and >= 2 classes, got " + features + " and " + classes);
        }
        if ((long) labels.length * features != x.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need " + (long) labels.length * features
                    + " feature values, got " + x.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of sample " + i + " is outside 0.." + (classes - 1));
            }
        }
        return new Dataset(name, x, features, labels, classes);
    }

    /** The dataset's name, for messages and reports. */
    public String name() {
        return name;
    }

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    /** Values per sample. */
    public int features() {
        return features;
    }

    /** Number of classes. */
    public int classes() {
        return classes;
    }

    /** The label of sample i. */
    public int label(int i) {
        return labels[i];
    }

    /** A copy of sample i's features. */
    public float[] sample(int i) {
        return Arrays.copyOfRange(x, i * features, (i + 1) * features);
    }

    /** All features as a new n × features matrix. */
    public Matrix features(int from, int to) {
        Matrix m = Matrix.zeros(to - from, features);
        System.arraycopy(x, from * features, m.data(), 0, (to - from) * features);
        return m;
    }

    /** The same samples under another name (the arrays are shared: datasets are immutable). */
    public Dataset named(String newName) {
        return new Dataset(java.util.Objects.requireNonNull(newName, "name"), x, features, labels, classes);
    }

    /** The samples at the given indices, in that order. */
    public Dataset subset(String newName, int[] indices) {
        float[] nx = new float[indices.length * features];
        int[] nl = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(x, indices[i] * features, nx, i * features, features);
            nl[i] = labels[indices[i]];
        }
        return new Dataset(newName, nx, features, nl, classes);
    }

    /** A seeded random split: the first part gets {@code 1 − fraction} of the samples. */
    public Split split(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException(name + ": split fraction must be in (0, 1), got " + fraction);
        }
        int[] order = permutation(size(), new SplittableRandom(seed));
        int second = (int) Math.round(size() * fraction);
        if (second == 0 || second == size()) {
            throw new IllegalArgumentException(name + ": a " + fraction + " split of " + size() + " samples leaves a part empty");
        }
        return new Split(subset(name + "-a", Arrays.copyOfRange(order, 0, size() - second)),
                subset(name + "-b", Arrays.copyOfRange(order, size() - second, size())));
    }

    /** Two parts of a dataset. */
    public record Split(Dataset first, Dataset second) {
    }

    /** Fisher–Yates permutation of 0..n−1 from the generator. */
    public static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    /** Fisher–Yates shuffle in place. */
    public static void shuffle(int[] p, SplittableRandom random) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    /** Per-feature mean and 1/std, fitted on one dataset and applied to others. */
    public record Standardization(float[] mean, float[] inverseStd) {
    }

    /** Fits a standardization on this dataset (features with zero variance keep scale 1). */
    public Standardization fitStandardization() {
        double[] sum = new double[features];
        double[] sq = new double[features];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < features; j++) {
                double v = x[i * features + j];
                sum[j] += v;
                sq[j] += v * v;
            }
        }
        float[] mean = new float[features];
        float[] inv = new float[features];
        for (int j = 0; j < features; j++) {
            double m = sum[j] / size();
            double var = Math.max(0, sq[j] / size() - m * m);
            mean[j] = (float) m;
            inv[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
        return new Standardization(mean, inv);
    }

    /** (x − mean)·invStd per feature. */
    public Dataset standardized(Standardization s) {
        if (s.mean().length != features) {
            throw new IllegalArgumentException(name + ": standardization for " + s.mean().length + " features, dataset has " + features);
        }
        float[] nx = new float[x.length];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < features; j++) {
                nx[i * features + j] = (x[i * features + j] - s.mean()[j]) * s.inverseStd()[j];
            }
        }
        return new Dataset(name, nx, features, labels, classes);
    }

    /** Every value multiplied by {@code factor} (e.g. 1/255 for bytes, 1/16 for the digits). */
    public Dataset scaled(float factor) {
        float[] nx = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            nx[i] = x[i] * factor;
        }
        return new Dataset(name, nx, features, labels, classes);
    }

    /**
     * Copies the samples {@code order[from..from+rows)} into {@code batch} (rows × features) and their
     * one-hot labels into {@code oneHot} (rows × classes). Allocates nothing.
     */
    public void gather(int[] order, int from, int rows, Matrix batch, Matrix oneHot) {
        float[] b = batch.data();
        float[] t = oneHot.data();
        Arrays.fill(t, 0, rows * classes, 0f);
        for (int r = 0; r < rows; r++) {
            int i = order[from + r];
            System.arraycopy(x, i * features, b, r * features, features);
            t[r * classes + labels[i]] = 1f;
        }
    }

    @Override
    public String toString() {
        return name + " (" + size() + " samples × " + features + " features, " + classes + " classes)";
    }
}
