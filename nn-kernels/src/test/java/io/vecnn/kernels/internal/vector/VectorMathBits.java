package io.vecnn.kernels.internal.vector;

import io.vecnn.kernels.ActivationKind;
import io.vecnn.kernels.Kernels;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Run by {@link VectorMathTest} in child JVMs with one JIT configuration each: prints a hash of the
 * output bits of each function on fixed inputs, after enough passes for the JIT in use to compile it.
 */
public final class VectorMathBits {
    private VectorMathBits() {
    }

    public static void main(String[] args) {
        boolean interpreted = System.getProperty("java.vm.info", "").contains("interpreted");
        int passes = interpreted ? 1 : 20_000; // past every compile threshold (-Xbatch: compiled before continuing)
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[1024];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * (i % 4 == 0 ? 100 : i % 4 == 1 ? 10 : i % 4 == 2 ? 1 : 1e-3));
        }
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 87.3f, -87.3f, 1e-40f};
        System.arraycopy(special, 0, x, 0, special.length);
        print("exp", VectorMath::exp, x, passes);
        print("expm1", VectorMath::expm1, x, passes);
        print("tanh", VectorMath::tanh, x, passes);
        print("normalCdf", VectorMath::normalCdf, x, passes);
        print("geluErf", VectorMath::geluErf, x, passes);
        float[] unit = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            unit[i] = Math.abs(x[i]) % 1f;
        }
        print("log1pUnit", VectorMath::log1pUnit, unit, passes);
        for (ActivationKind f : ActivationKind.values()) {
            float[] h = new float[x.length];
            float[] d = new float[x.length];
            for (int p = 0; p < Math.max(1, passes / 64); p++) {
                Kernels.vector().biasActivation(f, 0.1f, 4, x.length / 4, x.clone(), 0, x.length / 4, null, 0, h, 0, x.length / 4);
                Kernels.vector().activationBackward(f, 0.1f, x.length, x, 0, f.derivativeFromOutput() ? h : x, 0, d, 0);
            }
            System.out.println(f + " " + hash(h) + " " + hash(d));
        }
    }

    private static void print(String name, UnaryOperator<FloatVector> f, float[] x, int passes) {
        float[] y = new float[x.length];
        for (int p = 0; p < passes; p += x.length / VectorGemm.L) {
            for (int i = 0; i < x.length; i += VectorGemm.L) {
                f.apply(FloatVector.fromArray(VectorGemm.S, x, i)).intoArray(y, i);
            }
        }
        System.out.println(name + " " + hash(y));
    }

    /** The hash of the bits, every NaN counted as the canonical one (Java does not define NaN payloads or signs). */
    private static int hash(float[] y) {
        int[] bits = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            bits[i] = Float.floatToIntBits(y[i]);
        }
        return Arrays.hashCode(bits);
    }
}
