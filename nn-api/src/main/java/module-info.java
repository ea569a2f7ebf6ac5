/**
 * The stable API of vecnn: {@link io.vecnn.api.Matrix} and {@link io.vecnn.api.Shape}, the nodes of
 * a network ({@link io.vecnn.api.Layer}, {@link io.vecnn.api.Merge}) with their
 * {@link io.vecnn.api.Parameter}s, {@link io.vecnn.api.Activation}, {@link io.vecnn.api.Loss},
 * {@link io.vecnn.api.Optimizer}, {@link io.vecnn.api.Initializer}, the {@link io.vecnn.api.Model}
 * (sequential or a graph) with its workspaces and {@link io.vecnn.api.Gradients}, the
 * {@link io.vecnn.api.Registry} of layer types and activations, and {@link io.vecnn.api.GradientCheck}.
 * Depends on the JDK and {@code io.vecnn.kernels} (which workspaces hand to the nodes they run);
 * implementations live in {@code io.vecnn.layers} and {@code io.vecnn.train}.
 */
@SuppressWarnings("module")   // the qualified export names modules built after this one
module io.vecnn.api {
    requires transitive io.vecnn.kernels;

    exports io.vecnn.api;
    // Atomic file writes shared by the modules that save files (checkpoints, exports), not API.
    exports io.vecnn.api.internal to io.vecnn.train, io.vecnn.interop;

    uses io.vecnn.api.LayerType;
    uses io.vecnn.api.ActivationProvider;
}
