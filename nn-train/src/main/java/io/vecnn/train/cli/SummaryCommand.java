package io.vecnn.train.cli;

import io.vecnn.train.EpochMetrics;
import io.vecnn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code summary}: what a saved model is and what it was trained on. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "The layers and parameter counts of a saved model, its training history and the data it was trained on.")
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train.")
    Path model;

    @Override
    public Integer call() throws Exception {
        SavedModel saved = SavedModel.load(model);
        System.out.print(saved.model().summary());
        Trainer.State s = saved.loaded().state();
        System.out.printf("optimizer %s after %d steps; %d epochs done%n", saved.loaded().optimizer(), saved.loaded().iterations(),
                s.epochsDone());
        TrainingData.Provenance p = saved.provenance();
        if (p != null) {
            String where = switch (p.source().kind()) {
                case DIGITS -> "the embedded digits";
                case FASHION_MNIST -> "Fashion-MNIST (" + p.source().location() + ")";
                case IDX -> "IDX files in " + p.source().location();
                case CSV -> p.source().location();
            };
            System.out.printf(Locale.ROOT, "data: %s, %,d samples × %d features, fingerprint %s; test %s, validation %s of the "
                            + "rest (seed %d)%s%n", where, p.samples(), p.features(),
                    p.fingerprint(), Double.isNaN(p.plan().testFraction()) ? "from the test files"
                            : p.plan().testFraction() + " (seed " + p.plan().testSeed() + ")",
                    p.plan().validationFraction(), p.plan().validationSeed(), p.standardization() != null ? "; standardised" : "");
            TrainCommand.printClassLegend(p.classNames());
        }
        for (EpochMetrics m : s.history()) {
            System.out.printf(Locale.ROOT, "epoch %d: loss %.4f, score %.4f, validation loss %.4f, validation score %.4f%n",
                    m.epoch(), m.trainLoss(), m.trainScore(), m.validationLoss(), m.validationScore());
        }
        return 0;
    }
}
