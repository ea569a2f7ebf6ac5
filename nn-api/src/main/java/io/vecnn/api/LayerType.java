package io.vecnn.api;

/**
 * Rebuilds nodes of one type from their configuration: the service through which checkpoints (and
 * other formats) load layers they did not create. Built-in types come with {@code io.vecnn.layers};
 * another project registers its own by providing this service ({@code provides
 * io.vecnn.api.LayerType with ...} in its module descriptor, or a
 * {@code META-INF/services/io.vecnn.api.LayerType} file on the class path) or through
 * {@link Registry#register(LayerType)}.
 */
public interface LayerType {
    /**
     * The type name, as {@link Node#type()} returns it (e.g. {@code "dense"}).
     *
     * @return the type name
     */
    String name();

    /**
     * A node equal in structure to the one that produced {@code config} (its tensors are restored
     * afterwards, by name).
     *
     * @param config the configuration the node's {@link Node#config()} gave
     * @param context the node's name, position, input shapes and random generator
     * @return the new node
     * @throws IllegalArgumentException if the configuration is incomplete or invalid
     * @throws ShapeException           if the inputs do not fit
     */
    Node create(LayerConfig config, BuildContext context);
}
