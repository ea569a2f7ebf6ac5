package io.vecnn.train.cli;

import io.vecnn.api.Model;
import io.vecnn.train.Checkpoint;
import io.vecnn.train.Dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model saved by {@code train}, with what its checkpoint records about its data: the classes, the
 * standardization and the split, so that evaluation and prediction see what training saw.
 *
 * @param provenance the record of its training data, or null for a model saved by library code
 */
record SavedModel(Path file, Checkpoint.Loaded loaded, TrainingData.Provenance provenance) {
    /** The fallback plan for a model without a record: the command line's defaults before records existed. */
    private static final long DEFAULT_SEED = 42;

    static SavedModel load(Path file) throws IOException {
        Checkpoint.Loaded l = Checkpoint.load(file);
        TrainingData.Provenance p = TrainingData.Provenance.of(l.extras(), file);
        if (p != null && p.classNames().size() != l.model().outputSize()) {
            throw new IllegalArgumentException(file + ": the metadata name " + p.classNames().size() + " classes, the model has "
                    + l.model().outputSize() + " outputs");
        }
        return new SavedModel(file, l, p);
    }

    Model model() {
        return loaded.model();
    }

    /** The class of each output: recorded, or "0", "1", … */
    List<String> classNames() {
        if (provenance != null) {
            return provenance.classNames();
        }
        List<String> n = new ArrayList<>();
        for (int i = 0; i < model().outputSize(); i++) {
            n.add(Integer.toString(i));
        }
        return n;
    }

    /** The standardization training fitted, or null. */
    Dataset.Standardization standardization() {
        return provenance == null ? null : provenance.standardization();
    }

    /**
     * The training run's splits of its data, from {@code data} if given (they must be the recorded
     * data) or from the recorded location.
     */
    TrainingData.Splits recordedSplits(String data) throws IOException {
        if (provenance == null) {
            if (data == null) {
                throw new IllegalArgumentException(file + " records no training data (it was not saved by train): pass --data "
                        + "SOURCE for its test split, or --input FILE");
            }
            TrainingData.Source s = TrainingData.Source.of(data, io.vecnn.train.Csv.Header.DETECT, null, false);
            System.out.println("note: " + file + " records no training data; using the test split of " + s.shortName()
                    + " with seed " + DEFAULT_SEED + ", features as read");
            return TrainingData.prepare(s, TrainingData.Plan.of(s, TrainCommand.DEFAULT_VALIDATION, DEFAULT_SEED, false), null,
                    file.toString());
        }
        TrainingData.Source s = data == null ? provenance.source() : provenance.source().at(data);
        try {
            return TrainingData.prepare(s, provenance.plan(), provenance, file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            if (data == null) {
                throw new java.nio.file.NoSuchFileException(e.getFile(), null, (e.getReason() == null ? "no such file" : e.getReason())
                        + " (the data " + file + " was trained on; pass --data with the same data where they are now)");
            }
            throw e;
        }
    }
}
