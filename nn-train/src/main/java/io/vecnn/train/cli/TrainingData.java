package io.vecnn.train.cli;

import io.vecnn.api.Matrix;
import io.vecnn.train.Checkpoint;
import io.vecnn.train.Csv;
import io.vecnn.train.Dataset;
import io.vecnn.train.Datasets;
import io.vecnn.train.MalformedDataException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The data of a training run: where they come from, how they are read, split into training,
 * validation and test sets, and standardised. All of it is recorded in the checkpoint
 * ({@link Provenance}), so that {@code evaluate}, {@code predict} and {@code train --resume} see the
 * same test samples, transformed the same way, and refuse data that are not the ones recorded.
 */
final class TrainingData {
    /** The test share of the embedded digits and its seed: fixed, so every digits run has one test set. */
    static final double DIGITS_TEST_FRACTION = 0.2;
    static final long DIGITS_TEST_SEED = 1998;
    /** The test share of a CSV file (split with the run's seed). */
    static final double CSV_TEST_FRACTION = 0.2;

    private TrainingData() {
    }

    /** What kind of source. */
    enum Kind {
        DIGITS, FASHION_MNIST, IDX, CSV;

        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Kind of(String key, String where) throws MalformedDataException {
            for (Kind k : values()) {
                if (k.key().equals(key)) {
                    return k;
                }
            }
            throw new MalformedDataException(where + ": unknown data kind '" + key + "' in the metadata");
        }
    }

    /**
     * A data source and how to read it.
     *
     * @param location       the file or directory (absolute), or the name of a built-in set
     * @param header         CSV: whether the first line is a header
     * @param label          CSV: the label column's name or index (from 0), or null for the last
     * @param allowNonFinite CSV: whether nan and inf values are accepted
     */
    record Source(Kind kind, String location, Csv.Header header, String label, boolean allowNonFinite) {
        /** The source that {@code --data} names. */
        static Source of(String data, Csv.Header header, String label, boolean allowNonFinite) throws IOException {
            Kind kind;
            String location;
            switch (data.toLowerCase(Locale.ROOT)) {
                case "digits" -> {
                    kind = Kind.DIGITS;
                    location = "digits";
                }
                case "fashion-mnist" -> {
                    kind = Kind.FASHION_MNIST;
                    location = Datasets.FASHION_MNIST.toString();
                }
                default -> {
                    Path p = Path.of(data);
                    if (Files.isDirectory(p)) {
                        kind = Kind.IDX;
                    } else if (Files.exists(p)) {
                        kind = Kind.CSV;
                    } else {
                        throw new NoSuchFileException(data, null,
                                "no such file or directory (expected digits, fashion-mnist, an IDX directory or a CSV file)");
                    }
                    location = p.toAbsolutePath().normalize().toString();
                }
            }
            if (kind != Kind.CSV && (label != null || header != Csv.Header.DETECT || allowNonFinite)) {
                throw new IllegalArgumentException("--label, --header, --no-header and --allow-non-finite apply to CSV data, not to "
                        + data);
            }
            return new Source(kind, location, header, label, allowNonFinite);
        }

        /** This source at another location (the same kind and reading options). */
        Source at(String data) throws IOException {
            Source s = of(data, Csv.Header.DETECT, null, false);
            if (s.kind != kind) {
                throw new IllegalArgumentException(data + " is " + article(s.kind) + ", but the model was trained on " + article(kind)
                        + " (" + location + ")");
            }
            return new Source(kind, s.location, header, label, allowNonFinite);
        }

        private static String article(Kind k) {
            return switch (k) {
                case DIGITS -> "the embedded digits";
                case FASHION_MNIST -> "Fashion-MNIST";
                case IDX -> "an IDX directory";
                case CSV -> "a CSV file";
            };
        }

        /** A short name for runs/NAME and messages. */
        String shortName() {
            return switch (kind) {
                case DIGITS, FASHION_MNIST -> kind.key();
                default -> {
                    Path f = Path.of(location).getFileName();
                    yield f == null ? "data" : f.toString().replaceAll("[^A-Za-z0-9._-]", "_");
                }
            };
        }

        /** The CSV reading options. */
        Csv.Options csvOptions() {
            return csvOptions(header, label, allowNonFinite);
        }

        static Csv.Options csvOptions(Csv.Header header, String label, boolean allowNonFinite) {
            Csv.Options o = Csv.Options.defaults().withHeader(header).withAllowNonFinite(allowNonFinite);
            if (label == null) {
                return o;
            }
            if (label.matches("[0-9]{1,9}")) {
                return o.withLabelColumn(Integer.parseInt(label));
            }
            return o.withLabelName(label);
        }
    }

    /**
     * How the samples are split and transformed.
     *
     * @param testFraction       the share held out as the test set, or NaN when the source has its own test files
     * @param testSeed           the seed of that split
     * @param validationFraction the share of the rest held out for validation
     * @param validationSeed     the seed of that split
     * @param standardize        whether features are standardised (fitted on the training part alone)
     */
    record Plan(double testFraction, long testSeed, double validationFraction, long validationSeed, boolean standardize) {
        /** The plan of a new run on {@code source}. */
        static Plan of(Source source, double validation, long seed, boolean standardize) {
            return switch (source.kind()) {
                case DIGITS -> new Plan(DIGITS_TEST_FRACTION, DIGITS_TEST_SEED, validation, seed, standardize);
                case CSV -> new Plan(CSV_TEST_FRACTION, seed, validation, seed, standardize);
                case FASHION_MNIST, IDX -> new Plan(Double.NaN, 0, validation, seed, standardize);
            };
        }
    }

    /**
     * What a model was trained on, as its checkpoint records it.
     *
     * @param samples         samples in the source (all parts)
     * @param features        values per sample
     * @param fingerprint     CRC-32C of every feature value, label and class name, in order
     * @param classNames      the class of each model output
     * @param featureNames    CSV: the header's feature columns, or empty
     * @param standardization fitted on the training part, or null
     */
    record Provenance(Source source, Plan plan, int samples, int features, String fingerprint, List<String> classNames,
                      List<String> featureNames, Dataset.Standardization standardization) {
        Provenance {
            classNames = List.copyOf(classNames);
            featureNames = List.copyOf(featureNames);
        }

        private static final String MEAN = "standardize.mean";
        private static final String INVERSE_STD = "standardize.inverse_std";

        /** The checkpoint extras that record it. */
        Checkpoint.Extras toExtras() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("data.kind", source.kind().key());
            m.put("data.location", source.location());
            m.put("data.samples", Integer.toString(samples));
            m.put("data.features", Integer.toString(features));
            m.put("data.fingerprint", fingerprint);
            if (source.kind() == Kind.CSV) {
                m.put("csv.header", source.header().name().toLowerCase(Locale.ROOT));
                m.put("csv.label", source.label() == null ? "" : source.label());
                m.put("csv.allow_non_finite", Boolean.toString(source.allowNonFinite()));
            }
            m.put("split.test", Double.isNaN(plan.testFraction()) ? "files" : Double.toString(plan.testFraction()));
            m.put("split.test.seed", Long.toString(plan.testSeed()));
            m.put("split.validation", Double.toString(plan.validationFraction()));
            m.put("split.validation.seed", Long.toString(plan.validationSeed()));
            m.put("standardize", Boolean.toString(standardization != null));
            m.put("class.count", Integer.toString(classNames.size()));
            for (int i = 0; i < classNames.size(); i++) {
                m.put("class." + i, classNames.get(i));
            }
            m.put("feature.names", Integer.toString(featureNames.size()));
            for (int i = 0; i < featureNames.size(); i++) {
                m.put("feature." + i, featureNames.get(i));
            }
            Map<String, float[]> t = new LinkedHashMap<>();
            if (standardization != null) {
                t.put(MEAN, standardization.mean());
                t.put(INVERSE_STD, standardization.inverseStd());
            }
            return new Checkpoint.Extras(m, t);
        }

        /** What {@code extras} record, or null if they record no training data (a model saved by library code). */
        static Provenance of(Checkpoint.Extras extras, Path file) throws MalformedDataException {
            Map<String, String> m = extras.metadata();
            if (!m.containsKey("data.kind")) {
                return null;
            }
            Reader r = new Reader(m, file);
            Kind kind = Kind.of(r.text("data.kind"), file.toString());
            Source source = kind == Kind.CSV
                    ? new Source(kind, r.text("data.location"), header(r.text("csv.header"), file),
                            r.text("csv.label").isEmpty() ? null : r.text("csv.label"), Boolean.parseBoolean(r.text("csv.allow_non_finite")))
                    : new Source(kind, r.text("data.location"), Csv.Header.DETECT, null, false);
            String test = r.text("split.test");
            Plan plan = new Plan(test.equals("files") ? Double.NaN : r.number("split.test"), r.integer("split.test.seed"),
                    r.number("split.validation"), r.integer("split.validation.seed"), Boolean.parseBoolean(r.text("standardize")));
            List<String> classes = r.list("class", (int) r.integer("class.count"));
            List<String> names = r.list("feature", (int) r.integer("feature.names"));
            int features = (int) r.integer("data.features");
            Dataset.Standardization s = null;
            if (plan.standardize()) {
                float[] mean = extras.tensors().get(MEAN);
                float[] inv = extras.tensors().get(INVERSE_STD);
                if (mean == null || inv == null || mean.length != features || inv.length != features) {
                    throw new MalformedDataException(file + ": the metadata say the features are standardised, but the tensors "
                            + MEAN + " and " + INVERSE_STD + " of " + features + " values are missing");
                }
                s = new Dataset.Standardization(mean, inv);
            }
            return new Provenance(source, plan, (int) r.integer("data.samples"), features, r.text("data.fingerprint"), classes,
                    names, s);
        }

        private static Csv.Header header(String text, Path file) throws MalformedDataException {
            for (Csv.Header h : Csv.Header.values()) {
                if (h.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return h;
                }
            }
            throw new MalformedDataException(file + ": metadata csv.header is '" + text + "', not detect, present or absent");
        }

        /** Throws unless {@code read} are the samples recorded here. */
        void requireSame(Read read, Source where, String model) throws IOException {
            if (read.samples() != samples || read.features() != features || !read.fingerprint().equals(fingerprint)
                    || !read.classNames().equals(classNames)) {
                throw new MalformedDataException(where.location() + ": not the data " + model + " was trained on (it recorded "
                        + describe(samples, features, classNames.size(), fingerprint) + ", these are "
                        + describe(read.samples(), read.features(), read.classNames().size(), read.fingerprint()) + ")");
            }
        }

        private static String describe(int samples, int features, int classes, String fingerprint) {
            return String.format(Locale.ROOT, "%,d samples × %d features, %d classes, fingerprint %s", samples, features, classes,
                    fingerprint);
        }
    }

    /** Reads metadata values, naming the file and key when one is missing or malformed. */
    private record Reader(Map<String, String> m, Path file) {
        String text(String key) throws MalformedDataException {
            String v = m.get(key);
            if (v == null) {
                throw new MalformedDataException(file + ": metadata " + key + " is missing (the other data records are there)");
            }
            return v;
        }

        long integer(String key) throws MalformedDataException {
            String v = text(key);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new MalformedDataException(file + ": metadata " + key + " is '" + v + "', not an integer");
            }
        }

        double number(String key) throws MalformedDataException {
            String v = text(key);
            try {
                double d = Double.parseDouble(v);
                if (!(d > 0 && d < 1)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new MalformedDataException(file + ": metadata " + key + " is '" + v + "', not a fraction in (0, 1)");
            }
        }

        List<String> list(String prefix, int count) throws MalformedDataException {
            if (count < 0 || count > m.size()) {
                throw new MalformedDataException(file + ": metadata " + prefix + " count " + count + " does not match its entries");
            }
            List<String> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(text(prefix + "." + i));
            }
            return out;
        }
    }

    /** A source as read: one dataset, or a training and a test part (IDX), and the CSV header's feature names. */
    record Read(List<Dataset> parts, List<String> featureNames, String fingerprint) {
        int samples() {
            return parts.stream().mapToInt(Dataset::size).sum();
        }

        int features() {
            return parts.getFirst().features();
        }

        List<String> classNames() {
            return parts.getFirst().classNames();
        }
    }

    /** Reads a source. */
    static Read read(Source source) throws IOException {
        List<Dataset> parts;
        List<String> names = List.of();
        switch (source.kind()) {
            case DIGITS -> parts = List.of(Datasets.digits());
            case FASHION_MNIST -> {
                if (!Files.isDirectory(Datasets.FASHION_MNIST)) {
                    throw new IOException(Datasets.FASHION_MNIST + " does not exist: install Debian's dataset-fashion-mnist "
                            + "(apt-get install dataset-fashion-mnist) or pass --data DIR");
                }
                Datasets.TrainTest tt = Datasets.idxDirectory(Datasets.FASHION_MNIST);
                parts = List.of(tt.train(), tt.test());
            }
            case IDX -> {
                Datasets.TrainTest tt = Datasets.idxDirectory(Path.of(source.location()));
                parts = List.of(tt.train(), tt.test());
            }
            case CSV -> {
                Path p = Path.of(source.location());
                if (!Files.exists(p)) {
                    throw new NoSuchFileException(source.location(), null, "no such file");
                }
                Csv.Table t = Csv.read(p, source.csvOptions());
                parts = List.of(t.dataset());
                names = t.featureNames();
            }
            default -> throw new AssertionError(source.kind());
        }
        return new Read(parts, names, fingerprint(parts));
    }

    /** CRC-32C over every feature value (float bits), label and class name of the parts, in order. */
    static String fingerprint(List<Dataset> parts) {
        CRC32C crc = new CRC32C();
        int chunk = 1024;
        for (Dataset d : parts) {
            ByteBuffer bytes = ByteBuffer.allocate(4 * chunk * d.features()).order(ByteOrder.LITTLE_ENDIAN);
            for (int from = 0; from < d.size(); from += chunk) {
                int to = Math.min(d.size(), from + chunk);
                Matrix x = d.features(from, to);
                bytes.clear();
                bytes.asFloatBuffer().put(x.data(), x.offset(), x.size());
                bytes.limit(4 * x.size());
                crc.update(bytes);
            }
            ByteBuffer labels = ByteBuffer.allocate(4 * d.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < d.size(); i++) {
                labels.putInt(d.label(i));
            }
            crc.update(labels.flip());
            for (String c : d.classNames()) {
                crc.update((c + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /**
     * The training, validation and test sets, standardised if the plan says so.
     *
     * @param standardization the transformation applied to all three, or null
     */
    record Splits(Dataset train, Dataset validation, Dataset test, Dataset.Standardization standardization, Provenance provenance) {
    }

    /**
     * Reads the source and splits it by the plan. With {@code recorded} (a checkpoint's record), the
     * data must be the recorded ones and its standardization is applied; otherwise one is fitted on
     * the training part if the plan says so.
     */
    static Splits prepare(Source source, Plan plan, Provenance recorded, String model) throws IOException {
        Read read = read(source);
        if (recorded != null) {
            recorded.requireSame(read, source, model);
        }
        String name = source.shortName();
        Dataset rest;
        Dataset test;
        if (read.parts().size() == 2) {
            rest = read.parts().get(0);
            test = read.parts().get(1);
        } else {
            Dataset.Split s = read.parts().getFirst().split(plan.testFraction(), plan.testSeed());
            rest = s.first().named(name + "-train");
            test = s.second().named(name + "-test");
        }
        Dataset.Split v = rest.split(plan.validationFraction(), plan.validationSeed());
        Dataset train = v.first();
        Dataset validation = v.second();
        Dataset.Standardization st = recorded != null ? recorded.standardization()
                : plan.standardize() ? train.fitStandardization() : null;
        if (st != null) {
            train = train.standardized(st);
            validation = validation.standardized(st);
            test = test.standardized(st);
        }
        Provenance p = new Provenance(source, plan, read.samples(), read.features(), read.fingerprint(), read.classNames(),
                read.featureNames(), st);
        return new Splits(train, validation, test, st, p);
    }
}
