#!/usr/bin/env python3
"""`train --classes all` end to end on a tiny four-class layout (glioma/, meningioma/,
notumor/, pituitary/): a K-class model on the CPU and the emulator whose checkpoints name the
classes in byte order, no decision threshold; --classes is refused on --resume.

usage: classes_cli_test.py BRAINCAM
"""
import json
import pathlib
import random
import struct
import sys
import tempfile

from cli_checks import check, expect, failures, run

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))
import tiny_image_set  # noqa: E402

CLASSES = ["glioma", "meningioma", "notumor", "pituitary"]


def write_layout(root, per_class=8, size=64):
    """Four class folders of gray heads; the tumor classes get a bright spot."""
    rng = random.Random(7)
    for name in CLASSES:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = tiny_image_set.image(rng, size, name != "notumor")
            tiny_image_set.write_bmp(str(root / name / f"{name}{i:03d}.bmp"), pixels, size)


def metadata(checkpoint):
    raw = checkpoint.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + size]).get("__metadata__", {})


def train(braincam, cache, out, *extra):
    return run(braincam, "train", "--cache", cache, "--out", out, "--epochs", "2", "--batch", "4",
               "--warmup-epochs", "1", "--max-train-images", "8", "--no-charts", *extra)


def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="braincam_classes_") as tmp:
        root = pathlib.Path(tmp)
        write_layout(root / "four")
        expect("prepare", run(braincam, "prepare", "--data", root / "four", "--out",
                              root / "cache"), True, "wrote")
        for device in ("cpu", "emulator"):
            out = root / f"run-{device}"
            expect(f"train --classes all on the {device}",
                   train(braincam, root / "cache", out, "--classes", "all", "--device", device),
                   True, "no decision threshold: the 4-class model")
            for name in ("best.safetensors", "last.safetensors"):
                meta = metadata(out / name)
                check(f"{device} {name} classes: {meta.get('classes')}",
                      json.loads(meta.get("classes", "[]")) == CLASSES)
                check(f"{device} {name} no_tumor_class", meta.get("no_tumor_class") == "notumor")
                check(f"{device} {name} options", json.loads(meta["options"])["classes"] == "all")
                check(f"{device} {name}: no threshold", "threshold" not in meta)
        expect("--classes on --resume", run(braincam, "train", "--resume", root / "run-cpu",
                                            "--classes", "binary"), False, "--classes")
        expect("a bad --classes", train(braincam, root / "cache", root / "bad", "--classes",
                                        "some"), False, "--classes")
        binary = root / "run-binary"
        expect("train on the same cache, binary", train(braincam, root / "cache", binary), True,
               "decision threshold")
        meta = metadata(binary / "best.safetensors")
        check("the binary run names no classes", "classes" not in meta
              and "classes" not in json.loads(meta["options"]))
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
