package io.vecnn.train.cli;

import io.vecnn.train.Checkpoint;
import io.vecnn.train.Csv;
import io.vecnn.train.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CSV files as users bring them (a header, the label by name or last, string classes, features on
 * different scales): standardisation fitted on the training part and saved, the recorded split and
 * transformation reused by evaluate and predict, other data refused, users' own files predicted.
 */
class CsvCliTest {

    private static double accuracy(String out, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + " ?([0-9.]+)%").matcher(out);
        assertTrue(m.find(), "no '" + prefix + "' in: " + out);
        return Double.parseDouble(m.group(1));
    }

    /** The rows of a predictions file, split into fields (no field of these fixtures is quoted). */
    private static List<String[]> rows(String csv) {
        return csv.lines().map(l -> l.split(",", -1)).toList();
    }

    @Test
    void wineTrainsOnlyStandardisedAndEvaluatePredictUseTheRecordedSplit(@TempDir Path dir) throws Exception {
        Path wine = Cli.fixture("wine.csv");
        Path raw = dir.resolve("raw.vecnn");
        Cli.Run unstandardised = Cli.run("train", "--data", wine.toString(), "--no-standardize", "--no-progress", "--out", raw.toString());
        assertEquals(0, unstandardised.code(), unstandardised.err());
        Path model = dir.resolve("wine.vecnn");
        Cli.Run train = Cli.run("train", "--data", wine.toString(), "--no-progress", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("features standardised"), train.out());
        double standardisedAccuracy = accuracy(train.out(), "test accuracy");
        // Features from ~1 (hue) to ~1,000 (proline): raw, the network does not learn; standardised, it does.
        assertTrue(standardisedAccuracy >= 90, train.out());
        assertTrue(standardisedAccuracy - accuracy(unstandardised.out(), "test accuracy") >= 30, unstandardised.out());

        // The checkpoint records the standardization, fitted on the training part alone (split as recorded).
        Checkpoint.Extras extras = Checkpoint.load(model).extras();
        Map<String, String> meta = extras.metadata();
        assertEquals(wine.toAbsolutePath().normalize().toString(), meta.get("data.location"));
        assertEquals("178", meta.get("data.samples"));
        assertEquals(List.of("0", "1", "2"), List.of(meta.get("class.0"), meta.get("class.1"), meta.get("class.2")));
        assertEquals("alcohol", meta.get("feature.0"));
        Dataset all = Csv.read(wine, Csv.Options.defaults()).dataset();
        Dataset trainingPart = all.split(0.2, 42).first().split(0.1, 42).first();
        Dataset.Standardization expected = trainingPart.fitStandardization();
        assertArrayEquals(expected.mean(), extras.tensors().get("standardize.mean"));
        assertArrayEquals(expected.inverseStd(), extras.tensors().get("standardize.inverse_std"));
        assertFalse(Arrays.equals(all.fitStandardization().mean(), expected.mean()), "not fitted on every sample");

        // evaluate: the same test samples, standardised the same way, give the accuracy train printed.
        Cli.Run eval = Cli.run("evaluate", "--model", model.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(standardisedAccuracy, accuracy(eval.out(), "accuracy"), 1e-9, eval.out());
        assertTrue(eval.out().contains("(36 samples)") && eval.out().contains("precision"), eval.out());
        Cli.Run evalRaw = Cli.run("evaluate", "--model", raw.toString());
        assertEquals(accuracy(unstandardised.out(), "test accuracy"), accuracy(evalRaw.out(), "accuracy"), 1e-9, evalRaw.out());

        // The data moved: --data says where; they must be the same data.
        Path moved = dir.resolve("moved.csv");
        Files.copy(wine, moved);
        Cli.Run atNewPlace = Cli.run("evaluate", "--model", model.toString(), "--data", moved.toString());
        assertEquals(standardisedAccuracy, accuracy(atNewPlace.out(), "accuracy"), 1e-9, atNewPlace.err());
        Files.writeString(moved, Files.readString(wine).replaceFirst("14.23,", "14.24,"));
        Cli.run("evaluate", "--model", model.toString(), "--data", moved.toString())
                .failsWith(1, "error: " + moved.toAbsolutePath() + ": not the data " + model + " was trained on (it recorded 178 samples × 13 features, 3 classes, fingerprint ");
        Cli.run("evaluate", "--model", model.toString(), "--data", Cli.fixture("iris.csv").toString())
                .failsWith(1, "error: " + Cli.fixture("iris.csv") + ": not the data");
        Cli.run("evaluate", "--model", model.toString(), "--data", "digits")
                .failsWith(1, "error: digits is the embedded digits, but the model was trained on a CSV file");

        // predict on the user's own file, with its label column (found out) and without it.
        Path labelled = dir.resolve("labelled.csv");
        Cli.Run p1 = Cli.run("predict", "--model", model.toString(), "--input", wine.toString(), "--out", labelled.toString());
        assertEquals(0, p1.code(), p1.err());
        List<String[]> withLabels = rows(Files.readString(labelled));
        assertEquals("row,label,predicted,0,1,2", String.join(",", withLabels.getFirst()));
        assertEquals(179, withLabels.size());
        long right = withLabels.stream().skip(1).filter(r -> r[1].equals(r[2])).count();
        assertTrue(right >= 0.9 * 178, right + " of 178 right");
        for (String[] r : withLabels.subList(1, withLabels.size())) {
            double sum = Double.parseDouble(r[3]) + Double.parseDouble(r[4]) + Double.parseDouble(r[5]);
            assertEquals(1, sum, 2e-6, "probabilities sum to 1: " + String.join(",", r));
        }
        Path features = dir.resolve("new-wines.csv");
        Files.writeString(features, Cli.withoutLastColumn(Files.readString(wine)));
        Cli.Run p2 = Cli.run("predict", "--model", model.toString(), "--input", features.toString());
        assertEquals(0, p2.code(), p2.err());
        List<String[]> without = rows(p2.out());
        assertEquals("row,predicted,0,1,2", String.join(",", without.getFirst()));
        for (int i = 1; i < without.size(); i++) {
            assertEquals(String.join(",", Arrays.copyOfRange(withLabels.get(i), 2, 6)), String.join(",", Arrays.copyOfRange(without.get(i), 1, 5)),
                    "row " + i + ": the same prediction with or without the label column");
        }
        // The same without a header (and --no-label said explicitly).
        Path bare = dir.resolve("bare.csv");
        Files.writeString(bare, Files.readString(features).substring(Files.readString(features).indexOf('\n') + 1));
        Cli.Run p3 = Cli.run("predict", "--model", model.toString(), "--input", bare.toString(), "--no-label", "--count", "5");
        assertEquals(0, p3.code(), p3.err());
        assertEquals(p2.out().lines().limit(6).toList(), p3.out().lines().toList());

        // Columns that are not the training file's are refused, naming the column.
        Files.writeString(features, Files.readString(features).replaceFirst("magnesium", "mg"));
        Cli.run("predict", "--model", model.toString(), "--input", features.toString())
                .failsWith(1, "error: " + features + ": feature column 5 is named 'mg', " + model + " was trained with 'magnesium' there");
        Path twelve = dir.resolve("twelve.csv");
        Files.writeString(twelve, Cli.withoutLastColumn(Files.readString(bare)));
        Cli.run("predict", "--model", model.toString(), "--input", twelve.toString())
                .failsWith(1, "error: " + twelve + ": 12 feature columns; " + model + " takes 13 (with a label column, 14 columns)");
        // Predictions never replace the model or the input.
        Cli.Run overModel = Cli.run("predict", "--model", model.toString(), "--input", wine.toString(), "--out", model.toString());
        overModel.failsWith(1, "error: --out " + model + " is the model");
        assertEquals(0, Cli.run("summary", "--model", model.toString()).code(), "the model is intact");
    }

    @Test
    void resumingContinuesOnTheRecordedDataAndRefusesOthers(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("wine.csv");
        Files.copy(Cli.fixture("wine.csv"), data);
        Path model = dir.resolve("m.vecnn");
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--epochs", "2", "--no-progress", "--out", model.toString()).code());
        Checkpoint.Extras before = Checkpoint.load(model).extras();
        Cli.Run more = Cli.run("train", "--data", data.toString(), "--epochs", "3", "--no-progress", "--out", model.toString(), "--resume");
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("epoch   3/3") && !more.out().contains("epoch   1/3"), more.out());
        Checkpoint.Extras after = Checkpoint.load(model).extras();
        assertEquals(before.metadata(), after.metadata());
        assertArrayEquals(before.tensors().get("standardize.mean"), after.tensors().get("standardize.mean"));
        byte[] saved = Files.readAllBytes(model);
        Cli.run("train", "--data", data.toString(), "--epochs", "4", "--out", model.toString(), "--resume", "--validation", "0.2")
                .failsWith(1, "error: " + model + " was trained with --validation 0.1; resuming with 0.2 would change the training samples");
        Cli.run("train", "--data", data.toString(), "--epochs", "4", "--out", model.toString(), "--resume", "--no-standardize")
                .failsWith(1, "error: " + model + " was trained with standardised features; resuming cannot change that");
        Files.writeString(data, Files.readString(data).replace("\n14.23,", "\n14.5,"));
        Cli.run("train", "--data", data.toString(), "--epochs", "4", "--out", model.toString(), "--resume")
                .failsWith(1, "error: " + data + ": not the data " + model + " was trained on");
        assertArrayEquals(saved, Files.readAllBytes(model), "a refused resume leaves the model as it was");
    }

    @Test
    void stringClassesAreNamedEverywhere(@TempDir Path dir) throws Exception {
        Path iris = Cli.fixture("iris.csv");
        Path model = dir.resolve("iris.vecnn");
        Cli.Run train = Cli.run("train", "--data", iris.toString(), "--epochs", "60", "--batch-size", "16", "--no-progress",
                "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("classes: 0 setosa, 1 versicolor, 2 virginica"), train.out());
        assertTrue(accuracy(train.out(), "test accuracy") >= 85, train.out());
        Cli.Run eval = Cli.run("evaluate", "--model", model.toString());
        assertTrue(eval.out().contains("setosa") && eval.out().contains("virginica"), eval.out());
        Cli.Run summary = Cli.run("summary", "--model", model.toString());
        assertTrue(summary.out().contains("standardised") && summary.out().contains("classes: 0 setosa"), summary.out());

        Path flowers = dir.resolve("flowers.csv");
        Files.writeString(flowers, "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.0,3.4,1.5,0.2\n6.7,3.0,5.2,2.3\n");
        Cli.Run p = Cli.run("predict", "--model", model.toString(), "--input", flowers.toString());
        assertEquals(0, p.code(), p.err());
        List<String[]> r = rows(p.out());
        assertEquals("row,predicted,setosa,versicolor,virginica", String.join(",", r.get(0)));
        assertEquals("setosa", r.get(1)[1]);
        assertEquals("virginica", r.get(2)[1]);

        // Labels the model does not know, in a labelled input, are refused where they are.
        Path unknown = dir.resolve("unknown.csv");
        Files.writeString(unknown, Files.readString(iris).replace("4.9,3,1.4,0.2,setosa", "4.9,3,1.4,0.2,setosaa"));
        Cli.run("evaluate", "--model", model.toString(), "--input", unknown.toString())
                .failsWith(1, "error: " + unknown + ":3:5: label 'setosaa' is not one of the 3 classes");

        // The label column by name, anywhere; no header for a second file.
        String text = Files.readString(iris);
        StringBuilder first = new StringBuilder();
        text.lines().forEach(l -> first.append(l.substring(l.lastIndexOf(',') + 1)).append(',').append(l, 0, l.lastIndexOf(',')).append('\n'));
        Path speciesFirst = dir.resolve("species-first.csv");
        Files.writeString(speciesFirst, first);
        Path byName = dir.resolve("by-name.vecnn");
        Cli.Run named = Cli.run("train", "--data", speciesFirst.toString(), "--label", "species", "--epochs", "2", "--no-progress",
                "--out", byName.toString());
        assertEquals(0, named.code(), named.err());
        Cli.Run evalNamed = Cli.run("evaluate", "--model", byName.toString(), "--input", speciesFirst.toString());
        assertEquals(0, evalNamed.code(), evalNamed.err());
        assertTrue(evalNamed.out().contains("(150 samples)"), evalNamed.out());
        Path noHeader = dir.resolve("no-header.csv");
        Files.writeString(noHeader, text.substring(text.indexOf('\n') + 1));
        Cli.Run byIndex = Cli.run("train", "--data", noHeader.toString(), "--no-header", "--label", "4", "--epochs", "2",
                "--no-progress", "--out", dir.resolve("by-index.vecnn").toString());
        assertEquals(0, byIndex.code(), byIndex.err());
        Cli.run("train", "--data", iris.toString(), "--label", "kind", "--out", dir.resolve("x.vecnn").toString())
                .failsWith(1, "error: " + iris + ":1: no column is named 'kind'; the header has sepal length (cm)");
        Cli.run("train", "--data", "digits", "--label", "3", "--out", dir.resolve("x.vecnn").toString())
                .failsWith(1, "error: --label, --header, --no-header and --allow-non-finite apply to CSV data");
        assertFalse(Files.exists(dir.resolve("x.vecnn")));
        assertNotEquals(0, Files.size(model));
    }
}
