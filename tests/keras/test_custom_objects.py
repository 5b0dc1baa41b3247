"""Keras parity: losses and metrics of one's own. A Keras-written .keras file compiled with a loss
class of one's own, or a loss function, and with metric functions and a metric class of one's own,
loads in tkeras with the same pieces written in C++ (driver.cpp's custom_objects) and trains on as
Keras does; the file tkeras saves loads in Keras with Keras's custom_objects and evaluates as
tkeras does."""
from parity import L, check_close, run_tkeras, scratch_directory, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import os
import unittest

import keras
import numpy as np
from keras import layers, ops

TOLERANCE = 1e-4  # per epoch value and weight tensor, as test_training.py
BATCH = 8


# The same pieces as driver.cpp's, as a Keras user writes them.
def doubled_squared_error(y_true, y_pred):
    return 2.0 * ops.mean(ops.square(y_true - y_pred), axis=-1)


def absolute_difference(y_true, y_pred):
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


class ScaledError(keras.losses.Loss):
    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * ops.mean(ops.square(y_true - y_pred), axis=-1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class MaxError(keras.metrics.Metric):
    def __init__(self, name="max_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.largest = self.add_variable(shape=(), initializer="zeros", name="largest")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.largest.assign(ops.maximum(self.largest, ops.max(ops.abs(y_true - y_pred))))

    def result(self):
        return self.largest


CUSTOM_OBJECTS = {"doubled_squared_error": doubled_squared_error, "absolute_difference": absolute_difference,
                  "ScaledError": ScaledError, "MaxError": MaxError}


def regression_data(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    y = np.stack([x[:, 0] - 2.0 * x[:, 1], np.tanh(x[:, 2] + x[:, 3])], axis=1).astype(np.float32)
    return x, y


class CustomObjectsTest(unittest.TestCase):
    def check_round_trip(self, test, loss, metrics, reduction_sum=False):
        x, y = regression_data(1, 48)
        x_eval, y_eval = regression_data(2, 16)
        keras.utils.set_random_seed(31)
        model = sequential((5,), L(layers.Dense, 8, activation="tanh"), L(layers.Dense, 2))
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss, metrics=metrics)
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        directory = scratch_directory("tkeras-custom-objects-")
        path, saved = os.path.join(directory, "keras.keras"), os.path.join(directory, "tkeras.keras")
        model.save(path)
        run = run_tkeras(None, {"x": x, "y": y, "x_eval": x_eval, "y_eval": y_eval}, epochs=2, batch_size=BATCH,
                         model_file=path, save_model=saved)
        history = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0).history
        self.assertEqual(sorted(run.history), sorted(history))
        for key in history:
            check_close(self, test, f"history {key}", run.history[key], history[key], TOLERANCE)
        ours, theirs = run.final_weights, weights(model)
        for name in theirs:
            check_close(self, test, f"weight {name} after training on", ours[name], theirs[name], TOLERANCE)
        # tkeras's file loads in Keras with Keras's custom_objects, and evaluates as tkeras did.
        loaded = keras.saving.load_model(saved, custom_objects=CUSTOM_OBJECTS)
        scores = loaded.evaluate(x_eval, y_eval, batch_size=BATCH, verbose=0, return_dict=True)
        self.assertEqual(sorted(scores), sorted(run.evaluate))
        for key in scores:
            check_close(self, test, f"Keras's evaluate of tkeras's file: {key}", run.evaluate[key], scores[key],
                        TOLERANCE)
        return loaded

    def test_a_loss_class_and_metrics_of_ones_own_load_from_keras_train_on_and_load_back(self):
        loaded = self.check_round_trip(
            "custom loss class and metrics", ScaledError(scale=3.0, reduction="sum"),
            [absolute_difference, MaxError(),
             keras.metrics.MeanMetricWrapper(absolute_difference, name="renamed")])
        self.assertIsInstance(loaded.loss, ScaledError)
        self.assertEqual((loaded.loss.scale, loaded.loss.reduction), (3.0, "sum"))

    def test_a_loss_function_of_ones_own_loads_from_keras_trains_on_and_loads_back(self):
        self.check_round_trip("custom loss function", doubled_squared_error, ["mae", absolute_difference])


if __name__ == "__main__":
    unittest.main()
