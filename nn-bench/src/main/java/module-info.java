/** vecnn's JMH benchmarks and the OpenBLAS peer. Run from the uber-jar (see nn-bench/README.md). */
module io.vecnn.bench {
    requires io.vecnn.kernels;
    requires jmh.core;

    exports io.vecnn.bench;
    exports io.vecnn.bench.jmh_generated to jmh.core;
}
