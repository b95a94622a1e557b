"""The crop and resize of braincam against the seed's own OpenCV code, on generated images.

Usage: crop_oracle.py PATH_TO_braincam_crop_probe
Passes when every crop box agrees within one pixel per side and, where the boxes are equal, the
240x240 bicubic inputs differ by at most one grey level. Prints how many agree exactly.
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np


def seed_crop_box(image):
    """crop_brain_contour of the seed, returning the slice bounds instead of the crop."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    thresh = cv2.threshold(gray, 45, 255, cv2.THRESH_BINARY)[1]
    thresh = cv2.erode(thresh, None, iterations=2)
    thresh = cv2.dilate(thresh, None, iterations=2)
    cnts, _ = cv2.findContours(thresh.copy(), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not cnts:
        return None
    c = max(cnts, key=cv2.contourArea)
    x0 = c[c[:, :, 0].argmin()][0][0]
    x1 = c[c[:, :, 0].argmax()][0][0]
    y0 = c[c[:, :, 1].argmin()][0][1]
    y1 = c[c[:, :, 1].argmax()][0][1]
    if x1 <= x0 or y1 <= y0:
        return None
    return int(x0), int(y0), int(x1), int(y1)


def generated_images(rng):
    """Heads, rings, several blobs, border contact, noise, lines, colour: 64 images."""
    for i in range(64):
        h, w = int(rng.integers(40, 420)), int(rng.integers(40, 420))
        img = np.zeros((h, w, 3), np.uint8)
        img += rng.integers(0, 30, (h, w, 1), dtype=np.uint8)  # dark noisy background
        kind = i % 8
        blobs = 1 if kind in (0, 1, 4) else int(rng.integers(2, 5))
        for _ in range(blobs):
            center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            axes = (int(rng.integers(3, max(4, w // 2))), int(rng.integers(3, max(4, h // 2))))
            level = int(rng.integers(50, 255))
            color = (level, level, level) if kind != 6 else tuple(int(v) for v in rng.integers(0, 255, 3))
            cv2.ellipse(img, center, axes, float(rng.uniform(0, 180)), 0, 360, color, -1)
            if kind == 1:  # skull ring around a darker brain
                cv2.ellipse(img, center, (max(1, axes[0] - 6), max(1, axes[1] - 6)), 0, 0, 360, (level // 2,) * 3, -1)
        if kind == 5:
            img = cv2.add(img, rng.integers(0, 120, (h, w, 3), dtype=np.uint8))  # heavy noise
        if kind == 7:
            for _ in range(3):
                p, q = tuple(int(v) for v in rng.integers(0, min(h, w), 2)), tuple(int(v) for v in rng.integers(0, min(h, w), 2))
                cv2.line(img, p, q, (255, 255, 255), int(rng.integers(1, 8)))
        yield img


def main():
    probe = sys.argv[1]
    rng = np.random.default_rng(2024)
    with tempfile.TemporaryDirectory() as tmp:
        paths, images = [], []
        for i, img in enumerate(generated_images(rng)):
            path = os.path.join(tmp, f"img{i:03d}.png")
            cv2.imwrite(path, img)
            paths.append(path)
            images.append(img)
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        lines = subprocess.run([probe, out] + paths, check=True, capture_output=True, text=True).stdout.split("\n")
        failures, exact, resized, resize_exact = [], 0, 0, 0
        for path, img, line in zip(paths, images, lines):
            x0, y0, x1, y1, found = (int(v) for v in line.split())
            want = seed_crop_box(img)
            if want is None:
                if found:
                    failures.append(f"{os.path.basename(path)}: OpenCV finds no box, braincam {x0,y0,x1,y1}")
                continue
            if not found or max(abs(a - b) for a, b in zip((x0, y0, x1, y1), want)) > 1:
                failures.append(f"{os.path.basename(path)}: braincam {(x0, y0, x1, y1)} found={found}, OpenCV {want}")
                continue
            if (x0, y0, x1, y1) != want:
                continue
            exact += 1
            reference = cv2.resize(img[y0:y1, x0:x1], dsize=(240, 240), interpolation=cv2.INTER_CUBIC)
            ours = cv2.imread(os.path.join(out, os.path.basename(path)))  # BGR, like the reference
            diff = int(np.abs(ours.astype(int) - reference.astype(int)).max())
            resized += 1
            resize_exact += diff == 0
            if diff > 1:
                failures.append(f"{os.path.basename(path)}: 240x240 input differs by {diff} grey levels")
        print(f"{len(paths)} images: {exact} crop boxes identical to OpenCV's, "
              f"{resize_exact} of {resized} resized inputs identical")
        for f in failures:
            print("FAIL", f)
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
