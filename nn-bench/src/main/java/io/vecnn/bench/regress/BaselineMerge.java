package io.vecnn.bench.regress;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several runs of the same benchmarks combined into one JMH JSON document: per benchmark, the median
 * score and an interval spanning every run's interval. Some kernels settle into one of two speeds
 * depending on the JVM's compilation decisions (measured: the quadratic cost at 5.7× or 8.7× its
 * reference in runs of identical code); a baseline built from runs that saw both modes holds both
 * inside its intervals, so neither mode reads as a regression.
 */
final class BaselineMerge {
    private BaselineMerge() {
    }

    /** The merged JSON text; every run must hold the same benchmarks with the same parameters. */
    static String merge(List<Path> runs) throws IOException {
        Map<String, List<JsonObject>> byKey = new LinkedHashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            Path run = runs.get(r);
            JmhResult.read(run); // validates, with messages naming the file and entry
            JsonArray array;
            try (Reader in = Files.newBufferedReader(run, StandardCharsets.UTF_8)) {
                array = JsonParser.parseReader(in).getAsJsonArray();
            }
            Map<String, JsonObject> seen = new LinkedHashMap<>();
            for (JsonElement e : array) {
                JsonObject o = e.getAsJsonObject();
                seen.put(o.get("benchmark").getAsString() + " " + o.get("params"), o);
            }
            if (r == 0) {
                seen.forEach((k, o) -> byKey.put(k, new ArrayList<>(List.of(o))));
                continue;
            }
            for (String k : byKey.keySet()) {
                if (!seen.containsKey(k)) {
                    throw new IOException(run + " has no result for " + k + ", which " + runs.get(0) + " has: "
                            + "a baseline merges runs of the same benchmarks");
                }
            }
            for (Map.Entry<String, JsonObject> e : seen.entrySet()) {
                List<JsonObject> list = byKey.get(e.getKey());
                if (list == null) {
                    throw new IOException(run + " has a result for " + e.getKey() + ", which " + runs.get(0) + " lacks: "
                            + "a baseline merges runs of the same benchmarks");
                }
                list.add(e.getValue());
            }
        }
        JsonArray out = new JsonArray();
        for (List<JsonObject> results : byKey.values()) {
            JsonObject merged = results.get(0).deepCopy();
            JsonObject metric = merged.getAsJsonObject("primaryMetric");
            double[] scores = new double[results.size()];
            double low = Double.POSITIVE_INFINITY, high = Double.NEGATIVE_INFINITY;
            JsonArray raw = new JsonArray();
            for (int i = 0; i < results.size(); i++) {
                JsonObject m = results.get(i).getAsJsonObject("primaryMetric");
                scores[i] = m.get("score").getAsDouble();
                JsonArray ci = m.getAsJsonArray("scoreConfidence");
                low = Math.min(low, ci.get(0).getAsDouble());
                high = Math.max(high, ci.get(1).getAsDouble());
                if (m.has("rawData")) {
                    m.getAsJsonArray("rawData").forEach(raw::add);
                }
            }
            Arrays.sort(scores);
            int n = scores.length;
            double median = n % 2 == 1 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2;
            metric.addProperty("score", median);
            JsonArray ci = new JsonArray();
            ci.add(low);
            ci.add(high);
            metric.add("scoreConfidence", ci);
            metric.addProperty("scoreError", Math.max(high - median, median - low));
            metric.add("rawData", raw);
            merged.addProperty("vecnnBaselineRuns", n);
            out.add(merged);
        }
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(out);
    }
}
