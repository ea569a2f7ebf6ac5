package io.vecnn.train;

/**
 * The learning rate as a function of the step (counted from 0) and the number of steps per epoch.
 * Pure functions of their arguments, so a resumed run continues the schedule exactly.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * The learning rate at {@code step}.
     *
     * @param step the step, from 0
     * @param stepsPerEpoch the number of steps in an epoch
     * @return the learning rate
     */
    double rate(long step, long stepsPerEpoch);

    /**
     * η throughout.
     *
     * @param lr the learning rate η
     * @return the schedule
     */
    static LearningRateSchedule constant(double lr) {
        requirePositive(lr);
        return (s, e) -> lr;
    }

    /**
     * η·γ^⌊epoch / every⌋: multiplied by γ every {@code everyEpochs} epochs.
     *
     * @param lr the learning rate η
     * @param everyEpochs the epochs between decays
     * @param gamma the factor γ
     * @return the schedule
     */
    static LearningRateSchedule step(double lr, int everyEpochs, double gamma) {
        requirePositive(lr);
        if (everyEpochs < 1 || !(gamma > 0)) {
            throw new IllegalArgumentException("step schedule: every >= 1 epochs and gamma > 0 needed, got " + everyEpochs + ", " + gamma);
        }
        return (s, e) -> lr * Math.pow(gamma, (s / e) / everyEpochs);
    }

    /**
     * η·γ^epoch, decayed continuously per step.
     *
     * @param lr the learning rate η
     * @param gammaPerEpoch the factor γ per epoch
     * @return the schedule
     */
    static LearningRateSchedule exponential(double lr, double gammaPerEpoch) {
        requirePositive(lr);
        if (!(gammaPerEpoch > 0)) {
            throw new IllegalArgumentException("exponential schedule: gamma must be > 0, got " + gammaPerEpoch);
        }
        return (s, e) -> lr * Math.pow(gammaPerEpoch, (double) s / e);
    }

    /**
     * Cosine annealing from η to {@code minLr} over {@code epochs} epochs.
     *
     * @param lr the learning rate η
     * @param minLr the final learning rate
     * @param epochs the length of the annealing, in epochs
     * @return the schedule
     */
    static LearningRateSchedule cosine(double lr, double minLr, int epochs) {
        requirePositive(lr);
        if (epochs < 1 || !(minLr > 0) || minLr > lr) {
            throw new IllegalArgumentException("cosine schedule: epochs >= 1 and 0 < min <= lr needed, got " + epochs + ", " + minLr);
        }
        return (s, e) -> {
            double t = Math.min(1.0, (double) s / ((double) e * epochs));
            return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t));
        };
    }

    /**
     * Linear warm-up from η/warmupSteps to the wrapped schedule over the first {@code warmupSteps}
     * steps.
     *
     * @param warmupSteps the length of the warm-up, in steps
     * @return the schedule with warm-up
     */
    default LearningRateSchedule withWarmup(long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        LearningRateSchedule inner = this;
        return (s, e) -> s < warmupSteps ? inner.rate(s, e) * (s + 1) / warmupSteps : inner.rate(s, e);
    }

    private static void requirePositive(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + lr);
        }
    }
}
