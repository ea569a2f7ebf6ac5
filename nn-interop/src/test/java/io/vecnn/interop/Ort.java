package io.vecnn.interop;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs exported models in onnxruntime and compares them with {@link Model#predict}. */
final class Ort {
    /** The agreement asked of every output element: 1e-5 relative (see {@link #assertClose}). */
    static final double TOLERANCE = 1e-5;
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private Ort() {
    }

    /** Runs {@code onnx} on {@code inputs} (one batch per model input) and returns the output, checking its shape. */
    static float[] run(byte[] onnx, Model model, Matrix... inputs) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = ENV.createSession(onnx, options)) {
                assertEquals(model.inputNames(), List.copyOf(session.getInputNames()));
                Map<String, OnnxTensor> feeds = new HashMap<>();
                try {
                    for (int i = 0; i < inputs.length; i++) {
                        Matrix x = inputs[i];
                        feeds.put(model.inputNames().get(i), OnnxTensor.createTensor(ENV,
                                FloatBuffer.wrap(x.data(), x.offset(), x.size()), batchShape(x.rows(), model.inputShapes().get(i))));
                    }
                    try (OrtSession.Result r = session.run(feeds)) {
                        OnnxTensor out = (OnnxTensor) r.get(model.outputName()).orElseThrow();
                        assertArrayEquals(batchShape(inputs[0].rows(), model.outputShape()), out.getInfo().getShape(),
                                "output shape");
                        FloatBuffer fb = out.getFloatBuffer();
                        float[] values = new float[fb.remaining()];
                        fb.get(values);
                        return values;
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    static long[] batchShape(int batch, Shape sample) {
        long[] d = new long[sample.rank() + 1];
        d[0] = batch;
        for (int i = 0; i < sample.rank(); i++) {
            d[i + 1] = sample.dim(i);
        }
        return d;
    }

    /**
     * Asserts |actual − expected| ≤ 1e-5 · max(|expected|, 1e-3 · max|expected|) element by element:
     * relative, except that elements a thousand times smaller than the largest output are held to
     * the error of a float computation at the output's scale (their relative error measures
     * cancellation in the sums, not the exporter).
     *
     * @return the largest elementwise relative error seen
     */
    static double assertClose(Matrix expected, float[] actual, String what) {
        assertEquals(expected.size(), actual.length, what + ": output size");
        float[] e = expected.data();
        int o = expected.offset();
        double scale = 0;
        for (int i = 0; i < actual.length; i++) {
            scale = Math.max(scale, Math.abs(e[o + i]));
        }
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            double ref = e[o + i];
            double err = Math.abs(actual[i] - ref);
            double bound = TOLERANCE * Math.max(Math.abs(ref), 1e-3 * scale);
            worst = Math.max(worst, err / Math.max(Math.abs(ref), 1e-3 * scale));
            if (!(err <= bound) || Double.isNaN(actual[i])) {
                fail(what + ": element " + i + " (row " + i / expected.cols() + ", column " + i % expected.cols()
                        + ") is " + actual[i] + " in onnxruntime, " + ref + " in vecnn (error " + err + ", bound " + bound + ")");
            }
        }
        return worst;
    }

    /** A batch of uniform values in [−2, 2). */
    static Matrix random(int rows, int cols, SplittableRandom r) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return Matrix.wrap(rows, cols, v);
    }

    /** Gives every parameter values in [−0.5, 0.5) (so biases are not all 0, as initialized). */
    static void randomizeParameters(Model model, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Parameter p : model.parameters()) {
            float[] d = p.value().data();
            int o = p.value().offset();
            for (int i = 0; i < p.size(); i++) {
                d[o + i] = (float) (r.nextDouble() - 0.5);
            }
        }
    }

    /** Runs the exported model at batch sizes 1 and 7 against {@code predict} and returns the worst relative error. */
    static double checkAgainstPredict(Model model, long seed) throws OrtException {
        byte[] onnx = OnnxExport.toBytes(model);
        SplittableRandom r = new SplittableRandom(seed);
        double worst = 0;
        for (int batch : new int[] {1, 7}) {
            Matrix[] inputs = new Matrix[model.inputNames().size()];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = random(batch, model.inputShapes().get(i).size(), r);
            }
            Matrix expected = model.predict(inputs);
            float[] actual = run(onnx, model, inputs);
            worst = Math.max(worst, assertClose(expected, actual, "batch " + batch + " of " + Arrays.toString(
                    model.nodes().stream().map(n -> n.describe()).toArray())));
        }
        return worst;
    }
}
