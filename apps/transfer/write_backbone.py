"""Writes a keras.applications backbone to a .keras file for tkeras-transfer.

Run it in the Python environment that holds Keras 3 (scripts/setup.sh makes ~/.tkeras/venv), with
KERAS_BACKEND=torch. Its default is the test's backbone: MobileNetV2 with random weights
(weights=None), without its classifier (include_top=False), width 0.35, for 32x32 images. With
--weights imagenet Keras downloads the pretrained weights (for MobileNetV2: alpha 0.35, 0.5, 0.75,
1.0, 1.3 or 1.4 and a size of 96, 128, 160, 192 or 224), as

    keras.applications.MobileNetV2(input_shape=(160, 160, 3), alpha=1.0, weights="imagenet",
                                   include_top=False).save("mobilenet_v2.keras")

Keras's random weights (and BatchNormalization's initial moving mean 0 and variance 1) shrink the
signal through a deep network: MobileNetV2's features come out near 1e-11, which a head cannot
learn from. --calibrate sets each BatchNormalization's moving statistics to those of its input on
random images, in order, so that every block passes on a signal of unit scale: random features, but
features.

Usage: write_backbone.py OUT.keras [--application NAME] [--weights none|imagenet] [--alpha A]
                         [--size N] [--include-top] [--calibrate] [--seed N]
"""

import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402  (after the backend is chosen)
import numpy as np  # noqa: E402


def calibrate(model: keras.Model, seed: int) -> None:
    """Sets each BatchNormalization's moving mean and variance to its input's, on 64 random images.

    One call in training mode with a momentum of 0: each layer normalises with its batch's
    statistics and keeps them as its moving ones, so the layers after it see what they will see
    in inference.
    """
    images = np.random.default_rng(seed).uniform(-1, 1, (64, *model.input.shape[1:])).astype("float32")
    batch_norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in batch_norms]
    for layer in batch_norms:
        layer.momentum = 0.0
    model(images, training=True)
    for layer, momentum in zip(batch_norms, momenta):
        layer.momentum = momentum


def main() -> int:
    parser = argparse.ArgumentParser(description="Writes a keras.applications backbone to a .keras file.")
    parser.add_argument("out", help="the .keras file to write")
    parser.add_argument("--application", default="MobileNetV2", help="a keras.applications model (default: MobileNetV2)")
    parser.add_argument("--weights", default="none", choices=["none", "imagenet"],
                        help="random weights (none, the default) or ImageNet's (downloaded by Keras)")
    parser.add_argument("--alpha", type=float, default=0.35, help="MobileNet's width multiplier (default: 0.35)")
    parser.add_argument("--size", type=int, default=32, help="height and width of the input images (default: 32)")
    parser.add_argument("--include-top", action="store_true", help="keep the ImageNet classifier on top")
    parser.add_argument("--calibrate", action="store_true",
                        help="set BatchNormalization's moving statistics from random images (for random weights)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random weights (default: 1)")
    args = parser.parse_args()

    if not hasattr(keras.applications, args.application):
        print(f"write_backbone.py: keras.applications has no {args.application}", file=sys.stderr)
        return 1
    keras.utils.set_random_seed(args.seed)
    options = {"alpha": args.alpha} if args.application.startswith("MobileNet") else {}
    model = getattr(keras.applications, args.application)(
        input_shape=(args.size, args.size, 3),
        weights=None if args.weights == "none" else args.weights,
        include_top=args.include_top,
        **options)
    if args.calibrate:
        calibrate(model, args.seed)
    model.save(args.out)
    weights = "random" if args.weights == "none" else args.weights
    print(f"wrote {args.application} ({weights} weights, {len(model.layers)} layers, output {model.output.shape}) "
          f"to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
