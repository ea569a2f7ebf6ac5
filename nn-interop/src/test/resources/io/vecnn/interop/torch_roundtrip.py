"""PyTorch side of SafeTensorsPyTorchTest: safetensors files written and read with torch alone.

Debian packages python3-torch but not the safetensors module, so the format (an 8-byte little-endian
header length, a JSON header, the raw little-endian tensors) is written and read here with struct and
json, as the format's specification describes it.

  make DIR   seeds and writes DIR/torch.safetensors (F32), DIR/torch-f16.safetensors,
             DIR/torch-bf16.safetensors and DIR/io.safetensors (inputs and the outputs of each)
  check DIR  loads DIR/vecnn.safetensors into the same module (strict: names and shapes), runs
             DIR/vecnn-io.safetensors' input and compares with vecnn's output; exit 1 on mismatch
"""
import json
import struct
import sys

import numpy as np
import torch

assert sys.byteorder == "little"
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def model():
    # vecnn: Dense(8, relu), Dense(5, gelu) (tanh form), Dense(3, softmax) on 6 inputs.
    return torch.nn.Sequential(
        torch.nn.Linear(6, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 5), torch.nn.GELU(approximate="tanh"),
        torch.nn.Linear(5, 3), torch.nn.Softmax(dim=1))


def raw_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:   # numpy has no bfloat16: same bits as int16
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    for name, t in tensors.items():
        n = t.numel() * t.element_size()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    h = json.dumps(header).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for t in tensors.values():
            f.write(raw_bytes(t))


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = {}
    for name, e in header.items():
        assert e["dtype"] == "F32", (name, e["dtype"])
        begin, end = e["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(body[begin:end], dtype="<f4").copy()).reshape(e["shape"])
    return tensors, metadata


def make(d):
    torch.manual_seed(1234)
    m = model().eval()
    x = torch.rand(7, 6) * 4 - 2
    state = m.state_dict()
    meta = {"format": "pt"}
    write(d + "/torch.safetensors", state, meta)
    io = {"input": x}
    with torch.no_grad():
        io["output"] = m(x)
        for dtype, key in ((torch.float16, "f16"), (torch.bfloat16, "bf16")):
            low = {k: v.to(dtype) for k, v in state.items()}
            write(d + "/torch-" + key + ".safetensors", low, meta)
            widened = model().eval()
            widened.load_state_dict({k: v.float() for k, v in low.items()})
            io["output_" + key] = widened(x)
    write(d + "/io.safetensors", io, {})


def check(d):
    tensors, metadata = read(d + "/vecnn.safetensors")
    if metadata.get("format") != "pt":
        sys.exit("vecnn.safetensors: metadata format is %r, not 'pt'" % metadata.get("format"))
    m = model().eval()
    m.load_state_dict(tensors, strict=True)
    io, _ = read(d + "/vecnn-io.safetensors")
    with torch.no_grad():
        y = m(io["input"])
    err = (y - io["output"]).abs().max().item()
    scale = io["output"].abs().max().item()
    print("torch vs vecnn: max abs error %.3g at output scale %.3g" % (err, scale))
    if not err <= 1e-5 * scale:
        sys.exit("outputs differ by %.3g (scale %.3g)" % (err, scale))


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
