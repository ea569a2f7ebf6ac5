package io.vecnn.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system OpenBLAS (Debian's libopenblas0-pthread), called through the Foreign Function &amp;
 * Memory API on heap arrays (critical downcalls with heap access: no copies). The peer for GEMM.
 */
public final class OpenBlas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final String[] NAMES = {"libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0"};

    private static final MethodHandle SGEMM;
    private static final MethodHandle SET_THREADS;
    private static final String UNAVAILABLE;

    static {
        MethodHandle sgemm = null;
        MethodHandle setThreads = null;
        String why = null;
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
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
            var ptr = ValueLayout.ADDRESS;
            sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                    FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, ptr, i, ptr, i, f, ptr, i),
                    Linker.Option.critical(true));
            setThreads = lib.find("openblas_set_num_threads")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(i)))
                    .orElse(null);
        }
        SGEMM = sgemm;
        SET_THREADS = setThreads;
        UNAVAILABLE = why;
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
