package io.vecnn.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds {@link LayerType}s and activations by name: those provided through
 * {@link ServiceLoader} (module descriptors' {@code provides}, or {@code META-INF/services} files on
 * the class path), and those registered here by code. A name claimed twice is an error naming both
 * claimants. Thread-safe.
 */
public final class Registry {
    private static final Map<String, LayerType> REGISTERED_TYPES = new ConcurrentHashMap<>();
    private static final Map<String, Activation> REGISTERED_ACTIVATIONS = new ConcurrentHashMap<>();

    private Registry() {
    }

    private static final class Loaded {
        static final Map<String, LayerType> TYPES = loadTypes();
        static final List<ActivationProvider> ACTIVATIONS = loadActivations();

        private static Map<String, LayerType> loadTypes() {
            Map<String, LayerType> m = new TreeMap<>();
            for (LayerType t : ServiceLoader.load(LayerType.class, Registry.class.getClassLoader())) {
                LayerType old = m.putIfAbsent(t.name(), t);
                if (old != null && old.getClass() != t.getClass()) {
                    throw new IllegalStateException("layer type '" + t.name() + "' is provided by both "
                            + old.getClass().getName() + " and " + t.getClass().getName());
                }
            }
            return m;
        }

        private static List<ActivationProvider> loadActivations() {
            List<ActivationProvider> l = new ArrayList<>();
            for (ActivationProvider p : ServiceLoader.load(ActivationProvider.class, Registry.class.getClassLoader())) {
                l.add(p);
            }
            return List.copyOf(l);
        }
    }

    /**
     * Registers a layer type from code.
     *
     * @param type the layer type
     * @throws IllegalArgumentException if the name is already taken
     */
    public static void register(LayerType type) {
        Objects.requireNonNull(type, "type");
        LayerType provided = Loaded.TYPES.get(type.name());
        if (provided != null || REGISTERED_TYPES.putIfAbsent(type.name(), type) != null) {
            throw new IllegalArgumentException("layer type '" + type.name() + "' is already registered (by "
                    + (provided != null ? provided : REGISTERED_TYPES.get(type.name())).getClass().getName() + ")");
        }
    }

    /**
     * Registers a named activation from code (so that layers using it can be saved and loaded).
     *
     * @param activation the activation
     * @throws IllegalArgumentException if the name is already taken
     */
    public static void register(Activation activation) {
        Objects.requireNonNull(activation, "activation");
        String name = activation.name();
        if (findProvided(name) != null || REGISTERED_ACTIVATIONS.putIfAbsent(name, activation) != null) {
            throw new IllegalArgumentException("activation '" + name + "' is already registered");
        }
    }

    /**
     * The layer type of this name.
     *
     * @param name the type name
     * @return the layer type
     * @throws IllegalArgumentException if none is known, listing those that are
     */
    public static LayerType layerType(String name) {
        LayerType t = Loaded.TYPES.get(name);
        if (t == null) {
            t = REGISTERED_TYPES.get(name);
        }
        if (t == null) {
            throw new IllegalArgumentException("no layer type '" + name + "' is registered (known: " + layerTypeNames()
                    + "); provide it as a io.vecnn.api.LayerType service or call Registry.register");
        }
        return t;
    }

    /**
     * The names of every known layer type, sorted.
     *
     * @return the type names
     */
    public static List<String> layerTypeNames() {
        TreeMap<String, LayerType> all = new TreeMap<>(Loaded.TYPES);
        all.putAll(REGISTERED_TYPES);
        return List.copyOf(all.keySet());
    }

    /**
     * The activation of this name (as {@link Activation#name()} prints it).
     *
     * @param name the activation's name
     * @return the activation
     * @throws IllegalArgumentException if none is known, or the name's parameter is malformed
     */
    public static Activation activation(String name) {
        Activation a = findProvided(name);
        if (a == null) {
            a = REGISTERED_ACTIVATIONS.get(name);
        }
        if (a == null) {
            throw new IllegalArgumentException("no activation '" + name + "' is registered; built-in ones come with "
                    + "io.vecnn.layers, others must be provided as a io.vecnn.api.ActivationProvider service or "
                    + "registered with Registry.register");
        }
        return a;
    }

    /**
     * Whether {@link #activation} would resolve {@code a.name()} to an activation of the same name.
     *
     * @param a the activation
     * @return true if saving a model that uses it can be loaded back
     */
    public static boolean isRegistered(Activation a) {
        try {
            return activation(a.name()).name().equals(a.name());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Activation findProvided(String name) {
        Activation found = null;
        for (ActivationProvider p : Loaded.ACTIVATIONS) {
            Activation a = p.find(name);
            if (a != null) {
                if (found != null) {
                    throw new IllegalStateException("activation '" + name + "' is provided twice (by "
                            + p.getClass().getName() + " and another provider)");
                }
                found = a;
            }
        }
        return found;
    }
}
