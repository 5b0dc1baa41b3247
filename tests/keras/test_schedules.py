"""Keras parity: learning-rate schedules. Each of Keras's schedules, with options that make each of
its branches show within the 21 steps of a run (staircase, cycle, warm-up, restarts of one length
and of growing lengths), drives SGD and Adam through the same fit in Keras and in tkeras: the
histories (with the learning rate ReduceLROnPlateau logs at each epoch's end) and the final
weights must agree. A `.keras` file Keras saves mid-run with a scheduled optimizer opens in
tkeras, which trains on where Keras trains on; and tkeras's file opens in Keras and trains on."""
from parity import L, check_close, run_tkeras, scratch_directory, seeded_data, sequential, weights  # noqa: I001 (first: Keras's backend)
import os
import unittest

import keras
from keras import layers, optimizers
from keras.optimizers import schedules

EPOCHS, BATCH = 3, 32  # 200 samples: 7 steps an epoch, 21 in all
TOLERANCE = 1e-4  # relative, per epoch value and per weight tensor, as test_training.py

# Each schedule made for a peak rate: SGD's 0.05, Adam's 0.002, so that every probability stays
# above 1e-7, where Keras clips and tkeras does not (test_training.py).
SCHEDULES = {
    "ExponentialDecay": lambda lr: schedules.ExponentialDecay(lr, decay_steps=5, decay_rate=0.5),
    "ExponentialDecay staircase": lambda lr: schedules.ExponentialDecay(lr, decay_steps=5, decay_rate=0.5,
                                                                     staircase=True),
    "PiecewiseConstantDecay": lambda lr: schedules.PiecewiseConstantDecay([4, 12], [lr, lr * 0.4, lr * 0.1]),
    "PolynomialDecay": lambda lr: schedules.PolynomialDecay(lr, decay_steps=15, end_learning_rate=lr * 0.02, power=2.0),
    "PolynomialDecay cycle": lambda lr: schedules.PolynomialDecay(lr, decay_steps=8, cycle=True),
    "InverseTimeDecay": lambda lr: schedules.InverseTimeDecay(lr, decay_steps=4, decay_rate=0.5),
    "InverseTimeDecay staircase": lambda lr: schedules.InverseTimeDecay(lr, decay_steps=4, decay_rate=0.5,
                                                                     staircase=True),
    "CosineDecay": lambda lr: schedules.CosineDecay(lr, decay_steps=15, alpha=0.1),
    "CosineDecay warm-up": lambda lr: schedules.CosineDecay(0.0, decay_steps=12, warmup_target=lr, warmup_steps=6),
    "CosineDecayRestarts": lambda lr: schedules.CosineDecayRestarts(lr, first_decay_steps=4, m_mul=0.5, alpha=0.1),
    "CosineDecayRestarts t_mul 1": lambda lr: schedules.CosineDecayRestarts(lr, first_decay_steps=5, t_mul=1.0),
}
OPTIMIZERS = {
    "SGD": lambda make: optimizers.SGD(learning_rate=make(0.05)),
    "Adam": lambda make: optimizers.Adam(learning_rate=make(0.002)),
}


def dense_model():
    return sequential((28, 28), L(layers.Flatten), L(layers.Dense, 16, activation="relu"),
                      L(layers.Dense, 10, activation="softmax"))


class Schedules(unittest.TestCase):
    def test_fit_with_every_schedule_matches_keras(self):
        x, y = seeded_data(3, 200, (28, 28), 10)
        # A ReduceLROnPlateau that never reduces: it logs the rate at each epoch's end.
        plateau = {"monitor": "loss", "patience": 100}
        for schedule_name, make_schedule in SCHEDULES.items():
            for optimizer_name, make_optimizer in OPTIMIZERS.items():
                with self.subTest(schedule=schedule_name, optimizer=optimizer_name):
                    keras.utils.set_random_seed(11)
                    model = dense_model()
                    optimizer = make_optimizer(make_schedule)
                    run = run_tkeras(model, {"x": x, "y": y}, epochs=EPOCHS, batch_size=BATCH, optimizer=optimizer,
                                     loss="sparse_categorical_crossentropy",
                                     callbacks=[{"class_name": "ReduceLROnPlateau", "config": plateau}])
                    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
                    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
                                        callbacks=[keras.callbacks.ReduceLROnPlateau(**plateau)]).history
                    test = f"fit: {schedule_name}, {optimizer_name}"
                    self.assertEqual(sorted(run.history), sorted(history))
                    for key in history:
                        check_close(self, test, f"history {key}", run.history[key], history[key], TOLERANCE)
                    ours, theirs = run.final_weights, weights(model)
                    self.assertEqual(sorted(ours), sorted(theirs))
                    for name in theirs:
                        check_close(self, test, "final weights", ours[name], theirs[name], TOLERANCE)

    def test_keras_files_with_a_schedule_train_on_alike_both_ways(self):
        x, y = seeded_data(5, 200, (28, 28), 10)
        make_schedule = SCHEDULES["CosineDecay warm-up"]
        # Keras trains 2 epochs and saves; tkeras and Keras each train 1 more from the file.
        keras.utils.set_random_seed(12)
        model = dense_model()
        model.compile(optimizer=optimizers.Adam(learning_rate=make_schedule(0.002)), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
        path = os.path.join(scratch_directory("tkeras-schedule-"), "scheduled.keras")
        model.save(path)
        run = run_tkeras(None, {"x": x, "y": y, "x_eval": x}, epochs=1, batch_size=BATCH, model_file=path)
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        test = ".keras with CosineDecay: Keras's file in tkeras"
        ours, theirs = run.final_weights, weights(model)
        for name in theirs:
            check_close(self, test, f"weight {name} after training on", ours[name], theirs[name], TOLERANCE)

        # tkeras trains 2 epochs and saves; Keras trains 1 more from that file, and must end where
        # tkeras's uninterrupted 3 epochs end.
        keras.utils.set_random_seed(13)
        model = dense_model()
        optimizer = optimizers.Adam(learning_rate=make_schedule(0.002))
        path = os.path.join(scratch_directory("tkeras-schedule-"), "tkeras.keras")
        run_tkeras(model, {"x": x, "y": y}, epochs=2, batch_size=BATCH, optimizer=optimizer,
                   loss="sparse_categorical_crossentropy", save_model=path)
        uninterrupted = run_tkeras(model, {"x": x, "y": y}, epochs=3, batch_size=BATCH, optimizer=optimizer,
                                   loss="sparse_categorical_crossentropy")
        loaded = keras.saving.load_model(path)
        schedule = loaded.optimizer._learning_rate
        self.assertIsInstance(schedule, schedules.CosineDecay)
        self.assertEqual(schedule.get_config(), make_schedule(0.002).get_config())
        self.assertEqual(int(loaded.optimizer.iterations), 14)
        loaded.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        test = ".keras with CosineDecay: tkeras's file in Keras"
        ours, theirs = uninterrupted.final_weights, weights(loaded)
        for name in theirs:
            check_close(self, test, f"weight {name} after training on", theirs[name], ours[name], TOLERANCE)

    def test_a_schedule_refuses_to_be_set_as_in_keras(self):
        x, y = seeded_data(6, 64, (28, 28), 10)
        keras.utils.set_random_seed(14)
        model = dense_model()
        optimizer = optimizers.SGD(learning_rate=SCHEDULES["ExponentialDecay"](0.05))
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        scheduler = keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate * 0.5)
        with self.assertRaisesRegex(TypeError, "not settable"):
            model.fit(x, y, epochs=1, verbose=0, callbacks=[scheduler])
        with self.assertRaises(AssertionError) as caught:
            run_tkeras(model, {"x": x, "y": y}, epochs=1, optimizer=optimizer, loss="sparse_categorical_crossentropy",
                       callbacks=[{"class_name": "LearningRateScheduler", "config": {"factor": 0.5}}])
        self.assertIn("hence its learning rate is not settable", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
