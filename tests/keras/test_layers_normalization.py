"""Keras parity of the normalization layers (LayerNormalization, GroupNormalization,
UnitNormalization) and the global pooling layers' `keepdims` (GlobalAveragePooling1D/2D,
GlobalMaxPooling1D/2D), as test_layers.py checks each layer: Keras's `.keras` file loaded by
tkeras predicts what Keras predicts, tkeras's `.keras` file loaded by Keras too, and tkeras's ONNX
export in onnxruntime."""
from parity import L, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
from keras import layers

from test_layers import check_cases


def masked_sequence(*after):
    """Token ids through Embedding(mask_zero) (its mask reaching the layers `after`), to Dense(2)."""
    return sequential((6,), L(layers.Embedding, 9, 4, mask_zero=True), *after, L(layers.Dense, 2))


def squeeze_excite(pool):
    """MobileNetV3's squeeze and excitation: `pool` (keepdims) on Conv2D's output, two 1x1
    Conv2Ds on the pooled channels (the first without its ReLU, which the random weights could
    leave all zero, hiding the pool), multiplied back onto the image."""
    inputs = keras.Input((5, 6, 3))
    x = layers.Conv2D(4, 3, padding="same")(inputs)
    s = pool(x)
    s = layers.Conv2D(2, 1)(s)
    s = layers.Conv2D(4, 1, activation="sigmoid")(s)
    y = layers.Multiply()([x, s])
    return keras.Model(inputs, layers.Dense(2)(layers.Flatten()(y)))


# name: (a function making the Keras model, whether tkeras exports it to ONNX)
CASES = {
    # LayerNormalization: a Transformer's (the last axis, default epsilon), between Dense layers.
    "LayerNormalization": (lambda: sequential((5, 6), L(layers.Dense, 8), L(layers.LayerNormalization),
                                              L(layers.Dense, 2)), True),
    # ConvNeXt's: epsilon 1e-6 on the channels of an image.
    "LayerNormalization, ConvNeXt's": (lambda: sequential((5, 6, 3), L(layers.Conv2D, 4, 2),
                                                          L(layers.LayerNormalization, epsilon=1e-6),
                                                          L(layers.Flatten), L(layers.Dense, 2)), True),
    # The whole image, as the last axes (LibTorch's layer_norm in Keras's torch backend).
    "LayerNormalization over the image": (lambda: sequential((5, 6, 3), L(layers.LayerNormalization,
                                                                          axis=[1, 2, 3]),
                                                             L(layers.Flatten), L(layers.Dense, 2)), True),
    "LayerNormalization over the last two axes, counted from the end": (
        lambda: sequential((5, 6, 3), L(layers.LayerNormalization, axis=[-2, -1]), L(layers.Flatten),
                           L(layers.Dense, 2)), True),
    # Axes that are not the last ones together: Keras's moments.
    "LayerNormalization over height and channels": (
        lambda: sequential((4, 5, 3), L(layers.LayerNormalization, axis=[3, 1], epsilon=1e-4),
                           L(layers.Flatten), L(layers.Dense, 2)), True),
    "LayerNormalization without center, without scale, and with neither": (
        lambda: sequential((5, 6), L(layers.LayerNormalization, center=False), L(layers.Dense, 4),
                           L(layers.LayerNormalization, scale=False), L(layers.Dense, 4),
                           L(layers.LayerNormalization, center=False, scale=False), L(layers.Dense, 2)), True),
    "LayerNormalization with rms_scaling": (
        lambda: sequential((5, 6), L(layers.Dense, 4), L(layers.LayerNormalization, rms_scaling=True),
                           L(layers.Dense, 2)), True),
    # The mask passes through LayerNormalization to GlobalAveragePooling1D, which averages the
    # unmasked steps (with keepdims too).
    "LayerNormalization passes the mask on": (
        lambda: masked_sequence(L(layers.LayerNormalization), L(layers.GlobalAveragePooling1D)), True),
    "GlobalAveragePooling1D with keepdims and a mask": (
        lambda: masked_sequence(L(layers.GlobalAveragePooling1D, keepdims=True), L(layers.Flatten)), True),
    "GlobalMaxPooling1D with keepdims": (
        lambda: sequential((5, 6), L(layers.Dense, 4), L(layers.GlobalMaxPooling1D, keepdims=True),
                           L(layers.Flatten), L(layers.Dense, 2)), True),
    "GlobalMaxPooling2D": (lambda: sequential((5, 6, 3), L(layers.Conv2D, 4, 2), L(layers.GlobalMaxPooling2D),
                                              L(layers.Dense, 2)), True),
    "GlobalMaxPooling2D with keepdims": (
        lambda: sequential((5, 6, 3), L(layers.Conv2D, 4, 2), L(layers.GlobalMaxPooling2D, keepdims=True),
                           L(layers.Flatten), L(layers.Dense, 2)), True),
    # EfficientNet's and MobileNetV3's GlobalAveragePooling2D(keepdims=True) before 1x1 convolutions.
    "GlobalAveragePooling2D with keepdims, squeeze and excitation": (
        lambda: squeeze_excite(layers.GlobalAveragePooling2D(keepdims=True)), True),
    "GlobalMaxPooling2D with keepdims, squeeze and excitation": (
        lambda: squeeze_excite(layers.GlobalMaxPooling2D(keepdims=True)), True),
    # GroupNormalization: 2 groups of the 4 channels; instance normalization (-1); one group
    # without center; the channel axis not last (the 6 steps in 3 groups).
    "GroupNormalization": (lambda: sequential((5, 6, 3), L(layers.Conv2D, 4, 2), L(layers.GroupNormalization, 2),
                                              L(layers.Flatten), L(layers.Dense, 2)), True),
    "GroupNormalization, instance normalization": (
        lambda: sequential((5, 6, 3), L(layers.Conv2D, 4, 2), L(layers.GroupNormalization, -1, epsilon=1e-5),
                           L(layers.Flatten), L(layers.Dense, 2)), True),
    "GroupNormalization, one group, without center or scale": (
        lambda: sequential((5, 6), L(layers.Dense, 4), L(layers.GroupNormalization, 1, center=False),
                           L(layers.GroupNormalization, 2, scale=False), L(layers.Dense, 2)), True),
    "GroupNormalization on the steps axis": (
        lambda: sequential((6, 4), L(layers.GroupNormalization, 3, axis=1), L(layers.Flatten),
                           L(layers.Dense, 2)), True),
    "GroupNormalization passes the mask on": (
        lambda: masked_sequence(L(layers.GroupNormalization, 2), L(layers.GlobalAveragePooling1D)), True),
    # UnitNormalization: the last axis, and two axes of an image.
    "UnitNormalization": (lambda: sequential((5, 6), L(layers.Dense, 4), L(layers.UnitNormalization),
                                             L(layers.Dense, 2)), True),
    "UnitNormalization over height and width": (
        lambda: sequential((4, 5, 3), L(layers.UnitNormalization, axis=[1, 2]), L(layers.Flatten),
                           L(layers.Dense, 2)), True),
}


class NormalizationLayers(unittest.TestCase):
    def test_each_layer_loads_from_keras_saves_for_keras_and_exports_as_keras_predicts(self):
        check_cases(self, CASES)


if __name__ == "__main__":
    unittest.main()
