package io.vecnn.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    @Test
    void itReportsItsKernelAndThreadsAndTestsLeaveTheEnvironmentAlone() {
        assumeTrue(OpenBlas.unavailableReason() == null, () -> "OpenBLAS absent: " + OpenBlas.unavailableReason());
        OpenBlas.setThreads(1);
        assertEquals(1, OpenBlas.threads());
        assertFalse(OpenBlas.corename().isBlank());
        assertTrue(OpenBlas.describe().contains("core " + OpenBlas.corename() + ", 1 thread"), OpenBlas.describe());
        assertTrue(OpenBlas.removedOverrides().isEmpty(), "tests must not change OpenBLAS's environment");
    }

    /**
     * In child JVMs: an OPENBLAS_CORETYPE in the environment is obeyed and reported, unless the
     * benchmarks' property removes it, in which case OpenBLAS runs the kernel it picks with no
     * override at all.
     */
    @Test
    void theBenchmarkForkRunsOpenBlasWithoutTheOverride() throws IOException, InterruptedException {
        assumeTrue(OpenBlas.unavailableReason() == null, () -> "OpenBLAS absent: " + OpenBlas.unavailableReason());
        String own = child(null, false);
        String forced = child("Prescott", false);
        String removed = child("Prescott", true);
        assertTrue(forced.contains("core Prescott"), forced);
        assertTrue(forced.contains("set in the environment and obeyed (not OpenBLAS's own choice): OPENBLAS_CORETYPE=Prescott"), forced);
        String ownCore = own.substring(own.indexOf("core "), own.indexOf(','));
        assertTrue(removed.contains(ownCore + ","), removed + " / " + own);
        assertTrue(removed.contains("removed from this process's environment (so OpenBLAS picks its own kernel for this CPU): "
                + "OPENBLAS_CORETYPE=Prescott"), removed);
    }

    private static String child(String coretype, boolean ownKernel) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + OpenBlas.OWN_KERNEL_PROPERTY + "=" + ownKernel, "-cp", System.getProperty("java.class.path"),
                OpenBlasProbe.class.getName())).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("OPENBLAS_"));
        if (coretype != null) {
            pb.environment().put("OPENBLAS_CORETYPE", coretype);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
