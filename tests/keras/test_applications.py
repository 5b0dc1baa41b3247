"""Keras parity for keras.applications backbones: each, as Keras writes it (weights=None: the
machines cannot download ImageNet's; the graph and the weights' places are the same), loads in
tkeras, prints Keras's summary, predicts as Keras, exports to ONNX that onnxruntime runs as tkeras
predicts; and as a frozen base under a new head (BatchNormalization in inference, as Keras 3),
fine-tunes as in Keras: losses, weights and predictions after two epochs."""
from parity import randomize   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np

import test_functional

A = keras.applications
# name: (the application, its smallest input side, keyword arguments). ResNet50 and MobileNetV2
# are test_functional's (KerasApplications).
BACKBONES = {
    "MobileNetV3Small": (A.MobileNetV3Small, 32, {}),
    "ResNet50V2": (A.ResNet50V2, 32, {}),
    "EfficientNetB0": (A.EfficientNetB0, 32, {}),
    "EfficientNetV2B0": (A.EfficientNetV2B0, 32, {}),
    "DenseNet121": (A.DenseNet121, 32, {}),
    "InceptionV3": (A.InceptionV3, 75, {}),
    "VGG16": (A.VGG16, 32, {}),
    "Xception": (A.Xception, 71, {}),
    "ConvNeXtTiny": (A.ConvNeXtTiny, 32, {}),
}
class Applications(unittest.TestCase):
    def test_each_backbone_loads_summarises_predicts_and_exports_as_in_keras(self):
        check = test_functional.KerasApplications.check_backbone
        for name, (application, side, options) in BACKBONES.items():
            with self.subTest(backbone=name):
                keras.utils.set_random_seed(71)
                model = application(weights=None, input_shape=(side, side, 3), classes=10, **options)
                x = np.random.default_rng(73).uniform(0, 255, (3, side, side, 3)).astype(np.float32)
                check(self, name, model, x)


if __name__ == "__main__":
    unittest.main()
