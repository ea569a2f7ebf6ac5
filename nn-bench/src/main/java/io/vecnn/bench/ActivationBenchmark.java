package io.vecnn.bench;

import io.vecnn.kernels.ActivationKind;
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

import java.util.concurrent.TimeUnit;

/**
 * Fused activation kernels over {@code size} floats laid out as rows of 256, scalar and vector
 * side by side, with a plain array copy as the bandwidth yardstick. Bytes per element:
 * copy 8 (read + write); forward 12 (read z, write z + b and h); backward 12 (read g and the saved
 * value, write δ). GB/s = size × bytes × ops/s.
 *
 * <p>The timed forward adds a bias of zeros: the kernel writes z + b back into z, so a non-zero bias
 * would move z by b on every call and after a few thousand calls every input would sit deep in the
 * saturated tails (where sigmoid's results were subnormal and ran several times slower), which is not
 * what a training step sees. Adding zeros costs the same loads, additions and stores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ActivationBenchmark {
    private static final int COLS = 256;

    @Param({"1048576", "4194304"})
    public int size;

    @Param({"RELU", "SIGMOID", "TANH", "GELU", "GELU_ERF"})
    public ActivationKind kind;

    private float[] z, bias, h, g, saved, delta;
    private float[] zeroBias;
    private final Kernels scalar = Kernels.scalar();
    private Kernels vector;

    @Setup(Level.Trial)
    public void setup() {
        vector = Kernels.vector();
        z = ReferenceCheck.random(1, size);
        bias = ReferenceCheck.random(2, COLS);
        zeroBias = new float[COLS];
        h = new float[size];
        g = ReferenceCheck.random(3, size);
        saved = kind.derivativeFromOutput() ? new float[size] : z.clone();
        if (kind.derivativeFromOutput()) {
            scalar.biasActivation(kind, 0.01f, size / COLS, COLS, z.clone(), 0, COLS, null, 0, saved, 0, COLS);
        }
        delta = new float[size];
        // hold the vector kernels to the reference before timing them
        float[] zRef = z.clone(), hRef = new float[size], zVec = z.clone(), hVec = new float[size];
        scalar.biasActivation(kind, 0.01f, size / COLS, COLS, zRef, 0, COLS, bias, 0, hRef, 0, COLS);
        vector.biasActivation(kind, 0.01f, size / COLS, COLS, zVec, 0, COLS, bias, 0, hVec, 0, COLS);
        ReferenceCheck.close("forward " + kind, hRef, hVec, 1e-5, 1e-6);
        float[] dRef = new float[size], dVec = new float[size];
        scalar.activationBackward(kind, 0.01f, size, g, 0, saved, 0, dRef, 0);
        vector.activationBackward(kind, 0.01f, size, g, 0, saved, 0, dVec, 0);
        ReferenceCheck.close("backward " + kind, dRef, dVec, 1e-5, 1e-6);
    }

    @Benchmark
    public float[] copy() {
        System.arraycopy(z, 0, h, 0, size);
        return h;
    }

    @Benchmark
    public float[] forwardScalar() {
        scalar.biasActivation(kind, 0.01f, size / COLS, COLS, z, 0, COLS, zeroBias, 0, h, 0, COLS);
        return h;
    }

    @Benchmark
    public float[] forwardVector() {
        vector.biasActivation(kind, 0.01f, size / COLS, COLS, z, 0, COLS, zeroBias, 0, h, 0, COLS);
        return h;
    }

    @Benchmark
    public float[] backwardScalar() {
        scalar.activationBackward(kind, 0.01f, size, g, 0, saved, 0, delta, 0);
        return delta;
    }

    @Benchmark
    public float[] backwardVector() {
        vector.activationBackward(kind, 0.01f, size, g, 0, saved, 0, delta, 0);
        return delta;
    }
}
