#!/usr/bin/env python3
"""PyTorch baseline for `braincam bench`: the model of docs/model.md written in PyTorch
(tests/parity/brain_detection_model.py), timed on random data with the same batch, image size and thread count.

    torch_baseline.py --mode train|infer [--batch 32] [--steps 5] [--threads 2] [--json]

Prints images/s (with --json one object: mode, batch, steps, threads, seconds_per_step,
images_per_s, torch_version). Needs an interpreter that imports torch (Debian's python3-torch);
benchmarks/compare_cpu.sh picks one.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn

# The same PyTorch model the parity test checks the engine against, imported rather than copied.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "parity"))
from brain_detection_model import BrainDetectionModel  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["train", "infer"], default="train")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size", type=int, default=240)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = BrainDetectionModel(args.size, args.size)
    images = torch.rand(args.batch, 3, args.size, args.size)
    labels = (torch.rand(args.batch) < 0.5).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()

    def train_step():
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()

    def infer_step():
        with torch.no_grad():
            model(images)

    if args.mode == "train":
        model.train()
        step = train_step
    else:
        model.eval()
        step = infer_step
    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = (time.perf_counter() - start) / args.steps
    result = {"mode": args.mode, "batch": args.batch, "steps": args.steps,
              "threads": torch.get_num_threads(), "seconds_per_step": seconds,
              "images_per_s": args.batch / seconds, "torch_version": torch.__version__}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"pytorch {args.mode}: {result['images_per_s']:.1f} images/s "
              f"({seconds * 1e3:.1f} ms per step of {args.batch}, {result['threads']} threads)")


if __name__ == "__main__":
    main()
