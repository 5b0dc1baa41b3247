"""Keras parity for attention: EinsumDense, MultiHeadAttention and Attention, layer by layer
(loaded from Keras's .keras, saved back for Keras, exported to ONNX) and in training (a
cross-attention model of two inputs, and a masked self-attention text model, fit as in Keras)."""
from parity import L, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers

import test_functional
from test_layers import check_cases


def attended(input_shape, attention, call=lambda mha, x: mha(x, x)):
    """A model of one input: `attention` (a MultiHeadAttention) called on it by `call`, then a
    residual Add and Dense(3)."""
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


def luong(input_shape, attention, call=lambda attention, x: attention([x, x])):
    """A model of one input: `attention` (an Attention) called on it by `call`, a residual Add and
    Dense(3)."""
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, layers.Dense(3)(layers.Add()([inputs, call(attention, inputs)])))


def masked_tokens(attention, call=lambda attention, e: attention([e, e])):
    """Token ids through Embedding(mask_zero=True), so that both masks reach `attention`, then the
    masked average over the steps and Dense(3)."""
    tokens = keras.Input((8,), dtype="int64")
    embedded = layers.Embedding(20, 4, mask_zero=True)(tokens)
    pooled = layers.GlobalAveragePooling1D()(call(attention, embedded))
    return keras.Model(tokens, layers.Dense(3)(pooled))


def with_scores(input_shape, attention):
    """The output and the scores (`return_attention_scores=True`) joined into Dense(3)."""
    inputs = keras.Input(input_shape)
    output, scores = attention([inputs, inputs], return_attention_scores=True)
    return keras.Model(inputs, layers.Dense(3)(layers.Concatenate()([output, scores])))


CASES.update({
    "Attention": (lambda: luong((6, 4), layers.Attention()), True),
    # A key apart from the value; the scale and the concat scores' weight.
    "Attention, scaled concat scores, with a key": (lambda: luong(
        (5, 4), layers.Attention(use_scale=True, score_mode="concat"),
        call=lambda attention, x: attention([x, layers.Dense(4)(x), layers.Dense(4)(x)])), True),
    "Attention, causal, with dropout": (lambda: luong(
        (6, 4), layers.Attention(dropout=0.3, use_scale=True),
        call=lambda attention, x: attention([x, x], use_causal_mask=True)), True),
    # The value's mask out of the softmax, the query's on the output and on to the pooling.
    "Attention on an Embedding's masks": (lambda: masked_tokens(layers.Attention()), True),
    "Attention on an Embedding's masks, causal, concat": (lambda: masked_tokens(
        layers.Attention(score_mode="concat"), call=lambda attention, e: attention([e, e], use_causal_mask=True)),
        True),
    # Keras 3.15 writes the masks as operations of their own (NotEqual, LogicalOr after the Add,
    # ConvertToTensor after Attention) given to the next layer as `mask=`; tkeras drops them and
    # computes the same masks, and Keras recomputes them from tkeras's file.
    "MultiHeadAttention on an Embedding's masks": (lambda: masked_tokens(
        layers.MultiHeadAttention(num_heads=2, key_dim=2),
        call=lambda mha, e: layers.Add()([e, mha(e, e)])), True),
    # tkeras's ONNX export refuses the scores as a second output.
    "Attention with its scores": (lambda: with_scores((6, 4), layers.Attention(use_scale=True)), False),
})


def masked_self_attention():
    """Token ids, Embedding(mask_zero), causal scaled Attention over them, masked pooling, Dense."""
    tokens = keras.Input((8,), dtype="int64", name="tokens")
    embedded = layers.Embedding(30, 6, mask_zero=True)(tokens)
    attended_ = layers.Attention(use_scale=True, name="attention")([embedded, embedded], use_causal_mask=True)
    pooled = layers.GlobalAveragePooling1D()(layers.Add()([embedded, attended_]))
    return keras.Model(tokens, layers.Dense(2, activation="softmax", name="label")(pooled))


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

    def test_masked_self_attention_on_tokens_trains_as_in_keras(self):
        def data(seed, n):
            rng = np.random.default_rng(seed)
            tokens = rng.integers(1, 30, size=(n, 8))
            lengths = rng.integers(3, 9, size=n)
            tokens[np.arange(8)[None, :] >= lengths[:, None]] = 0
            label = (np.where(tokens > 0, tokens, 0).sum(1) > 15 * lengths).astype(np.int64)
            return {"tokens": tokens.astype(np.int64)}, {"label": label}
        keras.utils.set_random_seed(64)
        x, y = data(65, 48)
        x_val, y_val = data(66, 16)
        test_functional.SeveralInputsAndOutputs.check(
            self, "masked_self_attention", masked_self_attention(),
            dict(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                 metrics=["accuracy"]),
            x, y, x_val, y_val)


if __name__ == "__main__":
    unittest.main()
