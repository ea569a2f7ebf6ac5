package io.vecnn.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * nn-bom lists exactly the published modules (those of the parent's module list that are jars and do
 * not set {@code maven.deploy.skip}), at the parent's version.
 */
class BomTest {
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

    static List<String> publishedModules() throws IOException {
        String parent = Files.readString(ReadmeTest.ROOT.resolve("pom.xml"));
        List<String> published = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (m.find()) {
            String pom = Files.readString(ReadmeTest.ROOT.resolve(m.group(1)).resolve("pom.xml"));
            boolean jar = !pom.contains("<packaging>pom</packaging>");
            if (jar && !pom.contains("<maven.deploy.skip>true</maven.deploy.skip>")) {
                published.add(artifactId(pom));
            }
        }
        return published;
    }

    // The module's own artifactId: the first one after </parent>.
    private static String artifactId(String pom) {
        Matcher a = ARTIFACT.matcher(pom);
        a.find(pom.indexOf("</parent>"));
        return a.group(1);
    }

    @Test
    void bomListsEveryPublishedModuleAtTheParentsVersion() throws IOException {
        String bom = Files.readString(ReadmeTest.ROOT.resolve("nn-bom/pom.xml"));
        String managed = bom.substring(bom.indexOf("<dependencyManagement>"));
        List<String> listed = new ArrayList<>();
        Matcher a = ARTIFACT.matcher(managed);
        while (a.find()) {
            listed.add(a.group(1));
        }
        assertEquals(new java.util.TreeSet<>(publishedModules()), new java.util.TreeSet<>(listed), "nn-bom lists the published modules");
        assertEquals(listed.size(), new java.util.HashSet<>(listed).size(), "nn-bom lists each once");
        Matcher v = Pattern.compile("<artifactId>nn-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(bom);
        v.find();
        assertEquals(System.getProperty("vecnn.version"), v.group(1), "nn-bom's version is the parent's");
    }
}
