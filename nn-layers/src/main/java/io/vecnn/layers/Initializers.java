package io.vecnn.layers;

import io.vecnn.api.Initializer;

/**
 * Weight initializers, all deterministic for a given generator state (the model builder seeds it).
 * Glorot/Xavier suits sigmoid and tanh layers, He/Kaiming suits ReLU-family layers.
 */
public final class Initializers {
    private Initializers() {
    }

    /**
     * Glorot/Xavier uniform: U(−a, a) with a = √(6/(fanIn + fanOut)).
     *
     * @return the initializer
     */
    public static Initializer glorotUniform() {
        return (w, fanIn, fanOut, r) -> uniform(w.data(), w.offset(), w.size(), Math.sqrt(6.0 / (fanIn + fanOut)), r);
    }

    /**
     * Glorot/Xavier normal: N(0, σ²) with σ = √(2/(fanIn + fanOut)).
     *
     * @return the initializer
     */
    public static Initializer glorotNormal() {
        return (w, fanIn, fanOut, r) -> normal(w.data(), w.offset(), w.size(), Math.sqrt(2.0 / (fanIn + fanOut)), r);
    }

    /**
     * He/Kaiming uniform: U(−a, a) with a = √(6/fanIn).
     *
     * @return the initializer
     */
    public static Initializer heUniform() {
        return (w, fanIn, fanOut, r) -> uniform(w.data(), w.offset(), w.size(), Math.sqrt(6.0 / fanIn), r);
    }

    /**
     * He/Kaiming normal: N(0, σ²) with σ = √(2/fanIn).
     *
     * @return the initializer
     */
    public static Initializer heNormal() {
        return (w, fanIn, fanOut, r) -> normal(w.data(), w.offset(), w.size(), Math.sqrt(2.0 / fanIn), r);
    }

    /**
     * Every weight equal to {@code value} (0 for seed 001's example).
     *
     * @param value the value of every weight
     * @return the initializer
     */
    public static Initializer constant(float value) {
        return (w, fanIn, fanOut, r) -> w.fill(value);
    }

    private static void uniform(float[] w, int o, int n, double a, java.util.random.RandomGenerator r) {
        for (int i = 0; i < n; i++) {
            w[o + i] = (float) ((2 * r.nextDouble() - 1) * a);
        }
    }

    private static void normal(float[] w, int o, int n, double sigma, java.util.random.RandomGenerator r) {
        for (int i = 0; i < n; i++) {
            w[o + i] = (float) (r.nextGaussian() * sigma);
        }
    }
}
