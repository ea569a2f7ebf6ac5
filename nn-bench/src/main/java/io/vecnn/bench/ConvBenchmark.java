package io.vecnn.bench;

import io.vecnn.kernels.ConvGeometry;
import io.vecnn.kernels.Kernels;
import io.vecnn.kernels.Transpose;
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

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The convolutions of the built-in CNN ({@code train --model cnn}) at batch 32 and 128, each pass
 * (forward, weight gradient, input gradient) by three methods side by side:
 * <ul>
 * <li>{@code convVector}: {@link Kernels#conv2d} and its gradients on the vector kernels (im2col per
 *     image into a per-thread buffer, then the vector GEMM per image: what the layer runs);</li>
 * <li>{@code convScalar}: the same on the scalar reference (the ratio's denominator);</li>
 * <li>{@code im2colGemm}: the explicit alternative, every image's columns first written side by side
 *     into one {@code C·k·k × B·OH·OW} matrix, then one large vector GEMM (its output is channel-major,
 *     {@code O × B·OH·OW}, not NCHW: a layer would add a transposition, not counted for the forward
 *     pass; for the gradients the copy of ∂Y into that layout is counted).</li>
 * </ul>
 * Each operation is {@code 2·B·O·C·k·k·OH·OW} floating-point operations, printed by the setup:
 * GFLOPS = that × ops/s / 10⁹, to be divided by {@link PeakBenchmark}'s figure from the same run. The
 * setup checks each method against the scalar reference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBenchmark {
    /** C×H×W:kernel:padding:outChannels, the CNN's two convolutions. */
    @Param({"1x28x28:3:1:32", "32x14x14:3:1:64"})
    public String layer;

    @Param({"32", "128"})
    public int batch;

    @Param({"forward", "filter", "data"})
    public String pass;

    @Param({"1"})
    public int threads;

    private ConvGeometry g;
    private int out;
    private float[] x, w, y, dw, dx, cols, chanMajor;
    private Kernels kernels;

    /** The floating-point operations of one call. */
    public static long flop(ConvGeometry g, int batch, int out) {
        return 2L * batch * out * g.patchSize() * g.outputPositions();
    }

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        String[] p = layer.split(":");
        String[] chw = p[0].split("x");
        g = ConvGeometry.square(Integer.parseInt(chw[0]), Integer.parseInt(chw[1]), Integer.parseInt(chw[2]),
                Integer.parseInt(p[1]), 1, Integer.parseInt(p[2]));
        out = Integer.parseInt(p[3]);
        x = ReferenceCheck.random(1, batch * g.inputSize());
        w = ReferenceCheck.random(2, out * g.patchSize());
        y = ReferenceCheck.random(3, batch * out * g.outputPositions());
        dw = new float[w.length];
        dx = new float[x.length];
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        kernels = method.equals("convScalar") ? Kernels.scalar() : Kernels.vector().withThreads(threads);
        if (method.equals("im2colGemm")) {
            cols = new float[g.patchSize() * batch * g.outputPositions()];
            chanMajor = new float[out * batch * g.outputPositions()];
        }
        System.out.printf(Locale.ROOT, "%n# conv %s batch %d %s: %,d FLOP per call%n", g, batch, pass, flop(g, batch, out));
        // Check against the scalar reference (for im2colGemm: forward and weight gradient in its own layout).
        float[] got = run(method);
        float[] ref = referenceFor(method);
        ReferenceCheck.close(method + " " + pass, ref, got, 1e-3, 1e-3 * Math.sqrt(g.patchSize()));
    }

    private float[] referenceFor(String method) {
        Kernels s = Kernels.scalar();
        int pos = g.outputPositions();
        switch (pass) {
            case "forward" -> {
                float[] r = new float[y.length];
                s.conv2d(g, batch, out, x, 0, w, 0, null, 0, r, 0);
                if (!method.equals("im2colGemm")) {
                    return r;
                }
                float[] cm = new float[r.length];
                for (int n = 0; n < batch; n++) {
                    for (int o = 0; o < out; o++) {
                        System.arraycopy(r, (n * out + o) * pos, cm, o * batch * pos + n * pos, pos);
                    }
                }
                return cm;
            }
            case "filter" -> {
                float[] r = new float[w.length];
                s.conv2dBackwardFilter(g, batch, out, x, 0, y, 0, r, 0, null, 0);
                return r;
            }
            default -> {
                float[] r = new float[x.length];
                s.conv2dBackwardData(g, batch, out, y, 0, w, 0, r, 0);
                return r;
            }
        }
    }

    private float[] run(String method) {
        return switch (method) {
            case "im2colGemm" -> im2colGemm();
            case "convScalar" -> convScalar();
            default -> convVector();
        };
    }

    @Benchmark
    public float[] convVector() {
        return conv();
    }

    /** The reference; single-threaded. */
    @Benchmark
    public float[] convScalar() {
        return conv();
    }

    private float[] conv() {
        switch (pass) {
            case "forward" -> {
                kernels.conv2d(g, batch, out, x, 0, w, 0, null, 0, y, 0);
                return y;
            }
            case "filter" -> {
                java.util.Arrays.fill(dw, 0f);
                kernels.conv2dBackwardFilter(g, batch, out, x, 0, y, 0, dw, 0, null, 0);
                return dw;
            }
            default -> {
                kernels.conv2dBackwardData(g, batch, out, y, 0, w, 0, dx, 0);
                return dx;
            }
        }
    }

    /** Every image's columns side by side (column block n holds image n), then one GEMM per pass. */
    @Benchmark
    public float[] im2colGemm() {
        int pos = g.outputPositions(), k = g.patchSize(), wide = batch * pos;
        switch (pass) {
            case "forward" -> {
                fillColumns(pos, k, wide);
                kernels.gemm(Transpose.N, Transpose.N, out, wide, k, 1f, w, 0, k, cols, 0, wide, 0f, chanMajor, 0, wide);
                return chanMajor;
            }
            case "filter" -> {
                fillColumns(pos, k, wide);
                // ∂Y in channel-major layout is taken as given (the forward pass's layout).
                for (int n = 0; n < batch; n++) {
                    for (int o = 0; o < out; o++) {
                        System.arraycopy(y, (n * out + o) * pos, chanMajor, o * wide + n * pos, pos);
                    }
                }
                java.util.Arrays.fill(dw, 0f);
                kernels.gemm(Transpose.N, Transpose.T, out, k, wide, 1f, chanMajor, 0, wide, cols, 0, wide, 1f, dw, 0, k);
                return dw;
            }
            default -> {
                for (int n = 0; n < batch; n++) {
                    for (int o = 0; o < out; o++) {
                        System.arraycopy(y, (n * out + o) * pos, chanMajor, o * wide + n * pos, pos);
                    }
                }
                kernels.gemm(Transpose.T, Transpose.N, k, wide, out, 1f, w, 0, k, chanMajor, 0, wide, 0f, cols, 0, wide);
                java.util.Arrays.fill(dx, 0f);
                float[] one = columnsOfOne(k, pos);
                for (int n = 0; n < batch; n++) {
                    for (int r = 0; r < k; r++) {
                        System.arraycopy(cols, r * wide + n * pos, one, r * pos, pos);
                    }
                    kernels.col2imAdd(g, one, 0, dx, n * g.inputSize());
                }
                return dx;
            }
        }
    }

    private float[] one;

    private float[] columnsOfOne(int k, int pos) {
        if (one == null) {
            one = new float[k * pos];
        }
        return one;
    }

    private void fillColumns(int pos, int k, int wide) {
        float[] buf = columnsOfOne(k, pos);
        for (int n = 0; n < batch; n++) {
            kernels.im2col(g, x, n * g.inputSize(), buf, 0);
            for (int r = 0; r < k; r++) {
                System.arraycopy(buf, r * pos, cols, r * wide + n * pos, pos);
            }
        }
    }
}
