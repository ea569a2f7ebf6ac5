/**
 * vecnn's layers ({@link io.vecnn.layers.Dense}, {@link io.vecnn.layers.Dropout}), activations
 * ({@link io.vecnn.layers.Activations}), losses ({@link io.vecnn.layers.Losses}) and initializers
 * ({@link io.vecnn.layers.Initializers}), implementing the {@code io.vecnn.api} types on the
 * {@code io.vecnn.kernels} kernels.
 */
module io.vecnn.layers {
    requires transitive io.vecnn.api;
    requires io.vecnn.kernels;

    exports io.vecnn.layers;
}
