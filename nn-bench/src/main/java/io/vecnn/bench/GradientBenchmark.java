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
 * Weight-gradient accumulation ∂W += δᵀ·a (the rank-1 path at batch 1, the GEMM path above) and
 * the bias gradient ∂b += Σδ, for the layers of 784-256-128-10, scalar and vector side by side.
 * Shape "batch x out x in". GFLOPS for ∂W = 2·batch·out·in × ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GradientBenchmark {
    @Param({"1x256x784", "32x256x784", "128x256x784", "128x128x256", "128x10x128", "10x100x784"})
    public String shape;

    @Param({"1"})
    public int threads;

    private int batch, out, in;
    private float[] delta, a, dw, db;
    private final Kernels scalar = Kernels.scalar();
    private Kernels vector;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        batch = Integer.parseInt(p[0]);
        out = Integer.parseInt(p[1]);
        in = Integer.parseInt(p[2]);
        vector = Kernels.vector().withThreads(threads);
        delta = ReferenceCheck.random(1, batch * out);
        a = ReferenceCheck.random(2, batch * in);
        dw = new float[out * in];
        db = new float[out];
        float[] ref = new float[out * in], vec = new float[out * in];
        scalar.accumulateOuterProducts(batch, out, in, delta, 0, out, a, 0, in, ref, 0, in);
        vector.accumulateOuterProducts(batch, out, in, delta, 0, out, a, 0, in, vec, 0, in);
        // forward-error bound of a length-batch sum of products of values in [-1, 1], twice (two float results)
        double u = Math.ulp(1f) / 2;
        ReferenceCheck.close("outer products", ref, vec, 0, 2 * (batch + 1) * u / (1 - (batch + 1) * u) * batch);
    }

    @Benchmark
    public float[] outerProductsScalar() {
        scalar.accumulateOuterProducts(batch, out, in, delta, 0, out, a, 0, in, dw, 0, in);
        return dw;
    }

    @Benchmark
    public float[] outerProductsVector() {
        vector.accumulateOuterProducts(batch, out, in, delta, 0, out, a, 0, in, dw, 0, in);
        return dw;
    }

    @Benchmark
    public float[] biasGradientScalar() {
        scalar.accumulateBiasGradient(batch, out, delta, 0, out, db, 0);
        return db;
    }

    @Benchmark
    public float[] biasGradientVector() {
        vector.accumulateBiasGradient(batch, out, delta, 0, out, db, 0);
        return db;
    }
}
