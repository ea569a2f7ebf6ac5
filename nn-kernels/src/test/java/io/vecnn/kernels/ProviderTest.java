package io.vecnn.kernels;

import io.vecnn.kernels.internal.KernelSelection;
import org.junit.jupiter.api.Test;

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
            System.setProperty(KernelSelection.THREADS_PROPERTY, "zero");
            assertThrows(IllegalArgumentException.class, KernelSelection::chooseDefault);
        } finally {
            System.clearProperty(KernelSelection.IMPL_PROPERTY);
            System.clearProperty(KernelSelection.THREADS_PROPERTY);
        }
    }
}
