package io.vecnn.bench;

import io.vecnn.api.GradientCheck;
import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.kernels.Kernels;
import io.vecnn.kernels.Transpose;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Losses;
import io.vecnn.train.Optimizers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One training step (zero gradients, forward, loss, backward, optimizer update) of a whole network,
 * on the vector kernels (the provider's choice; {@code -jvmArgsAppend -Dvecnn.kernels=scalar} for the
 * reference path). Throughput is steps per second: samples/s = score × batch. Run with
 * {@code -prof gc} for the allocation per step.
 *
 * <p>{@code gemms} runs only the matrix products of the same step (forward X·Wᵀ per layer, weight
 * gradients δᵀ·a, input gradients δ·W below the top layer) with the same shapes and kernels: the ratio
 * {@code step / gemms} in one run says how much the element-wise, loss and update work adds.
 *
 * <ul>
 * <li>{@code mlp}: 784-256-128-10, ReLU, softmax cross-entropy, Adam or SGD (batch 32, 128, 512).</li>
 * <li>{@code classic}: the seeds' 784-100-10, sigmoid, quadratic cost, SGD η = 3 (batch 10).</li>
 * </ul>
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class TrainingStepBenchmark {
    /** Network and optimizer. */
    @Param({"mlp-adam", "mlp-sgd", "classic"})
    public String net;

    /** Samples per step (the seeds' classic setup uses 10). */
    @Param({"10", "32", "128", "512"})
    public int batch;

    /** Kernel threads. */
    @Param({"1", "2"})
    public int threads;

    private Model model;
    private Model.Workspace ws;
    private Loss loss;
    private Optimizer optimizer;
    private float lr;
    private Matrix x;
    private Matrix y;
    private Matrix grad;
    private long step;
    private Kernels kernels;
    private int[] widths;
    private float[][] acts, deltas, weights, weightGrads;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = Kernels.get().withThreads(threads);
        boolean classic = net.equals("classic");
        Model.Builder b = Model.builder(784).seed(1);
        if (classic) {
            b.add(Dense.of(100, Activations.sigmoid())).add(Dense.of(10, Activations.sigmoid()));
            loss = Losses.quadratic();
            optimizer = Optimizers.sgd(0f);
            lr = 3f;
        } else {
            b.add(Dense.of(256, Activations.relu())).add(Dense.of(128, Activations.relu())).add(Dense.of(10));
            loss = Losses.softmaxCrossEntropy();
            optimizer = net.equals("mlp-adam") ? Optimizers.adam(0f) : Optimizers.sgd(0.9f, false, 0f);
            lr = net.equals("mlp-adam") ? 1e-3f : 0.01f;
        }
        model = b.build();
        Random r = new Random(7);
        x = Matrix.zeros(batch, 784);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextFloat();
        }
        y = Matrix.zeros(batch, 10);
        for (int i = 0; i < batch; i++) {
            y.set(i, r.nextInt(10), 1f);
        }
        grad = Matrix.zeros(batch, 10);
        // The benchmarked path must be right: hold its gradients to finite differences first.
        Matrix smallX = Matrix.wrap(4, 784, java.util.Arrays.copyOf(x.data(), 4 * 784));
        Matrix smallY = Matrix.wrap(4, 10, java.util.Arrays.copyOf(y.data(), 40));
        GradientCheck.Result check = new GradientCheck().epsilon(1e-3).maxPerParameter(20).check(model, loss, smallX, smallY);
        if (!check.passed()) {
            throw new IllegalStateException("gradient check failed before benchmarking: " + check);
        }
        ws = model.newTrainingWorkspace(kernels);

        widths = classic ? new int[] {784, 100, 10} : new int[] {784, 256, 128, 10};
        int layers = widths.length - 1;
        acts = new float[layers + 1][];
        deltas = new float[layers + 1][];
        weights = new float[layers][];
        weightGrads = new float[layers][];
        for (int l = 0; l <= layers; l++) {
            acts[l] = ReferenceCheck.random(10 + l, batch * widths[l]);
            deltas[l] = ReferenceCheck.random(20 + l, batch * widths[l]);
        }
        for (int l = 0; l < layers; l++) {
            weights[l] = ReferenceCheck.random(30 + l, widths[l + 1] * widths[l]);
            weightGrads[l] = new float[widths[l + 1] * widths[l]];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ws.close();
    }

    @Benchmark
    public double step() {
        ws.zeroGradients();
        Matrix out = ws.forward(x, Mode.TRAINING, ++step);
        double l = loss.compute(out, y, grad, kernels);
        ws.backward(grad);
        optimizer.step(model.parameters(), ws.gradients(), lr, kernels);
        return l;
    }

    /** The step's matrix products alone, same shapes and kernels as {@link #step()}. */
    @Benchmark
    public float[][] gemms() {
        int layers = widths.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            // forward: a_{l+1}[B×out] = a_l[B×in] · W_lᵀ
            kernels.gemm(Transpose.N, Transpose.T, batch, out, in, 1f, acts[l], 0, in, weights[l], 0, in, 0f, acts[l + 1], 0, out);
        }
        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l], out = widths[l + 1];
            // weight gradient: ∂W_l[out×in] += δ_{l+1}ᵀ · a_l
            kernels.gemm(Transpose.T, Transpose.N, out, in, batch, 1f, deltas[l + 1], 0, out, acts[l], 0, in, 1f, weightGrads[l], 0, in);
            if (l > 0) {
                // input gradient: δ_l[B×in] = δ_{l+1} · W_l
                kernels.gemm(Transpose.N, Transpose.N, batch, in, out, 1f, deltas[l + 1], 0, out, weights[l], 0, in, 0f, deltas[l], 0, in);
            }
        }
        return weightGrads;
    }
}
