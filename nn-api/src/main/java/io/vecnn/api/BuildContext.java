package io.vecnn.api;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What a {@link Node.Spec} or a {@link LayerType} knows when it creates a node: the node's name
 * (or a default from its position), the shapes of its inputs and a generator for its initial
 * values (derived from the model's seed, one independent stream per node).
 */
public final class BuildContext {
    private final String name;
    private final int position;
    private final List<Shape> inputShapes;
    private final RandomGenerator random;

    private BuildContext(String name, int position, List<Shape> inputShapes, RandomGenerator random) {
        this.name = name;
        this.position = position;
        this.inputShapes = List.copyOf(inputShapes);
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * A context.
     *
     * @param name        the node's name, or null to let the spec choose a default from the position
     * @param position    the node's 1-based position in its model
     * @param inputShapes the shapes of the node's inputs (at least one)
     * @param random      the generator for the node's initial values
     * @return the context
     */
    public static BuildContext of(String name, int position, List<Shape> inputShapes, RandomGenerator random) {
        if (inputShapes.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one input");
        }
        return new BuildContext(name, position, inputShapes, random);
    }

    /**
     * The given name, or {@code prefix} followed by the position (e.g. {@code "dense3"}).
     *
     * @param prefix the default name's prefix, usually the type name
     * @return the node's name
     */
    public String name(String prefix) {
        return name != null ? name : prefix + position;
    }

    /**
     * The 1-based position of the node in its model.
     *
     * @return the position, from 1
     */
    public int position() {
        return position;
    }

    /**
     * The input shapes, in order.
     *
     * @return the shapes of one sample of each input
     */
    public List<Shape> inputShapes() {
        return inputShapes;
    }

    /**
     * The one input's shape.
     *
     * @param who the node's name, for the message
     * @return the shape of one sample of the input
     * @throws ShapeException if the node has more than one input
     */
    public Shape inputShape(String who) {
        if (inputShapes.size() != 1) {
            throw new ShapeException(who, "one input", inputShapes.size() + " inputs " + inputShapes);
        }
        return inputShapes.get(0);
    }

    /**
     * The generator for this node's initial values.
     *
     * @return the node's random generator
     */
    public RandomGenerator random() {
        return random;
    }
}
