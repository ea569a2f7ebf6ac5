package io.vecnn.layers.internal;

import io.vecnn.api.Activation;
import io.vecnn.api.Matrix;
import io.vecnn.kernels.ActivationKind;
import io.vecnn.kernels.Kernels;

/**
 * A built-in element-wise activation backed by the fused kernels. {@link io.vecnn.layers.Dense}
 * recognises it and fuses bias add + f in forward and g ⊙ f′ in backward.
 *
 * @param name  the name used in summaries and checkpoints
 * @param kind  the kernel kind
 * @param alpha the parameter of leaky ReLU and ELU
 */
public record KernelActivation(String name, ActivationKind kind, float alpha) implements Activation.Elementwise {
    @Override
    public float apply(float z) {
        return kind.apply(alpha, z);
    }

    @Override
    public float derivative(float z, float h) {
        return kind.derivative(alpha, kind.derivativeFromOutput() ? h : z);
    }

    @Override
    public boolean needsInput() {
        return !kind.derivativeFromOutput();
    }

    @Override
    public void forward(Matrix z, Matrix h, Kernels kernels) {
        kernels.biasActivation(kind, alpha, z.rows(), z.cols(), z.data(), z.offset(), z.cols(), null, 0,
                h.data(), h.offset(), h.cols());
    }

    @Override
    public void backward(Matrix z, Matrix h, Matrix gradH, Matrix gradZ, Kernels kernels) {
        Matrix saved = kind.derivativeFromOutput() ? h : z;
        kernels.activationBackward(kind, alpha, z.size(), gradH.data(), gradH.offset(), saved.data(), saved.offset(),
                gradZ.data(), gradZ.offset());
    }

    @Override
    public String toString() {
        return name;
    }
}
