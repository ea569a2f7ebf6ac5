package io.vecnn.train;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Registry;
import io.vecnn.layers.Dense;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another project's layer type found through {@link java.util.ServiceLoader}: a
 * {@code META-INF/services/io.vecnn.api.LayerType} file on the class path (this test's resources).
 * Runs in a class-path execution of its own (see the pom), as a library user's application would: on
 * the module path the test classes are patched into io.vecnn.train, a named module, whose services
 * come from its descriptor only.
 */
@Tag("class-path")
class ServiceLoaderRegistryTest {
    @Test
    void aLayerTypeProvidedAsAServiceIsFoundAndRoundTrips(@TempDir Path dir) throws IOException {
        assertTrue(Registry.layerTypeNames().containsAll(List.of("dense", "dropout", "flatten", "add", "concat", "layer_norm", "embedding",
                "test.service-scale")), Registry.layerTypeNames().toString());
        Model m = Model.builder(3).add(ScaleLayer.of("test.service-scale", 2f)).add(Dense.of(2)).build();
        Path file = dir.resolve("svc.vecnn");
        Checkpoint.save(file, m, Optimizers.sgd(0f), new Trainer.State(1, 0, 0, Double.NaN, 0, List.of()));
        Model back = Checkpoint.load(file).model();
        assertEquals("test.service-scale", back.nodes().get(0).type());
        Matrix x = Matrix.of(new float[][] {{1, -2, 3}});
        assertTrue(m.predict(x).contentEquals(back.predict(x)));
    }
}
