"""How visible the synthetic lesions are: a data-driven check of `braincam synth --difficulty`.

Usage: lesion_visibility.py SYNTH_DIR [SYNTH_DIR...]
For every tumor image with a mask, on the image as written: the lesion's share of the brain
area, and its contrast-to-noise ratio CNR = |mean(lesion) - mean(ring)| / std(ring), where the
ring is the brain tissue within ~8% of the head size around the lesion. Prints the medians and
quartiles per folder. Needs numpy and cv2 (the oracle python of the tests).
"""
import glob
import json
import os
import sys

import cv2
import numpy as np


def stats(folder):
    meta = json.load(open(os.path.join(folder, "synth.json")))
    cnr, share = [], []
    for path in sorted(glob.glob(os.path.join(folder, "yes", "*.jpg"))):
        stem = os.path.splitext(os.path.basename(path))[0]
        img = cv2.imread(path, cv2.IMREAD_GRAYSCALE).astype(float)
        mask = cv2.imread(os.path.join(folder, "masks", "yes", stem + ".png"), cv2.IMREAD_GRAYSCALE) > 0
        head = cv2.GaussianBlur(img, (5, 5), 0) > 45
        size = max(img.shape)
        k = max(3, int(0.08 * size)) | 1
        ring = cv2.dilate(mask.astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool) & ~mask & head
        if mask.sum() == 0 or ring.sum() < 10:
            continue
        cnr.append(abs(img[mask].mean() - img[ring].mean()) / max(img[ring].std(), 1e-6))
        share.append(mask.sum() / max(head.sum(), 1))
    q = lambda v: np.percentile(v, [25, 50, 75]).round(3).tolist()
    print(f"{folder}: difficulty {meta['difficulty']['name']}, {len(cnr)} lesion images; "
          f"CNR quartiles {q(cnr)}; lesion share of head quartiles {q(share)}")


for folder in sys.argv[1:]:
    stats(folder)
