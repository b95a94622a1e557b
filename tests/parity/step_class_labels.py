"""braincam step's labels for a K-class checkpoint (docs/spec.md section 6.4).

With K = 4 (fc.weight 4 x inputs) the batch's `labels` must be I64 class indices in [0, 4); with
K = 1 they must be F32 0/1. A float label for K >= 2, an integer label for K = 1 and a class out
of range are each refused with an error that names the tensor, and I64 labels in range give N x K
logits. The weights are constants at 32 x 32 images: only the shapes matter here.
Exits 0 when every case behaves, 1 otherwise, 77 (skip) without numpy.
"""
import argparse
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError as error:
    print(f"step_class_labels: SKIPPED, this python cannot import numpy ({error})")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_numpy  # noqa: E402

SIZE = 32  # images SIZE x SIZE: fc has 32 * (SIZE / 16)^2 inputs


def checkpoint(classes):
    inputs = 32 * (SIZE // 16) ** 2
    shapes = {"conv1.weight": (32, 3, 5, 5), "conv1.bias": (32,), "bn1.weight": (32,),
              "bn1.bias": (32,), "bn1.running_mean": (32,), "att.mlp.0.weight": (4, 32),
              "att.mlp.0.bias": (4,), "att.mlp.2.weight": (32, 4), "att.mlp.2.bias": (32,),
              "att.spatial.weight": (1, 2, 7, 7), "fc.weight": (classes, inputs),
              "fc.bias": (classes,)}
    tensors = {name: np.full(shape, 0.01, np.float32) for name, shape in shapes.items()}
    tensors["bn1.running_var"] = np.ones(32, np.float32)
    tensors["bn1.num_batches_tracked"] = np.array(0, np.int64)
    return tensors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--braincam", required=True)
    args = parser.parse_args()
    images = np.random.default_rng(0).random((3, 3, SIZE, SIZE), dtype=np.float32)
    cases = [  # classes, labels, the error's words (None: the step runs)
        (4, np.array([0, 3, 1], np.int64), None),
        (4, np.array([0, 4, 1], np.int64), "'labels' holds 4 for image 1, not a class"),
        (4, np.array([0, -1, 1], np.int64), "'labels' holds -1 for image 1"),
        (4, np.array([0, 1, 1], np.float32), "'labels' must be I64 class indices"),
        (4, np.array([0, 1], np.int64), "'labels' must be I64 class indices, one per image"),
        (1, np.array([0, 1, 1], np.int64), "'labels' holds integers (I64)"),
        (1, np.array([0, 1, 1], np.float32), None),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for classes, labels, words in cases:
            weights, batch = os.path.join(work, "w.safetensors"), os.path.join(work, "b.safetensors")
            out = os.path.join(work, "out.safetensors")
            safetensors_numpy.write(weights, checkpoint(classes))
            safetensors_numpy.write(batch, {"images": images, "labels": labels})
            done = subprocess.run([args.braincam, "step", "--checkpoint", weights, "--batch", batch,
                                   "--out", out], capture_output=True, text=True)
            said = done.stdout + done.stderr
            if words is None:
                ok = done.returncode == 0
                if ok:
                    logits = safetensors_numpy.read(out)[0]["logits"]
                    ok = logits.shape == ((3, classes) if classes > 1 else (3,))
            else:
                ok = done.returncode != 0 and words in said
            case = f"K = {classes}, labels {labels.dtype} {labels.tolist()}"
            print(f"{'ok  ' if ok else 'FAIL'} {case}: {said.strip().splitlines()[-1] if said.strip() else ''}")
            failures += not ok
    print(f"step_class_labels: {'PASS' if failures == 0 else 'FAIL'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
