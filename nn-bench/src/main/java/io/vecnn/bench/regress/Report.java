package io.vecnn.bench.regress;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * An HTML page (charts embedded, so the one file can be mailed or attached to CI) and the same charts
 * as PNG files: each ratio family as bars, the change against the baseline, and tables of every ratio
 * with its interval and every absolute score with its derived figure (GFLOPS, samples/s).
 */
public final class Report {
    private Report() {
    }

    /**
     * Writes {@code report.html} and {@code *.png} into {@code dir}.
     *
     * @param comparison null when there is no baseline
     * @return the HTML file
     */
    public static Path write(Path dir, String title, List<JmhResult> results, List<Ratio> ratios, Comparison comparison)
            throws IOException {
        Files.createDirectories(dir);
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;font-size:90%}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}")
                .append(".REGRESSION{background:#f8c0c0}.POSSIBLE_REGRESSION{background:#fbe6c2}.IMPROVEMENT{background:#cdeccd}")
                .append("img{max-width:100%}</style></head><body>\n");
        html.append("<h1>").append(esc(title)).append("</h1>\n");
        if (comparison != null) {
            int reg = comparison.with(Comparison.Verdict.REGRESSION).size();
            html.append("<p><b>").append(reg == 0 ? "No regression beyond noise." : reg + " regression(s) beyond noise.")
                    .append("</b> Threshold ").append(fmt(100 * comparison.threshold(), 1))
                    .append(" %; a regression is a drop past it whose confidence interval lies wholly below the baseline's. ")
                    .append(comparison.with(Comparison.Verdict.POSSIBLE_REGRESSION).size()).append(" possible (within noise), ")
                    .append(comparison.with(Comparison.Verdict.IMPROVEMENT).size()).append(" improved, ")
                    .append(comparison.with(Comparison.Verdict.NEW).size()).append(" new, ")
                    .append(comparison.with(Comparison.Verdict.MISSING).size()).append(" not run.</p>\n");
        } else {
            html.append("<p>No baseline to compare with.</p>\n");
        }
        html.append("<p>Ratios are measured within this run (vector over scalar, vecnn over OpenBLAS, kernel over a plain copy,")
                .append(" training step over its own GEMMs, GEMM over the FMA peak), higher is better; intervals combine JMH's")
                .append(" confidence intervals.</p>\n");

        String[][] families = {
                {Ratio.OVER_SCALAR, "speed-up over the scalar reference"},
                {Ratio.OVER_OPENBLAS, "vecnn GEMM speed as a fraction of OpenBLAS"},
                {Ratio.OVER_COPY, "element-wise kernels: speed relative to a plain array copy of the same size"},
                {Ratio.OVER_GEMMS, "training step speed relative to its GEMMs alone (1 = no overhead)"},
                {Ratio.OF_PEAK, "vecnn GEMM GFLOPS as a fraction of the FMA peak measured in the same run"},
        };
        int n = 0;
        for (String[] f : families) {
            List<Ratio> rs = ratios.stream().filter(r -> r.kind().equals(f[0])).toList();
            if (rs.isEmpty()) {
                continue;
            }
            CategoryChart chart = chart(f[1], "ratio");
            chart.addSeries("ratio", rs.stream().map(Report::shortLabel).toList(), rs.stream().map(Ratio::value).toList());
            html.append(image(dir, "ratios-" + (++n) + ".png", chart, f[1]));
        }
        if (comparison != null) {
            List<Comparison.Change> both = comparison.changes().stream().filter(c -> c.before() != null && c.after() != null).toList();
            if (!both.isEmpty()) {
                CategoryChart chart = chart("change of each ratio against the baseline (%)", "%");
                chart.getStyler().setOverlapped(true);
                List<String> labels = both.stream().map(c -> shortLabel(c.after())).toList();
                List<Double> bad = new ArrayList<>(), other = new ArrayList<>();
                for (Comparison.Change c : both) {
                    boolean regression = c.verdict() == Comparison.Verdict.REGRESSION;
                    bad.add(regression ? 100 * c.relative() : 0.0);
                    other.add(regression ? 0.0 : 100 * c.relative());
                }
                chart.addSeries("within noise or better", labels, other).setFillColor(new Color(90, 130, 200));
                chart.addSeries("regression beyond noise", labels, bad).setFillColor(new Color(210, 60, 60));
                chart.getStyler().setLegendVisible(true);
                html.append(image(dir, "change.png", chart, "change against the baseline"));
            }
        }

        html.append("<h2>Ratios</h2>\n<table><tr><th>ratio</th><th>kind</th><th>this run</th><th>interval</th>");
        if (comparison != null) {
            html.append("<th>baseline</th><th>interval</th><th>change</th><th>verdict</th>");
        }
        html.append("</tr>\n");
        if (comparison != null) {
            for (Comparison.Change c : comparison.changes()) {
                Ratio any = c.after() != null ? c.after() : c.before();
                html.append("<tr class=\"").append(c.verdict()).append("\"><td>").append(esc(c.key())).append("</td><td>")
                        .append(esc(any.kind())).append("</td>").append(cells(c.after())).append(cells(c.before()))
                        .append("<td>").append(Double.isNaN(c.relative()) ? "" : fmt(100 * c.relative(), 1) + " %")
                        .append("</td><td>").append(c.verdict()).append("</td></tr>\n");
            }
        } else {
            for (Ratio r : ratios) {
                html.append("<tr><td>").append(esc(r.key())).append("</td><td>").append(esc(r.kind())).append("</td>")
                        .append(cells(r)).append("</tr>\n");
            }
        }
        html.append("</table>\n<h2>Absolute scores (recorded, not gated)</h2>\n")
                .append("<table><tr><th>benchmark</th><th>parameters</th><th>score</th><th>interval</th><th>unit</th><th>derived</th></tr>\n");
        for (JmhResult r : results) {
            html.append("<tr><td>").append(esc(r.className() + "." + r.method())).append("</td><td>").append(esc(r.paramString()))
                    .append("</td><td>").append(fmt(r.score(), 3)).append("</td><td>")
                    .append(Double.isNaN(r.low()) ? "" : "[" + fmt(r.low(), 3) + ", " + fmt(r.high(), 3) + "]")
                    .append("</td><td>").append(esc(r.unit())).append("</td><td>").append(esc(derived(r))).append("</td></tr>\n");
        }
        html.append("</table>\n</body></html>\n");
        Path file = dir.resolve("report.html");
        Files.writeString(file, html, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The figure people read beside the score: GFLOPS for GEMM and gradient accumulation (from the
     * {@code shape} parameter), samples/s for training steps; empty if it does not apply.
     */
    public static String derived(JmhResult r) {
        if (!r.unit().equals("ops/s")) {
            return "";
        }
        if (r.className().equals("PeakBenchmark")
                || ((r.className().equals("GemmBenchmark") || r.className().equals("GradientBenchmark"))
                && !r.method().startsWith("bias"))) {
            double flops = Ratio.flopPerOp(r);
            if (!Double.isNaN(flops)) {
                return fmt(flops * r.score() / 1e9, 1) + " GFLOPS";
            }
        }
        String batch = r.params().get("batch");
        if (batch != null && batch.matches("\\d+") && r.className().equals("TrainingStepBenchmark")) {
            return fmt(Double.parseDouble(batch) * r.score(), 0) + " samples/s";
        }
        return "";
    }

    private static String cells(Ratio r) {
        if (r == null) {
            return "<td></td><td></td>";
        }
        return "<td>" + fmt(r.value(), 3) + "</td><td>" + (r.hasInterval() ? "[" + fmt(r.low(), 3) + ", " + fmt(r.high(), 3) + "]" : "") + "</td>";
    }

    /** Class without "Benchmark", numerator/denominator, parameter values: short enough for an axis. */
    private static String shortLabel(Ratio r) {
        String pair = r.key().split(" ", 2)[0]; // Class.method/denominator
        StringBuilder sb = new StringBuilder(pair.replace("Benchmark.", "."));
        r.numerator().params().values().forEach(v -> sb.append(' ').append(v));
        return sb.toString();
    }

    private static CategoryChart chart(String title, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(1200).height(560).title(title).yAxisTitle(yTitle).build();
        Styler s = c.getStyler();
        s.setLegendVisible(false);
        s.setChartBackgroundColor(Color.WHITE);
        c.getStyler().setXAxisLabelRotation(60);
        c.getStyler().setAvailableSpaceFill(0.7);
        return c;
    }

    private static String image(Path dir, String name, CategoryChart chart, String alt) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        Files.write(dir.resolve(name), png);
        return "<p><img alt=\"" + esc(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\"></p>\n";
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
