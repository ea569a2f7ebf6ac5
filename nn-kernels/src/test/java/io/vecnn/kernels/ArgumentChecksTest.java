package io.vecnn.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments throw IllegalArgumentException naming the argument and its value, before any write. */
class ArgumentChecksTest {
    private static void rejects(float[] output, String mustMention, Executable call) {
        float[] before = output == null ? null : output.clone();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : mustMention.split("\\|")) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention '" + part + "'");
        }
        if (output != null) {
            assertArrayEquals(before, output, "output written before the error");
        }
    }

    @Test
    void gemmRejectsBadShapesAndStorage() {
        for (Kernels k : Implementations.all()) {
            float[] a = new float[12], b = new float[12], c = new float[9];
            Arrays.fill(c, 5f);
            Transpose n = Transpose.N, t = Transpose.T;
            rejects(c, "m|-1", () -> k.gemm(n, n, -1, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3));
            rejects(c, "n|-2", () -> k.gemm(n, n, 3, -2, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3));
            rejects(c, "k|-3", () -> k.gemm(n, n, 3, 3, -3, 1, a, 0, 4, b, 0, 3, 0, c, 0, 3));
            rejects(c, "leading dimension of A is 3|4", () -> k.gemm(n, n, 3, 3, 4, 1, a, 0, 3, b, 0, 3, 0, c, 0, 3));
            rejects(c, "leading dimension of B is 2", () -> k.gemm(n, n, 3, 3, 4, 1, a, 0, 4, b, 0, 2, 0, c, 0, 3));
            rejects(c, "leading dimension of C is 2", () -> k.gemm(n, n, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 2));
            // transposed A is stored k×m = 4×3: lda 3 is fine, 2 is not
            rejects(c, "leading dimension of A is 2", () -> k.gemm(t, n, 3, 3, 4, 1, a, 0, 2, b, 0, 3, 0, c, 0, 3));
            rejects(c, "A is too short|13|12", () -> k.gemm(n, n, 3, 3, 4, 1, a, 1, 4, b, 0, 3, 0, c, 0, 3));
            rejects(c, "B is too short|length is 12", () -> k.gemm(n, n, 3, 3, 4, 1, a, 0, 4, b, 3, 3, 0, c, 0, 3));
            rejects(c, "C is too short", () -> k.gemm(n, n, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, 0, 4));
            rejects(c, "offset of C|-1", () -> k.gemm(n, n, 3, 3, 4, 1, a, 0, 4, b, 0, 3, 0, c, -1, 3));
            rejects(c, "A is null", () -> k.gemm(n, n, 3, 3, 4, 1, null, 0, 4, b, 0, 3, 0, c, 0, 3));
            float[] shared = new float[40];
            Arrays.fill(shared, 1f);
            rejects(shared, "C (offset 4) overlaps A (offset 0)",
                    () -> k.gemm(n, n, 3, 3, 4, 1, shared, 0, 4, b, 0, 3, 0, shared, 4, 3));
            rejects(shared, "C (offset 0) overlaps B",
                    () -> k.gemm(n, n, 3, 3, 4, 1, a, 0, 4, shared, 8, 3, 0, shared, 0, 3));
            assertThrows(NullPointerException.class, () -> k.gemm(null, n, 1, 1, 1, 1, a, 0, 1, b, 0, 1, 0, c, 0, 1));
            // disjoint parts of one array are fine
            k.gemm(n, n, 3, 3, 4, 1, shared, 0, 4, shared, 12, 3, 0, shared, 24, 3);
        }
    }

    @Test
    void elementwiseKernelsRejectBadArguments() {
        for (Kernels k : Implementations.all()) {
            float[] z = new float[10], h = new float[10];
            Arrays.fill(h, 3f);
            rejects(h, "bias is too short", () -> k.biasActivation(ActivationKind.RELU, 0, 2, 5, z, 0, 5,
                    new float[4], 0, h, 0, 5));
            rejects(h, "h (offset 1) overlaps z", () -> k.biasActivation(ActivationKind.RELU, 0, 2, 4, h, 0, 4,
                    null, 0, h, 1, 4));
            rejects(h, "alpha|NaN", () -> k.biasActivation(ActivationKind.ELU, Float.NaN, 2, 5, z, 0, 5,
                    null, 0, h, 0, 5));
            rejects(h, "delta (offset 1) partially overlaps grad", () -> k.activationBackward(ActivationKind.TANH, 0,
                    9, h, 0, z, 0, h, 1));
            rejects(h, "saved is too short", () -> k.activationBackward(ActivationKind.TANH, 0, 10, z, 0,
                    new float[9], 0, h, 0));
            rejects(h, "labels[1] = 7|[0, 5)", () -> k.softmaxCrossEntropy(2, 5, z, 0, 5, new int[]{0, 7}, 0,
                    h, 0, 5));
            rejects(h, "targets[3]|1.5|outside [0, 1]", () -> k.binaryCrossEntropyWithLogits(2, 2, z, 0, 2,
                    new float[]{0, 1, 0, 1.5f}, 0, 2, h, 0, 2));
            float[] w = new float[4];
            rejects(w, "lr|NaN", () -> k.sgd(4, w, 0, z, 0, null, 0, Float.NaN, 0, 0, false));
            rejects(w, "lr|-0.1", () -> k.sgd(4, w, 0, z, 0, null, 0, -0.1f, 0, 0, false));
            rejects(w, "velocity is null", () -> k.sgd(4, w, 0, z, 0, null, 0, 0.1f, 0.9f, 0, false));
            rejects(w, "nesterov needs momentum", () -> k.sgd(4, w, 0, z, 0, null, 0, 0.1f, 0f, 0, true));
            rejects(w, "step must be >= 1, got 0", () -> k.adam(4, w, 0, z, 0, new float[4], 0, new float[4], 0,
                    1e-3f, 0.9f, 0.999f, 1e-8f, 0, false, 0));
            rejects(w, "beta2|1.0", () -> k.adam(4, w, 0, z, 0, new float[4], 0, new float[4], 0,
                    1e-3f, 0.9f, 1f, 1e-8f, 0, false, 1));
            float[] mv = new float[8];
            rejects(w, "v (offset 2) overlaps m", () -> k.adam(4, w, 0, z, 0, mv, 0, mv, 2,
                    1e-3f, 0.9f, 0.999f, 1e-8f, 0, false, 1));
            rejects(w, "w (offset 0) overlaps g", () -> k.adagrad(4, w, 0, w, 0, new float[4], 0, 0.1f, 1e-8f, 0));
            rejects(w, "weightDecay", () -> k.rmsprop(4, w, 0, z, 0, new float[4], 0, 0.1f, 0.9f, 1e-8f, -1f));
            rejects(w, "threads must be >= 1, got 0", () -> k.withThreads(0));
        }
    }
}
