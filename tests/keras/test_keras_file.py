"""Keras parity: Keras 3's model file (.keras) both ways, for models that hold every layer type
tkeras has.

- Keras builds each model, trains it (where Keras can: not on strings), saves `.keras`; tkeras's
  `load_model` opens it and must predict what Keras predicts, and training on from the file in
  tkeras must end where Keras's own training on ends (the optimizer's state came across).
- tkeras trains the same architectures and saves `.keras`; Keras's `load_model` opens that file,
  with and without compile, must predict what tkeras predicts, runs a `fit` step, and training on
  in Keras must end where tkeras's uninterrupted training ends.
- The Keras-written files committed in tests/saving/keras_files (which tkeras's own test suite
  loads without Python) must still be what Keras predicts.

`python test_keras_file.py --write DIR` writes those committed files again."""
from parity import L, check_close, normalization_mlp, randomize, run_tkeras, sample_inputs, scratch_directory, sequential, weights  # noqa: I001 (first: Keras's backend)
import json
import os
import sys
import unittest
import zipfile

import keras
import numpy as np
from keras import layers

TOLERANCE = 1e-5
COMMITTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "saving", "keras_files")
TEXTS = ["the cat sat on the mat", "a dog ran far away", "the dog and the cat", "rain fell on the town",
         "a cat, a dog; and rain!", "nothing here is new"]


def inner():
    return keras.Sequential([layers.Dense(4, activation="relu", name="dense"), layers.Dense(3, name="dense_1")],
                            name="sequential")


def cnn():
    return sequential(
        (12, 12, 1), L(layers.RandomFlip), L(layers.RandomRotation, 0.1), L(layers.RandomZoom, 0.1),
        L(layers.RandomTranslation, 0.1, 0.1), L(layers.RandomBrightness, 0.1), L(layers.RandomContrast, 0.1),
        L(layers.Rescaling, 1 / 255), L(layers.Resizing, 10, 10), L(layers.CenterCrop, 8, 8),
        L(layers.Conv2D, 4, 3, activation="relu"), L(layers.MaxPooling2D), L(layers.AveragePooling2D, 2, padding="same"),
        L(layers.Conv2D, 3, 1), L(layers.GlobalAveragePooling2D), L(layers.Dense, 2))


def recurrent():
    return sequential(
        (10,), L(layers.Embedding, 40, 6), L(layers.Bidirectional, layers.LSTM(4, return_sequences=True)),
        L(layers.GRU, 3, return_sequences=True), L(layers.GRU, 3, reset_after=False, return_sequences=True),
        L(layers.SimpleRNN, 3, return_sequences=True), L(layers.Conv1D, 4, 3, padding="same", activation="relu"),
        L(layers.MaxPooling1D, 2), L(layers.AveragePooling1D, 2), L(layers.GlobalMaxPooling1D),
        L(layers.Dense, 1, activation="sigmoid"))


def masked():
    return sequential((8,), L(layers.Embedding, 20, 4, mask_zero=True), L(layers.LSTM, 3, return_sequences=True),
                      L(layers.GlobalAveragePooling1D), L(layers.Dense, 1))


def nested():
    return sequential((5,), L(layers.Dense, 6), inner(), L(layers.Dense, 2))


def text():
    vectorize = layers.TextVectorization(max_tokens=30, output_sequence_length=8, name="text_vectorization")
    vectorize.adapt(TEXTS)
    return keras.Sequential([keras.Input((1,), dtype="string"), vectorize, layers.Embedding(30, 4, name="embedding"),
                             layers.GlobalAveragePooling1D(name="global_average_pooling1d"),
                             layers.Dense(1, activation="sigmoid", name="dense")])


# name: (make, compile options, y's kind, whether training is the same in both (no randomness))
MODELS = {
    "mlp": (normalization_mlp, dict(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"]), "classes3", False),
    "cnn": (cnn, dict(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)), "classes2", False),
    "recurrent": (recurrent, dict(optimizer=keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                                  loss="binary_crossentropy", metrics=["accuracy"]), "binary", True),
    "masked": (masked, dict(optimizer=keras.optimizers.Adagrad(0.1), loss=keras.losses.Huber(delta=0.5)),
               "real", True),
    "nested": (nested, dict(optimizer=keras.optimizers.AdamW(0.01, amsgrad=True), loss="mse"), "real2", True),
    "text": (text, dict(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy"), "binary", False),
    # Nadam keeps a variable once for all weights (u_product), after the slots.
    "nadam": (lambda: sequential((5,), L(layers.Dense, 6, activation="tanh"), L(layers.Dense, 2)),
              dict(optimizer=keras.optimizers.Nadam(0.01), loss="mse"), "real2", True),
}


def inputs(name, model, n=7, seed=3):
    if name == "text":
        return np.array([TEXTS[i % len(TEXTS)] if i < len(TEXTS) else "an unseen cat" for i in range(n)])
    return sample_inputs(model, n, seed)


def targets(kind, n=7, seed=4):
    rng = np.random.default_rng(seed)
    if kind.startswith("classes"):
        return rng.integers(0, int(kind[-1]), size=n).astype("int64")
    if kind == "binary":
        return rng.integers(0, 2, size=(n, 1)).astype("float32")
    return rng.normal(size=(n, 2 if kind == "real2" else 1)).astype("float32")


def keras_predict(name, model, x):
    """Keras's predict; on strings, through the layers one by one (Keras on torch cannot predict on
    a string tensor)."""
    if name != "text":
        return model.predict(x, verbose=0)
    out = model.layers[0](x)
    for layer in model.layers[1:]:
        out = layer(out)
    return keras.ops.convert_to_numpy(out)


def make(name, seed):
    keras.utils.set_random_seed(seed)
    build, options, kind, deterministic = MODELS[name]
    model = build()
    randomize(model, seed + 100)
    return model, options, kind, deterministic


def compile_fresh(model, options):
    """compile with a fresh copy of the options' optimizer and loss."""
    fresh = dict(options)
    fresh["optimizer"] = options["optimizer"].__class__.from_config(options["optimizer"].get_config())
    if not isinstance(options["loss"], str):
        fresh["loss"] = options["loss"].__class__.from_config(options["loss"].get_config())
    model.compile(**fresh)


def tkeras_compile(options):
    """run_tkeras's compile arguments for Keras's compile options."""
    loss = options["loss"]
    names = {"SparseCategoricalCrossentropy": "sparse_categorical_crossentropy", "Huber": "huber"}
    return dict(optimizer=options["optimizer"], metrics=options.get("metrics", ()),
                loss=loss if isinstance(loss, str) else names[loss.__class__.__name__],
                from_logits=not isinstance(loss, str) and bool(loss.get_config().get("from_logits", False)),
                loss_options=None if isinstance(loss, str) or "delta" not in loss.get_config()
                else {"delta": loss.get_config()["delta"]})


def data(name, model, kind):
    return inputs(name, model), targets(kind)


class KerasFile(unittest.TestCase):
    def test_files_keras_saves_open_in_tkeras_and_train_on_alike(self):
        for name in MODELS:
            with self.subTest(model=name):
                model, options, kind, deterministic = make(name, 11)
                x, y = data(name, model, kind)
                compile_fresh(model, options)
                if name != "text":
                    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
                path = os.path.join(scratch_directory("tkeras-keras-"), f"{name}.keras")
                model.save(path)
                test = f".keras: {name}, Keras's file in tkeras"
                feed = {"texts_eval": list(x)} if name == "text" else None
                if not deterministic:
                    run = run_tkeras(None, {} if feed else {"x_eval": x}, model_file=path, texts=feed)
                    check_close(self, test, "predict", run.predict, keras_predict(name, model, x), TOLERANCE)
                    continue
                run = run_tkeras(None, {"x": x, "y": y, "x_eval": x}, epochs=1, batch_size=4, model_file=path)
                model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
                check_close(self, test, "predict after training on", run.predict, model.predict(x, verbose=0),
                            TOLERANCE)
                ours, theirs = run.final_weights, weights(model)
                self.assertEqual(sorted(ours), sorted(theirs))
                deviation = max(check_close(self, test, f"weight {w} after training on", ours[w], theirs[w], TOLERANCE)
                                for w in theirs)
                self.assertLessEqual(deviation, TOLERANCE)

    def test_files_tkeras_saves_open_in_keras_and_train_on_alike(self):
        for name in MODELS:
            if name == "text":
                continue  # tkeras adapts and trains on texts in test_text.py; here Keras's file of it is enough
            with self.subTest(model=name):
                model, options, kind, deterministic = make(name, 21)
                x, y = data(name, model, kind)
                directory = scratch_directory("tkeras-keras-")
                path = os.path.join(directory, f"{name}.keras")
                compile_options = tkeras_compile(options)
                epochs = 2 if deterministic else 1
                run = run_tkeras(model, {"x": x, "y": y, "x_eval": x}, epochs=epochs, batch_size=4, save_model=path,
                                 **compile_options)
                self.assertEqual(zipfile.ZipFile(path).namelist()[:3], ["metadata.json", "config.json",
                                                                         "model.weights.h5"])
                test = f".keras: {name}, tkeras's file in Keras"
                for compile in (False, True):
                    loaded = keras.saving.load_model(path, compile=compile)
                    check_close(self, test, f"predict (compile={compile})", loaded.predict(x, verbose=0), run.predict,
                                TOLERANCE)
                self.assertEqual(loaded.optimizer.__class__.__name__, options["optimizer"].__class__.__name__)
                if not deterministic:
                    loaded.fit(x, y, epochs=1, batch_size=4, verbose=0)  # one Keras fit on tkeras's file runs
                    continue
                # tkeras trained 2 epochs and saved; Keras trains 1 more from the file. tkeras's
                # uninterrupted 3 epochs must end at the same weights.
                uninterrupted = run_tkeras(model, {"x": x, "y": y, "x_eval": x}, epochs=3, batch_size=4,
                                           **compile_options)
                loaded.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
                ours, theirs = uninterrupted.final_weights, weights(loaded)
                self.assertEqual(sorted(ours), sorted(theirs))
                for w in theirs:
                    check_close(self, test, f"weight {w} after training on", theirs[w], ours[w], TOLERANCE)
                check_close(self, test, "predict after training on", loaded.predict(x, verbose=0),
                            uninterrupted.predict, TOLERANCE)

    def test_committed_keras_files_are_what_keras_predicts(self):
        with open(os.path.join(COMMITTED, "expected.json")) as f:
            expected = json.load(f)
        # Every model but nadam, added later, whose files each run makes (the other tests here).
        self.assertEqual(sorted(expected), sorted(set(MODELS) - {"nadam"}))
        for name, case in expected.items():
            with self.subTest(model=name):
                model = keras.saving.load_model(os.path.join(COMMITTED, f"{name}.keras"))
                x = np.array(case["x"], dtype=object if name == "text" else
                             ("int64" if isinstance(model.layers[0], layers.Embedding) else "float32"))
                if name == "text":
                    x = x.astype(str)
                check_close(self, f".keras: {name}, committed file", "predict", keras_predict(name, model, x),
                            np.array(case["predict"]), TOLERANCE)

    def test_keras_options_tkeras_does_not_honour_are_refused_naming_layer_and_option(self):
        cases = {
            # (Dense's, Conv2D's, Embedding's and the recurrent layers' are honoured: test_regularization.py.)
            "regularizer": (lambda: sequential((4,), L(layers.BatchNormalization, gamma_regularizer="l2")),
                            'layer 1 (BatchNormalization) "batch_normalization": option "gamma_regularizer"'),
            "constraint": (lambda: sequential((9, 9, 2), L(layers.DepthwiseConv2D, 3, depthwise_constraint="non_neg")),
                           'layer 1 (DepthwiseConv2D) "depthwise_conv2d": option "depthwise_constraint"'),
            "channels_first": (lambda: sequential((2, 9, 9), L(layers.Conv2D, 2, 3, data_format="channels_first")),
                               'option "data_format" = "channels_first" is not supported by tkeras '
                               '(expected "channels_last")'),
            "recurrent dropout": (lambda: sequential((5, 2), L(layers.LSTM, 3, recurrent_dropout=0.5)),
                                  'layer 1 (LSTM) "lstm": LSTM: recurrent_dropout = 0.5 is not supported by tkeras'),
            "float64": (lambda: sequential((4,), L(layers.Dense, 2, dtype="float64")),
                        'dtype "float64" is not supported'),
        }
        for case, (build, message) in cases.items():
            with self.subTest(case=case):
                keras.utils.set_random_seed(1)
                path = os.path.join(scratch_directory("tkeras-keras-"), "refused.keras")
                build().save(path)
                with self.assertRaises(AssertionError) as caught:
                    run_tkeras(None, {}, model_file=path)
                self.assertIn(message, str(caught.exception))


def write_committed(directory):
    """Keras-written files and what Keras predicts on them, for tkeras's own test suite."""
    os.makedirs(directory, exist_ok=True)
    expected = {}
    for name in MODELS:
        model, options, kind, _ = make(name, 31)
        x, y = data(name, model, kind)
        compile_fresh(model, options)
        if name != "text":
            model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
        model.save(os.path.join(directory, f"{name}.keras"))
        expected[name] = {"x": x.tolist(), "predict": keras_predict(name, model, x).tolist()}
    with open(os.path.join(directory, "expected.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write_committed(sys.argv[2])
    else:
        unittest.main()
