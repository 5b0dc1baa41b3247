"""ONNX export: tkeras's export_onnx against onnx and onnxruntime. For models that hold every layer
type tkeras exports (all but TextVectorization), and the course's MLP and CNN, built from Keras
models with Keras's weights: the file passes `onnx.checker.check_model(full_check=True)`, is byte
for byte what onnx's own serializer writes for the model it reads, and onnxruntime's outputs equal
tkeras's `predict` within 1e-5 at batch sizes 1 and 7."""
from parity import L, check_close, normalization_mlp, randomize, run_tkeras, sample_inputs, scratch_directory, sequential  # noqa: I001 (first: it selects Keras's torch backend)
import os
import unittest

import keras
import onnx
import onnxruntime
from keras import layers

TOLERANCE = 1e-5


MODELS = {
    "the course's MLP": lambda: sequential((28, 28), L(layers.Flatten), L(layers.Dense, 128, activation="relu"),
                                           L(layers.Dense, 10, activation="softmax")),
    "the course's CNN": lambda: sequential(
        (28, 28, 1), L(layers.Rescaling, 1 / 255), L(layers.Conv2D, 16, 3, activation="relu"), L(layers.MaxPooling2D),
        L(layers.Conv2D, 16, 3, activation="relu"), L(layers.MaxPooling2D), L(layers.Flatten),
        L(layers.Dense, 32, activation="relu"), L(layers.Dense, 10, activation="softmax")),
    "Normalization, BatchNormalization, Dropout, Activation, Reshape": normalization_mlp,
    "augmentation, Resizing, CenterCrop, convolutions and 2-D pooling": lambda: sequential(
        (12, 12, 3), L(layers.RandomFlip), L(layers.RandomRotation, 0.1), L(layers.RandomZoom, 0.1),
        L(layers.RandomTranslation, 0.1, 0.1), L(layers.RandomBrightness, 0.1), L(layers.RandomContrast, 0.1),
        L(layers.Resizing, 10, 10), L(layers.CenterCrop, 8, 8), L(layers.Conv2D, 4, 3, padding="same", strides=2),
        L(layers.AveragePooling2D, 2, padding="same"), L(layers.Conv2D, 3, 1, use_bias=False),
        L(layers.MaxPooling2D, 1), L(layers.GlobalAveragePooling2D), L(layers.Dense, 2)),
    "nearest Resizing": lambda: sequential((7, 9, 2), L(layers.Resizing, 5, 13, interpolation="nearest"),
                                           L(layers.Flatten), L(layers.Dense, 2)),
    "Embedding, Bidirectional LSTM, GRUs, SimpleRNN, Conv1D, 1-D pooling": lambda: sequential(
        (12,), L(layers.Embedding, 40, 6), L(layers.Bidirectional, layers.LSTM(4, return_sequences=True)),
        L(layers.GRU, 3, return_sequences=True), L(layers.GRU, 3, reset_after=False, return_sequences=True),
        L(layers.SimpleRNN, 3, return_sequences=True), L(layers.Conv1D, 4, 3, padding="causal", activation="relu"),
        L(layers.MaxPooling1D, 2), L(layers.Conv1D, 4, 2, padding="same"), L(layers.AveragePooling1D, 2),
        L(layers.GlobalMaxPooling1D), L(layers.Dense, 1, activation="sigmoid")),
    "recurrent layers going backwards, and Bidirectional's merge modes": lambda: sequential(
        (6, 3), L(layers.LSTM, 4, go_backwards=True, return_sequences=True),
        L(layers.Bidirectional, layers.GRU(3, return_sequences=True), merge_mode="sum"),
        L(layers.Bidirectional, layers.SimpleRNN(2, return_sequences=True), merge_mode="ave"),
        L(layers.Bidirectional, layers.LSTM(2, return_sequences=True), merge_mode="mul"),
        L(layers.Bidirectional, layers.GRU(2)), L(layers.Dense, 2)),
    "a masked mean of embeddings": lambda: sequential(
        (8,), L(layers.Embedding, 20, 4, mask_zero=True), L(layers.GlobalAveragePooling1D), L(layers.Dense, 1)),
    "a model inside the model": lambda: sequential(
        (5,), L(layers.Dense, 6),
        keras.Sequential([layers.Dense(4, activation="relu", name="dense"), layers.Dense(3, name="dense_1")],
                         name="sequential"),
        L(layers.Dense, 2)),
}


class Onnx(unittest.TestCase):
    def test_exported_models_check_and_run_in_onnxruntime_as_tkeras_predicts(self):
        for name, make in MODELS.items():
            with self.subTest(model=name):
                keras.utils.set_random_seed(1)
                model = make()
                randomize(model, 2, by_fan_in=True)
                x = sample_inputs(model)
                path = os.path.join(scratch_directory("tkeras-onnx-"), "model.onnx")
                run = run_tkeras(model, {"x_eval": x}, export_onnx=path)
                with open(path, "rb") as f:
                    written = f.read()
                loaded = onnx.load(path)
                onnx.checker.check_model(loaded, full_check=True)
                self.assertEqual(loaded.SerializeToString(), written, f"{name}: not what onnx's serializer writes")
                self.assertEqual([o.version for o in loaded.opset_import], [17])
                batch = loaded.graph.input[0].type.tensor_type.shape.dim[0]
                self.assertEqual(batch.dim_param, "batch")
                session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
                test = f"onnx: {name}"
                for size in (1, 7):
                    ours = session.run(None, {"inputs": x[:size]})[0]
                    check_close(self, test, f"onnxruntime at batch {size}", ours, run.predict[:size], TOLERANCE)


if __name__ == "__main__":
    unittest.main()
