package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a CSV file without a label column; checkpoints a trainer saves with extras. */
class CsvFeaturesAndExtrasTest {

    private static Csv.Features features(String text, Csv.Options o) throws IOException {
        return Csv.readFeatures(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "new.csv", o);
    }

    @Test
    void everyColumnIsAFeature() throws IOException {
        Csv.Features f = features("a,b,c\n1,2,3\n4.5,-6,7e1\n", Csv.Options.defaults());
        assertEquals(List.of("a", "b", "c"), f.names());
        assertEquals(2, f.values().rows());
        assertEquals(3, f.values().cols());
        assertArrayEquals(new float[] {1, 2, 3, 4.5f, -6, 70}, f.values().data());
        Csv.Features noHeader = features("1,2\n3,4\n", Csv.Options.defaults());
        assertEquals(List.of(), noHeader.names());
        assertArrayEquals(new float[] {1, 2, 3, 4}, noHeader.values().data());
        // One column is enough (a labelled file needs two).
        assertArrayEquals(new float[] {5, 6}, features("5\n6\n", Csv.Options.defaults().withHeader(Csv.Header.ABSENT)).values().data());
    }

    @Test
    void theNumberGrammarAndErrorsAreThoseOfLabelledFiles() {
        MalformedDataException text = assertThrows(MalformedDataException.class,
                () -> features("1,2\n3,setosa\n", Csv.Options.defaults().withHeader(Csv.Header.ABSENT)));
        assertTrue(text.getMessage().startsWith("new.csv:2:2: 'setosa' is not a number"), text.getMessage());
        MalformedDataException ragged = assertThrows(MalformedDataException.class, () -> features("1,2\n3\n", Csv.Options.defaults()));
        assertTrue(ragged.getMessage().startsWith("new.csv:2: 1 columns, the lines before have 2"), ragged.getMessage());
        MalformedDataException suffix = assertThrows(MalformedDataException.class, () -> features("1,2f\n", Csv.Options.defaults()));
        assertTrue(suffix.getMessage().startsWith("new.csv:1:2: '2f' is not a number"), suffix.getMessage());
        assertThrows(IllegalArgumentException.class, () -> features("a,b\n1,2\n", Csv.Options.defaults().withLabelName("b")));
    }

    @Test
    void aTablesDatasetCarriesItsClassNames() throws IOException {
        Csv.Table t = Csv.read(new ByteArrayInputStream("x,kind\n1,b\n2,a\n3,b\n".getBytes(StandardCharsets.UTF_8)), "t.csv",
                Csv.Options.defaults());
        assertEquals(List.of("a", "b"), t.classNames());
        assertEquals(t.classNames(), t.dataset().classNames(), "evaluation reports and checkpoints name the classes");
        assertEquals(1, t.dataset().label(0));
    }

    @Test
    void aTrainerSavesItsExtrasWithEveryCheckpoint(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.vecnn");
        Model m = TestData.classifier(3, false);
        Checkpoint.Extras extras = new Checkpoint.Extras(Map.of("class.0", "zero", "data.kind", "digits"),
                Map.of("standardize.mean", new float[] {1.5f, -2f}));
        Trainer t = Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(64).epochs(1).seed(1)
                .checkpoint(file, extras).build();
        t.fit(TestData.digits().first(), null);
        Checkpoint.Extras loaded = Checkpoint.load(file).extras();
        assertEquals(extras.metadata(), loaded.metadata());
        assertArrayEquals(new float[] {1.5f, -2f}, loaded.tensors().get("standardize.mean"));
        assertTrue(Files.size(file) > 0);
    }
}
