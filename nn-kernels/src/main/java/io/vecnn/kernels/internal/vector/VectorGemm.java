package io.vecnn.kernels.internal.vector;

import io.vecnn.kernels.internal.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM in the style of BLIS: three loops of blocking and packing around one register-tiled
 * micro-kernel of {@code MR × NR} = 4 × (2 vectors). Packing absorbs the transposes and pads edge
 * panels with zeros, so every element of C is computed by the same chain of fused multiply-adds
 * in the same order, whichever tile (full or edge) and whichever thread it falls into: results do
 * not depend on the thread count.
 *
 * <p>Why 4 × 2 vectors: eight accumulators plus two B vectors and one broadcast fit AVX2's 16
 * registers; wider tiles (12 accumulators) make C2 spill an accumulator every iteration.
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 4;
    static final int NR = 2 * L;
    /** Tuned on AVX2 (Zen 3); {@code vecnn.gemm.kc / .mc / .nc} override them for other caches. */
    static final GemmBlocking BLOCKING = new GemmBlocking(MR, NR,
            Integer.getInteger("vecnn.gemm.kc", 256),
            roundUp(Integer.getInteger("vecnn.gemm.mc", 240), MR),
            roundUp(Integer.getInteger("vecnn.gemm.nc", 128 * NR), NR),
            64L * 64 * 64 * 4);

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
    private static final ThreadLocal<ParallelGemm> JOB = ThreadLocal.withInitial(ParallelGemm::new);

    private VectorGemm() {
    }

    /** Per-thread packing buffers, grown on demand and then reused. */
    static final class Workspace {
        float[] aPack = new float[0];
        float[] bPack = new float[0];
        final float[] tile = new float[MR * NR];

        float[] aPack(int size) {
            if (aPack.length < size) {
                aPack = new float[size];
            }
            return aPack;
        }

        float[] bPack(int size) {
            if (bPack.length < size) {
                bPack = new float[size];
            }
            return bPack;
        }
    }

    static void gemm(WorkerPool pool, int threads, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (alpha == 0 || k == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (!transA && transB && n < NR) {
            // A·Bᵀ with a narrow B (an output layer's forward pass): B is packed (it is small), A is
            // read in place, and the usual 4 × 16 tile runs with the lanes past n zero. The shape
            // alone decides, so results still do not depend on the thread count.
            narrowNT(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, WORKSPACE.get());
            return;
        }
        int parts = parts(threads, m, n, k);
        if (parts > 1 && pool != null) {
            ParallelGemm job = JOB.get();
            job.set(parts, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            try {
                if (pool.tryRun(job, parts)) {
                    return;
                }
            } finally {
                job.clear();
            }
        }
        serial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, WORKSPACE.get());
    }

    private static int parts(int threads, int m, int n, int k) {
        if (threads <= 1 || (long) m * n * k < BLOCKING.parallelMinWork()) {
            return 1;
        }
        int tiles = Math.max((m + MR - 1) / MR, (n + NR - 1) / NR);
        return Math.min(threads, tiles);
    }

    /**
     * The output split among threads, in whole micro-tiles: along m when m ≥ n, along n otherwise.
     * Each part packs its share of one operand and all of the other, so splitting the larger
     * dimension keeps the duplicated packing to the smaller operand.
     */
    static final class ParallelGemm implements WorkerPool.Task {
        int parts;
        boolean transA, transB;
        int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        float alpha, beta;
        float[] a, b, c;

        void set(int parts, boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            this.parts = parts;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
        }

        void clear() {
            a = b = c = null;
        }

        @Override
        public void run(int part) {
            Workspace ws = WORKSPACE.get();
            if (m >= n) {
                int i0 = GemmBlocking.blockStart(m, parts, part, MR);
                int i1 = GemmBlocking.blockStart(m, parts, part + 1, MR);
                if (i1 > i0) {
                    int aStart = transA ? aOff + i0 : aOff + i0 * lda;
                    serial(transA, transB, i1 - i0, n, k, alpha, a, aStart, lda, b, bOff, ldb,
                            beta, c, cOff + i0 * ldc, ldc, ws);
                }
            } else {
                int j0 = GemmBlocking.blockStart(n, parts, part, NR);
                int j1 = GemmBlocking.blockStart(n, parts, part + 1, NR);
                if (j1 > j0) {
                    int bStart = transB ? bOff + j0 * ldb : bOff + j0;
                    serial(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda, b, bStart, ldb,
                            beta, c, cOff + j0, ldc, ws);
                }
            }
        }
    }

    /**
     * C = α·A·Bᵀ + βC for n < NR: B packed into one zero-padded NR-column panel per depth block, A
     * read in place (four row pointers; edge tiles repeat the last valid row and store only the valid
     * part). Same FMA chain per element as the packed path.
     */
    static void narrowNT(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc, Workspace ws) {
        int kBlocks = GemmBlocking.blockCount(k, BLOCKING.kc());
        for (int kb = 0; kb < kBlocks; kb++) {
            int pc = GemmBlocking.blockStart(k, kBlocks, kb, 1);
            int kc = GemmBlocking.blockStart(k, kBlocks, kb + 1, 1) - pc;
            float[] bp = ws.bPack(kc * NR);
            packB(true, b, bOff, ldb, pc, kc, 0, n, bp);
            for (int i0 = 0; i0 < m; i0 += MR) {
                int r0 = aOff + i0 * lda + pc;
                int r1 = aOff + Math.min(i0 + 1, m - 1) * lda + pc;
                int r2 = aOff + Math.min(i0 + 2, m - 1) * lda + pc;
                int r3 = aOff + Math.min(i0 + 3, m - 1) * lda + pc;
                microKernelRowsA(kc, a, r0, r1, r2, r3, bp, alpha, beta, kb == 0, c, cOff + i0 * ldc, ldc,
                        Math.min(MR, m - i0), n, ws.tile);
            }
        }
    }

    /** {@link #microKernel} with A's four rows read in place instead of from a packed panel. */
    static void microKernelRowsA(int kc, float[] a, int r0, int r1, int r2, int r3, float[] bp, float alpha, float beta,
                                 boolean first, float[] c, int cOff, int ldc, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pb = p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        updateC(tile, c, cOff, ldc, rows, cols, alpha, first ? beta : 1f, !first || beta != 0);
    }

    /** C = βC, without reading C when β = 0. */
    static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1) {
                int j = 0;
                for (int upper = S.loopBound(n); j < upper; j += L) {
                    FloatVector.fromArray(S, c, row + j).mul(beta).intoArray(c, row + j);
                }
                for (; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    static void serial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc, Workspace ws) {
        GemmBlocking blk = BLOCKING;
        int nBlocks = GemmBlocking.blockCount(n, blk.nc());
        int kBlocks = GemmBlocking.blockCount(k, blk.kc());
        int mBlocks = GemmBlocking.blockCount(m, blk.mc());
        for (int jb = 0; jb < nBlocks; jb++) {
            int jc = GemmBlocking.blockStart(n, nBlocks, jb, NR);
            int nc = GemmBlocking.blockStart(n, nBlocks, jb + 1, NR) - jc;
            for (int kb = 0; kb < kBlocks; kb++) {
                int pc = GemmBlocking.blockStart(k, kBlocks, kb, 1);
                int kc = GemmBlocking.blockStart(k, kBlocks, kb + 1, 1) - pc;
                float[] bp = ws.bPack(kc * roundUp(nc, NR));
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                for (int ib = 0; ib < mBlocks; ib++) {
                    int ic = GemmBlocking.blockStart(m, mBlocks, ib, MR);
                    int mc = GemmBlocking.blockStart(m, mBlocks, ib + 1, MR) - ic;
                    float[] ap = ws.aPack(kc * roundUp(mc, MR));
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    macroKernel(mc, nc, kc, ap, bp, alpha, beta, kb == 0, c, cOff + ic * ldc + jc, ldc, ws.tile);
                }
            }
        }
    }

    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-row panels: ap[panel·MR·kc + p·MR + r], zero-padded. */
    static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = ir * kc;
            int rows = Math.min(MR, mc - ir);
            if (transA) {
                // op(A)(i, p) = A[p][i]: MR consecutive elements of each stored row
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + ir;
                    int dst = base + p * MR;
                    for (int r = 0; r < rows; r++) {
                        ap[dst + r] = a[src + r];
                    }
                    for (int r = rows; r < MR; r++) {
                        ap[dst + r] = 0f;
                    }
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        int src = aOff + (ic + ir + r) * lda + pc;
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = a[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-column panels: bp[panel·NR·kc + p·NR + c], zero-padded. */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            int base = jr * kc;
            int cols = Math.min(NR, nc - jr);
            if (transB) {
                // op(B)(p, j) = B[j][p]: walk each stored row, scatter with stride NR
                for (int col = 0; col < NR; col++) {
                    if (col < cols) {
                        int src = bOff + (jc + jr + col) * ldb + pc;
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + col] = b[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + col] = 0f;
                        }
                    }
                }
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr;
                    int dst = base + p * NR;
                    FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr;
                    int dst = base + p * NR;
                    for (int col = 0; col < cols; col++) {
                        bp[dst + col] = b[src + col];
                    }
                    for (int col = cols; col < NR; col++) {
                        bp[dst + col] = 0f;
                    }
                }
            }
        }
    }

    /** All micro-tiles of one packed block: B micro-panel outer (it stays in L1), A panels inner. */
    static void macroKernel(int mc, int nc, int kc, float[] ap, float[] bp, float alpha, float beta, boolean first,
                            float[] c, int cOff, int ldc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                microKernel(kc, ap, ir * kc, bp, jr * kc, alpha, beta, first,
                        c, cOff + ir * ldc + jr, ldc, rows, cols, tile);
            }
        }
    }

    /**
     * The 4 × 2L register tile: per depth step two vector loads of B, four broadcasts of A and
     * eight FMAs. The first depth block applies β (β = 0: C is not read); later blocks add.
     */
    static void microKernel(int kc, float[] ap, int aIdx, float[] bp, int bIdx, float alpha, float beta,
                            boolean first, float[] c, int cOff, int ldc, int rows, int cols, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        // Indices are linear in p so that C2 can hoist the range checks out of the loop.
        for (int p = 0; p < kc; p++) {
            int pa = aIdx + p * MR;
            int pb = bIdx + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        // Spill to the tile and update C in a separate small method: a store path inlined here
        // (three α/β cases) pushes the kernel past C2's inlining limits, and the accumulators
        // then get boxed on every call.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        updateC(tile, c, cOff, ldc, rows, cols, alpha, first ? beta : 1f, !first || beta != 0);
    }

    /**
     * C = α·tile + β·C (C read only if {@code readC}); later depth blocks pass β = 1. Full tiles in
     * vectors, edge tiles element by element with the same operations in the same order.
     */
    static void updateC(float[] tile, float[] c, int cOff, int ldc, int rows, int cols, float alpha, float beta,
                        boolean readC) {
        if (rows == MR && cols == NR) {
            for (int r = 0; r < MR; r++) {
                for (int h = 0; h < NR; h += L) {
                    int ci = cOff + r * ldc + h;
                    FloatVector v = FloatVector.fromArray(S, tile, r * NR + h).mul(alpha);
                    if (readC) {
                        v = v.add(FloatVector.fromArray(S, c, ci).mul(beta));
                    }
                    v.intoArray(c, ci);
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                int ci = cOff + r * ldc + col;
                float v = tile[r * NR + col] * alpha;
                c[ci] = readC ? v + c[ci] * beta : v;
            }
        }
    }
}
