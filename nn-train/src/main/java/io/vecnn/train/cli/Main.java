package io.vecnn.train.cli;

import io.vecnn.train.Checkpoint;
import io.vecnn.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The vecnn command line: {@code train}, {@code evaluate}, {@code predict}, {@code summary}.
 *
 * <p>Exit codes: 0 success; 1 an error (a file that cannot be read or written, bad data, a model that
 * does not fit the data), reported as one line {@code error: ...} naming the file; 2 bad usage (an
 * unknown option or a value out of range, refused while parsing); 3 training diverged.
 */
@Command(name = "vecnn", mixinStandardHelpOptions = true, version = "vecnn 0.1.0",
        description = "Train and use neural networks on the JVM's Vector API kernels.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, SummaryCommand.class})
public final class Main implements Runnable {
    /** Exit code of an error (see the class documentation). */
    static final int ERROR = 1;
    /** Exit code of a diverged training run. */
    static final int DIVERGED = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with its subcommands; commands from other modules are registered here. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // nn-interop's export reads models through the checkpoint loader it is handed (it does not depend on nn-train).
        cl.addSubcommand(new io.vecnn.interop.cli.ExportCommand(file -> Checkpoint.load(file).model()));
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler(Main::usageError);
        return cl;
    }

    /** Bad usage: the problem and where the help is, not the whole help (exit code 2). */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("(see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Expected failures become one line naming the file and an exit code; anything else is a bug and keeps its stack trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof IOException || cause instanceof IllegalArgumentException || cause instanceof IllegalStateException
                || cause instanceof TrainingDivergedException) {
            PrintWriter err = cmd.getErr();
            err.println("error: " + message(cause));
            err.flush();
            return cause instanceof TrainingDivergedException ? DIVERGED : ERROR;
        }
        throw e;
    }

    /** A one-line message that names the file, whatever the exception. */
    static String message(Throwable e) {
        String m;
        if (e instanceof NoSuchFileException n) {
            m = n.getFile() + ": " + (n.getReason() == null ? "no such file" : n.getReason());
        } else if (e instanceof AccessDeniedException a) {
            m = a.getFile() + ": permission denied";
        } else if (e instanceof FileSystemException f && f.getFile() != null && f.getReason() != null) {
            m = f.getFile() + ": " + f.getReason();
        } else {
            m = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        }
        // One line: a message that spans lines would be split from its file name in a log.
        return m.replace("\r", "").replace('\n', ' ');
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is needed: " + String.join(", ", spec.subcommands().keySet()));
    }
}
