package io.vecnn.train;

import io.vecnn.api.Matrix;
import io.vecnn.api.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An in-memory dataset: n samples, each with features and a target.
 *
 * <ul>
 * <li><b>Features</b> of a {@link Shape} per sample (row-major, images NCHW), stored as floats, as
 *     bytes with a scale (IDX images: a quarter of the memory, converted while batches are
 *     gathered) or as integer ids (tokens, categories; handed to the model as exact float values,
 *     so ids must be below 2<sup>24</sup>).</li>
 * <li><b>Targets</b>: a class label per sample ({@link Task#CLASSIFICATION}, batches get one-hot
 *     rows), float values ({@link Task#REGRESSION}, one or several outputs) or 0/1 flags
 *     ({@link Task#MULTI_LABEL}).</li>
 * </ul>
 *
 * <p>Immutable. {@link #subset} and {@link #split} return views that share the arrays (an index of
 * rows, no copy), so a training/validation split does not hold the data twice; transformations
 * ({@link #standardized}, {@link #scaled}) return new datasets with new feature arrays.
 */
public final class Dataset {
    /** What the targets are. */
    public enum Task {
        /** One class label per sample; the model outputs one score per class. */
        CLASSIFICATION,
        /** Float targets, one per model output. */
        REGRESSION,
        /** 0/1 flags, one per model output (several may be set). */
        MULTI_LABEL
    }

    /** The largest id that float batches carry exactly. */
    public static final int MAX_ID = 1 << 24;

    private final String name;
    private final Shape shape;
    private final int features;
    private final Store store;
    private final Task task;
    private final int[] labels;
    private final int classes;
    private final List<String> classNames;
    private final float[] targets;
    private final int targetWidth;
    /** Row i of this dataset is row index[i] of the stores; null for the identity. */
    private final int[] index;
    private final int size;

    private Dataset(String name, Shape shape, Store store, Task task, int[] labels, int classes, List<String> classNames,
                    float[] targets, int targetWidth, int[] index, int size) {
        this.name = name;
        this.shape = shape;
        this.features = shape.size();
        this.store = store;
        this.task = task;
        this.labels = labels;
        this.classes = classes;
        this.classNames = classNames;
        this.targets = targets;
        this.targetWidth = targetWidth;
        this.index = index;
        this.size = size;
    }

    private Dataset with(String newName, Store newStore, int[] newIndex, int newSize) {
        return new Dataset(newName, shape, newStore, task, labels, classes, classNames, targets, targetWidth, newIndex, newSize);
    }

    /**
     * A classification dataset over the given arrays (not copied: the caller hands them over).
     *
     * @param name the dataset's name, for messages
     * @param x the features, {@code features} per sample, row-major
     * @param features the number of features per sample
     * @param labels the class of each sample
     * @param classes the number of classes
     * @return the dataset
     * @throws IllegalArgumentException if sizes disagree or a label is outside 0..classes−1 (naming the row)
     */
    public static Dataset of(String name, float[] x, int features, int[] labels, int classes) {
        if (features < 1) {
            throw new IllegalArgumentException(name + ": need >= 1 feature, got " + features);
        }
        return builder(name).features(Shape.of(features), x).labels(labels, classes).build();
    }

    /**
     * A builder: features (floats, bytes or ids), then targets (labels, float targets or flags).
     *
     * @param name the dataset's name, for messages
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(Objects.requireNonNull(name, "name"));
    }

    /**
     * The dataset's name, for messages and reports.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Number of samples.
     *
     * @return the number of samples
     */
    public int size() {
        return size;
    }

    /**
     * Values per sample.
     *
     * @return the number of feature values per sample
     */
    public int features() {
        return features;
    }

    /**
     * The shape of one sample's features.
     *
     * @return the feature shape
     */
    public Shape featureShape() {
        return shape;
    }

    /**
     * What the targets are.
     *
     * @return classification, regression or multi-label
     */
    public Task task() {
        return task;
    }

    /**
     * Whether the features are integer ids.
     *
     * @return true for id features
     */
    public boolean hasIds() {
        return store instanceof Ids;
    }

    /**
     * Width of a batch's target rows: classes (one-hot) for classification, else outputs.
     *
     * @return the target width
     */
    public int targetWidth() {
        return targetWidth;
    }

    /**
     * Number of classes.
     *
     * @return the number of classes
     * @throws IllegalStateException unless this is a classification dataset
     */
    public int classes() {
        requireClassification();
        return classes;
    }

    /**
     * The class names, index = label (by default "0", "1", …).
     *
     * @return the class names (unmodifiable)
     */
    public List<String> classNames() {
        requireClassification();
        return classNames;
    }

    /**
     * The label of sample i.
     *
     * @param i the sample's index
     * @return its class
     */
    public int label(int i) {
        requireClassification();
        return labels[row(i)];
    }

    /**
     * Target j of sample i (for classification, 1 for its class and 0 otherwise).
     *
     * @param i the sample's index
     * @param j the target's index, in [0, {@link #targetWidth()})
     * @return the target value
     */
    public float target(int i, int j) {
        Objects.checkIndex(j, targetWidth);
        int r = row(i);
        return task == Task.CLASSIFICATION ? (labels[r] == j ? 1f : 0f) : targets[r * targetWidth + j];
    }

    private void requireClassification() {
        if (task != Task.CLASSIFICATION) {
            throw new IllegalStateException(name + " is a " + task.name().toLowerCase(java.util.Locale.ROOT)
                    + " dataset: it has no class labels");
        }
    }

    private int row(int i) {
        Objects.checkIndex(i, size);
        return index == null ? i : index[i];
    }

    /**
     * A copy of sample i's features.
     *
     * @param i the sample's index
     * @return its features, copied
     */
    public float[] sample(int i) {
        float[] out = new float[features];
        store.copyRow(row(i), out, 0);
        return out;
    }

    /**
     * Samples {@code from .. to)} as a new matrix.
     *
     * @param from the first sample
     * @param to the end of the range (exclusive)
     * @return a {@code (to − from) × features} matrix
     */
    public Matrix features(int from, int to) {
        Objects.checkFromToIndex(from, to, size);
        Matrix m = Matrix.zeros(to - from, features);
        for (int i = from; i < to; i++) {
            store.copyRow(row(i), m.data(), (i - from) * features);
        }
        return m;
    }

    /**
     * The same samples under another name (the arrays are shared: datasets are immutable).
     *
     * @param newName the new name
     * @return the renamed dataset
     */
    public Dataset named(String newName) {
        return with(Objects.requireNonNull(newName, "name"), store, index, size);
    }

    /**
     * The samples at the given indices, in that order: a view sharing this dataset's arrays.
     *
     * @param newName the subset's name
     * @param indices the samples' indices
     * @return the subset
     */
    public Dataset subset(String newName, int[] indices) {
        int[] rows = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            rows[i] = row(indices[i]);
        }
        return with(Objects.requireNonNull(newName, "name"), store, rows, rows.length);
    }

    /**
     * A seeded random split: the first part gets {@code 1 − fraction} of the samples (views, no
     * copy).
     *
     * @param fraction the share of the second part, in (0, 1)
     * @param seed the seed of the shuffle
     * @return the two parts
     */
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

    /**
     * Two parts of a dataset.
     *
     * @param first the first part
     * @param second the second part
     */
    public record Split(Dataset first, Dataset second) {
    }

    /** Fisher–Yates permutation of 0..n−1 from the generator. */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    /** Fisher–Yates shuffle in place. */
    static void shuffle(int[] p, SplittableRandom random) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    /**
     * Per-feature mean and 1/std, fitted on one dataset (the training split) and applied to others;
     * checkpoints store it so that evaluation and prediction apply the same transformation.
     *
     * @param mean the mean of each feature
     * @param inverseStd the reciprocal of each feature's standard deviation
     */
    public record Standardization(float[] mean, float[] inverseStd) {
        /** Copies the arrays; both must have the same length. */
        public Standardization {
            if (mean.length != inverseStd.length) {
                throw new IllegalArgumentException("standardization: " + mean.length + " means, " + inverseStd.length + " scales");
            }
            mean = mean.clone();
            inverseStd = inverseStd.clone();
        }

        /**
         * The mean of each feature.
         *
         * @return the means, copied
         */
        @Override
        public float[] mean() {
            return mean.clone();
        }

        /**
         * The reciprocal of each feature's standard deviation (1 for a constant feature).
         *
         * @return the scales, copied
         */
        @Override
        public float[] inverseStd() {
            return inverseStd.clone();
        }

        /**
         * Applies (x − mean)·invStd in place to {@code rows} samples of {@code x}.
         *
         * @param x the features, row-major
         * @param offset the index of the first sample's first feature
         * @param rows the number of samples
         */
        public void apply(float[] x, int offset, int rows) {
            int f = mean.length;
            for (int r = 0; r < rows; r++) {
                int o = offset + r * f;
                for (int j = 0; j < f; j++) {
                    x[o + j] = (x[o + j] - mean[j]) * inverseStd[j];
                }
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Standardization s && Arrays.equals(mean, s.mean) && Arrays.equals(inverseStd, s.inverseStd);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(mean) + Arrays.hashCode(inverseStd);
        }
    }

    /**
     * Fits a standardization on this dataset (features with zero variance keep scale 1).
     *
     * @return the fitted standardization
     */
    public Standardization fitStandardization() {
        requireValues("standardize");
        double[] sum = new double[features];
        double[] sq = new double[features];
        float[] row = new float[features];
        for (int i = 0; i < size; i++) {
            store.copyRow(row(i), row, 0);
            for (int j = 0; j < features; j++) {
                double v = row[j];
                sum[j] += v;
                sq[j] += v * v;
            }
        }
        float[] mean = new float[features];
        float[] inv = new float[features];
        for (int j = 0; j < features; j++) {
            double m = sum[j] / size;
            double var = Math.max(0, sq[j] / size - m * m);
            mean[j] = (float) m;
            inv[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
        return new Standardization(mean, inv);
    }

    /**
     * (x − mean)·invStd per feature, into new float features.
     *
     * @param s the standardization
     * @return the standardized dataset
     */
    public Dataset standardized(Standardization s) {
        requireValues("standardize");
        if (s.mean.length != features) {
            throw new IllegalArgumentException(name + ": standardization for " + s.mean.length + " features, dataset has " + features);
        }
        float[] nx = materialize();
        s.apply(nx, 0, size);
        return compacted(new Floats(nx, features));
    }

    /**
     * Every value multiplied by {@code factor} (e.g. 1/255 for bytes, 1/16 for the digits), into
     * new float features.
     *
     * @param factor the scale
     * @return the scaled dataset
     */
    public Dataset scaled(float factor) {
        requireValues("scale");
        float[] nx = materialize();
        for (int i = 0; i < nx.length; i++) {
            nx[i] *= factor;
        }
        return compacted(new Floats(nx, features));
    }

    private void requireValues(String what) {
        if (store instanceof Ids) {
            throw new IllegalStateException(name + ": cannot " + what + " integer ids");
        }
    }

    private float[] materialize() {
        float[] nx = new float[Math.multiplyExact(size, features)];
        for (int i = 0; i < size; i++) {
            store.copyRow(row(i), nx, i * features);
        }
        return nx;
    }

    // A dataset over new features in this dataset's row order; targets follow through the index.
    private Dataset compacted(Store newStore) {
        if (index == null) {
            return with(name, newStore, null, size);
        }
        int[] l = labels == null ? null : new int[size];
        float[] t = targets == null ? null : new float[size * targetWidth];
        for (int i = 0; i < size; i++) {
            if (l != null) {
                l[i] = labels[index[i]];
            }
            if (t != null) {
                System.arraycopy(targets, index[i] * targetWidth, t, i * targetWidth, targetWidth);
            }
        }
        return new Dataset(name, shape, newStore, task, l, classes, classNames, t, targetWidth, null, size);
    }

    /**
     * Copies the samples {@code order[from..from+rows)} into {@code batch} (rows × features) and
     * their targets into {@code target} (rows × {@link #targetWidth()}: one-hot rows for
     * classification). Allocates nothing.
     *
     * @param order sample indices
     * @param from the first position in {@code order}
     * @param rows the number of samples
     * @param batch where the features are written
     * @param target where the targets are written
     */
    public void gather(int[] order, int from, int rows, Matrix batch, Matrix target) {
        float[] b = batch.data();
        int bo = batch.offset();
        float[] t = target.data();
        int to = target.offset();
        int w = targetWidth;
        if (task == Task.CLASSIFICATION) {
            Arrays.fill(t, to, to + rows * w, 0f);
        }
        for (int r = 0; r < rows; r++) {
            int i = row(order[from + r]);
            store.copyRow(i, b, bo + r * features);
            if (task == Task.CLASSIFICATION) {
                t[to + r * w + labels[i]] = 1f;
            } else {
                System.arraycopy(targets, i * w, t, to + r * w, w);
            }
        }
    }

    @Override
    public String toString() {
        String targetText = switch (task) {
            case CLASSIFICATION -> classes + " classes";
            case REGRESSION -> targetWidth + (targetWidth == 1 ? " regression target" : " regression targets");
            case MULTI_LABEL -> targetWidth + " labels (multi-label)";
        };
        return name + " (" + size + " samples × " + shape + (hasIds() ? " ids" : " features") + ", " + targetText + ")";
    }

    // ------------------------------------------------------------------------------- storage

    /** Sample values, row by row. */
    private sealed interface Store permits Floats, Bytes, Ids {
        void copyRow(int row, float[] dst, int off);
    }

    private record Floats(float[] x, int width) implements Store {
        @Override
        public void copyRow(int row, float[] dst, int off) {
            System.arraycopy(x, row * width, dst, off, width);
        }
    }

    private record Bytes(byte[] x, int width, float scale) implements Store {
        @Override
        public void copyRow(int row, float[] dst, int off) {
            int o = row * width;
            for (int j = 0; j < width; j++) {
                dst[off + j] = (x[o + j] & 0xFF) * scale;
            }
        }
    }

    private record Ids(int[] x, int width) implements Store {
        @Override
        public void copyRow(int row, float[] dst, int off) {
            int o = row * width;
            for (int j = 0; j < width; j++) {
                dst[off + j] = x[o + j];
            }
        }
    }

    /** Builds a {@link Dataset}: one call for the features, one for the targets. Arrays are handed over, not copied. */
    public static final class Builder {
        private final String name;
        private Shape shape;
        private Store store;
        private int storedValues;
        private Task task;
        private int[] labels;
        private int classes;
        private List<String> classNames;
        private float[] targets;
        private int targetWidth;

        private Builder(String name) {
            this.name = name;
        }

        private void setFeatures(Shape s, Store st, int length) {
            if (store != null) {
                throw new IllegalStateException(name + ": features given twice");
            }
            shape = Objects.requireNonNull(s, "shape");
            store = st;
            if (length % s.size() != 0) {
                throw new IllegalArgumentException(name + ": " + length + " feature values are not a multiple of the "
                        + s.size() + " per sample of shape " + s);
            }
            storedValues = length;
        }

        /**
         * Float features of this shape per sample, row-major.
         *
         * @param s the shape of one sample
         * @param x the features (kept, not copied)
         * @return this builder
         */
        public Builder features(Shape s, float[] x) {
            setFeatures(s, new Floats(x, s.size()), x.length);
            return this;
        }

        /**
         * Unsigned byte features of this shape, each read as {@code (b & 0xFF) · scale}.
         *
         * @param s the shape of one sample
         * @param x the features (kept, not copied)
         * @param scale the factor applied to each byte
         * @return this builder
         */
        public Builder bytes(Shape s, byte[] x, float scale) {
            if (!Float.isFinite(scale)) {
                throw new IllegalArgumentException(name + ": byte scale must be finite, got " + scale);
            }
            setFeatures(s, new Bytes(x, s.size(), scale), x.length);
            return this;
        }

        /**
         * Integer ids, {@code perSample} per sample, each in 0..{@link #MAX_ID}−1.
         *
         * @param perSample the number of ids per sample
         * @param x the ids (kept, not copied)
         * @return this builder
         */
        public Builder ids(int perSample, int[] x) {
            for (int i = 0; i < x.length; i++) {
                if (x[i] < 0 || x[i] >= MAX_ID) {
                    throw new IllegalArgumentException(name + ": id " + x[i] + " of sample " + i / Math.max(1, perSample)
                            + " is outside 0.." + (MAX_ID - 1));
                }
            }
            setFeatures(Shape.of(perSample), new Ids(x, perSample), x.length);
            return this;
        }

        private void setTask(Task t) {
            if (task != null) {
                throw new IllegalStateException(name + ": targets given twice");
            }
            task = t;
        }

        /**
         * Class labels in 0..classes−1, named "0", "1", ….
         *
         * @param l the labels (kept, not copied)
         * @param k the number of classes
         * @return this builder
         */
        public Builder labels(int[] l, int k) {
            return labels(l, k, null);
        }

        /**
         * Class labels in 0..classes−1 with their names (index = label), or null for "0", "1", ….
         *
         * @param l the labels (kept, not copied)
         * @param k the number of classes
         * @param names the class names, or null
         * @return this builder
         */
        public Builder labels(int[] l, int k, List<String> names) {
            setTask(Task.CLASSIFICATION);
            if (k < 2) {
                throw new IllegalArgumentException(name + ": need >= 2 classes, got " + k);
            }
            for (int i = 0; i < l.length; i++) {
                if (l[i] < 0 || l[i] >= k) {
                    throw new IllegalArgumentException(name + ": label " + l[i] + " of sample " + i + " is outside 0.." + (k - 1));
                }
            }
            if (names != null && names.size() != k) {
                throw new IllegalArgumentException(name + ": " + names.size() + " class names for " + k + " classes");
            }
            List<String> n = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                n.add(names == null ? String.valueOf(i) : Objects.requireNonNull(names.get(i), "class name " + i));
            }
            labels = l;
            classes = k;
            classNames = List.copyOf(n);
            targetWidth = k;
            return this;
        }

        /**
         * Float regression targets, {@code width} per sample, finite.
         *
         * @param t the targets (kept, not copied)
         * @param width the number of targets per sample
         * @return this builder
         */
        public Builder targets(float[] t, int width) {
            setTask(Task.REGRESSION);
            setTargets(t, width, false);
            return this;
        }

        /**
         * Multi-label flags (0 or 1), {@code width} per sample.
         *
         * @param t the flags (kept, not copied)
         * @param width the number of flags per sample
         * @return this builder
         */
        public Builder multiLabel(float[] t, int width) {
            setTask(Task.MULTI_LABEL);
            setTargets(t, width, true);
            return this;
        }

        private void setTargets(float[] t, int width, boolean flags) {
            if (width < 1 || t.length % width != 0) {
                throw new IllegalArgumentException(name + ": " + t.length + " target values do not make rows of " + width);
            }
            for (int i = 0; i < t.length; i++) {
                boolean ok = flags ? (t[i] == 0f || t[i] == 1f) : Float.isFinite(t[i]);
                if (!ok) {
                    throw new IllegalArgumentException(name + ": target " + i % width + " of sample " + i / width + " is " + t[i]
                            + (flags ? "; multi-label targets are 0 or 1" : "; targets must be finite"));
                }
            }
            targets = t;
            targetWidth = width;
        }

        /**
         * The dataset.
         *
         * @return the dataset
         * @throws IllegalStateException    if features or targets are missing
         * @throws IllegalArgumentException if the number of samples differs between them
         */
        public Dataset build() {
            if (store == null || task == null) {
                throw new IllegalStateException(name + ": a dataset needs features and targets");
            }
            int n = storedValues / shape.size();
            int targetRows = task == Task.CLASSIFICATION ? labels.length : targets.length / targetWidth;
            if (targetRows != n) {
                throw new IllegalArgumentException(name + ": " + targetRows + " targets for " + n + " samples of "
                        + shape.size() + " values (" + storedValues + " values given)");
            }
            return new Dataset(name, shape, store, task, labels, classes, classNames, targets, targetWidth, null, n);
        }
    }
}
