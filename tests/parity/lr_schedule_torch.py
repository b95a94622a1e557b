#!/usr/bin/env python3
"""The learning rate of every epoch of `braincam train --lr-schedule ...` (metrics.csv's `lr`
column) against torch.optim.lr_scheduler stepped once after each epoch: CosineAnnealingLR with
T_max = the epochs, StepLR, and ReduceLROnPlateau (mode min, threshold 1e-4 rel, cooldown 0) fed
the run's validation losses. braincam computes the cosine in closed form where PyTorch recurses,
and metrics.csv keeps 9 significant digits: the values must agree to a relative 1e-8.

usage: lr_schedule_torch.py --braincam BRAINCAM
"""
import argparse
import csv
import math
import pathlib
import subprocess
import sys
import tempfile

import torch

EPOCHS = 7
LR = 0.002


def rows_of(run):
    with open(run / "metrics.csv") as f:
        return list(csv.DictReader(f))


def torch_lrs(schedule, val_losses):
    """The lr of each epoch under PyTorch's scheduler."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)
    kind = schedule["kind"]
    if kind == "cosine":
        s = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS,
                                                       eta_min=schedule["min"])
    elif kind == "step":
        s = torch.optim.lr_scheduler.StepLR(optimizer, step_size=schedule["step"],
                                            gamma=schedule["gamma"])
    else:
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=schedule["gamma"], patience=schedule["patience"],
            threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=schedule["min"])
    lrs = []
    for loss in val_losses:
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # the epoch's training, in the order PyTorch expects
        s.step(loss) if kind == "plateau" else s.step()
    return lrs


SCHEDULES = [
    {"kind": "cosine", "min": 1e-4, "flags": ["--lr-min", "1e-4"]},
    {"kind": "step", "step": 2, "gamma": 0.5,
     "flags": ["--lr-step-epochs", "2", "--lr-gamma", "0.5"]},
    {"kind": "plateau", "patience": 0, "gamma": 0.3, "min": 3e-4,
     "flags": ["--plateau-patience", "0", "--lr-gamma", "0.3", "--lr-min", "3e-4"]},
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--braincam", required=True)
    braincam = pathlib.Path(parser.parse_args().braincam).resolve()
    failures = []
    with tempfile.TemporaryDirectory(prefix="braincam_lr_schedule_") as tmp:
        root = pathlib.Path(tmp)
        subprocess.run([braincam, "synth", "--out", root / "synth", "--count", "24", "--seed",
                        "5"], check=True, capture_output=True)
        subprocess.run([braincam, "prepare", "--data", root / "synth", "--out", root / "cache"],
                       check=True, capture_output=True)
        for schedule in SCHEDULES:
            run = root / schedule["kind"]
            subprocess.run([braincam, "train", "--cache", root / "cache", "--out", run,
                            "--epochs", str(EPOCHS), "--batch", "4", "--max-train-images", "4",
                            "--lr", str(LR), "--no-charts", "--lr-schedule", schedule["kind"],
                            *schedule["flags"]], check=True, capture_output=True)
            rows = rows_of(run)
            got = [float(r["lr"]) for r in rows]
            want = torch_lrs(schedule, [float(r["val_loss"]) for r in rows])
            if len(set(want)) < 3:
                failures.append(f"{schedule['kind']}: too few distinct lrs to check: {want}")
            if not all(math.isclose(g, w, rel_tol=1e-8) for g, w in zip(got, want)) or \
                    len(got) != len(want):
                failures.append(f"{schedule['kind']}: braincam {got}, torch {want}")
            else:
                print(f"{schedule['kind']}: {got}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
