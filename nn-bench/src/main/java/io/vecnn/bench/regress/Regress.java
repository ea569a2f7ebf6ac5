package io.vecnn.bench.regress;

import io.vecnn.bench.OpenBlas;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Performance regression runs: run a benchmark set, write JMH's JSON, compare its ratios with a stored
 * baseline, write a report; save a run as the new baseline. Exit codes: 0 no regression, 1 a regression
 * beyond noise (each named on standard error), 2 bad usage or input.
 */
@Command(name = "regress", mixinStandardHelpOptions = true,
        description = "Performance regression runs against a stored baseline (gates on machine-independent ratios).",
        subcommands = {Regress.Run.class, Regress.Compare.class, Regress.SaveBaseline.class, Regress.TableCommand.class})
public final class Regress {
    static final Path BASELINES = Path.of("nn-bench", "baselines");
    static final int EXIT_REGRESSION = 1;
    static final int EXIT_BAD_INPUT = 2;
    /** Beside a run's results.json: OpenBLAS's self-report, as the run found it. */
    static final String OPENBLAS_FILE = "openblas.txt";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line and returns its exit code (for tests). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cmd = new CommandLine(new Regress());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setExecutionExceptionHandler((e, line, parse) -> {
            line.getErr().println("regress: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            line.getErr().flush();
            return EXIT_BAD_INPUT;
        });
        return cmd.execute(args);
    }

    static Path defaultBaseline(BenchmarkSet set) {
        return BASELINES.resolve(set.name().toLowerCase(Locale.ROOT) + ".json");
    }

    /** Compares, prints every non-unchanged ratio, writes the report; the exit code. */
    static int compareAndReport(Path baseline, Path current, Path reportDir, double threshold, PrintWriter out, PrintWriter err)
            throws IOException {
        List<JmhResult> results = JmhResult.read(current);
        List<Ratio> ratios = Ratio.derive(results);
        if (ratios.isEmpty()) {
            throw new IOException(current + ": no ratio can be formed (no vector/scalar, vector/openblas, kernel/copy or "
                    + "step/gemms pair with equal parameters)");
        }
        Comparison comparison = null;
        if (baseline != null) {
            comparison = Comparison.of(Ratio.derive(JmhResult.read(baseline)), ratios, threshold);
        }
        Path html = Report.write(reportDir, "vecnn benchmarks: " + current.getFileName(), results, ratios, comparison);
        if (comparison == null) {
            out.printf("%d ratios, no baseline to compare with%n", ratios.size());
        } else {
            for (Comparison.Change c : comparison.changes()) {
                if (c.verdict() != Comparison.Verdict.UNCHANGED) {
                    (c.verdict() == Comparison.Verdict.REGRESSION ? err : out).println(c.describe());
                }
            }
            out.printf(Locale.ROOT, "%d ratios against %s: %d regressed beyond noise (threshold %.0f %%), %d possible, %d improved, "
                            + "%d unchanged, %d new, %d not run%n",
                    comparison.changes().size(), baseline, comparison.with(Comparison.Verdict.REGRESSION).size(),
                    100 * threshold, comparison.with(Comparison.Verdict.POSSIBLE_REGRESSION).size(),
                    comparison.with(Comparison.Verdict.IMPROVEMENT).size(), comparison.with(Comparison.Verdict.UNCHANGED).size(),
                    comparison.with(Comparison.Verdict.NEW).size(), comparison.with(Comparison.Verdict.MISSING).size());
        }
        out.println("report: " + html.toAbsolutePath());
        return comparison != null && comparison.regressed() ? EXIT_REGRESSION : 0;
    }

    static double checkThreshold(CommandLine cmd, double t) {
        if (!(t >= 0 && t < 1)) {
            throw new CommandLine.ParameterException(cmd, "--threshold must be in [0, 1), got " + t);
        }
        return t;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run a benchmark set, write results.json and report.html, compare with the set's baseline.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--set", defaultValue = "quick", description = "quick (~10 min, what to gate on), full (~2 h, the README tables) "
                + "or peak (~35 min: the FMA peak, every GEMM shape at 1 and 2 threads against OpenBLAS, activations against copy; prints the table).")
        String set;

        @Option(names = "--out", paramLabel = "DIR", description = "Where results.json and the report go (default runs/bench/<set>-<time>).")
        Path out;

        @Option(names = "--baseline", paramLabel = "FILE", description = "Baseline JMH JSON (default nn-bench/baselines/<set>.json).")
        Path baseline;

        @Option(names = "--threshold", defaultValue = "0.05", description = "Smallest relative drop of a ratio that counts (default ${DEFAULT-VALUE}).")
        double threshold;

        @Option(names = "--jmh", paramLabel = "OPTIONS", description = "Extra JMH options, e.g. \"-f 2 -i 10\" (override the set's -f 2 -wi 2 -w 1s -i 10 -r 250ms).")
        String jmh = "";

        @Override
        public Integer call() throws IOException, RunnerException, CommandLineOptionException {
            CommandLine cmd = spec.commandLine();
            BenchmarkSet s = parseSet(cmd, set);
            checkThreshold(cmd, threshold);
            Path base = baseline != null ? baseline : defaultBaseline(s);
            if (baseline != null && !Files.isRegularFile(baseline)) {
                throw new CommandLine.ParameterException(cmd, "--baseline " + baseline + ": no such file");
            }
            Path dir = out != null ? out : Path.of("runs", "bench",
                    s.name().toLowerCase(Locale.ROOT) + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Files.createDirectories(dir);
            CommandLineOptions user = new CommandLineOptions(jmh.isBlank() ? new String[0] : jmh.trim().split("\\s+"));
            String loadStart = loadAverage();
            cmd.getOut().println("load average at the start: " + (loadStart == null ? "unknown" : loadStart));
            List<RunResult> all = new ArrayList<>();
            for (BenchmarkSet.Stage stage : s.stages()) {
                ChainedOptionsBuilder b = new OptionsBuilder().parent(user).include("io\\.vecnn\\.bench\\." + stage.include());
                stage.params().forEach(b::param);
                // Two forks: JIT decisions differ between JVMs, and one fork's interval misses that
                // variance (measured: against a one-fork baseline, 3 ratios of unchanged code
                // "regressed"). Many short iterations narrow the interval for the same time
                // (Student's t at 99.9 % is 8.6 with 5 samples, 3.9 with 20).
                if (!user.getForkCount().hasValue()) {
                    b.forks(2);
                }
                if (!user.getWarmupIterations().hasValue()) {
                    b.warmupIterations(2);
                }
                if (!user.getMeasurementIterations().hasValue()) {
                    b.measurementIterations(10);
                }
                if (!user.getWarmupTime().hasValue()) {
                    b.warmupTime(TimeValue.seconds(1));
                }
                if (!user.getMeasurementTime().hasValue()) {
                    b.measurementTime(TimeValue.milliseconds(250));
                }
                all.addAll(new Runner(b.build()).run());
            }
            String loadEnd = loadAverage();
            Path json = dir.resolve("results.json");
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
            cmd.getOut().println("results: " + json.toAbsolutePath());
            String openBlas = openBlasSelfReport();
            Files.writeString(dir.resolve(OPENBLAS_FILE), openBlas + "\n", java.nio.charset.StandardCharsets.UTF_8);
            String table = Table.markdown(JmhResult.read(json), openBlas, loadStart, loadEnd);
            Files.writeString(dir.resolve("table.md"), table, java.nio.charset.StandardCharsets.UTF_8);
            if (s == BenchmarkSet.PEAK) {
                cmd.getOut().println();
                cmd.getOut().print(table);
            }
            cmd.getOut().println("table: " + dir.resolve("table.md").toAbsolutePath());
            if (!Files.isRegularFile(base)) {
                cmd.getOut().println("no baseline at " + base + "; to make this run the baseline: save-baseline --run " + json);
                return compareAndReport(null, json, dir, threshold, cmd.getOut(), cmd.getErr());
            }
            return compareAndReport(base, json, dir, threshold, cmd.getOut(), cmd.getErr());
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare a JMH JSON run with a baseline (no benchmark is run) and write the report.")
    static final class Compare implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--run", required = true, paramLabel = "FILE", description = "JMH JSON results of the run to judge.")
        Path run;

        @Option(names = "--baseline", paramLabel = "FILE", description = "Baseline JMH JSON (default nn-bench/baselines/quick.json).")
        Path baseline;

        @Option(names = "--out", paramLabel = "DIR", description = "Where the report goes (default: beside --run).")
        Path out;

        @Option(names = "--threshold", defaultValue = "0.05", description = "Smallest relative drop of a ratio that counts (default ${DEFAULT-VALUE}).")
        double threshold;

        @Override
        public Integer call() throws IOException {
            CommandLine cmd = spec.commandLine();
            checkThreshold(cmd, threshold);
            Path base = baseline != null ? baseline : defaultBaseline(BenchmarkSet.QUICK);
            for (Path p : new Path[] {run, base}) {
                if (!Files.isRegularFile(p)) {
                    throw new CommandLine.ParameterException(cmd, (p == run ? "--run " : "--baseline ") + p + ": no such file");
                }
            }
            Path dir = out != null ? out : run.toAbsolutePath().getParent();
            return compareAndReport(base, run, dir, threshold, cmd.getOut(), cmd.getErr());
        }
    }

    @Command(name = "save-baseline", mixinStandardHelpOptions = true,
            description = "Check a run's JMH JSON and store it as the set's baseline (atomically replacing the old one).")
    static final class SaveBaseline implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--run", required = true, paramLabel = "FILE", description = "JMH JSON results, e.g. runs/bench/quick-.../results.json; "
                + "repeat to merge several runs (median score, intervals spanning every run's).")
        List<Path> runs;

        @Option(names = "--set", defaultValue = "quick", description = "Which set's baseline it becomes (default ${DEFAULT-VALUE}).")
        String set;

        @Option(names = "--to", paramLabel = "FILE", description = "Store here instead of nn-bench/baselines/<set>.json.")
        Path to;

        @Override
        public Integer call() throws IOException {
            CommandLine cmd = spec.commandLine();
            BenchmarkSet s = parseSet(cmd, set);
            for (Path run : runs) {
                if (!Files.isRegularFile(run)) {
                    throw new CommandLine.ParameterException(cmd, "--run " + run + ": no such file");
                }
                List<Ratio> ratios = Ratio.derive(JmhResult.read(run));
                if (ratios.isEmpty()) {
                    throw new IOException(run + ": no ratio can be formed from it, so it cannot serve as a baseline");
                }
                long withoutInterval = ratios.stream().filter(r -> !r.hasInterval()).count();
                if (withoutInterval > 0) {
                    throw new IOException(run + ": " + withoutInterval + " of " + ratios.size() + " ratios have no confidence interval "
                            + "(too few iterations?); a baseline needs them to tell a regression from noise");
                }
            }
            String merged = runs.size() == 1 ? null : BaselineMerge.merge(runs); // checked before anything is written
            Path target = to != null ? to : defaultBaseline(s);
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".baseline", ".tmp");
            try {
                if (merged == null) {
                    Files.copy(runs.get(0), tmp, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.writeString(tmp, merged, java.nio.charset.StandardCharsets.UTF_8);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            List<Ratio> ratios = Ratio.derive(JmhResult.read(target));
            cmd.getOut().printf("baseline %s: %d results, %d ratios from %s%n", target, JmhResult.read(target).size(), ratios.size(), runs);
            return 0;
        }
    }

    @Command(name = "table", mixinStandardHelpOptions = true,
            description = "Print the hardware table (peak, GEMM against OpenBLAS at 1 and 2 threads, activations against copy) of a JMH JSON run"
                    + " (OpenBLAS's self-report from the openblas.txt the run wrote beside it).")
    static final class TableCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--run", required = true, paramLabel = "FILE", description = "JMH JSON results, e.g. runs/bench/peak-.../results.json.")
        Path run;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(run)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--run " + run + ": no such file");
            }
            PrintWriter out = spec.commandLine().getOut();
            // OpenBLAS's self-report as the run recorded it (this process does not load OpenBLAS)
            Path recorded = run.toAbsolutePath().resolveSibling(OPENBLAS_FILE);
            String openBlas = Files.isRegularFile(recorded) ? Files.readString(recorded).trim()
                    : "not recorded (no " + OPENBLAS_FILE + " beside " + run + ")";
            out.print(Table.markdown(JmhResult.read(run), openBlas, null, null));
            out.flush();
            return 0;
        }
    }

    /** /proc/loadavg's three averages, or null where there is none. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * What OpenBLAS says of itself here, loaded as the benchmark forks load it (its override variables
     * removed): its configuration and core name at one thread, and the thread count it reports when
     * asked for two. Each GemmBenchmark fork checks its own thread count too.
     */
    static String openBlasSelfReport() {
        System.setProperty(OpenBlas.OWN_KERNEL_PROPERTY, "true");
        try {
            if (OpenBlas.unavailableReason() != null) {
                return OpenBlas.unavailableReason();
            }
            OpenBlas.setThreads(1);
            String one = OpenBlas.describe();
            OpenBlas.setThreads(2);
            return one + "; openblas_get_num_threads after openblas_set_num_threads(2): " + OpenBlas.threads();
        } catch (LinkageError | RuntimeException e) {
            return "OpenBLAS could not describe itself: " + e;
        }
    }

    static BenchmarkSet parseSet(CommandLine cmd, String name) {
        for (BenchmarkSet s : BenchmarkSet.values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new CommandLine.ParameterException(cmd, "--set must be quick, full or peak, got '" + name + "'");
    }
}
