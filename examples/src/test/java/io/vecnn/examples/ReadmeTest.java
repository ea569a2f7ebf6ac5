package io.vecnn.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's code cannot drift from code that compiles: every block marked
 * {@code <!-- example: PATH -->} must be the file at PATH (under examples/), word for word, and
 * every source of this module must appear in the README.
 */
class ReadmeTest {
    static final Path ROOT = Path.of(System.getProperty("vecnn.root", ".."));
    private static final Pattern MARKED = Pattern.compile("<!-- example: (\\S+) -->\\R```[a-z]*\\R(.*?)^```", Pattern.DOTALL | Pattern.MULTILINE);

    static Map<String, String> markedBlocks() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Map<String, String> blocks = new TreeMap<>();
        Matcher m = MARKED.matcher(readme);
        while (m.find()) {
            assertEquals(null, blocks.put(m.group(1), m.group(2)), "README shows " + m.group(1) + " twice");
        }
        return blocks;
    }

    @Test
    void everyMarkedBlockIsTheSourceItNames() throws IOException {
        Map<String, String> blocks = markedBlocks();
        assertFalse(blocks.isEmpty(), "the README has no marked example blocks");
        for (Map.Entry<String, String> b : blocks.entrySet()) {
            Path source = ROOT.resolve("examples").resolve(b.getKey());
            assertTrue(Files.isRegularFile(source), "README names " + source + ", which does not exist");
            assertEquals(Files.readString(source), b.getValue(), "README block for " + b.getKey()
                    + " differs from the file: copy the file into the README");
        }
    }

    @Test
    void everyExampleSourceIsInTheReadme() throws IOException {
        Path src = ROOT.resolve("examples/src/main/java");
        TreeSet<String> sources = new TreeSet<>();
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .forEach(p -> sources.add("src/main/java/" + src.relativize(p).toString().replace('\\', '/')));
        }
        assertEquals(sources, new TreeSet<>(markedBlocks().keySet()), "examples' sources and the README's marked blocks");
    }

    @Test
    void theMavenCoordinatesNameTheBomAndPublishedModulesAtThisVersion() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("<!-- coordinates -->\\R```xml\\R(.*?)^```", Pattern.DOTALL | Pattern.MULTILINE).matcher(readme);
        assertTrue(m.find(), "the README has no <!-- coordinates --> block");
        String xml = m.group(1);
        List<String> artifacts = new ArrayList<>();
        Matcher a = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(xml);
        while (a.find()) {
            artifacts.add(a.group(1));
        }
        assertTrue(artifacts.contains("nn-bom"), "the coordinates import the BOM: " + artifacts);
        List<String> published = BomTest.publishedModules();
        for (String artifact : artifacts) {
            assertTrue(artifact.equals("nn-bom") || published.contains(artifact), artifact + " is not a published module " + published);
        }
        Matcher v = Pattern.compile("<version>([^<]+)</version>").matcher(xml);
        assertTrue(v.find(), "the BOM import gives a version");
        assertEquals(System.getProperty("vecnn.version"), v.group(1), "the README's version is the build's");
        assertFalse(v.find(), "only the BOM import carries a version");
    }
}
