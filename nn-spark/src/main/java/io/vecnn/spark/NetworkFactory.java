package io.vecnn.spark;

import io.vecnn.api.Model;

import java.io.Serializable;

/** Builds the network a {@link VecnnClassifier} trains, once the data's width and classes are known. */
@FunctionalInterface
public interface NetworkFactory extends Serializable {
    /**
     * A new network for {@code features} inputs and {@code classes} outputs (logits).
     *
     * @param features values per sample (the size of the features vector)
     * @param classes  the number of classes (largest label + 1)
     * @return the untrained model
     */
    Model create(int features, int classes);
}
