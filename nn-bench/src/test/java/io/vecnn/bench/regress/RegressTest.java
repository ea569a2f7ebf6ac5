package io.vecnn.bench.regress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegressTest {
    @TempDir
    Path dir;

    /** A JMH JSON file in the shape JMH writes: benchmark, mode, params, primaryMetric with its interval. */
    private static final class JmhJson {
        private final List<String> entries = new ArrayList<>();

        JmhJson add(String benchmark, Map<String, String> params, double score, double halfWidth) {
            StringBuilder p = new StringBuilder();
            params.forEach((k, v) -> p.append(p.isEmpty() ? "" : ", ").append('"').append(k).append("\": \"").append(v).append('"'));
            entries.add(String.format(Locale.ROOT, """
                    {"jmhVersion": "1.37", "benchmark": "io.vecnn.bench.%s", "mode": "thrpt", "threads": 1, "forks": 1,
                     "params": {%s},
                     "primaryMetric": {"score": %s, "scoreError": %s, "scoreConfidence": [%s, %s], "scoreUnit": "ops/s",
                                       "rawData": [[%s, %s]]}}""",
                    benchmark, p, score, halfWidth, score - halfWidth, score + halfWidth, score, score));
            return this;
        }

        Path write(Path file) throws IOException {
            Files.writeString(file, "[\n" + String.join(",\n", entries) + "\n]\n");
            return file;
        }
    }

    private static final Map<String, String> SHAPE = Map.of("shape", "256x256x256", "threads", "1");

    /** GEMM at 1000 ops/s (±1 %), scalar at 50, OpenBLAS at 1100; the vector score is the knob. */
    private static JmhJson gemmRun(double vector, double halfWidth) {
        return new JmhJson()
                .add("GemmBenchmark.vector", SHAPE, vector, halfWidth)
                .add("GemmBenchmark.scalar", SHAPE, 50, 0.5)
                .add("GemmBenchmark.openblas", SHAPE, 1100, 11)
                .add("TrainingStepBenchmark.step", Map.of("net", "mlp-adam", "batch", "128", "threads", "1"), 200, 2)
                .add("TrainingStepBenchmark.gemms", Map.of("net", "mlp-adam", "batch", "128", "threads", "1"), 230, 2);
    }

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome regress(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Regress.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void ratiosPairBenchmarksOfOneClassWithEqualParameters() throws IOException {
        Path f = gemmRun(1000, 10)
                .add("GemmBenchmark.vector", Map.of("shape", "256x256x256", "threads", "2"), 1800, 18) // no scalar at 2 threads
                .add("ActivationBenchmark.forwardVector", Map.of("size", "1048576", "kind", "RELU"), 900, 9)
                .add("ActivationBenchmark.forwardScalar", Map.of("size", "1048576", "kind", "RELU"), 100, 1)
                .add("ActivationBenchmark.copy", Map.of("size", "1048576", "kind", "RELU"), 1000, 10)
                .write(dir.resolve("r.json"));
        List<Ratio> ratios = Ratio.derive(JmhResult.read(f));
        assertEquals(List.of(
                "GemmBenchmark.vector/scalar shape=256x256x256 threads=1",
                "GemmBenchmark.vector/openblas shape=256x256x256 threads=1",
                "TrainingStepBenchmark.step/gemms batch=128 net=mlp-adam threads=1",
                "ActivationBenchmark.forwardVector/forwardScalar kind=RELU size=1048576",
                "ActivationBenchmark.forwardVector/copy kind=RELU size=1048576"), ratios.stream().map(Ratio::key).toList());
        Ratio overScalar = ratios.get(0);
        assertEquals(20.0, overScalar.value(), 1e-12);
        // the interval takes the far ends: (1000 − 10) / (50 + 0.5) and (1000 + 10) / (50 − 0.5)
        assertEquals(990 / 50.5, overScalar.low(), 1e-12);
        assertEquals(1010 / 49.5, overScalar.high(), 1e-12);
        assertEquals(Ratio.OVER_OPENBLAS, ratios.get(1).kind());
        assertEquals(1000 / 1100.0, ratios.get(1).value(), 1e-12);
        assertEquals(200 / 230.0, ratios.get(2).value(), 1e-12);
    }

    @Test
    void gemmIsDividedByThePeakOfItsThreadCount() throws IOException {
        // 1000 ops/s of 2·256³ FLOP = 33.6 GFLOPS; the peak's operations are PeakBenchmark.FLOP_PER_OP each
        double peakOps = 100e9 / io.vecnn.bench.PeakBenchmark.FLOP_PER_OP; // 100 GFLOPS on one core
        Path f = gemmRun(1000, 10)
                .add("GemmBenchmark.vector", Map.of("shape", "256x256x256", "threads", "2"), 1800, 18)
                .add("PeakBenchmark.oneCore", Map.of(), peakOps, peakOps / 100)
                .add("PeakBenchmark.twoCores", Map.of(), 2 * peakOps, 2 * peakOps / 100)
                .write(dir.resolve("p.json"));
        List<Ratio> ofPeak = Ratio.derive(JmhResult.read(f)).stream().filter(r -> r.kind().equals(Ratio.OF_PEAK)).toList();
        assertEquals(List.of("GemmBenchmark.vector/PeakBenchmark.oneCore shape=256x256x256 threads=1",
                "GemmBenchmark.vector/PeakBenchmark.twoCores shape=256x256x256 threads=2"), ofPeak.stream().map(Ratio::key).toList());
        double gflops1 = 2.0 * 256 * 256 * 256 * 1000 / 1e9;
        assertEquals(gflops1 / 100, ofPeak.get(0).value(), 1e-12);
        assertEquals(gflops1 * 0.99 / (100 * 1.01), ofPeak.get(0).low(), 1e-12);
        assertEquals(1.8 * gflops1 / 200, ofPeak.get(1).value(), 1e-12);
        assertEquals("100.0 GFLOPS", Report.derived(JmhResult.read(f).get(6)));
        // a slower GEMM against the same peak is a regression of its of-peak ratio too
        Path slow = gemmRun(800, 8).add("GemmBenchmark.vector", Map.of("shape", "256x256x256", "threads", "2"), 1800, 18)
                .add("PeakBenchmark.oneCore", Map.of(), peakOps, peakOps / 100)
                .add("PeakBenchmark.twoCores", Map.of(), 2 * peakOps, 2 * peakOps / 100)
                .write(dir.resolve("slow.json"));
        Outcome o = regress("compare", "--run", slow.toString(), "--baseline", f.toString(), "--out", dir.resolve("rep").toString());
        assertEquals(1, o.code(), o.out() + o.err());
        assertTrue(o.err().contains("REGRESSION  GemmBenchmark.vector/PeakBenchmark.oneCore shape=256x256x256 threads=1"), o.err());
        // the table puts each shape's figures in one row
        String table = Table.markdown(JmhResult.read(f), "core Testlake", "0.01 0.02 0.03", "0.04 0.05 0.06");
        assertTrue(table.contains("| 256x256x256 | 33.6 | 36.9 | 0.91 | 34 % | 37 % | 60.4 |  |  | 30 % | 1.80 |"), table);
        assertTrue(table.contains("OpenBLAS: core Testlake"), table);
        assertTrue(table.contains("at the start: 0.01 0.02 0.03; at the end: 0.04 0.05 0.06"), table);
        assertTrue(table.contains("100.0 GFLOPS on one core, 200.0 on two"), table);
        Outcome printed = regress("table", "--run", f.toString());
        assertEquals(0, printed.code(), printed.err());
        assertTrue(printed.out().contains("| 256x256x256 | 33.6 | 36.9 | 0.91 | 34 % |"), printed.out());
        assertTrue(printed.out().contains("OpenBLAS: not recorded (no openblas.txt beside"), printed.out());
        Files.writeString(dir.resolve("openblas.txt"), "core Recordedlake\n");
        assertTrue(regress("table", "--run", f.toString()).out().contains("OpenBLAS: core Recordedlake"));
    }

    @Test
    void verdictsNeedBothTheThresholdAndDisjointIntervals() {
        Ratio base = ratio(1.00, 0.98, 1.02);
        assertEquals(Comparison.Verdict.REGRESSION, Comparison.verdict(base, ratio(0.90, 0.88, 0.92), 0.05));
        // dropped 10 %, but the new interval reaches into the old one: noise
        assertEquals(Comparison.Verdict.POSSIBLE_REGRESSION, Comparison.verdict(base, ratio(0.90, 0.80, 0.99), 0.05));
        // beyond noise but under the threshold
        assertEquals(Comparison.Verdict.UNCHANGED, Comparison.verdict(base, ratio(0.96, 0.955, 0.965), 0.05));
        assertEquals(Comparison.Verdict.IMPROVEMENT, Comparison.verdict(base, ratio(1.20, 1.18, 1.22), 0.05));
        // without intervals nothing is "beyond noise"
        assertEquals(Comparison.Verdict.POSSIBLE_REGRESSION, Comparison.verdict(base, ratio(0.5, Double.NaN, Double.NaN), 0.05));
    }

    private static Ratio ratio(double v, double lo, double hi) {
        return new Ratio("k", Ratio.OVER_SCALAR, v, lo, hi, null);
    }

    @Test
    void aRegressionFailsTheRunAndIsNamedWithBothRatiosAndIntervals() throws IOException {
        Path base = gemmRun(1000, 10).write(dir.resolve("base.json"));
        Path slow = gemmRun(800, 8).write(dir.resolve("slow.json")); // vector 20 % slower, everything else the same
        Outcome o = regress("compare", "--run", slow.toString(), "--baseline", base.toString(), "--out", dir.resolve("rep").toString());
        assertEquals(1, o.code(), o.out() + o.err());
        assertTrue(o.err().contains("REGRESSION  GemmBenchmark.vector/scalar shape=256x256x256 threads=1: 20.000 [19.604, 20.404] -> 16.000"),
                o.err());
        assertTrue(o.err().contains("GemmBenchmark.vector/openblas"), o.err());
        assertTrue(o.err().contains("(-20.0 %)"), o.err());
        assertFalse(o.err().contains("TrainingStepBenchmark"), "an unchanged ratio is not reported as a regression: " + o.err());
        String html = Files.readString(dir.resolve("rep/report.html"));
        assertTrue(html.contains("2 regression(s) beyond noise"), html);
        assertTrue(html.contains("data:image/png;base64,"));
        assertTrue(Files.size(dir.resolve("rep/change.png")) > 1000);
        // same run against itself: nothing to report, exit 0
        Outcome same = regress("compare", "--run", base.toString(), "--baseline", base.toString(), "--out", dir.resolve("rep2").toString());
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().contains("0 regressed beyond noise"), same.out());
    }

    @Test
    void aSlowerMachineIsNotARegression() throws IOException {
        Path base = gemmRun(1000, 10).write(dir.resolve("base.json"));
        // every benchmark 40 % slower: absolute scores fall, ratios stay
        JmhJson slowMachine = new JmhJson()
                .add("GemmBenchmark.vector", SHAPE, 600, 6)
                .add("GemmBenchmark.scalar", SHAPE, 30, 0.3)
                .add("GemmBenchmark.openblas", SHAPE, 660, 6.6);
        Outcome o = regress("compare", "--run", slowMachine.write(dir.resolve("slow.json")).toString(), "--baseline", base.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("MISSING     TrainingStepBenchmark.step/gemms"), o.out());
    }

    @Test
    void badInputIsNamedAndExitsTwo() throws IOException {
        Path base = gemmRun(1000, 10).write(dir.resolve("base.json"));
        Path broken = Files.writeString(dir.resolve("broken.json"), "[{\"benchmark\": \"io.vecnn.bench.GemmBenchmark.vector\", \"mode\": \"thrpt\"}]");
        Outcome o = regress("compare", "--run", broken.toString(), "--baseline", base.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("broken.json: entry 1 (io.vecnn.bench.GemmBenchmark.vector): no primaryMetric object"), o.err());

        Path notJson = Files.writeString(dir.resolve("notjson.json"), "{\"a\": 1}");
        o = regress("compare", "--run", notJson.toString(), "--baseline", base.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("notjson.json: expected JMH's JSON results (an array of benchmarks), found an object"), o.err());

        o = regress("compare", "--run", dir.resolve("absent.json").toString(), "--baseline", base.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--run " + dir.resolve("absent.json") + ": no such file"), o.err());

        o = regress("compare", "--run", base.toString(), "--baseline", base.toString(), "--threshold", "1.5");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--threshold must be in [0, 1), got 1.5"), o.err());

        o = regress("run", "--set", "nightly");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--set must be quick, full or peak, got 'nightly'"), o.err());
    }

    @Test
    void saveBaselineStoresAValidRunAndRefusesOneWithoutIntervals() throws IOException {
        Path target = dir.resolve("baselines/quick.json");
        Path good = gemmRun(1000, 10).write(dir.resolve("good.json"));
        Outcome o = regress("save-baseline", "--run", good.toString(), "--to", target.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertArrayEquals(Files.readAllBytes(good), Files.readAllBytes(target));

        // one iteration: JMH reports no interval; the stored baseline stays as it was
        String noInterval = Files.readString(good).replaceFirst("\"scoreConfidence\": \\[[^]]*]", "\"scoreConfidence\": [\"NaN\", \"NaN\"]");
        Path bad = Files.writeString(dir.resolve("bad.json"), noInterval);
        o = regress("save-baseline", "--run", bad.toString(), "--to", target.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("ratios have no confidence interval"), o.err());
        assertArrayEquals(Files.readAllBytes(good), Files.readAllBytes(target));
    }

    @Test
    void aBaselineMergedFromRunsInTwoModesHoldsBoth() throws IOException {
        // the same code, two runs: the vector kernel compiled well in one (1200/s) and less well in the other (1000/s)
        Path slowMode = gemmRun(1000, 10).write(dir.resolve("a.json"));
        Path fastMode = gemmRun(1200, 12).write(dir.resolve("b.json"));
        Path target = dir.resolve("merged.json");
        Outcome o = regress("save-baseline", "--run", slowMode.toString(), "--run", fastMode.toString(), "--to", target.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        JmhResult vector = JmhResult.read(target).get(0);
        assertEquals("vector", vector.method());
        assertEquals(1100, vector.score(), 1e-9); // the median of two is their mean
        assertEquals(990, vector.low(), 1e-9);
        assertEquals(1212, vector.high(), 1e-9);
        // against a baseline from the fast run alone, the slow mode is a regression; against the merged one, it is not
        Path again = gemmRun(1000, 10).write(dir.resolve("again.json"));
        assertEquals(1, regress("compare", "--run", again.toString(), "--baseline", fastMode.toString(), "--out", dir.toString()).code());
        assertEquals(0, regress("compare", "--run", again.toString(), "--baseline", target.toString(), "--out", dir.toString()).code());
        // a real drop below both modes still fails
        Path slower = gemmRun(700, 7).write(dir.resolve("slower.json"));
        assertEquals(1, regress("compare", "--run", slower.toString(), "--baseline", target.toString(), "--out", dir.toString()).code());

        // runs of different benchmarks are not merged, and nothing is written
        Path other = new JmhJson().add("GemmBenchmark.vector", SHAPE, 1000, 10).add("GemmBenchmark.scalar", SHAPE, 50, 0.5)
                .write(dir.resolve("other.json"));
        byte[] before = Files.readAllBytes(target);
        o = regress("save-baseline", "--run", slowMode.toString(), "--run", other.toString(), "--to", target.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("other.json has no result for io.vecnn.bench.GemmBenchmark.openblas"), o.err());
        assertArrayEquals(before, Files.readAllBytes(target));
    }

    @Test
    void derivedFiguresComeFromTheShape() throws IOException {
        List<JmhResult> r = JmhResult.read(gemmRun(1000, 10).write(dir.resolve("r.json")));
        assertEquals("33.6 GFLOPS", Report.derived(r.get(0))); // 2 · 256³ · 1000 / 1e9
        assertEquals("25,600 samples/s", Report.derived(r.get(3)));
        // a shape that is not m×n×k (a user's own parameter values) derives nothing rather than failing
        assertEquals("", Report.derived(new JmhResult("GemmBenchmark", "vector", Map.of("shape", "big"), "thrpt", 1, 0.9, 1.1, "ops/s")));
    }
}
