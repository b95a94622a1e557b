#!/usr/bin/env python3
"""PyTorch on the GPU, the whole-training baseline for `braincam bench --device cuda`: the model
of the spec (tests/parity/brain_detection_model.py, imported, not copied) trained on random data
held on the GPU, eager or under torch.compile.

    torch_gpu_baseline.py [--backend eager|compile] [--json]

Measures, in float32 with TF32 off (as braincam computes):
  epoch_s           one training epoch of 1,445 images (70% of 2,065) in batches of 32, the last
                    one partial, attention on
  fifteen_epochs_s  the spec's schedule: 15 epochs, attention off in epochs 1-2, each followed by
                    validation of 310 images (15%) in evaluation mode
  compile_s         (compile only) the untimed warm-up that compiles every variant first
Exits 77 with a message on stderr when torch or CUDA is not available.
"""
import argparse
import json
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:
    print(f"torch_gpu_baseline: skipped, this python cannot import torch ({error})", file=sys.stderr)
    sys.exit(77)
if not torch.cuda.is_available():
    print("torch_gpu_baseline: skipped, torch sees no CUDA device", file=sys.stderr)
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "parity"))
from brain_detection_model import BrainDetectionModel  # noqa: E402

TRAIN_IMAGES, VAL_IMAGES, BATCH, EPOCHS, WARMUP_EPOCHS = 1445, 310, 32, 15, 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["eager", "compile"], default="eager")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    device = torch.device("cuda")
    model = BrainDetectionModel().to(device)
    forward = torch.compile(model) if args.backend == "compile" else model
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_x = torch.rand(TRAIN_IMAGES, 3, 240, 240, device=device)
    train_y = (torch.rand(TRAIN_IMAGES, device=device) < 0.5).float()
    val_x = torch.rand(VAL_IMAGES, 3, 240, 240, device=device)
    val_y = (torch.rand(VAL_IMAGES, device=device) < 0.5).float()

    def train_epoch(attention, images=TRAIN_IMAGES):
        model.train()
        order = torch.randperm(images, device=device)
        for start in range(0, images, BATCH):
            index = order[start:start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = F.binary_cross_entropy_with_logits(forward(train_x[index], attention), train_y[index])
            loss.backward()
            optimizer.step()

    def validate(attention):
        model.eval()
        with torch.no_grad():
            for start in range(0, VAL_IMAGES, BATCH):
                F.binary_cross_entropy_with_logits(forward(val_x[start:start + BATCH], attention),
                                                   val_y[start:start + BATCH])

    def timed(body):
        torch.cuda.synchronize()
        start = time.perf_counter()
        body()
        torch.cuda.synchronize()
        return time.perf_counter() - start

    # Warm-up (untimed): every variant once, so that cuDNN's autotuning, the allocator and, for
    # compile, every graph (attention on/off, train/eval, full and partial batches) are ready.
    def warm_up():
        for attention in (False, True):
            train_epoch(attention, images=BATCH + TRAIN_IMAGES % BATCH)
            validate(attention)

    torch.backends.cudnn.benchmark = True
    compile_s = timed(warm_up)
    epoch_s = timed(lambda: train_epoch(True))

    def schedule():
        for epoch in range(1, EPOCHS + 1):
            attention = epoch > WARMUP_EPOCHS
            train_epoch(attention)
            validate(attention)

    fifteen_epochs_s = timed(schedule)
    result = {"backend": args.backend, "device": torch.cuda.get_device_name(), "torch_version": torch.__version__,
              "train_images": TRAIN_IMAGES, "val_images": VAL_IMAGES, "batch": BATCH,
              "epoch_s": epoch_s, "fifteen_epochs_s": fifteen_epochs_s}
    if args.backend == "compile":
        result["compile_s"] = compile_s
    if args.json:
        print(json.dumps(result))
    else:
        print(f"pytorch {args.backend} on {result['device']}: epoch {epoch_s:.2f} s, "
              f"15 epochs with validation {fifteen_epochs_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
