package io.vecnn.interop.cli;

import io.vecnn.api.Model;
import io.vecnn.interop.OnnxExport;
import io.vecnn.interop.SafeTensors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * The {@code export} command of the vecnn command line:
 * {@code export --model M --format onnx|safetensors --out F}. It reads the saved model through the
 * {@link ModelReader} it is given, so that this module does not depend on the one that defines the
 * checkpoint format; the command line adds it as
 * {@code commandLine.addSubcommand(new ExportCommand(file -> Checkpoint.load(file).model()))}.
 *
 * <p>Exit codes: 0 written, 1 the model cannot be read or exported (the message names the file or
 * the node; nothing is written), 2 bad usage.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a saved model as ONNX (to run it in onnxruntime or any ONNX runtime) or its parameters "
                + "as safetensors (to load them into PyTorch).")
public final class ExportCommand implements Callable<Integer> {
    /** Reads a saved model. */
    @FunctionalInterface
    public interface ModelReader {
        /**
         * The model saved in {@code file}.
         *
         * @param file the saved model
         * @return the model
         * @throws IOException if the file cannot be read or is not a saved model
         */
        Model read(Path file) throws IOException;
    }

    private final ModelReader reader;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The saved model (a checkpoint).")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "FORMAT",
            description = "onnx (default: the model, opset " + OnnxExport.OPSET + ") or safetensors (its parameters "
                    + "and buffers, PyTorch's shapes).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (replaced atomically).")
    Path out;

    /**
     * A command that reads models with {@code reader}.
     *
     * @param reader how saved models are read
     */
    public ExportCommand(ModelReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    public Integer call() {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("onnx") && !f.equals("safetensors")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--format must be onnx or safetensors, got '" + format + "'");
        }
        try {
            Model m = reader.read(model);
            if (f.equals("onnx")) {
                OnnxExport.write(m, out);
            } else {
                SafeTensors.save(m, out);
            }
            spec.commandLine().getOut().printf("wrote %s (%s): %d nodes, %,d parameters%n", out, f, m.nodes().size(),
                    m.parameterCount());
            return 0;
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("error: " + e.getFile() + ": no such file");
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
    }
}
