package io.vecnn.api;

import io.vecnn.kernels.Kernels;

import java.util.List;

/**
 * Updates parameters from a gradient buffer. An optimizer is bound to one model's parameter list;
 * its per-parameter state (momentum, moment estimates) is indexed by position in that list and
 * allocated at the first step. Not thread-safe: it belongs to the one thread that applies updates.
 */
public interface Optimizer {
    /**
     * A short name with its hyper-parameters, e.g. {@code "adam(b1=0.9,b2=0.999,eps=1e-8)"}.
     *
     * @return the name
     */
    String name();

    /**
     * One update of every {@linkplain Parameter#trainable() trainable} parameter from its gradient in
     * {@code gradients} (which it does not clear), at the given learning rate.
     *
     * @param parameters   the parameters, in the order of the gradient buffer
     * @param gradients    the gradients (laid out for {@code parameters})
     * @param learningRate η, finite and &gt; 0
     * @param kernels      the kernels to compute with (large updates use their threads)
     * @throws IllegalArgumentException if the list differs in length or shapes from earlier steps, or
     *                                  the buffer is not laid out for it
     */
    void step(List<Parameter> parameters, Gradients gradients, float learningRate, Kernels kernels);

    /**
     * The number of steps taken so far (Adam's t).
     *
     * @return the step count
     */
    long iterations();

    /**
     * Number of state arrays kept per parameter (0 for plain SGD, 1 for momentum, 2 for Adam).
     *
     * @return the number of state slots
     */
    int stateSlots();

    /**
     * The live state array {@code slot} of parameter {@code index} (as many elements as the
     * parameter), allocated if needed; used by checkpoints to save and restore.
     *
     * @param parameters the model's parameters
     * @param index the parameter's index in {@code parameters}
     * @param slot the slot, in [0, {@link #stateSlots()})
     * @return the state array, live
     */
    float[] state(List<Parameter> parameters, int index, int slot);

    /**
     * Restores the step count (from a checkpoint).
     *
     * @param iterations the number of steps taken
     */
    void restoreIterations(long iterations);
}
