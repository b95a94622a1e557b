#!/usr/bin/env python3
"""`braincam train` and `prepare` on their folders: an existing run is kept unless --overwrite,
--out and --resume do not mix, a resumed run prints and keeps its own settings and number of
epochs (and finds its cache), and a folder locked by another command is refused.

usage: run_folder_cli_test.py BRAINCAM
"""
import fcntl
import pathlib
import sys
import tempfile

from cli_checks import expect, failures, run



def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="braincam_run_folder_") as tmp:
        root = pathlib.Path(tmp)
        cache, run_folder = root / "cache", root / "run"
        run(braincam, "synth", "--out", root / "synth", "--count", "24", "--seed", "5")
        expect("prepare", run(braincam, "prepare", "--data", root / "synth", "--out", cache),
               True, "wrote")
        train = [braincam, "train", "--cache", cache, "--out", run_folder, "--epochs", "1",
                 "--batch", "4", "--lr", "0.002", "--max-train-images", "8", "--no-charts"]
        expect("train", run(*train), True, "1 epochs, batch 4, lr 0.002")
        expect("the seed's recipe by default", run(*train, "--overwrite"), True, "recipe seed")
        expect("a recipe, one flag changed",
               run(*train, "--overwrite", "--recipe", "augmented", "--augment", "flip"), True,
               "recipe augmented, weight decay 0.01, augment flip")

        expect("train into an existing run", run(*train), False, "already holds a run")
        expect("--out with --resume", run(braincam, "train", "--resume", run_folder, "--out",
                                          root / "other"), False, "not with --resume")
        expect("resume with the run's own settings and epochs",
               run(braincam, "train", "--resume", run_folder, "--no-charts"), True,
               "1 epochs, batch 4, lr 0.002")
        expect("resume extended", run(braincam, "train", "--resume", run_folder, "--epochs", "2",
                                      "--no-charts"), True, "epoch  2")
        rows = (run_folder / "metrics.csv").read_text().splitlines()
        if len(rows) != 3:
            failures.append(f"metrics.csv has {len(rows)} lines, not 3")
        expect("--overwrite", run(*train, "--overwrite"), True, "best epoch 1")

        with open(run_folder / ".lock") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            expect("a locked run folder", run(braincam, "train", "--resume", run_folder), False,
                   "in use by another braincam train")
        with open(cache / ".lock") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            expect("a locked cache folder", run(braincam, "prepare", "--data", root / "synth",
                                                "--out", cache), False,
                   "in use by another braincam prepare")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
