package io.vecnn.layers;

import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;

import java.util.Objects;

/**
 * Flattens each sample to a feature vector (C × H × W → C·H·W), as before a dense layer. Samples
 * are already stored row-major in their batch row, so forward and backward hand the same matrix on:
 * no copy, no computation. Type name {@value #TYPE}; empty configuration.
 */
public final class Flatten implements Layer {
    /** The type name in checkpoints. */
    public static final String TYPE = "flatten";

    private final String name;
    private final Shape input;
    private final Shape output;

    /**
     * A flatten layer for inputs of this shape.
     *
     * @param name the layer's name
     * @param input the shape of one input sample
     */
    public Flatten(String name, Shape input) {
        this.name = Objects.requireNonNull(name, "name");
        this.input = Objects.requireNonNull(input, "input");
        this.output = Shape.of(input.size());
    }

    /**
     * A spec for a flatten layer.
     *
     * @return the spec
     */
    public static Layer.Spec of() {
        return context -> {
            String nm = context.name(TYPE);
            return new Flatten(nm, context.inputShape(nm));
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape inputShape() {
        return input;
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LayerConfig config() {
        return LayerConfig.empty();
    }

    @Override
    public State newState() {
        return new State() {
        };
    }

    @Override
    public Matrix forward(Matrix in, State state) {
        ShapeException.requireBatch(name, "input", in, input.size());
        return in;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        return needInputGradient ? outputGradient : null;
    }
}
