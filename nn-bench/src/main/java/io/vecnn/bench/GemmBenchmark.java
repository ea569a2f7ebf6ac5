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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * SGEMM C = op(A)·op(B): the scalar reference, the Vector API kernels and OpenBLAS side by side,
 * on squares and on the shapes of training a 784-256-128-10 network (forward X·Wᵀ "NT", weight
 * gradient δᵀ·X "TN", input gradient δ·W "NN", at batch 32, 128 and 512). GFLOPS = 2·m·n·k × ops/s;
 * {@link PeakBenchmark} in the same run is the denominator.
 *
 * <p>The fork runs OpenBLAS with the kernel it picks for this CPU: {@code OPENBLAS_CORETYPE} and
 * {@code OPENBLAS_L2_SIZE} are removed from its environment ({@link OpenBlas#OWN_KERNEL_PROPERTY});
 * the OpenBLAS setup prints its core name, thread count and what was removed, and fails if
 * OpenBLAS does not run the requested thread count.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-D" + OpenBlas.OWN_KERNEL_PROPERTY + "=true"})
public class GemmBenchmark {
    @Param({"64x64x64", "128x128x128", "256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "32x256x784:NT", "256x784x32:TN",
            "32x128x256:NT", "128x256x32:TN", "32x256x128:NN",
            "32x10x128:NT", "10x128x32:TN", "32x128x10:NN",
            "128x256x784:NT", "256x784x128:TN",
            "128x128x256:NT", "128x256x128:TN", "128x256x128:NN",
            "128x10x128:NT", "10x128x128:TN", "128x128x10:NN",
            "512x256x784:NT", "256x784x512:TN",
            "512x128x256:NT", "128x256x512:TN", "512x256x128:NN",
            "512x10x128:NT", "10x128x512:TN", "512x128x10:NN"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private GemmShape s;
    private float[] a, b, c;
    private Kernels kernels;
    private MemorySegment sa, sb, sc;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        s = GemmShape.parse(shape);
        a = ReferenceCheck.random(1, s.m() * s.k());
        b = ReferenceCheck.random(2, s.k() * s.n());
        c = new float[s.m() * s.n()];
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        switch (method) {
            case "openblas" -> {
                if (OpenBlas.unavailableReason() != null) {
                    throw new IllegalStateException("skipping the OpenBLAS peer: " + OpenBlas.unavailableReason());
                }
                OpenBlas.setThreads(threads);
                if (OpenBlas.threads() != threads) {
                    throw new IllegalStateException("OpenBLAS runs " + OpenBlas.threads() + " threads, not " + threads
                            + ": " + OpenBlas.describe());
                }
                System.out.println("\n# OpenBLAS peer: " + OpenBlas.describe());
                sa = OpenBlas.segment(a, 0);
                sb = OpenBlas.segment(b, 0);
                sc = OpenBlas.segment(c, 0);
                openblas();
            }
            case "vector" -> {
                kernels = Kernels.vector().withThreads(threads);
                vector();
            }
            case "scalar" -> {
                kernels = Kernels.scalar();
                scalar();
            }
            default -> throw new IllegalStateException("unknown benchmark method " + method);
        }
        ReferenceCheck.gemm(method, s, a, b, c);
    }

    @Benchmark
    public float[] vector() {
        kernels.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(), 0f, c, 0, s.n());
        return c;
    }

    /** The reference; single-threaded whatever the threads parameter says. */
    @Benchmark
    public float[] scalar() {
        kernels.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(), 0f, c, 0, s.n());
        return c;
    }

    @Benchmark
    public float[] openblas() {
        OpenBlas.sgemm(s.transA().transposed(), s.transB().transposed(), s.m(), s.n(), s.k(), 1f,
                sa, s.lda(), sb, s.ldb(), 0f, sc, s.n());
        return c;
    }
}
