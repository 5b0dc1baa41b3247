"""Keras parity for attention: EinsumDense and MultiHeadAttention, layer by layer (loaded from
Keras's .keras, saved back for Keras, exported to ONNX) and in training (a cross-attention model
of two inputs fits as in Keras)."""
from parity import L, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers

import test_functional
from test_layers import check_cases


def attended(input_shape, attention, call=lambda mha, x: mha(x, x)):
    """A model of one input: `attention` (a MultiHeadAttention) called on it by `call`, then a
    residual Add and Dense(3).

    No case here has an Embedding's mask: Keras 3.15 writes a mask reaching a layer through
    several as operations of its own (NotEqual, LogicalOr) and a `mask` argument, which tkeras's
    loader does not read yet; the masked attention is checked in tests/layers."""
    inputs = keras.Input(input_shape)
    y = layers.Add()([inputs, call(attention, inputs)])
    return keras.Model(inputs, layers.Dense(3)(y))


CASES = {
    "EinsumDense as Dense": (lambda: sequential((5,), L(layers.EinsumDense, "ab,bc->ac", output_shape=4,
                                                       bias_axes="c", activation="relu")), True),
    # Keras's three equation forms: steps projected to heads, "..." on the left and on the right.
    "EinsumDense to heads": (lambda: sequential((6, 5), L(layers.EinsumDense, "abc,cde->abde",
                                                        output_shape=(None, 2, 3), bias_axes="de"),
                                               L(layers.Reshape, (36,))), True),
    "EinsumDense, ellipsis on the left": (lambda: sequential((3, 4, 5), L(layers.EinsumDense, "...b,bc->...c",
                                                                        output_shape=2, bias_axes="c"),
                                                            L(layers.Flatten)), True),
    "EinsumDense, ellipsis on the right": (lambda: sequential((5, 4), L(layers.EinsumDense, "ab...,bc->ac...",
                                                                        output_shape=3, bias_axes="c"),
                                                              L(layers.Flatten)), True),
    "MultiHeadAttention": (lambda: attended((6, 8), layers.MultiHeadAttention(num_heads=2, key_dim=4)), True),
    "MultiHeadAttention, causal": (lambda: attended(
        (6, 8), layers.MultiHeadAttention(num_heads=3, key_dim=2),
        call=lambda mha, x: mha(x, x, use_causal_mask=True)), True),
    # value_dim, output_shape and the gate; the key apart from the value (self-attention with key=x).
    "MultiHeadAttention, gated": (lambda: attended(
        (5, 6), layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, output_shape=6, use_gate=True),
        call=lambda mha, x: mha(x, x, key=x)), True),
    # Dropout > 0: Keras's explicit path (scores, softmax), the same at inference.
    "MultiHeadAttention with dropout, causal": (lambda: attended(
        (6, 4), layers.MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.3),
        call=lambda mha, x: mha(x, x, use_causal_mask=True)), True),
}


def cross_attention():
    """A query sequence attends to a context under an attention mask; the scores are an output.
    The context is as long as the query: for a longer one Keras 3.15's symbolic shape of the
    scores is wrong ((None, 2, 5, 5) for 5 query and 7 context steps), which a Reshape after it
    trips on."""
    query = keras.Input((5, 6), name="query")
    context = keras.Input((5, 4), name="context")
    mask = keras.Input((5, 5), name="mask")  # 1 where a query step may attend: Keras casts it to bool
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="cross")
    attended_, scores = mha(query, context, attention_mask=mask, return_attention_scores=True)
    pooled = layers.GlobalAveragePooling1D()(layers.Add()([query, attended_]))
    label = layers.Dense(3, activation="softmax", name="label")(pooled)
    return keras.Model([query, context, mask], [label, layers.Reshape((50,), name="scores")(scores)])


class Attention(unittest.TestCase):
    def test_each_attention_layer_loads_from_keras_saves_for_keras_and_exports_as_keras_predicts(self):
        check_cases(self, CASES)

    def test_cross_attention_with_a_mask_and_its_scores_trains_as_in_keras(self):
        def data(seed, n):
            rng = np.random.default_rng(seed)
            query = rng.normal(size=(n, 5, 6)).astype(np.float32)
            context = rng.normal(size=(n, 5, 4)).astype(np.float32)
            mask = (rng.random((n, 5, 5)) < 0.7).astype(np.float32)
            mask[:, :, 0] = 1.0
            label = (query[:, :, 0].sum(1) > 0).astype(np.int64) + (context[:, 0, 0] > 1).astype(np.int64)
            scores = np.full((n, 50), 1.0 / 5, dtype=np.float32)
            return {"query": query, "context": context, "mask": mask}, {"label": label, "scores": scores}
        keras.utils.set_random_seed(61)
        x, y = data(62, 48)
        x_val, y_val = data(63, 16)
        test_functional.SeveralInputsAndOutputs.check(
            self, "cross_attention", cross_attention(),
            dict(optimizer=keras.optimizers.Adam(0.01),
                 loss={"label": "sparse_categorical_crossentropy", "scores": "mse"},
                 loss_weights={"label": 1.0, "scores": 0.5}, metrics={"label": ["accuracy"]}),
            x, y, x_val, y_val)


if __name__ == "__main__":
    unittest.main()
