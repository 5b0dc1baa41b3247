"""Keras parity: the augmentation layers of the course's image lesson. With a range of one value
(factor=(f, f)) a random layer makes a known transform, so tkeras's output in training mode can be
compared with Keras's pixel for pixel: rotation, zoom and translation with every fill mode and
interpolation tkeras supports. RandomContrast and RandomBrightness are checked through Keras's own
transform with the factors tkeras drew. In inference mode both pass images through."""
from parity import check_close, run_tkeras, sequential   # noqa: I001 (first: it selects Keras's torch backend)
import unittest

import numpy as np
from keras import layers

TOLERANCE = 1e-5  # relative to the largest pixel (255)
SHAPE = (13, 17, 3)  # odd and unequal sides, so that centres and axes are not interchangeable


def images(seed=3, count=4):
    return np.random.default_rng(seed).uniform(0, 255, (count, *SHAPE)).astype("float32")


CASES = {
    "RandomRotation 0.1 turn, reflect": (layers.RandomRotation, ((0.1, 0.1),), {}),
    "RandomRotation -0.3 turn, nearest fill": (layers.RandomRotation, ((-0.3, -0.3),), {"fill_mode": "nearest"}),
    "RandomRotation 0.125 turn, constant 7": (layers.RandomRotation, ((0.125, 0.125),),
                                              {"fill_mode": "constant", "fill_value": 7.0}),
    "RandomRotation 0.2 turn, nearest interpolation": (layers.RandomRotation, ((0.2, 0.2),),
                                                       {"interpolation": "nearest"}),
    "RandomZoom out 30%, reflect": (layers.RandomZoom, ((0.3, 0.3),), {}),
    "RandomZoom in 25% high, out 10% wide, constant": (layers.RandomZoom, ((-0.25, -0.25),),
                                                       {"width_factor": (0.1, 0.1), "fill_mode": "constant"}),
    "RandomTranslation down 20%, left 15%": (layers.RandomTranslation, ((0.2, 0.2), (-0.15, -0.15)), {}),
    "RandomTranslation up 10%, right 30%, nearest": (layers.RandomTranslation, ((-0.1, -0.1), (0.3, 0.3)),
                                                     {"fill_mode": "nearest", "interpolation": "nearest"}),
}


class Augmentation(unittest.TestCase):
    def test_fixed_transforms_equal_keras_in_training(self):
        x = images()
        for name, (cls, args, kwargs) in CASES.items():
            with self.subTest(case=name):
                model = sequential(SHAPE, (cls, args, kwargs))
                theirs = np.asarray(model(x, training=True).detach().cpu())
                run = run_tkeras(model, {"x_eval": x}, call_training=True)
                check_close(self, f"augmentation: {name}", "output in training", run.call_training, theirs, TOLERANCE)
                # Inference passes the images through, in both.
                np.testing.assert_array_equal(run.predict, x)
                np.testing.assert_array_equal(np.asarray(model(x, training=False).detach().cpu()), x)

    def test_random_flip_gives_each_image_or_its_flip_as_keras(self):
        x = images(4, 16)
        for mode, flip in (("horizontal", lambda a: a[:, ::-1]), ("vertical", lambda a: a[::-1]),
                           ("horizontal_and_vertical", lambda a: a[::-1, ::-1])):
            with self.subTest(mode=mode):
                model = sequential(SHAPE, (layers.RandomFlip, (mode,), {}))
                out = run_tkeras(model, {"x_eval": x}, call_training=True).call_training
                flipped = [bool(np.array_equal(o, flip(i))) for o, i in zip(out, x)]
                kept = [bool(np.array_equal(o, i)) for o, i in zip(out, x)]
                self.assertTrue(all(f or k for f, k in zip(flipped, kept)), mode)
                self.assertTrue(any(flipped) and any(kept), f"{mode}: 16 images should not all go one way")


    def test_contrast_and_brightness_follow_keras_transform(self):
        """Their factors are drawn, not fixed: the factor tkeras drew for each image is read back from
        its output (with a value range too wide to clip), and Keras's own transform_images applied
        with that factor must give the same images."""
        import torch

        x = images(5, 6)
        wide = (-1e4, 1e4)
        for cls, kwargs, key in ((layers.RandomContrast, {"factor": (0.2, 0.4)}, "contrast_factor"),
                                 (layers.RandomBrightness, {"factor": (-0.3, 0.3)}, "rgb_delta")):
            with self.subTest(layer=cls.__name__):
                model = sequential(SHAPE, (cls, (), {**kwargs, "value_range": wide, "seed": 1}))
                ours = run_tkeras(model, {"x_eval": x}, call_training=True).call_training
                if key == "contrast_factor":
                    mean = x.mean(axis=(1, 2), keepdims=True)
                    drawn = ((ours - mean)[:, 0, 0, 0] / (x - mean)[:, 0, 0, 0]).reshape(-1, 1, 1, 1)
                    low, high = 1 - kwargs["factor"][0], 1 + kwargs["factor"][1]
                else:
                    drawn = (ours - x)[:, 0, 0, 0].reshape(-1, 1, 1, 1)
                    low, high = (f * (wide[1] - wide[0]) for f in kwargs["factor"])
                self.assertTrue(np.all((drawn >= low - 1e-3) & (drawn <= high + 1e-3)), drawn.ravel())
                layer = model.layers[0]
                theirs = np.asarray(layer.transform_images(torch.tensor(x), {key: torch.tensor(drawn, dtype=torch.float32)},
                                                           training=True).detach().cpu())
                check_close(self, f"augmentation: {cls.__name__} with the drawn factors", "output in training",
                            ours, theirs, TOLERANCE)


if __name__ == "__main__":
    unittest.main()
