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

import java.util.concurrent.TimeUnit;

/**
 * Fused optimizer updates over {@code size} parameters, scalar and vector side by side, with a
 * copy as the bandwidth yardstick. Bytes per parameter: copy 8; SGD with momentum 20 (read w, g,
 * v; write w, v); Adam 28 (read w, g, m, v; write w, m, v); RMSProp and AdaGrad 20.
 * The step count is fixed so every call does the same arithmetic.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class OptimizerBenchmark {
    @Param({"1048576", "4194304"})
    public int size;

    /** Kernel threads: from 131,072 parameters an update is split among them (copy stays on one). */
    @Param({"1", "2"})
    public int threads;

    private float[] w, g, s1, s2, copy;
    private final Kernels scalar = Kernels.scalar();
    private Kernels vector;

    @Setup(Level.Trial)
    public void setup() {
        vector = Kernels.vector().withThreads(threads);
        w = ReferenceCheck.random(1, size);
        g = ReferenceCheck.random(2, size);
        s1 = new float[size];
        s2 = new float[size];
        copy = new float[size];
        for (int variant = 0; variant < 4; variant++) {
            float[] wr = w.clone(), wv = w.clone();
            float[] ar = new float[size], av = new float[size], br = new float[size], bv = new float[size];
            for (int step = 1; step <= 3; step++) {
                switch (variant) {
                    case 0 -> {
                        scalar.sgd(size, wr, 0, g, 0, ar, 0, 0.01f, 0.9f, 1e-4f, true);
                        vector.sgd(size, wv, 0, g, 0, av, 0, 0.01f, 0.9f, 1e-4f, true);
                    }
                    case 1 -> {
                        scalar.adam(size, wr, 0, g, 0, ar, 0, br, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, true, step);
                        vector.adam(size, wv, 0, g, 0, av, 0, bv, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, true, step);
                    }
                    case 2 -> {
                        scalar.rmsprop(size, wr, 0, g, 0, ar, 0, 1e-3f, 0.99f, 1e-8f, 0f);
                        vector.rmsprop(size, wv, 0, g, 0, av, 0, 1e-3f, 0.99f, 1e-8f, 0f);
                    }
                    default -> {
                        scalar.adagrad(size, wr, 0, g, 0, ar, 0, 1e-2f, 1e-10f, 0f);
                        vector.adagrad(size, wv, 0, g, 0, av, 0, 1e-2f, 1e-10f, 0f);
                    }
                }
            }
            ReferenceCheck.close("optimizer variant " + variant, wr, wv, 1e-5, 1e-6);
        }
    }

    @Benchmark
    public float[] copy() {
        System.arraycopy(w, 0, copy, 0, size);
        return copy;
    }

    @Benchmark
    public float[] sgdMomentumScalar() {
        scalar.sgd(size, w, 0, g, 0, s1, 0, 1e-6f, 0.9f, 0f, false);
        return w;
    }

    @Benchmark
    public float[] sgdMomentumVector() {
        vector.sgd(size, w, 0, g, 0, s1, 0, 1e-6f, 0.9f, 0f, false);
        return w;
    }

    @Benchmark
    public float[] adamScalar() {
        scalar.adam(size, w, 0, g, 0, s1, 0, s2, 0, 1e-6f, 0.9f, 0.999f, 1e-8f, 0f, false, 10);
        return w;
    }

    @Benchmark
    public float[] adamVector() {
        vector.adam(size, w, 0, g, 0, s1, 0, s2, 0, 1e-6f, 0.9f, 0.999f, 1e-8f, 0f, false, 10);
        return w;
    }

    @Benchmark
    public float[] rmspropVector() {
        vector.rmsprop(size, w, 0, g, 0, s1, 0, 1e-6f, 0.99f, 1e-8f, 0f);
        return w;
    }

    @Benchmark
    public float[] adagradVector() {
        vector.adagrad(size, w, 0, g, 0, s1, 0, 1e-6f, 1e-8f, 0f);
        return w;
    }
}
