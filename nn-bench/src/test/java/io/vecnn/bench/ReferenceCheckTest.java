package io.vecnn.bench;

import io.vecnn.kernels.Kernels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmarks' setup check accepts a right result and rejects a slightly wrong one. */
class ReferenceCheckTest {
    @Test
    void acceptsTheVectorKernelAndRejectsAPerturbedResult() {
        for (String shape : new String[]{"64x48x100:NT", "300x300x300"}) {
            GemmShape s = GemmShape.parse(shape);
            float[] a = ReferenceCheck.random(1, s.m() * s.k());
            float[] b = ReferenceCheck.random(2, s.k() * s.n());
            float[] c = new float[s.m() * s.n()];
            Kernels.vector().gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(),
                    0f, c, 0, s.n());
            ReferenceCheck.gemm("vector", s, a, b, c);
            for (int i = 0; i < c.length; i++) {
                c[i] *= 1.001f; // a 0.1 % error everywhere
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ReferenceCheck.gemm("bad", s, a, b, c));
            assertTrue(e.getMessage().contains("wrong kernel"), e.getMessage());
        }
    }

    @Test
    void shapesParse() {
        GemmShape s = GemmShape.parse("128x256x784:NT");
        assertEquals(new GemmShape(128, 256, 784, io.vecnn.kernels.Transpose.N, io.vecnn.kernels.Transpose.T), s);
        assertEquals(784, s.lda());
        assertEquals(784, s.ldb());
        assertThrows(IllegalArgumentException.class, () -> GemmShape.parse("128x256"));
        assertThrows(IllegalArgumentException.class, () -> GemmShape.parse("1x2x3:N"));
    }
}
