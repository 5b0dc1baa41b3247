"""Keras parity: Keras 3's weights file (.weights.h5) both ways. For models covering every kind of
layer with weights (and some without): Keras saves its weights with `save_weights`, tkeras loads
that file into a model that started from other weights and must predict what Keras predicts; then
tkeras trains, saves `.weights.h5`, and a fresh Keras model's `load_weights` of that file must
predict what tkeras predicts. Then files Keras would read but tkeras must refuse (links, compression,
missing or extra datasets, wrong shapes) fail with errors naming what is wrong."""
from parity import L, check_close, randomize, run_tkeras, sample_inputs, scratch_directory, sequential  # noqa: I001 (first: it selects Keras's torch backend)
import os
import unittest

import h5py
import keras
import numpy as np
from keras import layers

TOLERANCE = 1e-5


def inner():
    return keras.Sequential([layers.Dense(4, activation="relu", name="dense"), layers.Dense(3, name="dense_1")],
                            name="sequential")


MODELS = {
    "MLP with BatchNormalization and Dropout": lambda: sequential(
        (6,), L(layers.Dense, 8, activation="relu"), L(layers.BatchNormalization), L(layers.Dropout, 0.2),
        L(layers.Dense, 3, activation="softmax")),
    "CNN": lambda: sequential(
        (10, 10, 2), L(layers.Rescaling, 0.5), L(layers.Conv2D, 4, 3, activation="relu"), L(layers.MaxPooling2D),
        L(layers.Conv2D, 3, 2, padding="same"), L(layers.GlobalAveragePooling2D), L(layers.Dense, 2)),
    "Normalization then Dense": lambda: sequential((5,), L(layers.Normalization, mean=[0.5] * 5, variance=[2.0] * 5),
                                                   L(layers.Dense, 2)),
    "Embedding, Bidirectional LSTM, GRU, SimpleRNN": lambda: sequential(
        (7,), L(layers.Embedding, 30, 5), L(layers.Bidirectional, layers.LSTM(4, return_sequences=True)),
        L(layers.GRU, 3, return_sequences=True), L(layers.GRU, 3, reset_after=False, return_sequences=True),
        L(layers.SimpleRNN, 2), L(layers.Dense, 1, activation="sigmoid")),
    "Conv1D and pooling": lambda: sequential(
        (12, 3), L(layers.Conv1D, 4, 3, padding="causal"), L(layers.MaxPooling1D), L(layers.Conv1D, 2, 2),
        L(layers.Flatten), L(layers.Dense, 2)),
    "a model inside the model": lambda: sequential((5,), L(layers.Dense, 6), inner(), L(layers.Dense, 2)),
}


class WeightsH5(unittest.TestCase):
    def test_keras_weights_files_load_into_tkeras(self):
        for name, make in MODELS.items():
            with self.subTest(model=name):
                keras.utils.set_random_seed(1)
                theirs = make()
                randomize(theirs, 2)
                x = sample_inputs(theirs, 9)
                path = os.path.join(scratch_directory("tkeras-h5-"), "keras.weights.h5")
                theirs.save_weights(path)
                keras.utils.set_random_seed(4)
                other = make()  # tkeras starts from these weights, then loads Keras's file
                run = run_tkeras(other, {"x_eval": x}, load_weights=path)
                expected = theirs.predict(x, verbose=0)
                test = f"weights.h5: {name}, Keras's file in tkeras"
                check_close(self, test, "predict", run.predict, expected, TOLERANCE)
                self.assertGreater(np.max(np.abs(other.predict(x, verbose=0) - expected)), 1e-4,
                                   f"{test}: the starting weights already predicted the same")

    def test_tkeras_weights_files_load_into_keras(self):
        for name, make in MODELS.items():
            with self.subTest(model=name):
                keras.utils.set_random_seed(5)
                model = make()
                x = sample_inputs(model, 9)
                y = np.random.default_rng(6).random((9, *model.output_shape[1:])).astype("float32")
                optimizer = keras.optimizers.Adam(learning_rate=0.05)
                path = os.path.join(scratch_directory("tkeras-h5-"), "tkeras.weights.h5")
                run = run_tkeras(model, {"x": x, "y": y, "x_eval": x}, epochs=2, batch_size=4, optimizer=optimizer,
                                 loss="mse", save_weights=path)
                keras.utils.set_random_seed(7)
                fresh = make()
                before = fresh.predict(x, verbose=0)
                fresh.load_weights(path)
                test = f"weights.h5: {name}, tkeras's file in Keras"
                check_close(self, test, "predict", fresh.predict(x, verbose=0), run.predict, TOLERANCE)
                self.assertGreater(np.max(np.abs(before - run.predict)), 1e-4, f"{test}: already agreed before loading")

    def test_bad_weights_files_are_refused_naming_the_problem(self):
        keras.utils.set_random_seed(8)
        make = MODELS["MLP with BatchNormalization and Dropout"]
        model = make()
        x = sample_inputs(model, 9)
        directory = scratch_directory("tkeras-h5-")
        good = os.path.join(directory, "good.weights.h5")
        model.save_weights(good)

        def variant(name, change):
            path = os.path.join(directory, name)
            with h5py.File(good) as source, h5py.File(path, "w") as target:
                for key in source:
                    source.copy(source[key], target, name=key)
                change(target)
            return path

        def compressed(f):
            data = f["layers/dense/vars/0"][()]
            del f["layers/dense/vars/0"]
            f.create_dataset("layers/dense/vars/0", data=data, compression="gzip")

        def unwritten(f):
            del f["layers/dense/vars/1"]
            f.create_dataset("layers/dense/vars/1", shape=(8,), dtype="float32", chunks=(8,))

        def wrong_shape(f):
            del f["layers/dense/vars/1"]
            f.create_dataset("layers/dense/vars/1", data=np.zeros(9, "float32"))

        def soft_link(f):
            f["layers/dense_1/vars/2"] = h5py.SoftLink("/layers/dense/vars/0")

        def external_link(f):
            f["layers/extra"] = h5py.ExternalLink("/etc/passwd", "/x")

        cases = {
            "soft link": (soft_link, "expected only plain links inside the file, received a soft link"),
            "external link": (external_link, "received an external or user-defined link"),
            "compressed": (compressed, "expected uncompressed values"),
            "never written": (unwritten, "expected 32 stored bytes for its shape [8], received 0"),
            "missing": (lambda f: f.__delitem__("layers/dense_1/vars/1"), "no dataset \"layers/dense_1/vars/1\""),
            "extra layer": (lambda f: f.create_dataset("layers/dense_9/vars/0", data=np.zeros(2, "float32")),
                            "unexpected dataset \"layers/dense_9/vars/0\""),
            "wrong shape": (wrong_shape, "has shape [9]; the model expects [8]"),
        }
        for name, (change, message) in cases.items():
            with self.subTest(case=name):
                path = variant(name.replace(" ", "_") + ".weights.h5", change)
                with self.assertRaises(AssertionError) as caught:
                    run_tkeras(model, {"x_eval": x}, load_weights=path)
                self.assertIn(message, str(caught.exception))
        truncated = os.path.join(directory, "truncated.weights.h5")
        with open(good, "rb") as f, open(truncated, "wb") as g:
            g.write(f.read()[:600])
        with self.assertRaises(AssertionError) as caught:
            run_tkeras(model, {"x_eval": x}, load_weights=truncated)
        self.assertIn("truncated.weights.h5", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
