package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Shared fixtures: the digits, split once, and a small classifier. */
final class TestData {
    private TestData() {
    }

    private static Dataset.Split digits;

    static synchronized Dataset.Split digits() {
        if (digits == null) {
            try {
                digits = Datasets.digits().split(0.2, 1998);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return digits;
    }

    static Model classifier(long seed, boolean dropout) {
        Model.Builder b = Model.builder(64).seed(seed).add(Dense.of(48, Activations.relu()));
        if (dropout) {
            b.add(Dropout.of(0.2f));
        }
        return b.add(Dense.of(24, Activations.tanh())).add(Dense.of(10)).build();
    }

    static float[][] weights(Model m) {
        List<Parameter> ps = m.parameters();
        float[][] w = new float[ps.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = ps.get(i).value().data().clone();
        }
        return w;
    }

    /**
     * A class path for a child JVM that runs test classes: this JVM's module path and class path (the
     * tests run on the module path, patched into io.vecnn.train) plus the test classes' directory.
     */
    static String childClassPath() {
        List<String> parts = new java.util.ArrayList<>();
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(property);
            if (v != null && !v.isBlank()) {
                parts.add(v);
            }
        }
        try {
            parts.add(java.nio.file.Path.of(TestData.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return String.join(java.io.File.pathSeparator, parts);
    }
}
