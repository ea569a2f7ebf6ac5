package io.vecnn.train.cli;

import io.vecnn.api.Matrix;
import io.vecnn.train.Csv;
import io.vecnn.train.Dataset;
import io.vecnn.train.MalformedDataException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A CSV file of the user's own samples for a saved model ({@code --input}): with or without a label
 * column, checked against what the model was trained on (number of features, the header's column
 * names, the class names) and standardised as training did.
 */
final class InputFile {
    private InputFile() {
    }

    /**
     * Samples read from an input file.
     *
     * @param features the samples, standardised as in training
     * @param labelled the same samples with their labels (standardised), or null if the file has no label column
     */
    record Samples(Matrix features, Dataset labelled) {
        int size() {
            return features.rows();
        }
    }

    /**
     * Reads {@code file} for {@code model}.
     *
     * @param labelled true: the file has a label column; false: it has none; null: found out (a label
     *                 column where training had it, else none)
     */
    static Samples read(Path file, CsvOptions options, Boolean labelled, SavedModel model) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        int features = model.model().inputSize();
        TrainingData.Source trained = model.provenance() == null ? null : model.provenance().source();
        String label = options.label != null ? options.label
                : trained != null && trained.kind() == TrainingData.Kind.CSV ? trained.label() : null;
        Csv.Options base = TrainingData.Source.csvOptions(options.headerRule(), null, options.allowNonFinite);
        if (Boolean.FALSE.equals(labelled)) {
            return unlabelled(file, Csv.readFeatures(file, base), features, model);
        }
        if (label != null && !label.matches("[0-9]{1,9}") && options.headerRule() == Csv.Header.ABSENT) {
            throw new IllegalArgumentException(file + ": the label column is named '" + label + "', but --no-header says the file "
                    + "has no header: give --label INDEX" + (labelled == null ? " or --no-label" : ""));
        }
        Csv.Options withLabel = TrainingData.Source.csvOptions(options.headerRule(), label, options.allowNonFinite)
                .withClassNames(model.classNames());
        return Boolean.TRUE.equals(labelled) ? labelled(file, Csv.read(file, withLabel), features, model)
                : found(file, base, withLabel, features, model);
    }

    /** A label column where training had one if that reading fits the model, else none. */
    private static Samples found(Path file, Csv.Options base, Csv.Options withLabel, int features, SavedModel model)
            throws IOException {
        Csv.Table t;
        try {
            t = Csv.read(file, withLabel);
        } catch (MalformedDataException asLabelled) {
            Csv.Features f;
            try {
                f = Csv.readFeatures(file, base);
            } catch (MalformedDataException asFeatures) {
                String a = asLabelled.getMessage();
                String b = asFeatures.getMessage();
                throw new MalformedDataException(a.equals(b) ? a : a + " (read with a label column; without one: " + b + ")", asLabelled);
            }
            return unlabelled(file, f, features, model);   // it reads only without a label column: checked as such
        }
        // A file without a label column may still parse with one (its last feature taken for labels): one feature short.
        if (t.dataset().features() == features - 1) {
            return unlabelled(file, Csv.readFeatures(file, base), features, model);
        }
        return labelled(file, t, features, model);
    }

    private static Samples labelled(Path file, Csv.Table t, int features, SavedModel model) throws IOException {
        Dataset d = t.dataset();
        requireFeatures(file, d.features(), features, t.featureNames(), model, " besides the label");
        Dataset.Standardization s = model.standardization();
        if (s != null) {
            d = d.standardized(s);
        }
        return new Samples(d.features(0, d.size()), d);
    }

    private static Samples unlabelled(Path file, Csv.Features f, int features, SavedModel model) throws IOException {
        Matrix x = f.values();
        requireFeatures(file, x.cols(), features, f.names(), model, "");
        Dataset.Standardization s = model.standardization();
        if (s != null) {
            s.apply(x.data(), x.offset(), x.rows());
        }
        return new Samples(x, null);
    }

    private static void requireFeatures(Path file, int found, int features, List<String> names, SavedModel model, String besides)
            throws MalformedDataException {
        if (found != features) {
            throw new MalformedDataException(file + ": " + found + " feature columns" + besides + "; " + model.file() + " takes "
                    + features + (besides.isEmpty() ? " (with a label column, " + (features + 1) + " columns)" : ""));
        }
        List<String> trained = model.provenance() == null ? List.of() : model.provenance().featureNames();
        if (!names.isEmpty() && !trained.isEmpty()) {
            for (int i = 0; i < features; i++) {
                if (!names.get(i).equals(trained.get(i))) {
                    throw new MalformedDataException(file + ": feature column " + (i + 1) + " is named '" + names.get(i) + "', "
                            + model.file() + " was trained with '" + trained.get(i) + "' there (its features in order: "
                            + abbreviate(trained) + ")");
                }
            }
        }
    }

    private static String abbreviate(List<String> names) {
        String all = String.join(", ", names.subList(0, Math.min(names.size(), 20)));
        return names.size() > 20 ? all + ", ..." : all;
    }
}
