"""Keras parity of tkeras::applications::<family>::preprocess_input: every keras.applications
module's preprocess_input (and imagenet_utils's three modes) on the same pixels, through the
preprocess driver (tests/keras/preprocess_driver.cpp, $TKERAS_PREPROCESS_DRIVER): a batch and one
image in float32, a batch in float64 (kept in float64, as Keras keeps it), and uint8 pixels (which
tkeras computes in float32, as Keras does for a NumPy array of them)."""
from parity import check_close, scratch_directory  # noqa: I001 (first: it selects Keras's torch backend)
import os
import subprocess
import unittest

import keras
import numpy as np
import torch

DRIVER = os.environ.get("TKERAS_PREPROCESS_DRIVER", "tkeras-preprocess-driver")
FAMILIES = ["convnext", "densenet", "efficientnet", "efficientnet_v2", "inception_resnet_v2", "inception_v3",
            "mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet", "resnet", "resnet50", "resnet_v2", "vgg16",
            "vgg19", "xception"]
MODES = ["caffe", "tf", "torch"]
TOLERANCE = 1e-6


def run_driver(x):
    """tkeras's outputs on the tensor x: {"resnet50": tensor, ..., "imagenet_utils_caffe": ...}."""
    directory = scratch_directory("tkeras-preprocess-")
    torch.save(x, os.path.join(directory, "x.pt"))
    done = subprocess.run([DRIVER, directory], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"tkeras preprocess driver failed ({done.returncode}): {done.stderr.strip()}")
    names = FAMILIES + [f"imagenet_utils_{mode}" for mode in MODES]
    return {name: torch.load(os.path.join(directory, f"{name}.pt")) for name in names}


def keras_outputs(x):
    """Keras's outputs on x (a torch tensor, or a NumPy array for integer pixels). Each call gets
    its own copy: Keras's torch backend divides a tensor in place in the tf and torch modes."""
    copy = (lambda: x.copy()) if isinstance(x, np.ndarray) else (lambda: x.clone())
    outputs = {family: getattr(keras.applications, family).preprocess_input(copy()) for family in FAMILIES}
    for mode in MODES:
        outputs[f"imagenet_utils_{mode}"] = keras.applications.imagenet_utils.preprocess_input(copy(), mode=mode)
    return {name: y if isinstance(y, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(y))
            for name, y in outputs.items()}


def pixels(shape, seed):
    """Pixels 0..255 with fractions, and the extremes 0 and 255 included."""
    x = np.random.default_rng(seed).uniform(0.0, 255.0, size=shape)
    x.reshape(-1)[:2] = [0.0, 255.0]
    return x


class PreprocessInput(unittest.TestCase):
    def check(self, what, ours, theirs):
        self.assertEqual(set(ours), set(theirs))
        for name in sorted(theirs):
            with self.subTest(name=name):
                self.assertEqual(ours[name].dtype, theirs[name].dtype, f"{what} {name}: dtype")
                self.assertEqual(tuple(ours[name].shape), tuple(theirs[name].shape), f"{what} {name}: shape")
                check_close(self, f"applications_preprocess: {name}, {what}", "preprocess_input", ours[name].numpy(),
                            theirs[name].numpy(), TOLERANCE)

    def test_a_float32_batch_as_each_family_preprocesses_it(self):
        x = torch.from_numpy(pixels((4, 7, 5, 3), 1).astype(np.float32))
        self.check("float32 [4, 7, 5, 3]", run_driver(x), keras_outputs(x))

    def test_one_float32_image_as_each_family_preprocesses_it(self):
        x = torch.from_numpy(pixels((6, 4, 3), 2).astype(np.float32))
        self.check("float32 [6, 4, 3]", run_driver(x), keras_outputs(x))

    def test_a_float64_batch_stays_float64_as_in_keras(self):
        x = torch.from_numpy(pixels((2, 3, 4, 3), 3))
        self.check("float64 [2, 3, 4, 3]", run_driver(x), keras_outputs(x))

    def test_uint8_pixels_are_computed_in_float32_as_keras_computes_a_numpy_array_of_them(self):
        x = pixels((3, 5, 5, 3), 4).round().astype(np.uint8)
        ours = run_driver(torch.from_numpy(x))
        theirs = keras_outputs(x)
        # Keras's placeholders hand the NumPy array back as it came: uint8, as tkeras's do.
        self.check("uint8 [3, 5, 5, 3]", ours, theirs)
        self.assertEqual(ours["resnet50"].dtype, torch.float32)

    def test_a_last_axis_of_other_than_3_channels_is_refused(self):
        # Keras's tf mode scales any number of channels, its caffe mode drops a fourth: tkeras refuses.
        with self.assertRaisesRegex(AssertionError, r"preprocess_input: expected images whose last axis holds 3 "
                                                    r"channels .*received shape \[2, 4, 4, 1\]"):
            run_driver(torch.zeros(2, 4, 4, 1))
        with self.assertRaisesRegex(AssertionError, r"received shape \[2, 3, 4, 4\]"):
            run_driver(torch.zeros(2, 3, 4, 4))  # channels first


if __name__ == "__main__":
    unittest.main()
