package io.vecnn.spark;

import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Losses;
import io.vecnn.train.Dataset;
import io.vecnn.train.Optimizers;
import io.vecnn.train.Trainer;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The estimator and its model as stages of a Spark ML pipeline, saved and loaded. */
class PipelineTest {

    static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset d) {
        List<StructField> fields = new ArrayList<>();
        for (int j = 0; j < d.features(); j++) {
            fields.add(DataTypes.createStructField("x" + j, DataTypes.DoubleType, false));
        }
        fields.add(DataTypes.createStructField("label", DataTypes.DoubleType, false));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            Object[] v = new Object[d.features() + 1];
            float[] s = d.sample(i);
            for (int j = 0; j < s.length; j++) {
                v[j] = (double) s[j];
            }
            v[s.length] = (double) d.label(i);
            rows.add(RowFactory.create(v));
        }
        return spark.createDataFrame(rows, DataTypes.createStructType(fields)).repartition(3);
    }

    @Test
    void trainsInAPipelineAndRoundTripsThroughSave(@TempDir Path dir) throws Exception {
        SparkSession spark = SparkTestSession.get();
        org.apache.spark.sql.Dataset<Row> train = frame(spark, SparkTrainerTest.blobs(600, 21)).cache();
        org.apache.spark.sql.Dataset<Row> test = frame(spark, SparkTrainerTest.blobs(300, 22)).cache();
        String[] inputs = new String[12];
        for (int j = 0; j < 12; j++) {
            inputs[j] = "x" + j;
        }
        VectorAssembler assemble = new VectorAssembler().setInputCols(inputs).setOutputCol("features");
        VecnnClassifier classifier = new VecnnClassifier(
                (features, classes) -> io.vecnn.api.Model.builder(features).seed(3).add(Dense.of(16, Activations.relu()))
                        .add(Dense.of(classes)).build(),
                m -> Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(50).epochs(4).learningRate(0.01))
                .setWorkers(2);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[]{assemble, classifier}).fit(train);

        int loadsBefore = VecnnClassificationModel.LOADS.get();
        List<Row> out = fitted.transform(test).select("label", "prediction", "probability").collectAsList();
        // One executor (local mode), three partitions: the network was rebuilt once for all of them.
        assertEquals(loadsBefore + 1, VecnnClassificationModel.LOADS.get(), "network loads for one transform");
        long right = out.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count();
        double accuracy = (double) right / out.size();
        assertTrue(accuracy > 0.8, "test accuracy " + accuracy);
        for (Row r : out) {
            Vector p = r.getAs(2);
            assertEquals(3, p.size());
            assertEquals(1.0, p.toArray()[0] + p.toArray()[1] + p.toArray()[2], 1e-9);
            assertEquals(p.argmax(), (int) r.getDouble(1));
        }

        Path saved = dir.resolve("pipeline");
        fitted.write().save(saved.toString());
        assertTrue(Files.exists(saved.resolve("stages")), "Spark's pipeline layout");
        try (var files = Files.walk(saved)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("model.vecnn")), "the network is a vecnn checkpoint");
        }
        PipelineModel loaded = PipelineModel.load(saved.toString());
        List<Row> again = loaded.transform(test).select("label", "prediction", "probability").collectAsList();
        for (int i = 0; i < out.size(); i++) {
            assertEquals(out.get(i).getDouble(1), again.get(i).getDouble(1), "prediction of row " + i);
            assertArrayEquals(((Vector) out.get(i).getAs(2)).toArray(), ((Vector) again.get(i).getAs(2)).toArray(), 0.0);
        }
    }

    @Test
    void aMissingOrWrongFeaturesColumnIsNamed() {
        SparkSession spark = SparkTestSession.get();
        org.apache.spark.sql.Dataset<Row> df = frame(spark, SparkTrainerTest.blobs(20, 1));
        VecnnClassifier c = new VecnnClassifier((f, k) -> io.vecnn.api.Model.builder(f).add(Dense.of(k)).build(),
                m -> Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.sgd(0f)).epochs(1));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.fit(df));
        assertTrue(missing.getMessage().contains("'features'"), missing.getMessage());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> c.setFeaturesCol("x0").fit(df));
        assertTrue(wrong.getMessage().contains("'x0'") && wrong.getMessage().contains("not a vector"), wrong.getMessage());
    }
}
