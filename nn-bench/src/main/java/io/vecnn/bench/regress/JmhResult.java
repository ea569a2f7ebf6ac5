package io.vecnn.bench.regress;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark result from JMH's JSON output ({@code -rf json}): the benchmark, its parameters and
 * its primary metric with the confidence interval JMH computed (99.9 % by default).
 *
 * @param className  the benchmark class's simple name, e.g. {@code GemmBenchmark}
 * @param method     the benchmark method, e.g. {@code vector}
 * @param params     the {@code @Param} values, sorted by name
 * @param mode       JMH's mode: {@code thrpt}, {@code avgt}, ...
 * @param score      the primary score
 * @param low        the lower end of the confidence interval (NaN when JMH had too few samples)
 * @param high       the upper end
 * @param unit       the score's unit, e.g. {@code ops/s}
 */
public record JmhResult(String className, String method, Map<String, String> params, String mode,
                        double score, double low, double high, String unit) {

    public JmhResult {
        params = Collections.unmodifiableMap(new TreeMap<>(params));
    }

    /** True if a higher score is better (throughput); false for time per operation. */
    public boolean higherIsBetter() {
        return mode.equals("thrpt");
    }

    /** {@code Class.method} followed by the parameters, e.g. {@code GemmBenchmark.vector shape=256x256x256 threads=1}. */
    public String label() {
        StringBuilder sb = new StringBuilder(className).append('.').append(method);
        params.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /** The parameters as {@code k=v k=v}. */
    public String paramString() {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * Reads a JMH JSON result file.
     *
     * @throws IOException if the file cannot be read or is not JMH's JSON; the message names the file
     *                     and the entry
     */
    public static List<JmhResult> read(Path file) throws IOException {
        JsonElement root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(r);
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!root.isJsonArray()) {
            throw new IOException(file + ": expected JMH's JSON results (an array of benchmarks), found " + kind(root));
        }
        JsonArray array = root.getAsJsonArray();
        List<JmhResult> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(parse(file, i, array.get(i)));
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no benchmark results in it");
        }
        return out;
    }

    private static JmhResult parse(Path file, int index, JsonElement e) throws IOException {
        String where = file + ": entry " + (index + 1);
        if (!e.isJsonObject()) {
            throw new IOException(where + " is " + kind(e) + ", expected a benchmark object");
        }
        JsonObject o = e.getAsJsonObject();
        String benchmark = string(o, "benchmark", where);
        int dot = benchmark.lastIndexOf('.');
        if (dot <= 0 || dot == benchmark.length() - 1) {
            throw new IOException(where + ": benchmark '" + benchmark + "' is not Class.method");
        }
        String cls = benchmark.substring(0, dot);
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        where += " (" + benchmark + ")";
        Map<String, String> params = new TreeMap<>();
        if (o.has("params") && !o.get("params").isJsonNull()) {
            if (!o.get("params").isJsonObject()) {
                throw new IOException(where + ": params is " + kind(o.get("params")) + ", expected an object");
            }
            for (Map.Entry<String, JsonElement> p : o.getAsJsonObject("params").entrySet()) {
                params.put(p.getKey(), p.getValue().getAsString());
            }
        }
        if (!o.has("primaryMetric") || !o.get("primaryMetric").isJsonObject()) {
            throw new IOException(where + ": no primaryMetric object");
        }
        JsonObject m = o.getAsJsonObject("primaryMetric");
        double score = number(m, "score", where + ": primaryMetric");
        double low = Double.NaN, high = Double.NaN;
        if (m.has("scoreConfidence") && m.get("scoreConfidence").isJsonArray() && m.getAsJsonArray("scoreConfidence").size() == 2) {
            low = m.getAsJsonArray("scoreConfidence").get(0).getAsDouble();
            high = m.getAsJsonArray("scoreConfidence").get(1).getAsDouble();
        }
        if (!(score > 0) || Double.isInfinite(score)) {
            throw new IOException(where + ": primaryMetric.score must be a positive number, got " + score);
        }
        return new JmhResult(cls, benchmark.substring(dot + 1), params, string(o, "mode", where), score, low, high,
                string(m, "scoreUnit", where + ": primaryMetric"));
    }

    private static String string(JsonObject o, String key, String where) throws IOException {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IOException(where + ": missing '" + key + "'");
        }
        return e.getAsString();
    }

    private static double number(JsonObject o, String key, String where) throws IOException {
        JsonElement e = o.get(key);
        try {
            if (e != null && e.isJsonPrimitive()) {
                return e.getAsDouble();
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IOException(where + "." + key + " is " + (e == null ? "missing" : "'" + e + "'") + ", expected a number");
    }

    private static String kind(JsonElement e) {
        return e.isJsonArray() ? "an array" : e.isJsonObject() ? "an object" : e.isJsonNull() ? "null" : "'" + e + "'";
    }
}
