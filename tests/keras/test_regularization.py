"""Keras parity: initializers, regularizers and constraints. Each of Keras's initializers, seeded,
draws the values Keras's torch backend draws; training with weight and activity regularizers (their penalties
in the loss, as Keras's model.losses) and constraints (applied after each update) gives Keras's
history and weights; and a Keras-written .keras file that uses a schedule, regularizers,
constraints and seeded initializers loads in tkeras and trains on as in Keras."""
from parity import L, check_close, run_driver, run_tkeras, scratch_directory, seeded_data, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import json
import os
import unittest

import keras
import numpy as np
import torch
from keras import constraints, initializers, layers, optimizers, regularizers

TOLERANCE = 1e-4  # per epoch value and weight tensor, as test_training.py
EPOCHS, BATCH = 3, 16

INITIALIZERS = [
    initializers.RandomNormal(mean=0.5, stddev=2.0, seed=1),
    initializers.TruncatedNormal(mean=-1.0, stddev=0.3, seed=2),
    initializers.RandomUniform(minval=-2.0, maxval=3.0, seed=3),
    initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform", seed=4),
    initializers.VarianceScaling(scale=0.5, mode="fan_avg", distribution="untruncated_normal", seed=5),
    initializers.VarianceScaling(distribution="normal", seed=6),
    initializers.GlorotUniform(seed=7),
    initializers.GlorotNormal(seed=8),
    initializers.HeNormal(seed=9),
    initializers.HeUniform(seed=10),
    initializers.LecunNormal(seed=11),
    initializers.LecunUniform(seed=2 ** 32 + 12),
    initializers.Orthogonal(gain=1.5, seed=13),
    initializers.Constant(0.75),
    initializers.Zeros(),
    initializers.Ones(),
    initializers.Identity(gain=2.0),
]
SHAPES = [(7, 5), (5, 9), (3, 3, 4, 6)]


def serialized(obj):
    config = keras.saving.serialize_keras_object(obj)
    # Keras 3.15's Identity leaves its gain out of its config (Identity.get_config is the base's {}):
    # the case gives it, as tkeras's config does.
    if isinstance(obj, initializers.Identity):
        config["config"] = {"gain": obj.gain}
    return config


def regularized_model():
    return sequential(
        (8, 8, 1),
        L(layers.Conv2D, 4, 3, activation="relu", kernel_regularizer=regularizers.L2(0.02),
          bias_regularizer=regularizers.L1(0.05), kernel_constraint=constraints.MaxNorm(0.8, axis=[0, 1, 2])),
        L(layers.Flatten),
        L(layers.Dense, 12, activation="relu", kernel_regularizer=regularizers.L1L2(l1=0.001, l2=0.01),
          activity_regularizer=regularizers.L2(0.01),
          kernel_constraint=constraints.MinMaxNorm(0.2, 1.0, rate=0.5), bias_constraint=constraints.NonNeg()),
        L(layers.Dense, 6, activation="tanh", kernel_regularizer=regularizers.OrthogonalRegularizer(0.1, mode="columns"),
          kernel_constraint=constraints.UnitNorm(axis=1)),
        L(layers.Dense, 3, activation="softmax", kernel_regularizer="l2", bias_regularizer="l1l2",
          activity_regularizer=regularizers.L1(0.05)))


def embedding_model():
    return sequential(
        (6,),
        L(layers.Embedding, 20, 5, embeddings_regularizer=regularizers.L2(0.05),
          embeddings_constraint=constraints.MaxNorm(1.0, axis=1)),
        L(layers.Conv1D, 4, 3, kernel_regularizer=regularizers.L1(0.01),
          kernel_constraint=constraints.NonNeg()),
        L(layers.Flatten), L(layers.Dense, 3, activation="softmax"))


def recurrent_model():
    return sequential(
        (6,),
        L(layers.Embedding, 20, 4),
        L(layers.LSTM, 5, return_sequences=True, kernel_regularizer=regularizers.L2(0.02),
          recurrent_regularizer=regularizers.L1(0.01), bias_regularizer=regularizers.L2(0.05),
          recurrent_constraint=constraints.MaxNorm(0.9), activity_regularizer=regularizers.L2(0.1)),
        L(layers.GRU, 4, kernel_constraint=constraints.UnitNorm(), recurrent_regularizer=regularizers.L2(0.03),
          bias_constraint=constraints.NonNeg()),
        L(layers.Dense, 3, activation="softmax"))


class Regularization(unittest.TestCase):
    def test_every_seeded_initializer_draws_what_keras_draws(self):
        cases = []
        for initializer in INITIALIZERS:
            for shape in SHAPES:
                if isinstance(initializer, initializers.Identity) and len(shape) != 2:
                    continue
                cases.append((initializer, shape))
        directory = scratch_directory()
        with open(os.path.join(directory, "job.json"), "w") as f:
            json.dump({"initialize": [{"initializer": serialized(i), "shape": list(s)} for i, s in cases]}, f)
        run_driver(directory)
        for index, (initializer, shape) in enumerate(cases):
            theirs = keras.ops.convert_to_numpy(initializer(shape, dtype="float32"))
            ours = torch.load(os.path.join(directory, f"initialized_{index}.pt")).numpy()
            name = type(initializer).__name__
            self.assertEqual(ours.shape, theirs.shape, name)
            check_close(self, f"initializers: {name}", f"values of shape {shape}", ours, theirs, 1e-6)

    def test_training_with_regularizers_and_constraints_matches_keras(self):
        cases = {
            "Conv2D and Dense": (regularized_model, seeded_data(3, 96, (8, 8, 1), 3), seeded_data(4, 32, (8, 8, 1), 3)),
            "Embedding and Conv1D": (embedding_model, self.tokens(5), self.tokens(6)),
            "LSTM and GRU": (recurrent_model, self.tokens(7), self.tokens(8)),
        }
        for case, (make, (x, y), (x_val, y_val)) in cases.items():
            for optimizer_name, make_optimizer in {"SGD": lambda: optimizers.SGD(0.05, momentum=0.9),
                                                   "Adam": lambda: optimizers.Adam(0.01)}.items():
                with self.subTest(case=case, optimizer=optimizer_name):
                    keras.utils.set_random_seed(21)
                    model = make()
                    optimizer = make_optimizer()
                    run = run_tkeras(model, {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "x_eval": x_val,
                                             "y_eval": y_val},
                                     epochs=EPOCHS, batch_size=BATCH, optimizer=optimizer,
                                     loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                    history = model.fit(x, y, validation_data=(x_val, y_val), batch_size=BATCH, epochs=EPOCHS,
                                        shuffle=False, verbose=0).history
                    test = f"regularizers and constraints: {case}, {optimizer_name}"
                    self.assertEqual(sorted(run.history), sorted(history))
                    for key in history:
                        check_close(self, test, f"history {key}", run.history[key], history[key], TOLERANCE)
                    ours, theirs = run.final_weights, weights(model)
                    for name in theirs:
                        check_close(self, test, "final weights", ours[name], theirs[name], TOLERANCE)
                    evaluated = model.evaluate(x_val, y_val, batch_size=32, verbose=0, return_dict=True)
                    check_close(self, test, "evaluate loss", run.evaluate["loss"], evaluated["loss"], TOLERANCE)

    @staticmethod
    def tokens(seed):
        rng = np.random.default_rng(seed)
        x = rng.integers(0, 20, (96, 6))
        return x, (x[:, 0] % 3).astype(np.int64)

    def test_a_keras_file_with_a_schedule_regularizers_constraints_and_initializers_trains_on_alike(self):
        x, y = seeded_data(7, 96, (8, 8, 1), 3)
        keras.utils.set_random_seed(22)
        model = sequential(
            (8, 8, 1),
            L(layers.Conv2D, 4, 3, activation="relu", kernel_initializer=initializers.HeNormal(seed=3),
              kernel_regularizer=regularizers.L2(0.01), kernel_constraint=constraints.MaxNorm(1.5, axis=[0, 1, 2])),
            L(layers.Flatten),
            L(layers.Dense, 3, activation="softmax", kernel_initializer="lecun_uniform",
              bias_initializer=initializers.Constant(0.1), kernel_regularizer=regularizers.L1L2(0.001, 0.001),
              bias_constraint=constraints.NonNeg()))
        schedule = optimizers.schedules.CosineDecay(0.02, decay_steps=20, alpha=0.1)
        model.compile(optimizer=optimizers.Adam(learning_rate=schedule), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        path = os.path.join(scratch_directory("tkeras-regularization-"), "regularized.keras")
        model.save(path)
        saved = os.path.join(scratch_directory("tkeras-regularization-"), "tkeras.keras")
        run = run_tkeras(None, {"x": x, "y": y}, epochs=2, batch_size=BATCH, model_file=path, save_model=saved)
        history = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0).history
        test = ".keras with a schedule, regularizers, constraints and initializers"
        check_close(self, test, "history loss", run.history["loss"], history["loss"], TOLERANCE)
        ours, theirs = run.final_weights, weights(model)
        for name in theirs:
            check_close(self, test, f"weight {name} after training on", ours[name], theirs[name], TOLERANCE)
        # tkeras's file keeps them, as Keras reads them.
        loaded = keras.saving.load_model(saved)
        for mine, original in zip(loaded.layers, model.layers):
            config, expected = mine.get_config(), original.get_config()
            for key in expected:
                if key.endswith(("_initializer", "_regularizer", "_constraint")):
                    self.assertEqual(config[key], expected[key], f"{original.name} {key}")


if __name__ == "__main__":
    unittest.main()
