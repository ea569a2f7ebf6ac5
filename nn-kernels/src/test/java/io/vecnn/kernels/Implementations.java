package io.vecnn.kernels;

import java.util.List;

/** The implementations every kernel test runs: the scalar reference and the Vector API one. */
final class Implementations {
    private Implementations() {
    }

    /** Both, single-threaded and with two threads (the scalar one as the fallback runs it). */
    static List<Kernels> all() {
        return List.of(Kernels.scalar(), Kernels.scalar().withThreads(2), Kernels.vector().withThreads(1),
                Kernels.vector().withThreads(2));
    }

    /** Unit roundoff of float32. */
    static final double U = Math.ulp(1f) / 2;

    /** γₙ = n·u / (1 − n·u), the classic bound on the relative error of n rounded operations. */
    static double gamma(int n) {
        return n * U / (1 - n * U);
    }
}
