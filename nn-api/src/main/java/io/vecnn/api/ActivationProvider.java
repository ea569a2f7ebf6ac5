package io.vecnn.api;

/**
 * Resolves activations by name: the service through which a layer's configuration names its
 * activation and a loader gets it back. {@code io.vecnn.layers} provides the built-in ones; a user's
 * named activation becomes checkpointable by providing this service (or through
 * {@link Registry#register(Activation)}).
 */
public interface ActivationProvider {
    /**
     * The activation whose {@link Activation#name()} is {@code name}, or null if this provider does
     * not know it.
     *
     * @param name the activation's name, with its parameter if it has one
     * @return the activation, or null
     * @throws IllegalArgumentException if the name is this provider's but malformed (a bad parameter)
     */
    Activation find(String name);
}
