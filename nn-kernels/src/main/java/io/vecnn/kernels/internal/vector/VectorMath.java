package io.vecnn.kernels.internal.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, log1p and expm1 on float vectors from IEEE add, multiply, FMA and bit operations only
 * (Cephes' single-precision polynomials, about 1 ulp).
 *
 * <p>Why not {@code lanewise(EXP)}: the Vector API computes transcendental operators with an
 * intrinsic (SVML-style) in C2-compiled code but with {@code Math.exp} per lane in the interpreter
 * and C1, and the two differ in the last bit. Results would then depend on when the JIT compiled a
 * loop, so training would not be bit-reproducible from run to run, across thread counts or after a
 * resume. Basic IEEE operations give the same bits everywhere.
 */
final class VectorMath {
    private VectorMath() {
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // e^x for x outside [−87.3, 88.3] is clamped, keeping 2^n a normal float (e^−87.3 ≈ 1.2e−38).
    private static final float EXP_MAX = 88.3f;
    private static final float EXP_MIN = -87.3f;
    private static final float ROUNDER = 12582912f;          // 1.5·2^23
    private static final int ROUNDER_BITS = 0x4B400000;      // its bits; + k in the mantissa for k in ±2^22

    /** e^x, 1-2 ulp; NaN stays NaN; clamped to [e^−87.3, e^88.3]. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        // n = round(x / ln 2), r = x − n ln 2 in two steps (Cody–Waite) so r keeps full precision.
        // Adding 1.5·2^23 rounds x/ln 2 to the nearest integer, which lands in the low mantissa bits.
        FloatVector t = xc.mul(LOG2E).add(ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.mul(-LN2_HI).add(xc);
        r = n.mul(-LN2_LO).add(r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
        p = p.mul(r).add(8.3334519073e-3f);
        p = p.mul(r).add(4.1665795894e-2f);
        p = p.mul(r).add(1.6666665459e-1f);
        p = p.mul(r).add(5.0000001201e-1f);
        FloatVector y = p.mul(r2).add(r).add(1f);
        IntVector bits = t.reinterpretAsInts().sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector scale = bits.reinterpretAsFloats();
        FloatVector result = y.mul(scale);
        // The exponent bits of a NaN lane are garbage: put the NaN back explicitly.
        return result.blend(x, x.test(VectorOperators.IS_NAN));
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

    /** e^x − 1 for x ≤ 0 (ELU): exp(x) − 1, except near 0 where a Taylor polynomial avoids cancellation. */
    static FloatVector expm1NonPositive(FloatVector x) {
        FloatVector viaExp = exp(x).sub(1f);
        // |x| < 0.25: x + x²/2 + … + x⁷/5040; truncation < 0.25⁸/40320 ≈ 4e-10.
        FloatVector p = x.mul(1f / 5040f).add(1f / 720f);
        p = p.mul(x).add(1f / 120f);
        p = p.mul(x).add(1f / 24f);
        p = p.mul(x).add(1f / 6f);
        p = p.mul(x).add(0.5f);
        FloatVector taylor = p.mul(x).mul(x).add(x);
        return viaExp.blend(taylor, x.compare(VectorOperators.GT, -0.25f));
    }
}
