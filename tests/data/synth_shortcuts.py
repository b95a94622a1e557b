"""Can the label of a synthetic set be told from global image statistics alone?

Usage: synth_shortcuts.py SYNTH_DIR [SYNTH_DIR...]
For every image: mean, standard deviation, percentiles 50/90/99 and maximum of the gray levels,
the share of pixels above the crop's threshold (45: the head's area), the share of those above
200, and a 16-bin histogram of the head's pixels. Twice: over the whole image, where the lesion's
own pixels tell the label (a tumor is what should be found), and outside the lesion, where a
difference is a shortcut. "Outside" leaves out every pixel within the lesion's equivalent radius
of its mask (its edema, roughly); a healthy image leaves out the same part of its canvas, taken
from the mask of the tumor image of its number (Y<i> for N<i>), scaled to its size, so that both
classes lose as much. Prints, per folder, the ROC AUC of the best single feature used as a
threshold (either direction), and the out-of-fold ROC AUC of an L2-regularised logistic
regression on all of them (5 folds, seed 0). Healthy frames that show little or no brain
(synth.json's "frame", where present) are counted, and the AUCs are given with and without them.
An AUC near 0.5 means that global statistics do not tell the classes apart. Needs numpy and cv2
(the oracle python of the tests).
"""
import json
import os
import sys

import cv2
import numpy as np

NAMES = ["mean", "std", "p50", "p90", "p99", "max", "head_share", "bright_share"] + [
    f"hist{i}" for i in range(16)]


def lesion_zone(mask):
    """The mask and every pixel within its equivalent radius (sqrt(area / pi)) of it."""
    lesion = (mask > 0).astype(np.uint8)
    if not lesion.any():
        return lesion.astype(bool)
    reach = np.sqrt(lesion.sum() / np.pi)
    return cv2.distanceTransform(1 - lesion, cv2.DIST_L2, 5) <= reach


def features(img, keep):
    v = img[keep]
    head = v[v > 45]
    hist = np.histogram(head, bins=16, range=(0, 256))[0] / max(len(head), 1)
    return [v.mean(), v.std(), *np.percentile(v, [50, 90, 99]), v.max(), len(head) / len(v),
            (head > 200).sum() / max(len(head), 1), *hist]


def auc(score, label):
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s = score[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = label == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def logistic_oof(x, y, folds=5, l2=1e-2, seed=0):
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(y)) % folds
    out = np.zeros(len(y))
    for f in range(folds):
        tr, te = fold != f, fold == f
        mu, sd = x[tr].mean(0), x[tr].std(0) + 1e-9
        a = np.hstack([np.ones((tr.sum(), 1)), (x[tr] - mu) / sd])
        b = np.hstack([np.ones((te.sum(), 1)), (x[te] - mu) / sd])
        w = np.zeros(a.shape[1])
        for _ in range(50):  # Newton's method
            p = 1 / (1 + np.exp(-a @ w))
            g = a.T @ (p - y[tr]) + l2 * w
            h = (a * (p * (1 - p))[:, None]).T @ a + l2 * np.eye(len(w))
            w -= np.linalg.solve(h, g)
        out[te] = b @ w
    return out


def report(x, y, what):
    single = [(max(auc(x[:, k], y), 1 - auc(x[:, k], y)), NAMES[k]) for k in range(x.shape[1])]
    best = max(single)
    print(f"  {what}: {len(y)} images ({int(y.sum())} tumor); best single feature "
          f"{best[1]} AUC {best[0]:.3f}; logistic regression (5-fold) AUC "
          f"{auc(logistic_oof(x, y), y):.3f}")


def zone_of(folder, record, tumor_masks):
    """The lesion zone of an image: its own mask's, or for N<i> that of Y<i> (cycling)."""
    if "mask" in record:
        return lesion_zone(cv2.imread(os.path.join(folder, record["mask"]), cv2.IMREAD_GRAYSCALE))
    number = int(os.path.splitext(os.path.basename(record["file"]))[0][1:])
    return lesion_zone(cv2.imread(tumor_masks[(number - 1) % len(tumor_masks)],
                                  cv2.IMREAD_GRAYSCALE))


def main(folder):
    meta = json.load(open(os.path.join(folder, "synth.json")))
    tumor_masks = [os.path.join(folder, r["mask"]) for r in meta["images"] if "mask" in r]
    whole, outside, labels, brain = [], [], [], []
    for r in meta["images"]:
        img = cv2.imread(os.path.join(folder, r["file"]), cv2.IMREAD_GRAYSCALE).astype(float)
        zone = zone_of(folder, r, tumor_masks)
        zone = cv2.resize(zone.astype(np.uint8), (img.shape[1], img.shape[0]),
                          interpolation=cv2.INTER_NEAREST).astype(bool)
        whole.append(features(img, np.ones(img.shape, bool)))
        outside.append(features(img, ~zone))
        labels.append(r["label"])
        brain.append(r["params"].get("frame", "brain") == "brain")
    y, brain = np.array(labels, float), np.array(brain)
    print(f"{folder}: difficulty {meta['difficulty']['name']}, "
          f"{(~brain).sum()} healthy frames with little or no brain")
    for name, rows in (("whole image", whole), ("outside the lesion", outside)):
        x = np.array(rows)
        report(x, y, f"{name}, all images")
        if (~brain).any():
            report(x[brain], y[brain], f"{name}, slices through the brain")


for folder in sys.argv[1:]:
    main(folder)
