package io.vecnn.layers.internal;

import io.vecnn.api.BuildContext;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.LayerType;
import io.vecnn.api.Node;
import io.vecnn.api.Registry;
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

/**
 * The built-in layer types, provided to {@link io.vecnn.api.Registry} through
 * {@link java.util.ServiceLoader} (this module's descriptor and {@code META-INF/services}). Each
 * rebuilds its node from the configuration the node wrote ({@link Node#config()}).
 */
public final class BuiltinLayerTypes {
    private BuiltinLayerTypes() {
    }

    /** {@link Dense}: units, activation, bias. */
    public static final class DenseType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public DenseType() {
        }

        @Override
        public String name() {
            return Dense.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Dense.of(c.getInt("units"), Registry.activation(c.getString("activation"))).bias(c.getBoolean("bias"))
                    .create(context);
        }
    }

    /** {@link Dropout}: rate, seed. */
    public static final class DropoutType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public DropoutType() {
        }

        @Override
        public String name() {
            return Dropout.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            String name = context.name(Dropout.TYPE);
            return new Dropout(name, context.inputShape(name), c.getFloat("rate"), c.getLong("seed"));
        }
    }

    /** {@link Flatten}. */
    public static final class FlattenType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public FlattenType() {
        }

        @Override
        public String name() {
            return Flatten.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Flatten.of().create(context);
        }
    }

    /** {@link Add}. */
    public static final class AddType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public AddType() {
        }

        @Override
        public String name() {
            return Add.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Add.of().create(context);
        }
    }

    /** {@link Concat}. */
    public static final class ConcatType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public ConcatType() {
        }

        @Override
        public String name() {
            return Concat.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Concat.of().create(context);
        }
    }

    /** {@link LayerNorm}: eps. */
    public static final class LayerNormType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public LayerNormType() {
        }

        @Override
        public String name() {
            return LayerNorm.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return LayerNorm.of(c.getFloat("eps")).create(context);
        }
    }

    /** {@link Embedding}: vocabulary, dim. */
    public static final class EmbeddingType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public EmbeddingType() {
        }

        @Override
        public String name() {
            return Embedding.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Embedding.of(c.getInt("vocabulary"), c.getInt("dim")).create(context);
        }
    }

    /** {@link Conv2D}: filters, kernel, stride, padding, activation, bias. */
    public static final class Conv2DType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public Conv2DType() {
        }

        @Override
        public String name() {
            return Conv2D.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Conv2D.of(c.getInt("filters"), c.getInt("kernel")).stride(c.getInt("stride")).padding(c.getInt("padding"))
                    .activation(Registry.activation(c.getString("activation"))).bias(c.getBoolean("bias")).create(context);
        }
    }

    /** {@link Pool2D#max}: kernel, stride, padding. */
    public static final class MaxPool2DType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public MaxPool2DType() {
        }

        @Override
        public String name() {
            return Pool2D.MAX_TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Pool2D.max(c.getInt("kernel"), c.getInt("stride"), c.getInt("padding")).create(context);
        }
    }

    /** {@link Pool2D#average}: kernel, stride, padding. */
    public static final class AvgPool2DType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public AvgPool2DType() {
        }

        @Override
        public String name() {
            return Pool2D.AVG_TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Pool2D.average(c.getInt("kernel"), c.getInt("stride"), c.getInt("padding")).create(context);
        }
    }

    /** {@link Pool2D#globalAverage}. */
    public static final class GlobalAvgPoolType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public GlobalAvgPoolType() {
        }

        @Override
        public String name() {
            return Pool2D.GLOBAL_AVG_TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return Pool2D.globalAverage().create(context);
        }
    }

    /** {@link BatchNorm}: eps, momentum, activation. */
    public static final class BatchNormType implements LayerType {
        /** For {@link java.util.ServiceLoader}. */
        public BatchNormType() {
        }

        @Override
        public String name() {
            return BatchNorm.TYPE;
        }

        @Override
        public Node create(LayerConfig c, BuildContext context) {
            return BatchNorm.of(c.getFloat("eps"), c.getFloat("momentum"), Registry.activation(c.getString("activation")))
                    .create(context);
        }
    }
}
