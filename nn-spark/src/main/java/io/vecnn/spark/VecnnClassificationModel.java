package io.vecnn.spark;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/**
 * A trained vecnn classifier as a Spark ML {@code Model} (a {@code Transformer}): adds a
 * probability column (the softmax of the network's outputs) and a prediction column (the most
 * probable class) for a vector features column. Saved as Spark ML metadata plus the network as a
 * vecnn checkpoint ({@code data/model.vecnn}), so {@code PipelineModel.save/load} work with it.
 *
 * <p>Inference ships the checkpoint once per transform as a broadcast; each executor JVM rebuilds
 * the network once and its tasks share it ({@link Model#predict} is thread-safe).
 *
 * @serial exclude
 */
public final class VecnnClassificationModel extends org.apache.spark.ml.Model<VecnnClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Per executor JVM: networks rebuilt from checkpoints, by model uid and checkpoint. */
    private static final Map<String, Model> LOADED = new ConcurrentHashMap<>();
    /** How many times this JVM rebuilt a network for inference (the tests read it). */
    static final AtomicInteger LOADS = new AtomicInteger();

    private final String uid;
    private final byte[] checkpoint;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private transient Model network;

    VecnnClassificationModel(String uid, byte[] checkpoint) {
        this.uid = uid;
        this.checkpoint = checkpoint;
        featuresCol = new Param<>(this, "featuresCol", "features column (vector)");
        new Param<String>(this, "labelCol", "label column (0 … classes − 1)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name");
        probabilityCol = new Param<>(this, "probabilityCol", "column of class probabilities (softmax of the outputs)");
        setDefault(featuresCol, "features");
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
     * The trained network (rebuilt from the checkpoint on first use).
     *
     * @return the network
     */
    public Model network() {
        if (network == null) {
            network = Payloads.load(checkpoint).model();
        }
        return network;
    }

    /**
     * Adds the probability and prediction columns.
     *
     * @param data rows with the features column
     * @return the rows with the two columns added
     */
    @Override
    public org.apache.spark.sql.Dataset<Row> transform(org.apache.spark.sql.Dataset<?> data) {
        transformSchema(data.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Broadcast<byte[]> b = sc.broadcast(checkpoint);
        String key = uid + "/" + Arrays.hashCode(checkpoint) + "/" + checkpoint.length;
        UserDefinedFunction probability = udf(new Probabilities(key, b, network().inputSize()), SQLDataTypes.VectorType());
        UserDefinedFunction prediction = udf((UDF1<Vector, Double>) p -> (double) p.argmax(), DataTypes.DoubleType);
        String prob = getOrDefault(probabilityCol);
        return data.withColumn(prob, probability.apply(col(getOrDefault(featuresCol))))
                .withColumn(getOrDefault(predictionCol), prediction.apply(col(prob)));
    }

    /**
     * The network's softmax outputs for one features vector, the network loaded once per JVM.
     *
     * @param key        the network's key in this JVM's cache
     * @param checkpoint the network as checkpoint bytes
     * @param width      the features vector's size
     */
    private record Probabilities(String key, Broadcast<byte[]> checkpoint, int width) implements UDF1<Vector, Vector> {
        @Override
        public Vector call(Vector v) {
            if (v.size() != width) {
                throw new IllegalArgumentException("a features vector of " + v.size() + " values; the model takes " + width);
            }
            Model m = LOADED.computeIfAbsent(key, k -> {
                LOADS.incrementAndGet();
                return Payloads.load(checkpoint.value()).model();
            });
            Matrix x = Matrix.zeros(1, width);
            for (int j = 0; j < width; j++) {
                x.set(0, j, (float) v.apply(j));
            }
            Matrix out = m.predict(x);
            int c = out.cols();
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, out.get(0, j));
            }
            double[] p = new double[c];
            double sum = 0;
            for (int j = 0; j < c; j++) {
                p[j] = Math.exp(out.get(0, j) - max);
                sum += p[j];
            }
            for (int j = 0; j < c; j++) {
                p[j] /= sum;
            }
            return Vectors.dense(p);
        }
    }

    /**
     * Checks the features column and adds the output columns.
     *
     * @param schema the input schema
     * @return the output schema
     */
    @Override
    public StructType transformSchema(StructType schema) {
        return outputSchema(schema, getOrDefault(featuresCol), getOrDefault(predictionCol), getOrDefault(probabilityCol));
    }

    static StructType outputSchema(StructType schema, String features, String prediction, String probability) {
        if (!Arrays.asList(schema.fieldNames()).contains(features)) {
            throw new IllegalArgumentException("no column '" + features + "' (the features) among " + Arrays.toString(schema.fieldNames()));
        }
        StructField f = schema.apply(features);
        if (!f.dataType().equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException("column '" + features + "' is " + f.dataType().simpleString() + ", not a vector");
        }
        for (String out : new String[]{prediction, probability}) {
            if (Arrays.asList(schema.fieldNames()).contains(out)) {
                throw new IllegalArgumentException("column '" + out + "' exists already");
            }
        }
        return schema.add(probability, SQLDataTypes.VectorType(), false).add(prediction, DataTypes.DoubleType, false);
    }

    /**
     * A copy (same network) with {@code extra} applied.
     *
     * @param extra parameter values to set on the copy
     * @return the copy
     */
    @Override
    public VecnnClassificationModel copy(ParamMap extra) {
        VecnnClassificationModel c = new VecnnClassificationModel(uid, checkpoint);
        return copyValues(c, extra).setParent(parent());
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

    /**
     * A writer saving the parameters (Spark ML metadata) and the network (a vecnn checkpoint).
     *
     * @return the writer
     */
    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /**
     * A reader of what {@link #write()} saves (Spark ML's pipeline loading finds it by this name).
     *
     * @return the reader
     */
    public static MLReader<VecnnClassificationModel> read() {
        return new Reader();
    }

    /**
     * Loads a model saved by {@link #write()}.
     *
     * @param path the directory
     * @return the model
     */
    public static VecnnClassificationModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final VecnnClassificationModel model;

        Writer(VecnnClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sparkSession());
            Path file = new Path(path, "data/model.vecnn");
            try {
                FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                try (FSDataOutputStream out = fs.create(file, true)) {
                    out.write(model.checkpoint);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private static final class Reader extends MLReader<VecnnClassificationModel> {
        @Override
        public VecnnClassificationModel load(String path) {
            DefaultParamsReader.Metadata md = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    VecnnClassificationModel.class.getName());
            Path file = new Path(path, "data/model.vecnn");
            byte[] bytes;
            try {
                FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
                long len = fs.getFileStatus(file).getLen();
                if (len > Integer.MAX_VALUE - 8) {
                    throw new IOException("the checkpoint holds " + len + " bytes, more than one array can");
                }
                bytes = new byte[(int) len];
                try (FSDataInputStream in = fs.open(file)) {
                    in.readFully(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            VecnnClassificationModel m = new VecnnClassificationModel(md.uid(), bytes);
            m.network();   // a damaged checkpoint fails here, naming what is wrong
            md.getAndSetParams(m, md.getAndSetParams$default$2());
            return m;
        }
    }
}
