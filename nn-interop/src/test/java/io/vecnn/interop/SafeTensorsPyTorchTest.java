package io.vecnn.interop;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Weights written by PyTorch load into the same vecnn architecture and compute PyTorch's outputs;
 * weights written by vecnn load into the PyTorch module (strictly: names and shapes) and compute
 * vecnn's. Needs Debian's python3-torch; skipped, saying so, where it is not installed.
 */
class SafeTensorsPyTorchTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    // vecnn's dense layers i = 1, 2, 3 are modules 0, 2, 4 of the PyTorch nn.Sequential (activations between).
    private static final Map<String, String> TORCH_INDEX = Map.of("dense1", "0", "dense2", "2", "dense3", "4");
    private static final UnaryOperator<String> TORCH_NAMES =
            n -> TORCH_INDEX.get(n.substring(0, n.indexOf('.'))) + n.substring(n.indexOf('.'));

    @TempDir
    static Path dir;
    private static Path script;

    @BeforeAll
    static void torchIsInstalled() throws Exception {
        boolean torch = Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import torch, numpy")).exit == 0;
        assumeTrue(torch, "skipped: /usr/bin/python3 with torch and numpy is not installed (Debian: apt-get install python3-torch)");
        script = dir.resolve("torch_roundtrip.py");
        try (InputStream in = SafeTensorsPyTorchTest.class.getResourceAsStream("torch_roundtrip.py")) {
            Files.copy(in, script);
        }
        Result r = run(List.of(PYTHON.toString(), script.toString(), "make", dir.toString()));
        assertEquals(0, r.exit, "torch_roundtrip.py make: " + r.output);
    }

    private static Model vecnnModel() {
        return Model.builder(6)
                .add(Dense.of(8, Activations.relu()))
                .add(Dense.of(5, Activations.gelu()))
                .add(Dense.of(3, Activations.softmax()))
                .build();
    }

    @Test
    void pyTorchWeightsComputePyTorchsOutputsInVecnnAndVecnnWeightsLoadBackIntoPyTorch() throws Exception {
        Model m = vecnnModel();
        SafeTensors.load(dir.resolve("torch.safetensors"), m, TORCH_NAMES);
        SafeTensors.Contents io = SafeTensors.read(dir.resolve("io.safetensors"));
        Matrix x = matrix(io.tensors().get("input"));
        Ort.assertClose(matrix(io.tensors().get("output")), flat(m.predict(x)), "PyTorch's weights in vecnn");

        // Change every weight, so that what PyTorch computes next can only come from vecnn's file.
        SplittableRandom r = new SplittableRandom(5);
        for (Parameter p : m.parameters()) {
            for (int i = 0; i < p.size(); i++) {
                p.value().data()[p.value().offset() + i] *= (float) (0.5 + r.nextDouble());
            }
        }
        Matrix x2 = Ort.random(5, 6, r);
        SafeTensors.save(m, dir.resolve("vecnn.safetensors"), TORCH_NAMES);
        SafeTensors.write(dir.resolve("vecnn-io.safetensors"), new SafeTensors.Contents(Map.of(
                "input", new SafeTensors.Tensor(new long[] {5, 6}, flat(x2)),
                "output", new SafeTensors.Tensor(new long[] {5, 3}, flat(m.predict(x2)))), Map.of()));
        Result check = run(List.of(PYTHON.toString(), script.toString(), "check", dir.toString()));
        System.out.print(check.output);
        assertEquals(0, check.exit, "torch_roundtrip.py check: " + check.output);
    }

    @Test
    void halfAndBfloat16WeightsFromPyTorchAreWidenedExactly() throws Exception {
        SafeTensors.Contents io = SafeTensors.read(dir.resolve("io.safetensors"));
        Matrix x = matrix(io.tensors().get("input"));
        for (String kind : new String[] {"f16", "bf16"}) {
            Model m = vecnnModel();
            SafeTensors.load(dir.resolve("torch-" + kind + ".safetensors"), m, TORCH_NAMES);
            Ort.assertClose(matrix(io.tensors().get("output_" + kind)), flat(m.predict(x)), kind + " weights");
        }
        // The same weights at F32 give other outputs: the comparison above sees the rounding.
        Model full = vecnnModel();
        SafeTensors.load(dir.resolve("torch.safetensors"), full, TORCH_NAMES);
        float[] f32 = flat(full.predict(x));
        float[] bf16 = flat(matrix(io.tensors().get("output_bf16")));
        assertFalse(java.util.Arrays.equals(f32, bf16), "bf16 rounding changes the outputs");
    }

    private static Matrix matrix(SafeTensors.Tensor t) {
        assertEquals(2, t.shape().length);
        return Matrix.wrap((int) t.shape()[0], (int) t.shape()[1], t.values());
    }

    private static float[] flat(Matrix m) {
        return SafeTensorsTest.flat(m);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
