"""Keras parity: Functional models. Keras builds each graph (a residual CNN, a Sequential nested in a
Functional model, a model cut at an intermediate layer and given a new head, a model of two inputs
and two outputs with a loss and metrics per output and loss weights, and a siamese model of shared
layers and Dot(normalize=True)), saves it as `.keras`;
tkeras loads that file and must print Keras's summary rows and train to
    Keras's per-epoch history and final weights on the same batches. Then tkeras saves the trained model as `.keras`,
    which Keras opens and must predict from as tkeras does;
its ONNX export must run in onnxruntime as tkeras predicts."""
from parity import check_close, randomize, report, run_tkeras, scratch_directory, seeded_data, snake, sublayers, weights  # noqa: I001 (first: it selects Keras's torch backend)
import os
import unittest

import keras
import numpy as np
import torch
import onnx
import onnxruntime
from keras import layers

BATCH = 16
EPOCHS = 2
TOLERANCE = 1e-4


def rename_by_kind(model):
    """Names the model's layers by kind and position in model.layers (input_layer, dense, dense_1...),
    as tkeras names a model's layers in its weights files, so that weights compare by name."""
    counts = {}
    for layer in model.layers:
        kind = snake(layer.__class__.__name__)
        index = counts.get(kind, 0)
        counts[kind] = index + 1
        layer.name = kind if index == 0 else f"{kind}_{index}"
    return model


def weights_by_kind(model, prefix=""):
    """The model's weights named as tkeras's weights files name them: each layer by its kind and
    position in model.layers (dense, dense_1...), whatever its name, inside nested models too."""
    counts, named = {}, {}
    for layer in model.layers:
        kind = snake(layer.__class__.__name__)
        index = counts.get(kind, 0)
        counts[kind] = index + 1
        name = f"{prefix}{kind if index == 0 else f'{kind}_{index}'}"
        if isinstance(layer, keras.Model):
            named.update(weights_by_kind(layer, f"{name}."))
        elif sublayers(layer) is not None:
            for side, part in sublayers(layer):
                named.update({f"{name}.{side}.{w.name}": keras.ops.convert_to_numpy(w) for w in part.weights})
        else:
            # ConvNeXt's LayerScale names its weight nothing: Keras counts "variable", "variable_1"...
            # across the process, tkeras calls it "variable".
            plain = (lambda w: "variable") if layer.__class__.__name__ == "LayerScale" else (lambda w: w.name)
            named.update({f"{name}.{plain(w)}": keras.ops.convert_to_numpy(w) for w in layer.weights})
    return named


def residual_cnn():
    inputs = keras.Input((8, 8, 1))
    x = layers.Conv2D(6, 3, padding="same", activation="relu")(inputs)
#No bias before BatchNormalization, as ResNet : its gradient is 0 but for rounding, which Adam
#would scale up to full steps in directions no two libraries share.
    r = layers.Conv2D(6, 3, padding="same", use_bias=False)(x)
    r = layers.BatchNormalization()(r)
    x = layers.Activation("relu")(layers.Add()([x, r]))
    x = layers.MaxPooling2D()(x)
    r = layers.Conv2D(6, 1)(x)
    x = layers.Add()([x, r])
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(5, activation="softmax")(x), name="residual")


def nested_sequential():
    inputs = keras.Input((8, 8, 1))
    base = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu", name="conv2d"),
                             layers.Flatten(name="flatten"), layers.Dense(12, activation="relu", name="dense")],
                            name="sequential")
    x = base(inputs, training=False)
    x = layers.Dropout(0.0)(x)
    return keras.Model(inputs, layers.Dense(5, activation="softmax")(x), name="nested")


def cut_with_new_head():
    """Course 2's transfer learning: a base cut at an intermediate layer, frozen, under a new head."""
    inputs = keras.Input((8, 8, 1))
    x = layers.Conv2D(4, 3, activation="relu", name="c1")(inputs)
    x = layers.Conv2D(4, 3, activation="relu", name="c2")(x)
    x = layers.Flatten(name="f")(x)
    base = keras.Model(inputs, layers.Dense(3, name="top")(x), name="base")
    for layer in base.layers:
        layer.trainable = False
    last = base.get_layer("c2").output
    x = layers.GlobalAveragePooling2D()(last)
    x = layers.Dense(8, activation="relu")(x)
    return keras.Model(base.input, layers.Dense(5, activation="softmax")(x), name="transfer")


def two_inputs_two_outputs():
    """The issue's model: an image and 4 numbers in, a label and a size out."""
    image = keras.Input((8, 8, 1), name="image")
    meta = keras.Input((4,), name="meta")
    x = layers.Conv2D(6, 3, padding="same", activation="relu")(image)
    r = layers.Conv2D(6, 3, padding="same")(x)
    x = layers.Activation("relu")(layers.Add()([x, r]))
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Concatenate()([x, layers.Dense(8, activation="relu")(meta)])
    label = layers.Dense(5, activation="softmax", name="label")(x)
    size = layers.Dense(1, name="size")(x)
    return keras.Model([image, meta], [label, size], name="two_heads")


def siamese():
    """Two inputs through one shared tower, compared by cosine similarity."""
    a = keras.Input((6,), name="left")
    b = keras.Input((6,), name="right")
    tower = layers.Dense(8, activation="tanh")
    similarity = layers.Dot(axes=1, normalize=True)([tower(a), tower(b)])
    return keras.Model([a, b], layers.Dense(1, activation="sigmoid", name="same")(similarity), name="siamese")


MODELS = {"residual": residual_cnn, "nested": nested_sequential, "cut": cut_with_new_head}


def keras_table(model):
    """Keras's summary as it prints at an 80-column terminal (a table 76 columns wide), as tkeras's."""
    lines = []
    model.summary(line_length=76, print_fn=lambda text, line_break=True: lines.append(text))
    return "\n".join(lines).strip()


# The operations Keras 3 writes for the masks its layers compute (see check_summary).
MASK_OPERATIONS = ("NotEqual", "LogicalOr", "LogicalAnd", "ConvertToTensor")


def table_layers(table):
    """The layer names of a summary table, in order: the first word of each row's first cell."""
    lines = table.splitlines()
    return [line.split("│")[1].split()[0] for before, line in zip(lines, lines[1:])
            if before.startswith(("├", "┡")) and line.startswith("│")]


def check_summary(test, name, ours, model):
    """tkeras's summary is Keras's, text for text; or, for a model whose masks Keras writes as
    operations of their own (NotEqual, LogicalOr, ConvertToTensor: tkeras drops them and computes
    the masks itself, docs/guides/differences.md), the same layers but those, in Keras's order,
    and the same parameter counts."""
    theirs = keras_table(model)
    operations = {layer["name"] for layer in model.get_config()["layers"]
                  if layer.get("module", "").startswith("keras.src.ops.") and layer["class_name"] in MASK_OPERATIONS}
    if not operations:
        test.assertEqual(ours.strip(), theirs)
        report(f"functional: {name}", "summary (text)", 0.0, 0.0)
        return
    test.assertEqual(table_layers(ours), [layer for layer in table_layers(theirs) if layer not in operations])
    counts = (lambda table: [line for line in table.splitlines() if "params:" in line])
    test.assertEqual(counts(ours), counts(theirs))
    report(f"functional: {name}", "summary (layers and parameter counts; Keras's mask operations apart)", 0.0, 0.0)


class Functional(unittest.TestCase):
    def test_keras_functional_models_load_summarise_and_train_in_tkeras_as_in_keras(self):
        x, y = seeded_data(31, 64, (8, 8, 1), 5)
        x_val, y_val = seeded_data(32, 32, (8, 8, 1), 5)
        for name, build in MODELS.items():
            with self.subTest(model=name):
                keras.utils.set_random_seed(7)
                model = rename_by_kind(build())
                randomize(model, 8, by_fan_in=True)
                model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                              metrics=["accuracy"])
                directory = scratch_directory("tkeras-functional-")
                path = os.path.join(directory, f"{name}.keras")
                model.save(path)
                saved = os.path.join(directory, f"{name}-tkeras.keras")
                exported = os.path.join(directory, f"{name}.onnx")
                h5 = os.path.join(directory, f"{name}.weights.h5")
                run = run_tkeras(None, {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "x_eval": x_val}, epochs=EPOCHS,
                                 batch_size=BATCH, model_file=path, save_model=saved, export_onnx=exported,
                                 save_weights=h5)
                test = f"functional: {name}"
#The summary, character for character : rows, shapes, counts and Connected to.
                self.assertEqual(run.summary.strip(), keras_table(model))
                report(test, "summary (text)", 0.0, 0.0)

                history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False,
                                    validation_data=(x_val, y_val), verbose=0).history
                self.assertEqual(sorted(run.history), sorted(history))
                for key in history:
                    check_close(self, test, f"history {key}", run.history[key], history[key], TOLERANCE)
                ours, theirs = run.final_weights, weights(model)
                self.assertEqual(sorted(ours), sorted(theirs))
                for w in theirs:
                    check_close(self, test, f"weight {w}", ours[w], theirs[w], TOLERANCE)
                check_close(self, test, "predict", run.predict, model.predict(x_val, verbose=0), TOLERANCE)

#tkeras's .keras of the trained model opens in Keras and predicts the same.
                loaded = keras.saving.load_model(saved)
                self.assertEqual(loaded.__class__.__name__, "Functional")
                check_close(self, f"{test}, tkeras's file in Keras", "predict", loaded.predict(x_val, verbose=0),
                            run.predict, TOLERANCE)

#tkeras's .weights.h5 loads into a fresh Keras model of the graph, which then predicts the same.
                keras.utils.set_random_seed(17)
                fresh = rename_by_kind(build())
                fresh.load_weights(h5)
                check_close(self, f"{test}, tkeras's .weights.h5 in Keras", "predict", fresh.predict(x_val, verbose=0),
                            run.predict, TOLERANCE)

#The graph exported to ONNX passes onnx's checker and runs in onnxruntime as in tkeras.
                onnx.checker.check_model(onnx.load(exported), full_check=True)
                session = onnxruntime.InferenceSession(exported, providers=["CPUExecutionProvider"])
                check_close(self, f"{test}, ONNX", "onnxruntime", session.run(None, {"inputs": x_val})[0], run.predict,
                            1e-5)


class SeveralInputsAndOutputs(unittest.TestCase):
    def check(self, name, model, compile_options, x, y, x_val, y_val, sample_weight=None, val_sample_weight=None,
              dataset=False):
        """`sample_weight`, `val_sample_weight`: weights by output name; `dataset`: tkeras reads the data
        through datasets (Dataset::from_tensor_slices of the same maps, batched), Keras from the arrays."""
        randomize(model, 9, by_fan_in=True)
        model.compile(**compile_options)
        directory = scratch_directory("tkeras-functional-")
        path = os.path.join(directory, f"{name}.keras")
        model.save(path)
        saved = os.path.join(directory, f"{name}-tkeras.keras")
        data = {
  ** {f"x/{k}": v for k, v in x.items()
  }
  , ** {f"y/{k}": v for k, v in y.items()
  }
  , ** {f"x_val/{k}": v for k, v in x_val.items()
  }
  , ** {f"y_val/{k}": v for k, v in y_val.items()
  }
  , ** {f"x_eval/{k}": v for k, v in x_val.items()
  }
  , ** {f"y_eval/{k}": v for k, v in y_val.items()
  }
  , ** {f"sample_weight/{k}": v for k, v in (sample_weight or {}).items()
  }
  , ** {f"val_sample_weight/{k}": v for k, v in (val_sample_weight or {}).items()
  }
  , ** {f"eval_sample_weight/{k}": v for k, v in (val_sample_weight or {}).items()
  }}
        run = run_tkeras(None, data, epochs=EPOCHS, batch_size=BATCH, model_file=path, save_model=saved,
                         dataset=dataset)
        test = f"functional: {name}"
        check_summary(self, name, run.summary, model)

#Keras takes one output's targets as they are, not in a dict.
        one = (lambda d: next(iter(d.values())) if len(d) == 1 else d)
#Keras 3.15 checks a dict of sample weights against a dict y, then looks the weights up by the outputs'
#positions(KeyError : 0) when the model's outputs are a list; so with weights it gets y and the weights
#as lists in the outputs' order. tkeras gets them by name.
        by_position = (lambda d: None if d is None else [d[name] for name in model.output_names])
        if sample_weight is not None:
            one = by_position
        validation = ((x_val, one(y_val)) if val_sample_weight is None
                      else (x_val, one(y_val), by_position(val_sample_weight)))
        history = model.fit(x, one(y), batch_size=BATCH, epochs=EPOCHS, shuffle=False,
                            sample_weight=by_position(sample_weight), validation_data=validation, verbose=0).history
        self.assertEqual(sorted(run.history), sorted(history))
        for key in history:
            check_close(self, test, f"history {key}", run.history[key], history[key], TOLERANCE)
        ours, theirs = run.final_weights, weights_by_kind(model)
        self.assertEqual(sorted(ours), sorted(theirs))
        for w in theirs:
            check_close(self, test, f"weight {w}", ours[w], theirs[w], TOLERANCE)
        predicted = model.predict(x_val, verbose=0)
        predicted = predicted if isinstance(predicted, list) else [predicted]
        for output, theirs_output in zip(model.output_names, predicted):
            ours_output = torch.load(os.path.join(run.dir, f"predict_{output}.pt")).numpy()
            check_close(self, test, f"predict {output}", ours_output, theirs_output, TOLERANCE)
            loaded = keras.saving.load_model(saved)
            again = loaded.predict(x_val, verbose=0)
            again = again if isinstance(again, list) else [again]
            check_close(self, f"{test}, tkeras's file in Keras", f"predict {output}",
                        again[model.output_names.index(output)], ours_output, TOLERANCE)
        evaluated = model.evaluate(x_val, one(y_val), sample_weight=by_position(val_sample_weight), verbose=0,
                                   return_dict=True)
        for key, value in evaluated.items():
            check_close(self, test, f"evaluate {key}", run.evaluate[key], value, TOLERANCE)

    def test_two_inputs_two_outputs_train_with_a_loss_per_output_and_loss_weights_as_in_keras(self):
        def data(seed, n):
            rng = np.random.default_rng(seed)
            image = rng.random((n, 8, 8, 1), dtype=np.float32)
            meta = rng.normal(size=(n, 4)).astype(np.float32)
            label = (image.reshape(n, -1)[:, :5].argmax(1)).astype(np.int64)
            size = image.mean(axis=(1, 2, 3))[:, None].astype(np.float32) + meta[:, :1] * 0.1
            return {"image": image, "meta": meta}, {"label": label, "size": size}
        x, y = data(41, 64)
        x_val, y_val = data(42, 32)
        self.check("two_heads", two_inputs_two_outputs(),
                   dict(optimizer=keras.optimizers.Adam(0.01),
                        loss={"label": "sparse_categorical_crossentropy", "size": "mse"},
                        loss_weights={"label": 1.0, "size": 0.5}, metrics={"label": ["accuracy"]}),
                   x, y, x_val, y_val)

    def test_two_inputs_two_outputs_train_through_datasets_with_sample_weights_per_output_as_in_keras(self):
        def data(seed, n):
            rng = np.random.default_rng(seed)
            image = rng.random((n, 8, 8, 1), dtype=np.float32)
            meta = rng.normal(size=(n, 4)).astype(np.float32)
            label = (image.reshape(n, -1)[:, :5].argmax(1)).astype(np.int64)
            size = image.mean(axis=(1, 2, 3))[:, None].astype(np.float32) + meta[:, :1] * 0.1
            weights = {
  "label" : rng.uniform(0.2, 2.0, n).astype(np.float32), "size" : rng.uniform(0.0, 3.0, n).astype(np.float32)}
            return {"image": image, "meta": meta}, {"label": label, "size": size}, weights
        x, y, w = data(45, 64)
        x_val, y_val, w_val = data(46, 32)
        self.check("two_heads_weighted", two_inputs_two_outputs(),
                   dict(optimizer=keras.optimizers.Adam(0.01),
                        loss={"label": "sparse_categorical_crossentropy", "size": "mse"},
                        loss_weights={"label": 1.0, "size": 0.5}, metrics={"label": ["accuracy"]}),
                   x, y, x_val, y_val, sample_weight=w, val_sample_weight=w_val, dataset=True)

    def test_a_siamese_model_of_shared_layers_and_dot_trains_as_in_keras(self):
        def data(seed, n):
            rng = np.random.default_rng(seed)
            left = rng.normal(size=(n, 6)).astype(np.float32)
            right = (left + rng.normal(scale=1.5, size=(n, 6))).astype(np.float32)
            same = (np.sum(left * right, axis=1) > 0).astype(np.float32)[:, None]
            return {"left": left, "right": right}, {"same": same}
        x, y = data(43, 64)
        x_val, y_val = data(44, 32)
        self.check("siamese", siamese(), dict(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                                              metrics=["accuracy"]), x, y, x_val, y_val)


class KerasApplications(unittest.TestCase):
    def check_backbone(self, name, model, x):
        """A keras.applications model, randomized and saved: tkeras loads it, prints Keras's summary and predicts
        Keras's outputs; its ONNX export passes onnx's checker and runs in onnxruntime as tkeras predicts."""
        randomize(model, 52, by_fan_in=True)
        directory = scratch_directory("tkeras-applications-")
        path = os.path.join(directory, f"{name}.keras")
        model.save(path)
        exported = os.path.join(directory, f"{name}.onnx")
        run = run_tkeras(None, {"x_eval": x}, model_file=path, export_onnx=exported)
        test = f"functional: keras.applications.{name}"
        check_close(self, test, "predict", run.predict, model.predict(x, verbose=0), TOLERANCE)
        self.assertEqual(run.summary.strip(), keras_table(model))
        report(test, "summary (text)", 0.0, 0.0)
        onnx.checker.check_model(onnx.load(exported), full_check=True)
        session = onnxruntime.InferenceSession(exported, providers=["CPUExecutionProvider"])
        check_close(self, f"{test}, ONNX", "onnxruntime", session.run(None, {session.get_inputs()[0].name: x})[0],
                    run.predict, TOLERANCE)

    def test_keras_resnet50_and_mobilenetv2_load_and_predict_as_in_keras(self):
        keras.utils.set_random_seed(51)
        x = np.random.default_rng(53).random((3, 32, 32, 3), dtype=np.float32)
        # weights=None: the machines cannot download ImageNet's; the graph is the same.
        self.check_backbone("ResNet50", keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3),
                                                                     classes=10), x)
        # MobileNetV2: ZeroPadding2D, DepthwiseConv2D, ReLU(max_value=6), Add, BatchNormalization.
        self.check_backbone("MobileNetV2", keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3),
                                                                           classes=10), x)

    def test_a_model_of_layer_classes_tkeras_lacks_is_refused_naming_all_of_them(self):
        # A video model: 3-D convolution and pooling.
        inputs = keras.Input((4, 6, 6, 2))
        x = layers.MaxPooling3D()(layers.Conv3D(3, 3, padding="same")(inputs))
        model = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))
        path = os.path.join(scratch_directory("tkeras-applications-"), "video.keras")
        model.save(path)
        x = np.random.default_rng(54).random((2, 4, 6, 6, 2), dtype=np.float32)
        with self.assertRaisesRegex(AssertionError, "the model needs layer classes tkeras does not have: "
                                                    "Conv3D, MaxPooling3D"):
            run_tkeras(None, {"x_eval": x}, model_file=path)


if __name__ == "__main__":
    unittest.main()
