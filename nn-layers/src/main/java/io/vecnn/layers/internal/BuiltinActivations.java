package io.vecnn.layers.internal;

import io.vecnn.api.Activation;
import io.vecnn.api.ActivationProvider;
import io.vecnn.layers.Activations;

/** Resolves the built-in activations by name for the {@link io.vecnn.api.Registry}. */
public final class BuiltinActivations implements ActivationProvider {
    /** For {@link java.util.ServiceLoader}. */
    public BuiltinActivations() {
    }

    @Override
    public Activation find(String name) {
        return Activations.find(name);
    }
}
