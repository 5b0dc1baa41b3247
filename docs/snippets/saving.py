"""The Python of docs/guides/saving.md: every Python block of that page is an excerpt of this file
(scripts/check_doc_snippets.py checks it). ctest runs it in the folder where tkeras-docs-saving
(docs/snippets/saving.cpp) has just written one model as digits.keras, digits.onnx,
digits.safetensors and digits.weights.h5, with KERAS_BACKEND=torch; it opens each as the page
shows, and checks that all four predict what the model predicted in tkeras.
"""
import numpy as np

# Random pixels and labels, as saving.cpp trained on: the files, not the accuracy, are the point.
rng = np.random.default_rng(0)
x_train = rng.random((256, 28, 28), dtype=np.float32)
y_train = rng.integers(0, 10, 256)
x_test = rng.random((64, 28, 28), dtype=np.float32)
y_test = rng.integers(0, 10, 64)


def keras_file():
    import keras   # x_test, y_test: the digits as pixels 0..1 and labels
    model = keras.saving.load_model("digits.keras")   # compiled: Adam, with its moments and step count
    model.evaluate(x_test, y_test)                    # the loss and accuracy tkeras printed
    model.fit(x_train, y_train, epochs=1)             # trains on from tkeras's optimizer state
    model.save("digits-more.keras")
    return keras.saving.load_model("digits.keras").predict(x_test)


def onnx_file():
    import onnxruntime
    session = onnxruntime.InferenceSession("digits.onnx")
    probabilities = session.run(None, {"inputs": x_test})[0]   # tkeras's predict, within 1e-5
    return probabilities


def safetensors_file():
    from safetensors.torch import load_file
    import torch.nn as nn

    w = load_file("digits.safetensors")
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    model[1].weight.data = w["dense.kernel"].T.contiguous()   # Keras [in, out] -> PyTorch [out, in]
    model[1].bias.data = w["dense.bias"]
    model[3].weight.data = w["dense_1.kernel"].T.contiguous()
    model[3].bias.data = w["dense_1.bias"]
    # A Conv2D kernel [h, w, in, out] becomes nn.Conv2d's weight with .permute(3, 2, 0, 1).

    import torch
    with torch.no_grad():
        return torch.softmax(model(torch.from_numpy(x_test)), dim=1).numpy()


def weights_file():
    import keras
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    model.load_weights("digits.weights.h5")     # then model.predict, model.fit... in Python
    return model.predict(x_test)


if __name__ == "__main__":
    reference = np.asarray(keras_file())
    for name, probabilities in [("digits.onnx", onnx_file()), ("digits.safetensors", safetensors_file()),
                                ("digits.weights.h5", weights_file())]:
        deviation = float(np.abs(np.asarray(probabilities) - reference).max())
        assert deviation < 1e-5, f"{name} predicts {deviation} away from digits.keras"
        print(f"{name}: within {deviation:.1e} of digits.keras")
    print("passed")
