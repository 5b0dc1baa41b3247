#!/usr/bin/env python3
"""The model zoo's speed, measured in one run: tkeras against Keras 3 and onnxruntime.

Writes keras.applications.MobileNetV2 and ResNet50 (weights=None, input_shape=(S, S, 3),
classes=10, seeded) as .keras files and one fixed random batch (32 images in [-1, 1] and their
labels), then times three sides, each in a process of its own, alternating which runs first,
with the same thread count on all three:

- tkeras (tkeras-zoo-bench): the .keras file loaded with `load_model`, compiled with Keras's
  default Adam (or SGD) and sparse categorical cross-entropy; `fit` on the batch (one step an
  epoch, verbose 0) and `predict` at batch 1 and 32;
- Keras 3 on the torch backend: the same file with `keras.saving.load_model`, the same compile;
  `model.train_on_batch` and `model.predict_on_batch`;
- onnxruntime: an `InferenceSession` (CPU, intra_op_num_threads equal, inter_op 1) on the ONNX
  file tkeras exported from the same .keras file; `session.run` at batch 1 and 32.

Before timing, each side predicts the batch once on the file's weights and the outputs are
compared, so that all three run the same model. Each side warms up (untimed train steps and
predict calls), then reports its steps per second (timed steps over the wall time of all of
them) and the median latency of a predict call. The summary gives each side's median over the
repeats and the medians of the per-repeat ratios: tkeras's steps per second over Keras's (goal
at least 1.5) and tkeras's predict latency over onnxruntime's (goal at most 1.5).

Usage: scripts/zoo_bench.py --bench build/apps/bench/tkeras-zoo-bench
       [--model mobilenetv2|resnet50|both] [--image-size S] [--steps N] [--warmup W]
       [--runs P] [--optimizer adam|sgd] [--threads T] [--repeats R] [--workdir DIR]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

from peer_bench import cpu_name  # the CPU's model name, as the peer benchmark prints it

MODELS = {"mobilenetv2": "MobileNetV2", "resnet50": "ResNet50"}
BATCH = 32
PREDICT_BATCHES = (1, BATCH)
RESULT = re.compile(r"^result (\w+)((?: \w+=\S+)*)$", re.MULTILINE)
SIDES = ("tkeras", "keras", "onnxruntime")
LABELS = {"tkeras": "tkeras", "keras": "Keras 3 (torch)", "onnxruntime": "onnxruntime"}


def results(text):
    """The `result KIND key=value ...` lines of a side's output, as (kind, {key: value}) pairs."""
    found = []
    for match in RESULT.finditer(text):
        fields = dict(field.split("=", 1) for field in match.group(2).split())
        found.append((match.group(1), fields))
    return found


def emit(kind, **fields):
    print(f"result {kind} " + " ".join(f"{k}={v}" for k, v in fields.items()), flush=True)


def read_batch(path, side):
    import numpy as np

    raw = open(path, "rb").read()
    pixels = BATCH * side * side * 3
    x = np.frombuffer(raw, np.float32, count=pixels).reshape(BATCH, side, side, 3)
    y = np.frombuffer(raw, np.int64, offset=pixels * 4, count=BATCH)
    return x, y


# The sides run in this script's own subprocesses (--side), so that none shares a process with
# another or with the driver.

def side_write(args):
    """Writes the model's .keras file and the batch (seeded)."""
    os.environ["KERAS_BACKEND"] = "torch"
    import keras
    import numpy as np

    keras.utils.set_random_seed(1)
    application = getattr(keras.applications, MODELS[args.model])
    model = application(weights=None, input_shape=(args.image_size, args.image_size, 3), classes=10)
    model.save(args.keras_file)
    rng = np.random.default_rng(2)
    x = rng.uniform(-1.0, 1.0, (BATCH, args.image_size, args.image_size, 3)).astype(np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int64)
    with open(args.batch_file, "wb") as f:
        f.write(x.tobytes() + y.tobytes())
    emit("write", params=model.count_params(), keras=keras.__version__)


def side_keras(args):
    """Keras 3 on the torch backend: train_on_batch and predict_on_batch."""
    os.environ["KERAS_BACKEND"] = "torch"
    import torch

    torch.set_num_threads(args.threads)
    import keras
    import numpy as np

    start = time.perf_counter()
    model = keras.saving.load_model(args.keras_file, compile=False)
    emit("load", seconds=f"{time.perf_counter() - start:.4f}")
    optimizer = keras.optimizers.Adam() if args.optimizer == "adam" else keras.optimizers.SGD()
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    x, y = read_batch(args.batch_file, args.image_size)
    x, y = x.copy(), y.copy()  # writable, as a user's arrays are
    if args.save_predictions:
        np.asarray(model.predict_on_batch(x), np.float32).tofile(args.save_predictions)
    if args.runs:
        for batch in PREDICT_BATCHES:
            time_calls("predict", batch, lambda xb=x[:batch]: model.predict_on_batch(xb), args)
    if args.steps:
        for _ in range(args.warmup):
            model.train_on_batch(x, y)
        step_seconds = []
        start = time.perf_counter()
        for _ in range(args.steps):
            step_start = time.perf_counter()
            loss = model.train_on_batch(x, y)
            step_seconds.append(time.perf_counter() - step_start)
        seconds = time.perf_counter() - start
        emit("train", steps=args.steps, batch=BATCH, seconds=f"{seconds:.4f}",
             steps_per_s=f"{args.steps / seconds:.4f}",
             median_step_ms=f"{1000 * statistics.median(step_seconds):.3f}",
             min_step_ms=f"{1000 * min(step_seconds):.3f}", loss=f"{float(loss):.6g}")
    emit("versions", keras=keras.__version__, torch=torch.__version__)


def side_onnxruntime(args):
    """onnxruntime on tkeras's ONNX export: session.run."""
    import numpy as np
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    start = time.perf_counter()
    session = onnxruntime.InferenceSession(args.onnx_file, options, providers=["CPUExecutionProvider"])
    emit("load", seconds=f"{time.perf_counter() - start:.4f}")
    x, _ = read_batch(args.batch_file, args.image_size)
    if args.save_predictions:
        session.run(None, {"inputs": x})[0].astype(np.float32).tofile(args.save_predictions)
    for batch in PREDICT_BATCHES if args.runs else ():
        feed = {"inputs": np.ascontiguousarray(x[:batch])}
        time_calls("predict", batch, lambda feed=feed: session.run(None, feed), args)
    emit("versions", onnxruntime=onnxruntime.__version__)


def time_calls(kind, batch, call, args):
    for _ in range(args.warmup):
        call()
    milliseconds = []
    for _ in range(args.runs):
        start = time.perf_counter()
        call()
        milliseconds.append(1000 * (time.perf_counter() - start))
    emit(kind, batch=batch, runs=args.runs, median_ms=f"{statistics.median(milliseconds):.4f}",
         min_ms=f"{min(milliseconds):.4f}")


# The driver.

def run(command, args, what):
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), CUDA_VISIBLE_DEVICES="", KERAS_BACKEND="torch")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"zoo_bench: {what} failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return results(result.stdout)


def side_command(side, args, files, extra=()):
    common = ["--steps", str(args.steps), "--warmup", str(args.warmup), "--runs", str(args.runs),
              "--optimizer", args.optimizer, "--threads", str(args.threads)] + list(extra)
    if side == "tkeras":
        return [os.path.abspath(args.bench), files["keras"], "--inputs", files["batch"], "--batch-size", str(BATCH),
                "--predict-batches", ",".join(map(str, PREDICT_BATCHES))] + common
    return [sys.executable, os.path.abspath(__file__), "--side", side, "--model", args.model,
            "--image-size", str(args.image_size), "--keras-file", files["keras"], "--onnx-file", files["onnx"],
            "--batch-file", files["batch"]] + common


def measure(side, args, files):
    """One timed run of `side`: {"train": steps/s, 1: predict ms, 32: predict ms}."""
    found = run(side_command(side, args, files), args, side)
    measured = {}
    for kind, fields in found:
        if kind == "train":
            measured["train"] = float(fields["steps_per_s"])
            measured["loss"] = float(fields["loss"])
        elif kind == "predict":
            measured[int(fields["batch"])] = float(fields["median_ms"])
    expected = ["train"] if args.steps and side != "onnxruntime" else []
    expected += list(PREDICT_BATCHES) if args.runs else []
    missing = [key for key in expected if key not in measured]
    if missing:
        sys.exit(f"zoo_bench: {side} reported no {missing}: {found}")
    return measured


def prepare(args, model):
    """Writes the model, the batch and tkeras's ONNX export; checks that the sides agree."""
    import numpy as np

    os.makedirs(args.workdir, exist_ok=True)
    stem = os.path.join(args.workdir, f"{model}-{args.image_size}")
    files = {"keras": stem + ".keras", "batch": stem + ".batch", "onnx": stem + ".onnx"}
    model_args = argparse.Namespace(**vars(args))
    model_args.model = model
    write = [sys.executable, os.path.abspath(__file__), "--side", "write", "--model", model, "--image-size",
             str(args.image_size), "--keras-file", files["keras"], "--batch-file", files["batch"]]
    params = dict(run(write, args, "writing the model"))["write"]["params"]
    outputs = {side: f"{stem}.{side}.outputs" for side in SIDES}
    none = argparse.Namespace(**vars(model_args))
    none.steps, none.runs, none.warmup = 0, 0, 0
    found = dict(run(side_command("tkeras", none, files, ["--export-onnx", files["onnx"], "--save-predictions",
                                                          outputs["tkeras"]]), args, "tkeras's export"))
    versions = {}
    for side in ("keras", "onnxruntime"):
        peer = dict(run(side_command(side, none, files, ["--save-predictions", outputs[side]]), args,
                        f"{side}'s predictions"))
        versions.update(peer["versions"])
    predictions = {side: np.fromfile(path, np.float32).reshape(BATCH, -1) for side, path in outputs.items()}
    differences = {side: float(np.max(np.abs(predictions[side] - predictions["tkeras"])))
                   for side in ("keras", "onnxruntime")}
    # Untrained (weights=None), a deep network can predict the same probabilities for every image
    # (MobileNetV2's features come out near 1e-11): then the outputs say little, and the train
    # losses printed with the results show whether the sides train alike.
    spread = float(predictions["tkeras"].std(axis=0).max())
    print(f"{model}: {params} weights, {args.image_size}x{args.image_size}x3; tkeras loads it in "
          f"{float(found['load']['seconds']):.2f} s, exports ONNX in {float(found['export_onnx']['seconds']):.2f} s; "
          f"largest |difference| from tkeras's predictions: Keras {differences['keras']:.2e}, "
          f"onnxruntime {differences['onnxruntime']:.2e} (outputs' spread over the batch {spread:.1e}"
          f"{': too small to tell models apart' if spread < 1e-5 else ''}); "
          + ", ".join(f"{k} {v}" for k, v in versions.items()), flush=True)
    if max(differences.values()) > 1e-3:
        sys.exit(f"zoo_bench: {model}: the sides do not predict alike ({differences}); not timing them")
    return model_args, files


def ratio_line(values):
    return f"{statistics.median(values):.2f} (per repeat: {' '.join(f'{v:.2f}' for v in values)})"


def compare(args, model):
    model_args, files = prepare(args, model)
    times = {side: [] for side in SIDES}
    for repeat in range(args.repeats):
        order = SIDES[repeat % 3:] + SIDES[:repeat % 3]  # each side first in turn
        for side in order:
            times[side].append(measure(side, model_args, files))
        line = []
        if args.steps:
            line.append("train steps/s " + ", ".join(f"{s} {times[s][-1]['train']:.3f}" for s in ("tkeras", "keras")))
        if args.runs:
            for batch in PREDICT_BATCHES:
                line.append(f"predict {batch} ms " + ", ".join(f"{s} {times[s][-1][batch]:.2f}" for s in SIDES))
        print(f"{model} repeat {repeat + 1}: " + "; ".join(line), flush=True)

    def median(side, key):
        return statistics.median(t[key] for t in times[side])

    if args.steps:
        ratios = [t["train"] / k["train"] for t, k in zip(times["tkeras"], times["keras"])]
        print(f"{model} train (batch {BATCH}, {args.optimizer}): steps/s tkeras {median('tkeras', 'train'):.3f}, "
              f"Keras 3 {median('keras', 'train'):.3f}; tkeras / Keras {ratio_line(ratios)}; goal >= 1.5: "
              f"{'met' if statistics.median(ratios) >= 1.5 else 'NOT met'}; loss after {args.warmup + args.steps} "
              f"steps: tkeras {times['tkeras'][-1]['loss']:.5g}, Keras {times['keras'][-1]['loss']:.5g}")
    if args.runs:
        for batch in PREDICT_BATCHES:
            ratios = [t[batch] / o[batch] for t, o in zip(times["tkeras"], times["onnxruntime"])]
            print(f"{model} predict batch {batch}: ms tkeras {median('tkeras', batch):.3f}, onnxruntime "
                  f"{median('onnxruntime', batch):.3f}, Keras 3 {median('keras', batch):.3f}; latency tkeras / "
                  f"onnxruntime {ratio_line(ratios)}; goal <= 1.5: "
                  f"{'met' if statistics.median(ratios) <= 1.5 else 'NOT met'}")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", help="the tkeras-zoo-bench program (build/apps/bench/tkeras-zoo-bench)")
    parser.add_argument("--model", choices=list(MODELS) + ["both"], default="both")
    parser.add_argument("--image-size", type=int, default=96, help="image side S (MobileNetV2 and ResNet50: >= 32)")
    parser.add_argument("--steps", type=int, default=10, help="timed train steps per run (0: no training)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed train steps and predict calls first")
    parser.add_argument("--runs", type=int, default=20, help="timed predict calls per batch size (0: no predict)")
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", default=os.path.expanduser("~/.tkeras/zoo-bench"),
                        help="where the .keras, .onnx and batch files go")
    # One side's run, in its own process.
    parser.add_argument("--side", choices=["write", "keras", "onnxruntime"], help=argparse.SUPPRESS)
    for name in ("--keras-file", "--onnx-file", "--batch-file", "--save-predictions"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.image_size < 32:
        parser.error("--image-size must be at least 32 (the applications' smallest input)")
    if min(args.steps, args.warmup, args.runs) < 0 or args.repeats < 1 or args.threads < 1:
        parser.error("--steps, --warmup and --runs must be >= 0, --repeats and --threads >= 1")
    if args.side:
        {"write": side_write, "keras": side_keras, "onnxruntime": side_onnxruntime}[args.side](args)
        return
    if not args.bench:
        parser.error("--bench is required")
    if not args.steps and not args.runs:
        parser.error("nothing to time: --steps and --runs are both 0")
    print(f"zoo_bench: {args.image_size}x{args.image_size} RGB, train batch {BATCH} ({args.optimizer}), "
          f"{args.warmup} + {args.steps} steps, predict batches {' and '.join(map(str, PREDICT_BATCHES))} "
          f"({args.warmup} + {args.runs} calls), {args.threads} thread(s), {args.repeats} repeats, CPU: {cpu_name()}",
          flush=True)
    started = time.perf_counter()
    for model in (list(MODELS) if args.model == "both" else [args.model]):
        compare(args, model)
    print(f"zoo_bench: {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
