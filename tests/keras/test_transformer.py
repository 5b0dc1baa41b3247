"""Keras parity for a Transformer encoder text classifier (issue 29's "A Transformer for text"):
token and position embeddings, MultiHeadAttention self-attention, Add and LayerNormalization, a
feed-forward block (Dense gelu or relu, then Dense), Add and LayerNormalization again,
GlobalAveragePooling1D and a softmax or sigmoid head, built by Keras from built-in layers only.

Keras has no position embedding layer, so the models say it two ways Keras and tkeras both load:
an Embedding over a second input that holds the positions 0..T-1, and (tkeras-text's
`--model transformer`, one input, so that the model takes the texts) a table of (steps,
features) learned as the bias of an EinsumDense over the token embeddings. Each trains two
epochs in tkeras (from Keras's .keras) and in Keras from the same weights and batches; histories,
weights, predictions and evaluate must agree within 1e-4 (test_functional's
SeveralInputsAndOutputs.check), and Keras opens the file tkeras saves after training. The
encoder on token ids, and a block on float inputs, also load, save back and export to ONNX as
Keras predicts (test_layers's check_cases).

The Embeddings have no `mask_zero`: Keras 3.15 writes the mask of one that reaches a
MultiHeadAttention as operations of its own (NotEqual, LogicalOr) that tkeras does not load yet,
so padding tokens are attended, as the brief of the issue allows."""
import parity  # noqa: F401,I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers

import test_functional
from test_layers import check_cases

STEPS, VOCABULARY, FEATURES, HEADS, HIDDEN = 8, 30, 8, 2, 16


def encoder_block(x, activation, epsilon=1e-6):
    """One Transformer encoder block on (None, steps, features): self-attention and a feed-forward
    block, each added to its input and normalised (post-norm, as "Attention is all you need" and
    Keras's text-classification example)."""
    attended = layers.MultiHeadAttention(num_heads=HEADS, key_dim=FEATURES // HEADS)(x, x)
    x = layers.LayerNormalization(epsilon=epsilon)(layers.Add()([x, attended]))
    fed = layers.Dense(FEATURES)(layers.Dense(HIDDEN, activation=activation)(x))
    return layers.LayerNormalization(epsilon=epsilon)(layers.Add()([x, fed]))


def with_position_input():
    """Token ids and their positions in, a class of three out: the position embedding is an
    Embedding over the second input."""
    tokens = keras.Input((STEPS,), dtype="int32", name="tokens")
    positions = keras.Input((STEPS,), dtype="int32", name="positions")
    x = layers.Add()([layers.Embedding(VOCABULARY, FEATURES)(tokens), layers.Embedding(STEPS, FEATURES)(positions)])
    x = layers.GlobalAveragePooling1D()(encoder_block(x, "gelu"))
    return keras.Model([tokens, positions], layers.Dense(3, activation="softmax", name="label")(x), name="transformer")


def position_table(x):
    """The position embedding of tkeras-text: a (steps, features) table, the bias of an EinsumDense."""
    return layers.EinsumDense("abc,cd->abd", output_shape=(STEPS, FEATURES), bias_axes="bd")(x)


def as_in_tkeras_text(head=True):
    """tkeras-text's `--model transformer` on token ids (its TextVectorization aside): the
    position table, the block with relu and Dropout, the mean over the steps, then Dense relu and a
    sigmoid. Dropout rates are 0 here: Keras's and LibTorch's random streams differ."""
    tokens = keras.Input((STEPS,), dtype="int32", name="tokens")
    x = position_table(layers.Embedding(VOCABULARY, FEATURES)(tokens))
    attended = layers.Dropout(0.0)(layers.MultiHeadAttention(num_heads=HEADS, key_dim=FEATURES // HEADS)(x, x))
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attended]))
    fed = layers.Dropout(0.0)(layers.Dense(FEATURES)(layers.Dense(HIDDEN, activation="relu")(x)))
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, fed]))
    x = layers.GlobalAveragePooling1D()(x)
    if not head:
        return keras.Model(tokens, layers.Dense(2)(x))
    x = layers.Dense(6, activation="relu")(x)
    return keras.Model(tokens, layers.Dense(1, activation="sigmoid", name="label")(x), name="transformer_text")


def on_floats():
    """The block alone on float sequences, with Keras's default LayerNormalization epsilon."""
    inputs = keras.Input((STEPS, FEATURES))
    return keras.Model(inputs, layers.Dense(3)(layers.GlobalAveragePooling1D()(encoder_block(inputs, "gelu", 1e-3))))


CASES = {
    "Transformer encoder block": (on_floats, True),
    "Transformer encoder on token ids, position table": (lambda: as_in_tkeras_text(head=False), True),
}


def token_data(seed, n):
    """Token ids whose class depends on which tokens occur and where: the count of small ids, and
    whether the first half holds more of them than the second."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(1, VOCABULARY, size=(n, STEPS)).astype(np.int32)
    small = tokens < VOCABULARY // 3
    count = small.sum(1)
    label = np.where(count >= 4, 2, np.where(small[:, : STEPS // 2].sum(1) > small[:, STEPS // 2 :].sum(1), 1, 0))
    return tokens, label.astype(np.int64)


class Transformer(unittest.TestCase):
    def test_the_encoder_block_loads_saves_for_keras_and_exports_to_onnx_as_keras_predicts(self):
        check_cases(self, CASES)

    def test_an_encoder_classifier_with_an_input_of_positions_trains_as_in_keras(self):
        def data(seed, n):
            tokens, label = token_data(seed, n)
            positions = np.tile(np.arange(STEPS, dtype=np.int32), (n, 1))
            return {"tokens": tokens, "positions": positions}, {"label": label}
        keras.utils.set_random_seed(71)
        x, y = data(72, 48)
        x_val, y_val = data(73, 16)
        test_functional.SeveralInputsAndOutputs.check(
            self, "transformer, positions as an input", with_position_input(),
            dict(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"]),
            x, y, x_val, y_val)

    def test_tkeras_texts_encoder_classifier_with_a_position_table_trains_as_in_keras(self):
        def data(seed, n):
            tokens, label = token_data(seed, n)
            return {"tokens": tokens}, {"label": (label > 0).astype(np.float32)[:, None]}
        keras.utils.set_random_seed(74)
        x, y = data(75, 48)
        x_val, y_val = data(76, 16)
        test_functional.SeveralInputsAndOutputs.check(
            self, "transformer, position table (tkeras-text)", as_in_tkeras_text(),
            dict(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]),
            x, y, x_val, y_val)


if __name__ == "__main__":
    unittest.main()
