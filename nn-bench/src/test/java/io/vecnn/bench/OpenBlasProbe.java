package io.vecnn.bench;

/** Run in a child JVM by {@link OpenBlasTest}: prints OpenBLAS's description at one thread. */
public final class OpenBlasProbe {
    private OpenBlasProbe() {
    }

    public static void main(String[] args) {
        OpenBlas.setThreads(1);
        System.out.println(OpenBlas.describe());
    }
}
