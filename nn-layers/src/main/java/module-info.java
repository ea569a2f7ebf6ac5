/**
 * vecnn's layers ({@link io.vecnn.layers.Dense}, {@link io.vecnn.layers.Dropout},
 * {@link io.vecnn.layers.Flatten}, {@link io.vecnn.layers.LayerNorm}, {@link io.vecnn.layers.Embedding},
 * {@link io.vecnn.layers.Conv2D}, {@link io.vecnn.layers.Pool2D}, {@link io.vecnn.layers.BatchNorm}, and the merges {@link io.vecnn.layers.Add} and
 * {@link io.vecnn.layers.Concat}), activations ({@link io.vecnn.layers.Activations}), losses
 * ({@link io.vecnn.layers.Losses}) and initializers ({@link io.vecnn.layers.Initializers}),
 * implementing the {@code io.vecnn.api} types on the {@code io.vecnn.kernels} kernels. Its layer
 * types and activations are provided to {@link io.vecnn.api.Registry} as services.
 */
module io.vecnn.layers {
    requires transitive io.vecnn.api;

    exports io.vecnn.layers;

    provides io.vecnn.api.LayerType with
            io.vecnn.layers.internal.BuiltinLayerTypes.DenseType,
            io.vecnn.layers.internal.BuiltinLayerTypes.DropoutType,
            io.vecnn.layers.internal.BuiltinLayerTypes.FlattenType,
            io.vecnn.layers.internal.BuiltinLayerTypes.AddType,
            io.vecnn.layers.internal.BuiltinLayerTypes.ConcatType,
            io.vecnn.layers.internal.BuiltinLayerTypes.LayerNormType,
            io.vecnn.layers.internal.BuiltinLayerTypes.EmbeddingType,
            io.vecnn.layers.internal.BuiltinLayerTypes.Conv2DType,
            io.vecnn.layers.internal.BuiltinLayerTypes.MaxPool2DType,
            io.vecnn.layers.internal.BuiltinLayerTypes.AvgPool2DType,
            io.vecnn.layers.internal.BuiltinLayerTypes.GlobalAvgPoolType,
            io.vecnn.layers.internal.BuiltinLayerTypes.BatchNormType;
    provides io.vecnn.api.ActivationProvider with io.vecnn.layers.internal.BuiltinActivations;
}
