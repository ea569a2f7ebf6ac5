package io.vecnn.examples;

import io.vecnn.kernels.Kernels;
import io.vecnn.kernels.Transpose;

public final class KernelsGemm {
    public static void main(String[] args) {
        Kernels kernels = Kernels.get();    // Vector API if jdk.incubator.vector is there, else the scalar reference
        int m = 2, n = 3, k = 4;
        float[] a = new float[m * k];       // A: m × k, row-major
        float[] b = new float[n * k];       // B: n × k, row-major (used transposed)
        float[] c = new float[m * n];       // C: m × n
        java.util.Arrays.fill(a, 1f);
        java.util.Arrays.fill(b, 0.5f);
        // C = 1·A·Bᵀ + 0·C; the leading dimensions are the row lengths k, k and n.
        kernels.gemm(Transpose.N, Transpose.T, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
        System.out.println(java.util.Arrays.toString(c));   // [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    }
}
