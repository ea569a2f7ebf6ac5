package io.vecnn.train;

import io.vecnn.api.Activation;
import io.vecnn.api.Model;
import io.vecnn.api.Shape;
import io.vecnn.layers.Activations;
import io.vecnn.layers.BatchNorm;
import io.vecnn.layers.Conv2D;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Flatten;
import io.vecnn.layers.Pool2D;

import java.util.List;
import java.util.Objects;

/**
 * The built-in architectures the command line names ({@code train --model mlp|cnn}) and the benchmarks
 * train: one definition each, so that the command line, the PyTorch comparison and the documentation
 * describe the same network.
 */
public final class Architectures {
    private Architectures() {
    }

    /**
     * A multilayer perceptron: dense layers of the given widths with activation {@code f}, dropout after
     * each if {@code dropout} &gt; 0, then one linear output per class.
     *
     * @param features input features
     * @param widths   hidden widths, in order
     * @param f        the hidden activation
     * @param dropout  dropout rate after each hidden layer, in [0, 1)
     * @param classes  outputs
     * @param seed     the initial weights' seed
     * @return the model
     * @throws IllegalArgumentException if a size or the rate is out of range
     */
    public static Model mlp(int features, List<Integer> widths, Activation f, double dropout, int classes, long seed) {
        Objects.requireNonNull(f, "activation");
        Model.Builder mb = Model.builder(features).seed(seed);
        for (int w : widths) {
            mb.add(Dense.of(w, f));
            if (dropout > 0) {
                mb.add(Dropout.of((float) dropout));
            }
        }
        return mb.add(Dense.of(classes)).build();
    }

    /**
     * The built-in CNN: conv3x3(32, padding 1, no bias) → batch norm + ReLU → max pool 2 →
     * conv3x3(64, padding 1, no bias) → batch norm + ReLU → max pool 2 → flatten → dense 128 ReLU →
     * dense {@code classes}. The convolutions have no bias: the batch norm's β is one. On 1 × 28 × 28
     * images it has 421,738 parameters.
     *
     * @param image   the samples' shape, C × H × W with H, W ≥ 4
     * @param classes outputs
     * @param seed    the initial weights' seed
     * @return the model
     * @throws IllegalArgumentException if the samples are not images of at least 4 × 4
     */
    public static Model cnn(Shape image, int classes, long seed) {
        if (!image.isImage() || image.height() < 4 || image.width() < 4) {
            throw new IllegalArgumentException("the cnn needs images (C×H×W, at least 4×4), the data has samples of " + image);
        }
        return Model.builder(image).seed(seed)
                .add(Conv2D.of(32, 3).padding(1).bias(false))
                .add(BatchNorm.of(Activations.relu()))
                .add(Pool2D.max(2))
                .add(Conv2D.of(64, 3).padding(1).bias(false))
                .add(BatchNorm.of(Activations.relu()))
                .add(Pool2D.max(2))
                .add(Flatten.of())
                .add(Dense.of(128, Activations.relu()))
                .add(Dense.of(classes))
                .build();
    }
}
