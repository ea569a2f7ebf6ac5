package io.vecnn.spark;

import io.vecnn.api.Model;
import io.vecnn.train.Dataset;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

import static org.apache.spark.sql.functions.col;

/**
 * A Spark ML {@link Estimator} that trains a vecnn network with {@link SparkTrainer}: a vector
 * features column and a numeric label column (0 … C − 1) in, a {@link VecnnClassificationModel} out,
 * usable as a stage of a {@code Pipeline}.
 *
 * <p>The rows are collected to the driver, in the order the DataFrame gives them, and broadcast to
 * the workers (see {@link SparkTrainer}): the training set must fit in the driver's and each
 * executor's memory.
 *
 * @serial exclude
 */
public final class VecnnClassifier extends Estimator<VecnnClassificationModel> {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final NetworkFactory network;
    private final TrainerSetup setup;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private int workers = 2;
    private SparkTrainer.Transport transport = SparkTrainer.Transport.BARRIER;

    /**
     * An estimator training the networks {@code network} builds with {@code setup}.
     *
     * @param network builds the network for the data's width and class count
     * @param setup   the trainer configuration (loss, optimizer, batch, epochs, seed)
     */
    public VecnnClassifier(NetworkFactory network, TrainerSetup setup) {
        this(Identifiable$.MODULE$.randomUID("vecnnClassifier"), network, setup);
    }

    private VecnnClassifier(String uid, NetworkFactory network, TrainerSetup setup) {
        this.uid = uid;
        this.network = Objects.requireNonNull(network, "network");
        this.setup = Objects.requireNonNull(setup, "setup");
        featuresCol = new Param<>(this, "featuresCol", "features column (vector)");
        labelCol = new Param<>(this, "labelCol", "label column (0 … classes − 1)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name");
        probabilityCol = new Param<>(this, "probabilityCol", "column of class probabilities (softmax of the outputs)");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
    }

    /**
     * The features column's name.
     *
     * @return the parameter
     */
    public Param<String> featuresCol() {
        return featuresCol;
    }

    /**
     * The label column's name.
     *
     * @return the parameter
     */
    public Param<String> labelCol() {
        return labelCol;
    }

    /**
     * The prediction column's name.
     *
     * @return the parameter
     */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /**
     * The probability column's name.
     *
     * @return the parameter
     */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /**
     * Sets the features column.
     *
     * @param name the features column
     * @return this estimator
     */
    public VecnnClassifier setFeaturesCol(String name) {
        set(featuresCol, name);
        return this;
    }

    /**
     * Sets the label column.
     *
     * @param name the label column
     * @return this estimator
     */
    public VecnnClassifier setLabelCol(String name) {
        set(labelCol, name);
        return this;
    }

    /**
     * Sets the prediction column.
     *
     * @param name the prediction column
     * @return this estimator
     */
    public VecnnClassifier setPredictionCol(String name) {
        set(predictionCol, name);
        return this;
    }

    /**
     * Sets the probability column.
     *
     * @param name the probability column
     * @return this estimator
     */
    public VecnnClassifier setProbabilityCol(String name) {
        set(probabilityCol, name);
        return this;
    }

    /**
     * Sets the number of workers.
     *
     * @param n the number of Spark workers (default 2)
     * @return this estimator
     */
    public VecnnClassifier setWorkers(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + n);
        }
        this.workers = n;
        return this;
    }

    /**
     * Sets the transport.
     *
     * @param t the transport (default {@link SparkTrainer.Transport#BARRIER})
     * @return this estimator
     */
    public VecnnClassifier setTransport(SparkTrainer.Transport t) {
        this.transport = Objects.requireNonNull(t, "transport");
        return this;
    }

    /**
     * Trains on {@code data}.
     *
     * @param data rows with the features (vector) and label (numeric) columns
     * @return the trained model
     * @throws IllegalArgumentException if a column is missing or of the wrong type, a label is not an
     *                                  integer ≥ 0, or the vectors differ in size
     */
    @Override
    public VecnnClassificationModel fit(org.apache.spark.sql.Dataset<?> data) {
        transformSchema(data.schema());
        String f = getOrDefault(featuresCol);
        String l = getOrDefault(labelCol);
        List<Row> rows = data.select(col(f), col(l)).collectAsList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("cannot train on an empty DataFrame");
        }
        int width = ((Vector) rows.get(0).get(0)).size();
        float[] x = new float[Math.multiplyExact(rows.size(), width)];
        int[] y = new int[rows.size()];
        int classes = 2;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Vector v = (Vector) r.get(0);
            if (v == null || v.size() != width) {
                throw new IllegalArgumentException("row " + i + ": column '" + f + "' holds " + (v == null ? "null" : "a vector of "
                        + v.size()) + ", the first row a vector of " + width);
            }
            for (int j = 0; j < width; j++) {
                x[i * width + j] = (float) v.apply(j);
            }
            double label = ((Number) r.get(1)).doubleValue();
            if (!(label >= 0) || label != Math.rint(label) || label > Dataset.MAX_ID) {
                throw new IllegalArgumentException("row " + i + ": label " + label + " in column '" + l + "' is not a class index >= 0");
            }
            y[i] = (int) label;
            classes = Math.max(classes, y[i] + 1);
        }
        Dataset train = Dataset.of("spark-dataframe", x, width, y, classes);
        Model net = network.create(width, classes);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        try {
            SparkTrainer.builder(sc, setup).workers(workers).transport(transport).build().fit(net, train, null);
        } catch (IOException e) {
            throw new UncheckedIOException("training failed: " + e.getMessage(), e);
        }
        VecnnClassificationModel m = new VecnnClassificationModel(uid, Payloads.modelBytes(net, setup));
        copyValues(m, extractParamMap());
        return m.setParent(this);
    }

    /**
     * Checks the input columns and adds the output columns.
     *
     * @param schema the input schema
     * @return the output schema
     */
    @Override
    public StructType transformSchema(StructType schema) {
        return VecnnClassificationModel.outputSchema(schema, getOrDefault(featuresCol), getOrDefault(predictionCol),
                getOrDefault(probabilityCol));
    }

    /**
     * A copy with the same network, setup and parameters (with {@code extra} applied).
     *
     * @param extra parameter values to set on the copy
     * @return the copy
     */
    @Override
    public VecnnClassifier copy(ParamMap extra) {
        VecnnClassifier c = new VecnnClassifier(uid, network, setup).setWorkers(workers).setTransport(transport);
        return copyValues(c, extra);
    }

    /**
     * This stage's unique id.
     *
     * @return the id
     */
    @Override
    public String uid() {
        return uid;
    }
}
