package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.vecnn.kernels.ElementwiseKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Row gather and scatter-add (the embedding kernels): against direct loops, bit for bit, over odd widths. */
class RowGatherKernelsTest {
    @Test
    void gatherAndScatterAddMatchDirectLoopsBitForBit() {
        SplittableRandom r = new SplittableRandom(4);
        for (int cols : new int[]{1, 2, 3, 5, 7, 15, 16, 17, 33, 100}) {
            int tableRows = 6, n = 11, ldt = cols + 2, ldx = cols + 1;
            float[] table = random(r, tableRows * ldt, 2);
            int[] index = new int[n + 1];
            for (int i = 0; i < index.length; i++) {
                index[i] = r.nextInt(tableRows - 1); // the last row is never used
            }
            float[] x = random(r, n * ldx, 1);
            float[] gathered = new float[n * ldx];
            float[] expected = new float[n * ldx];
            for (int i = 0; i < n; i++) {
                System.arraycopy(table, index[i + 1] * ldt, expected, i * ldx, cols);
            }
            float[] sums = table.clone();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < cols; j++) {
                    sums[index[i + 1] * ldt + j] += x[i * ldx + j];
                }
            }
            for (Kernels k : Implementations.all()) {
                java.util.Arrays.fill(gathered, 0f);
                k.gatherRows(n, cols, table, 0, ldt, tableRows, index, 1, gathered, 0, ldx);
                assertArrayEquals(expected, gathered, "gather " + cols + " " + k.name());
                float[] t = table.clone();
                k.scatterAddRows(n, cols, x, 0, ldx, index, 1, t, 0, ldt, tableRows);
                assertArrayEquals(sums, t, "scatter-add " + cols + " " + k.name());
            }
        }
    }

    @Test
    void anIndexOutOfRangeIsNamed() {
        float[] table = new float[6];
        String m = assertThrows(IllegalArgumentException.class,
                () -> Kernels.scalar().gatherRows(2, 2, table, 0, 2, 3, new int[]{0, 3}, 0, new float[4], 0, 2)).getMessage();
        assertTrue(m.contains("index[1] = 3"), m);
    }
}
