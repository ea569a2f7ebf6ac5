package io.vecnn.bench.regress;

import io.vecnn.bench.PeakBenchmark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A machine-independent figure: how many times faster one benchmark ran than another of the same
 * class with the same parameters, in the same run. What a regression run gates on.
 *
 * <p>The pairs, found by name:
 * <ul>
 * <li>{@code xVector} over {@code xScalar}, and {@code vector} over {@code scalar}: speed-up over the
 *     scalar reference;</li>
 * <li>{@code vector} over {@code openblas}: fraction of OpenBLAS's speed (GEMM);</li>
 * <li>{@code xVector} over {@code copy}: speed relative to a plain array copy of the same size
 *     (element-wise kernels);</li>
 * <li>{@code step} over {@code gemms}: a training step's speed relative to its matrix products alone;</li>
 * <li>{@code GemmBenchmark.vector} GFLOPS over {@code PeakBenchmark}'s FMA peak GFLOPS for the same
 *     thread count ({@code oneCore} for 1, {@code twoCores} for 2): the fraction of the hardware's
 *     peak the GEMM reaches (the one pair across classes: the peak is the run's denominator).</li>
 * </ul>
 *
 * <p>The interval is the ratio of the two JMH confidence intervals taken at their far ends
 * ([low/high', high/low']): conservative, since the two benchmarks' errors are independent.
 *
 * @param key       what was divided by what, with the parameters: stable across runs
 * @param kind      the pair's meaning, e.g. "over scalar"
 * @param value     the ratio of the scores (higher is better)
 * @param low       the interval's lower end (NaN if JMH gave no interval)
 * @param high      the interval's upper end
 * @param numerator the faster-is-better benchmark
 */
public record Ratio(String key, String kind, double value, double low, double high, JmhResult numerator) {
    public static final String OVER_SCALAR = "over scalar";
    public static final String OVER_OPENBLAS = "of OpenBLAS";
    public static final String OVER_COPY = "of copy";
    public static final String OVER_GEMMS = "of its GEMMs";
    public static final String OF_PEAK = "of peak";

    /** Every ratio the results allow, in the order of the results. */
    public static List<Ratio> derive(List<JmhResult> results) {
        Map<String, JmhResult> byName = new HashMap<>();
        for (JmhResult r : results) {
            byName.put(id(r.className(), r.method(), r), r);
        }
        List<Ratio> out = new ArrayList<>();
        for (JmhResult r : results) {
            String m = r.method();
            if (m.endsWith("Vector")) {
                add(out, byName, r, m.substring(0, m.length() - "Vector".length()) + "Scalar", OVER_SCALAR);
                add(out, byName, r, "copy", OVER_COPY);
            } else if (m.equals("vector")) {
                add(out, byName, r, "scalar", OVER_SCALAR);
                add(out, byName, r, "openblas", OVER_OPENBLAS);
            } else if (m.equals("step")) {
                add(out, byName, r, "gemms", OVER_GEMMS);
            }
            if (m.equals("vector") && r.className().equals("GemmBenchmark")) {
                addOfPeak(out, byName, r);
            }
        }
        return out;
    }

    /** The PeakBenchmark method measured with this many threads, or null. */
    static String peakMethod(String threads) {
        return switch (threads == null ? "1" : threads) {
            case "1" -> "oneCore";
            case "2" -> "twoCores";
            default -> null;
        };
    }

    /** Floating-point operations per operation of a GEMM result (from its shape) or a peak result; NaN if unknown. */
    static double flopPerOp(JmhResult r) {
        if (r.className().equals("PeakBenchmark")) {
            return PeakBenchmark.FLOP_PER_OP;
        }
        String shape = r.params().get("shape");
        if (shape == null || !shape.matches("\\d+x\\d+x\\d+(:.*)?")) {
            return Double.NaN;
        }
        String[] d = shape.split(":")[0].split("x");
        return 2.0 * Double.parseDouble(d[0]) * Double.parseDouble(d[1]) * Double.parseDouble(d[2]);
    }

    private static void addOfPeak(List<Ratio> out, Map<String, JmhResult> byName, JmhResult gemm) {
        String peakMethod = peakMethod(gemm.params().get("threads"));
        double flops = flopPerOp(gemm);
        if (peakMethod == null || Double.isNaN(flops) || !gemm.unit().equals("ops/s")) {
            return;
        }
        JmhResult peak = byName.get("PeakBenchmark." + peakMethod + " ");
        if (peak == null || !peak.unit().equals("ops/s")) {
            return;
        }
        double scale = flops / PeakBenchmark.FLOP_PER_OP;
        double value = scale * gemm.score() / peak.score();
        double low = scale * gemm.low() / peak.high();
        double high = scale * gemm.high() / peak.low();
        if (!(low > 0) || Double.isInfinite(high)) {
            low = high = Double.NaN;
        }
        String key = gemm.className() + "." + gemm.method() + "/PeakBenchmark." + peakMethod + " " + gemm.paramString();
        out.add(new Ratio(key, OF_PEAK, value, low, high, gemm));
    }

    private static void add(List<Ratio> out, Map<String, JmhResult> byName, JmhResult num, String denomMethod, String kind) {
        JmhResult den = byName.get(id(num.className(), denomMethod, num));
        if (den == null || !den.mode().equals(num.mode())) {
            return;
        }
        // throughput: num/den; time per operation: den/num. Either way, higher is better.
        boolean thrpt = num.higherIsBetter();
        double value = thrpt ? num.score() / den.score() : den.score() / num.score();
        double low = thrpt ? num.low() / den.high() : den.low() / num.high();
        double high = thrpt ? num.high() / den.low() : den.high() / num.low();
        if (!(low > 0) || Double.isInfinite(high)) {
            low = high = Double.NaN;
        }
        String key = num.className() + "." + num.method() + "/" + denomMethod + (num.params().isEmpty() ? "" : " " + num.paramString());
        out.add(new Ratio(key, kind, value, low, high, num));
    }

    private static String id(String cls, String method, JmhResult paramsOf) {
        return cls + "." + method + " " + paramsOf.paramString();
    }

    /** True if the interval is known. */
    public boolean hasInterval() {
        return !Double.isNaN(low) && !Double.isNaN(high);
    }
}
