"""Keras parity, layer by layer: each case is a small Keras model around one layer class, with
Keras's own weights (moved away from their initial values).

Keras saves it as `.keras`; tkeras's `load_model` opens that file (the layer's config as Keras
writes it, its weights at Keras's paths) and must predict what Keras predicts; tkeras saves it
again as `.keras`, which Keras must open and predict the same from; and where the layer exports,
tkeras's ONNX file must run in onnxruntime to the same outputs. A new layer class adds its case to
CASES (`None` as the ONNX flag for a class without an ONNX mapping)."""
from parity import L, check_close, randomize, run_tkeras, sample_inputs, scratch_directory, sequential  # noqa: I001 (first: it selects Keras's torch backend)
import os
import unittest

import keras
import onnxruntime
from keras import layers

TOLERANCE = 1e-5


def merged(input_shape, merge, *branches):
    """A Functional model of one input whose branches (functions of the input) meet in the merge
    layer `merge`: how this suite, whose models take one input, gives a merge layer a list."""
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, merge([branch(inputs) for branch in branches]))


def dense(units):
    """A branch: Dense(units) on the input's last axis, (None, steps, units)."""
    return lambda x: layers.Dense(units)(x)


def pooled(units, shape=None):
    """A branch of lower rank: the steps averaged, then Dense(units), (None, units); or reshaped to `shape`."""
    def branch(x):
        y = layers.Dense(units)(layers.GlobalAveragePooling1D()(x))
        return layers.Reshape(shape)(y) if shape else y
    return branch


def activated(name, scale=1.0, as_layer=False, **dense_options):
    """A branch: Dense(4) with the activation `name`, or an Activation(name) layer after it; on the
    input times `scale` (a Rescaling first, unless 1; after the Dense for an Activation layer)."""
    def branch(x):
        if as_layer:
            y = layers.Dense(4, **dense_options)(x)
            return layers.Activation(name)(layers.Rescaling(scale)(y) if scale != 1.0 else y)
        return layers.Dense(4, activation=name, **dense_options)(layers.Rescaling(scale)(x) if scale != 1.0 else x)
    return branch


# name: (a function making the Keras model, whether tkeras exports it to ONNX)
CASES = {
    "Reshape and Flatten": (lambda: sequential((4, 6), L(layers.Reshape, (3, 8)), L(layers.Flatten),
                                               L(layers.Dense, 2)), True),
    "CenterCrop": (lambda: sequential((7, 9, 2), L(layers.CenterCrop, 4, 5), L(layers.Flatten)), True),
    "ZeroPadding2D": (lambda: sequential((5, 6, 2), L(layers.ZeroPadding2D, ((1, 2), (0, 3))),
                                         L(layers.Conv2D, 3, 3), L(layers.ZeroPadding2D), L(layers.ZeroPadding2D, (2, 1)),
                                         L(layers.Flatten), L(layers.Dense, 2)), True),
    # ReLU: MobileNet's cap at 6; a leak; a threshold with a leak and a cap (Keras's static_call's branches).
    "ReLU": (lambda: sequential((6,), L(layers.Dense, 8), L(layers.ReLU, max_value=6.0), L(layers.Dense, 8),
                                L(layers.ReLU, negative_slope=0.1), L(layers.Dense, 8),
                                L(layers.ReLU, max_value=1.5, negative_slope=0.3, threshold=0.2),
                                L(layers.Dense, 8), L(layers.ReLU, threshold=0.4), L(layers.Dense, 2)), True),
    # DepthwiseConv2D: "same" with an odd total (one more at the end), stride 2, a multiplier, no bias.
    "DepthwiseConv2D": (lambda: sequential((7, 6, 3), L(layers.DepthwiseConv2D, 3, padding="same"),
                                           L(layers.DepthwiseConv2D, (2, 3), strides=2, depth_multiplier=2,
                                             use_bias=False, activation="relu"),
                                           L(layers.DepthwiseConv2D, 2, padding="same", strides=2),
                                           L(layers.Flatten), L(layers.Dense, 2)), True),
    # Merges: sizes of 1 and inputs of lower rank broadcast; Dot's axes on inputs of rank 2 and 3.
    "Add": (lambda: merged((5, 6), layers.Add(), dense(4), dense(4), dense(1)), True),
    "Subtract": (lambda: merged((5, 6), layers.Subtract(), dense(4), pooled(4)), True),
    "Multiply": (lambda: merged((5, 6), layers.Multiply(), pooled(4), dense(4)), True),
    "Average": (lambda: merged((5, 6), layers.Average(), dense(3), dense(3), pooled(3, (1, 3))), True),
    "Maximum": (lambda: merged((5, 6), layers.Maximum(), dense(4), pooled(4, (1, 4))), True),
    "Minimum": (lambda: merged((5, 6), layers.Minimum(), dense(1), pooled(4, (1, 4))), True),
    "Concatenate": (lambda: merged((5, 6), layers.Concatenate(), dense(3), dense(2), lambda x: x), True),
    "Concatenate on the steps": (lambda: merged((5, 6), layers.Concatenate(axis=1), dense(4), pooled(4, (1, 4))),
                                 True),
    "Dot of sequences": (lambda: merged((5, 6), layers.Dot(axes=(2, 2)), dense(4), dense(4)), True),
    "Dot of a vector with a sequence": (lambda: merged((5, 6), layers.Dot(axes=(1, 2)), pooled(4), dense(4)), True),
    "Dot normalized": (lambda: merged((5, 6), layers.Dot(axes=(-1, 1), normalize=True), dense(5), dense(3)), True),
    "Dot normalized, of vectors": (lambda: merged((5, 6), layers.Dot(axes=1, normalize=True), pooled(4), pooled(4)),
                                   True),
    # Every activation name beyond linear, relu, sigmoid, softmax and tanh, each on the input, on a
    # Dense layer or as an Activation layer after one (Keras saves swish and hard_swish as silu and
    # hard_silu), on values across its breaks: hard_sigmoid's and hard_silu's scaled past +-3,
    # sparsemax's down so that several, not one, are in its support.
    "activations by name": (lambda: merged(
        (6,), layers.Concatenate(),
        *[activated(name) for name in (
            "leaky_relu", "relu6", "celu", "elu", "selu", "softplus", "softsign", "squareplus", "soft_shrink",
            "sparse_plus", "silu", "gelu", "tanh_shrink", "exponential", "hard_tanh", "hard_shrink", "mish",
            "log_sigmoid", "sparse_sigmoid", "log_softmax")],
        activated("hard_sigmoid", scale=4.0), activated("hard_silu", scale=2.5),
        activated("sparsemax", scale=0.1, use_bias=False), activated("sparsemax", scale=0.1, as_layer=True),
        activated("swish", as_layer=True), activated("hard_swish", scale=2.5, as_layer=True),
        activated("gelu", as_layer=True)), True),
}


def check_cases(test, cases):
    """Runs each case of `cases` (name: (make, exports), as CASES) as a subtest of `test`: the
    suites of other layer families (test_layers_*.py) call it with their own CASES."""
    for name, (make, exports) in cases.items():
        with test.subTest(layer=name):
            keras.utils.set_random_seed(1)
            model = make()
            randomize(model, 2, by_fan_in=True)
            x = sample_inputs(model)
            theirs = model.predict(x, verbose=0)
            folder = scratch_directory("tkeras-layers-")
            keras_written = os.path.join(folder, "keras.keras")
            model.save(keras_written)
            ours_written = os.path.join(folder, "tkeras.keras")
            onnx_written = os.path.join(folder, "model.onnx")
            run = run_tkeras(None, {"x_eval": x}, model_file=keras_written, save_model=ours_written,
                             **({"export_onnx": onnx_written} if exports else {}))
            label = f"layers: {name}"
            check_close(test, label, "predict, loaded from Keras's .keras", run.predict, theirs, TOLERANCE)
            reloaded = keras.saving.load_model(ours_written)
            check_close(test, label, "Keras's predict, loaded from tkeras's .keras", reloaded.predict(x, verbose=0),
                        theirs, TOLERANCE)
            if exports:
                session = onnxruntime.InferenceSession(onnx_written, providers=["CPUExecutionProvider"])
                check_close(test, label, "onnxruntime on tkeras's ONNX export", session.run(None, {"inputs": x})[0],
                            theirs, TOLERANCE)


class Layers(unittest.TestCase):
    def test_each_layer_loads_from_keras_saves_for_keras_and_exports_as_keras_predicts(self):
        check_cases(self, CASES)


if __name__ == "__main__":
    unittest.main()
