module io.vecnn.examples {
    requires io.vecnn.train;     // Trainer, Optimizers, datasets, checkpoints; the API, layers and kernels come with it
    requires io.vecnn.interop;   // ONNX export and safetensors (only if you use them)
}
