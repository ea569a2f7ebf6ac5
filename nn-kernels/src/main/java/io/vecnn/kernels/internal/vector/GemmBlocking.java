package io.vecnn.kernels.internal.vector;

/**
 * Block sizes of the BLIS-style GEMM, as data. {@code mr × nr} is the register tile of the
 * micro-kernel (fixed by its code); {@code kc} bounds the depth of the packed panels so that one
 * {@code kc × nr} panel of B stays in L1 while it is reused; {@code mc × kc} of packed A is sized
 * for L2; {@code nc × kc} of packed B for L2/L3. Blocks of k and m are split evenly (k = 300 runs
 * as 150 + 150, not 256 + 44).
 *
 * @param parallelMinWork the smallest m·n·k worth splitting across threads: below it the hand-off
 *                        costs more than it saves
 */
record GemmBlocking(int mr, int nr, int kc, int mc, int nc, long parallelMinWork) {
    GemmBlocking {
        if (mr < 1 || nr < 1 || kc < 1 || mc < mr || nc < nr || mc % mr != 0 || nc % nr != 0) {
            throw new IllegalArgumentException("inconsistent GEMM blocking " + mr + "x" + nr + " kc=" + kc
                    + " mc=" + mc + " nc=" + nc);
        }
    }

    /** Number of blocks of at most {@code max} that split {@code n} evenly. */
    static int blockCount(int n, int max) {
        return (n + max - 1) / max;
    }

    /** Start of block {@code b} of {@code count} even blocks over {@code n}, in units of {@code unit}. */
    static int blockStart(int n, int count, int b, int unit) {
        int units = (n + unit - 1) / unit;
        int base = units / count;
        int extra = units % count;
        int startUnits = b * base + Math.min(b, extra);
        return Math.min(n, startUnits * unit);
    }
}
