package io.vecnn.interop.internal;

import io.vecnn.api.Matrix;
import io.vecnn.api.Node;
import io.vecnn.layers.Add;
import io.vecnn.layers.BatchNorm;
import io.vecnn.layers.Conv2D;
import io.vecnn.layers.Pool2D;
import io.vecnn.layers.Concat;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Embedding;
import io.vecnn.layers.Flatten;
import io.vecnn.layers.LayerNorm;

import java.util.Map;
import java.util.TreeMap;

/**
 * The table of {@link NodeFormat}s by node type name: the one place where a node type is made
 * exportable. To add one, write its {@link NodeFormat} (see
 * {@link BuiltinFormats} for the pattern) and add a line here.
 */
public final class NodeFormats {
    private static final Map<String, NodeFormat> BY_TYPE = new TreeMap<>(Map.ofEntries(
            Map.entry(Dense.TYPE, BuiltinFormats.DENSE),
            Map.entry(Dropout.TYPE, BuiltinFormats.DROPOUT),
            Map.entry(Flatten.TYPE, BuiltinFormats.FLATTEN),
            Map.entry(Add.TYPE, BuiltinFormats.ADD),
            Map.entry(Concat.TYPE, BuiltinFormats.CONCAT),
            Map.entry(LayerNorm.TYPE, BuiltinFormats.LAYER_NORM),
            Map.entry(Embedding.TYPE, BuiltinFormats.EMBEDDING),
            Map.entry(Conv2D.TYPE, BuiltinFormats.CONV2D),
            Map.entry(Pool2D.MAX_TYPE, BuiltinFormats.MAX_POOL),
            Map.entry(Pool2D.AVG_TYPE, BuiltinFormats.AVG_POOL),
            Map.entry(Pool2D.GLOBAL_AVG_TYPE, BuiltinFormats.GLOBAL_AVG_POOL),
            Map.entry(BatchNorm.TYPE, BuiltinFormats.BATCH_NORM)));

    private NodeFormats() {
    }

    /**
     * The entry for {@code node}.
     *
     * @throws IllegalArgumentException naming the node if its type has no entry, or if the entry is
     *                                  for another class of the same type name
     */
    public static NodeFormat require(Node node) {
        NodeFormat f = BY_TYPE.get(node.type());
        if (f == null) {
            throw new IllegalArgumentException("node '" + node.name() + "' has type '" + node.type()
                    + "', which the exporter does not know (it knows " + String.join(", ", BY_TYPE.keySet()) + ")");
        }
        if (!f.nodeClass().isInstance(node)) {
            throw new IllegalArgumentException("node '" + node.name() + "' has type '" + node.type() + "' but is a "
                    + node.getClass().getName() + ", not the built-in " + f.nodeClass().getName()
                    + "; the exporter converts only the built-in class of that name");
        }
        return f;
    }

    /**
     * The outside shape of {@code node}'s tensor (see {@link NodeFormat#dims}); the matrix's
     * rows × cols for a node without an entry (another project's layer).
     */
    public static long[] dims(Node node, String tensor, Matrix value) {
        NodeFormat f = BY_TYPE.get(node.type());
        if (f == null || !f.nodeClass().isInstance(node)) {
            return new long[] {value.rows(), value.cols()};
        }
        long[] d = f.dims(node, tensor, value);
        long n = 1;
        for (long x : d) {
            n = Math.multiplyExact(n, x);
        }
        if (n != value.size()) {
            throw new IllegalStateException("the " + node.type() + " format gives " + tensor + " " + n
                    + " elements, it has " + value.size());
        }
        return d;
    }
}
