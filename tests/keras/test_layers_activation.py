"""Keras parity of the activation layers (LeakyReLU, ELU, Softmax, PReLU) and the noise layers
(SpatialDropout1D, SpatialDropout2D, GaussianNoise, GaussianDropout), as test_layers.py checks each
layer: Keras's `.keras` file loaded by tkeras predicts what Keras predicts, tkeras's `.keras` file
loaded by Keras too, and tkeras's ONNX export in onnxruntime. The noise layers are the identity in
predict, so their cases check that their configs (rate, seed, data_format) cross both ways and that
they export as the identity."""
from parity import L, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

from keras import layers

from test_layers import check_cases

# name: (a function making the Keras model, whether tkeras exports it to ONNX)
CASES = {
    # LeakyReLU: Keras 3's default slope (0.3), and another.
    "LeakyReLU": (lambda: sequential((6,), L(layers.Dense, 8), L(layers.LeakyReLU), L(layers.Dense, 8),
                                     L(layers.LeakyReLU, negative_slope=0.05), L(layers.Dense, 2)), True),
    # ELU: the default alpha, and another (Keras's config holds it through its constructor's arguments).
    "ELU": (lambda: sequential((6,), L(layers.Dense, 8), L(layers.ELU), L(layers.Dense, 8),
                               L(layers.ELU, alpha=0.5), L(layers.Dense, 2)), True),
    # Softmax: the last axis; the steps of a sequence (axis 1); steps and features together.
    "Softmax": (lambda: sequential((5, 6), L(layers.Dense, 4), L(layers.Softmax), L(layers.Dense, 4),
                                   L(layers.Softmax, axis=1), L(layers.Dense, 3), L(layers.Softmax, axis=[1, 2]),
                                   L(layers.Flatten), L(layers.Dense, 2)), True),
    "Softmax on an image's rows and channels": (lambda: sequential((4, 5, 3), L(layers.Softmax, axis=[1, -1]),
                                                                   L(layers.Flatten), L(layers.Dense, 2)), True),
    # PReLU: one slope per value after Dense; per channel after Conv2D (shared over rows and
    # columns); per feature on a sequence (shared over the steps). Its alphas are randomized.
    "PReLU": (lambda: sequential((6,), L(layers.Dense, 8), L(layers.PReLU), L(layers.Dense, 2)), True),
    "PReLU shared over an image": (lambda: sequential((5, 6, 2), L(layers.Conv2D, 4, 3),
                                                      L(layers.PReLU, shared_axes=[1, 2]), L(layers.Flatten),
                                                      L(layers.Dense, 2)), True),
    "PReLU shared over the steps": (lambda: sequential((5, 6), L(layers.Dense, 4), L(layers.PReLU, shared_axes=1),
                                                       L(layers.Flatten), L(layers.Dense, 2)), True),
    # The noise layers, with and without seeds.
    "SpatialDropout1D": (lambda: sequential((7, 3), L(layers.Conv1D, 4, 3), L(layers.SpatialDropout1D, 0.3),
                                            L(layers.Flatten), L(layers.Dense, 2)), True),
    "SpatialDropout2D": (lambda: sequential((5, 6, 2), L(layers.Conv2D, 4, 3),
                                            L(layers.SpatialDropout2D, 0.25, seed=7), L(layers.Flatten),
                                            L(layers.Dense, 2)), True),
    "SpatialDropout2D channels first": (lambda: sequential((4, 5, 3), L(layers.SpatialDropout2D, 0.5,
                                                                        data_format="channels_first"),
                                                           L(layers.Flatten), L(layers.Dense, 2)), True),
    "GaussianNoise": (lambda: sequential((6,), L(layers.GaussianNoise, 0.2), L(layers.Dense, 4),
                                         L(layers.GaussianNoise, 0.5, seed=3), L(layers.Dense, 2)), True),
    "GaussianDropout": (lambda: sequential((6,), L(layers.Dense, 4), L(layers.GaussianDropout, 0.3),
                                           L(layers.Dense, 4), L(layers.GaussianDropout, 0.1, seed=11),
                                           L(layers.Dense, 2)), True),
}


class ActivationLayers(unittest.TestCase):
    def test_each_layer_loads_from_keras_saves_for_keras_and_exports_as_keras_predicts(self):
        check_cases(self, CASES)


if __name__ == "__main__":
    unittest.main()
