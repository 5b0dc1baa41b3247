"""Keras parity: every Keras loss class, with its options (label smoothing, focal terms, ignored
classes, axes) and its reductions, in evaluate (with and without sample weights), in training, and
in .keras files both ways.

tkeras gets each loss as Keras's own config (its class name and get_config()), so that the options
are the ones Keras used. Keras 3.15's Huber and CosineSimilarity leave delta and axis out of their
configs; those are added by hand."""
from parity import L, check_close, run_tkeras, seeded_data, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import os
import tempfile
import unittest

import keras
import numpy as np
from keras import layers, losses, optimizers

EVALUATE_TOLERANCE = 1e-5  # on the same weights, as test_losses.py
TRAINING_TOLERANCE = 1e-4  # per epoch value and weight tensor, as test_training.py
N = 12

rng = np.random.default_rng(7)
REAL = rng.standard_normal((N, 3)).astype(np.float32)
TARGETS = rng.standard_normal((N, 3)).astype(np.float32)
POSITIVE = np.abs(rng.standard_normal((N, 3))).astype(np.float32)
LOGITS = (rng.standard_normal((N, 4)) * 2).astype(np.float32)
LABELS = rng.integers(0, 4, N)
ONE_HOT = np.eye(4, dtype=np.float32)[LABELS]
SOFT = rng.dirichlet(np.ones(4), N).astype(np.float32)
BINARY = rng.integers(0, 2, (N, 3)).astype(np.float32)
SIGNED = BINARY * 2 - 1
SEQUENCE_LOGITS = rng.standard_normal((N, 5, 4)).astype(np.float32)
SEQUENCE_LABELS = rng.integers(0, 4, (N, 5))
SEQUENCE_LABELS[rng.random((N, 5)) < 0.3] = -1
CTC_LOGITS = rng.standard_normal((N, 8, 5)).astype(np.float32)
CTC_LABELS = np.zeros((N, 3), np.int64)
for row, length in enumerate(rng.integers(1, 4, N)):
    CTC_LABELS[row, :length] = rng.integers(1, 5, length)
MASK_LOGITS = rng.standard_normal((N, 4, 4)).astype(np.float32)
MASKS = (rng.random((N, 4, 4)) < 0.4).astype(np.float32)
EMBEDDINGS = rng.standard_normal((N, 6)).astype(np.float32)
GROUPS = np.arange(N) % 3
SAMPLE_WEIGHT = rng.uniform(0.2, 2.0, N).astype(np.float32)
SAMPLE_WEIGHT[::5] = 0.0

# case: (keras loss, output activation (or a layer), inputs of the output, targets, weighted too)
CASES = {
    "BinaryCrossentropy, label smoothing": (losses.BinaryCrossentropy(label_smoothing=0.2), "sigmoid", REAL, BINARY,
                                            True),
    "BinaryCrossentropy, from_logits, smoothing": (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
                                                   "linear", REAL, BINARY, True),
    "BinaryFocalCrossentropy": (losses.BinaryFocalCrossentropy(), "sigmoid", REAL, BINARY, True),
    "BinaryFocalCrossentropy, balanced, from_logits, smoothing": (
        losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5, from_logits=True,
                                       label_smoothing=0.1), "linear", REAL, BINARY, True),
    "CategoricalCrossentropy, label smoothing": (losses.CategoricalCrossentropy(label_smoothing=0.1), "softmax",
                                                 LOGITS, ONE_HOT, True),
    "CategoricalCrossentropy, from_logits, soft targets": (losses.CategoricalCrossentropy(from_logits=True), "linear",
                                                           LOGITS, SOFT, True),
    "CategoricalFocalCrossentropy": (losses.CategoricalFocalCrossentropy(), "softmax", LOGITS, ONE_HOT, True),
    "CategoricalFocalCrossentropy, from_logits, smoothing": (
        losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=3.0, from_logits=True, label_smoothing=0.2), "linear",
        LOGITS, ONE_HOT, True),
    "SparseCategoricalCrossentropy, ignore_class over a sequence": (
        losses.SparseCategoricalCrossentropy(ignore_class=-1), "softmax", SEQUENCE_LOGITS, SEQUENCE_LABELS, False),
    "SparseCategoricalCrossentropy, from_logits, ignore_class, sum": (
        losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1, reduction="sum"), "linear",
        SEQUENCE_LOGITS, SEQUENCE_LABELS, False),
    "CategoricalGeneralizedCrossEntropy": (losses.CategoricalGeneralizedCrossEntropy(q=0.3), "softmax", LOGITS,
                                           LABELS, True),
    "KLDivergence": (losses.KLDivergence(), "softmax", LOGITS, SOFT, True),
    "Poisson": (losses.Poisson(), "softplus", REAL, POSITIVE, True),
    "CTC": (losses.CTC(), "linear", CTC_LOGITS, CTC_LABELS, True),
    "MeanAbsolutePercentageError": (losses.MeanAbsolutePercentageError(), "linear", REAL, TARGETS, True),
    "MeanSquaredLogarithmicError": (losses.MeanSquaredLogarithmicError(), "softplus", REAL, POSITIVE, True),
    "CosineSimilarity": (losses.CosineSimilarity(), "linear", REAL, TARGETS, True),
    "LogCosh": (losses.LogCosh(), "linear", REAL * 5, TARGETS, True),
    "Huber, delta 0.3, sum": (losses.Huber(delta=0.3, reduction="sum"), "linear", REAL, TARGETS, True),
    "Hinge, 0/1 targets": (losses.Hinge(), "linear", REAL, BINARY, True),
    "Hinge, -1/1 targets": (losses.Hinge(), "tanh", REAL, SIGNED, True),
    "SquaredHinge": (losses.SquaredHinge(), "linear", REAL, BINARY, True),
    "CategoricalHinge": (losses.CategoricalHinge(), "linear", LOGITS, ONE_HOT, True),
    "Dice, every axis": (losses.Dice(), "sigmoid", MASK_LOGITS, MASKS, True),
    "Dice, per image": (losses.Dice(axis=[1, 2]), "sigmoid", MASK_LOGITS, MASKS, True),
    "Tversky": (losses.Tversky(alpha=0.7, beta=0.3, axis=[1, 2]), "sigmoid", MASK_LOGITS, MASKS, True),
    "Circle": (losses.Circle(gamma=4.0), layers.UnitNormalization, EMBEDDINGS, GROUPS, True),
    "Circle, diagonal kept": (losses.Circle(gamma=2.0, margin=0.2, remove_diagonal=False), layers.UnitNormalization,
                              EMBEDDINGS, GROUPS, True),
    "MeanSquaredError, mean_with_sample_weight": (losses.MeanSquaredError(reduction="mean_with_sample_weight"),
                                                  "linear", REAL, TARGETS, True),
    "MeanAbsoluteError, sum": (losses.MeanAbsoluteError(reduction="sum"), "linear", REAL, TARGETS, True),
}


def tkeras_loss(keras_loss):
    """The compile_config entry tkeras reads: Keras's class name and config, with the options
    Keras 3.15 leaves out of it."""
    config = {key: value for key, value in keras_loss.get_config().items() if key not in ("name", "dtype")}
    if isinstance(keras_loss, losses.Huber):
        config["delta"] = keras_loss._fn_kwargs["delta"]
    if isinstance(keras_loss, losses.CosineSimilarity):
        config["axis"] = keras_loss._fn_kwargs["axis"]
    return type(keras_loss).__name__, config


def output_model(activation, x):
    layer = L(activation) if isinstance(activation, type) else L(layers.Activation, activation)
    return sequential(x.shape[1:], layer)


class LossClasses(unittest.TestCase):
    def test_every_loss_class_evaluates_as_keras_with_and_without_sample_weights(self):
        for case, (keras_loss, activation, x, y, weighted) in CASES.items():
            with self.subTest(case=case):
                model = output_model(activation, x)
                optimizer = optimizers.SGD()
                name, options = tkeras_loss(keras_loss)
                model.compile(optimizer=optimizer, loss=keras_loss)
                data = {"x_eval": x, "y_eval": y}
                if weighted:
                    data["eval_sample_weight"] = SAMPLE_WEIGHT
                run = run_tkeras(model, data, optimizer=optimizer, loss=name, loss_options=options)
                theirs = model.evaluate(x, y, sample_weight=SAMPLE_WEIGHT if weighted else None, verbose=0,
                                        return_dict=True)["loss"]
                check_close(self, f"loss classes: {case}", "evaluate loss", run.evaluate["loss"], theirs,
                            EVALUATE_TOLERANCE)

    def test_training_with_each_kind_of_loss_matches_keras(self):
        x, labels = seeded_data(11, 96, (6,), 3)
        one_hot = np.eye(3, dtype=np.float32)[labels]
        binary = one_hot.copy()
        trainings = {
            "BinaryFocalCrossentropy, balanced": (losses.BinaryFocalCrossentropy(apply_class_balancing=True), "sigmoid",
                                                  binary),
            "CategoricalCrossentropy, label smoothing": (losses.CategoricalCrossentropy(label_smoothing=0.2),
                                                         "softmax", one_hot),
            "CategoricalFocalCrossentropy": (losses.CategoricalFocalCrossentropy(gamma=1.0), "softmax", one_hot),
            "SquaredHinge": (losses.SquaredHinge(), "tanh", binary),
            "KLDivergence": (losses.KLDivergence(), "softmax", one_hot * 0.8 + 0.2 / 3),
            "Huber, sum": (losses.Huber(delta=0.5, reduction="sum"), "linear", one_hot),
            "Dice, per sample": (losses.Dice(axis=1), "sigmoid", binary),
            "Tversky": (losses.Tversky(alpha=0.8, beta=0.2), "sigmoid", binary),
            "LogCosh": (losses.LogCosh(), "linear", one_hot),
            "CategoricalGeneralizedCrossEntropy": (losses.CategoricalGeneralizedCrossEntropy(q=0.6), "softmax",
                                                   labels),
        }
        for case, (keras_loss, activation, y) in trainings.items():
            with self.subTest(case=case):
                keras.utils.set_random_seed(5)
                model = sequential((6,), L(layers.Dense, 8, activation="relu"),
                                   L(layers.Dense, 3, activation=activation))
                optimizer = optimizers.Adam(learning_rate=0.01)
                name, options = tkeras_loss(keras_loss)
                run = run_tkeras(model, {"x": x, "y": y, "sample_weight": SAMPLE_WEIGHT.repeat(8)}, epochs=3,
                                 batch_size=16, optimizer=optimizer, loss=name, loss_options=options)
                model.compile(optimizer=optimizer, loss=keras_loss)
                history = model.fit(x, y, sample_weight=SAMPLE_WEIGHT.repeat(8), batch_size=16, epochs=3,
                                    shuffle=False, verbose=0).history
                test = f"loss classes, training: {case}"
                check_close(self, test, "history loss", run.history["loss"], history["loss"], TRAINING_TOLERANCE)
                ours, theirs = run.final_weights, weights(model)
                for weight in theirs:
                    check_close(self, test, "final weights", ours[weight], theirs[weight], TRAINING_TOLERANCE)

    def test_loss_objects_travel_in_keras_files_both_ways(self):
        x = LOGITS
        for keras_loss in (losses.CategoricalFocalCrossentropy(alpha=0.4, label_smoothing=0.1),
                           losses.SparseCategoricalCrossentropy(ignore_class=3),
                           losses.Tversky(alpha=0.6, beta=0.4, reduction="sum"),
                           losses.KLDivergence(reduction="mean_with_sample_weight"),
                           losses.CategoricalGeneralizedCrossEntropy()):
            with self.subTest(loss=type(keras_loss).__name__):
                labels = (losses.SparseCategoricalCrossentropy, losses.CategoricalGeneralizedCrossEntropy)
                y = LABELS if isinstance(keras_loss, labels) else SOFT
                model = output_model("softmax", x)
                model.compile(optimizer=optimizers.SGD(), loss=keras_loss)
                with tempfile.TemporaryDirectory() as directory:
                    # Keras's file: tkeras reads the loss and evaluates as Keras does.
                    path = os.path.join(directory, "keras.keras")
                    model.save(path)
                    theirs = model.evaluate(x, y, sample_weight=SAMPLE_WEIGHT, verbose=0, return_dict=True)["loss"]
                    saved = os.path.join(directory, "tkeras.keras")
                    run = run_tkeras(None, {"x_eval": x, "y_eval": y, "eval_sample_weight": SAMPLE_WEIGHT},
                                     model_file=path, save_model=saved)
                    check_close(self, f"loss classes, files: {type(keras_loss).__name__}", "evaluate loss",
                                run.evaluate["loss"], theirs, EVALUATE_TOLERANCE)
                    # tkeras's file: Keras rebuilds the same loss object.
                    loaded = keras.saving.load_model(saved)
                    self.assertEqual(type(loaded.loss).__name__, type(keras_loss).__name__)
                    expected = {k: v for k, v in keras_loss.get_config().items() if k != "name"}
                    got = {k: v for k, v in loaded.loss.get_config().items() if k != "name"}
                    self.assertEqual(got, expected)

    def test_a_keras_loss_function_in_a_file_is_read_by_its_name(self):
        # compile(loss=keras.losses.mean_squared_logarithmic_error) saves {"class_name": "function", ...}.
        model = output_model("softplus", REAL)
        model.compile(optimizer=optimizers.SGD(), loss=losses.mean_squared_logarithmic_error)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "keras.keras")
            model.save(path)
            theirs = model.evaluate(REAL, POSITIVE, sample_weight=SAMPLE_WEIGHT, verbose=0, return_dict=True)["loss"]
            run = run_tkeras(None, {"x_eval": REAL, "y_eval": POSITIVE, "eval_sample_weight": SAMPLE_WEIGHT},
                             model_file=path)
            check_close(self, "loss classes, files: a keras.losses function", "evaluate loss", run.evaluate["loss"],
                        theirs, EVALUATE_TOLERANCE)

    def test_a_loss_keras_refuses_in_compile_is_refused_by_tkeras(self):
        # reduction="none" leaves one value per sample: Keras's torch trainer cannot backpropagate it.
        x, labels = seeded_data(12, 32, (6,), 3)
        model = sequential((6,), L(layers.Dense, 3, activation="softmax"))
        model.compile(optimizer=optimizers.SGD(), loss=losses.SparseCategoricalCrossentropy(reduction="none"))
        with self.assertRaises(Exception):
            model.fit(x, labels, epochs=1, verbose=0)
        with self.assertRaisesRegex(AssertionError, "reduction"):
            run_tkeras(model, {"x": x, "y": labels}, epochs=1, optimizer=optimizers.SGD(),
                       loss="SparseCategoricalCrossentropy", loss_options={"reduction": "none"})


if __name__ == "__main__":
    unittest.main()
