"""Keras parity: callbacks deciding on the same sequence of logs. Both sides train the same
model on the same batches, so their logs agree to about 1e-6 (test_training.py), and the data
is made to overfit, so that val_loss falls, then rises: EarlyStopping must stop at the same
epoch and restore the same weights, ReduceLROnPlateau must log the same learning rates,
ModelCheckpoint must write the same file names, CSVLogger the same header and rows, and History
the same keys."""
from parity import L, check_close, run_tkeras, scratch_directory, seeded_data, sequential, weights  # first: it selects Keras's torch backend
import csv
import os
import unittest

import keras
import numpy as np
from keras import callbacks, layers, optimizers


EPOCHS = 12


def overfitting_run():
    x, y = seeded_data(21, 64, (12,), 3)
    x_val, _ = seeded_data(22, 64, (12,), 3)
    y_val = np.random.default_rng(23).integers(0, 3, 64)  # labels unrelated to the inputs
    keras.utils.set_random_seed(24)
    model = sequential((12,), L(layers.Dense, 64, activation="relu"), L(layers.Dense, 3, activation="softmax"))
    return model, {"x": x, "y": y, "x_val": x_val, "y_val": y_val}


def config(callback, **overrides):
    return {"class_name": type(callback).__name__, "config": overrides}


class Callbacks(unittest.TestCase):
    def test_early_stopping_reduce_lr_checkpoint_csv_and_history_decide_as_in_keras(self):
        model, data = overfitting_run()
        keras_dir = scratch_directory("keras-callbacks-")
        options = {
            "EarlyStopping": dict(monitor="val_loss", patience=2, restore_best_weights=True),
            "ReduceLROnPlateau": dict(monitor="val_loss", factor=0.5, patience=1, min_delta=1e-3),
            "ModelCheckpoint": dict(monitor="val_loss", save_best_only=True),
            "CSVLogger": dict(separator=","),
        }
        run = run_tkeras(model, data, epochs=EPOCHS, batch_size=16, optimizer=optimizers.Adam(learning_rate=0.01),
                         loss="sparse_categorical_crossentropy", metrics=["accuracy"], callbacks=[
                             {"class_name": "EarlyStopping", "config": options["EarlyStopping"]},
                             {"class_name": "ReduceLROnPlateau", "config": options["ReduceLROnPlateau"]},
                             {"class_name": "ModelCheckpoint",
                              "config": dict(options["ModelCheckpoint"], filepath="ckpt-{epoch:02d}-{val_loss:.2f}.tkeras")},
                             {"class_name": "CSVLogger", "config": dict(options["CSVLogger"], filename="log.csv")}])

        early_stopping = callbacks.EarlyStopping(**options["EarlyStopping"])
        model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(data["x"], data["y"], batch_size=16, epochs=EPOCHS, shuffle=False, verbose=0,
                            validation_data=(data["x_val"], data["y_val"]), callbacks=[
                                early_stopping, callbacks.ReduceLROnPlateau(**options["ReduceLROnPlateau"]),
                                callbacks.ModelCheckpoint(os.path.join(keras_dir, "ckpt-{epoch:02d}-{val_loss:.2f}.keras"),
                                                          **options["ModelCheckpoint"]),
                                callbacks.CSVLogger(os.path.join(keras_dir, "log.csv"), **options["CSVLogger"])]).history

        # The scenario does what it is meant to: training stops early, after a reduction.
        self.assertLess(len(history["loss"]), EPOCHS)
        self.assertLess(min(history["learning_rate"]), 0.01)

        test = "callbacks"
        self.assertEqual(sorted(run.history), sorted(history), "History's keys")
        self.assertEqual(len(run.history["loss"]), len(history["loss"]), "the epoch EarlyStopping stops at")
        check_close(self, test, "ReduceLROnPlateau learning rates", run.history["learning_rate"],
                    history["learning_rate"], 1e-7)
        for key in history:
            check_close(self, test, f"history {key}", run.history[key], history[key], 1e-4)
        ours, theirs = run.final_weights, weights(model)
        for name in theirs:
            check_close(self, test, "weights EarlyStopping restores", ours[name], theirs[name], 1e-4)

        ours_files = sorted(f.removesuffix(".tkeras") for f in os.listdir(os.path.join(run.dir, "out"))
                            if f.endswith(".tkeras"))
        keras_files = sorted(f.removesuffix(".keras") for f in os.listdir(keras_dir) if f.endswith(".keras"))
        self.assertTrue(keras_files, "Keras's ModelCheckpoint saved nothing")
        self.assertEqual(ours_files, keras_files, "ModelCheckpoint's file names")

        with open(os.path.join(run.dir, "out", "log.csv")) as f:
            ours_rows = list(csv.reader(f))
        with open(os.path.join(keras_dir, "log.csv")) as f:
            keras_rows = list(csv.reader(f))
        self.assertEqual(ours_rows[0], keras_rows[0], "CSVLogger's header")
        self.assertEqual(len(ours_rows), len(keras_rows), "CSVLogger's rows")
        self.assertEqual([r[0] for r in ours_rows], [r[0] for r in keras_rows], "CSVLogger's epoch column")
        check_close(self, test, "CSVLogger values", np.array([[float(v) for v in r[1:]] for r in ours_rows[1:]]),
                    np.array([[float(v) for v in r[1:]] for r in keras_rows[1:]]), 1e-4)


if __name__ == "__main__":
    unittest.main()
