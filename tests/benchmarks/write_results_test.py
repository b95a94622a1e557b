#!/usr/bin/env python3
"""benchmarks/gpu/write_results.py on made-up inputs: the fields of the results file, the ratios,
the table of training figures with the goals, and the fields left null when an input is missing."""
import json
import os
import re
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks", "gpu",
                      "write_results.py")


def run(folder, inputs, extra_args=()):
    table = os.path.join(folder, "table.md")
    args = [sys.executable, SCRIPT, "--commit", "0123abc", "--out-dir", os.path.join(folder, "out"),
            "--table", table]
    for name, content in inputs.items():
        path = os.path.join(folder, name + ".json")
        with open(path, "w") as f:
            json.dump(content, f)
        args += ["--" + name, path]
    args += list(extra_args)
    printed = subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()
    with open(table) as f:
        check(f.read().splitlines() == printed[:-1], "the table file is the table printed")
    with open(printed[-1]) as f:
        return json.load(f), printed


def check(condition, what):
    if not condition:
        print("FAIL:", what)
        sys.exit(1)


def main():
    with tempfile.TemporaryDirectory() as folder:
        result, printed = run(folder, {
            "kernels": {"card": "Test Card 80GB", "ceilings": {"fma_gflop_per_s": 1.0},
                        "rows": [{"name": "conv5x5 forward", "batch": 32, "ours_ms": 0.5,
                                  "library_ms": 1.0, "ratio": 0.5, "library": "cuDNN"}]},
            "braincam-schedule": {"setup_s": 0.05, "epoch_s": 0.05, "schedule_s": 0.75,
                                  "total_s": 0.8, "graph_mib": 96.5},
            "braincam-schedule-no-graph": {"epoch_s": 0.07, "total_s": 1.1},
            "braincam-infer-1": {"seconds_per_step": 4e-5, "images_per_s": 25000},
            "braincam-infer-1-no-graph": {"seconds_per_step": 9e-5, "images_per_s": 11000},
            "braincam-explain-1": {"seconds_per_step": 6e-5, "images_per_s": 16000},
            "braincam-explain-1-no-graph": {"seconds_per_step": 2e-4, "images_per_s": 5000},
            "torch-eager": {"epoch_s": 0.3, "fifteen_epochs_s": 4.5},
            "torch-compile": {"epoch_s": 0.125, "fifteen_epochs_s": 2.0},
            "braincam-train": {"images_per_s": 16000.0, "seconds_per_step": 0.0015},
            "baseline-train": {"images_per_s": 12000.0, "seconds_per_step": 0.002},
        }, ["--baseline-commit", "fedcba9"])
        name = os.path.basename(printed[-1])
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z-0123abc-test-card-80gb(-\d+)?\.json", name),
              "file name from the time, commit and card: " + name)
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", result["time"]), "time")
        check(result["card"] == "Test Card 80GB" and result["commit"] == "0123abc", "card and commit")
        check(result["kernels"] == [{"name": "conv5x5 forward, batch 32", "ours_ms": 0.5,
                                     "library_ms": 1.0, "ratio": 0.5, "library": "cuDNN"}], "kernel rows")
        t = result["training"]
        check(t["braincam_epoch_s"] == 0.05 and t["fifteen_epochs_s"] == 0.8, "schedule figures")
        check(t["braincam_graph_mib"] == 96.5, "graph memory")
        b = result["baseline"]
        check(b["commit"] == "fedcba9" and b["train_step_s"] == 0.002 and
              b["train_step_s_now"] == 0.0015 and abs(b["step_ratio"] - 0.75) < 1e-12,
              "baseline: " + str(b))
        check(abs(t["eager_ratio"] - 6.0) < 1e-12 and abs(t["compile_ratio"] - 2.5) < 1e-12, "ratios")
        check(t["braincam_epoch_no_graph_s"] == 0.07 and t["fifteen_epochs_no_graph_s"] == 1.1,
              "figures without graphs")
        check(abs(result["inference"]["latency_batch_1_ms"] - 0.04) < 1e-12 and
              abs(result["inference"]["latency_batch_1_no_graph_ms"] - 0.09) < 1e-12 and
              abs(result["inference"]["latency_batch_1_with_cam_ms"] - 0.06) < 1e-12 and
              abs(result["inference"]["latency_batch_1_with_cam_no_graph_ms"] - 0.2) < 1e-12,
              "latencies")
        text = "\n".join(printed)
        check("| PyTorch eager | 0.3 s | 4.5 s | 6.00x |" in text, "eager row:\n" + text)
        check("at least 5x faster than PyTorch eager: met (6)" in text, "eager goal met")
        check("at least 3x faster than torch.compile: not met (2.5)" in text, "compile goal not met")
        check("15 epochs with validation under 1 s: met (0.8)" in text, "15-epoch goal met")

        # Without the schedule the epoch is derived from the step medians; without PyTorch the
        # ratios stay null and the goals are "not measured".
        result, printed = run(folder, {"braincam-train": {"images_per_s": 1445.0},
                                       "braincam-infer": {"images_per_s": 3100.0}})
        t = result["training"]
        check(abs(t["braincam_epoch_s"] - 1.0) < 1e-12, "derived epoch")
        check(abs(t["fifteen_epochs_s"] - 15 * 1.1) < 1e-9, "derived 15 epochs")
        check(t["eager_ratio"] is None and t["torch_compile_epoch_s"] is None, "missing inputs null")
        check(result["baseline"] is None, "no baseline input, no baseline")
        check("at least 5x faster than PyTorch eager: not measured" in "\n".join(printed), "not measured")
        # The same inputs again, at once: a second file, the first left as it was.
        first = printed[-1]
        with open(first) as f:
            before = f.read()
        _, again = run(folder, {"braincam-train": {"images_per_s": 1445.0},
                                "braincam-infer": {"images_per_s": 3100.0}})
        second = again[-1]
        check(second != first and os.path.exists(second), "a new file: " + second)
        with open(first) as f:
            check(f.read() == before, "the earlier file is not written over")
    print("PASS: write_results.py")


if __name__ == "__main__":
    main()
