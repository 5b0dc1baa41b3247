"""Keras parity: losses on hand-picked hard cases (saturated softmax and sigmoid outputs,
from_logits), computed by evaluate on models without weights, so that only the loss differs.

The one deliberate difference: an output layer ending in softmax (or sigmoid) hands tkeras's
cross-entropy its logits, which it takes as log-softmax (or the fused sigmoid form), exactly.
Keras 3 on the torch backend takes the log of the probabilities clipped to [1e-7, 1 - 1e-7], so
where a true class's probability is below 1e-7 Keras reports -log(1e-7) = 16.118 and its
gradient is zero. The saturated cases check that tkeras gives the exact value and Keras the
clipped one (README: "Differences from Keras worth knowing")."""
from parity import L, check_close, report, run_tkeras, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers, losses


CLIPPED = -np.log(1e-7)


def log_softmax(z):
    z = z.astype(np.float64)
    m = z.max(-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))


def softplus(z):
    return np.logaddexp(0.0, z.astype(np.float64))


MODERATE = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-3.0, 4.0, 1.0], [1.0, 1.0, 1.0]], np.float32)
SATURATED = np.array([[60.0, 0.0, -60.0], [0.0, 40.0, 0.0], [-30.0, 30.0, 5.0], [1.0, 2.0, 3.0]], np.float32)
LABELS = np.array([2, 0, 1, 2], np.int64)  # the first three are the least likely classes
ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]
BINARY_LOGITS = np.array([[40.0], [-40.0], [20.0], [0.3]], np.float32)
BINARY_LABELS = np.array([[0.0], [1.0], [0.0], [1.0]], np.float32)


def exact_sparse(z, labels):
    return float(-log_softmax(z)[np.arange(len(labels)), labels].mean())


def exact_binary(z, t):
    z, t = z.astype(np.float64), t.astype(np.float64)
    return float((t * softplus(-z) + (1 - t) * softplus(z)).mean())


# (loss name, keras loss, output activation, from_logits, inputs (the logits), targets, exact value or None)
CASES = {
    "sparse CE, softmax output, moderate": ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy(),
                                            "softmax", False, MODERATE, LABELS, None),
    "sparse CE, from_logits, saturated": ("sparse_categorical_crossentropy",
                                          losses.SparseCategoricalCrossentropy(from_logits=True), "linear", True,
                                          SATURATED, LABELS, None),
    "categorical CE, softmax output, moderate": ("categorical_crossentropy", losses.CategoricalCrossentropy(),
                                                 "softmax", False, MODERATE, ONE_HOT, None),
    "categorical CE, from_logits, saturated": ("categorical_crossentropy",
                                               losses.CategoricalCrossentropy(from_logits=True), "linear", True,
                                               SATURATED, ONE_HOT, None),
    "binary CE, sigmoid output, moderate": ("binary_crossentropy", losses.BinaryCrossentropy(), "sigmoid", False,
                                            BINARY_LOGITS * 0.05, BINARY_LABELS, None),
    "binary CE, from_logits, saturated": ("binary_crossentropy", losses.BinaryCrossentropy(from_logits=True),
                                          "linear", True, BINARY_LOGITS, BINARY_LABELS, None),
    "MSE": ("mean_squared_error", losses.MeanSquaredError(), "linear", False, MODERATE, ONE_HOT, None),
    "MAE": ("mean_absolute_error", losses.MeanAbsoluteError(), "linear", False, MODERATE, ONE_HOT, None),
    "MAE by its short name": ("mae", "mae", "linear", False, SATURATED * 0.1, ONE_HOT, None),
    "Huber": ("huber", losses.Huber(), "linear", False, MODERATE, ONE_HOT, None),
    "Huber delta 0.5": (("huber", {"delta": 0.5}), losses.Huber(delta=0.5), "linear", False, MODERATE, ONE_HOT, None),
    "Huber delta 3": (("huber", {"delta": 3.0}), losses.Huber(delta=3.0), "linear", False, SATURATED * 0.1, ONE_HOT,
                      None),
}

# Saturated outputs through softmax or sigmoid: tkeras exact, Keras clipped (the named difference).
DIFFERENCES = {
    "sparse CE, saturated softmax output": ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy(),
                                            "softmax", SATURATED, LABELS, exact_sparse(SATURATED, LABELS)),
    "categorical CE, saturated softmax output": ("categorical_crossentropy", losses.CategoricalCrossentropy(),
                                                 "softmax", SATURATED, ONE_HOT, exact_sparse(SATURATED, LABELS)),
    "binary CE, saturated sigmoid output": ("binary_crossentropy", losses.BinaryCrossentropy(), "sigmoid",
                                            BINARY_LOGITS, BINARY_LABELS, exact_binary(BINARY_LOGITS, BINARY_LABELS)),
}


def both(name, keras_loss, activation, from_logits, x, y):
    """`name`: the loss's name, or (name, options) for a loss with options (Huber's delta)."""
    name, options = name if isinstance(name, tuple) else (name, None)
    model = sequential(x.shape[1:], L(layers.Activation, activation))
    optimizer = keras.optimizers.SGD()
    run = run_tkeras(model, {"x_eval": x, "y_eval": y}, optimizer=optimizer, loss=name, from_logits=from_logits,
                     loss_options=options)
    model.compile(optimizer=optimizer, loss=keras_loss)
    return run.evaluate["loss"], model.evaluate(x, y, verbose=0, return_dict=True)["loss"]


class Losses(unittest.TestCase):
    def test_losses_agree_with_keras_where_keras_computes_exactly(self):
        for case, (name, keras_loss, activation, from_logits, x, y, _) in CASES.items():
            with self.subTest(case=case):
                ours, theirs = both(name, keras_loss, activation, from_logits, x, y)
                check_close(self, f"loss: {case}", "evaluate loss", ours, theirs, 1e-5)

    def test_saturated_outputs_are_exact_in_tkeras_and_clipped_in_keras(self):
        for case, (name, keras_loss, activation, x, y, exact) in DIFFERENCES.items():
            with self.subTest(case=case):
                ours, theirs = both(name, keras_loss, activation, False, x, y)
                check_close(self, f"loss difference: {case}", "tkeras against the exact float64 value", ours, exact,
                            1e-5)
                # Keras: each saturated sample contributes -log(1e-7) (or its complement) instead.
                self.assertLess(theirs, exact - 1.0, f"{case}: Keras {theirs} is not the clipped value below {exact}")
                report(f"loss difference: {case}", "Keras 3 (clipped) against the exact value",
                       abs(theirs - exact) / exact, None)


if __name__ == "__main__":
    unittest.main()
