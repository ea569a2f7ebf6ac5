package io.vecnn.interop.internal;

import io.vecnn.api.Activation;
import io.vecnn.layers.Activations;

import java.util.List;

/** The ONNX operators of each built-in activation. */
final class ActivationOps {
    // GELU's tanh form, as vecnn computes it: ½z(1 + tanh(√(2/π)(z + 0.044715z³))).
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_K = 0.044715f;

    private ActivationOps() {
    }

    /** Whether {@code a} is the built-in activation of its name (not a user's function under that name). */
    static boolean isBuiltin(Activation a) {
        try {
            Activation b = Activations.find(a.name());
            return b != null && b.equals(a);
        } catch (IllegalArgumentException e) {
            return false;   // a built-in name with a malformed parameter: someone else's function
        }
    }

    /**
     * Checks that {@code f} can be exported.
     *
     * @throws IllegalArgumentException naming the node and the activation if it is not built in
     */
    static void requireExportable(Activation f, OnnxGraph.Scope onnx) {
        if (!isBuiltin(f)) {
            throw onnx.refuse("its activation '" + f.name() + "' is user-defined (" + f.getClass().getName()
                    + "); only the built-in activations of io.vecnn.layers.Activations have ONNX operators");
        }
    }

    /**
     * Emits h = f(z) from value {@code z} into value {@code h}.
     *
     * @throws IllegalArgumentException naming the node if {@code f} is not a built-in activation
     */
    static void emit(Activation f, String z, String h, OnnxGraph.Scope onnx) {
        requireExportable(f, onnx);
        String name = f.name();
        switch (name) {
            case "identity" -> onnx.op("Identity", List.of(z), h);
            case "sigmoid" -> onnx.op("Sigmoid", List.of(z), h);
            case "tanh" -> onnx.op("Tanh", List.of(z), h);
            case "relu" -> onnx.op("Relu", List.of(z), h);
            case "softplus" -> onnx.op("Softplus", List.of(z), h);
            case "softmax" -> onnx.op("Softmax", List.of(z), h, OnnxGraph.attribute("axis", -1L));
            case "silu" -> {
                String s = onnx.temporary("sigmoid");
                onnx.op("Sigmoid", List.of(z), s);
                onnx.op("Mul", List.of(z, s), h);
            }
            case "gelu" -> {
                String z2 = onnx.temporary("z2");
                String z3 = onnx.temporary("z3");
                String kz3 = onnx.temporary("kz3");
                String inner = onnx.temporary("inner");
                String scaled = onnx.temporary("scaled");
                String t = onnx.temporary("tanh");
                String onePlus = onnx.temporary("one_plus_tanh");
                String half = onnx.temporary("half_z");
                onnx.op("Mul", List.of(z, z), z2);
                onnx.op("Mul", List.of(z2, z), z3);
                onnx.op("Mul", List.of(onnx.scalar(GELU_K), z3), kz3);
                onnx.op("Add", List.of(z, kz3), inner);
                onnx.op("Mul", List.of(onnx.scalar(GELU_C), inner), scaled);
                onnx.op("Tanh", List.of(scaled), t);
                onnx.op("Add", List.of(onnx.scalar(1f), t), onePlus);
                onnx.op("Mul", List.of(onnx.scalar(0.5f), z), half);
                onnx.op("Mul", List.of(half, onePlus), h);
            }
            case "gelu_erf" -> {
                // ½z(1 + erf(z/√2)) with opset 17's Erf (ONNX's Gelu operator needs opset 20)
                String scaled = onnx.temporary("z_over_sqrt2");
                String erf = onnx.temporary("erf");
                String onePlus = onnx.temporary("one_plus_erf");
                String half = onnx.temporary("half_z");
                onnx.op("Mul", List.of(onnx.scalar((float) Math.sqrt(0.5)), z), scaled);
                onnx.op("Erf", List.of(scaled), erf);
                onnx.op("Add", List.of(onnx.scalar(1f), erf), onePlus);
                onnx.op("Mul", List.of(onnx.scalar(0.5f), z), half);
                onnx.op("Mul", List.of(half, onePlus), h);
            }
            default -> {
                if (name.startsWith("leaky_relu(")) {
                    onnx.op("LeakyRelu", List.of(z), h, OnnxGraph.attribute("alpha", parameter(name)));
                } else if (name.startsWith("elu(")) {
                    onnx.op("Elu", List.of(z), h, OnnxGraph.attribute("alpha", parameter(name)));
                } else {
                    throw onnx.refuse("the built-in activation '" + name + "' has no ONNX conversion yet");
                }
            }
        }
    }

    // The parameter of "leaky_relu(0.01)" or "elu(1.0)": the built-in names print it with Float.toString,
    // which reads back exactly.
    private static float parameter(String name) {
        return Float.parseFloat(name.substring(name.indexOf('(') + 1, name.length() - 1));
    }
}
