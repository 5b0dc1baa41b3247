"""Keras parity: behaviours once seen to differ from Keras, each decided against Keras 3.

- A learning rate of 0 is accepted, as Keras accepts it (schedules such as cosine decay end
  there): training then leaves the weights as they were.
- Conv2D on samples of rank 2 ([N, 28, 28]) is refused when the model is built, as Keras
  refuses it: Conv2D needs (height, width, channels).
- A complex x is refused by tkeras with an error. Keras (torch backend) casts it to float32,
  dropping the imaginary part with only a warning: a deliberate difference, since tkeras never
  loses data silently (README: "Differences from Keras worth knowing").
- A Functional model with an input that no output uses is refused by tkeras, naming the input;
  Keras builds it (it keeps such inputs for losses written on them, which tkeras has not), and
  its `fit` then takes data that goes nowhere: a deliberate difference
  (docs/guides/differences.md).
"""
from parity import DRIVER, L, run_tkeras, scratch_directory, sequential, weights  # first: it selects Keras's torch backend
import json
import os
import subprocess
import unittest
import warnings

import keras
import numpy as np
import torch
from keras import layers, optimizers
from safetensors.torch import save_file



class Differences(unittest.TestCase):
    def test_a_learning_rate_of_zero_trains_without_changing_the_weights_as_in_keras(self):
        keras.utils.set_random_seed(31)
        model = sequential((4,), L(layers.Dense, 3, activation="softmax"))
        before = weights(model)
        x = np.random.default_rng(32).random((40, 4), dtype=np.float32)
        y = np.arange(40) % 3
        for make in (lambda: optimizers.SGD(learning_rate=0.0), lambda: optimizers.Adam(learning_rate=0.0)):
            optimizer = make()
            with self.subTest(optimizer=type(optimizer).__name__):
                run = run_tkeras(model, {"x": x, "y": y}, epochs=2, batch_size=8, optimizer=optimizer,
                                 loss="sparse_categorical_crossentropy")
                for name, value in before.items():
                    np.testing.assert_array_equal(run.final_weights[name], value)
                model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
                model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
                for name, value in weights(model).items():
                    np.testing.assert_array_equal(value, before[name])

    def test_conv2d_on_rank_2_samples_is_refused_as_keras_refuses_it(self):
        with self.assertRaisesRegex(ValueError, "expected min_ndim=4, found ndim=3"):
            keras.Sequential([keras.Input((28, 28)), layers.Conv2D(2, 3)])
        # The same architecture as a tkeras model file, with the weights a one-channel reading
        # would take: tkeras must refuse it too, naming what it expected.
        directory = scratch_directory("tkeras-parity-")
        conv = layers.Conv2D(2, 3).get_config()
        config = {"class_name": "Sequential", "config": {"layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [None, 28, 28]}},
            {"class_name": "Conv2D", "config": conv}]}}
        save_file({"conv2d.kernel": torch.zeros(3, 3, 1, 2), "conv2d.bias": torch.zeros(2)},
                  os.path.join(directory, "model.tkeras"),
                  metadata={"format": "tkeras.model", "format_version": "1", "model_config": json.dumps(config)})
        torch.save({}, os.path.join(directory, "data.pt"))
        with open(os.path.join(directory, "job.json"), "w") as f:
            json.dump({}, f)
        done = subprocess.run([DRIVER, directory], capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertRegex(done.stderr, r"Conv2D.*expected input of rank 4 \(batch, height, width, channels\), "
                                      r"received \(None, 28, 28\)")

    def test_a_complex_x_is_refused_where_keras_drops_its_imaginary_part(self):
        keras.utils.set_random_seed(33)
        model = sequential((4,), L(layers.Dense, 2))
        x = (np.ones((8, 4)) + 1j * np.ones((8, 4))).astype(np.complex64)
        y = np.zeros((8, 2), np.float32)
        with self.assertRaisesRegex(AssertionError, r"expected x of a real dtype .*received complex"):
            run_tkeras(model, {"x": x, "y": y}, epochs=1, optimizer=optimizers.SGD(), loss="mean_squared_error")
        # Keras trains on the real part, with a warning at most.
        model.compile(optimizer=optimizers.SGD(), loss="mean_squared_error")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = model.fit(x, y, verbose=0).history
        self.assertEqual(len(history["loss"]), 1)

    def test_a_functional_model_with_an_unused_input_is_refused_where_keras_builds_it(self):
        keras.utils.set_random_seed(34)
        used = keras.Input((4,), name="used")
        unused = keras.Input((3,), name="unused")
        model = keras.Model([used, unused], layers.Dense(2, name="dense")(used))
        path = os.path.join(scratch_directory("tkeras-differences-"), "unused.keras")
        model.save(path)
        with self.assertRaisesRegex(AssertionError, r"the input KerasTensor\(shape=\(None, 3\), name=unused\) is "
                                                    r"not connected to any output"):
            run_tkeras(None, {}, model_file=path)
        # Keras predicts, taking the unused input's data and ignoring it.
        out = model.predict([np.ones((2, 4), np.float32), np.ones((2, 3), np.float32)], verbose=0)
        self.assertEqual(out.shape, (2, 2))


if __name__ == "__main__":
    unittest.main()
