/**
 * vecnn kernels: GEMM, gradient accumulation, fused activation, loss and optimizer kernels on
 * row-major {@code float[]} data. The entry point is {@link io.vecnn.kernels.Kernels}.
 *
 * <p>The Vector API implementation is used only when {@code jdk.incubator.vector} is in the boot
 * layer ({@code --add-modules jdk.incubator.vector}); otherwise the scalar reference runs.
 */
module io.vecnn.kernels {
    requires static jdk.incubator.vector;
    requires static java.management;

    exports io.vecnn.kernels;
}
