"""One training step of `braincam step` against the same step in PyTorch.

Builds BrainDetectionModel (brain_detection_model.py) with PyTorch's default initialization from
a seed, writes its state_dict and a random batch as safetensors, runs

    braincam step --checkpoint W --batch B --attention on|off --lr 0.001 --out OUT
                  [--weight-decay L] [--device D --kernels P]

and the same step in PyTorch (train mode, mean BCE on the logits, backward, torch.optim.Adam, or
torch.optim.AdamW(weight_decay=L) with --weight-decay L). With --classes K >= 2 the model is the
multiclass one (docs/spec.md section 6): N x K logits, I64 class labels and F.cross_entropy. Each further step (--steps, default 2)
starts from the engine's output (with its optimizer state) with attention toggled, so
per-parameter Adam step counts must continue, or stay put for parameters that got no gradient.
Compared, with their limits (Adam standing for AdamW with --weight-decay):

  logits, loss          max |engine - torch| / max |torch|                      <= 1e-4
  grad.<name>           RMS(engine - torch) / RMS(torch gradient)              <= 1e-3
                        conv1.bias on conv1.weight's gradient scale: its true gradient is 0
                        (batchnorm removes per-channel constants), so both sides hold rounding
                        noise that only the other gradients' scale makes meaningful.
  optimizer             torch.optim.Adam applied to the *engine's* gradients must reproduce the
                        engine's parameters (|d| <= 1e-6 + 1e-4 |p|), exp_avg and exp_avg_sq
                        (|d| <= 1e-5 |x| + 1e-7 max|x|) and step counts (exactly). Isolating Adam
                        from gradient rounding lets these limits be tight.
  parameters            against the pure PyTorch step: |d| <= 1e-6 + 1e-4 |p|, plus 2.1 lr where
                        the torch gradient is within the gradient limit of zero (1e-3 of its
                        scale): Adam normalizes such noise to a step of about +-lr of either sign.
                        This covers conv1.bias throughout.
  unchanged             parameters without a gradient are bit-identical to the input
  buffers               running_mean/var: |d| <= 1e-6 + 1e-4 |x|; num_batches_tracked exactly

Prints a table of errors and exits 0 when every check passes, 1 when any fails (or the engine
fails), 77 (skip) when torch cannot be imported.
"""
import argparse
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError as error:  # not an oracle python: skip, loudly
    print(f"torch_parity: SKIPPED, this python cannot import torch/numpy ({error})")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_numpy  # noqa: E402
from brain_detection_model import BrainDetectionModel  # noqa: E402

LR = 1e-3
WEIGHT_DECAY = 0.0  # --weight-decay: above 0, torch.optim.AdamW with it on both sides
CLASSES = 1  # --classes: fc's outputs
SIZE = 240  # --size: the images' height and width
ENGINE_FLAGS = []  # --device and --kernels of braincam step
OPTIM_STATE = ("exp_avg", "exp_avg_sq", "step")
ZERO_GRADIENT_SCALE = {"conv1.bias": "conv1.weight"}  # whose gradient scale a zero gradient uses


# ---- PyTorch side -------------------------------------------------------------------------------

def new_model():
    return BrainDetectionModel(SIZE, SIZE, CLASSES)


def load_model(checkpoint):
    model = new_model()
    names = model.state_dict().keys()
    missing = [n for n in names if n not in checkpoint]
    if missing:
        raise RuntimeError(f"checkpoint lacks {missing}")
    model.load_state_dict({n: torch.from_numpy(np.array(checkpoint[n])) for n in names})
    return model


def load_optimizer(model, checkpoint):
    """torch.optim.Adam (AdamW with a weight decay) with the checkpoint's per-parameter state (none,
    or step 0: fresh)."""
    if WEIGHT_DECAY > 0:
        optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    for name, p in model.named_parameters():
        step = checkpoint.get(f"optim.step.{name}")
        if step is not None and float(step) > 0:
            optimizer.state[p] = {
                "step": torch.tensor(float(step)),
                "exp_avg": torch.from_numpy(np.array(checkpoint[f"optim.exp_avg.{name}"])),
                "exp_avg_sq": torch.from_numpy(np.array(checkpoint[f"optim.exp_avg_sq.{name}"])),
            }
    return optimizer


def torch_forward_backward(checkpoint, images, labels, attention):
    """Logits, loss, gradients and the buffers after the forward, in PyTorch."""
    model = load_model(checkpoint)
    model.train()
    logits = model(torch.from_numpy(images), attention=attention)
    if CLASSES == 1:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.from_numpy(labels))
    else:
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels))
    loss.backward()
    grads = {n: p.grad.numpy().copy() for n, p in model.named_parameters() if p.grad is not None}
    buffers = {n: b.numpy().copy() for n, b in model.named_buffers()}
    return logits.detach().numpy(), float(loss), grads, buffers


def adam_step(checkpoint, grads):
    """The parameters and optimizer state after torch.optim.Adam(W) applies `grads`."""
    model = load_model(checkpoint)
    optimizer = load_optimizer(model, checkpoint)
    for name, p in model.named_parameters():
        p.grad = torch.from_numpy(np.array(grads[name])) if name in grads else None
    optimizer.step()
    params = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    state = {}
    for name, p in model.named_parameters():
        for key in OPTIM_STATE if p in optimizer.state else ():
            state[f"optim.{key}.{name}"] = np.array(optimizer.state[p][key])
    return params, state


# ---- the engine ---------------------------------------------------------------------------------

def run_engine(braincam, checkpoint_path, batch_path, attention, out_path):
    command = [braincam, "step", "--checkpoint", checkpoint_path, "--batch", batch_path,
               "--attention", "on" if attention else "off", "--lr", str(LR), "--out", out_path]
    command += ENGINE_FLAGS
    if WEIGHT_DECAY > 0:
        command += ["--weight-decay", str(WEIGHT_DECAY)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not os.path.exists(out_path):
        raise RuntimeError(f"`{' '.join(command)}` failed (exit {done.returncode}):\n"
                           f"{done.stdout}{done.stderr}")
    return safetensors_numpy.read(out_path)


def next_checkpoint(engine_out):
    """The engine's output as a checkpoint: parameters, buffers, optimizer state."""
    tensors, metadata = engine_out
    kept = {n: t for n, t in tensors.items() if n not in ("logits", "loss") and not n.startswith("grad.")}
    return kept, metadata


# ---- comparison ---------------------------------------------------------------------------------

def rms(x):
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def max_relative(engine, ref):
    engine, ref = np.asarray(engine, np.float64).ravel(), np.asarray(ref, np.float64).ravel()
    if engine.shape != ref.shape:
        return float("inf")
    return float(np.max(np.abs(engine - ref)) / max(np.max(np.abs(ref)), 1e-30))


def tolerance_ratio(engine, ref, atol, rtol):
    """max |engine - ref| / (atol + rtol |ref|), elementwise atol allowed; <= 1 passes."""
    engine, ref = np.asarray(engine, np.float64), np.asarray(ref, np.float64)
    if engine.shape != ref.shape:
        return float("inf")
    if engine.size == 0:
        return 0.0
    diff = np.abs(engine - ref)
    with np.errstate(divide="ignore", invalid="ignore"):  # equal values pass even at zero limit
        return float(np.max(np.where(diff == 0, 0.0, diff / (atol + rtol * np.abs(ref)))))


class Report:
    def __init__(self):
        self.rows = []

    def check(self, stage, quantity, error, limit, note=""):
        self.rows.append((stage, quantity, error, limit, error <= limit, note))

    def fail(self, stage, quantity, note):
        self.rows.append((stage, quantity, float("inf"), 0.0, False, note))

    def failures(self):
        return [r for r in self.rows if not r[4]]

    def print(self):
        print(f"{'stage':<22} {'quantity':<42} {'error':>10} {'limit':>9}  status")
        for stage, quantity, error, limit, ok, note in self.rows:
            print(f"{stage:<22} {quantity:<42} {error:10.3e} {limit:9.2e}  "
                  f"{'ok' if ok else 'FAIL'}{'  ' + note if note else ''}")


def shape_of(tensors, name):
    return tuple(np.asarray(tensors[name]).shape)


def compare_step(report, stage, checkpoint, images, labels, attention, engine_tensors):
    out = engine_tensors
    logits, loss, grads, buffers = torch_forward_backward(checkpoint, images, labels, attention)
    param_names = [n for n, _ in new_model().named_parameters()]

    for name in ["logits", "loss"] + [f"grad.{n}" for n in grads]:
        if name not in out:
            report.fail(stage, name, "missing from the engine's output")
    if "logits" in out:
        report.check(stage, "logits", max_relative(out["logits"], logits), 1e-4)
    if "loss" in out:
        report.check(stage, "loss", max_relative(out["loss"], loss), 1e-4)

    # Gradients: exactly the parameters PyTorch gives one.
    engine_grads = {n[len("grad."):]: g for n, g in out.items() if n.startswith("grad.")}
    for name in sorted(set(engine_grads) - set(grads)):
        report.fail(stage, f"grad.{name}", "the engine reports a gradient PyTorch does not have")
    for name in param_names:
        if name not in grads or name not in engine_grads:
            continue
        scale_name = ZERO_GRADIENT_SCALE.get(name, name)
        g = np.asarray(engine_grads[name])
        difference = rms(g.ravel() - grads[name].ravel()) if g.shape == grads[name].shape else float("inf")
        # A gradient that is all zero (dead hidden units) must be matched exactly.
        scale = rms(grads[scale_name])
        error = difference / scale if scale > 0 else (0.0 if difference == 0 else float("inf"))
        report.check(stage, f"grad.{name}", error, 1e-3,
                     f"on {scale_name}'s scale" if scale_name != name else "")

    # Adam on the engine's own gradients: parameters and optimizer state, tightly.
    usable = {n: g for n, g in engine_grads.items() if n in grads and g.shape == grads[n].shape}
    adam_params, adam_state = adam_step(checkpoint, usable)
    for name in param_names:
        if name not in out:
            report.fail(stage, name, "parameter missing from the engine's output")
            continue
        report.check(stage, f"adam(engine grads): {name}",
                     tolerance_ratio(out[name], adam_params[name], 1e-6, 1e-4), 1.0)
        if name not in grads:
            same = shape_of(out, name) == checkpoint[name].shape and np.array_equal(out[name], checkpoint[name])
            report.check(stage, f"unchanged without grad: {name}", 0.0 if same else 1.0, 0.0)
    for name in param_names:
        has_state = f"optim.step.{name}" in adam_state
        for key in OPTIM_STATE:
            full = f"optim.{key}.{name}"
            if not has_state:  # no state in PyTorch: absent, or an untouched step-0 state
                if f"optim.step.{name}" in out and float(out[f"optim.step.{name}"]) != 0:
                    report.fail(stage, full, "state advanced for a parameter without gradient")
                continue
            if full not in out:
                report.fail(stage, full, "missing from the engine's output")
            elif key == "step":
                error = abs(float(out[full]) - float(adam_state[full]))
                report.check(stage, full, error, 0.0,
                             f"engine {float(out[full]):g}, torch {float(adam_state[full]):g}")
            else:
                ref = adam_state[full]
                report.check(stage, full,
                             tolerance_ratio(out[full], ref, 1e-7 * np.max(np.abs(ref)), 1e-5), 1.0)

    # Against the pure PyTorch step: Adam turns near-zero gradient noise into +-lr steps.
    torch_params, _ = adam_step(checkpoint, grads)
    for name in param_names:
        if name not in out:
            continue
        atol = np.full(torch_params[name].shape, 1e-6)
        if name in grads:
            scale = rms(grads[ZERO_GRADIENT_SCALE.get(name, name)])
            atol[np.abs(grads[name]) <= 1e-3 * scale] += 2.1 * LR
        report.check(stage, f"param vs torch: {name}",
                     tolerance_ratio(out[name], torch_params[name], atol, 1e-4), 1.0)

    for name, ref in buffers.items():
        if name not in out:
            report.fail(stage, name, "buffer missing from the engine's output")
        elif name.endswith("num_batches_tracked"):
            report.check(stage, name, abs(float(out[name]) - float(ref)), 0.0,
                         f"engine {int(out[name])}, torch {int(ref)}")
        else:
            report.check(stage, name, tolerance_ratio(out[name], ref, 1e-6, 1e-4), 1.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--braincam", required=True, help="path of the braincam binary")
    parser.add_argument("--attention", choices=["on", "off"], default="on",
                        help="attention in the first step; each next step toggles it")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=2, help="steps, each from the last's output")
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="decoupled weight decay: torch.optim.AdamW instead of Adam")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--classes", type=int, default=1,
                        help="fc's outputs: 1 the binary model, K >= 2 the multiclass one")
    parser.add_argument("--size", type=int, default=240,
                        help="image height and width, a multiple of 16 (smaller for the emulator)")
    parser.add_argument("--device", choices=["cpu", "emulator", "cuda"], default="cpu",
                        help="braincam step's device")
    parser.add_argument("--kernels", choices=["fast", "reference"], default="fast",
                        help="braincam step's kernel path")
    parser.add_argument("--workdir", help="keep the files here (default: a temporary directory)")
    args = parser.parse_args()
    global WEIGHT_DECAY, CLASSES, SIZE, ENGINE_FLAGS
    WEIGHT_DECAY, CLASSES, SIZE = args.weight_decay, args.classes, args.size
    ENGINE_FLAGS = ["--device", args.device, "--kernels", args.kernels]
    if not os.access(args.braincam, os.X_OK):
        print(f"torch_parity: FAIL, no braincam binary at {args.braincam} (build target braincam)")
        return 1

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    model = new_model()  # PyTorch's default initialization
    checkpoint = {n: t.detach().numpy().copy() for n, t in model.state_dict().items()}
    images = torch.rand(args.batch, 3, SIZE, SIZE).numpy()
    if CLASSES == 1:
        labels = (torch.randperm(args.batch) % 2).float().numpy()  # both classes when N >= 2
    else:
        labels = (torch.randperm(args.batch) % CLASSES).numpy()  # I64, every class when N >= K

    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or tmp
        os.makedirs(work, exist_ok=True)
        batch_path = os.path.join(work, "batch.safetensors")
        safetensors_numpy.write(batch_path, {"images": images, "labels": labels})
        report = Report()
        attention = args.attention == "on"
        metadata = None
        try:
            for step in range(1, args.steps + 1):
                stage = f"step {step} attention {'on' if attention else 'off'}"
                checkpoint_path = os.path.join(work, f"checkpoint{step}.safetensors")
                safetensors_numpy.write(checkpoint_path, checkpoint, metadata)
                out_path = os.path.join(work, f"out{step}.safetensors")
                engine_out = run_engine(args.braincam, checkpoint_path, batch_path, attention, out_path)
                compare_step(report, stage, checkpoint, images, labels, attention, engine_out[0])
                checkpoint, metadata = next_checkpoint(engine_out)
                attention = not attention
        except RuntimeError as error:
            report.print()
            print(f"torch_parity: FAIL, {error}")
            return 1

    report.print()
    failures = report.failures()
    if failures:
        print(f"torch_parity: FAIL, {len(failures)} of {len(report.rows)} checks failed:")
        for stage, quantity, error, limit, _, note in failures:
            print(f"  {stage}: {quantity}: error {error:.3e} > limit {limit:.2e} {note}")
        return 1
    print(f"torch_parity: PASS, {len(report.rows)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
