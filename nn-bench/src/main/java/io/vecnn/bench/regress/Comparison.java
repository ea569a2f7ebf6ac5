package io.vecnn.bench.regress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's ratios held against a baseline's. A ratio has <em>regressed</em> when it fell by more than
 * the threshold and the two confidence intervals do not overlap (the new interval lies wholly below
 * the old one): a drop beyond noise. A drop past the threshold whose intervals overlap is reported as
 * possible, not gated. Absolute scores are never compared: they say more about the machine.
 */
public final class Comparison {
    /** What happened to one ratio. */
    public enum Verdict {
        /** Fell by more than the threshold, intervals disjoint: fails the run. */
        REGRESSION,
        /** Fell by more than the threshold, but within the noise of the two intervals. */
        POSSIBLE_REGRESSION,
        UNCHANGED,
        /** Rose by more than the threshold, intervals disjoint. */
        IMPROVEMENT,
        /** In this run only. */
        NEW,
        /** In the baseline only (not run this time). */
        MISSING
    }

    /** One ratio before and after; either side is null for NEW and MISSING. */
    public record Change(String key, Ratio before, Ratio after, Verdict verdict) {
        /** after / before − 1, e.g. −0.12 for 12 % slower relative to its yardstick; NaN if either is absent. */
        public double relative() {
            return before == null || after == null ? Double.NaN : after.value() / before.value() - 1;
        }

        /** One line a person can act on. */
        public String describe() {
            return switch (verdict) {
                case NEW -> String.format(Locale.ROOT, "NEW         %s: %s", key, interval(after));
                case MISSING -> String.format(Locale.ROOT, "MISSING     %s: baseline %s, not in this run", key, interval(before));
                default -> String.format(Locale.ROOT, "%-11s %s: %s -> %s (%+.1f %%)", label(verdict), key, interval(before),
                        interval(after), 100 * relative());
            };
        }

        private static String label(Verdict v) {
            return switch (v) {
                case REGRESSION -> "REGRESSION";
                case POSSIBLE_REGRESSION -> "possible";
                case IMPROVEMENT -> "improved";
                default -> "ok";
            };
        }
    }

    private final List<Change> changes;
    private final double threshold;

    private Comparison(List<Change> changes, double threshold) {
        this.changes = List.copyOf(changes);
        this.threshold = threshold;
    }

    /**
     * Compares ratios by key.
     *
     * @param threshold the smallest relative drop that counts, e.g. 0.05
     */
    public static Comparison of(List<Ratio> baseline, List<Ratio> current, double threshold) {
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1), got " + threshold);
        }
        Map<String, Ratio> before = new LinkedHashMap<>();
        baseline.forEach(r -> before.put(r.key(), r));
        List<Change> out = new ArrayList<>();
        for (Ratio after : current) {
            Ratio b = before.remove(after.key());
            out.add(b == null ? new Change(after.key(), null, after, Verdict.NEW)
                    : new Change(after.key(), b, after, verdict(b, after, threshold)));
        }
        before.values().forEach(b -> out.add(new Change(b.key(), b, null, Verdict.MISSING)));
        return new Comparison(out, threshold);
    }

    static Verdict verdict(Ratio before, Ratio after, double threshold) {
        boolean intervals = before.hasInterval() && after.hasInterval();
        if (after.value() < before.value() * (1 - threshold)) {
            return intervals && after.high() < before.low() ? Verdict.REGRESSION : Verdict.POSSIBLE_REGRESSION;
        }
        if (after.value() > before.value() * (1 + threshold) && intervals && after.low() > before.high()) {
            return Verdict.IMPROVEMENT;
        }
        return Verdict.UNCHANGED;
    }

    public List<Change> changes() {
        return changes;
    }

    public double threshold() {
        return threshold;
    }

    /** The changes with this verdict. */
    public List<Change> with(Verdict v) {
        return changes.stream().filter(c -> c.verdict() == v).toList();
    }

    public boolean regressed() {
        return !with(Verdict.REGRESSION).isEmpty();
    }

    static String interval(Ratio r) {
        return r.hasInterval()
                ? String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", r.value(), r.low(), r.high())
                : String.format(Locale.ROOT, "%.3f [no interval]", r.value());
    }
}
