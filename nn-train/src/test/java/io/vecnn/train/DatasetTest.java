package io.vecnn.train;

import io.vecnn.api.Matrix;
import io.vecnn.api.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Datasets beyond class labels: float targets, flags, byte features, integer ids, views. */
class DatasetTest {
    @Test
    void eachFeatureStoreAndTargetKindGathersItsBatch() {
        int[] order = {2, 0};
        // Bytes with a scale: read as unsigned.
        Dataset bytes = Dataset.builder("b").bytes(Shape.image(1, 1, 2), new byte[] {0, (byte) 255, 1, 2, 10, 20}, 0.5f)
                .labels(new int[] {0, 1, 1}, 2, List.of("cat", "dog")).build();
        Matrix x = Matrix.zeros(2, 2);
        Matrix y = Matrix.zeros(2, 2);
        bytes.gather(order, 0, 2, x, y);
        assertArrayEquals(new float[] {5f, 10f, 0f, 127.5f}, x.data());
        assertArrayEquals(new float[] {0, 1, 1, 0}, y.data(), "one-hot rows");
        assertEquals(List.of("cat", "dog"), bytes.classNames());
        assertEquals(Shape.image(1, 1, 2), bytes.featureShape());
        // Integer ids, handed over as exact floats; regression targets of two outputs.
        Dataset ids = Dataset.builder("ids").ids(3, new int[] {7, 8, 9, 16_777_215, 0, 1, 4, 5, 6})
                .targets(new float[] {1, 2, 3, 4, 5, 6}, 2).build();
        Matrix xi = Matrix.zeros(2, 3);
        Matrix yi = Matrix.zeros(2, 2);
        ids.gather(order, 0, 2, xi, yi);
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9}, xi.data());
        assertArrayEquals(new float[] {5, 6, 1, 2}, yi.data());
        assertEquals(16_777_215f, ids.sample(1)[0]);
        assertTrue(ids.hasIds());
        assertThrows(IllegalStateException.class, ids::fitStandardization);
        assertThrows(IllegalStateException.class, ids::classes);
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Dataset.builder("big").ids(1, new int[] {1 << 24}).targets(new float[] {0}, 1));
        assertTrue(big.getMessage().contains("sample 0"), big.getMessage());
        // Multi-label flags must be 0 or 1; regression targets finite.
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
                () -> Dataset.builder("f").features(Shape.of(1), new float[2]).multiLabel(new float[] {1, 0.5f}, 1));
        assertTrue(flag.getMessage().contains("sample 1") && flag.getMessage().contains("0 or 1"), flag.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Dataset.builder("n").features(Shape.of(1), new float[2]).targets(new float[] {0, Float.NaN}, 1));
        assertTrue(nan.getMessage().contains("sample 1"), nan.getMessage());
    }

    @Test
    void splitsAreViewsThatShareTheData() {
        float[] x = new float[100 * 3];
        int[] l = new int[100];
        for (int i = 0; i < 100; i++) {
            x[3 * i] = i;
            l[i] = i % 4;
        }
        Dataset d = Dataset.of("d", x, 3, l, 4);
        Dataset.Split s = d.split(0.3, 7);
        assertEquals(70, s.first().size());
        assertEquals(30, s.second().size());
        x[3 * 5] = -1f;         // the arrays are shared: a split holds no copy of the features
        boolean seen = false;
        for (Dataset part : List.of(s.first(), s.second())) {
            for (int i = 0; i < part.size(); i++) {
                float v = part.sample(i)[0];
                seen |= v == -1f;
                if (v >= 0) {
                    assertEquals((int) v % 4, part.label(i), "labels follow their samples");
                }
            }
        }
        assertTrue(seen);
        // A subset of a subset, and a standardized copy, keep samples and labels together.
        Dataset sub = s.first().subset("sub", new int[] {3, 1});
        Dataset std = sub.standardized(sub.fitStandardization());
        assertEquals(sub.label(0), std.label(0));
        assertEquals(-std.sample(0)[0], std.sample(1)[0], 1e-6f);
    }
}
