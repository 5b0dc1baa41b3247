"""Keras parity: sample weights and class weights in fit and evaluate, and compile's
weighted_metrics, from the same initial weights and batch order. Keras weighs each sample's loss
and divides the batch's sum by its number of samples; a weighted metric is the weighted mean of
the samples' values; class weights weigh the training data only."""
from parity import L, check_close, run_tkeras, seeded_data, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers, optimizers

EPOCHS, BATCH = 3, 32
TRAINING_TOLERANCE = 1e-4  # relative, per epoch value and per weight tensor, as test_training.py
EVALUATE_TOLERANCE = 1e-5  # on the same weights


def classifier(units, activation):
    return sequential((6,), L(layers.Dense, 16, activation="relu"), L(layers.Dense, units, activation=activation))


def weights_for(seed, n, shape=None):
    """Positive weights with some zeros: a zero-weight sample must not count at all."""
    w = np.random.default_rng(seed).uniform(0.2, 3.0, n).astype(np.float32)
    w[::7] = 0.0
    return w if shape is None else w.reshape(shape)


def data(seed, n, classes):
    x, y = seeded_data(seed, n, (6,), classes)
    return x, y


# name -> (units, activation, loss, targets made from class labels, Keras fit arguments,
#          tkeras data keys beyond x/y, run_tkeras arguments)
def cases():
    x, labels = data(1, 200, 4)
    x_val, labels_val = data(2, 64, 4)
    binary, binary_val = (labels % 2).astype(np.float32)[:, None], (labels_val % 2).astype(np.float32)[:, None]
    one_hot, one_hot_val = np.eye(4, dtype=np.float32)[labels], np.eye(4, dtype=np.float32)[labels_val]
    w, w_val = weights_for(3, 200), weights_for(4, 64)
    regression = x[:, :2] * np.array([1.5, -0.5], np.float32)
    regression_val = x_val[:, :2] * np.array([1.5, -0.5], np.float32)
    return {
        "sparse CE, sample_weight, weighted accuracy beside accuracy": dict(
            model=(4, "softmax"), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
            weighted_metrics=["accuracy"], x=x, y=labels, x_val=x_val, y_val=labels_val, sample_weight=w,
            val_sample_weight=w_val),
        "categorical CE, class_weight, weighted accuracy only": dict(
            model=(4, "softmax"), loss="categorical_crossentropy", metrics=[], weighted_metrics=["accuracy"],
            x=x, y=one_hot, x_val=x_val, y_val=one_hot_val, class_weight={0: 0.5, 2: 4.0, 3: 1.5}),
        "sparse CE, class_weight on [N] labels, unlisted class weighs 1": dict(
            model=(4, "softmax"), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
            weighted_metrics=["accuracy"], x=x, y=labels, x_val=x_val, y_val=labels_val,
            class_weight={1: 3.0, 7: 9.0}),
        "binary CE, class_weight on [N, 1] labels": dict(
            model=(1, "sigmoid"), loss="binary_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"],
            x=x, y=binary, x_val=x_val, y_val=binary_val, class_weight={0: 0.25, 1: 2.0}),
        "mse, [N, 1] sample weights, weighted mae, validation_split": dict(
            model=(2, "linear"), loss="mse", metrics=["mae"], weighted_metrics=["mae"], x=x, y=regression,
            sample_weight=w.reshape(-1, 1), validation_split=0.25),
        "mse, validation sample weights only": dict(
            model=(2, "linear"), loss="mse", metrics=[], weighted_metrics=["mse"], x=x, y=regression, x_val=x_val,
            y_val=regression_val, val_sample_weight=w_val),
    }


class SampleWeights(unittest.TestCase):
    def test_fit_with_sample_and_class_weights_matches_keras(self):
        for name, case in cases().items():
            with self.subTest(case=name):
                keras.utils.set_random_seed(21)
                model = classifier(*case["model"])
                optimizer = optimizers.Adam(learning_rate=0.01)
                tensors = {key: case[key] for key in ("x", "y", "x_val", "y_val", "sample_weight",
                                                     "val_sample_weight") if key in case}
                # evaluate on the validation data (or the training data), weighted as validation is
                x_eval = case.get("x_val", case["x"])
                tensors["x_eval"], tensors["y_eval"] = x_eval, case.get("y_val", case["y"])
                eval_weight = case.get("val_sample_weight", weights_for(5, len(x_eval)))
                tensors["eval_sample_weight"] = eval_weight
                run = run_tkeras(model, tensors, epochs=EPOCHS, batch_size=BATCH, optimizer=optimizer,
                                 loss=case["loss"], metrics=case["metrics"],
                                 weighted_metrics=case["weighted_metrics"], class_weight=case.get("class_weight"),
                                 validation_split=case.get("validation_split", 0.0))
                model.compile(optimizer=optimizer, loss=case["loss"], metrics=case["metrics"],
                              weighted_metrics=case["weighted_metrics"])
                validation = None
                if "x_val" in case:
                    validation = (case["x_val"], case["y_val"])
                    if "val_sample_weight" in case:
                        validation += (case["val_sample_weight"],)
                history = model.fit(case["x"], case["y"], batch_size=BATCH, epochs=EPOCHS, shuffle=False,
                                    validation_data=validation,
                                    validation_split=case.get("validation_split", 0.0),
                                    sample_weight=case.get("sample_weight"), class_weight=case.get("class_weight"),
                                    verbose=0).history
                test = f"sample weights: {name}"
                self.assertEqual(sorted(run.history), sorted(history))
                for key in history:
                    check_close(self, test, f"history {key}", run.history[key], history[key], TRAINING_TOLERANCE)
                ours, theirs = run.final_weights, weights(model)
                self.assertEqual(sorted(ours), sorted(theirs))
                for weight in theirs:
                    check_close(self, test, "final weights", ours[weight], theirs[weight], TRAINING_TOLERANCE)
                # after fit: the weights agree within the training tolerance, and so does evaluate
                scores = model.evaluate(tensors["x_eval"], tensors["y_eval"], sample_weight=eval_weight,
                                        batch_size=BATCH, verbose=0, return_dict=True)
                self.assertEqual(sorted(run.evaluate), sorted(scores))
                for key in scores:
                    check_close(self, test, f"evaluate {key}", run.evaluate[key], scores[key], TRAINING_TOLERANCE)

    def test_weighted_evaluate_matches_keras_on_the_same_weights_and_weights_change_it(self):
        x, y = data(1, 96, 4)
        w = weights_for(6, 96)
        keras.utils.set_random_seed(22)
        model = classifier(4, "softmax")
        model.compile(optimizer=optimizers.Adam(), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      weighted_metrics=["accuracy"])
        scores = model.evaluate(x, y, sample_weight=w, batch_size=BATCH, verbose=0, return_dict=True)
        run_weighted = run_tkeras(model, {"x_eval": x, "y_eval": y, "eval_sample_weight": w},
                                  optimizer=optimizers.Adam(), loss="sparse_categorical_crossentropy",
                                  metrics=["accuracy"], weighted_metrics=["accuracy"])
        self.assertEqual(sorted(run_weighted.evaluate), sorted(scores))
        for key in scores:
            check_close(self, "sample weights: evaluate on the same weights", f"evaluate {key}",
                        run_weighted.evaluate[key], scores[key], EVALUATE_TOLERANCE)
        # The comparisons could pass with the weights ignored on both sides; they are not.
        run_plain = run_tkeras(model, {"x_eval": x, "y_eval": y}, optimizer=optimizers.Adam(),
                               loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                               weighted_metrics=["accuracy"])
        self.assertGreater(abs(run_plain.evaluate["loss"] - run_weighted.evaluate["loss"]), 1e-3)
        self.assertEqual(run_plain.evaluate["accuracy"], run_plain.evaluate["weighted_accuracy"])
        self.assertNotEqual(run_weighted.evaluate["accuracy"], run_weighted.evaluate["weighted_accuracy"])


if __name__ == "__main__":
    unittest.main()
