package io.vecnn.kernels;

import io.vecnn.kernels.internal.KernelSelection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With --add-modules jdk.incubator.vector (the default test run). */
class ProviderTest {
    @Test
    void defaultIsTheVectorImplementationWhenTheModuleIsPresent() {
        assertTrue(Kernels.vectorAvailable());
        assertTrue(Kernels.get().name().startsWith("vector("), Kernels.get().name());
        assertEquals(Runtime.getRuntime().availableProcessors(), Kernels.get().threads());
    }

    @Test
    void systemPropertyForcesTheChoice() {
        try {
            System.setProperty(KernelSelection.IMPL_PROPERTY, "scalar");
            assertEquals("scalar", KernelSelection.chooseDefault().name());
            System.setProperty(KernelSelection.IMPL_PROPERTY, "vector");
            assertTrue(KernelSelection.chooseDefault().name().startsWith("vector("));
            System.setProperty(KernelSelection.IMPL_PROPERTY, "simd");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, KernelSelection::chooseDefault);
            assertTrue(e.getMessage().contains("'simd'"), e.getMessage());
            System.clearProperty(KernelSelection.IMPL_PROPERTY);
            System.setProperty(KernelSelection.THREADS_PROPERTY, "3");
            assertEquals(3, KernelSelection.chooseDefault().threads());
            // a bad value is logged and replaced by the default: an exception here would leave every class
            // holding a static Kernels unusable for the life of the JVM
            int available = Runtime.getRuntime().availableProcessors();
            for (String bad : new String[]{"zero", "0", "-1", "abc", "1.5"}) {
                System.setProperty(KernelSelection.THREADS_PROPERTY, bad);
                assertEquals(available, KernelSelection.defaultThreads(), bad);
                assertEquals(available, KernelSelection.chooseDefault().threads(), bad);
            }
            // the scalar fallback runs GEMM on the configured threads too
            System.setProperty(KernelSelection.IMPL_PROPERTY, "scalar");
            System.setProperty(KernelSelection.THREADS_PROPERTY, "3");
            assertEquals("scalar", KernelSelection.chooseDefault().name());
            assertEquals(3, KernelSelection.chooseDefault().threads());
            assertEquals(1, Kernels.scalar().threads(), "the reference itself stays on the calling thread");
        } finally {
            System.clearProperty(KernelSelection.IMPL_PROPERTY);
            System.clearProperty(KernelSelection.THREADS_PROPERTY);
        }
    }

    /** A fresh JVM started with a bad -Dvecnn.threads: Kernels works (default threads) and the log says why. */
    @Test
    void aBadThreadsPropertyIsLoggedNotFatal() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String bad : new String[]{"0", "-1", "abc"}) {
            Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-Dvecnn.threads=" + bad,
                    "-cp", ChildJvm.classPath(ThreadsProbe.class), ThreadsProbe.class.getName()))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("ignoring -Dvecnn.threads=" + bad + " (must be an integer >= 1)"), out);
            assertTrue(out.contains("threads=" + ThreadsProbe.AVAILABLE_MARK), out);
        }
    }
}
