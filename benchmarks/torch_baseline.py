#!/usr/bin/env python3
"""PyTorch baseline for `braincam bench`: the model of docs/model.md written in PyTorch, timed on
random data with the same batch, image size and thread count.

    torch_baseline.py --mode train|infer [--batch 32] [--steps 5] [--threads 2] [--json]

Prints images/s (with --json one object: mode, batch, steps, threads, seconds_per_step,
images_per_s, torch_version). Needs an interpreter that imports torch (Debian's python3-torch);
benchmarks/compare_cpu.sh picks one.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as Fn


class CamGuidedAttention(nn.Module):
    """Section 2 of the spec: CAM-guided channel attention, then spatial attention."""

    def __init__(self, channels=32, reduction=8):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(channels, channels // reduction), nn.ReLU(),
                                 nn.Linear(channels // reduction, channels))
        self.spatial = nn.Conv2d(2, 1, 7, padding=3, bias=False)

    def forward(self, F, fc_weight):
        N, C, H, W = F.shape
        with torch.no_grad():  # the CAM guidance is a constant
            P0 = Fn.max_pool2d(F, 4)
            cam0 = (fc_weight.view(1, C, H // 4, W // 4) * P0).sum(1).flatten(1)
            s = torch.softmax(cam0, dim=1)
        a = F.mean(dim=(2, 3))
        m = F.amax(dim=(2, 3))
        g = (Fn.avg_pool2d(F, 4).flatten(2) * s.unsqueeze(1)).sum(2)
        gate = torch.sigmoid(self.mlp(a) + self.mlp(m) + self.mlp(g))
        F1 = F * gate[:, :, None, None]
        S = torch.cat([F1.mean(1, keepdim=True), F1.amax(1, keepdim=True)], 1)
        return F1 * torch.sigmoid(self.spatial(S))


class BrainDetectionModel(nn.Module):
    def __init__(self, height=240, width=240, channels=32):
        super().__init__()
        self.conv1 = nn.Conv2d(3, channels, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(channels)
        self.att = CamGuidedAttention(channels)
        self.fc = nn.Linear(channels * (height // 16) * (width // 16), 1)

    def forward(self, x, attention=True):
        F = Fn.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 4)
        A = self.att(F, self.fc.weight) if attention else F
        return self.fc(Fn.max_pool2d(A, 4).flatten(1)).squeeze(1)


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
