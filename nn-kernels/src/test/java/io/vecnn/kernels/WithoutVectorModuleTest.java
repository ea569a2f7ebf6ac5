package io.vecnn.kernels;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs in its own surefire execution on a JVM started without jdk.incubator.vector: the library
 * must fall back to the scalar kernels and work, with no Vector API class linked.
 */
@Tag("without-vector-module")
class WithoutVectorModuleTest {
    @Test
    void fallsBackToScalarAndWorks() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(),
                "this test must run without --add-modules jdk.incubator.vector");
        assertFalse(Kernels.vectorAvailable());
        assertEquals("scalar", Kernels.get().name());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, Kernels::vector);
        assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
        float[] c = new float[4];
        Kernels.get().gemm(Transpose.N, Transpose.T, 2, 2, 2, 1f, new float[]{1, 2, 3, 4}, 0, 2,
                new float[]{1, 0, 0, 1}, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[]{1, 2, 3, 4}, c);
    }
}
