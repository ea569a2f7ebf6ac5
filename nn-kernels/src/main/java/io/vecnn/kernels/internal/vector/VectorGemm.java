package io.vecnn.kernels.internal.vector;

import io.vecnn.kernels.internal.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM in the style of BLIS: three loops of blocking and packing around one register-tiled
 * micro-kernel of {@code MR × NR} = MR rows × (2 vectors). Packing absorbs the transposes and pads
 * edge panels with zeros, so every element of C is computed by the same chain of fused
 * multiply-adds in the same order, whichever tile (full or edge) and whichever thread it falls
 * into: results do not depend on the thread count.
 *
 * <p>The tile is chosen by the vector register budget: each accumulator is one register, and the
 * FMA latency × FMA ports (4 × 2 on current x86 cores) independent accumulators are the least that
 * keeps both FMA pipes busy. With 512-bit vectors (AVX-512: 32 registers) the tile is 12 × 2
 * vectors: 24 accumulators, 2 B vectors and a broadcast; with 256-bit vectors (AVX2: 16 registers)
 * it is 4 × 2: 8 accumulators, as 12 make C2 spill one to the stack every iteration.
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of the register tile ({@code vecnn.gemm.mr} = 4 or 12 overrides the choice by vector width). */
    static final int MR = tileRows();
    static final int NV = 2;
    static final int NR = NV * L;
    /** The narrow path (A·Bᵀ with n ≤ NARROW_NV vectors, an output layer): rows × vectors of its tile. */
    static final int NARROW_NV = MR == 12 ? 1 : 2;
    static final int NARROW_MR = MR;
    /**
     * Which operand's micro-panel stays in L1 (as data, per tile): the 12-row tile keeps its A
     * micro-panel (12 × KC) there and streams 2-vector B micro-panels from a B block sized for L2
     * (BLIS's Zen 4 order, mirrored for row-major C); the 4-row tile keeps its B micro-panel
     * (KC × 2 vectors) and streams A from an A block sized for L2 (BLIS's Haswell order).
     */
    static final boolean A_PANEL_IN_L1 = Boolean.parseBoolean(System.getProperty("vecnn.gemm.apanel", Boolean.toString(MR == 12)));
    /**
     * Block sizes per cache level: measured on Zen 5 (L1d 48 KB, L2 1 MB; 12 × 2 tile: KC 512 so the
     * A micro-panel is 24 KB and a 512-column B block 1 MB; KC 256 and 384 ran 5–15 % slower) and
     * Zen 3 (L1d 32 KB, L2 512 KB; 4 × 2 tile: KC 256, MC 240, NC 4096). {@code vecnn.gemm.kc / .mc
     * / .nc} override them for other caches.
     */
    static final GemmBlocking BLOCKING = new GemmBlocking(MR, NR,
            Integer.getInteger("vecnn.gemm.kc", A_PANEL_IN_L1 ? 512 : 256),
            roundUp(Integer.getInteger("vecnn.gemm.mc", A_PANEL_IN_L1 ? 6144 : 240), MR),
            roundUp(Integer.getInteger("vecnn.gemm.nc", A_PANEL_IN_L1 ? 512 : 4096), NR),
            64L * 64 * 64 * 4);

    /** Depth of a packed block and the row stride of A packed row-major (a constant, see the kernels). */
    static final int KC = BLOCKING.kc();
    /** Lane selections of the transposes' stages: stage s pairs lanes d = 2^s apart. */
    static final IntVector[] TRANSPOSE_LO = transposeIndexes(true);
    static final IntVector[] TRANSPOSE_HI = transposeIndexes(false);

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
    private static final ThreadLocal<ParallelGemm> JOB = ThreadLocal.withInitial(ParallelGemm::new);

    private VectorGemm() {
    }

    private static IntVector[] transposeIndexes(boolean low) {
        int stages = Integer.numberOfTrailingZeros(L);
        IntVector[] out = new IntVector[stages];
        for (int st = 0; st < stages; st++) {
            int d = 1 << st;
            int[] idx = new int[L];
            for (int lane = 0; lane < L; lane++) {
                boolean first = (lane & d) == 0;
                // two-source indexes: 0..L-1 select from the first vector, L..2L-1 from the second
                idx[lane] = low ? (first ? lane : L + lane - d) : (first ? lane + d : L + lane);
            }
            out[st] = IntVector.fromArray(IntVector.SPECIES_PREFERRED, idx, 0);
        }
        return out;
    }

    private static int tileRows() {
        int mr = Integer.getInteger("vecnn.gemm.mr", S.vectorBitSize() >= 512 ? 12 : 4);
        if ((mr != 4 && mr != 12) || mr > S.length()) {
            throw new IllegalArgumentException("vecnn.gemm.mr must be 4 or 12 and at most the " + S.length()
                    + " floats of a vector, got " + mr);
        }
        return mr;
    }

    /** Per-thread packing buffers, grown on demand and then reused. */
    static final class Workspace {
        float[] aPack = new float[0];
        float[] bPack = new float[0];
        final float[] tile = new float[Math.max(MR * NR, NARROW_MR * NARROW_NV * L)];

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
        if (!transA && transB && n <= NARROW_NV * L && n < NR) {
            // A·Bᵀ with a narrow B (an output layer's forward pass): B is packed (it is small), A is
            // read in place, and a tile one B panel wide runs with the lanes past n zero. The shape
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
     * C = α·A·Bᵀ for narrow B: B packed into one zero-padded panel of NARROW_NV vectors per depth
     * block, A packed one tile of rows at a time (row-major vector copies, so the panel stays in L1)
     * and the narrow tile run over it. Same FMA chain per element as the packed path.
     */
    static void narrowNT(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc, Workspace ws) {
        int width = NARROW_NV * L;
        int kBlocks = GemmBlocking.blockCount(k, BLOCKING.kc());
        float[] tile = ws.tile;
        float[] ap = ws.aPack(MR * KC);
        for (int kb = 0; kb < kBlocks; kb++) {
            int pc = GemmBlocking.blockStart(k, kBlocks, kb, 1);
            int kc = GemmBlocking.blockStart(k, kBlocks, kb + 1, 1) - pc;
            float[] bp = ws.bPack(kc * width);
            packBTransposed(b, bOff, ldb, pc, kc, 0, n, width, bp, 0);
            float beta1 = kb == 0 ? beta : 1f;
            boolean readC = kb != 0 || beta != 0;
            for (int i0 = 0; i0 < m; i0 += NARROW_MR) {
                int rows = Math.min(NARROW_MR, m - i0);
                packRows(a, aOff + i0 * lda + pc, lda, rows, NARROW_MR, kc, ap);
                if (alpha == 1f && !readC && n == width) {
                    narrowKernel(kc, ap, bp, width, c, cOff + i0 * ldc, ldc, rows);
                } else {
                    narrowKernel(kc, ap, bp, width, tile, 0, width, NARROW_MR);
                    updateC(tile, width, c, cOff + i0 * ldc, ldc, rows, n, alpha, beta1, readC);
                }
            }
        }
    }

    private static void narrowKernel(int kc, float[] ap, float[] bp, int width, float[] dst, int dOff, int dLd, int rows) {
        if (NARROW_MR == 12) {
            kernel12x1R(kc, ap, 0, bp, 0, width, dst, dOff, dLd, rows);
        } else {
            kernel4x2R(kc, ap, 0, bp, 0, width, dst, dOff, dLd, rows);
        }
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
        if (!transB && m <= 2 * MR) {
            fewRows(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
            return;
        }
        GemmBlocking blk = BLOCKING;
        int nBlocks = GemmBlocking.blockCount(n, blk.nc());
        int kBlocks = GemmBlocking.blockCount(k, blk.kc());
        int mBlocks = GemmBlocking.blockCount(m, blk.mc());
        if (A_PANEL_IN_L1) {
            // A block (mc × kc) packed once per depth block and kept in L3; B blocks (kc × nc) sized
            // for L2; the macro-kernel keeps one A micro-panel in L1 and streams B micro-panels.
            for (int ib = 0; ib < mBlocks; ib++) {
                int ic = GemmBlocking.blockStart(m, mBlocks, ib, MR);
                int mc = GemmBlocking.blockStart(m, mBlocks, ib + 1, MR) - ic;
                for (int kb = 0; kb < kBlocks; kb++) {
                    int pc = GemmBlocking.blockStart(k, kBlocks, kb, 1);
                    int kc = GemmBlocking.blockStart(k, kBlocks, kb + 1, 1) - pc;
                    float[] ap = ws.aPack(roundUp(mc, MR) * KC);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    for (int jb = 0; jb < nBlocks; jb++) {
                        int jc = GemmBlocking.blockStart(n, nBlocks, jb, NR);
                        int nc = GemmBlocking.blockStart(n, nBlocks, jb + 1, NR) - jc;
                        float[] bp = ws.bPack(kc * roundUp(nc, NR));
                        packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                        macroKernel(transA, mc, nc, kc, ap, bp, alpha, kb == 0 ? beta : 1f, kb != 0 || beta != 0,
                                c, cOff + ic * ldc + jc, ldc, ws.tile);
                    }
                }
            }
            return;
        }
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
                    float[] ap = ws.aPack(roundUp(mc, MR) * KC);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    macroKernel(transA, mc, nc, kc, ap, bp, alpha, kb == 0 ? beta : 1f, kb != 0 || beta != 0,
                            c, cOff + ic * ldc + jc, ldc, ws.tile);
                }
            }
        }
    }

    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-row panels of MR·KC floats, zero-padded, in the layout
     * the copy is cheapest from: op(A) = Aᵀ depth-major, ap[panel + p·MR + r] (MR consecutive floats
     * of a stored row per depth step); op(A) = A row-major, ap[panel + r·KC + p] (a vector copy of
     * each row). The kernel reads either ({@link #microKernel}).
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = ir * KC;
            int rows = Math.min(MR, mc - ir);
            if (transA) {
                // one masked vector per depth step (MR ≤ L): lanes past `rows` load as zero and store
                // the padding; an element loop here was a tenth of 128×256×128 TN
                VectorMask<Float> load = S.indexInRange(0, rows);
                VectorMask<Float> store = S.indexInRange(0, MR);
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(S, a, aOff + (pc + p) * lda + ic + ir, load).intoArray(ap, base + p * MR, store);
                }
            } else {
                packRows(a, aOff + (ic + ir) * lda + pc, lda, rows, MR, kc, ap, base);
            }
        }
    }

    /** {@code rows} rows of kc floats from a[from + r·lda] into ap[r·KC], zero rows up to {@code mr}. */
    private static void packRows(float[] a, int from, int lda, int rows, int mr, int kc, float[] ap) {
        packRows(a, from, lda, rows, mr, kc, ap, 0);
    }

    private static void packRows(float[] a, int from, int lda, int rows, int mr, int kc, float[] ap, int base) {
        for (int r = 0; r < mr; r++) {
            int dst = base + r * KC;
            if (r < rows) {
                copy(a, from + r * lda, ap, dst, kc);
            } else {
                java.util.Arrays.fill(ap, dst, dst + kc, 0f);
            }
        }
    }

    /** dst[d .. d+n) = src[s .. s+n) in vectors, the tail in one masked vector (rows of 10 took 14 % of 128×128×10). */
    private static void copy(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, src, s + i, m).intoArray(dst, d + i, m);
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-column panels: bp[panel·NR·kc + p·NR + c], zero-padded. */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            int base = jr * kc;
            int cols = Math.min(NR, nc - jr);
            if (transB) {
                packBTransposed(b, bOff, ldb, pc, kc, jc + jr, cols, NR, bp, base);
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr;
                    int dst = base + p * NR;
                    for (int v = 0; v < NR; v += L) {
                        FloatVector.fromArray(S, b, src + v).intoArray(bp, dst + v);
                    }
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

    /**
     * One panel of op(B) = Bᵀ, {@code width} columns wide ({@code cols} of them valid):
     * bp[base + p·width + col] = B[j0 + col][pc + p]. Whole L-deep blocks go through in-register
     * L × L transposes (4× the speed of the element loop on AVX-512, measured), the depth remainder
     * element by element. Lanes past {@code cols} hold copies of the last valid column or earlier
     * contents of the buffer (transposed part) or zeros (remainder): lanes are independent, no store
     * to C reads them, and every valid lane's FMA chain is the same whatever they hold.
     */
    static void packBTransposed(float[] b, int bOff, int ldb, int pc, int kc, int j0, int cols, int width,
                                float[] bp, int base) {
        int fullP = 0;
        if (L == 16 || L == 8) {
            fullP = kc / L * L;
            for (int p0 = 0; p0 < fullP; p0 += L) {
                for (int c0 = 0; c0 < cols; c0 += L) {
                    int src = bOff + (j0 + c0) * ldb + pc + p0;
                    int dst = base + p0 * width + c0;
                    int rows = Math.min(L, cols - c0);
                    if (L == 16) {
                        transpose16(b, src, ldb, rows, bp, dst, width);
                    } else {
                        transpose8(b, src, ldb, rows, bp, dst, width);
                    }
                }
            }
        }
        for (int col = 0; col < width; col++) {
            if (col < cols) {
                int src = bOff + (j0 + col) * ldb + pc;
                for (int p = fullP; p < kc; p++) {
                    bp[base + p * width + col] = b[src + p];
                }
            } else {
                for (int p = fullP; p < kc; p++) {
                    bp[base + p * width + col] = 0f;
                }
            }
        }
    }

    /**
     * All micro-tiles of one packed block: B micro-panel outer (it stays in L1), A panels inner.
     * β and whether C is read are those of this depth block (later blocks add: β = 1).
     */
    static void macroKernel(boolean transA, int mc, int nc, int kc, float[] ap, float[] bp, float alpha, float beta,
                            boolean readC, float[] c, int cOff, int ldc, float[] tile) {
        if (A_PANEL_IN_L1) {
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                for (int jr = 0; jr < nc; jr += NR) {
                    tile(transA, kc, ap, ir, bp, jr * kc, NR, alpha, beta, readC, c, cOff + ir * ldc + jr, ldc, rows,
                            Math.min(NR, nc - jr), tile);
                }
            }
            return;
        }
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                tile(transA, kc, ap, ir, bp, jr * kc, NR, alpha, beta, readC, c, cOff + ir * ldc + jr, ldc,
                        Math.min(MR, mc - ir), cols, tile);
            }
        }
    }

    /**
     * One micro-tile at C[ci]: the kernel over the depth block, its accumulators stored straight into
     * the first {@code rows} rows of C when C = acc (α = 1, C not read, all NR columns in C: bit for
     * bit what the update would compute), else into the tile and applied by {@link #updateC}.
     */
    private static void tile(boolean transA, int kc, float[] ap, int ir, float[] bp, int bIdx, int bLd, float alpha,
                             float beta, boolean readC, float[] c, int ci, int ldc, int rows, int cols, float[] tile) {
        if (alpha == 1f && !readC && cols == NR) {
            microKernel(transA, kc, ap, ir * KC, bp, bIdx, bLd, c, ci, ldc, rows);
        } else {
            microKernel(transA, kc, ap, ir * KC, bp, bIdx, bLd, tile, 0, NR, MR);
            updateC(tile, NR, c, ci, ldc, rows, cols, alpha, beta, readC);
        }
    }

    /**
     * op(B) = B with at most two row tiles of C: B is used by one or two tiles only, so packing it
     * would cost as much as reading it (measured: packing was a fifth of a 10×128×128 product);
     * the kernel reads B's rows in place (bLd = ldb), except an edge panel, packed so that no lane
     * reads past B. A is packed as usual.
     */
    static void fewRows(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                        float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, Workspace ws) {
        int kBlocks = GemmBlocking.blockCount(k, BLOCKING.kc());
        for (int kb = 0; kb < kBlocks; kb++) {
            int pc = GemmBlocking.blockStart(k, kBlocks, kb, 1);
            int kc = GemmBlocking.blockStart(k, kBlocks, kb + 1, 1) - pc;
            float[] ap = ws.aPack(roundUp(m, MR) * KC);
            packA(transA, a, aOff, lda, 0, m, pc, kc, ap);
            float betaK = kb == 0 ? beta : 1f;
            boolean readC = kb != 0 || beta != 0;
            for (int jr = 0; jr < n; jr += NR) {
                int cols = Math.min(NR, n - jr);
                float[] bp = b;
                int bIdx = bOff + pc * ldb + jr;
                int bLd = ldb;
                if (cols < NR) {
                    bp = ws.bPack(kc * NR);
                    packB(false, b, bOff, ldb, pc, kc, jr, cols, bp);
                    bIdx = 0;
                    bLd = NR;
                }
                for (int ir = 0; ir < m; ir += MR) {
                    tile(transA, kc, ap, ir, bp, bIdx, bLd, alpha, betaK, readC, c, cOff + ir * ldc + jr, ldc,
                            Math.min(MR, m - ir), cols, ws.tile);
                }
            }
        }
    }

    /**
     * The register tile over one depth block, spilled to {@code tile} (row r at r·NR). Spilling and
     * updating C in a separate small method keeps the kernel within C2's inlining limits: a store
     * path inlined here (three α/β cases) gets the accumulators boxed on every call.
     */
    static void microKernel(boolean transA, int kc, float[] ap, int aIdx, float[] bp, int bIdx, int bLd,
                            float[] dst, int dOff, int dLd, int rows) {
        if (MR == 12) {
            if (transA) {
                kernel12x2P(kc, ap, aIdx, bp, bIdx, bLd, dst, dOff, dLd, rows);
            } else {
                kernel12x2R(kc, ap, aIdx, bp, bIdx, bLd, dst, dOff, dLd, rows);
            }
        } else if (transA) {
            kernel4x2P(kc, ap, aIdx, bp, bIdx, bLd, dst, dOff, dLd, rows);
        } else {
            kernel4x2R(kc, ap, aIdx, bp, bIdx, bLd, dst, dOff, dLd, rows);
        }
    }

    // ---- GENERATED by nn-kernels/scripts/gen_gemm_kernels.py: edit the script, not this section ----

    static void kernel12x2P(int kc, float[] ap, int aIdx, float[] bp, int bIdx, int bLd,
            float[] dst, int dOff, int dLd, int rows) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S); FloatVector c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S); FloatVector c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S); FloatVector c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S); FloatVector c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S); FloatVector c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S); FloatVector c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S); FloatVector c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S); FloatVector c11_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aIdx + p * 12;
            int pb = bIdx + p * bLd;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, ap[pa + 8]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, ap[pa + 9]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, ap[pa + 10]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, ap[pa + 11]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
        }
        int d0 = dOff;
        c0_0.intoArray(dst, d0); c0_1.intoArray(dst, d0 + 1 * L);
        if (rows > 1) {
            int d1 = dOff + dLd;
            c1_0.intoArray(dst, d1); c1_1.intoArray(dst, d1 + 1 * L);
        }
        if (rows > 2) {
            int d2 = dOff + 2 * dLd;
            c2_0.intoArray(dst, d2); c2_1.intoArray(dst, d2 + 1 * L);
        }
        if (rows > 3) {
            int d3 = dOff + 3 * dLd;
            c3_0.intoArray(dst, d3); c3_1.intoArray(dst, d3 + 1 * L);
        }
        if (rows > 4) {
            int d4 = dOff + 4 * dLd;
            c4_0.intoArray(dst, d4); c4_1.intoArray(dst, d4 + 1 * L);
        }
        if (rows > 5) {
            int d5 = dOff + 5 * dLd;
            c5_0.intoArray(dst, d5); c5_1.intoArray(dst, d5 + 1 * L);
        }
        if (rows > 6) {
            int d6 = dOff + 6 * dLd;
            c6_0.intoArray(dst, d6); c6_1.intoArray(dst, d6 + 1 * L);
        }
        if (rows > 7) {
            int d7 = dOff + 7 * dLd;
            c7_0.intoArray(dst, d7); c7_1.intoArray(dst, d7 + 1 * L);
        }
        if (rows > 8) {
            int d8 = dOff + 8 * dLd;
            c8_0.intoArray(dst, d8); c8_1.intoArray(dst, d8 + 1 * L);
        }
        if (rows > 9) {
            int d9 = dOff + 9 * dLd;
            c9_0.intoArray(dst, d9); c9_1.intoArray(dst, d9 + 1 * L);
        }
        if (rows > 10) {
            int d10 = dOff + 10 * dLd;
            c10_0.intoArray(dst, d10); c10_1.intoArray(dst, d10 + 1 * L);
        }
        if (rows > 11) {
            int d11 = dOff + 11 * dLd;
            c11_0.intoArray(dst, d11); c11_1.intoArray(dst, d11 + 1 * L);
        }
    }

    static void kernel12x2R(int kc, float[] ap, int aIdx, float[] bp, int bIdx, int bLd,
            float[] dst, int dOff, int dLd, int rows) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S); FloatVector c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S); FloatVector c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S); FloatVector c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S); FloatVector c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S); FloatVector c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S); FloatVector c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S); FloatVector c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S); FloatVector c11_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aIdx + p;
            int pb = bIdx + p * bLd;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1 * KC]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2 * KC]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3 * KC]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4 * KC]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5 * KC]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6 * KC]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7 * KC]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, ap[pa + 8 * KC]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, ap[pa + 9 * KC]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, ap[pa + 10 * KC]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, ap[pa + 11 * KC]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
        }
        int d0 = dOff;
        c0_0.intoArray(dst, d0); c0_1.intoArray(dst, d0 + 1 * L);
        if (rows > 1) {
            int d1 = dOff + dLd;
            c1_0.intoArray(dst, d1); c1_1.intoArray(dst, d1 + 1 * L);
        }
        if (rows > 2) {
            int d2 = dOff + 2 * dLd;
            c2_0.intoArray(dst, d2); c2_1.intoArray(dst, d2 + 1 * L);
        }
        if (rows > 3) {
            int d3 = dOff + 3 * dLd;
            c3_0.intoArray(dst, d3); c3_1.intoArray(dst, d3 + 1 * L);
        }
        if (rows > 4) {
            int d4 = dOff + 4 * dLd;
            c4_0.intoArray(dst, d4); c4_1.intoArray(dst, d4 + 1 * L);
        }
        if (rows > 5) {
            int d5 = dOff + 5 * dLd;
            c5_0.intoArray(dst, d5); c5_1.intoArray(dst, d5 + 1 * L);
        }
        if (rows > 6) {
            int d6 = dOff + 6 * dLd;
            c6_0.intoArray(dst, d6); c6_1.intoArray(dst, d6 + 1 * L);
        }
        if (rows > 7) {
            int d7 = dOff + 7 * dLd;
            c7_0.intoArray(dst, d7); c7_1.intoArray(dst, d7 + 1 * L);
        }
        if (rows > 8) {
            int d8 = dOff + 8 * dLd;
            c8_0.intoArray(dst, d8); c8_1.intoArray(dst, d8 + 1 * L);
        }
        if (rows > 9) {
            int d9 = dOff + 9 * dLd;
            c9_0.intoArray(dst, d9); c9_1.intoArray(dst, d9 + 1 * L);
        }
        if (rows > 10) {
            int d10 = dOff + 10 * dLd;
            c10_0.intoArray(dst, d10); c10_1.intoArray(dst, d10 + 1 * L);
        }
        if (rows > 11) {
            int d11 = dOff + 11 * dLd;
            c11_0.intoArray(dst, d11); c11_1.intoArray(dst, d11 + 1 * L);
        }
    }

    static void kernel4x2P(int kc, float[] ap, int aIdx, float[] bp, int bIdx, int bLd,
            float[] dst, int dOff, int dLd, int rows) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aIdx + p * 4;
            int pb = bIdx + p * bLd;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
        }
        int d0 = dOff;
        c0_0.intoArray(dst, d0); c0_1.intoArray(dst, d0 + 1 * L);
        if (rows > 1) {
            int d1 = dOff + dLd;
            c1_0.intoArray(dst, d1); c1_1.intoArray(dst, d1 + 1 * L);
        }
        if (rows > 2) {
            int d2 = dOff + 2 * dLd;
            c2_0.intoArray(dst, d2); c2_1.intoArray(dst, d2 + 1 * L);
        }
        if (rows > 3) {
            int d3 = dOff + 3 * dLd;
            c3_0.intoArray(dst, d3); c3_1.intoArray(dst, d3 + 1 * L);
        }
    }

    static void kernel4x2R(int kc, float[] ap, int aIdx, float[] bp, int bIdx, int bLd,
            float[] dst, int dOff, int dLd, int rows) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aIdx + p;
            int pb = bIdx + p * bLd;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1 * KC]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2 * KC]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3 * KC]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
        }
        int d0 = dOff;
        c0_0.intoArray(dst, d0); c0_1.intoArray(dst, d0 + 1 * L);
        if (rows > 1) {
            int d1 = dOff + dLd;
            c1_0.intoArray(dst, d1); c1_1.intoArray(dst, d1 + 1 * L);
        }
        if (rows > 2) {
            int d2 = dOff + 2 * dLd;
            c2_0.intoArray(dst, d2); c2_1.intoArray(dst, d2 + 1 * L);
        }
        if (rows > 3) {
            int d3 = dOff + 3 * dLd;
            c3_0.intoArray(dst, d3); c3_1.intoArray(dst, d3 + 1 * L);
        }
    }

    static void kernel12x1R(int kc, float[] ap, int aIdx, float[] bp, int bIdx, int bLd,
            float[] dst, int dOff, int dLd, int rows) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aIdx + p;
            int pb = bIdx + p * bLd;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c0_0 = a0.fma(b0, c0_0);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1 * KC]);
            c1_0 = a1.fma(b0, c1_0);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2 * KC]);
            c2_0 = a2.fma(b0, c2_0);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3 * KC]);
            c3_0 = a3.fma(b0, c3_0);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4 * KC]);
            c4_0 = a4.fma(b0, c4_0);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5 * KC]);
            c5_0 = a5.fma(b0, c5_0);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6 * KC]);
            c6_0 = a6.fma(b0, c6_0);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7 * KC]);
            c7_0 = a7.fma(b0, c7_0);
            FloatVector a8 = FloatVector.broadcast(S, ap[pa + 8 * KC]);
            c8_0 = a8.fma(b0, c8_0);
            FloatVector a9 = FloatVector.broadcast(S, ap[pa + 9 * KC]);
            c9_0 = a9.fma(b0, c9_0);
            FloatVector a10 = FloatVector.broadcast(S, ap[pa + 10 * KC]);
            c10_0 = a10.fma(b0, c10_0);
            FloatVector a11 = FloatVector.broadcast(S, ap[pa + 11 * KC]);
            c11_0 = a11.fma(b0, c11_0);
        }
        int d0 = dOff;
        c0_0.intoArray(dst, d0);
        if (rows > 1) {
            int d1 = dOff + dLd;
            c1_0.intoArray(dst, d1);
        }
        if (rows > 2) {
            int d2 = dOff + 2 * dLd;
            c2_0.intoArray(dst, d2);
        }
        if (rows > 3) {
            int d3 = dOff + 3 * dLd;
            c3_0.intoArray(dst, d3);
        }
        if (rows > 4) {
            int d4 = dOff + 4 * dLd;
            c4_0.intoArray(dst, d4);
        }
        if (rows > 5) {
            int d5 = dOff + 5 * dLd;
            c5_0.intoArray(dst, d5);
        }
        if (rows > 6) {
            int d6 = dOff + 6 * dLd;
            c6_0.intoArray(dst, d6);
        }
        if (rows > 7) {
            int d7 = dOff + 7 * dLd;
            c7_0.intoArray(dst, d7);
        }
        if (rows > 8) {
            int d8 = dOff + 8 * dLd;
            c8_0.intoArray(dst, d8);
        }
        if (rows > 9) {
            int d9 = dOff + 9 * dLd;
            c9_0.intoArray(dst, d9);
        }
        if (rows > 10) {
            int d10 = dOff + 10 * dLd;
            c10_0.intoArray(dst, d10);
        }
        if (rows > 11) {
            int d11 = dOff + 11 * dLd;
            c11_0.intoArray(dst, d11);
        }
    }

    /**
     * Transposes the 16 x 16 block b[src + i*ldb + q] into bp[dst + q*ldd + i] (16 == L). Rows i at or
     * past {@code rows} repeat row rows - 1 (they fill lanes past the panel's valid columns,
     * which no store to C reads).
     */
    static void transpose16(float[] b, int src, int ldb, int rows, float[] bp, int dst, int ldd) {
        int last = rows - 1;
        IntVector r0 = FloatVector.fromArray(S, b, src).reinterpretAsInts();
        IntVector r1 = FloatVector.fromArray(S, b, src + Math.min(1, last) * ldb).reinterpretAsInts();
        IntVector r2 = FloatVector.fromArray(S, b, src + Math.min(2, last) * ldb).reinterpretAsInts();
        IntVector r3 = FloatVector.fromArray(S, b, src + Math.min(3, last) * ldb).reinterpretAsInts();
        IntVector r4 = FloatVector.fromArray(S, b, src + Math.min(4, last) * ldb).reinterpretAsInts();
        IntVector r5 = FloatVector.fromArray(S, b, src + Math.min(5, last) * ldb).reinterpretAsInts();
        IntVector r6 = FloatVector.fromArray(S, b, src + Math.min(6, last) * ldb).reinterpretAsInts();
        IntVector r7 = FloatVector.fromArray(S, b, src + Math.min(7, last) * ldb).reinterpretAsInts();
        IntVector r8 = FloatVector.fromArray(S, b, src + Math.min(8, last) * ldb).reinterpretAsInts();
        IntVector r9 = FloatVector.fromArray(S, b, src + Math.min(9, last) * ldb).reinterpretAsInts();
        IntVector r10 = FloatVector.fromArray(S, b, src + Math.min(10, last) * ldb).reinterpretAsInts();
        IntVector r11 = FloatVector.fromArray(S, b, src + Math.min(11, last) * ldb).reinterpretAsInts();
        IntVector r12 = FloatVector.fromArray(S, b, src + Math.min(12, last) * ldb).reinterpretAsInts();
        IntVector r13 = FloatVector.fromArray(S, b, src + Math.min(13, last) * ldb).reinterpretAsInts();
        IntVector r14 = FloatVector.fromArray(S, b, src + Math.min(14, last) * ldb).reinterpretAsInts();
        IntVector r15 = FloatVector.fromArray(S, b, src + Math.min(15, last) * ldb).reinterpretAsInts();
        IntVector lo0 = TRANSPOSE_LO[0], hi0 = TRANSPOSE_HI[0];
        IntVector t0 = lo0.selectFrom(r0, r1);
        IntVector t1 = hi0.selectFrom(r0, r1);
        IntVector t2 = lo0.selectFrom(r2, r3);
        IntVector t3 = hi0.selectFrom(r2, r3);
        IntVector t4 = lo0.selectFrom(r4, r5);
        IntVector t5 = hi0.selectFrom(r4, r5);
        IntVector t6 = lo0.selectFrom(r6, r7);
        IntVector t7 = hi0.selectFrom(r6, r7);
        IntVector t8 = lo0.selectFrom(r8, r9);
        IntVector t9 = hi0.selectFrom(r8, r9);
        IntVector t10 = lo0.selectFrom(r10, r11);
        IntVector t11 = hi0.selectFrom(r10, r11);
        IntVector t12 = lo0.selectFrom(r12, r13);
        IntVector t13 = hi0.selectFrom(r12, r13);
        IntVector t14 = lo0.selectFrom(r14, r15);
        IntVector t15 = hi0.selectFrom(r14, r15);
        IntVector lo1 = TRANSPOSE_LO[1], hi1 = TRANSPOSE_HI[1];
        r0 = lo1.selectFrom(t0, t2);
        r2 = hi1.selectFrom(t0, t2);
        r1 = lo1.selectFrom(t1, t3);
        r3 = hi1.selectFrom(t1, t3);
        r4 = lo1.selectFrom(t4, t6);
        r6 = hi1.selectFrom(t4, t6);
        r5 = lo1.selectFrom(t5, t7);
        r7 = hi1.selectFrom(t5, t7);
        r8 = lo1.selectFrom(t8, t10);
        r10 = hi1.selectFrom(t8, t10);
        r9 = lo1.selectFrom(t9, t11);
        r11 = hi1.selectFrom(t9, t11);
        r12 = lo1.selectFrom(t12, t14);
        r14 = hi1.selectFrom(t12, t14);
        r13 = lo1.selectFrom(t13, t15);
        r15 = hi1.selectFrom(t13, t15);
        IntVector lo2 = TRANSPOSE_LO[2], hi2 = TRANSPOSE_HI[2];
        t0 = lo2.selectFrom(r0, r4);
        t4 = hi2.selectFrom(r0, r4);
        t1 = lo2.selectFrom(r1, r5);
        t5 = hi2.selectFrom(r1, r5);
        t2 = lo2.selectFrom(r2, r6);
        t6 = hi2.selectFrom(r2, r6);
        t3 = lo2.selectFrom(r3, r7);
        t7 = hi2.selectFrom(r3, r7);
        t8 = lo2.selectFrom(r8, r12);
        t12 = hi2.selectFrom(r8, r12);
        t9 = lo2.selectFrom(r9, r13);
        t13 = hi2.selectFrom(r9, r13);
        t10 = lo2.selectFrom(r10, r14);
        t14 = hi2.selectFrom(r10, r14);
        t11 = lo2.selectFrom(r11, r15);
        t15 = hi2.selectFrom(r11, r15);
        IntVector lo3 = TRANSPOSE_LO[3], hi3 = TRANSPOSE_HI[3];
        r0 = lo3.selectFrom(t0, t8);
        r8 = hi3.selectFrom(t0, t8);
        r1 = lo3.selectFrom(t1, t9);
        r9 = hi3.selectFrom(t1, t9);
        r2 = lo3.selectFrom(t2, t10);
        r10 = hi3.selectFrom(t2, t10);
        r3 = lo3.selectFrom(t3, t11);
        r11 = hi3.selectFrom(t3, t11);
        r4 = lo3.selectFrom(t4, t12);
        r12 = hi3.selectFrom(t4, t12);
        r5 = lo3.selectFrom(t5, t13);
        r13 = hi3.selectFrom(t5, t13);
        r6 = lo3.selectFrom(t6, t14);
        r14 = hi3.selectFrom(t6, t14);
        r7 = lo3.selectFrom(t7, t15);
        r15 = hi3.selectFrom(t7, t15);
        r0.reinterpretAsFloats().intoArray(bp, dst);
        r1.reinterpretAsFloats().intoArray(bp, dst + 1 * ldd);
        r2.reinterpretAsFloats().intoArray(bp, dst + 2 * ldd);
        r3.reinterpretAsFloats().intoArray(bp, dst + 3 * ldd);
        r4.reinterpretAsFloats().intoArray(bp, dst + 4 * ldd);
        r5.reinterpretAsFloats().intoArray(bp, dst + 5 * ldd);
        r6.reinterpretAsFloats().intoArray(bp, dst + 6 * ldd);
        r7.reinterpretAsFloats().intoArray(bp, dst + 7 * ldd);
        r8.reinterpretAsFloats().intoArray(bp, dst + 8 * ldd);
        r9.reinterpretAsFloats().intoArray(bp, dst + 9 * ldd);
        r10.reinterpretAsFloats().intoArray(bp, dst + 10 * ldd);
        r11.reinterpretAsFloats().intoArray(bp, dst + 11 * ldd);
        r12.reinterpretAsFloats().intoArray(bp, dst + 12 * ldd);
        r13.reinterpretAsFloats().intoArray(bp, dst + 13 * ldd);
        r14.reinterpretAsFloats().intoArray(bp, dst + 14 * ldd);
        r15.reinterpretAsFloats().intoArray(bp, dst + 15 * ldd);
    }

    /**
     * Transposes the 8 x 8 block b[src + i*ldb + q] into bp[dst + q*ldd + i] (8 == L). Rows i at or
     * past {@code rows} repeat row rows - 1 (they fill lanes past the panel's valid columns,
     * which no store to C reads).
     */
    static void transpose8(float[] b, int src, int ldb, int rows, float[] bp, int dst, int ldd) {
        int last = rows - 1;
        IntVector r0 = FloatVector.fromArray(S, b, src).reinterpretAsInts();
        IntVector r1 = FloatVector.fromArray(S, b, src + Math.min(1, last) * ldb).reinterpretAsInts();
        IntVector r2 = FloatVector.fromArray(S, b, src + Math.min(2, last) * ldb).reinterpretAsInts();
        IntVector r3 = FloatVector.fromArray(S, b, src + Math.min(3, last) * ldb).reinterpretAsInts();
        IntVector r4 = FloatVector.fromArray(S, b, src + Math.min(4, last) * ldb).reinterpretAsInts();
        IntVector r5 = FloatVector.fromArray(S, b, src + Math.min(5, last) * ldb).reinterpretAsInts();
        IntVector r6 = FloatVector.fromArray(S, b, src + Math.min(6, last) * ldb).reinterpretAsInts();
        IntVector r7 = FloatVector.fromArray(S, b, src + Math.min(7, last) * ldb).reinterpretAsInts();
        IntVector lo0 = TRANSPOSE_LO[0], hi0 = TRANSPOSE_HI[0];
        IntVector t0 = lo0.selectFrom(r0, r1);
        IntVector t1 = hi0.selectFrom(r0, r1);
        IntVector t2 = lo0.selectFrom(r2, r3);
        IntVector t3 = hi0.selectFrom(r2, r3);
        IntVector t4 = lo0.selectFrom(r4, r5);
        IntVector t5 = hi0.selectFrom(r4, r5);
        IntVector t6 = lo0.selectFrom(r6, r7);
        IntVector t7 = hi0.selectFrom(r6, r7);
        IntVector lo1 = TRANSPOSE_LO[1], hi1 = TRANSPOSE_HI[1];
        r0 = lo1.selectFrom(t0, t2);
        r2 = hi1.selectFrom(t0, t2);
        r1 = lo1.selectFrom(t1, t3);
        r3 = hi1.selectFrom(t1, t3);
        r4 = lo1.selectFrom(t4, t6);
        r6 = hi1.selectFrom(t4, t6);
        r5 = lo1.selectFrom(t5, t7);
        r7 = hi1.selectFrom(t5, t7);
        IntVector lo2 = TRANSPOSE_LO[2], hi2 = TRANSPOSE_HI[2];
        t0 = lo2.selectFrom(r0, r4);
        t4 = hi2.selectFrom(r0, r4);
        t1 = lo2.selectFrom(r1, r5);
        t5 = hi2.selectFrom(r1, r5);
        t2 = lo2.selectFrom(r2, r6);
        t6 = hi2.selectFrom(r2, r6);
        t3 = lo2.selectFrom(r3, r7);
        t7 = hi2.selectFrom(r3, r7);
        t0.reinterpretAsFloats().intoArray(bp, dst);
        t1.reinterpretAsFloats().intoArray(bp, dst + 1 * ldd);
        t2.reinterpretAsFloats().intoArray(bp, dst + 2 * ldd);
        t3.reinterpretAsFloats().intoArray(bp, dst + 3 * ldd);
        t4.reinterpretAsFloats().intoArray(bp, dst + 4 * ldd);
        t5.reinterpretAsFloats().intoArray(bp, dst + 5 * ldd);
        t6.reinterpretAsFloats().intoArray(bp, dst + 6 * ldd);
        t7.reinterpretAsFloats().intoArray(bp, dst + 7 * ldd);
    }

    // ---- END GENERATED ----

    /**
     * C = α·tile + β·C (C read only if {@code readC}); {@code tileLd} is the tile's row stride (a
     * multiple of L). Row by row in vectors, the last vector of a row masked when {@code cols} ends
     * inside it: lane by lane the same operations as a scalar loop, so edge tiles cost little more
     * than full ones (an element loop made the 8-row edge tiles of a 128-row C cost 4× their kernel
     * at k = 10).
     */
    static void updateC(float[] tile, int tileLd, float[] c, int cOff, int ldc, int rows, int cols, float alpha,
                        float beta, boolean readC) {
        for (int r = 0; r < rows; r++) {
            int row = cOff + r * ldc;
            int t = r * tileLd;
            int h = 0;
            for (; h + L <= cols; h += L) {
                FloatVector v = FloatVector.fromArray(S, tile, t + h).mul(alpha);
                if (readC) {
                    v = v.add(FloatVector.fromArray(S, c, row + h).mul(beta));
                }
                v.intoArray(c, row + h);
            }
            if (h < cols) {
                VectorMask<Float> m = S.indexInRange(h, cols);
                FloatVector v = FloatVector.fromArray(S, tile, t + h).mul(alpha);
                if (readC) {
                    v = v.add(FloatVector.fromArray(S, c, row + h, m).mul(beta));
                }
                v.intoArray(c, row + h, m);
            }
        }
    }
}
