package io.vecnn.train;

import io.vecnn.api.Gradients;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.kernels.Kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The optimizers, each one fused kernel pass per parameter updating values and state together
 * (PyTorch's semantics and defaults). Weight decay λ is L2 (added to the gradient) except in
 * {@link #adamW}, where it is decoupled.
 */
public final class Optimizers {
    private Optimizers() {
    }

    /**
     * Plain SGD: w ← w − η(g + λw).
     *
     * @param weightDecay the weight decay λ (0 for none)
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer sgd(float weightDecay) {
        return new Sgd(0f, false, weightDecay);
    }

    /**
     * SGD with momentum μ (v ← μv + g, w ← w − ηv), optionally Nesterov (w ← w − η(g + μv)).
     *
     * @param momentum the momentum μ
     * @param nesterov true for Nesterov momentum
     * @param weightDecay the weight decay λ (0 for none)
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer sgd(float momentum, boolean nesterov, float weightDecay) {
        return new Sgd(momentum, nesterov, weightDecay);
    }

    /**
     * Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and L2 weight decay λ.
     *
     * @param weightDecay the weight decay λ (0 for none)
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer adam(float weightDecay) {
        return new Adam(0.9f, 0.999f, 1e-8f, weightDecay, false);
    }

    /**
     * Adam with the given hyper-parameters; {@code decoupled} makes it AdamW.
     *
     * @param beta1 β₁, the decay of the first moment
     * @param beta2 β₂, the decay of the second moment
     * @param eps ε, added to the denominator
     * @param weightDecay the weight decay λ (0 for none)
     * @param decoupled true for AdamW's decoupled decay, false for L2
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer adam(float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        return new Adam(beta1, beta2, eps, weightDecay, decoupled);
    }

    /**
     * AdamW: Adam with decoupled weight decay (PyTorch's default λ is 0.01).
     *
     * @param weightDecay the weight decay λ (0 for none)
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer adamW(float weightDecay) {
        return new Adam(0.9f, 0.999f, 1e-8f, weightDecay, true);
    }

    /**
     * RMSProp with ρ = 0.99, ε = 1e-8.
     *
     * @param weightDecay the weight decay λ (0 for none)
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer rmsprop(float weightDecay) {
        return new RmsProp(0.99f, 1e-8f, weightDecay);
    }

    /**
     * AdaGrad with ε = 1e-10.
     *
     * @param weightDecay the weight decay λ (0 for none)
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer adagrad(float weightDecay) {
        return new AdaGrad(1e-10f, weightDecay);
    }

    /**
     * The optimizer with this name: {@code sgd}, {@code momentum} (0.9), {@code nesterov} (0.9),
     * {@code adam}, {@code adamw}, {@code rmsprop}, {@code adagrad}.
     *
     * @param name the optimizer's name
     * @param weightDecay the weight decay λ (0 for none)
     * @return a new optimizer, bound to parameters on its first step
     */
    public static Optimizer named(String name, float weightDecay) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "sgd" -> sgd(weightDecay);
            case "momentum" -> sgd(0.9f, false, weightDecay);
            case "nesterov" -> sgd(0.9f, true, weightDecay);
            case "adam" -> adam(weightDecay);
            case "adamw" -> adamW(weightDecay);
            case "rmsprop" -> rmsprop(weightDecay);
            case "adagrad" -> adagrad(weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name
                    + "'; known: sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad");
        };
    }

    private static void requireFinite(String what, float v, boolean positive) {
        if (!Float.isFinite(v) || (positive ? v <= 0 : v < 0)) {
            throw new IllegalArgumentException(what + " must be finite and " + (positive ? "> 0" : ">= 0") + ", got " + v);
        }
    }

    /** State arrays per parameter and slot, allocated at the first step; shapes fixed afterwards. */
    private abstract static class Base implements Optimizer {
        private final int slots;
        private final List<float[][]> state = new ArrayList<>();
        long iterations;

        Base(int slots) {
            this.slots = slots;
        }

        @Override
        public final long iterations() {
            return iterations;
        }

        @Override
        public final void restoreIterations(long iterations) {
            if (iterations < 0) {
                throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
            }
            this.iterations = iterations;
        }

        @Override
        public final int stateSlots() {
            return slots;
        }

        private void bind(List<Parameter> ps) {
            if (state.isEmpty()) {
                for (Parameter p : ps) {
                    float[][] s = new float[slots][];
                    for (int k = 0; k < slots; k++) {
                        s[k] = new float[p.size()];
                    }
                    state.add(s);
                }
            } else if (state.size() != ps.size()) {
                throw new IllegalArgumentException(name() + ": bound to " + state.size() + " parameters, given " + ps.size());
            }
        }

        @Override
        public final float[] state(List<Parameter> ps, int index, int slot) {
            bind(ps);
            if (slot < 0 || slot >= slots) {
                throw new IllegalArgumentException(name() + " has " + slots + " state slots, asked for " + slot);
            }
            return state.get(index)[slot];
        }

        @Override
        public final void step(List<Parameter> ps, Gradients gradients, float lr, Kernels kernels) {
            requireFinite("learning rate", lr, true);
            bind(ps);
            if (gradients.parameters().size() != ps.size()) {
                throw new IllegalArgumentException(name() + ": the gradient buffer holds " + gradients.parameters().size()
                        + " parameters, the list " + ps.size());
            }
            for (int i = 0; i < ps.size(); i++) {
                Parameter p = ps.get(i);
                if (slots > 0 && state.get(i)[0].length != p.size()) {
                    throw new IllegalArgumentException(name() + ": parameter " + p.name() + " has " + p.size()
                            + " elements, its state " + state.get(i)[0].length);
                }
                if (gradients.get(i).size() != p.size()) {
                    throw new IllegalArgumentException(name() + ": parameter " + p.name() + " has " + p.size()
                            + " elements, its gradient " + gradients.get(i).size());
                }
            }
            iterations++;
            float[] g = gradients.buffer();
            for (int i = 0; i < ps.size(); i++) {
                Parameter p = ps.get(i);
                if (p.trainable()) {
                    update(kernels, p.size(), p.value().data(), p.value().offset(), g, gradients.offset(i), state.get(i), lr);
                }
            }
        }

        abstract void update(Kernels k, int n, float[] w, int wOff, float[] g, int gOff, float[][] s, float lr);

        @Override
        public String toString() {
            return name();
        }
    }

    private static final class Sgd extends Base {
        private final float momentum;
        private final boolean nesterov;
        private final float decay;

        Sgd(float momentum, boolean nesterov, float decay) {
            super(momentum > 0 ? 1 : 0);
            requireFinite("momentum", momentum, false);
            requireFinite("weight decay", decay, false);
            if (nesterov && momentum <= 0) {
                throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
            }
            this.momentum = momentum;
            this.nesterov = nesterov;
            this.decay = decay;
        }

        @Override
        public String name() {
            return momentum == 0 ? "sgd(wd=" + decay + ")"
                    : (nesterov ? "nesterov" : "momentum") + "(mu=" + momentum + ",wd=" + decay + ")";
        }

        @Override
        void update(Kernels k, int n, float[] w, int wOff, float[] g, int gOff, float[][] s, float lr) {
            k.sgd(n, w, wOff, g, gOff, momentum > 0 ? s[0] : null, 0, lr, momentum, decay, nesterov);
        }
    }

    private static final class Adam extends Base {
        private final float beta1;
        private final float beta2;
        private final float eps;
        private final float decay;
        private final boolean decoupled;

        Adam(float beta1, float beta2, float eps, float decay, boolean decoupled) {
            super(2);
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("Adam betas must lie in [0, 1), got " + beta1 + " and " + beta2);
            }
            requireFinite("epsilon", eps, true);
            requireFinite("weight decay", decay, false);
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.decay = decay;
            this.decoupled = decoupled;
        }

        @Override
        public String name() {
            return (decoupled ? "adamw" : "adam") + "(b1=" + beta1 + ",b2=" + beta2 + ",eps=" + eps + ",wd=" + decay + ")";
        }

        @Override
        void update(Kernels k, int n, float[] w, int wOff, float[] g, int gOff, float[][] s, float lr) {
            k.adam(n, w, wOff, g, gOff, s[0], 0, s[1], 0, lr, beta1, beta2, eps, decay, decoupled, iterations);
        }
    }

    private static final class RmsProp extends Base {
        private final float rho;
        private final float eps;
        private final float decay;

        RmsProp(float rho, float eps, float decay) {
            super(1);
            requireFinite("epsilon", eps, true);
            requireFinite("weight decay", decay, false);
            this.rho = rho;
            this.eps = eps;
            this.decay = decay;
        }

        @Override
        public String name() {
            return "rmsprop(rho=" + rho + ",eps=" + eps + ",wd=" + decay + ")";
        }

        @Override
        void update(Kernels k, int n, float[] w, int wOff, float[] g, int gOff, float[][] s, float lr) {
            k.rmsprop(n, w, wOff, g, gOff, s[0], 0, lr, rho, eps, decay);
        }
    }

    private static final class AdaGrad extends Base {
        private final float eps;
        private final float decay;

        AdaGrad(float eps, float decay) {
            super(1);
            requireFinite("epsilon", eps, true);
            requireFinite("weight decay", decay, false);
            this.eps = eps;
            this.decay = decay;
        }

        @Override
        public String name() {
            return "adagrad(eps=" + eps + ",wd=" + decay + ")";
        }

        @Override
        void update(Kernels k, int n, float[] w, int wOff, float[] g, int gOff, float[][] s, float lr) {
            k.adagrad(n, w, wOff, g, gOff, s[0], 0, lr, eps, decay);
        }
    }
}
