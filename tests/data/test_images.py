"""tkeras's image reading against independent implementations:
- decoded pixels against Pillow's (PyPI), an independent decoder: exact for PNG, BMP and GIF,
  within 1 for JPEG (both use libjpeg-turbo, but not the same build or settings);
- the files of each subset against Keras's own index_directory and split, for the same seed;
- the same for text_dataset_from_directory's .txt files, and each text against the file's bytes
  cut at max_length bytes, as Keras's tf.strings.substr cuts them.

Run by ctest with the setup's Python; the probe is tests/data/image_probe.cpp.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

PROBE = os.environ.get("TKERAS_IMAGE_PROBE", "tkeras-image-probe")


def probe_decode(channels, out_dir, files):
    subprocess.run([PROBE, "decode", str(channels), out_dir, *files], check=True)
    decoded = {}
    for f in files:
        with open(os.path.join(out_dir, os.path.basename(f) + ".raw"), "rb") as raw:
            h, w, c = map(int, raw.readline().split())
            decoded[f] = np.frombuffer(raw.read(), np.uint8).reshape(h, w, c)
    return decoded


def make_images(d):
    """A set of images in the modes and formats people have, written by Pillow."""
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (37, 23, 3), dtype=np.uint8)
    # A smooth picture for JPEG, which is made for photographs.
    yy, xx = np.mgrid[0:48, 0:64]
    photo = np.stack([(xx * 4) % 256, (yy * 5) % 256, (xx + yy) * 2 % 256], axis=-1).astype(np.uint8)
    files = {}

    def save(name, image, **kwargs):
        path = os.path.join(d, name)
        image.save(path, **kwargs)
        files[name] = path

    save("rgb.png", Image.fromarray(rgb))
    save("rgba.png", Image.fromarray(rng.integers(0, 256, (19, 31, 4), dtype=np.uint8)))
    save("l.png", Image.fromarray(rgb[..., 0]))
    save("la.png", Image.fromarray(rng.integers(0, 256, (9, 11, 2), dtype=np.uint8), "LA"))
    save("p.png", Image.fromarray(rgb).quantize(64))
    transparent = Image.fromarray(rgb).quantize(16)
    transparent.info["transparency"] = 3
    save("p_transparent.png", transparent, transparency=3)
    save("bilevel.png", Image.fromarray(rgb[..., 0] > 127))
    save("interlaced.png", Image.fromarray(rgb), optimize=False)
    save("photo.jpg", Image.fromarray(photo), quality=90)
    save("photo_444.jpg", Image.fromarray(photo), quality=95, subsampling=0)
    save("photo_progressive.jpg", Image.fromarray(photo), quality=85, progressive=True)
    save("odd.jpg", Image.fromarray(rgb), quality=75)
    save("gray.jpg", Image.fromarray(photo[..., 1]), quality=90)
    save("rgb.bmp", Image.fromarray(rgb))
    save("l.bmp", Image.fromarray(rgb[..., 0]))
    save("p.bmp", Image.fromarray(rgb).quantize(16))
    save("rgb.gif", Image.fromarray(rgb).quantize(200))
    save("l.gif", Image.fromarray(rgb[..., 0]))
    return files


def check_pixels():
    worst = {}
    with tempfile.TemporaryDirectory() as d:
        files = make_images(d)
        out = os.path.join(d, "out")
        os.mkdir(out)
        for channels, mode in ((3, "RGB"), (1, "L"), (4, "RGBA")):
            decoded = probe_decode(channels, out, list(files.values()))
            for name, path in files.items():
                image = Image.open(path)
                if name.endswith(".jpg") and mode == "L":
                    # A JPEG as grayscale is its luma plane, decoded as such (as TensorFlow's
                    # decode_jpeg(channels=1) does): Pillow's draft mode asks libjpeg for the same.
                    image.draft("L", image.size)
                expected = np.asarray(image.convert(mode)).reshape(decoded[path].shape[:2] + (channels,))
                got = decoded[path]
                assert got.shape == expected.shape, (name, mode, got.shape, expected.shape)
                diff = int(np.abs(got.astype(int) - expected.astype(int)).max())
                kind = "jpeg" if name.endswith(".jpg") else name.rsplit(".", 1)[1]
                tolerance = 0 if kind != "jpeg" else 1
                key = f"{kind} {mode}"
                worst[key] = max(worst.get(key, 0), diff)
                assert diff <= tolerance, f"{name} as {mode}: tkeras and Pillow differ by {diff} > {tolerance}"
    for key in sorted(worst):
        print(f"pixels: {key}: largest difference from Pillow {worst[key]}")


def check_keras_split():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    from keras.src.utils import dataset_utils, image_dataset_utils

    with tempfile.TemporaryDirectory() as d:
        rng = np.random.default_rng(6)
        for cls, count in (("roses", 7), ("daisy", 5), ("tulips", 9)):
            os.makedirs(os.path.join(d, cls, "more"))
            for i in range(count):
                sub = "more" if i % 3 == 0 else ""
                ext = (".jpg", ".png", ".PNG", ".bmp")[i % 4]
                Image.fromarray(rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)).save(
                    os.path.join(d, cls, sub, f"{cls}_{i}{ext}"), format="PNG" if ext != ".jpg" else "JPEG")
        with open(os.path.join(d, "roses", "readme.txt"), "w") as text:
            text.write("not an image")
        for seed in (1, 42, 1337):
            paths, labels, classes = dataset_utils.index_directory(
                d, "inferred", formats=image_dataset_utils.ALLOWLIST_FORMATS, shuffle=True, seed=seed, verbose=False)
            assert classes == ["daisy", "roses", "tulips"], classes
            for split, subset in ((0.0, "all"), (0.25, "training"), (0.25, "validation")):
                keras_files = paths if subset == "all" else dataset_utils.get_training_or_validation_split(
                    paths, labels, split, subset)[0]
                tkeras_files = subprocess.run([PROBE, "index", d, str(seed), str(split), subset], check=True,
                                              capture_output=True, text=True).stdout.split()
                assert [os.path.normpath(p) for p in tkeras_files] == [os.path.normpath(p) for p in keras_files], (
                    seed, subset, tkeras_files, keras_files)
    print("keras: the same files in the same order for every seed and subset (21 files, 3 seeds)")


def check_keras_text_split():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    from keras.src.utils import dataset_utils

    with tempfile.TemporaryDirectory() as d:
        rng = np.random.default_rng(7)
        expected = {}
        for label, (cls, count) in enumerate((("neg", 6), ("pos", 8))):
            os.makedirs(os.path.join(d, cls, "nested"))
            for i in range(count):
                sub = "nested" if i % 4 == 0 else ""
                path = os.path.join(d, cls, sub, f"review_{i}{'.TXT' if i == 5 else '.txt'}")
                words = " ".join(f"w{int(n)}" for n in rng.integers(0, 50, int(rng.integers(1, 30))))
                text = f"{cls} {i}: {words} caf\u00e9 \u2713\n".encode()  # multi-byte characters too
                with open(path, "wb") as f:
                    f.write(text)
                expected[os.path.normpath(path)] = (label, text)
        with open(os.path.join(d, "pos", "notes.md"), "w") as f:
            f.write("not a .txt file")
        for seed in (3, 99):
            paths, labels, classes = dataset_utils.index_directory(
                d, "inferred", formats=(".txt",), shuffle=True, seed=seed, verbose=False)
            assert classes == ["neg", "pos"], classes
            for split, subset, max_length in ((0.0, "all", -1), (0.3, "training", 12), (0.3, "validation", 13)):
                keras_files = paths if subset == "all" else dataset_utils.get_training_or_validation_split(
                    paths, labels, split, subset)[0]
                out = subprocess.run([PROBE, "text", d, str(seed), str(split), subset, str(max_length)], check=True,
                                     capture_output=True, text=True).stdout
                files, elements = out.split("---\n")
                assert [os.path.normpath(p) for p in files.split()] == [os.path.normpath(p) for p in keras_files], (
                    seed, subset, files, keras_files)
                got = sorted((int(label), bytes.fromhex(text)) for label, text in
                             (line.split(" ") if " " in line else (line, "") for line in elements.split("\n") if line))
                cut = (lambda b: b) if max_length < 0 else (lambda b: b[:max_length])
                want = sorted((expected[os.path.normpath(p)][0], cut(expected[os.path.normpath(p)][1]))
                              for p in keras_files)
                assert got == want, (seed, subset, got, want)
    print("keras: text folders: the same .txt files per subset, each text its file's bytes cut at max_length")


if __name__ == "__main__":
    check_pixels()
    check_keras_split()
    check_keras_text_split()
    print("passed")
    sys.exit(0)
