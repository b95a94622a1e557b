#!/usr/bin/env python3
"""`prepare --background black` end to end: the checkpoint trained on such a cache records it,
`evaluate` refuses a cache prepared otherwise, and `predict` blacks out each image's background
as the cache did, so that dots drawn around a head do not move the model's output.

usage: background_cli_test.py BRAINCAM
"""
import json
import math
import pathlib
import struct
import sys
import tempfile

from cli_checks import check, expect, failures, run


def write_bmp(path, gray):
    """A 24-bit BMP of rows of 0..255 values (top row first)."""
    h, w = len(gray), len(gray[0])
    stride = (3 * w + 3) // 4 * 4
    pixels = b"".join(bytes(v for x in row for v in (x, x, x)).ljust(stride, b"\0")
                      for row in reversed(gray))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    path.write_bytes(header + info + pixels)


def head(dots):
    """A 160×160 head (an ellipse with a brighter rim); with `dots`, single bright pixels in the
    corners of its box, outside the head (too small to survive the crop's blur and erosion)."""
    rows = []
    for y in range(160):
        row = []
        for x in range(160):
            d = ((x - 80) / 60) ** 2 + ((y - 80) / 70) ** 2
            row.append(180 if 0.8 < d <= 1 else 110 + (x * 7 + y * 3) % 40 if d <= 1 else 4)
        rows.append(row)
    if dots:
        for y in range(10, 150, 6):
            for x in range(20, 140, 6):
                if ((x - 80) / 60) ** 2 + ((y - 80) / 70) ** 2 > 1.3:
                    rows[y][x] = 120
    return rows


def metadata(checkpoint):
    raw = checkpoint.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + size]).get("__metadata__", {})


def probabilities(braincam, checkpoint, files):
    result = run(braincam, "predict", "--checkpoint", checkpoint, "--format", "json", *files)
    expect("predict", result, True, "probability")
    return [p["probability"] for p in json.loads(result.stdout)] if result.returncode == 0 else []


def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="braincam_background_") as tmp:
        root = pathlib.Path(tmp)
        run(braincam, "synth", "--out", root / "synth", "--count", "24", "--seed", "3")
        for name, background in (("kept", "keep"), ("black", "black")):
            expect(f"prepare --background {background}",
                   run(braincam, "prepare", "--data", root / "synth", "--out", root / name,
                       "--background", background), True, "wrote")
        expect("a bad --background", run(braincam, "prepare", "--data", root / "synth", "--out",
                                         root / "bad", "--background", "white"),
               False, "--background")
        run_folder = root / "run"
        expect("train on the black cache",
               run(braincam, "train", "--cache", root / "black", "--out", run_folder, "--epochs",
                   "1", "--batch", "4", "--max-train-images", "8", "--no-charts"),
               True, "best epoch 1")
        best = run_folder / "best.safetensors"
        check("the checkpoint records its background",
              metadata(best).get("input_background") == "black")
        expect("evaluate on a cache prepared otherwise",
               run(braincam, "evaluate", "--checkpoint", best, "--cache", root / "kept"),
               False, "prepare the cache with --background black")
        expect("evaluate on its own kind of cache",
               run(braincam, "evaluate", "--checkpoint", best, "--cache", root / "black"),
               True, "accuracy")

        write_bmp(root / "plain.bmp", head(dots=False))
        write_bmp(root / "dots.bmp", head(dots=True))
        p = probabilities(braincam, best, [root / "plain.bmp", root / "dots.bmp"])
        check(f"dots around the head moved p(tumor): {p}", len(p) == 2 and p[0] == p[1])
        check("p(tumor) is a probability", all(0 <= v <= 1 and not math.isnan(v) for v in p))
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
