#!/usr/bin/env python3
"""`braincam crossval` on a tiny cache: two folds, with and without attention, one epoch each.
crossval.json holds two rows per variant whose mean and sample standard deviation are the ones
given; `train --fold 1/2` trains the same run as crossval's fold 1, bit for bit, and --resume
keeps its fold; a folder that holds files, a bad --folds or --fold is refused naming it; the
report gets a cross-validation section.

usage: crossval_cli_test.py BRAINCAM
"""
import json
import math
import pathlib
import statistics
import sys
import tempfile

from cli_checks import check, expect, failures, run

SCORES = ("accuracy", "f1", "roc_auc")
VARIANTS = ("with_attention", "without_attention")


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def check_summary(out):
    """crossval.json: 2 rows per variant, and the mean and sample std of those rows."""
    summary = json.loads((out / "crossval.json").read_text())
    check("settings", summary["settings"]["folds"] == 2 and summary["settings"]["epochs"] == 1
          and summary["settings"]["cache_fingerprint"])
    rows = summary["folds"]
    check(f"{len(rows)} fold rows, not 2", len(rows) == 2)
    check("fold numbers", [r["fold"] for r in rows] == [1, 2])
    for variant in VARIANTS:
        for score in SCORES:
            values = [r[variant][score] for r in rows]
            check(f"{variant} {score}: mean", close(summary["mean"][variant][score],
                                                    statistics.fmean(values)))
            check(f"{variant} {score}: std", close(summary["std"][variant][score],
                                                   statistics.stdev(values)))
        for k in (1, 2):
            check(f"fold{k}/{variant}", (out / f"fold{k}" / variant / "best.safetensors").exists())


def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    tiny = pathlib.Path(__file__).resolve().parents[2] / "tools" / "tiny_image_set.py"
    with tempfile.TemporaryDirectory(prefix="braincam_crossval_") as tmp:
        root = pathlib.Path(tmp)
        cache, out = root / "cache", root / "cv"
        run(sys.executable, tiny, root / "images", "--count", "24")
        expect("prepare", run(braincam, "prepare", "--data", root / "images", "--out", cache),
               True, "wrote")
        schedule = ["--epochs", "1", "--warmup-epochs", "0", "--batch", "4",
                    "--max-train-images", "6", "--seed", "3", "--device", "cpu"]
        crossval = [braincam, "crossval", "--cache", cache, "--out", out, *schedule]
        expect("crossval", run(*crossval, "--folds", "2"), True, "fold 2/2, without_attention")
        check_summary(out)
        expect("crossval into a folder that holds files", run(*crossval, "--folds", "2"), False,
               "already holds files")

        fold_run = root / "fold1"
        expect("train --fold 1/2", run(braincam, "train", "--cache", cache, "--out", fold_run,
                                       "--fold", "1/2", "--no-charts", *schedule), True,
               "fold 1/2")
        check("train --fold 1/2 and crossval's fold 1 differ",
              (fold_run / "best.safetensors").read_bytes()
              == (out / "fold1" / "with_attention" / "best.safetensors").read_bytes())
        expect("resume keeps the fold", run(braincam, "train", "--resume", fold_run, "--epochs",
                                            "2", "--no-charts"), True, "fold 1/2")

        expect("--folds 1", run(*crossval, "--overwrite", "--folds", "1"), False,
               "--folds: cannot cut the train and val splits into 1 folds")
        expect("--folds 40", run(*crossval, "--overwrite", "--folds", "40"), False,
               "smallest class has")
        train = [braincam, "train", "--cache", cache, "--out", root / "other", *schedule]
        expect("--fold 3/2", run(*train, "--fold", "3/2"), False, "--fold: must be K/N")
        expect("--fold 1", run(*train, "--fold", "1"), False, "--fold: must be K/N")
        expect("--fold 1/40", run(*train, "--fold", "1/40"), False, "--fold: cannot cut")

        expect("report", run(braincam, "report", "--run", out), True, "report.html")
        check("the report's cross-validation section",
              'id="crossval"' in (out / "report.html").read_text())
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
