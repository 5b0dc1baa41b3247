"""Keras parity: summary (names, output shapes, parameter counts) and the forward pass of every
layer type, on Keras's own configs and initial weights."""
from parity import L, check_close, keras_summary, parse_summary, run_tkeras, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers


keras.utils.set_random_seed(7)

# The course's models, then one model per layer type tkeras has (with options off their defaults).
MODELS = {
    "course dense": lambda: sequential((28, 28), L(layers.Flatten), L(layers.Dense, 128, activation="relu"),
                                       L(layers.Dense, 10, activation="softmax")),
    "course cnn": lambda: sequential((28, 28, 1), L(layers.Conv2D, 64, 3, activation="relu"),
                                     L(layers.MaxPooling2D, 2), L(layers.Conv2D, 64, 3, activation="relu"),
                                     L(layers.MaxPooling2D, 2), L(layers.Flatten),
                                     L(layers.Dense, 128, activation="relu"), L(layers.Dense, 10, activation="softmax")),
    "Dense on 3-D input, no bias": lambda: sequential((4, 6), L(layers.Dense, 5, use_bias=False)),
    "Conv2D strided, same, rectangular": lambda: sequential(
        (9, 8, 3), L(layers.Conv2D, 4, (3, 2), strides=2, padding="same", activation="tanh")),
    "Conv2D even kernel, same": lambda: sequential((7, 7, 2), L(layers.Conv2D, 3, 4, padding="same", use_bias=False)),
    "MaxPooling2D same, odd size": lambda: sequential((7, 5, 2), L(layers.MaxPooling2D, 2, padding="same")),
    "AveragePooling2D same, strided": lambda: sequential((7, 7, 2),
                                                         L(layers.AveragePooling2D, 3, strides=2, padding="same")),
    "GlobalAveragePooling2D": lambda: sequential((5, 6, 3), L(layers.GlobalAveragePooling2D)),
    "BatchNormalization": lambda: sequential((6, 6, 4), L(layers.BatchNormalization, momentum=0.9, epsilon=1e-2)),
    "Dropout": lambda: sequential((10,), L(layers.Dropout, 0.5), L(layers.Dense, 3)),
    "Rescaling": lambda: sequential((4, 4), L(layers.Rescaling, 1 / 255, offset=-0.5)),
    "Reshape": lambda: sequential((12,), L(layers.Reshape, (3, 4)), L(layers.Dense, 2)),
    "Activation": lambda: sequential((5,), L(layers.Activation, "sigmoid")),
    "Flatten": lambda: sequential((3, 4, 2), L(layers.Flatten)),
    "Resizing bilinear, down": lambda: sequential((13, 17, 3), L(layers.Resizing, 7, 9)),
    "Resizing nearest, up": lambda: sequential((5, 6, 2), L(layers.Resizing, 11, 8, interpolation="nearest")),
    "Resizing bicubic, antialiased": lambda: sequential((16, 12, 1), L(layers.Resizing, 6, 5, interpolation="bicubic",
                                                                      antialias=True)),
    "Resizing cropped to the aspect ratio": lambda: sequential((10, 20, 3), L(layers.Resizing, 6, 6,
                                                                             crop_to_aspect_ratio=True)),
    "Resizing padded to the aspect ratio": lambda: sequential((10, 20, 3), L(layers.Resizing, 6, 6,
                                                                            pad_to_aspect_ratio=True, fill_value=0.5)),
    "CenterCrop": lambda: sequential((9, 10, 3), L(layers.CenterCrop, 4, 7)),
    "CenterCrop of a smaller image": lambda: sequential((5, 8, 3), L(layers.CenterCrop, 6, 6)),
    "Normalization adapted per channel": lambda: sequential((4, 4, 3), L(layers.Normalization)),
    "Normalization adapted over everything": lambda: sequential((6,), L(layers.Normalization, axis=None)),
    "Normalization given, inverted": lambda: sequential((3,), L(layers.Normalization, mean=[1.0, 2.0, 3.0],
                                                                variance=[4.0, 0.25, 1.0], invert=True)),
}


class SummaryAndForwardPass(unittest.TestCase):
    def test_every_model_has_keras_names_shapes_counts_and_outputs(self):
        for name, make in MODELS.items():
            with self.subTest(model=name):
                model = make()
                if name == "BatchNormalization":  # moving statistics off their initial values
                    bn = model.layers[0]
                    bn.moving_mean.assign(np.linspace(-1, 1, 4).astype("float32"))
                    bn.moving_variance.assign(np.linspace(0.5, 2, 4).astype("float32"))
                if name.startswith("Normalization adapted"):  # Keras's adapt on data, its weights to tkeras
                    model.layers[0].adapt(np.random.default_rng(2).normal(3, 2, (40, *model.input_shape[1:]))
                                          .astype("float32"))
                x = np.random.default_rng(1).random((5, *model.input_shape[1:]), dtype=np.float32)
                run = run_tkeras(model, {"x_eval": x})
                ours_rows, ours_totals = parse_summary(run.summary)
                keras_rows, keras_totals = parse_summary(keras_summary(model))
                self.assertTrue(keras_rows, "the Keras summary was not parsed")
                self.assertEqual(ours_rows, keras_rows)
                self.assertEqual(ours_totals, keras_totals)
                self.assertEqual(set(ours_totals), {"Total", "Trainable", "Non-trainable"})
                check_close(self, f"forward: {name}", "predict", run.predict, model.predict(x, verbose=0), 1e-5)


if __name__ == "__main__":
    unittest.main()
