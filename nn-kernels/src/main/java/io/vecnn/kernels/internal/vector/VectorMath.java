package io.vecnn.kernels.internal.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, log1p and expm1 on float vectors from IEEE add, multiply, FMA and bit operations only
 * (a degree-6 minimax polynomial for exp, Cephes' single-precision polynomial for log; about 1 ulp).
 *
 * <p>Why not {@code lanewise(EXP)}: the Vector API computes transcendental operators with an
 * intrinsic (SVML-style) in C2-compiled code but with {@code Math.exp} per lane in the interpreter
 * and C1, and the two differ in the last bit. Results would then depend on when the JIT compiled a
 * loop, so training would not be bit-reproducible from run to run, across thread counts or after a
 * resume. Basic IEEE operations give the same bits everywhere; {@code fma} is one rounding in C2
 * ({@code vfmadd}) and in the fallback ({@code Math.fma}) alike.
 */
final class VectorMath {
    private VectorMath() {
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // e^x for x outside [−87.3, 87.3] is clamped, keeping 2^n a normal float (e^−87.3 ≈ 1.2e−38), and
    // 1/(1 + e^x) normal too (≥ 1.2e−38): subnormal results can cost microcode assists on x86 cores.
    // (Before this clamp, a benchmark whose inputs had drifted into the saturated tails ran sigmoid at
    // a twentieth of a copy's speed; with it, saturated and ordinary inputs run alike.)
    private static final float EXP_MAX = 87.3f;
    private static final float EXP_MIN = -87.3f;
    /**
     * 1.5·2^23 + 127. Adding it to x·log₂e rounds to the nearest integer n (its ulp is 1) and leaves
     * n + 127, the biased exponent of 2^n, in the low mantissa bits: shifted left by 23 they are 2^n.
     */
    private static final float SHIFT = 12582912f + 127f;
    // Minimax (Remez, relative error) of e^r on [−0.3467, 0.3467] ⊃ [−ln2/2, ln2/2], degree 6:
    // 1.9e−9 before rounding, so float rounding dominates (≤ 1 ulp measured, ExpAccuracyTest).
    private static final float C2 = 0.49999991059303284f;
    private static final float C3 = 0.16666419804096222f;
    private static final float C4 = 0.041668228805065155f;
    private static final float C5 = 0.00837484560906887f;
    private static final float C6 = 0.0013836808502674103f;

    /**
     * e^x within 1 ulp (0.998 measured over 23 million floats); NaN stays NaN; x is clamped to [−87.3, 87.3] (results in [1.2e−38, 8.1e37]).
     * 16 vector operations: 2 compares and 2 blends (the clamp), 1 FMA for n ({@link #roundedLog2}),
     * 3 for r ({@link #reduced}), 5 FMAs for the polynomial ({@link #expm1OverR}), 1 FMA for e^r,
     * 1 shift for 2^n ({@link #pow2}) and the multiplication 2^n·e^r (exact: a power of two). NaN
     * compares false, passes the clamp and propagates through the arithmetic (NaN × anything is
     * NaN), so it needs no test of its own.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.blend(EXP_MIN, x.compare(VectorOperators.LT, EXP_MIN))
                .blend(EXP_MAX, x.compare(VectorOperators.GT, EXP_MAX));
        FloatVector t = roundedLog2(xc);
        FloatVector r = reduced(xc, t);
        return expm1OverR(r).fma(r, ONE).mul(pow2(t));
    }

    /**
     * e^x − 1 with no cancellation near 0 (for |x| &lt; ln2/2, n = 0 and the result is the
     * polynomial's e^r − 1 itself; elsewhere |e^x − 1| &gt; 0.29), clamped as {@link #exp}; within
     * 3 ulp (2.4 measured). 17 operations: the clamp, n, r and 2^n as in exp (9), the polynomial
     * (5), then 2^n·(e^r − 1) + (2^n − 1): a multiplication, a subtraction and an FMA.
     */
    static FloatVector expm1(FloatVector x) {
        FloatVector xc = x.blend(EXP_MIN, x.compare(VectorOperators.LT, EXP_MIN))
                .blend(EXP_MAX, x.compare(VectorOperators.GT, EXP_MAX));
        FloatVector t = roundedLog2(xc);
        FloatVector r = reduced(xc, t);
        FloatVector scale = pow2(t);
        return expm1OverR(r).mul(r).fma(scale, scale.sub(1f));
    }

    /**
     * tanh z = sign(z)·(1 − e)/(1 + e), e = e^(−2|z|) = 2^n·(1 + m), m = e^r − 1: 1 − e is
     * (1 − 2^n) − 2^n·m, exact in its first term, so there is no cancellation near 0 (n = 0 there);
     * within 3 ulp (2.8 measured). 22 operations and one division: abs and ×(−2), compare + blend
     * (the clamp), 11 for n, r, 2^n and m (an FMA; a subtraction and 2 FMAs; a shift; 5 FMAs and a
     * multiplication), a negation, a subtraction and an FMA for 1 − e, an addition and an FMA for
     * 1 + e, and an AND and an OR to put the sign back.
     */
    static FloatVector tanh(FloatVector z) {
        FloatVector w = z.abs().mul(-2f);
        w = w.blend(EXP_MIN, w.compare(VectorOperators.LT, EXP_MIN));
        FloatVector t = roundedLog2(w);
        FloatVector r = reduced(w, t);
        FloatVector scale = pow2(t);
        FloatVector m = expm1OverR(r).mul(r);
        FloatVector oneMinusE = m.fma(scale.neg(), ONE.sub(scale));
        FloatVector onePlusE = m.fma(scale, scale.add(1f));
        FloatVector magnitude = oneMinusE.div(onePlusE);
        return magnitude.reinterpretAsInts().or(z.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
    }

    private static final jdk.incubator.vector.VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final int SIGN_BIT = 0x80000000;

    /** A constant vector (C2 hoists it out of the loop). */
    private static FloatVector splat(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** t = x·log₂e + SHIFT (1 FMA): round(x·log₂e) = n, with n + 127 in t's low mantissa bits. */
    private static FloatVector roundedLog2(FloatVector x) {
        return x.fma(LOG2E, SHIFT);
    }

    /** 2^n from t (1 shift): n + 127 moved into the exponent field. Valid for n in [−126, 127]. */
    private static FloatVector pow2(FloatVector t) {
        return t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /**
     * r = x − n·ln 2 with n = t − SHIFT (3 operations: a subtraction and 2 FMAs, Cody–Waite: ln 2 in
     * two parts, so r keeps full precision); |r| ≤ 0.3467.
     */
    private static FloatVector reduced(FloatVector x, FloatVector t) {
        FloatVector n = t.sub(SHIFT);
        FloatVector r = n.fma(splat(-LN2_HI), x);
        return n.fma(splat(-LN2_LO), r);
    }

    /** (e^r − 1)/r = 1 + r·(c₂ + r·(c₃ + …)): 5 FMAs (Horner). */
    private static FloatVector expm1OverR(FloatVector r) {
        FloatVector p = r.fma(C6, C5);
        p = p.fma(r, splat(C4));
        p = p.fma(r, splat(C3));
        p = p.fma(r, splat(C2));
        return p.fma(r, ONE);
    }

    // erfcx t = e^(t²)·erfc t ≈ P(u), u = 1/(1 + 0.4t), for t in [0, 10]: degree 10, fitted by iteratively
    // reweighted least squares on Chebyshev nodes in u (relative error 1.7e−9 before rounding to float).
    private static final float ERFCX_P = 0.4f;
    private static final float[] ERFCX = {
            -8.820092262e-06f, 2.259134054e-01f, 2.228550762e-01f, 2.270813137e-01f, 8.504079282e-02f,
            3.805032670e-01f, -4.611670673e-01f, 7.387868762e-01f, -6.306117773e-01f, 2.502795160e-01f,
            -3.867260739e-02f};
    private static final float E0 = ERFCX[0], E1 = ERFCX[1], E2 = ERFCX[2], E3 = ERFCX[3], E4 = ERFCX[4],
            E5 = ERFCX[5], E6 = ERFCX[6], E7 = ERFCX[7], E8 = ERFCX[8], E9 = ERFCX[9], E10 = ERFCX[10];
    private static final float SQRT_HALF = 0.70710678118654752f;
    /** |z| beyond which Φ(z) is taken as 0 or 1 and φ(z) as 0 (Φ(−13) ≈ 6e−39, near float's smallest normal). */
    static final float NORMAL_CUTOFF = 13f;

    /**
     * e^(−z²/2), with z²/2 carried as two floats (hi = ½·z·z rounded, lo = ½·its rounding error by an
     * FMA) so that the result keeps its accuracy for large |z| (a rounded z² alone would cost
     * z²·2^−24 of relative error): e^(−hi)·(1 − lo). 0 where |z| &gt; {@link #NORMAL_CUTOFF}; NaN stays NaN.
     */
    static FloatVector gaussian(FloatVector z) {
        FloatVector zz = z.mul(z);
        FloatVector lo = z.fma(z, zz.neg()).mul(0.5f);
        FloatVector e = exp(zz.mul(-0.5f));
        e = e.fma(lo.neg(), e);
        return e.blend(0f, z.abs().compare(VectorOperators.GT, NORMAL_CUTOFF));
    }

    // The Horner constants as vectors held in static finals: C2 reads them as constants, where ten
    // broadcasts in a row pushed the exact GELU loop past C2's node-count inlining cutoff (the
    // remaining broadcasts were not inlined and every vector was boxed, 256 bytes each, measured).
    private static final FloatVector V_E0 = splatConstant(E0), V_E1 = splatConstant(E1), V_E2 = splatConstant(E2),
            V_E3 = splatConstant(E3), V_E4 = splatConstant(E4), V_E5 = splatConstant(E5), V_E6 = splatConstant(E6),
            V_E7 = splatConstant(E7), V_E8 = splatConstant(E8);

    private static FloatVector splatConstant(float v) {
        return FloatVector.broadcast(FloatVector.SPECIES_PREFERRED, v);
    }

    /** erfcx(|z|/√2) by the fitted polynomial: a multiplication, an FMA, a division and 10 FMAs. */
    static FloatVector erfcxOfHalfSqrt(FloatVector z) {
        FloatVector u = ONE.div(z.abs().mul(SQRT_HALF).fma(ERFCX_P, 1f));
        FloatVector p = u.fma(E10, E9);
        p = p.fma(u, V_E8);
        p = p.fma(u, V_E7);
        p = p.fma(u, V_E6);
        p = p.fma(u, V_E5);
        p = p.fma(u, V_E4);
        p = p.fma(u, V_E3);
        p = p.fma(u, V_E2);
        p = p.fma(u, V_E1);
        return p.fma(u, V_E0);
    }

    /**
     * Φ(z), the standard normal distribution function, from ½·erfc(|z|/√2) = ½·e^(−z²/2)·erfcx(|z|/√2)
     * (the tail, with full relative accuracy) as the tail for z &lt; 0 and 1 − tail otherwise, so
     * there is no cancellation on either side. {@code gaussian} is {@link #gaussian}(z).
     */
    static FloatVector normalCdf(FloatVector z, FloatVector gaussian) {
        FloatVector tail = gaussian.mul(erfcxOfHalfSqrt(z)).mul(0.5f);
        return ONE.sub(tail).blend(tail, z.compare(VectorOperators.LT, 0f));
    }

    /** Φ(z) alone: {@link #normalCdf(FloatVector, FloatVector)} with its own {@link #gaussian}. */
    static FloatVector normalCdf(FloatVector z) {
        return normalCdf(z, gaussian(z));
    }

    /** The exact GELU z·Φ(z): about 40 operations and a division. */
    static FloatVector geluErf(FloatVector z) {
        return z.mul(normalCdf(z, gaussian(z)));
    }

    /** ln(1 + y) for y in [0, 1] (the range the stable softplus and BCE forms need). */
    static FloatVector log1pUnit(FloatVector y) {
        FloatVector u = y.add(1f);
        // u = m·2^e with m in [½, 1) (frexp's convention); e is 1 or 2 for u in [1, 2].
        IntVector ub = u.reinterpretAsInts();
        IntVector e = ub.lanewise(VectorOperators.LSHR, 23).sub(126);
        FloatVector m = ub.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
        FloatVector ef = (FloatVector) e.convert(VectorOperators.I2F, 0);
        // Cephes logf: bring m to [√½, √2).
        var small = m.compare(VectorOperators.LT, 0.707106781186547524f);
        ef = ef.sub(oneWhere(small));
        FloatVector x = m.add(m.blend(FloatVector.zero(m.species()), small.not())).sub(1f);
        FloatVector z = x.mul(x);
        FloatVector p = x.mul(7.0376836292e-2f).add(-1.1514610310e-1f);
        p = p.mul(x).add(1.1676998740e-1f);
        p = p.mul(x).add(-1.2420140846e-1f);
        p = p.mul(x).add(1.4249322787e-1f);
        p = p.mul(x).add(-1.6668057665e-1f);
        p = p.mul(x).add(2.0000714765e-1f);
        p = p.mul(x).add(-2.4999993993e-1f);
        p = p.mul(x).add(3.3333331174e-1f);
        FloatVector yv = p.mul(x).mul(z);
        yv = ef.mul(LN2_LO).add(yv);
        yv = z.mul(-0.5f).add(yv);
        FloatVector log = x.add(yv).add(ef.mul(LN2_HI));
        // ln(1 + y) = ln(u) − ((u − 1) − y)/u recovers the rounding of 1 + y.
        FloatVector corr = u.sub(1f).sub(y).div(u);
        FloatVector result = log.sub(corr);
        return result.blend(y, y.test(VectorOperators.IS_NAN));
    }

    private static FloatVector oneWhere(jdk.incubator.vector.VectorMask<Float> m) {
        return FloatVector.zero(m.vectorSpecies()).blend(1f, m);
    }

    /**
     * The sum of the lanes in a fixed order (lane 0 first). {@code reduceLanes(ADD)} may add in a
     * different order when intrinsified than in the interpreter, which changes the last bit.
     */
    static float sum(FloatVector v) {
        // Pairwise over lanes extracted at constant indices: IEEE adds in a fixed order, intrinsified.
        // One small method per width keeps each under C2's inlining limits (a loop over lane(i), or
        // shuffles, box the vector).
        return LANES == 8 ? sum8(v) : LANES == 16 ? sum16(v) : LANES == 4 ? sum4(v) : sumAny(v);
    }

    private static float sum4(FloatVector v) {
        return (v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3));
    }

    private static float sum8(FloatVector v) {
        return ((v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3))) + ((v.lane(4) + v.lane(5)) + (v.lane(6) + v.lane(7)));
    }

    private static float sum16(FloatVector v) {
        return (((v.lane(0) + v.lane(1)) + (v.lane(2) + v.lane(3))) + ((v.lane(4) + v.lane(5)) + (v.lane(6) + v.lane(7))))
                + (((v.lane(8) + v.lane(9)) + (v.lane(10) + v.lane(11))) + ((v.lane(12) + v.lane(13)) + (v.lane(14) + v.lane(15))));
    }

    private static float sumAny(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < LANES; i++) {
            s += v.lane(i);
        }
        return s;
    }

    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();
}
