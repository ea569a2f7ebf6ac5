package io.vecnn.train;

import io.vecnn.api.Gradients;
import io.vecnn.api.Matrix;
import io.vecnn.kernels.Kernels;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleAndOptimizerTest {

    @Test
    void schedulesFollowTheirFormulas() {
        long spe = 100;   // steps per epoch
        assertEquals(0.1, LearningRateSchedule.constant(0.1).rate(12345, spe));
        LearningRateSchedule step = LearningRateSchedule.step(0.1, 2, 0.5);
        assertEquals(0.1, step.rate(199, spe), 1e-15);
        assertEquals(0.05, step.rate(200, spe), 1e-15);
        assertEquals(0.025, step.rate(450, spe), 1e-15);
        LearningRateSchedule exp = LearningRateSchedule.exponential(1.0, 0.9);
        assertEquals(0.9, exp.rate(100, spe), 1e-12);
        assertEquals(Math.pow(0.9, 2.5), exp.rate(250, spe), 1e-12);
        LearningRateSchedule cos = LearningRateSchedule.cosine(1.0, 0.01, 10);
        assertEquals(1.0, cos.rate(0, spe), 1e-12);
        assertEquals(0.505, cos.rate(500, spe), 1e-12);      // half way: (max + min)/2
        assertEquals(0.01, cos.rate(1000, spe), 1e-12);
        assertEquals(0.01, cos.rate(5000, spe), 1e-12);       // stays at the minimum afterwards
        LearningRateSchedule warm = LearningRateSchedule.constant(0.4).withWarmup(4);
        assertEquals(0.1, warm.rate(0, spe), 1e-12);
        assertEquals(0.3, warm.rate(2, spe), 1e-12);
        assertEquals(0.4, warm.rate(4, spe), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(0.1, 0.2, 5));
    }

    @Test
    void optimizersMatchHandComputedSteps() {
        // One parameter w = 1 with gradient g = 0.5, learning rate 0.1.
        assertEquals(1 - 0.1 * 0.5, oneStep(Optimizers.sgd(0f), 1), 1e-7);
        assertEquals(1 - 0.1 * (0.5 + 0.01 * 1), oneStep(Optimizers.sgd(0.01f), 1), 1e-7);
        // Adam's first step moves by lr·sign(g) (bias-corrected m/√v = g/|g|).
        assertEquals(1 - 0.1, oneStep(Optimizers.adam(0f), 1), 1e-6);
        // AdamW: decay w(1 − lr·λ) first, then the same step.
        assertEquals(1 * (1 - 0.1 * 0.1) - 0.1, oneStep(Optimizers.adamW(0.1f), 1), 1e-6);
        // Momentum: two steps with v = g then v = 0.9g + g.
        assertEquals(1 - 0.1 * 0.5 - 0.1 * (0.9 * 0.5 + 0.5), oneStep(Optimizers.sgd(0.9f, false, 0f), 2), 1e-6);
        // AdaGrad: s = g², w −= lr·g/√s = lr.
        assertEquals(1 - 0.1, oneStep(Optimizers.adagrad(0f), 1), 1e-6);
        // RMSProp: s = 0.01g², w −= lr·g/√s = lr/√0.01 = 10·lr.
        assertEquals(1 - 0.1 * 10, oneStep(Optimizers.rmsprop(0f), 1), 1e-5);
    }

    private static double oneStep(Optimizer opt, int steps) {
        Parameter p = new Parameter("w", Matrix.row(1f));
        List<Parameter> ps = List.of(p);
        Gradients g = new Gradients(ps);
        for (int i = 0; i < steps; i++) {
            g.get(0).set(0, 0, 0.5f);
            opt.step(ps, g, 0.1f, Kernels.get());
        }
        assertEquals(steps, opt.iterations());
        return p.value().get(0, 0);
    }

    @Test
    void frozenParametersDoNotMoveAndBadRatesAreRefused() {
        Parameter p = new Parameter("w", Matrix.row(1f, 2f));
        Gradients g = new Gradients(List.of(p));
        g.get(p).fill(1f);
        p.freeze();
        Optimizer opt = Optimizers.adam(0f);
        Kernels k = Kernels.get();
        opt.step(List.of(p), g, 0.1f, k);
        assertEquals(1f, p.value().get(0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.step(List.of(p), g, Float.NaN, k));
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optimizers.named("adamax", 0f));
        List<Parameter> two = List.of(p, new Parameter("b", Matrix.row(0f)));
        assertThrows(IllegalArgumentException.class, () -> opt.step(two, new Gradients(two), 0.1f, k));
        IllegalArgumentException layout = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.sgd(0f).step(two, g, 0.1f, k));
        assertTrue(layout.getMessage().contains("gradient buffer"), layout.getMessage());
    }
}
