package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Dense;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The child JVM of {@link CheckpointCrashTest}: saves checkpoints of a 1 MB model to one file in a
 * loop, step after step, every weight equal to the step number, printing "begin N" before save N and
 * "end N" after it, until it is killed.
 *
 * <p>Arguments: the checkpoint file and the first step.
 */
final class CheckpointSaveLoop {
    private CheckpointSaveLoop() {
    }

    static Model model() {
        return Model.builder(512).seed(7).add(Dense.of(480)).add(Dense.of(10)).build();
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long step = Long.parseLong(args[1]);
        Model model = model();
        Optimizer optimizer = Optimizers.adam(0f);
        List<Parameter> ps = model.parameters();
        while (true) {
            for (int i = 0; i < ps.size(); i++) {
                Arrays.fill(ps.get(i).value().data(), step);
                Arrays.fill(optimizer.state(ps, i, 0), step);
            }
            System.out.println("begin " + step);
            System.out.flush();
            Checkpoint.save(file, model, optimizer, new Trainer.State(1, 0, step, Double.NaN, 0, List.of()));
            System.out.println("end " + step);
            System.out.flush();
            step++;
        }
    }
}
