#!/usr/bin/env python3
"""`train --classes all` end to end on a tiny four-class layout (glioma/, meningioma/,
notumor/, pituitary/): a K-class model on the CPU and the emulator whose checkpoints name the
classes in byte order, no decision threshold; --classes is refused on --resume. `evaluate` of
such a checkpoint gives the K-class figures beside the derived tumor / no-tumor ones, and refuses
a cache of other classes naming both sides. `predict` gives every class's probability and the
top class in its three formats; `cam` and `audit`, which explain the binary model, refuse it
naming its classes.

usage: classes_cli_test.py BRAINCAM
"""
import json
import pathlib
import random
import struct
import sys
import tempfile

from cli_checks import check, expect, failures, run

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))
import tiny_image_set  # noqa: E402

CLASSES = ["glioma", "meningioma", "notumor", "pituitary"]


def write_layout(root, per_class=8, size=64):
    """Four class folders of gray heads; the tumor classes get a bright spot."""
    rng = random.Random(7)
    for name in CLASSES:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = tiny_image_set.image(rng, size, name != "notumor")
            tiny_image_set.write_bmp(str(root / name / f"{name}{i:03d}.bmp"), pixels, size)


def metadata(checkpoint):
    raw = checkpoint.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + size]).get("__metadata__", {})


def train(braincam, cache, out, *extra):
    return run(braincam, "train", "--cache", cache, "--out", out, "--epochs", "2", "--batch", "4",
               "--warmup-epochs", "1", "--max-train-images", "8", "--no-charts", *extra)


def check_evaluate(braincam, root):
    """evaluate --json of the four-class checkpoint: today's keys with `accuracy` top-1, and the
    K-class keys."""
    best, out = root / "run-cpu" / "best.safetensors", root / "eval.json"
    expect("evaluate a four-class checkpoint",
           run(braincam, "evaluate", "--checkpoint", best, "--cache", root / "cache", "--split",
               "val", "--json", out, "--bootstrap-resamples", "50"), True, "macro F1")
    j = json.loads(out.read_text()) if out.exists() else {}
    for key in ("accuracy", "precision", "recall", "specificity", "f1", "roc_auc", "confusion",
                "error_analysis", "roc", "ci95", "bootstrap", "classes", "per_class", "macro_f1",
                "macro_roc_auc", "confusion_matrix"):
        check(f"evaluate --json has '{key}'", key in j)
    if not j:
        return
    check("classes", j["classes"] == CLASSES)
    matrix = j["confusion_matrix"]
    check("a 4x4 confusion matrix", len(matrix) == 4 and all(len(r) == 4 for r in matrix))
    check("accuracy is top-1",
          abs(j["accuracy"] - sum(matrix[k][k] for k in range(4)) / j["count"]) < 1e-12)
    check("per-class keys", sorted(j["per_class"]) == CLASSES
          and set(j["per_class"]["glioma"]) >= {"precision", "recall", "f1"})
    check("ci95 of the K-class figures", {"accuracy", "macro_f1", "macro_roc_auc"} <= set(j["ci95"]))
    tumor = sum(sum(r) for k, r in enumerate(matrix) if CLASSES[k] != "notumor")
    c = j["confusion"]
    check("the binary confusion counts tumor / no tumor", c["tp"] + c["fn"] == tumor)
    binary_cache = root / "binary-cache"
    tiny_image_set_dir = root / "yes-no"
    run(sys.executable, pathlib.Path(tiny_image_set.__file__), tiny_image_set_dir, "--count", "12",
        "--size", "64")
    run(braincam, "prepare", "--data", tiny_image_set_dir, "--out", binary_cache)
    expect("evaluate on a cache of other classes",
           run(braincam, "evaluate", "--checkpoint", best, "--cache", binary_cache), False,
           '["notumor","yes"]')


def check_predict(braincam, root):
    best = root / "run-cpu" / "best.safetensors"
    images = [root / "four" / name / f"{name}000.bmp" for name in CLASSES]
    result = run(braincam, "predict", "--checkpoint", best, "--format", "json", *images)
    expect("predict --format json", result, True, "probabilities")
    rows = json.loads(result.stdout) if result.returncode == 0 else []
    check(f"{len(rows)} predictions, not 4", len(rows) == 4)
    for row in rows:
        p = row["probabilities"]
        check(f"{row['file']}: classes {sorted(p)}", sorted(p) == CLASSES)
        check(f"{row['file']}: probabilities sum to 1", abs(sum(p.values()) - 1) < 1e-9)
        check(f"{row['file']}: the top class", row["class"] == max(CLASSES, key=lambda c: p[c]))
    csv = run(braincam, "predict", "--checkpoint", best, "--format", "csv", images[0])
    expect("predict --format csv", csv, True, "file,glioma,meningioma,notumor,pituitary,class,ms")
    expect("predict's table", run(braincam, "predict", "--checkpoint", best, images[0]), True,
           "P(pituitary)")
    expect("predict --threshold of a K-class checkpoint",
           run(braincam, "predict", "--checkpoint", best, "--threshold", "0.3", images[0]), False,
           "top class")


def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="braincam_classes_") as tmp:
        root = pathlib.Path(tmp)
        write_layout(root / "four")
        expect("prepare", run(braincam, "prepare", "--data", root / "four", "--out",
                              root / "cache"), True, "wrote")
        for device in ("cpu", "emulator"):
            out = root / f"run-{device}"
            expect(f"train --classes all on the {device}",
                   train(braincam, root / "cache", out, "--classes", "all", "--device", device),
                   True, "no decision threshold: the 4-class model")
            for name in ("best.safetensors", "last.safetensors"):
                meta = metadata(out / name)
                check(f"{device} {name} classes: {meta.get('classes')}",
                      json.loads(meta.get("classes", "[]")) == CLASSES)
                check(f"{device} {name} no_tumor_class", meta.get("no_tumor_class") == "notumor")
                check(f"{device} {name} options", json.loads(meta["options"])["classes"] == "all")
                check(f"{device} {name}: no threshold", "threshold" not in meta)
        check_evaluate(braincam, root)
        check_predict(braincam, root)
        for command in ("cam", "audit"):
            expect(f"{command} of a four-class checkpoint",
                   run(braincam, command, "--checkpoint", root / "run-cpu" / "best.safetensors",
                       "--cache", root / "cache", "--out", root / command), False,
                   "a 4-class model")
        expect("--classes on --resume", run(braincam, "train", "--resume", root / "run-cpu",
                                            "--classes", "binary"), False, "--classes")
        expect("a bad --classes", train(braincam, root / "cache", root / "bad", "--classes",
                                        "some"), False, "--classes")
        binary = root / "run-binary"
        expect("train on the same cache, binary", train(braincam, root / "cache", binary), True,
               "decision threshold")
        meta = metadata(binary / "best.safetensors")
        check("the binary run names no classes", "classes" not in meta
              and "classes" not in json.loads(meta["options"]))
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
