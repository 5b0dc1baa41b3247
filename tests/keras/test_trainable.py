"""Keras parity: the layer API of transfer learning. Frozen layers (summary counts, weights that do
not move, a frozen BatchNormalization in inference mode), layers frozen and unfrozen between fits
without compiling again, and a model used as a layer of another model (its summary row, training
a new head on a frozen base)."""
from parity import L, check_close, keras_summary, parse_summary, run_tkeras, seeded_data, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers, optimizers

BATCH = 32
TOLERANCE = 1e-4  # relative, per epoch value and per weight tensor, as test_training.py


def cnn():
    return sequential((8, 8, 1), L(layers.Conv2D, 4, 3, activation="relu"), L(layers.BatchNormalization),
                      L(layers.MaxPooling2D, 2), L(layers.Flatten), L(layers.Dense, 16, activation="relu"),
                      L(layers.Dense, 5, activation="softmax"))


def nested():
    """A base model (Keras names it `sequential` here, as tkeras names a model inside a model by
    its kind) under a new head."""
    base = sequential((8, 8, 1), L(layers.Conv2D, 4, 3, activation="relu"), L(layers.BatchNormalization),
                      L(layers.Flatten), L(layers.Dense, 12, activation="relu"), name="sequential")
    return sequential((8, 8, 1), base, L(layers.Dense, 5, activation="softmax"), name="transfer"), base


class Trainable(unittest.TestCase):
    def data(self):
        x, y = seeded_data(21, 96, (8, 8, 1), 5)  # 3 full batches
        x_val, y_val = seeded_data(22, 40, (8, 8, 1), 5)
        return {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "x_eval": x_val, "y_eval": y_val}

    def compare_fit(self, test, model, optimizer, data, run, keras_histories):
        self.assertEqual(len(run.histories), len(keras_histories))
        for phase, (ours, theirs) in enumerate(zip(run.histories, keras_histories)):
            self.assertEqual(sorted(ours), sorted(theirs))
            for key in theirs:
                check_close(self, test, f"history {key} (fit {phase + 1})", ours[key], theirs[key], TOLERANCE)
        ours, theirs = run.final_weights, weights(model)
        self.assertEqual(sorted(ours), sorted(theirs))
        for name in theirs:
            check_close(self, test, "final weights", ours[name], theirs[name], TOLERANCE)

    def test_summary_counts_follow_frozen_layers_and_models(self):
        cases = {"frozen Dense and BatchNormalization": cnn, "frozen model inside a model": lambda: nested()[0]}
        for name, make in cases.items():
            with self.subTest(case=name):
                keras.utils.set_random_seed(31)
                model = make()
                if name.startswith("frozen Dense"):
                    model.get_layer("dense").trainable = False
                    model.get_layer("batch_normalization").trainable = False
                else:
                    model.get_layer("sequential").trainable = False
                run = run_tkeras(model, {})
                ours_rows, ours_totals = parse_summary(run.summary)
                keras_rows, keras_totals = parse_summary(keras_summary(model))
                self.assertTrue(keras_rows)
                self.assertEqual(ours_rows, keras_rows)
                self.assertEqual(ours_totals, keras_totals)
                self.assertGreater(keras_totals["Non-trainable"], 0)

    def test_frozen_layers_keep_their_weights_in_fit_as_in_keras(self):
        keras.utils.set_random_seed(32)
        model = cnn()
        model.get_layer("conv2d").trainable = False
        model.get_layer("batch_normalization").trainable = False  # Keras 3: inference mode in fit
        frozen = {k: v for k, v in weights(model).items() if k.startswith(("conv2d.", "batch_normalization."))}
        data = self.data()
        optimizer = optimizers.Adam(learning_rate=0.003)
        run = run_tkeras(model, data, epochs=3, batch_size=BATCH, optimizer=optimizer,
                         loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(data["x"], data["y"], batch_size=BATCH, epochs=3, shuffle=False,
                            validation_data=(data["x_val"], data["y_val"]), verbose=0).history
        self.compare_fit("trainable: frozen Conv2D and BatchNormalization", model, optimizer, data, run, [history])
        for name, value in frozen.items():
            np.testing.assert_array_equal(run.final_weights[name], value, err_msg=name)

    def test_freezing_and_unfreezing_between_fits_needs_no_compile_as_in_keras(self):
        keras.utils.set_random_seed(33)
        model = cnn()
        data = self.data()
        optimizer = optimizers.Adam(learning_rate=0.003)
        phases = [{"epochs": 1, "trainable": {}},
                  {"epochs": 2, "trainable": {"conv2d": False, "dense": False}},
                  {"epochs": 1, "trainable": {"conv2d": True}}]
        run = run_tkeras(model, data, batch_size=BATCH, optimizer=optimizer, loss="sparse_categorical_crossentropy",
                         metrics=["accuracy"], phases=phases)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        histories = []
        for phase in phases:
            for layer, trainable in phase["trainable"].items():
                model.get_layer(layer).trainable = trainable
            histories.append(model.fit(data["x"], data["y"], batch_size=BATCH, epochs=phase["epochs"], shuffle=False,
                                       validation_data=(data["x_val"], data["y_val"]), verbose=0).history)
        self.compare_fit("trainable: frozen and unfrozen between fits", model, optimizer, data, run, histories)

    def test_a_new_head_trains_on_a_frozen_model_inside_the_model_as_in_keras(self):
        keras.utils.set_random_seed(34)
        model, base = nested()
        base.trainable = False
        data = self.data()
        optimizer = optimizers.Adam(learning_rate=0.003)
        run = run_tkeras(model, data, epochs=2, batch_size=BATCH, optimizer=optimizer,
                         loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        before = weights(base, "sequential.")
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(data["x"], data["y"], batch_size=BATCH, epochs=2, shuffle=False,
                            validation_data=(data["x_val"], data["y_val"]), verbose=0).history
        self.compare_fit("trainable: new head on a frozen model inside the model", model, optimizer, data, run,
                         [history])
        for name, value in before.items():
            np.testing.assert_array_equal(run.final_weights[name], value, err_msg=name)
        check_close(self, "model as a layer: predict", "predict", run.predict, model.predict(data["x_eval"], verbose=0),
                    1e-5)


if __name__ == "__main__":
    unittest.main()
