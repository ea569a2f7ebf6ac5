package io.vecnn.api;

import java.util.random.RandomGenerator;

/**
 * Fills a weight matrix with initial values, typically scaled by its fan-in and fan-out
 * (Glorot/Xavier, He/Kaiming; see {@code io.vecnn.layers.Initializers}). Deterministic for a given
 * random generator state.
 */
@FunctionalInterface
public interface Initializer {
    /**
     * Overwrites every element of {@code weights} with an initial value.
     *
     * @param weights the matrix to fill (for a dense layer, out × in)
     * @param fanIn   the number of inputs of each unit
     * @param fanOut  the number of units
     * @param random  the source of randomness (seeded by the model builder)
     */
    void initialize(Matrix weights, int fanIn, int fanOut, RandomGenerator random);
}
