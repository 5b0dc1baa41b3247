"""Helpers of the Keras parity suite: real Keras 3 (torch backend, CPU) beside tkeras.

Each test builds a model in Keras, writes it as a .tkeras file (Keras's own layer configs, its
initial weights, the compile settings) with data, runs the tkeras driver on it
(tests/keras/driver.cpp), runs the same thing in Keras, and compares. Every comparison is also
appended as a JSON line to $TKERAS_PARITY_REPORT, which docs/keras_parity.md's table is made of.
"""
import atexit
import json
import os
import re
import shutil
import subprocess
import tempfile

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ["COLUMNS"] = "250"  # rich, which draws Keras's summary, cuts lines at the terminal's width

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

assert keras.backend.backend() == "torch", keras.backend.backend()
DRIVER = os.environ.get("TKERAS_KERAS_DRIVER", "tkeras-keras-driver")


_SCRATCH = []


def scratch_directory(prefix="tkeras-parity-"):
    """A fresh directory for one case's files, inside one folder per process that is removed when
    the process exits: the suite writes gigabytes of models and data in a run, which must not stay
    behind in the system's temporary directory (28 GB had piled up there and filled the disk)."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.mkdtemp(prefix="tkeras-suite-"))
        atexit.register(shutil.rmtree, _SCRATCH[0], ignore_errors=True)
    return tempfile.mkdtemp(prefix=prefix, dir=_SCRATCH[0])


def snake(name):
    """Keras's to_snake_case: the name Keras gives a layer of this class."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def sequential(input_shape, *layers, name=None):
    """A keras.Sequential whose layers carry the names tkeras gives them within one model
    (dense, dense_1, ...: kind and position, as Keras 3 names them in a fresh process), so that
    weights are exchanged by name. `layers` are (class, args, kwargs) triples, or Keras layers (a
    model inside the model), used as they are and counted by their class."""
    counts = {}
    built = [keras.Input(input_shape)]
    for item in layers:
        cls = item.__class__ if isinstance(item, keras.Layer) else item[0]
        kind = snake(cls.__name__)
        index = counts.get(kind, 0)
        counts[kind] = index + 1
        if isinstance(item, keras.Layer):
            built.append(item)
        else:
            cls, args, kwargs = item
            built.append(cls(*args, name=kind if index == 0 else f"{kind}_{index}", **kwargs))
    return keras.Sequential(built, name=name)


def L(cls, *args, **kwargs):
    return (cls, args, kwargs)


def model_config(model):
    input_shape = list(model.input_shape[1:])
    if isinstance(model.layers[0], keras.layers.TextVectorization):
#tkeras's model takes the token ids the layer makes from the texts (a string tensor in Keras).
        input_shape = [model.layers[0].get_config()["output_sequence_length"]]
    layers = [{"class_name": "InputLayer", "config": {"batch_shape": [None, *input_shape]}}]
    for layer in model.layers:
        layers.append({"class_name": layer.__class__.__name__, "config": layer.get_config()})
    return {
  "class_name" : "Sequential", "config" : { "layers" : layers }
}

#The options tkeras 's optimizers have; the rest of Keras' s config must be at its defaults.
COMMON_OPTIONS = {"weight_decay", "clipnorm", "clipvalue", "global_clipnorm"}
OPTIMIZER_OPTIONS = {"Adam": {"learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"} | COMMON_OPTIONS,
                     "AdamW": {"learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"} | COMMON_OPTIONS,
                     "SGD": {"learning_rate", "momentum", "nesterov"} | COMMON_OPTIONS,
                     "RMSprop": {"learning_rate", "rho", "momentum", "epsilon", "centered"} | COMMON_OPTIONS,
                     "Adagrad": {"learning_rate", "initial_accumulator_value", "epsilon"} | COMMON_OPTIONS,
                     "Adamax": {"learning_rate", "beta_1", "beta_2", "epsilon"} | COMMON_OPTIONS,
                     "Adadelta": {"learning_rate", "rho", "epsilon"} | COMMON_OPTIONS,
                     "Lion": {"learning_rate", "beta_1", "beta_2"} | COMMON_OPTIONS,
                     "Nadam": {"learning_rate", "beta_1", "beta_2", "epsilon"} | COMMON_OPTIONS,
                     "Lamb": {"learning_rate", "beta_1", "beta_2", "epsilon"} | COMMON_OPTIONS,
                     "Ftrl": {"learning_rate", "learning_rate_power", "initial_accumulator_value",
                              "l1_regularization_strength", "l2_regularization_strength",
                              "l2_shrinkage_regularization_strength", "beta"} | COMMON_OPTIONS}
KERAS_ONLY_DEFAULTS = {"name": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                       "loss_scale_factor": None, "gradient_accumulation_steps": None}


def optimizer_config(optimizer):
    kind = optimizer.__class__.__name__
    config = optimizer.get_config()
    for key, value in config.items():
        if key not in OPTIMIZER_OPTIONS[kind] and key != "name":
            assert key in KERAS_ONLY_DEFAULTS and value == KERAS_ONLY_DEFAULTS[key], f"{kind}: tkeras has no {key} (= {value})"
#(Keras writes None for an unset clipping or decay; tkeras's file leaves it out.)
    options = {key: value for key, value in config.items() if key in OPTIMIZER_OPTIONS[kind] and value is not None}
    if isinstance(config["learning_rate"], dict):  # a schedule, serialized as Keras's config has it
        options["learning_rate"] = config["learning_rate"]
    else:
        options["learning_rate"] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    return {"class_name": kind, "config": options}


def sublayers(layer):
    """The (name, layer) pairs tkeras names a Keras layer's sublayers by, for the layers whose
    weights are their sublayers' (a Bidirectional's sides, a MultiHeadAttention's projections, a
    TimeDistributed's layer); None for the others."""
    if isinstance(layer, keras.layers.Bidirectional):
        return [("forward_layer", layer.forward_layer), ("backward_layer", layer.backward_layer)]
    if isinstance(layer, keras.layers.MultiHeadAttention):
        parts = [("query_dense", layer._query_dense), ("key_dense", layer._key_dense),
                 ("_gate_dense", getattr(layer, "_gate_dense", None)), ("value_dense", layer._value_dense),
                 ("output_dense", layer._output_dense)]
        return [(name, part) for name, part in parts if part is not None]
    if isinstance(layer, keras.layers.TimeDistributed):
        return [("layer", layer.layer)]
    return None


def weights(model, prefix=""):
    """The model's weights as name -> numpy array, named <layer>.<weight> as tkeras names them
    (<model>.<layer>.<weight> inside a model that is a layer, <layer>.forward_layer.<weight> and
    <layer>.backward_layer.<weight> in a Bidirectional)."""
    named = {}
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            named.update(weights(layer, f"{prefix}{layer.name}."))
        elif sublayers(layer) is not None:  # a Bidirectional: two layers of the same weight names
            for side, part in sublayers(layer):
                named.update({f"{prefix}{layer.name}.{side}.{w.name}": keras.ops.convert_to_numpy(w)
                              for w in part.weights})
        else:
            named.update({f"{prefix}{layer.name}.{w.name}": keras.ops.convert_to_numpy(w) for w in layer.weights})
    return named


def named_variables(model, prefix=""):
    """The model's weight variables by the names `weights` gives them."""
    named = {}
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            named.update(named_variables(layer, f"{prefix}{layer.name}."))
        elif sublayers(layer) is not None:
            for side, part in sublayers(layer):
                named.update({f"{prefix}{layer.name}.{side}.{w.name}": w for w in part.weights})
        else:
            named.update({f"{prefix}{layer.name}.{w.name}": w for w in layer.weights})
    return named


def load_tkeras_weights(model, path):
    """Assigns the weights of a file tkeras saved (save_weights) to the Keras model's variables, by
    name; every variable must be in the file, with its shape."""
    saved = load_file(path)
    for name, variable in named_variables(model).items():
        assert name in saved, f"{name} is not in {path} (it holds {sorted(saved)})"
        assert tuple(saved[name].shape) == tuple(variable.shape), f"{name}: {saved[name].shape} vs {variable.shape}"
        variable.assign(saved[name])


def write_model_file(path, model, optimizer=None, loss=None, metrics=(), from_logits=False, weighted_metrics=(),
                     loss_options=None):
    metadata = {"format": "tkeras.model", "format_version": "1",
                "model_config": json.dumps(model_config(model), default=list)}
    if optimizer is not None:
        metadata["compile_config"] = json.dumps({"optimizer": optimizer_config(optimizer),
                                                 "loss": {"name": loss, "from_logits": from_logits,
                                                          **(loss_options or {})},
                                                 "metrics": list(metrics),
                                                 "weighted_metrics": list(weighted_metrics)}, default=list)
#(np.ascontiguousarray makes a 0 - d array 1 - d : the reshape keeps scalars, such as Normalization's count, 0-d.)
    save_file({name: torch.from_numpy(np.ascontiguousarray(value).reshape(np.shape(value)))
               for name, value in weights(model).items()}, path, metadata=metadata)


class Run:
    """What the tkeras driver produced in one directory."""

    def __init__(self, directory):
        self.dir = directory

    def text(self, name):
        with open(os.path.join(self.dir, name)) as f:
            return f.read()

    def json(self, name):
        return json.loads(self.text(name))

    @property
    def summary(self):
        return self.text("summary.txt")

    @property
    def history(self):
        return self.json("history.json")["history"]

    @property
    def histories(self):
        return [phase["history"] for phase in self.json("histories.json")]

    @property
    def final_weights(self):
        return load_file(os.path.join(self.dir, "final.safetensors"))

    @property
    def evaluate(self):
        return self.json("evaluate.json")

    @property
    def predict(self):
        return torch.load(os.path.join(self.dir, "predict.pt")).numpy()

    @property
    def on_batch(self):
        return self.json("on_batch.json")

    @property
    def predict_on_batch(self):
        return torch.load(os.path.join(self.dir, "predict_on_batch.pt")).numpy()

    @property
    def call_training(self):
        """The model called on x_eval in training mode (run_tkeras(..., call_training=True))."""
        return torch.load(os.path.join(self.dir, "call.pt")).numpy()


def run_tkeras(model, data, epochs=0, batch_size=32, callbacks=(), optimizer=None, loss=None, metrics=(),
               from_logits=False, phases=(), call_training=False, weighted_metrics=(), class_weight=None,
               validation_split=0.0, loss_options=None, texts=None, load_weights=None, save_weights=None,
               model_file=None, save_model=None, export_onnx=None, dataset=False, on_batch=False):
    """Writes the model (with its current weights) and data, runs the driver, returns a Run.
    `phases`: fits in turn, each {"epochs": n, "trainable": {layer name: bool}} (see driver.cpp).
    `texts`: for a model that starts with a TextVectorization, {"adapt": [...], "texts": [...],
    "texts_val": [...], "texts_eval": [...]} (all optional), in place of x, x_val and x_eval.
    `load_weights`: a weights file tkeras loads first;
`save_weights`: where it saves them after fit.
    `model_file`: a model file(a Keras.keras) tkeras loads instead of `model` (then None);
`save_model`: where tkeras saves the model after fit;
`export_onnx`: where it exports it after fit;
    `dataset`: a model of several inputs or outputs fits and evaluates through datasets of its data.
    `on_batch`: train_on_batch over x, y in batches of batch_size, then test_on_batch and
    predict_on_batch on x_eval, y_eval (Run.on_batch, Run.predict_on_batch)."""
    directory = scratch_directory()
    if model_file is None:
        write_model_file(os.path.join(directory, "model.tkeras"), model, optimizer, loss, metrics, from_logits,
                         weighted_metrics, loss_options)
    torch.save({
k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in data.items()},
               os.path.join(directory, "data.pt"))
    with open(os.path.join(directory, "job.json"), "w") as f:
        json.dump({
  "epochs" : epochs,
             "batch_size" : batch_size,
                            "callbacks" : list(callbacks),
                                          "phases" : list(phases),
                                                     "call_training" : call_training,
                                                                       "class_weight" : {str(k): v for k, v in (class_weight or {}).items()
  }
  , "validation_split" : validation_split,
                         **(texts or {}),
                         **({ "load_weights" : str(load_weights) } if load_weights else {}),
                         **({ "save_weights" : str(save_weights) } if save_weights else {}),
                         **({ "model" : str(model_file) } if model_file else {}),
                         **({ "save_model" : str(save_model) } if save_model else {}),
                         **({ "export_onnx" : str(export_onnx) } if export_onnx else {}),
                         **({ "dataset" : True } if dataset else {}),
                         **({ "on_batch" : True } if on_batch else {})}, f)
    return run_driver(directory)


def run_driver(directory):
    os.makedirs(os.path.join(directory, "out"), exist_ok=True)
    done = subprocess.run([DRIVER, directory], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"tkeras driver failed ({done.returncode}): {done.stderr.strip()}")
    return Run(directory)


def run_vectorize(layer, adapt, texts):
    """tkeras's TextVectorization made from `layer`'s Keras config, adapted on `adapt` and called on
    `texts`: returns (vocabulary, outputs)."""
    directory = scratch_directory()
    with open(os.path.join(directory, "job.json"), "w") as f:
        json.dump({"vectorize": {"config": layer.get_config(), "adapt": list(adapt), "texts": list(texts)}}, f,
                  default=list)
    run = run_driver(directory)
    return run.json("vocabulary.json"), torch.load(os.path.join(directory, "vectorized.pt")).numpy()


def relative_deviation(ours, theirs):
    """max |ours - theirs| / max |theirs| (an absolute deviation where theirs is all zero)."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    scale = np.max(np.abs(theirs)) if theirs.size else 0.0
    deviation = np.max(np.abs(ours - theirs)) if theirs.size else 0.0
    return float(deviation / scale) if scale > 0 else float(deviation)


def report(test, quantity, deviation, tolerance):
    path = os.environ.get("TKERAS_PARITY_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"test": test, "quantity": quantity, "deviation": deviation,
                                "tolerance": tolerance}) + "\n")


def check_close(case, test, quantity, ours, theirs, tolerance):
    deviation = relative_deviation(ours, theirs)
    report(test, quantity, deviation, tolerance)
    case.assertLessEqual(deviation, tolerance, f"{test}: {quantity} deviates by {deviation:.3g} (> {tolerance:g})")
    return deviation


def keras_summary(model):
    lines = []
    model.summary(line_length=160, print_fn=lambda text, line_break=True: lines.append(text))
    return "\n".join(lines)


def parse_summary(text):
    """(rows, totals) of a Keras-style summary table: rows of (name, type, output shape, params),
    totals {"Total": n, "Trainable": n, "Non-trainable": n}."""
    rows = []
#A cell too long for its column wraps onto more lines of its row(empty parameter cell there).
    table_rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) != 3 or not line.strip().startswith("│"):
            continue
        if cells[2]:
            table_rows.append(cells)
        elif table_rows:
            table_rows[-1] = [f"{table_rows[-1][0]} {cells[0]}".strip(), table_rows[-1][1] + cells[1], table_rows[-1][2]]
    for cells in table_rows:
        match = re.fullmatch(r"(\S+) \((\w+)\)", cells[0])
        if match:
            rows.append((match[1], match[2], cells[1].replace(" ", ""), int(cells[2].replace(",", ""))))
    totals = {kind: int(count.replace(",", ""))
              for kind, count in re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)}
    return rows, totals


def randomize(model, seed, by_fan_in=False):
    """Sets the model's weights away from their initial values, so that a layer whose weights did
    not come across cannot pass: normal with scale 0.3, or 0.8 / sqrt(fan-in) for kernels with
    `by_fan_in` (outputs of ordinary size through deep stacks);
    moving variances positive;
    Normalization's count as it is."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        fan_in = int(np.prod(variable.shape[:-1])) if by_fan_in and len(variable.shape) > 1 else 1
        value = rng.normal(scale=0.8 / np.sqrt(fan_in) if by_fan_in else 0.3, size=variable.shape)
        if "variance" in variable.path:
            value = np.abs(value) + 0.5
        if variable.path.endswith("count"):
            continue
        variable.assign(value.astype(variable.dtype))


def sample_inputs(model, n=7, seed=3):
    """`n` inputs for `model`, from `seed`: token ids 1..input_dim-1 for a first Embedding (with
    mask_zero, the last 3 positions of each row and all but the first 2 of row 0 are padding, 0),
    pixels 0..255 for a first Rescaling, else standard normal values."""
    rng = np.random.default_rng(seed)
    shape = model.input_shape[1:]
    first = next(layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer))
    if isinstance(first, keras.layers.Embedding):
        ids = rng.integers(1, first.input_dim, size=(n, *shape))
        if first.mask_zero:
            ids[:, -3:] = 0
            ids[0, 2:] = 0
        return ids.astype("int64")
    if isinstance(first, keras.layers.Rescaling):
        return rng.uniform(0, 255, size=(n, *shape)).astype("float32")
    return rng.normal(size=(n, *shape)).astype("float32")


def normalization_mlp():
    """An MLP through Normalization (adapted), Dense, BatchNormalization, Dropout, Activation,
    Reshape and Flatten, for the tests that need every such layer once."""
    model = sequential((6,), L(keras.layers.Normalization), L(keras.layers.Dense, 8, activation="relu"),
                       L(keras.layers.BatchNormalization), L(keras.layers.Dropout, 0.2),
                       L(keras.layers.Activation, "tanh"), L(keras.layers.Reshape, (2, 4)), L(keras.layers.Flatten),
                       L(keras.layers.Dense, 3, activation="softmax"))
    model.layers[0].adapt(np.random.default_rng(0).normal(2.0, 3.0, size=(50, 6)).astype("float32"))
    return model


def seeded_data(seed, n, shape, classes):
    """Learnable data: uniform inputs (from `seed`), labels from a random linear function of them
    that is the same for every seed of a shape, so that validation data fits training data."""
    x = np.random.default_rng(seed).random((n, *shape), dtype=np.float32)
    w = np.random.default_rng(0).standard_normal((int(np.prod(shape)), classes)).astype(np.float32)
    y = np.argmax(x.reshape(n, -1) @ w, axis=1).astype(np.int64)
    return x, y
