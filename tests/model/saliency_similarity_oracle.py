#!/usr/bin/env python3
"""An independent numpy oracle of model/saliency_similarity.h: Spearman's rank correlation (ties
at their average rank) and SSIM (Wang et al. 2004: 11 x 11 Gaussian window of sigma 1.5, C1 =
(0.01 L)^2, C2 = (0.03 L)^2, L = 1, the mean over the valid window positions), each window summed
directly rather than filtered separably.

usage: saliency_similarity_oracle.py FILE    (FILE: "H W" then the H*W values of a, then of b)
prints: the rank correlation and the SSIM, one a line
"""
import sys

import numpy as np


def average_ranks(v):
    order = np.argsort(v, kind="stable")
    ranks = np.empty(len(v))
    ranks[order] = np.arange(1, len(v) + 1)
    for value in np.unique(v):  # ties: the mean of the ranks they span
        tied = v == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(a, b):
    return np.corrcoef(average_ranks(a), average_ranks(b))[0, 1]


def ssim(a, b, size=11, sigma=1.5, L=1.0):
    d = np.arange(size) - size // 2
    g = np.exp(-(d[:, None] ** 2 + d[None, :] ** 2) / (2 * sigma ** 2))
    g /= g.sum()
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    values = []
    for y in range(a.shape[0] - size + 1):
        for x in range(a.shape[1] - size + 1):
            wa, wb = a[y:y + size, x:x + size], b[y:y + size, x:x + size]
            ma, mb = (g * wa).sum(), (g * wb).sum()
            va, vb = (g * (wa - ma) ** 2).sum(), (g * (wb - mb) ** 2).sum()
            cov = (g * (wa - ma) * (wb - mb)).sum()
            values.append((2 * ma * mb + c1) * (2 * cov + c2) /
                          ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2)))
    return np.mean(values)


def main():
    numbers = np.loadtxt(sys.argv[1])
    h, w = int(numbers[0]), int(numbers[1])
    a, b = numbers[2:2 + h * w], numbers[2 + h * w:2 + 2 * h * w]
    print(repr(spearman(a, b)))
    print(repr(ssim(a.reshape(h, w), b.reshape(h, w))))


if __name__ == "__main__":
    main()
