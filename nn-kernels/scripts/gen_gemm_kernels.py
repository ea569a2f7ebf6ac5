#!/usr/bin/env python3
"""Generates the register-tile code of VectorGemm from one template and rewrites the section of
VectorGemm.java between the GENERATED markers. Run from the repository root after changing a tile:

    python3 nn-kernels/scripts/gen_gemm_kernels.py

Micro-kernels (MR rows of A broadcast x NV vectors of B, one FMA per accumulator per depth step,
written acc = a.fma(b, acc) so that C2 emits vfmadd231ps with the accumulator in place). B is read
at bp[bIdx + p*bLd + v*L]: a packed micro-panel (bLd = NR) or B's own rows (bLd = ldb). The
accumulators are stored to dst (row stride dLd): C itself when C = acc (alpha = 1, C not read, a
full tile), else a tile that VectorGemm.updateC applies to C. With the whole C update inside, the
12-row kernel's bytecode grows from ~1 KB to 2.7 KB, C1 gives up on it ("out of virtual registers")
and C2 may not compile it for seconds, so it runs boxed at ~1 GFLOPS meanwhile, measured):
  layout P: packed A, depth-major    ap[aIdx + p*MR + r]   (op(A) = A^T packs this way by copies)
  layout R: packed A, row-major      ap[aIdx + r*KC + p]   (op(A) = A packs this way by copies;
            KC is a constant, so each row is one displacement of a single index register)
  layout I: A rows read in place     a[rI + p]             (one offset register per row: with 12
            rows C2 runs out of general registers and parks offsets in xmm registers, 49
            instructions per 12 FMAs; unused, kept for experiments)
In-register transposes of L x L blocks (L = 8, 16) for packing op(B) = B^T, by log2(L) stages of
two-source lane selections (IntVector.selectFrom(v1, v2): vpermi2d on AVX-512).
"""
import pathlib
import re

KERNELS = [(12, 2, 'P'), (12, 2, 'R'), (4, 2, 'P'), (4, 2, 'R'), (12, 1, 'R')]
TRANSPOSES = [16, 8]


def kernel(mr, nv, layout):
    name = f"kernel{mr}x{nv}{layout}"
    o = []
    if layout == 'I':
        rows = ", ".join(f"int r{r}" for r in range(mr))
        o.append(f"    static void {name}(int kc, float[] a, {rows}, float[] bp, float[] tile) {{")
    else:
        o.append(f"    static void {name}(int kc, float[] ap, int aIdx, float[] bp, int bIdx, int bLd,")
        o.append(f"            float[] dst, int dOff, int dLd, int rows) {{")
    for r in range(mr):
        o.append("        " + " ".join(f"FloatVector c{r}_{v} = FloatVector.zero(S);" for v in range(nv)))
    o.append("        for (int p = 0; p < kc; p++) {")
    if layout == 'P':
        o.append(f"            int pa = aIdx + p * {mr};")
    elif layout == 'R':
        o.append("            int pa = aIdx + p;")
    o.append(f"            int pb = {'p * ' + str(nv) + ' * L' if layout == 'I' else 'bIdx + p * bLd'};")
    for v in range(nv):
        o.append(f"            FloatVector b{v} = FloatVector.fromArray(S, bp, pb{' + ' + str(v) + ' * L' if v else ''});")
    for r in range(mr):
        if layout == 'P':
            src = f"ap[pa + {r}]" if r else "ap[pa]"
        elif layout == 'R':
            src = f"ap[pa + {r} * KC]" if r else "ap[pa]"
        else:
            src = f"a[r{r} + p]"
        o.append(f"            FloatVector a{r} = FloatVector.broadcast(S, {src});")
        for v in range(nv):
            o.append(f"            c{r}_{v} = a{r}.fma(b{v}, c{r}_{v});")
    o.append("        }")
    if layout == 'I':
        for r in range(mr):
            o.append("        " + " ".join(f"c{r}_{v}.intoArray(tile, {r * nv + v} * L);" for v in range(nv)))
    else:
        # only the first `rows` rows are stored (C's last row tile); each store is its own branch,
        # so no vector merges after one
        for r in range(mr):
            row = "dOff" if r == 0 else ("dOff + dLd" if r == 1 else f"dOff + {r} * dLd")
            stores = " ".join(f"c{r}_{v}.intoArray(dst, d{r}{' + ' + str(v) + ' * L' if v else ''});" for v in range(nv))
            if r == 0:
                o.append(f"        int d0 = dOff;")
                o.append("        " + stores)
            else:
                o.append(f"        if (rows > {r}) {{")
                o.append(f"            int d{r} = {row};")
                o.append("            " + stores)
                o.append("        }")
    o.append("    }")
    return "\n".join(o)
    # A full tile updates C straight from the registers, C = alpha*acc (+ beta*C): the same operations
    # in the same order as updateC's element loop, which edge tiles take through the spilled tile.
    # Each branch ends in stores, so no vector merges after it (C2 would box it).
    o.append("        if (!full) {")
    for r in range(mr):
        o.append("            " + " ".join(f"c{r}_{v}.intoArray(tile, {r * nv + v} * L);" for v in range(nv)))
    o.append("        } else if (readC) {")
    for r in range(mr):
        for v in range(nv):
            ci = f"cOff + {r} * ldc + {v} * L" if r else f"cOff + {v} * L"
            ci = ci.replace(" + 0 * L", "")
            o.append(f"            c{r}_{v}.mul(alpha).add(FloatVector.fromArray(S, c, {ci}).mul(beta)).intoArray(c, {ci});")
    o.append("        } else {")
    for r in range(mr):
        for v in range(nv):
            ci = f"cOff + {r} * ldc + {v} * L" if r else f"cOff + {v} * L"
            ci = ci.replace(" + 0 * L", "")
            o.append(f"            c{r}_{v}.mul(alpha).intoArray(c, {ci});")
    o.append("        }")
    o.append("    }")
    return "\n".join(o)


def transpose(n):
    stages = n.bit_length() - 1
    o = [f"    /**",
         f"     * Transposes the {n} x {n} block b[src + i*ldb + q] into bp[dst + q*ldd + i] ({n} == L). Rows i at or",
         f"     * past {{@code rows}} repeat row rows - 1 (they fill lanes past the panel's valid columns,",
         f"     * which no store to C reads).",
         f"     */",
         f"    static void transpose{n}(float[] b, int src, int ldb, int rows, float[] bp, int dst, int ldd) {{",
         f"        int last = rows - 1;"]
    for i in range(n):
        off = "src" if i == 0 else f"src + Math.min({i}, last) * ldb"
        o.append(f"        IntVector r{i} = FloatVector.fromArray(S, b, {off}).reinterpretAsInts();")
    cur, nxt = 'r', 't'
    for s in range(stages):
        d = 1 << s
        o.append(f"        IntVector lo{s} = TRANSPOSE_LO[{s}], hi{s} = TRANSPOSE_HI[{s}];")
        for i in range(n):
            if i & d:
                continue
            j = i + d
            decl = "IntVector " if s == 0 else ""
            o.append(f"        {decl}{nxt}{i} = lo{s}.selectFrom({cur}{i}, {cur}{j});")
            o.append(f"        {decl}{nxt}{j} = hi{s}.selectFrom({cur}{i}, {cur}{j});")
        cur, nxt = nxt, cur
    for i in range(n):
        o.append(f"        {cur}{i}.reinterpretAsFloats().intoArray(bp, dst{' + ' + str(i) + ' * ldd' if i else ''});")
    o.append("    }")
    return "\n".join(o)


def main():
    path = pathlib.Path(__file__).resolve().parents[1] / "src/main/java/io/vecnn/kernels/internal/vector/VectorGemm.java"
    text = path.read_text()
    begin = "    // ---- GENERATED by nn-kernels/scripts/gen_gemm_kernels.py: edit the script, not this section ----\n"
    end = "    // ---- END GENERATED ----\n"
    body = "\n\n".join([kernel(*k) for k in KERNELS] + [transpose(n) for n in TRANSPOSES]) + "\n"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path}: GENERATED markers not found")
    path.write_text(pattern.sub(lambda m: begin + "\n" + body + "\n" + end, text))
    print(f"rewrote the generated section of {path}")


if __name__ == "__main__":
    main()
