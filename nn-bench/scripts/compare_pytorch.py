#!/usr/bin/python3
"""Train 784-256-128-10 on Fashion-MNIST with PyTorch and with vecnn, interleaved, and compare.

Both frameworks train the same network (ReLU, softmax cross-entropy, constant learning rate; Adam
lr 1e-3 or SGD momentum 0.9 lr 0.01; with --net cnn the built-in CNN of `train --model cnn`:
conv3x3(32, pad 1, no bias)-BN-ReLU-maxpool2, conv3x3(64, pad 1, no bias)-BN-ReLU-maxpool2,
dense 128 ReLU, dense 10; or with --net classic the seeds' 784-100-10 sigmoid network,
quadratic cost, plain SGD lr 3) with the same batch size and epoch count, each in its own worker
process that stays warm between rounds. Each round trains one epoch in each framework, alternating
which goes first. Timed, for both: shuffling, batching, forward, backward and update of one epoch;
not file loading, not evaluation. The first --warmup epochs are left out of the medians (JIT and
allocator warm-up).

Two thread configurations, each reported under its own name:
  default  PyTorch as installed (Debian: one OpenMP thread, OpenBLAS with one thread per core),
           vecnn with its default (all processors).
  pinned   PyTorch with torch.set_num_threads(1), OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1;
           vecnn with -Dvecnn.threads=1.

Run from the repository root after building the benchmarks jar
(mvn -P bench -pl nn-bench -am -DskipTests package), with Debian's Python:
  /usr/bin/python3 nn-bench/scripts/compare_pytorch.py
  /usr/bin/python3 nn-bench/scripts/compare_pytorch.py --batch 32,128,512 --optimizer adam,sgd --json out.json
  /usr/bin/python3 nn-bench/scripts/compare_pytorch.py --net classic --batch 10 --config pinned
Needs python3-torch, python3-numpy and dataset-fashion-mnist (apt-get install).
"""
import argparse
import glob
import gzip
import json
import os
import statistics
import subprocess
import sys
import time

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
JAR = os.path.normpath(os.path.join(HERE, "..", "target", "benchmarks.jar"))
PEER_CRIPPLING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# ---------------------------------------------------------------- the PyTorch worker

def read_idx(path, offset):
    import numpy as np
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def openblas_report():
    """The OpenBLAS this process loaded (PyTorch's BLAS on Debian): its kernel and thread count."""
    import ctypes
    lib = None
    for name in ("libblas.so.3", "libopenblas.so.0"):  # Debian's torch links libblas.so.3: the same handle
        try:
            lib = ctypes.CDLL(name)
            if hasattr(lib, "openblas_get_corename"):
                break
        except OSError:
            pass
        lib = None
    if lib is None:
        return "not OpenBLAS (no openblas_get_corename in libblas.so.3)"
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.openblas_get_config.restype = ctypes.c_char_p
    return (f"{lib.openblas_get_config().decode()}: core {lib.openblas_get_corename().decode()}, "
            f"{lib.openblas_get_num_threads()} threads")


def torch_worker(args):
    import torch
    import torch.nn.functional as F
    if args.threads == "1":
        torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    x = torch.from_numpy(read_idx(f"{args.data}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype("float32") / 255.0)
    y = torch.from_numpy(read_idx(f"{args.data}/train-labels-idx1-ubyte.gz", 8).astype("int64"))
    xt = torch.from_numpy(read_idx(f"{args.data}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype("float32") / 255.0)
    yt = torch.from_numpy(read_idx(f"{args.data}/t10k-labels-idx1-ubyte.gz", 8).astype("int64"))
    if args.net == "cnn":
        x, xt = x.reshape(-1, 1, 28, 28), xt.reshape(-1, 1, 28, 28)
    if args.net == "classic":
        model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.Sigmoid(),
                                    torch.nn.Linear(100, 10), torch.nn.Sigmoid())
        opt = torch.optim.SGD(model.parameters(), lr=3.0)
        eye = torch.eye(10)

        def loss_fn(out, labels):  # quadratic cost: mean over the batch of ½‖a − y‖²
            return 0.5 * (out - eye[labels]).pow(2).sum(1).mean()
    else:
        if args.net == "cnn":
            nn = torch.nn
            model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
        else:
            model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                        torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                        torch.nn.Linear(128, 10))
        loss_fn = F.cross_entropy
        if args.optimizer == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        else:
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    gen = torch.Generator().manual_seed(args.seed)
    n, b = x.shape[0], args.batch
    say({"ready": True, "framework": "pytorch " + torch.__version__, "threads": torch.get_num_threads(),
         "blas": openblas_report(), "train": n, "test": xt.shape[0]})
    epoch = 0
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "epoch":
            epoch += 1
            model.train()
            total = 0.0
            start = time.perf_counter()
            perm = torch.randperm(n, generator=gen)
            for i in range(0, n, b):
                idx = perm[i:i + b]
                xb, yb = x[idx], y[idx]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.item() * idx.shape[0]
            seconds = time.perf_counter() - start
            say({"epoch": epoch, "seconds": seconds, "samples": n, "loss": total / n})
        elif cmd == "evaluate":
            model.eval()
            with torch.no_grad():
                out = model(xt)
                acc = (out.argmax(1) == yt).float().mean().item()
                loss = loss_fn(out, yt).item()
            say({"accuracy": acc, "loss": loss})
        elif cmd == "quit":
            break
        else:
            raise SystemExit(f"torch worker: unknown command {cmd!r}")


def say(obj):
    print(json.dumps(obj), flush=True)


# ---------------------------------------------------------------- the driver

def find_java25():
    """A JDK 25+ java: JAVA_HOME if it is one, else the first under /usr/lib/jvm."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.environ["JAVA_HOME"])
    candidates += sorted(glob.glob("/usr/lib/jvm/*"), reverse=True)
    for home in candidates:
        release = os.path.join(home, "release")
        java = os.path.join(home, "bin", "java")
        if not (os.path.isfile(release) and os.access(java, os.X_OK)):
            continue
        with open(release) as f:
            for line in f:
                if line.startswith("JAVA_VERSION="):
                    major = line.split("=", 1)[1].strip().strip('"').split(".")[0]
                    if major.isdigit() and int(major) >= 25:
                        return java
    raise SystemExit("no JDK 25 found (JAVA_HOME or /usr/lib/jvm/*); vecnn needs one")


class Worker:
    def __init__(self, name, cmd, env):
        self.name = name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        self.info = self.read()
        if not self.info.get("ready"):
            raise SystemExit(f"{name} worker did not start: {self.info}")

    def read(self):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"{self.name} worker ended unexpectedly (exit {self.proc.wait()})")
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
            print(f"  [{self.name}] {line}", file=sys.stderr)  # log lines, e.g. the kernel provider's

    def ask(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait(timeout=60)


def start_workers(args, optimizer, batch, config, java):
    torch_env = dict(os.environ)
    # OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set in the environment on some of these machines) make
    # OpenBLAS run a kernel for another CPU: PyTorch's dense layers would run at a fraction of this
    # CPU's speed. The peer runs at its best, so they go, and the worker reports the kernel it runs.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS") + PEER_CRIPPLING:
        torch_env.pop(var, None)
    if config == "pinned":
        torch_env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    common = ["--net", args.net, "--optimizer", optimizer, "--batch", str(batch), "--epochs", str(args.epochs), "--seed", str(args.seed),
              "--data", args.data]
    torch_cmd = [sys.executable, os.path.abspath(__file__), "--worker", "torch", "--threads",
                 "1" if config == "pinned" else "default"] + common
    vec_cmd = [java, "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"]
    if config == "pinned":
        vec_cmd.append("-Dvecnn.threads=1")
    vec_cmd += ["-cp", args.jar, "io.vecnn.bench.peer.TrainingRounds"] + common
    return Worker("pytorch", torch_cmd, torch_env), Worker("vecnn", vec_cmd, dict(os.environ))


def run_pair(args, optimizer, batch, config, java):
    torch_w, vec_w = start_workers(args, optimizer, batch, config, java)
    rates = {"pytorch": [], "vecnn": []}
    try:
        for r in range(args.epochs):
            order = [torch_w, vec_w] if r % 2 == 0 else [vec_w, torch_w]
            for w in order:
                time.sleep(args.pause)  # let the other process's spinning threads go idle
                m = w.ask("epoch")
                rates[w.name].append(m["samples"] / m["seconds"])
            print(f"  round {r + 1}/{args.epochs}: pytorch {rates['pytorch'][-1]:,.0f}  vecnn {rates['vecnn'][-1]:,.0f} samples/s"
                  + ("  (warm-up, not counted)" if r < args.warmup else ""), file=sys.stderr)
        acc = {w.name: w.ask("evaluate")["accuracy"] for w in (torch_w, vec_w)}
        threads = {"pytorch": torch_w.info["threads"], "vecnn": vec_w.info["threads"]}
        version = torch_w.info["framework"]
        blas = torch_w.info.get("blas", "unknown")
    finally:
        torch_w.close()
        vec_w.close()
    row = {"config": config, "optimizer": optimizer, "batch": batch, "epochs": args.epochs, "warmup": args.warmup,
           "pytorch_version": version, "pytorch_blas": blas, "threads": threads}
    for name in ("pytorch", "vecnn"):
        counted = rates[name][args.warmup:]
        row[name] = {"median": statistics.median(counted), "min": min(counted), "max": max(counted),
                     "all": rates[name], "accuracy": acc[name]}
    row["ratio"] = row["vecnn"]["median"] / row["pytorch"]["median"]
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--worker", choices=["torch"], help=argparse.SUPPRESS)
    p.add_argument("--threads", default="default", help=argparse.SUPPRESS)
    p.add_argument("--net", default="mlp", choices=["mlp", "cnn", "classic"],
                   help="mlp: 784-256-128-10 ReLU, cross-entropy (default); cnn: the built-in CNN (train --model cnn); classic: the seeds' 784-100-10 sigmoid, "
                        "quadratic cost, plain SGD lr 3 (use with --batch 10; --optimizer is ignored)")
    p.add_argument("--optimizer", default="adam,sgd", help="adam, sgd or both, comma-separated (default adam,sgd)")
    p.add_argument("--batch", default="128", help="batch sizes, comma-separated (default 128)")
    p.add_argument("--config", default="default,pinned", help="default, pinned or both (default both)")
    p.add_argument("--epochs", type=int, default=5, help="rounds: epochs per framework (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="leading epochs left out of the medians (default 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pause", type=float, default=0.5, help="seconds of quiet before each epoch (default 0.5)")
    p.add_argument("--data", default=DATA, help=f"Fashion-MNIST IDX directory (default {DATA})")
    p.add_argument("--jar", default=JAR, help="vecnn's nn-bench uber-jar (default nn-bench/target/benchmarks.jar)")
    p.add_argument("--json", help="also write the results to this file")
    args = p.parse_args()

    if args.worker == "torch":
        args.optimizer = args.optimizer.strip()
        args.batch = int(args.batch)
        torch_worker(args)
        return

    optimizers = ["sgd"] if args.net == "classic" else [o.strip() for o in args.optimizer.split(",")]
    configs = [c.strip() for c in args.config.split(",")]
    batches = [int(b) for b in args.batch.split(",")]
    for o in optimizers:
        if o not in ("adam", "sgd"):
            raise SystemExit(f"--optimizer: adam or sgd, got {o!r}")
    for c in configs:
        if c not in ("default", "pinned"):
            raise SystemExit(f"--config: default or pinned, got {c!r}")
    if any(b < 1 for b in batches):
        raise SystemExit(f"--batch: sizes must be >= 1, got {args.batch}")
    if not 0 <= args.warmup < args.epochs:
        raise SystemExit(f"--warmup must be in [0, --epochs), got {args.warmup} with --epochs {args.epochs}")
    for f in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        if not os.path.isfile(os.path.join(args.data, f)):
            raise SystemExit(f"{os.path.join(args.data, f)} is missing: apt-get install dataset-fashion-mnist, or pass --data")
    if not os.path.isfile(args.jar):
        raise SystemExit(f"{args.jar} is missing: build it with mvn -P bench -pl nn-bench -am -DskipTests package")
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SystemExit("PyTorch is missing: apt-get install python3-torch, and run this with /usr/bin/python3")
    java = find_java25()

    rows = []
    for batch in batches:
        for optimizer in optimizers:
            for config in configs:
                print(f"{config}: {optimizer}, batch {batch}", file=sys.stderr)
                rows.append(run_pair(args, optimizer, batch, config, java))

    net = {"classic": "784-100-10 sigmoid, quadratic cost, SGD lr 3",
           "cnn": "the CNN (conv32-BN-ReLU-pool, conv64-BN-ReLU-pool, 128, 10), cross-entropy"}.get(
        args.net, "784-256-128-10 ReLU, cross-entropy")
    print(f"\n{net} on Fashion-MNIST, {args.epochs} interleaved epochs each, medians of the last "
          f"{args.epochs - args.warmup}; samples/s over shuffling, batching, forward, backward, update")
    print(f"{rows[0]['pytorch_version']}; 'default' = PyTorch's own thread settings, vecnn on all processors; "
          f"'pinned' = both on one thread\n")
    crippling = [f"{v}={os.environ[v]}" for v in PEER_CRIPPLING if v in os.environ]
    if crippling:
        print(f"removed from PyTorch's environment: {', '.join(crippling)}")
    for r in rows:
        print(f"PyTorch's BLAS ({r['config']}, {r['optimizer']}, batch {r['batch']}): {r['pytorch_blas']}")
    print()
    head = f"{'config':8} {'optimizer':9} {'batch':>5} {'threads pt/vn':>13} {'pytorch samples/s':>24} {'vecnn samples/s':>24} {'vecnn/pt':>8} {'acc pt':>7} {'acc vn':>7}"
    print(head)
    print("-" * len(head))
    for r in rows:
        pt, vn = r["pytorch"], r["vecnn"]
        print(f"{r['config']:8} {r['optimizer']:9} {r['batch']:>5} {str(r['threads']['pytorch']) + '/' + str(r['threads']['vecnn']):>13} "
              f"{pt['median']:>8,.0f} ({pt['min']:,.0f}-{pt['max']:,.0f}) {vn['median']:>8,.0f} ({vn['min']:,.0f}-{vn['max']:,.0f}) "
              f"{r['ratio']:>8.2f} {100 * pt['accuracy']:>6.2f}% {100 * vn['accuracy']:>6.2f}%")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
        print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
