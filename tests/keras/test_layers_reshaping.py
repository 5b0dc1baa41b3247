"""Keras parity of the reshaping layers: ZeroPadding1D, Cropping1D, Cropping2D, UpSampling1D,
UpSampling2D (nearest, bilinear and bicubic, by Keras's torch-backend resize), Permute, RepeatVector,
Identity and TimeDistributed, each in a small Keras model that tkeras must load, save back for Keras
and export to ONNX, predicting what Keras predicts (test_layers.check_cases)."""
from parity import L, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

from keras import layers

from test_layers import check_cases

# name: (a function making the Keras model, whether tkeras exports it to ONNX)
CASES = {
    "ZeroPadding1D": (lambda: sequential((5, 3), L(layers.ZeroPadding1D), L(layers.Conv1D, 4, 3),
                                         L(layers.ZeroPadding1D, (2, 0)), L(layers.ZeroPadding1D, 3),
                                         L(layers.Flatten), L(layers.Dense, 2)), True),
    "Cropping1D": (lambda: sequential((9, 3), L(layers.Cropping1D), L(layers.Dense, 4),
                                      L(layers.Cropping1D, (0, 2)), L(layers.Cropping1D, 1),
                                      L(layers.Cropping1D, (1, 0)),
                                      L(layers.Flatten), L(layers.Dense, 2)), True),
    "Cropping2D": (lambda: sequential((10, 9, 2), L(layers.Cropping2D, ((1, 2), (0, 3))), L(layers.Conv2D, 3, 2),
                                      L(layers.Cropping2D, (1, 0)), L(layers.Cropping2D), L(layers.Cropping2D, 1),
                                      L(layers.Flatten), L(layers.Dense, 2)), True),
    "UpSampling1D": (lambda: sequential((4, 3), L(layers.UpSampling1D), L(layers.Dense, 4), L(layers.UpSampling1D, 3),
                                        L(layers.Flatten), L(layers.Dense, 2)), True),
    "UpSampling2D, nearest": (lambda: sequential((3, 4, 2), L(layers.UpSampling2D), L(layers.Conv2D, 3, 3),
                                                 L(layers.UpSampling2D, (1, 3)), L(layers.Flatten), L(layers.Dense, 2)),
                              True),
    # Bilinear and bicubic: Keras's ops.image.resize, torch's interpolate with half-pixel centres.
    "UpSampling2D, bilinear": (lambda: sequential((3, 4, 2), L(layers.UpSampling2D, interpolation="bilinear"),
                                                  L(layers.Conv2D, 3, 2),
                                                  L(layers.UpSampling2D, (3, 2), interpolation="bilinear"),
                                                  L(layers.Flatten), L(layers.Dense, 2)), True),
    "UpSampling2D, bicubic": (lambda: sequential((3, 4, 2), L(layers.UpSampling2D, (2, 3), interpolation="bicubic"),
                                                 L(layers.Flatten), L(layers.Dense, 2)), True),
    "Permute": (lambda: sequential((3, 4, 5), L(layers.Permute, (3, 1, 2)), L(layers.Dense, 3),
                                   L(layers.Permute, (2, 1, 3)), L(layers.Flatten), L(layers.Dense, 2)), True),
    "RepeatVector": (lambda: sequential((5,), L(layers.Dense, 4), L(layers.RepeatVector, 3), L(layers.Dense, 2)), True),
    "Identity": (lambda: sequential((4, 3), L(layers.Dense, 4), L(layers.Identity), L(layers.Flatten),
                                    L(layers.Dense, 2)), True),
    # The padding mask passes through Identity to the average, which counts the unmasked steps only.
    "Identity, with a mask": (lambda: sequential((6,), L(layers.Embedding, 10, 4, mask_zero=True), L(layers.Identity),
                                                 L(layers.GlobalAveragePooling1D), L(layers.Dense, 2)), True),
    # TimeDistributed: a Dense on each step (weights at Keras's time_distributed/layer/vars), a Conv2D
    # and a Flatten on each frame of a clip.
    "TimeDistributed, Dense": (lambda: sequential((4, 3), L(layers.TimeDistributed, layers.Dense(5, activation="tanh")),
                                                  L(layers.TimeDistributed, layers.Dense(2)), L(layers.Flatten),
                                                  L(layers.Dense, 2)), True),
    "TimeDistributed, Conv2D": (lambda: sequential((3, 5, 5, 2), L(layers.TimeDistributed, layers.Conv2D(2, 3)),
                                                   L(layers.TimeDistributed, layers.Flatten()),
                                                   L(layers.Dense, 2)), True),
    # The mask passes through TimeDistributed to the average.
    "TimeDistributed, with a mask": (lambda: sequential((6,), L(layers.Embedding, 10, 4, mask_zero=True),
                                                        L(layers.TimeDistributed, layers.Dense(3)),
                                                        L(layers.GlobalAveragePooling1D), L(layers.Dense, 2)), True),
}


class ReshapingLayers(unittest.TestCase):
    def test_each_reshaping_layer_loads_from_keras_saves_for_keras_and_exports_as_keras_predicts(self):
        check_cases(self, CASES)


if __name__ == "__main__":
    unittest.main()
