"""`braincam step --device D` against `braincam step --device cpu --kernels reference`.

    step_device_agreement.py --braincam BIN --device emulator|cuda|cpu [--kernels fast|reference]
                             [--batch 2] [--size 32] [--attention on|off] [--exact-conv]
                             [--seed 0] [--workdir DIR]

Writes a checkpoint with PyTorch's default initialization ranges (numpy only) and a random batch
of size x size images, runs one training step on both devices and compares everything the step
writes, with float32 limits (both sides are float32 and round differently):

  logits, loss              max |d| / max |reference|                                <= 1e-4
  grad.<name>, exp_avg      RMS(d) / RMS(reference)                                 <= 1e-3
                            (conv1.bias on conv1.weight's scale: its true gradient is 0)
  exp_avg_sq                RMS(d) / RMS(reference)                                 <= 2e-3
  parameters                |d| <= 1e-6 + 1e-4 |p|, plus 2.1 lr where the reference gradient is
                            within 1e-3 of its scale of zero (Adam turns that noise into +-lr)
  running_mean/var          |d| <= 1e-6 + 1e-4 |x|
  step counts, num_batches_tracked, the set of tensors: exactly

--kernels picks the device's kernel path (default fast: the fused first layer). --exact-conv draws
the images as k/256 and conv1's weights and bias as m/256 (|m| <= 29, inside PyTorch's range), so
every convolution output is exact in float32 whatever the summation order. Without it, two paths
that sum the convolution in different orders round differently, and at the model's size (batch
32, 240x240) a few of the millions of argmax decisions (pooling windows, the channel maximum
descriptor) with a near-tie go the other way on each side: each such flip moves a whole window's
or descriptor's gradient elsewhere, and the gradients then differ by about 1e-3 of their scale (measured:
the fast CPU path against the CPU reference, 1.2e-3 to 4e-3). With exact convolution outputs both
sides rank the same values.

Exits 0 when every check passes, 1 when any fails, 77 (skip) when the device cannot run the step:
no GPU, or an op without a kernel for the device yet.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_numpy  # noqa: E402

LR = 1e-3
ZERO_GRADIENT_SCALE = {"conv1.bias": "conv1.weight"}
SKIP_MESSAGES = ("no kernel for device", "no usable GPU")


def eight_bit(rng, shape, lo, hi):
    return (rng.integers(lo, hi + 1, shape) / 256).astype(np.float32)


def checkpoint(rng, size, exact_conv):
    """Parameters drawn in PyTorch's default ranges, and fresh batchnorm buffers."""
    fc_in = 32 * (size // 16) ** 2
    shapes = {"conv1.weight": ((32, 3, 5, 5), 75), "conv1.bias": ((32,), 75),
              "att.mlp.0.weight": ((4, 32), 32), "att.mlp.0.bias": ((4,), 32),
              "att.mlp.2.weight": ((32, 4), 4), "att.mlp.2.bias": ((32,), 4),
              "att.spatial.weight": ((1, 2, 7, 7), 98),
              "fc.weight": ((1, fc_in), fc_in), "fc.bias": ((1,), fc_in)}
    tensors = {name: rng.uniform(-fan ** -0.5, fan ** -0.5, shape).astype(np.float32)
               for name, (shape, fan) in shapes.items()}
    if exact_conv:
        for name in ("conv1.weight", "conv1.bias"):
            tensors[name] = eight_bit(rng, tensors[name].shape, -29, 29)
    tensors.update({"bn1.weight": np.ones(32, np.float32), "bn1.bias": np.zeros(32, np.float32),
                    "bn1.running_mean": np.zeros(32, np.float32),
                    "bn1.running_var": np.ones(32, np.float32),
                    "bn1.num_batches_tracked": np.array(0, np.int64)})
    return tensors


def run_step(braincam, work, name, device_args, attention):
    out = os.path.join(work, f"{name}.safetensors")
    command = [braincam, "step", "--checkpoint", os.path.join(work, "checkpoint.safetensors"),
               "--batch", os.path.join(work, "batch.safetensors"), "--attention", attention,
               "--lr", str(LR), "--out", out] + device_args
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr.strip() or result.stdout.strip()
    return safetensors_numpy.read(out)[0], ""


def rms(x):
    return float(np.sqrt(np.mean(np.square(np.asarray(x, np.float64)))))


def compare(got, want):
    """Rows (quantity, error, limit); an error is over its limit when the check fails."""
    rows = []
    missing = sorted(set(want) ^ set(got))
    rows.append(("the same tensors", float(len(missing)), 0.0))
    grads = {n[len("grad."):]: want[n] for n in want if n.startswith("grad.")}
    for name in sorted(set(want) & set(got)):
        g, w = np.asarray(got[name], np.float64), np.asarray(want[name], np.float64)
        if g.shape != w.shape:
            rows.append((f"{name} shape", 1.0, 0.0))
            continue
        base = name.split(".", 2)[-1] if name.startswith("optim.") else name[len("grad."):]
        if name in ("logits", "loss"):
            rows.append((name, np.max(np.abs(g - w)) / max(np.max(np.abs(w)), 1e-30), 1e-4))
        elif name.startswith(("grad.", "optim.exp_avg.", "optim.exp_avg_sq.")):
            scale_name = ZERO_GRADIENT_SCALE.get(base, base)
            prefix = name[:name.index(base)]
            scale = rms(want[prefix + scale_name])
            error = rms(g - w) / scale if scale > 0 else float(np.any(g != w))
            rows.append((name, error, 2e-3 if name.startswith("optim.exp_avg_sq.") else 1e-3))
        elif name.startswith("optim.step.") or name.endswith("num_batches_tracked"):
            rows.append((name, float(np.max(np.abs(g - w))), 0.0))
        else:  # parameters and running statistics
            atol = np.full(w.shape, 1e-6)
            if name in grads:
                scale = rms(grads[ZERO_GRADIENT_SCALE.get(name, name)])
                atol[np.abs(grads[name]) <= 1e-3 * scale] += 2.1 * LR
            rows.append((name, float(np.max(np.abs(g - w) / (atol + 1e-4 * np.abs(w)))), 1.0))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--braincam", required=True)
    parser.add_argument("--device", choices=["emulator", "cuda", "cpu"], default="emulator")
    parser.add_argument("--kernels", choices=["fast", "reference"], default="fast")
    parser.add_argument("--exact-conv", action="store_true",
                        help="8-bit images and conv1 weights: exact convolution outputs")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--size", type=int, default=32, help="image height and width, a multiple of 16")
    parser.add_argument("--attention", choices=["on", "off"], default="on")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", help="keep the checkpoint, batch and outputs here (default: a temporary directory)")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or tmp
        os.makedirs(work, exist_ok=True)
        safetensors_numpy.write(os.path.join(work, "checkpoint.safetensors"),
                                checkpoint(rng, args.size, args.exact_conv))
        shape = (args.batch, 3, args.size, args.size)
        images = (eight_bit(rng, shape, 0, 255) if args.exact_conv
                  else rng.uniform(0, 1, shape).astype(np.float32))
        labels = (np.arange(args.batch) % 2).astype(np.float32)  # both classes when N >= 2
        safetensors_numpy.write(os.path.join(work, "batch.safetensors"), {"images": images, "labels": labels})
        want, error = run_step(args.braincam, work, "reference",
                               ["--device", "cpu", "--kernels", "reference"], args.attention)
        if want is None:
            print(f"step_device_agreement: FAIL, the CPU reference step failed: {error}")
            return 1
        got, error = run_step(args.braincam, work, args.device,
                              ["--device", args.device, "--kernels", args.kernels], args.attention)
    if got is None:
        if any(message in error for message in SKIP_MESSAGES):
            print(f"step_device_agreement: SKIPPED, {args.device} cannot run the step yet: {error}")
            return 77
        print(f"step_device_agreement: FAIL, the {args.device} step failed: {error}")
        return 1

    rows = compare(got, want)
    print(f"{args.device} ({args.kernels} kernels) against the CPU reference: batch {args.batch}, "
          f"{args.size}x{args.size}, attention {args.attention}"
          f"{', exact convolution' if args.exact_conv else ''}")
    print(f"{'quantity':40s} {'error':>11s} {'limit':>9s}")
    failures = 0
    for quantity, error, limit in rows:
        ok = error <= limit
        failures += not ok
        print(f"{quantity:40s} {error:11.3e} {limit:9.1e} {'' if ok else 'FAIL'}")
    if failures:
        print(f"step_device_agreement: FAIL, {failures} of {len(rows)} checks")
        return 1
    print(f"step_device_agreement: PASS, {len(rows)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
