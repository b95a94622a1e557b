#!/usr/bin/env python3
"""`braincam train` killed (SIGKILL) at every step of its atomic writes, then resumed, must end
with the best/last checkpoints of a run that never stopped, byte for byte, and the same
metrics.csv (timing columns aside), with no temporary file left.

Each write goes to a temporary file, which is synced, renamed over the target, and the folder
synced (base/atomic_file.h). strace's fault injection kills the process as it enters its K-th
fsync: an odd K leaves the temporary file written but not renamed, an even K the rename done but
not synced. No test hook in the product is needed. Without strace (or ptrace) the test is skipped.

usage: crash_resume_test.py BRAINCAM
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
TRAIN = ["--epochs", "3", "--warmup-epochs", "1", "--batch", "8", "--max-train-images", "20",
         "--seed", "17", "--no-charts"]


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


def metrics_without_timing(folder):
    """metrics.csv without its timing columns, seconds and images_per_s (the 7th and 8th)."""
    lines = (folder / "metrics.csv").read_text().splitlines()
    return [",".join(line.split(",")[:6] + line.split(",")[8:]) for line in lines]


def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    strace = shutil.which("strace")
    if not strace or run(strace, "-o", "/dev/null", "true").returncode != 0:
        print("skipped: strace cannot trace here")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="braincam_crash_") as tmp:
        root = pathlib.Path(tmp)
        for step in (["synth", "--out", root / "synth", "--count", "48", "--seed", "5"],
                     ["prepare", "--data", root / "synth", "--out", root / "cache", "--seed", "5"]):
            subprocess.run([braincam, *map(str, step)], check=True, capture_output=True)
        whole = root / "whole"
        subprocess.run([braincam, "train", "--cache", root / "cache", "--out", whole, *TRAIN],
                       check=True, capture_output=True)

        failures = []
        kill_at = 1
        while True:
            folder = root / f"killed{kill_at}"
            killed = run(strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync",
                         "-e", f"inject=fsync:signal=SIGKILL:when={kill_at}",
                         braincam, "train", "--cache", root / "cache", "--out", folder, *TRAIN)
            if killed.returncode == 0:
                break  # the run has fewer fsyncs: every one has been a kill point
            if not (folder / "last.safetensors").exists():
                # killed before the first checkpoint: a fresh start is the way on
                resumed = run(braincam, "train", "--cache", root / "cache", "--out", folder,
                              "--overwrite", *TRAIN)
            else:
                resumed = run(braincam, "train", "--resume", folder, "--no-charts")
            problems = []
            if resumed.returncode != 0:
                problems.append("resume failed: " + resumed.stderr.strip())
            else:
                for name in ("best.safetensors", "last.safetensors"):
                    if (folder / name).read_bytes() != (whole / name).read_bytes():
                        problems.append(name + " differs")
                if metrics_without_timing(folder) != metrics_without_timing(whole):
                    problems.append("metrics.csv differs")
                leftovers = [p.name for p in folder.iterdir() if ".tmp" in p.name]
                if leftovers:
                    problems.append("temporary files left: " + ", ".join(leftovers))
            if problems:
                failures.append(f"killed at fsync {kill_at}: " + "; ".join(problems))
            shutil.rmtree(folder)
            kill_at += 1
        print(f"{kill_at - 1} kill points")
        if kill_at < 7:
            failures.append(f"only {kill_at - 1} fsyncs: the writes are not synced")
        for f in failures:
            print("FAIL", f)
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
