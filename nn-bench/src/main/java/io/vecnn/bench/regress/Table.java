package io.vecnn.bench.regress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hardware table of one run as Markdown: the FMA peak, OpenBLAS's self-report, every GEMM shape
 * at one and two threads (GFLOPS, vecnn over OpenBLAS, vecnn and OpenBLAS of the peak, two threads
 * over one) and the element-wise forward kernels against a copy. Every figure comes from the same
 * JMH results, so the ratios are within one run.
 */
public final class Table {
    private Table() {
    }

    /**
     * @param openBlas  OpenBLAS's description (core name, threads, environment), or null if unknown
     * @param loadStart the load average when the run started (or null), e.g. "0.12 0.30 0.25"
     * @param loadEnd   the load average when it ended (or null)
     */
    public static String markdown(List<JmhResult> results, String openBlas, String loadStart, String loadEnd) {
        Map<String, JmhResult> byKey = new LinkedHashMap<>();
        for (JmhResult r : results) {
            byKey.put(r.className() + "." + r.method() + " " + r.paramString(), r);
        }
        StringBuilder md = new StringBuilder();
        if (loadStart != null || loadEnd != null) {
            md.append("Load average (1, 5, 15 min) at the start: ").append(loadStart == null ? "?" : loadStart)
                    .append("; at the end: ").append(loadEnd == null ? "?" : loadEnd)
                    .append(". On 2 cores, anything above ~0.3 means other work shared the machine: absolute figures are")
                    .append(" then lower than a quiet machine's, ratios within the run still hold.\n\n");
        }
        JmhResult one = byKey.get("PeakBenchmark.oneCore ");
        JmhResult two = byKey.get("PeakBenchmark.twoCores ");
        JmhResult narrow = byKey.get("PeakBenchmark.oneCore256 ");
        md.append("FMA peak (PeakBenchmark): ").append(gflops(one)).append(" GFLOPS on one core, ").append(gflops(two))
                .append(" on two; 256-bit vectors on one core: ").append(gflops(narrow)).append(".\n\n");
        md.append("OpenBLAS: ").append(openBlas == null ? "not described" : openBlas).append("\n\n");

        List<String> shapes = new ArrayList<>();
        for (JmhResult r : results) {
            if (r.className().equals("GemmBenchmark") && r.params().containsKey("shape") && !shapes.contains(r.params().get("shape"))) {
                shapes.add(r.params().get("shape"));
            }
        }
        if (!shapes.isEmpty()) {
            md.append("| shape (m×n×k) | vecnn 1t GFLOPS | OpenBLAS 1t | vecnn / OpenBLAS | vecnn of peak | OpenBLAS of peak "
                    + "| vecnn 2t GFLOPS | OpenBLAS 2t | vecnn / OpenBLAS | vecnn of 2-core peak | vecnn 2t / 1t |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (String shape : shapes) {
                JmhResult v1 = byKey.get("GemmBenchmark.vector shape=" + shape + " threads=1");
                JmhResult o1 = byKey.get("GemmBenchmark.openblas shape=" + shape + " threads=1");
                JmhResult v2 = byKey.get("GemmBenchmark.vector shape=" + shape + " threads=2");
                JmhResult o2 = byKey.get("GemmBenchmark.openblas shape=" + shape + " threads=2");
                md.append("| ").append(shape).append(" | ").append(gflops(v1)).append(" | ").append(gflops(o1))
                        .append(" | ").append(ratio(v1, o1)).append(" | ").append(percent(v1, one)).append(" | ")
                        .append(percent(o1, one)).append(" | ").append(gflops(v2)).append(" | ").append(gflops(o2))
                        .append(" | ").append(ratio(v2, o2)).append(" | ").append(percent(v2, two)).append(" | ")
                        .append(ratio(v2, v1)).append(" |\n");
            }
            md.append('\n');
        }

        List<String> kinds = new ArrayList<>();
        for (JmhResult r : results) {
            if (r.className().equals("ActivationBenchmark") && r.method().equals("forwardVector")) {
                kinds.add(r.params().get("kind") + " size=" + r.params().get("size"));
            }
        }
        if (!kinds.isEmpty()) {
            md.append("| forward kernel | floats | vecnn ops/s | copy ops/s | time: copy / kernel | vecnn GB/s (12 B/float) "
                    + "| copy GB/s (8 B/float) | bandwidth: kernel / copy |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (String kind : kinds) {
                String[] ks = kind.split(" size=");
                String params = "kind=" + ks[0] + " size=" + ks[1];
                JmhResult f = byKey.get("ActivationBenchmark.forwardVector " + params);
                JmhResult c = byKey.get("ActivationBenchmark.copy " + params);
                double size = Double.parseDouble(ks[1]);
                md.append("| ").append(ks[0]).append(" | ").append(ks[1]).append(" | ").append(fmt(f.score(), 0)).append(" | ")
                        .append(c == null ? "" : fmt(c.score(), 0)).append(" | ").append(ratio(f, c)).append(" | ")
                        .append(fmt(f.score() * size * 12 / 1e9, 1)).append(" | ")
                        .append(c == null ? "" : fmt(c.score() * size * 8 / 1e9, 1)).append(" | ")
                        .append(c == null ? "" : fmt(f.score() * 12 / (c.score() * 8), 2)).append(" |\n");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String gflops(JmhResult r) {
        if (r == null) {
            return "";
        }
        double f = Ratio.flopPerOp(r);
        return Double.isNaN(f) ? "" : fmt(f * r.score() / 1e9, 1);
    }

    /** num's GFLOPS (or ops/s when both have the same operation) over den's. */
    private static String ratio(JmhResult num, JmhResult den) {
        if (num == null || den == null) {
            return "";
        }
        double fn = Ratio.flopPerOp(num), fd = Ratio.flopPerOp(den);
        double value = Double.isNaN(fn) || Double.isNaN(fd) ? num.score() / den.score() : fn * num.score() / (fd * den.score());
        return fmt(value, 2);
    }

    private static String percent(JmhResult num, JmhResult peak) {
        if (num == null || peak == null) {
            return "";
        }
        return fmt(100 * Ratio.flopPerOp(num) * num.score() / (Ratio.flopPerOp(peak) * peak.score()), 0) + " %";
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
