/**
 * vecnn training: optimizers ({@link io.vecnn.train.Optimizers}), learning-rate schedules, the
 * training loop ({@link io.vecnn.train.Trainer}), datasets ({@link io.vecnn.train.Dataset},
 * {@link io.vecnn.train.Datasets}) and checkpoints ({@link io.vecnn.train.Checkpoint}).
 *
 * <p>The command line ({@code io.vecnn.train.cli}, not exported) needs picocli, progressbar and
 * XChart, which are optional dependencies: the library part runs on the JDK alone.
 */
module io.vecnn.train {
    requires transitive io.vecnn.layers;
    requires io.vecnn.kernels;
    requires static info.picocli;
    requires static io.vecnn.interop;   // the export command only
    requires static me.tongfei.progressbar;
    requires static org.knowm.xchart;
    requires static java.desktop;

    exports io.vecnn.train;

    opens io.vecnn.train.cli to info.picocli;
}
