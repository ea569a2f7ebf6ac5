package io.vecnn.examples;

import io.vecnn.api.Model;
import io.vecnn.api.Shape;
import io.vecnn.interop.OnnxExport;
import io.vecnn.interop.SafeTensors;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Add;
import io.vecnn.layers.Dense;

import java.io.IOException;
import java.nio.file.Path;

public final class ExportModel {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        Model model = Model.graph()                                 // a residual block
                .input("x", Shape.of(16))
                .add("hidden", Dense.of(16, Activations.gelu()), "x")
                .add("residual", Add.of(), "x", "hidden")
                .add("probabilities", Dense.of(4, Activations.softmax()), "residual")
                .build();
        OnnxExport.write(model, dir.resolve("model.onnx"));         // opset 17: input "x" [batch, 16]
        SafeTensors.save(model, dir.resolve("model.safetensors"));  // "hidden.weight" [16, 16], as nn.Linear
        SafeTensors.load(dir.resolve("model.safetensors"), model);  // names and shapes checked first
    }
}
