package io.vecnn.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The system OpenBLAS (Debian's libopenblas0-pthread), called through the Foreign Function &amp;
 * Memory API on heap arrays (critical downcalls with heap access: no copies). The peer for GEMM.
 *
 * <p>A peer is only a peer at its best. OpenBLAS picks its kernel for the CPU when the library is
 * loaded, unless {@code OPENBLAS_CORETYPE} forces one (some of these machines set it, e.g. to
 * Haswell on an AVX-512 core) or {@code OPENBLAS_L2_SIZE} overrides its cache model. With the
 * system property {@value #OWN_KERNEL_PROPERTY}{@code =true} (set by the benchmarks' forks only,
 * never by tests or CI), those variables are removed from this process's environment before the
 * library is loaded, so that it runs the kernel it would choose for this CPU; {@link #describe()}
 * says which kernel that is and what was removed.
 */
public final class OpenBlas {
    /** System property: remove {@link #OVERRIDES} from the environment before loading OpenBLAS. */
    public static final String OWN_KERNEL_PROPERTY = "vecnn.bench.openblasOwnKernel";
    /** The environment variables that make OpenBLAS run something other than its choice for this CPU. */
    public static final List<String> OVERRIDES = List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final String[] NAMES = {"libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0"};

    private static final MethodHandle SGEMM;
    private static final MethodHandle SET_THREADS;
    private static final MethodHandle GET_THREADS;
    private static final MethodHandle CORENAME;
    private static final MethodHandle CONFIG;
    private static final String UNAVAILABLE;
    /** "NAME=value" of each override removed from the environment (empty if none was set or removed). */
    private static final List<String> REMOVED;
    /** "NAME=value" of each override set in the environment and left in place. */
    private static final List<String> KEPT;

    static {
        MethodHandle sgemm = null;
        MethodHandle setThreads = null;
        MethodHandle getThreads = null;
        MethodHandle corename = null;
        MethodHandle config = null;
        String why = null;
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        Linker linker = Linker.nativeLinker();
        boolean ownKernel = Boolean.getBoolean(OWN_KERNEL_PROPERTY);
        for (String name : OVERRIDES) {
            String value = System.getenv(name);
            if (value == null) {
                continue;
            }
            if (ownKernel) {
                unsetenv(linker, name);
                removed.add(name + "=" + value);
            } else {
                kept.add(name + "=" + value);
            }
        }
        SymbolLookup lib = null;
        for (String name : NAMES) {
            try {
                lib = SymbolLookup.libraryLookup(name, Arena.global());
                break;
            } catch (IllegalArgumentException notFound) {
                // try the next name
            }
        }
        if (lib == null) {
            why = "OpenBLAS not found (tried " + String.join(", ", NAMES)
                    + "); install it with: apt-get install libopenblas0-pthread";
        } else {
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
            var ptr = ValueLayout.ADDRESS;
            sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                    FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, ptr, i, ptr, i, f, ptr, i),
                    Linker.Option.critical(true));
            setThreads = lib.find("openblas_set_num_threads")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(i)))
                    .orElse(null);
            getThreads = lib.find("openblas_get_num_threads")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(i)))
                    .orElse(null);
            corename = lib.find("openblas_get_corename")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ptr)))
                    .orElse(null);
            config = lib.find("openblas_get_config")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ptr)))
                    .orElse(null);
        }
        SGEMM = sgemm;
        SET_THREADS = setThreads;
        GET_THREADS = getThreads;
        CORENAME = corename;
        CONFIG = config;
        UNAVAILABLE = why;
        REMOVED = List.copyOf(removed);
        KEPT = List.copyOf(kept);
    }

    /** libc's unsetenv: OpenBLAS reads the variables with getenv when it is loaded, after this. */
    private static void unsetenv(Linker linker, String name) {
        MethodHandle unsetenv = linker.defaultLookup().find("unsetenv")
                .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS)))
                .orElseThrow(() -> new IllegalStateException("libc unsetenv not found: cannot remove " + name));
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) unsetenv.invokeExact(arena.allocateFrom(name));
            if (rc != 0) {
                throw new IllegalStateException("unsetenv(" + name + ") failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private OpenBlas() {
    }

    /** Null if OpenBLAS can be called, else why not. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    public static void setThreads(int threads) {
        if (SET_THREADS == null) {
            throw new IllegalStateException(UNAVAILABLE != null ? UNAVAILABLE : "openblas_set_num_threads missing");
        }
        try {
            SET_THREADS.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** openblas_get_num_threads: the thread count OpenBLAS will use. */
    public static int threads() {
        return (int) callOrThrow(GET_THREADS, "openblas_get_num_threads");
    }

    /** openblas_get_corename: the kernel OpenBLAS runs, e.g. {@code Cooperlake}, {@code Haswell}, {@code Zen}. */
    public static String corename() {
        return ((MemorySegment) callOrThrow(CORENAME, "openblas_get_corename")).reinterpret(256).getString(0);
    }

    /** openblas_get_config: version and build options, e.g. {@code OpenBLAS 0.3.21 DYNAMIC_ARCH ... Haswell MAX_THREADS=64}. */
    public static String config() {
        return ((MemorySegment) callOrThrow(CONFIG, "openblas_get_config")).reinterpret(1024).getString(0);
    }

    /** The override variables removed from this process's environment before loading OpenBLAS ("NAME=value"). */
    public static List<String> removedOverrides() {
        return REMOVED;
    }

    /** The override variables set in the environment and left in place ("NAME=value"): OpenBLAS obeys them. */
    public static List<String> keptOverrides() {
        return KEPT;
    }

    /**
     * One line for logs and reports: the kernel, the thread count and what the environment did, e.g.
     * {@code OpenBLAS 0.3.21 ... core Cooperlake, 1 thread; removed from this process's environment:
     * OPENBLAS_CORETYPE=Haswell}.
     */
    public static String describe() {
        if (UNAVAILABLE != null) {
            return UNAVAILABLE;
        }
        int t = threads();
        StringBuilder sb = new StringBuilder(config()).append(": core ").append(corename()).append(", ")
                .append(t).append(t == 1 ? " thread" : " threads");
        if (!REMOVED.isEmpty()) {
            sb.append("; removed from this process's environment (so OpenBLAS picks its own kernel for this CPU): ")
                    .append(String.join(", ", REMOVED));
        }
        if (!KEPT.isEmpty()) {
            sb.append("; set in the environment and obeyed (not OpenBLAS's own choice): ").append(String.join(", ", KEPT));
        }
        return sb.toString();
    }

    private static Object callOrThrow(MethodHandle h, String symbol) {
        if (h == null) {
            throw new IllegalStateException(UNAVAILABLE != null ? UNAVAILABLE : symbol + " missing from this OpenBLAS");
        }
        try {
            return h.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A heap segment starting at {@code offset} floats into {@code array}. Make once, reuse. */
    public static MemorySegment segment(float[] array, int offset) {
        return MemorySegment.ofArray(array).asSlice((long) offset * Float.BYTES);
    }

    /** cblas_sgemm, row-major, with the same conventions as {@code Kernels.gemm}. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        if (SGEMM == null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
