package io.vecnn.bench;

import io.vecnn.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Fused softmax + cross-entropy (loss and gradient in one call) on a {@code batch × 10} output
 * layer, and the quadratic cost, scalar and vector side by side. Samples/s = batch × ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LossBenchmark {
    private static final int CLASSES = 10;

    @Param({"32", "128", "512"})
    public int batch;

    private float[] logits, grad, onehot;
    private int[] labels;
    private final Kernels scalar = Kernels.scalar();
    private Kernels vector;

    @Setup(Level.Trial)
    public void setup() {
        vector = Kernels.vector();
        logits = ReferenceCheck.random(1, batch * CLASSES);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= 8;
        }
        grad = new float[batch * CLASSES];
        labels = new int[batch];
        onehot = new float[batch * CLASSES];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(CLASSES);
            onehot[i * CLASSES + labels[i]] = 1;
        }
        float[] gRef = new float[grad.length], gVec = new float[grad.length];
        double lRef = scalar.softmaxCrossEntropy(batch, CLASSES, logits, 0, CLASSES, labels, 0, gRef, 0, CLASSES);
        double lVec = vector.softmaxCrossEntropy(batch, CLASSES, logits, 0, CLASSES, labels, 0, gVec, 0, CLASSES);
        ReferenceCheck.close("softmax cross-entropy gradient", gRef, gVec, 1e-5, 1e-7);
        ReferenceCheck.close("softmax cross-entropy loss", new float[]{(float) lRef}, new float[]{(float) lVec}, 1e-5, 0);
    }

    @Benchmark
    public double softmaxCrossEntropyScalar() {
        return scalar.softmaxCrossEntropy(batch, CLASSES, logits, 0, CLASSES, labels, 0, grad, 0, CLASSES);
    }

    @Benchmark
    public double softmaxCrossEntropyVector() {
        return vector.softmaxCrossEntropy(batch, CLASSES, logits, 0, CLASSES, labels, 0, grad, 0, CLASSES);
    }

    @Benchmark
    public double quadraticCostScalar() {
        return scalar.quadraticCost(batch, CLASSES, logits, 0, CLASSES, onehot, 0, CLASSES, grad, 0, CLASSES);
    }

    @Benchmark
    public double quadraticCostVector() {
        return vector.quadraticCost(batch, CLASSES, logits, 0, CLASSES, onehot, 0, CLASSES, grad, 0, CLASSES);
    }
}
