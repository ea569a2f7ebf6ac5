package io.vecnn.train.cli;

import io.vecnn.api.Matrix;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.train.Dataset;
import io.vecnn.api.internal.AtomicWrite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code predict}: class probabilities of the user's samples (or of the test split), as CSV with the class names. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Class probabilities of new samples (--input, a CSV file with or without a label column) or of the "
                + "model's test split, as CSV: row, label (if known), predicted class, one probability per class.")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE",
            description = "A CSV file of samples: the training file's feature columns, with or without its label column "
                    + "(found out; or say --label / --no-label). Standardised as in training.")
    Path input;

    @Option(names = "--no-label", description = "The --input file has no label column: every column is a feature.")
    boolean noLabel;

    @CommandLine.Mixin
    CsvOptions csv;

    @Option(names = "--data", paramLabel = "SOURCE",
            description = "Without --input: where the training data are now, if moved (default: where the model records them).")
    String data;

    @Option(names = "--count", paramLabel = "N", converter = Values.PositiveInt.class,
            description = "Predict only the first N samples (default: every row of --input, 10 of the test split).")
    Integer count;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions to this file (replaced atomically) "
            + "instead of standard output.")
    Path out;

    /** Samples per forward pass. */
    private static final int CHUNK = 1024;

    @Override
    public Integer call() throws Exception {
        if (input != null && data != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--data and --input are exclusive");
        }
        if (input == null && (csv.given() || noLabel)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--label, --no-label, --header and --allow-non-finite describe an --input file");
        }
        if (noLabel && csv.label != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--label and --no-label are exclusive");
        }
        if (out != null) {
            requireNotOverwriting(out, model, "the model");
            if (input != null) {
                requireNotOverwriting(out, input, "the input file");
            }
        }
        SavedModel saved = SavedModel.load(model);
        Matrix x;
        Dataset labelled;
        String rowName;
        int first;
        if (input != null) {
            InputFile.Samples s = InputFile.read(input, csv, noLabel ? Boolean.FALSE : csv.label != null ? Boolean.TRUE : null, saved);
            x = s.features();
            labelled = s.labelled();
            rowName = "row";
            first = 1;
        } else {
            labelled = saved.recordedSplits(data).test();
            TrainCommand.requireFits(saved.model(), labelled, model.toString());
            x = labelled.features(0, Math.min(count != null ? count : 10, labelled.size()));
            rowName = "sample";
            first = 0;
        }
        int n = Math.min(x.rows(), count != null ? count : Integer.MAX_VALUE);
        Matrix p = probabilities(saved, x, n);
        List<String> classes = saved.classNames();
        if (out == null) {
            // Standard output stays open: the writer below is flushed, never closed.
            write(System.out, p, labelled, classes, rowName, first);
            System.out.flush();
        } else {
            AtomicWrite.write(out, o -> write(o, p, labelled, classes, rowName, first));
            System.out.printf(Locale.ROOT, "%d predictions written to %s%n", n, out.toAbsolutePath());
        }
        return 0;
    }

    private static void requireNotOverwriting(Path out, Path other, String what) throws IOException {
        boolean same = Files.exists(out) && Files.exists(other) ? Files.isSameFile(out, other)
                : out.toAbsolutePath().normalize().equals(other.toAbsolutePath().normalize());
        if (same) {
            throw new IllegalArgumentException("--out " + out + " is " + what + ": predictions would replace it");
        }
    }

    /** Softmax of the model's outputs for the first {@code n} rows of {@code x}. */
    private static Matrix probabilities(SavedModel saved, Matrix x, int n) {
        int k = saved.model().outputSize();
        Matrix p = Matrix.zeros(n, k);
        Kernels kernels = Kernels.get();
        for (int from = 0; from < n; from += CHUNK) {
            int rows = Math.min(CHUNK, n - from);
            Matrix logits = saved.model().predict(x.rows(from, rows));
            Activations.softmax().forward(logits, p.rows(from, rows), kernels);
        }
        return p;
    }

    /** CSV: a header of the column names (the class names for the probabilities), then one line per sample. */
    private static void write(OutputStream o, Matrix p, Dataset labelled, List<String> classes, String rowName, int first)
            throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8));
        StringBuilder line = new StringBuilder(rowName);
        if (labelled != null) {
            line.append(",label");
        }
        line.append(",predicted");
        for (String c : classes) {
            line.append(',').append(quote(c));
        }
        w.write(line.append('\n').toString());
        for (int i = 0; i < p.rows(); i++) {
            line.setLength(0);
            line.append(first + i);
            if (labelled != null) {
                line.append(',').append(quote(classes.get(labelled.label(i))));
            }
            line.append(',').append(quote(classes.get(p.argMax(i))));
            for (int j = 0; j < p.cols(); j++) {
                line.append(',').append(String.format(Locale.ROOT, "%.6f", p.get(i, j)));
            }
            w.write(line.append('\n').toString());
        }
        w.flush();
    }

    /** A CSV field: quoted (quotes doubled) when it holds a separator, a quote, a line break or surrounding blanks. */
    static String quote(String s) {
        boolean plain = !s.isEmpty() && s.strip().equals(s) && s.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
        return plain ? s : '"' + s.replace("\"", "\"\"") + '"';
    }
}
