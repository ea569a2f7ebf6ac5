package io.vecnn.train.cli;

import io.vecnn.layers.Losses;
import io.vecnn.train.Dataset;
import io.vecnn.train.Evaluation;
import io.vecnn.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code evaluate}: a saved model's metrics on its training run's test split, or on a labelled file. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Accuracy, loss, per-class precision and recall and the confusion matrix of a saved model: on the test "
                + "split of the data it was trained on (recorded in the model), or on a labelled CSV file (--input).")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train.")
    Path model;

    @Option(names = "--data", paramLabel = "SOURCE",
            description = "Where the training data are now, if moved (they must be the same data; default: where the model "
                    + "records them).")
    String data;

    @Option(names = "--input", paramLabel = "FILE",
            description = "Evaluate on every row of this labelled CSV file instead (read with the model's classes and "
                    + "standardization).")
    Path input;

    @CommandLine.Mixin
    CsvOptions csv;

    @Override
    public Integer call() throws Exception {
        if (input != null && data != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--data and --input are exclusive");
        }
        if (input == null && csv.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--label, --header and --allow-non-finite describe an --input file (the training data are read as recorded)");
        }
        SavedModel saved = SavedModel.load(model);
        Dataset test = input != null ? InputFile.read(input, csv, Boolean.TRUE, saved).labelled()
                : saved.recordedSplits(data).test();
        TrainCommand.requireFits(saved.model(), test, model.toString());
        Evaluation e = Trainer.evaluate(saved.model(), Losses.softmaxCrossEntropy(), test);
        System.out.printf(Locale.ROOT, "%s on %s: accuracy %.2f%%, loss %.4f (%d samples)%n", model, input != null ? input : test.name(),
                100 * e.accuracy(), e.loss(), test.size());
        System.out.print(e.report());
        return 0;
    }
}
