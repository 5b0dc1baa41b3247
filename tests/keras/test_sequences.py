"""Keras parity: the sequence layers of the courses' text and time-series parts. Each model is
built in Keras, its initial weights go to tkeras, and both predict on the same data: Embedding
(with and without mask_zero), SimpleRNN, LSTM and GRU (return_sequences, go_backwards, other
activations, GRU's reset_after both ways), with masks from padding at the front, at the back and
in the middle; Bidirectional with each merge mode; Conv1D (valid, same, causal, strides, dilation) and the 1-D pooling layers,
GlobalAveragePooling1D with a mask. Then both train the courses' text classifiers (Embedding, then
LSTM, GlobalAveragePooling1D or Bidirectional LSTM, then Dense) and must agree on their History and
weights; and the fourth part's time-series models train with Huber and SGD with momentum as in
Keras."""
from parity import L, check_close, load_tkeras_weights, run_tkeras, sequential, weights   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers

TOLERANCE = 1e-5
STEPS, FEATURES, VOCABULARY = 7, 5, 30


def series(seed=0, count=6):
    return np.random.default_rng(seed).normal(size=(count, STEPS, FEATURES)).astype("float32")


def token_ids(seed=1, count=8):
    """Padded rows of token ids: at the front (pad_sequences' default), at the back, in the middle,
    none, and a row that is all padding."""
    ids = np.random.default_rng(seed).integers(1, VOCABULARY, size=(count, STEPS)).astype("int64")
    ids[0, :3] = 0
    ids[1, 4:] = 0
    ids[2, 2:4] = 0
    ids[3, [0, 2, 6]] = 0
    ids[5, :] = 0
    return ids


SEQUENCE_LAYERS = {
    "Conv1D valid": (layers.Conv1D, (4, 3), {}),
    "Conv1D same, strides 2, relu": (layers.Conv1D, (4, 3), {"strides": 2, "padding": "same", "activation": "relu"}),
    "Conv1D causal, dilation 2": (layers.Conv1D, (3, 3), {"padding": "causal", "dilation_rate": 2}),
    "Conv1D same, even kernel, no bias": (layers.Conv1D, (2, 4), {"padding": "same", "use_bias": False}),
    "MaxPooling1D 2": (layers.MaxPooling1D, (2,), {}),
    "MaxPooling1D 3, strides 1, same": (layers.MaxPooling1D, (3,), {"strides": 1, "padding": "same"}),
    "AveragePooling1D 2, same": (layers.AveragePooling1D, (2,), {"padding": "same"}),
    "AveragePooling1D 3, strides 2": (layers.AveragePooling1D, (3,), {"strides": 2}),
    "GlobalAveragePooling1D": (layers.GlobalAveragePooling1D, (), {}),
    "GlobalAveragePooling1D keepdims": (layers.GlobalAveragePooling1D, (), {"keepdims": True}),
    "GlobalMaxPooling1D": (layers.GlobalMaxPooling1D, (), {}),
}

RECURRENT = {
    "SimpleRNN": (layers.SimpleRNN, {}),
    "SimpleRNN relu, sequences": (layers.SimpleRNN, {"activation": "relu", "return_sequences": True}),
    "SimpleRNN backwards, sequences": (layers.SimpleRNN, {"go_backwards": True, "return_sequences": True}),
    "LSTM": (layers.LSTM, {}),
    "LSTM sequences": (layers.LSTM, {"return_sequences": True}),
    "LSTM backwards": (layers.LSTM, {"go_backwards": True}),
    "LSTM backwards, sequences": (layers.LSTM, {"go_backwards": True, "return_sequences": True}),
    "LSTM relu, no bias": (layers.LSTM, {"activation": "relu", "use_bias": False}),
    "GRU": (layers.GRU, {}),
    "GRU sequences, backwards": (layers.GRU, {"return_sequences": True, "go_backwards": True}),
    "GRU reset_after false": (layers.GRU, {"reset_after": False}),
    "GRU reset_after false, sequences": (layers.GRU, {"reset_after": False, "return_sequences": True}),
    "GRU no bias": (layers.GRU, {"use_bias": False}),
}


def randomize(model, seed=5):
    """Gives every weight random values, so that zero biases do not hide a misplaced bias."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32") for w in model.get_weights()])


class Sequences(unittest.TestCase):
    def compare_predict(self, test, model, x):
        theirs = model.predict(x, verbose=0)
        run = run_tkeras(model, {"x_eval": x})
        check_close(self, test, "predict", run.predict, theirs, TOLERANCE)

    def test_recurrent_layers_predict_as_keras(self):
        x = series()
        for name, (cls, kwargs) in RECURRENT.items():
            with self.subTest(layer=name):
                keras.utils.set_random_seed(2)
                model = sequential((STEPS, FEATURES), L(cls, 4, **kwargs))
                randomize(model)
                self.compare_predict(f"sequences: {name}", model, x)

    def test_convolution_and_pooling_over_steps_predict_as_keras(self):
        x = series(seed=11)
        for name, (cls, args, kwargs) in SEQUENCE_LAYERS.items():
            with self.subTest(layer=name):
                keras.utils.set_random_seed(12)
                model = sequential((STEPS, FEATURES), L(cls, *args, **kwargs))
                randomize(model)
                self.compare_predict(f"sequences: {name}", model, x)

    def test_global_average_pooling_averages_unmasked_steps_as_keras(self):
        x = token_ids()[:5]  # (the sixth row is all padding: 0 / 0 in both)
        keras.utils.set_random_seed(13)
        model = sequential((STEPS,), L(layers.Embedding, VOCABULARY, 4, mask_zero=True),
                           L(layers.GlobalAveragePooling1D), L(layers.Dense, 2))
        self.compare_predict("sequences: masked GlobalAveragePooling1D", model, x)

    def test_embedding_predicts_as_keras(self):
        x = token_ids()
        for mask_zero in (False, True):
            with self.subTest(mask_zero=mask_zero):
                keras.utils.set_random_seed(3)
                model = sequential((STEPS,), L(layers.Embedding, VOCABULARY, 3, mask_zero=mask_zero))
                self.compare_predict(f"sequences: Embedding mask_zero={mask_zero}", model, x)

    def test_masked_recurrent_layers_predict_as_keras(self):
        x = token_ids()
        for name, (cls, kwargs) in RECURRENT.items():
            with self.subTest(layer=name):
                keras.utils.set_random_seed(4)
                model = sequential((STEPS,), L(layers.Embedding, VOCABULARY, FEATURES, mask_zero=True),
                                   L(cls, 4, **kwargs))
                randomize(model)
                self.compare_predict(f"sequences: masked {name}", model, x)

    def test_bidirectional_layers_predict_as_keras(self):
        cases = {
            "Bidirectional LSTM": (layers.LSTM(3), {}),
            "Bidirectional GRU sequences, sum": (layers.GRU(3, return_sequences=True), {"merge_mode": "sum"}),
            "Bidirectional SimpleRNN sequences, ave": (layers.SimpleRNN(2, return_sequences=True), {"merge_mode": "ave"}),
            "Bidirectional LSTM sequences, mul": (layers.LSTM(2, return_sequences=True), {"merge_mode": "mul"}),
        }
        for masked in (False, True):
            for name, (inner, kwargs) in cases.items():
                with self.subTest(layer=name, masked=masked):
                    keras.utils.set_random_seed(14)
                    model = sequential((STEPS,), L(layers.Embedding, VOCABULARY, FEATURES, mask_zero=masked),
                                       L(layers.Bidirectional, inner, **kwargs))
                    randomize(model)
                    self.compare_predict(f"sequences: {'masked ' if masked else ''}{name}", model, token_ids())

    def test_mask_passes_through_stacked_layers_as_in_keras(self):
        # The first LSTM returns its mask with its sequences; Dense passes it on; the GRU reads it.
        keras.utils.set_random_seed(6)
        model = sequential((STEPS,), L(layers.Embedding, VOCABULARY, FEATURES, mask_zero=True),
                           L(layers.LSTM, 6, return_sequences=True), L(layers.Dense, 5, activation="relu"),
                           L(layers.GRU, 3), L(layers.Dense, 2))
        randomize(model)
        self.compare_predict("sequences: mask through LSTM, Dense and GRU", model, token_ids(seed=7, count=16))

    def test_training_text_classifiers_agrees_with_keras(self):
        x = token_ids(seed=9, count=48)
        x[5, 3] = 7  # no row all padding, whose pooled mean is NaN
        y = (x.sum(axis=1) % 2).astype("float32")
        middles = {"LSTM": L(layers.LSTM, 6), "GlobalAveragePooling1D": L(layers.GlobalAveragePooling1D),
                   "Bidirectional": L(layers.Bidirectional, layers.LSTM(4))}
        for pooling, mask_zero in (("LSTM", False), ("LSTM", True), ("GlobalAveragePooling1D", True),
                                   ("Bidirectional", True)):
            with self.subTest(pooling=pooling, mask_zero=mask_zero):
                keras.utils.set_random_seed(10)
                middle = middles[pooling]
                model = sequential((STEPS,), L(layers.Embedding, VOCABULARY, 8, mask_zero=mask_zero), middle,
                                   L(layers.Dense, 6, activation="relu"), L(layers.Dense, 1, activation="sigmoid"))
                optimizer = keras.optimizers.Adam(learning_rate=0.01)
                model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
                run = run_tkeras(model, {"x": x, "y": y}, epochs=3, batch_size=16, optimizer=optimizer,
                                 loss="binary_crossentropy", metrics=["accuracy"])
                history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
                test = f"sequences: Embedding-{pooling} training, mask_zero={mask_zero}"
                check_close(self, test, "loss per epoch", run.history["loss"], history["loss"], 1e-4)
                final = run.final_weights
                for name, value in weights(model).items():
                    check_close(self, test, f"final {name}", final[name], value, 1e-4)


    def test_weights_tkeras_trained_and_saved_load_into_keras(self):
        # tkeras trains a model from Keras's weights and saves its own; a fresh Keras model of the
        # same layers loads that file by name (Keras's gate order and bias rows, unconverted) and
        # must predict what tkeras predicts.
        x = token_ids(seed=17, count=32)
        y = (x.sum(axis=1) % 3 == 0).astype("float32")
        middles = {"LSTM": L(layers.LSTM, 5), "GRU": L(layers.GRU, 5),
                   "GRU reset_after false": L(layers.GRU, 5, reset_after=False), "SimpleRNN": L(layers.SimpleRNN, 5),
                   "Bidirectional LSTM": L(layers.Bidirectional, layers.LSTM(3)),
                   "Conv1D": L(layers.Conv1D, 4, 3, activation="relu")}
        for name, middle in middles.items():
            with self.subTest(layer=name):
                def make():
                    return sequential((STEPS,), L(layers.Embedding, VOCABULARY, 6), middle,
                                      *([L(layers.GlobalMaxPooling1D)] if name == "Conv1D" else []),
                                      L(layers.Dense, 1, activation="sigmoid"))
                keras.utils.set_random_seed(18)
                model = make()
                optimizer = keras.optimizers.Adam(learning_rate=0.05)
                run = run_tkeras(model, {"x": x, "y": y, "x_eval": x}, epochs=2, batch_size=8, optimizer=optimizer,
                                 loss="binary_crossentropy")
                keras.utils.set_random_seed(19)
                fresh = make()
                before = fresh.predict(x, verbose=0)
                load_tkeras_weights(fresh, f"{run.dir}/final.safetensors")
                after = fresh.predict(x, verbose=0)
                test = f"sequences: {name} weights saved by tkeras, loaded into Keras"
                check_close(self, test, "Keras's predict on them", after, run.predict, TOLERANCE)
                self.assertGreater(np.max(np.abs(before - after)), 1e-3, f"{test}: the fresh model already agreed")

    def test_training_time_series_models_with_huber_and_sgd_momentum_agrees_with_keras(self):
        # The course's fourth part: windows of a series, Huber loss, SGD with momentum.
        rng = np.random.default_rng(15)
        t = np.arange(200, dtype="float32")
        series_values = 0.05 * t + np.sin(t / 6.0) * 3 + rng.normal(scale=0.5, size=t.shape).astype("float32")
        windows = np.stack([series_values[i:i + STEPS] for i in range(len(t) - STEPS)])[:, :, None]
        targets = series_values[STEPS:][:, None].astype("float32")
        windows = windows / 10.0
        targets = targets / 10.0
        models = {
            "SimpleRNN": lambda: sequential((STEPS, 1), L(layers.SimpleRNN, 8, return_sequences=True),
                                            L(layers.SimpleRNN, 8), L(layers.Dense, 1)),
            "LSTM": lambda: sequential((STEPS, 1), L(layers.Conv1D, 4, 3, padding="causal", activation="relu"),
                                       L(layers.LSTM, 8), L(layers.Dense, 1)),
        }
        for name, make in models.items():
            with self.subTest(model=name):
                keras.utils.set_random_seed(16)
                model = make()
                optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
                run = run_tkeras(model, {"x": windows, "y": targets}, epochs=3, batch_size=32, optimizer=optimizer,
                                 loss="huber", metrics=["mae"])
                model.compile(optimizer=optimizer, loss=keras.losses.Huber(), metrics=["mae"])
                history = model.fit(windows, targets, epochs=3, batch_size=32, shuffle=False, verbose=0).history
                test = f"sequences: {name} on a series, Huber and SGD momentum"
                for key in ("loss", "mae"):
                    check_close(self, test, f"history {key}", run.history[key], history[key], 1e-4)
                final = run.final_weights
                for weight_name, value in weights(model).items():
                    check_close(self, test, f"final {weight_name}", final[weight_name], value, 1e-4)


if __name__ == "__main__":
    unittest.main()
