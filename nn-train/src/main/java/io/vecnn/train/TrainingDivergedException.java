package io.vecnn.train;

/**
 * Training met a NaN or infinite loss or gradient. The step's update was not applied; the message
 * names the step and the parameter (or the loss).
 */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The step whose update was not applied. */
    private final long step;

    /**
     * An exception for a refused step.
     *
     * @param step    the step whose update was refused
     * @param message names the step and the parameter (or the loss)
     */
    public TrainingDivergedException(long step, String message) {
        super(message);
        this.step = step;
    }

    /**
     * The step whose update was not applied (counted from 1).
     *
     * @return the step
     */
    public long step() {
        return step;
    }
}
