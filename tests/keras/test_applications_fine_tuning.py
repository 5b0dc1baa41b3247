"""Keras parity for keras.applications backbones fine-tuned: each, as Keras writes it, as a frozen
base under a new head (BatchNormalization in inference, as Keras 3), trains as in Keras: losses,
weights and predictions after two epochs."""
from parity import randomize   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers

import test_functional
from test_applications import A, BACKBONES

# The two of test_functional's predict test join the fine-tuning. EfficientNetV2B0 does not: under
# Keras 3.15 its stochastic-depth Dropout layers drop in fit although the base is called with
# training=False (two training-mode calls of Keras's model differ by 0.71, and agree once those
# rates are 0), so Keras's own losses are random; tkeras keeps the base in inference, as asked.
FINE_TUNED = {**{name: entry for name, entry in BACKBONES.items() if name != "EfficientNetV2B0"},
              "MobileNetV2": (A.MobileNetV2, 32, {}), "ResNet50": (A.ResNet50, 32, {})}


def frozen_under_a_head(application, side, options):
    """Keras's transfer-learning recipe: the base frozen and called with training=False, then
    pooling, dropout and a new classifier."""
    base = application(weights=None, include_top=False, input_shape=(side, side, 3), **options)
    randomize(base, 72, by_fan_in=True)
    base.trainable = False
    inputs = keras.Input((side, side, 3), name="image")
    x = layers.GlobalAveragePooling2D()(base(inputs, training=False))
    outputs = layers.Dense(3, activation="softmax", name="label")(layers.Dropout(0.0)(x))
    return keras.Model(inputs, outputs)


class FineTuning(unittest.TestCase):
    def test_each_backbone_frozen_under_a_new_head_fine_tunes_as_in_keras(self):
        # Pixels in [0, 1] and a small SGD step keep the head's logits moderate: random ImageNet-sized
        # bases on 0-255 pixels give features whose logits saturate the softmax after one step, and
        # Adam's first steps are lr * sign(gradient), where a rounding in a gradient near 0 flips a
        # full step. Either makes the second epoch's loss a coin toss in any two libraries.
        for name, (application, side, options) in FINE_TUNED.items():
            with self.subTest(backbone=name):
                keras.utils.set_random_seed(74)
                rng = np.random.default_rng(75)
                images = rng.uniform(0, 1, (24, side, side, 3)).astype(np.float32)
                labels = (images[:, : side // 2].mean(axis=(1, 2, 3)) > images.mean(axis=(1, 2, 3))).astype(np.int64)
                labels += (images[..., 0].mean(axis=(1, 2)) > 0.5).astype(np.int64)
                test_functional.SeveralInputsAndOutputs.check(
                    self, f"fine_tuned_{name}", frozen_under_a_head(application, side, options),
                    # No accuracy: a random base's features leave the head's classes near ties.
                    dict(optimizer=keras.optimizers.SGD(0.001), loss="sparse_categorical_crossentropy"),
                    {"image": images[:16]}, {"label": labels[:16]}, {"image": images[16:]}, {"label": labels[16:]})



if __name__ == "__main__":
    unittest.main()
