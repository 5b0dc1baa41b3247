"""Keras parity: three epochs of fit from the same initial weights, data and batch order, for
every optimizer variant (with Keras's clipping and weight decay options), on the course's Dense model and a Conv2D + BatchNormalization + pooling
model; then evaluate and predict."""
from parity import L, check_close, run_tkeras, seeded_data, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers, optimizers


OPTIMIZERS = {
    "Adam": lambda: optimizers.Adam(learning_rate=0.002),
    "Adam amsgrad": lambda: optimizers.Adam(learning_rate=0.002, amsgrad=True),
    "SGD": lambda: optimizers.SGD(learning_rate=0.05),
    "SGD momentum": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "SGD Nesterov": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "RMSprop": lambda: optimizers.RMSprop(learning_rate=0.001),
    "RMSprop centered": lambda: optimizers.RMSprop(learning_rate=0.001, centered=True),
    "RMSprop momentum": lambda: optimizers.RMSprop(learning_rate=0.001, momentum=0.5),
    "AdamW": lambda: optimizers.AdamW(learning_rate=0.002),
    "AdamW amsgrad, weight_decay 0.05": lambda: optimizers.AdamW(learning_rate=0.002, weight_decay=0.05, amsgrad=True),
    "Adagrad": lambda: optimizers.Adagrad(learning_rate=0.05),
    "Adamax epsilon 1e-3": lambda: optimizers.Adamax(learning_rate=0.01, epsilon=1e-3),
    "Adadelta": lambda: optimizers.Adadelta(learning_rate=1.0),
    "Lion": lambda: optimizers.Lion(learning_rate=0.0005, beta_2=0.98),
    "Nadam": lambda: optimizers.Nadam(learning_rate=0.002),
    "Lamb": lambda: optimizers.Lamb(learning_rate=0.01),
    "Ftrl": lambda: optimizers.Ftrl(learning_rate=0.05),
    "Ftrl with every option": lambda: optimizers.Ftrl(learning_rate=0.05, learning_rate_power=-0.6,
                                                      initial_accumulator_value=0.2, l1_regularization_strength=0.001,
                                                      l2_regularization_strength=0.01,
                                                      l2_shrinkage_regularization_strength=0.01, beta=0.1),
    "SGD clipnorm": lambda: optimizers.SGD(learning_rate=0.05, clipnorm=0.1),
    "SGD momentum, clipvalue": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, clipvalue=0.01),
    "Adam global_clipnorm, weight_decay": lambda: optimizers.Adam(learning_rate=0.002, global_clipnorm=0.5,
                                                                 weight_decay=0.01),
    "RMSprop clipnorm": lambda: optimizers.RMSprop(learning_rate=0.001, clipnorm=0.05),
}

MODELS = {
    "dense": (lambda: sequential((28, 28), L(layers.Flatten), L(layers.Dense, 32, activation="relu"),
                                 L(layers.Dense, 10, activation="softmax")), (28, 28)),
    "conv-bn-pool": (lambda: sequential((10, 10, 1), L(layers.Conv2D, 4, 3, activation="relu"),
                                        L(layers.BatchNormalization), L(layers.MaxPooling2D, 2),
                                        L(layers.Flatten), L(layers.Dense, 10, activation="softmax")), (10, 10, 1)),
}

EPOCHS, BATCH = 3, 32
# Rates and data keep every probability above 1e-7, where Keras clips and tkeras does not (a
# named difference, test_losses.py), so that the two compute the same function.
TRAINING_TOLERANCE = 1e-4  # relative, per epoch value and per weight tensor
EVALUATE_TOLERANCE = 1e-5


class Training(unittest.TestCase):
    def test_fit_matches_keras_for_every_optimizer_and_model(self):
        for model_name, (make, shape) in MODELS.items():
            x, y = seeded_data(3, 200, shape, 10)  # 200 = 6 full batches and one of 8
            x_val, y_val = seeded_data(4, 64, shape, 10)
            for optimizer_name, make_optimizer in OPTIMIZERS.items():
                with self.subTest(model=model_name, optimizer=optimizer_name):
                    keras.utils.set_random_seed(11)
                    model = make()
                    optimizer = make_optimizer()
                    run = run_tkeras(model, {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "x_eval": x_val,
                                             "y_eval": y_val},
                                     epochs=EPOCHS, batch_size=BATCH, optimizer=optimizer,
                                     loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False,
                                        validation_data=(x_val, y_val), verbose=0).history
                    test = f"fit: {model_name}, {optimizer_name}"
                    self.assertEqual(sorted(run.history), sorted(history))
                    for key in history:
                        check_close(self, test, f"history {key}", run.history[key], history[key], TRAINING_TOLERANCE)
                    ours = run.final_weights
                    theirs = weights(model)
                    self.assertEqual(sorted(ours), sorted(theirs))
                    for name in theirs:
                        check_close(self, test, "final weights", ours[name], theirs[name], TRAINING_TOLERANCE)

    def test_evaluate_and_predict_match_keras_on_the_same_weights(self):
        for model_name, (make, shape) in MODELS.items():
            with self.subTest(model=model_name):
                keras.utils.set_random_seed(12)
                model = make()
                x, y = seeded_data(5, 100, shape, 10)
                optimizer = optimizers.Adam()
                run = run_tkeras(model, {"x_eval": x, "y_eval": y}, optimizer=optimizer,
                                 loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                scores = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
                test = f"evaluate: {model_name}"
                self.assertEqual(sorted(run.evaluate), sorted(scores))
                for key in scores:
                    check_close(self, test, f"evaluate {key}", run.evaluate[key], scores[key], EVALUATE_TOLERANCE)
                check_close(self, f"predict: {model_name}", "predict", run.predict, model.predict(x, verbose=0),
                            EVALUATE_TOLERANCE)

    def test_train_test_and_predict_on_batch_match_keras(self):
        for model_name, (make, shape) in MODELS.items():
            with self.subTest(model=model_name):
                x, y = seeded_data(6, 200, shape, 10)  # 6 batches of 32 and one of 8
                x_val, y_val = seeded_data(7, 40, shape, 10)
                keras.utils.set_random_seed(13)
                model = make()
                optimizer = optimizers.Adam(learning_rate=0.002)
                run = run_tkeras(model, {"x": x, "y": y, "x_eval": x_val, "y_eval": y_val}, batch_size=BATCH,
                                 optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                                 on_batch=True)
                model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                steps = [model.train_on_batch(x[i:i + BATCH], y[i:i + BATCH], return_dict=True)
                         for i in range(0, len(x), BATCH)]
                test = f"train_on_batch: {model_name}"
                self.assertEqual(len(run.on_batch["train"]), len(steps))
                for ours, theirs in zip(run.on_batch["train"], steps):
                    self.assertEqual(sorted(ours), sorted(theirs))
                    for key in theirs:
                        check_close(self, test, f"step {key}", ours[key], theirs[key], TRAINING_TOLERANCE)
                for name, value in weights(model).items():
                    check_close(self, test, "final weights", run.final_weights[name], value, TRAINING_TOLERANCE)
                tested = model.test_on_batch(x_val, y_val, return_dict=True)
                self.assertEqual(sorted(run.on_batch["test"]), sorted(tested))
                for key in tested:
                    check_close(self, f"test_on_batch: {model_name}", key, run.on_batch["test"][key], tested[key],
                                TRAINING_TOLERANCE)
                check_close(self, f"predict_on_batch: {model_name}", "predict", run.predict_on_batch,
                            model.predict_on_batch(x_val), TRAINING_TOLERANCE)


if __name__ == "__main__":
    unittest.main()
