package io.vecnn.kernels;

/** Run in a child JVM by {@link ProviderTest}: uses Kernels twice (a dead class fails the second time). */
public final class ThreadsProbe {
    static final String AVAILABLE_MARK = "available";

    private ThreadsProbe() {
    }

    public static void main(String[] args) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Kernels k = Kernels.get();
            float[] c = new float[1];
            k.gemm(Transpose.N, Transpose.N, 1, 1, 1, 1f, new float[]{2}, 0, 1, new float[]{3}, 0, 1, 0f, c, 0, 1);
            if (c[0] != 6f) {
                throw new AssertionError("gemm gave " + c[0]);
            }
            boolean available = k.threads() == Runtime.getRuntime().availableProcessors();
            System.out.println("threads=" + (available ? AVAILABLE_MARK : Integer.toString(k.threads())));
        }
    }
}
