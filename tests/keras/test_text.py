"""Keras parity: TextVectorization, the courses' third part. Keras's layer (on TensorFlow's string
ops, as it runs whatever the backend) and tkeras's adapt on the same corpus, with each
standardize, split, output mode and max_tokens: the vocabularies must be the same, token for
token and in order, and the outputs on new texts equal. Then a text classifier (TextVectorization,
Embedding, GlobalAveragePooling1D, Dense) trains in both from the same initial weights; tkeras's
model takes the texts itself, while Keras on the torch backend cannot fit a model on strings
(torch has no string tensors), so there the layer vectorizes the texts and the rest of the model,
the same layer objects, trains on the ids."""
from parity import check_close, report, run_tkeras, run_vectorize, weights   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import keras
import numpy as np
from keras import layers

# Sentences with capitals, ASCII and other punctuation, tabs and newlines, accents, "[UNK]" and
# many ties of count, which Keras breaks by the tokens' bytes.
SENTENCES = [
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want "
    "of a wife.",
    "\"My dear Mr. Bennet,\" said his lady to him one day, \"have you heard that Netherfield Park is let at last?\"",
    "Mr. Bennet replied that he had not.\tBut it is, returned she; for Mrs. Long has just been here.",
    "Emma Woodhouse, handsome, clever, and rich -- with a comfortable home and happy disposition...",
    "The family of Dashwood had long been settled in Sussex.\nTheir estate was large.",
    "Caf\u00e9 na\u00efve \u00c9lan \u201cquoted\u201d don't won't can't it's IT'S It's",
    "[UNK] is a special token; so is the empty string.   Spaces\u00a0and\u2003others.",
    "well-known, self-evident & so on: 100% (or 99.5%) #tags @names under_scores {braces} <angles> |pipes|",
]


def corpus(seed=0, count=120):
    """The sentences, and texts of words drawn from them with a skewed distribution (more ties)."""
    words = " ".join(SENTENCES).split()
    rng = np.random.default_rng(seed)
    texts = list(SENTENCES)
    for _ in range(count):
        picks = rng.zipf(1.6, size=rng.integers(1, 15)) % len(words)
        texts.append(" ".join(words[i] for i in picks))
    return texts


CONFIGS = {
    "defaults": {},
    "max_tokens 12": {"max_tokens": 12},
    "output_sequence_length 6": {"output_sequence_length": 6},
    "output_sequence_length 40": {"output_sequence_length": 40},
    "standardize lower": {"standardize": "lower"},
    "standardize strip_punctuation": {"standardize": "strip_punctuation"},
    "standardize None": {"standardize": None},
    "split character": {"split": "character", "max_tokens": 30},
    "split None": {"split": None, "output_sequence_length": 1},
    "multi_hot": {"output_mode": "multi_hot", "max_tokens": 25},
    "count": {"output_mode": "count"},
}


class TextVectorizationParity(unittest.TestCase):
    def test_vocabulary_and_outputs_equal_keras_for_each_option(self):
        train = corpus(0)
        new_texts = corpus(1, 20)[len(SENTENCES):] + ["", "   ", "Unseen words only", SENTENCES[5]]
        for name, options in CONFIGS.items():
            with self.subTest(config=name):
                # Without split, Keras's layer takes texts as [N, 1] (a [N] batch would be cut by
                # output_sequence_length along its batch axis).
                unsplit = "split" in options and options["split"] is None
                shaped = (lambda texts: np.array(texts)[:, None]) if unsplit else np.array
                layer = layers.TextVectorization(**options)
                layer.adapt(shaped(train))
                vocabulary, outputs = run_vectorize(layer, train, new_texts)
                expected = [str(token) for token in layer.get_vocabulary()]
                test = f"text: TextVectorization {name}"
                same = vocabulary == expected
                report(test, "vocabulary (tokens differing)", float(sum(a != b for a, b in zip(vocabulary, expected))
                                                                    + abs(len(vocabulary) - len(expected))), 0.0)
                self.assertTrue(same, f"{test}: vocabulary differs; first differences: "
                                      f"{[(i, a, b) for i, (a, b) in enumerate(zip(vocabulary, expected)) if a != b][:5]}"
                                      f", lengths {len(vocabulary)} and {len(expected)}")
                keras_outputs = keras.ops.convert_to_numpy(layer(shaped(new_texts)))
                self.assertEqual(outputs.shape, keras_outputs.shape, f"{test}: output shape")
                check_close(self, test, "outputs on new texts", outputs, keras_outputs, 0.0)

    def test_a_text_classifier_on_texts_trains_as_keras_does(self):
        rng = np.random.default_rng(7)
        texts = corpus(2, 200)[len(SENTENCES):]
        # A label Keras and tkeras must learn alike: whether the text mentions one of some words.
        cue = {"a", "of", "that", "in"}
        labels = np.array([[float(any(w.strip(",.").lower() in cue for w in t.split()))] for t in texts],
                          dtype="float32")
        order = rng.permutation(len(texts))
        texts = [texts[i] for i in order]
        labels = labels[order]
        train_texts, val_texts = texts[:160], texts[160:]
        train_y, val_y = labels[:160], labels[160:]

        keras.utils.set_random_seed(21)
        vectorize_layer = layers.TextVectorization(max_tokens=60, output_sequence_length=12, name="text_vectorization")
        vectorize_layer.adapt(np.array(train_texts))
        embedding = layers.Embedding(60, 8, name="embedding")
        pooling = layers.GlobalAveragePooling1D(name="global_average_pooling1d")
        dense = layers.Dense(1, activation="sigmoid", name="dense")
        full = keras.Sequential([keras.Input(shape=(1,), dtype="string"), vectorize_layer, embedding, pooling, dense])
        optimizer = keras.optimizers.Adam(learning_rate=0.02)
        run = run_tkeras(full, {"y": train_y, "y_val": val_y, "y_eval": val_y}, epochs=4, batch_size=16,
                         optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"],
                         texts={"adapt": train_texts, "texts": train_texts, "texts_val": val_texts,
                                "texts_eval": val_texts})
        self.assertEqual(run.json("vocabulary.json"), [str(t) for t in vectorize_layer.get_vocabulary()])

        ids = keras.Sequential([keras.Input(shape=(12,), dtype="int64"), embedding, pooling, dense])
        ids.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
        vectorized = keras.ops.convert_to_numpy(vectorize_layer(np.array(train_texts)))
        vectorized_val = keras.ops.convert_to_numpy(vectorize_layer(np.array(val_texts)))
        history = ids.fit(vectorized, train_y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                          validation_data=(vectorized_val, val_y)).history
        test = "text: TextVectorization-Embedding-GlobalAveragePooling1D classifier on texts"
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            check_close(self, test, f"history {key}", run.history[key], history[key], 1e-4)
        final = run.final_weights
        for name, value in weights(full).items():
            check_close(self, test, f"final {name}", final[name], value, 1e-4)
        check_close(self, test, "predict on texts", run.predict, ids.predict(vectorized_val, verbose=0), 1e-4)
        scores = ids.evaluate(vectorized_val, val_y, verbose=0, return_dict=True)
        check_close(self, test, "evaluate loss", run.evaluate["loss"], scores["loss"], 1e-4)


if __name__ == "__main__":
    unittest.main()
