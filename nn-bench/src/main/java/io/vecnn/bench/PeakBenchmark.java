package io.vecnn.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The FP32 FMA peak as the JIT reaches it: the denominator of every GEMM figure ("of peak"),
 * measured in the same run. Each operation is {@link #FLOP_PER_OP} floating-point operations:
 * {@link #CHAINS} independent chains {@code acc = a.fma(b, acc)} in vector registers (the
 * accumulator as the addend, so that C2 emits one {@code vfmadd231ps} per FMA with no register
 * copy), enough chains to cover FMA latency × FMA ports (4 × 2 on current x86 cores) with slack.
 * GFLOPS = FLOP_PER_OP × ops/s / 10⁹.
 *
 * <ul>
 * <li>{@code oneCore}, {@code twoCores}: the preferred species (the width vecnn's kernels use),
 *     one and two JMH threads (the score is their sum);</li>
 * <li>{@code oneCore256}: 256-bit vectors, for comparison with clock × 32 FLOP/cycle (AVX2's two
 *     8-lane FMA pipes) on a machine whose preferred width is 512 bits.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PeakBenchmark {
    /** Independent accumulator chains: 12 registers plus the two operands fit 16 (AVX2) and 32. */
    public static final int CHAINS = 12;
    /** Lane-FMAs per operation, divisible by CHAINS × any lane count from 4 to 16. */
    private static final int LANE_FMAS = CHAINS * 16 * 8192;
    /** Floating-point operations per benchmark operation (2 per lane-FMA), whatever the width. */
    public static final double FLOP_PER_OP = 2.0 * LANE_FMAS;

    private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;

    // Fields, so that the JIT cannot fold the operands; values keep every chain finite and normal.
    private float a = 0.999f;
    private float b = 1e-7f;

    @Benchmark
    @Threads(1)
    public float oneCore() {
        return chainsPreferred(LANE_FMAS / (CHAINS * PREFERRED.length()));
    }

    @Benchmark
    @Threads(2)
    public float twoCores() {
        return chainsPreferred(LANE_FMAS / (CHAINS * PREFERRED.length()));
    }

    @Benchmark
    @Threads(1)
    public float oneCore256() {
        return chains256(LANE_FMAS / (CHAINS * S256.length()));
    }

    private float chainsPreferred(int iterations) {
        FloatVector va = FloatVector.broadcast(PREFERRED, a), vb = FloatVector.broadcast(PREFERRED, b);
        FloatVector c0 = FloatVector.zero(PREFERRED), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < iterations; i++) {
            c0 = va.fma(vb, c0);
            c1 = va.fma(vb, c1);
            c2 = va.fma(vb, c2);
            c3 = va.fma(vb, c3);
            c4 = va.fma(vb, c4);
            c5 = va.fma(vb, c5);
            c6 = va.fma(vb, c6);
            c7 = va.fma(vb, c7);
            c8 = va.fma(vb, c8);
            c9 = va.fma(vb, c9);
            c10 = va.fma(vb, c10);
            c11 = va.fma(vb, c11);
        }
        // One lane of the sum: enough to keep every chain live.
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }

    private float chains256(int iterations) {
        FloatVector va = FloatVector.broadcast(S256, a), vb = FloatVector.broadcast(S256, b);
        FloatVector c0 = FloatVector.zero(S256), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < iterations; i++) {
            c0 = va.fma(vb, c0);
            c1 = va.fma(vb, c1);
            c2 = va.fma(vb, c2);
            c3 = va.fma(vb, c3);
            c4 = va.fma(vb, c4);
            c5 = va.fma(vb, c5);
            c6 = va.fma(vb, c6);
            c7 = va.fma(vb, c7);
            c8 = va.fma(vb, c8);
            c9 = va.fma(vb, c9);
            c10 = va.fma(vb, c10);
            c11 = va.fma(vb, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }
}
