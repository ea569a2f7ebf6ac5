package io.vecnn.bench.regress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The named sets a regression run can run: each a list of JMH stages (an include pattern and its
 * parameters), run one after another so that a parameter name shared by two classes ({@code shape},
 * {@code batch}) can take different values in each.
 */
public enum BenchmarkSet {
    /**
     * About ten minutes: what a regression run gates on. One thread; the GEMM shapes of a
     * 784-256-128-10 step at batch 128 and a square; every element-wise family at 1M floats; the
     * training steps against their own GEMMs.
     */
    QUICK(List.of(
            new Stage("PeakBenchmark\\.oneCore$", Map.of()),
            new Stage("GemmBenchmark\\.(vector|scalar|openblas)$", Map.of(
                    "shape", new String[] {"256x256x256", "128x256x784:NT", "256x784x128:TN", "128x256x128:NN", "128x10x128:NT"},
                    "threads", new String[] {"1"})),
            new Stage("GradientBenchmark\\.outerProducts", Map.of("shape", new String[] {"1x256x784", "128x256x784"})),
            new Stage("ActivationBenchmark", Map.of("size", new String[] {"1048576"}, "kind", new String[] {"RELU", "SIGMOID"})),
            new Stage("OptimizerBenchmark\\.(copy|adam.*|sgdMomentum.*)$", Map.of("size", new String[] {"1048576"},
                    "threads", new String[] {"1"})),
            new Stage("LossBenchmark", Map.of("batch", new String[] {"128"})),
            new Stage("TrainingStepBenchmark", Map.of("net", new String[] {"mlp-adam"}, "batch", new String[] {"128"},
                    "threads", new String[] {"1"})),
            new Stage("TrainingStepBenchmark", Map.of("net", new String[] {"classic"}, "batch", new String[] {"10"},
                    "threads", new String[] {"1"})))),
    /**
     * About two hours on these machines (25–30 s per benchmark with two forks and reference checks): the
     * README's performance tables. GEMM on the batch-128 training shapes and squares 256…1024 at one
     * and two threads (the scalar reference at one), every other family at its declared parameters,
     * the training steps at every batch and thread count.
     */
    FULL(List.of(
            new Stage("PeakBenchmark", Map.of()),
            new Stage("GemmBenchmark\\.(vector|openblas)$", Map.of(
                    "shape", GemmSquaresAndTrainingShapes.ALL, "threads", new String[] {"1", "2"})),
            new Stage("GemmBenchmark\\.scalar$", Map.of("shape", GemmSquaresAndTrainingShapes.ALL, "threads", new String[] {"1"})),
            new Stage("GradientBenchmark", Map.of()),
            new Stage("ActivationBenchmark", Map.of()),
            new Stage("OptimizerBenchmark", Map.of()),
            new Stage("LossBenchmark", Map.of()),
            new Stage("TrainingStepBenchmark", Map.of("net", new String[] {"mlp-adam", "mlp-sgd"},
                    "batch", new String[] {"32", "128", "512"})),
            new Stage("TrainingStepBenchmark", Map.of("net", new String[] {"classic"}, "batch", new String[] {"10"})))),
    /**
     * The hardware table (about 35 minutes): the FMA peak on one and two cores (and at 256 bits), then
     * every shape of GemmBenchmark at one and two threads, vecnn and OpenBLAS one after the other per
     * shape, then sigmoid, tanh and GELU forward against a copy at 1M floats. {@code run --set peak}
     * prints the table ({@link Table}) with OpenBLAS's core name and thread count and the load average.
     */
    PEAK(peakStages());

    private static List<Stage> peakStages() {
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage("PeakBenchmark", Map.of()));
        for (String shape : GemmShapes.ALL) {
            // one stage per shape: vecnn and OpenBLAS measured minutes apart at most, not an hour
            stages.add(new Stage("GemmBenchmark\\.(vector|openblas)$", Map.of("shape", new String[] {shape},
                    "threads", new String[] {"1", "2"})));
        }
        stages.add(new Stage("ActivationBenchmark\\.(copy|forwardVector)$", Map.of("size", new String[] {"1048576"},
                "kind", new String[] {"SIGMOID", "TANH", "GELU"})));
        return List.copyOf(stages);
    }

    /** One JMH run: benchmarks matching {@code include}, with these parameter values (the rest as declared). */
    public record Stage(String include, Map<String, String[]> params) {
    }

    private final List<Stage> stages;

    BenchmarkSet(List<Stage> stages) {
        this.stages = stages;
    }

    public List<Stage> stages() {
        return stages;
    }

    /** Every shape GemmBenchmark declares (its {@code @Param} list). */
    static final class GemmShapes {
        static final String[] ALL = shapesOf();

        private static String[] shapesOf() {
            try {
                return io.vecnn.bench.GemmBenchmark.class.getField("shape")
                        .getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The GEMM shapes of the full set: squares 256…1024 and the batch-128 training shapes (others: GemmBenchmark's own list, by hand). */
    private static final class GemmSquaresAndTrainingShapes {
        static final String[] ALL = {"256x256x256", "512x512x512", "1024x1024x1024",
                "128x256x784:NT", "256x784x128:TN", "128x128x256:NT", "128x256x128:TN", "128x256x128:NN",
                "128x10x128:NT", "10x128x128:TN", "128x128x10:NN"};
    }
}
