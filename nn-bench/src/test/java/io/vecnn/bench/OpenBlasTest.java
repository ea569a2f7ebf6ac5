package io.vecnn.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The OpenBLAS peer binding computes what our reference computes, for every transpose pair. */
class OpenBlasTest {
    @Test
    void sgemmThroughFfmMatchesTheReference() {
        assumeTrue(OpenBlas.unavailableReason() == null, () -> "OpenBLAS absent: " + OpenBlas.unavailableReason());
        OpenBlas.setThreads(1);
        for (String ops : new String[]{"NN", "NT", "TN", "TT"}) {
            GemmShape s = GemmShape.parse("37x45x29:" + ops);
            float[] a = ReferenceCheck.random(1, s.m() * s.k());
            float[] b = ReferenceCheck.random(2, s.k() * s.n());
            float[] c = new float[s.m() * s.n()];
            OpenBlas.sgemm(s.transA().transposed(), s.transB().transposed(), s.m(), s.n(), s.k(), 1f,
                    OpenBlas.segment(a, 0), s.lda(), OpenBlas.segment(b, 0), s.ldb(), 0f, OpenBlas.segment(c, 0), s.n());
            ReferenceCheck.gemm("openblas", s, a, b, c);
        }
    }
}
