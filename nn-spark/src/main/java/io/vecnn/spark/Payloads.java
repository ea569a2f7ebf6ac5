package io.vecnn.spark;

import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.train.Checkpoint;
import io.vecnn.train.Dataset;
import io.vecnn.train.Trainer;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What travels to the workers: a model as vecnn checkpoint bytes, a dataset as plain arrays. */
final class Payloads {
    private Payloads() {
    }

    /** The model (structure and weights) and a trainer's state as checkpoint bytes. */
    static byte[] modelBytes(Model model, TrainerSetup setup) {
        Trainer t = setup.configure(model).build();
        try {
            Path tmp = Files.createTempFile("vecnn-spark-model", ".ckpt");
            try {
                Checkpoint.save(tmp, model, t.optimizer(), t.state());
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the model for the workers: " + e.getMessage(), e);
        }
    }

    /** Loads checkpoint bytes (as {@link #modelBytes} writes them). */
    static Checkpoint.Loaded load(byte[] bytes) {
        try {
            Path tmp = Files.createTempFile("vecnn-spark-model", ".ckpt");
            try {
                Files.write(tmp, bytes);
                return Checkpoint.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model sent to this worker: " + e.getMessage(), e);
        }
    }

    /** Copies every parameter value of {@code from} into the same-shaped parameters of {@code to}. */
    static void copyParameters(Model from, Model to) {
        List<Parameter> a = from.parameters();
        List<Parameter> b = to.parameters();
        if (a.size() != b.size()) {
            throw new IllegalStateException("the trained model has " + a.size() + " parameters, the target " + b.size());
        }
        for (int i = 0; i < a.size(); i++) {
            b.get(i).value().copyFrom(a.get(i).value());
        }
        List<io.vecnn.api.Node.Buffer> fa = from.buffers();
        List<io.vecnn.api.Node.Buffer> fb = to.buffers();
        for (int i = 0; i < Math.min(fa.size(), fb.size()); i++) {
            fb.get(i).value().copyFrom(fa.get(i).value());
        }
    }

    /** Java-serializes a small value (score statistics). */
    static byte[] serialize(Serializable value) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #serialize} wrote. */
    static <T> T deserialize(byte[] bytes, Class<T> type) {
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return type.cast(in.readObject());
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot read a worker's message: " + e, e);
        }
    }

    /**
     * A dataset's samples as float rows and its targets, enough to rebuild an equal dataset.
     *
     * @param name        the dataset's name
     * @param shape       a sample's shape
     * @param features    the samples, row-major
     * @param task        classification, regression or multi-label
     * @param labels      class labels (classification), else null
     * @param classes     the class count (classification)
     * @param classNames  class names, or empty
     * @param targets     targets, row-major (regression, multi-label), else null
     * @param targetWidth the width of a target row
     */
    record DatasetPayload(String name, int[] shape, float[] features, Dataset.Task task, int[] labels, int classes,
                          List<String> classNames, float[] targets, int targetWidth) implements Serializable {

        static DatasetPayload of(Dataset d) {
            int n = d.size();
            int f = d.features();
            float[] x = new float[Math.multiplyExact(n, f)];
            for (int i = 0; i < n; i++) {
                System.arraycopy(d.sample(i), 0, x, i * f, f);
            }
            if (d.task() == Dataset.Task.CLASSIFICATION) {
                int[] l = new int[n];
                for (int i = 0; i < n; i++) {
                    l[i] = d.label(i);
                }
                List<String> names = d.classNames() == null ? List.of() : List.copyOf(d.classNames());
                return new DatasetPayload(d.name(), d.featureShape().dims(), x, d.task(), l, d.classes(), names, null,
                        d.targetWidth());
            }
            int w = d.targetWidth();
            float[] t = new float[Math.multiplyExact(n, w)];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < w; j++) {
                    t[i * w + j] = d.target(i, j);
                }
            }
            return new DatasetPayload(d.name(), d.featureShape().dims(), x, d.task(), null, 0, List.of(), t, w);
        }

        Dataset toDataset() {
            Dataset.Builder b = Dataset.builder(name).features(Shape.of(shape), features);
            switch (task) {
                case CLASSIFICATION -> {
                    if (classNames.isEmpty()) {
                        b.labels(labels, classes);
                    } else {
                        b.labels(labels, classes, classNames);
                    }
                }
                case REGRESSION -> b.targets(targets, targetWidth);
                case MULTI_LABEL -> b.multiLabel(targets, targetWidth);
            }
            return b.build();
        }
    }
}
