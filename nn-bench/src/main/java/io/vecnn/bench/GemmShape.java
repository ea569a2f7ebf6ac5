package io.vecnn.bench;

import io.vecnn.kernels.Transpose;

/**
 * A GEMM shape as a benchmark parameter: {@code "MxNxK"} (both operands as stored) or
 * {@code "MxNxK:TA TB"}, e.g. {@code "128x256x784:NT"} for the forward pass X·Wᵀ of a 784→256
 * layer at batch 128.
 */
public record GemmShape(int m, int n, int k, Transpose transA, Transpose transB) {
    public static GemmShape parse(String s) {
        String[] parts = s.trim().split(":");
        String[] dims = parts[0].split("x");
        if (dims.length != 3 || (parts.length == 2 && parts[1].length() != 2) || parts.length > 2) {
            throw new IllegalArgumentException("GEMM shape must look like 256x256x256 or 128x256x784:NT, got '" + s + "'");
        }
        Transpose ta = parts.length == 2 ? Transpose.valueOf(parts[1].substring(0, 1)) : Transpose.N;
        Transpose tb = parts.length == 2 ? Transpose.valueOf(parts[1].substring(1, 2)) : Transpose.N;
        return new GemmShape(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[2]), ta, tb);
    }

    public int lda() {
        return transA.transposed() ? m : k;
    }

    public int ldb() {
        return transB.transposed() ? k : n;
    }

    public double flops() {
        return 2.0 * m * n * k;
    }
}
