package io.vecnn.kernels;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The class path of a child JVM that runs test classes (tests run on the module path). */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** This JVM's module path and class path, and the directory {@code anchor} (a test class) was loaded from. */
    public static String classPath(Class<?> anchor) {
        List<String> parts = new ArrayList<>();
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(property);
            if (v != null && !v.isBlank()) {
                parts.add(v);
            }
        }
        try {
            parts.add(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return String.join(File.pathSeparator, parts);
    }
}
