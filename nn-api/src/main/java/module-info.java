/**
 * The stable API of vecnn: {@link io.vecnn.api.Matrix}, {@link io.vecnn.api.Layer},
 * {@link io.vecnn.api.Parameter}, {@link io.vecnn.api.Activation}, {@link io.vecnn.api.Loss},
 * {@link io.vecnn.api.Optimizer}, {@link io.vecnn.api.Initializer}, the sequential
 * {@link io.vecnn.api.Model} and {@link io.vecnn.api.GradientCheck}. Depends on the JDK alone;
 * implementations live in {@code io.vecnn.layers} and {@code io.vecnn.train}.
 */
module io.vecnn.api {
    exports io.vecnn.api;
}
