"""Keras parity of the convolution layers (test_layers.py's check): Conv2D's and Conv1D's
dilation_rate and groups, SeparableConv2D and Conv2DTranspose, each in a small Keras model whose `.keras` file
tkeras must load, predict as Keras does, save back for Keras and export to ONNX."""
from parity import L, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

from keras import layers

from test_layers import check_cases


def transposed(input_shape, *convs):
    """A Sequential model of Conv2DTranspose layers, one per dict of keyword arguments in `convs`, then
    Flatten and Dense(2)."""
    return sequential(input_shape, *[L(layers.Conv2DTranspose, **conv) for conv in convs], L(layers.Flatten),
                      L(layers.Dense, 2))


# name: (a function making the Keras model, whether tkeras exports it to ONNX)
CASES = {
    # Dilation with "same" (the dilated span's padding, odd and even), groups with rectangular kernels and strides.
    "Conv2D dilation_rate and groups": (lambda: sequential(
        (9, 8, 4), L(layers.Conv2D, 6, 3, padding="same", dilation_rate=2),
        L(layers.Conv2D, 6, (2, 3), dilation_rate=(2, 1), groups=3, activation="relu"),
        L(layers.Conv2D, 4, 2, padding="same", dilation_rate=(3, 2), groups=2),
        L(layers.Conv2D, 4, 3, padding="same", strides=2, groups=4), L(layers.Flatten), L(layers.Dense, 2)), True),
    # Conv1D's groups (with each padding) and dilation with "same" (onnxruntime takes no SAME_UPPER with dilation).
    "Conv1D groups and dilation_rate": (lambda: sequential(
        (9, 4), L(layers.Conv1D, 6, 3, padding="same", dilation_rate=2), L(layers.Conv1D, 6, 2, groups=3),
        L(layers.Conv1D, 4, 3, padding="causal", dilation_rate=2, groups=2, activation="relu"),
        L(layers.Conv1D, 4, 2, padding="same", strides=2, groups=4), L(layers.Flatten), L(layers.Dense, 2)), True),
    # ConvNeXt's depthwise convolution: groups = channels, 7x7, "same"; then two filters per group.
    "Conv2D depthwise as ConvNeXt": (lambda: sequential(
        (9, 9, 8), L(layers.Conv2D, 8, 7, padding="same", groups=8),
        L(layers.Conv2D, 16, 2, padding="same", groups=8, use_bias=False, activation="gelu"),
        L(layers.Flatten), L(layers.Dense, 2)), True),
    # SeparableConv2D: a multiplier with "same", strides without a bias, dilation with "same" (odd and even spans).
    "SeparableConv2D": (lambda: sequential(
        (9, 8, 3), L(layers.SeparableConv2D, 6, 3, padding="same", depth_multiplier=2),
        L(layers.SeparableConv2D, 4, (2, 3), strides=2, use_bias=False, activation="relu"),
        L(layers.SeparableConv2D, 5, 3, padding="same", dilation_rate=(1, 2), depth_multiplier=3),
        L(layers.SeparableConv2D, 3, 2, padding="same", dilation_rate=2), L(layers.Flatten), L(layers.Dense, 2)),
        True),
    # Conv2DTranspose: "valid" and "same" with the crops of Keras's torch backend (at the end only, at both ends,
    # zeros past the full output), output_padding, dilation, rectangular kernels and strides.
    "Conv2DTranspose valid": (lambda: transposed(
        (4, 3, 3), dict(filters=4, kernel_size=3), dict(filters=3, kernel_size=(3, 2), strides=(2, 3)),
        dict(filters=2, kernel_size=1, strides=2, use_bias=False), dict(filters=2, kernel_size=2, dilation_rate=2,
                                                                         activation="relu")), True),
    "Conv2DTranspose same": (lambda: transposed(
        (3, 4, 3), dict(filters=4, kernel_size=3, strides=2, padding="same"),
        dict(filters=3, kernel_size=4, strides=2, padding="same"),
        dict(filters=2, kernel_size=(1, 2), strides=(3, 2), padding="same"),
        dict(filters=2, kernel_size=(2, 3), padding="same", dilation_rate=(3, 2))), True),
    "Conv2DTranspose output_padding": (lambda: transposed(
        (3, 3, 2), dict(filters=3, kernel_size=3, strides=2, output_padding=1),
        dict(filters=3, kernel_size=3, strides=(2, 3), padding="same", output_padding=(0, 2)),
        dict(filters=2, kernel_size=(4, 1), strides=2, padding="same", output_padding=(1, 1))), True),
}


class ConvolutionLayers(unittest.TestCase):
    def test_each_convolution_loads_from_keras_saves_for_keras_and_exports_as_keras_predicts(self):
        check_cases(self, CASES)


if __name__ == "__main__":
    unittest.main()
