package io.vecnn.kernels.internal;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the implementation once. The Vector API implementation lives in a package of its own
 * and is reached only by reflection, after checking that {@code jdk.incubator.vector} is in the
 * boot layer, so none of its classes is linked on a JVM without the module.
 */
public final class KernelSelection {
    /** System property forcing the implementation: {@code scalar} or {@code vector}. */
    public static final String IMPL_PROPERTY = "vecnn.kernels";
    /** System property setting the default GEMM thread count. */
    public static final String THREADS_PROPERTY = "vecnn.threads";

    private static final String VECTOR_CLASS = "io.vecnn.kernels.internal.vector.VectorKernels";
    private static final System.Logger LOG = System.getLogger("io.vecnn.kernels");

    private KernelSelection() {
    }

    /** The scalar reference on the calling thread only. */
    public static KernelImpl scalar() {
        return ScalarKernels.INSTANCE;
    }

    /**
     * The default thread count: {@code vecnn.threads}, else the available processors. A value that
     * is not an integer ≥ 1 is logged (naming the property and the value) and replaced by the
     * default: this runs while classes initialise their static kernels, where an exception would
     * leave them unusable for the life of the JVM.
     */
    public static int defaultThreads() {
        String p = System.getProperty(THREADS_PROPERTY);
        int available = Runtime.getRuntime().availableProcessors();
        if (p == null || p.isBlank()) {
            return available;
        }
        try {
            int t = Integer.parseInt(p.trim());
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        LOG.log(System.Logger.Level.WARNING, "vecnn: ignoring -D" + THREADS_PROPERTY + "=" + p
                + " (must be an integer >= 1); using the " + available + " available processors");
        return available;
    }

    /** Null if the Vector API can be used, else why not and how to enable it. */
    public static String vectorUnavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the module jdk.incubator.vector is not present; start the JVM with "
                    + "--add-modules jdk.incubator.vector to use the Vector API kernels";
        }
        return null;
    }

    /** Null if the JIT will compile the Vector API to SIMD code (C2), else why not. */
    static String jitUnsuitableReason() {
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) {
            return "the JVM runs interpreted (-Xint): the Vector API would be far slower than scalar code";
        }
        String vmName = System.getProperty("java.vm.name", "");
        if (!vmName.contains("Server VM") && !vmName.contains("HotSpot")) {
            return "the JVM (" + vmName + ") is not HotSpot's server VM with C2";
        }
        try {
            List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (String a : args) {
                String s = a.toLowerCase(Locale.ROOT);
                if (s.startsWith("-xx:tieredstopatlevel=") && !s.endsWith("=4")) {
                    return "C2 is disabled (" + a + "): the Vector API would be far slower than scalar code";
                }
                if (s.equals("-xx:-usecompiler") || s.equals("-xint")) {
                    return "the JIT is disabled (" + a + ")";
                }
            }
        } catch (LinkageError | RuntimeException e) {
            // java.management absent: assume the default (C2) JIT
        }
        return null;
    }

    public static KernelImpl vector() {
        String reason = vectorUnavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException("Vector API kernels unavailable: " + reason);
        }
        try {
            Class<?> cls = Class.forName(VECTOR_CLASS);
            return (KernelImpl) cls.getMethod("create", int.class).invoke(null, defaultThreads());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the Vector API kernels", e);
        }
    }

    /** The start-up choice, logged once; either implementation runs GEMM on {@link #defaultThreads()} threads. */
    public static KernelImpl chooseDefault() {
        String forced = System.getProperty(IMPL_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            switch (forced.trim().toLowerCase(Locale.ROOT)) {
                case "scalar":
                    LOG.log(System.Logger.Level.INFO, "vecnn: scalar kernels (forced by -D" + IMPL_PROPERTY + ")");
                    return scalar().withThreads(defaultThreads());
                case "vector":
                    return vector();
                default:
                    throw new IllegalArgumentException("system property " + IMPL_PROPERTY
                            + " must be 'scalar' or 'vector', got '" + forced + "'");
            }
        }
        String reason = vectorUnavailableReason();
        if (reason == null) {
            reason = jitUnsuitableReason();
        }
        if (reason != null) {
            LOG.log(System.Logger.Level.WARNING, "vecnn: using the scalar kernels because " + reason);
            return scalar().withThreads(defaultThreads());
        }
        return vector();
    }
}
