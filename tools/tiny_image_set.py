#!/usr/bin/env python3
"""Writes a tiny tumor / no-tumor image set in the dataset layout (yes/, no/), with the Python
standard library only: a gray ellipse ("head") on black, with a bright spot in the yes/ images.
For short smoke runs (tools/gpu_check.sh's training under compute-sanitizer) on machines where
`braincam synth`'s anatomy file may be missing; the images mean nothing medically.

    tiny_image_set.py OUT_DIR [--count 16] [--size 96] [--seed 0]
"""
import argparse
import os
import random
import struct
import sys


def write_bmp(path, pixels, size):
    """A 24-bit gray BMP: rows bottom-up, each padded to a multiple of 4 bytes."""
    row_bytes = (3 * size + 3) // 4 * 4
    data = bytearray()
    for y in reversed(range(size)):
        row = bytearray()
        for x in range(size):
            row += bytes([pixels[y][x]] * 3)
        data += row + bytes(row_bytes - len(row))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(data), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, size, size, 1, 24, 0, len(data), 2835, 2835, 0, 0)
    with open(path, "wb") as f:
        f.write(header + info + data)


def image(rng, size, tumor):
    cx, cy = size / 2 + rng.uniform(-3, 3), size / 2 + rng.uniform(-3, 3)
    rx, ry = size * rng.uniform(0.30, 0.38), size * rng.uniform(0.36, 0.44)
    sx, sy, sr = cx + rng.uniform(-rx / 3, rx / 3), cy + rng.uniform(-ry / 3, ry / 3), size * 0.08
    pixels = []
    for y in range(size):
        row = []
        for x in range(size):
            inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
            value = 110 + rng.randint(-20, 20) if inside else rng.randint(0, 6)
            if tumor and inside and (x - sx) ** 2 + (y - sy) ** 2 <= sr * sr:
                value = 235
            row.append(value)
        pixels.append(row)
    return pixels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--count", type=int, default=16, help="images in all, half with a spot")
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.count < 2 or args.size < 16:
        parser.error("--count must be at least 2 and --size at least 16")
    rng = random.Random(args.seed)
    for label in ("yes", "no"):
        os.makedirs(os.path.join(args.out_dir, label), exist_ok=True)
    for i in range(args.count):
        label = "yes" if i % 2 == 0 else "no"
        write_bmp(os.path.join(args.out_dir, label, f"{label}{i:04d}.bmp"),
                  image(rng, args.size, label == "yes"), args.size)
    print(f"wrote {args.count} images of {args.size}x{args.size} to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
