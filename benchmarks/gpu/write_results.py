#!/usr/bin/env python3
"""Collects one device run's GPU figures into benchmarks/results/<time>-<commit>-<card>.json.

    write_results.py --commit SHA [--kernels K.json] [--braincam-train T.json]
                     [--braincam-infer I.json] [--torch-eager E.json] [--torch-compile C.json]
                     [--card NAME] [--out-dir benchmarks/results] [--table FILE]

Inputs, each optional (a missing or unreadable one leaves its fields null):
  --kernels          the --json output of braincam_gpu_benchmarks
  --braincam-train   `braincam bench --device cuda --mode train --json` (batch 32)
  --braincam-infer   the same with --mode infer
  --braincam-train-reference  --mode train --kernels reference (the per-op kernels)
  --braincam-infer-reference  --mode infer --kernels reference
  --braincam-infer-256, --braincam-infer-1  --mode infer at batch 256 and 1 (forward replayed
                     from a graph)
  --braincam-infer-1-no-graph  --mode infer at batch 1 with --graph off
  --braincam-schedule  --mode schedule: the 15-epoch schedule timed end to end
  --braincam-schedule-no-graph  the same with --graph off (every kernel queued from the host)
  --braincam-explain-1  --mode explain at batch 1: one image with its CAM map on the host (the
                     forward and the CAM reduction replayed from a graph)
  --braincam-explain-1-no-graph  the same with --graph off
  --torch-eager/-compile  the --json output of torch_gpu_baseline.py
  --baseline-train   --mode train (batch 32) of a braincam built at an earlier commit, timed in
                     the same run (tools/build_gpu_baseline.sh), with --baseline-commit naming it

Output (docs/benchmarks.md, "Results file"; benchmarks/gpu/results.schema.json describes it),
named by the UTC time and commit of the run and never written over (a name taken gets -2, -3 ...):
  card, commit, date, time, kernels: [{name, ours_ms, library_ms, ratio, library}],
  training: {braincam_epoch_s, torch_eager_epoch_s, torch_compile_epoch_s, fifteen_epochs_s,
             torch_eager_fifteen_epochs_s, torch_compile_fifteen_epochs_s,
             braincam_setup_s, braincam_schedule_without_setup_s, braincam_epoch_no_graph_s,
             fifteen_epochs_no_graph_s, braincam_graph_mib, braincam_step_epoch_s,
             braincam_reference_epoch_s, eager_ratio, compile_ratio, method},
  inference: {images_per_s_batch_32, images_per_s_batch_32_reference, images_per_s_batch_256,
              latency_batch_1_ms, latency_batch_1_no_graph_ms, latency_batch_1_with_cam_ms,
              latency_batch_1_with_cam_no_graph_ms},
  baseline: {commit, train_step_s, train_step_s_now, step_ratio} or null
braincam's epoch and schedule are timed end to end by `braincam bench --mode schedule` (the
schedule with its set-up: images to the GPU, patch moments); without that input they are derived
from the median step times of `--mode train` and `--mode infer` (1,445 training and 310
validation images per epoch, 15 epochs). braincam_step_epoch_s is always the derived epoch (each
step computing its patch moments) and braincam_reference_epoch_s the same on the per-op kernels.
PyTorch's figures are timed end to end by torch_gpu_baseline.py. Prints the training figures
against PyTorch as a table, whether the goals of docs/benchmarks.md are met, and last the path
written.
"""
import argparse
import datetime
import itertools
import json
import os
import re
import sys

TRAIN_IMAGES, VAL_IMAGES, EPOCHS = 1445, 310, 15


def load(path):
    if not path:
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        print(f"write_results: ignoring {path}: {error}", file=sys.stderr)
        return None


def create_results_file(out_dir, stem):
    """Opens out_dir/stem.json for writing, or stem-2.json, stem-3.json ... when it exists."""
    os.makedirs(out_dir, exist_ok=True)
    for k in itertools.count(1):
        path = os.path.join(out_dir, stem + (f"-{k}" if k > 1 else "") + ".json")
        try:
            return path, open(path, "x")
        except FileExistsError:
            continue


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", required=True)
    for name in ("kernels", "braincam-train", "braincam-infer", "braincam-train-reference",
                 "braincam-infer-reference",
                 "braincam-infer-256", "braincam-infer-1", "braincam-infer-1-no-graph",
                 "braincam-explain-1", "braincam-explain-1-no-graph",
                 "braincam-schedule", "braincam-schedule-no-graph", "torch-eager",
                 "torch-compile", "baseline-train"):
        parser.add_argument(f"--{name}")
    parser.add_argument("--baseline-commit")
    parser.add_argument("--card", help="default: the card the kernel benchmarks ran on")
    parser.add_argument("--table", help="also write the table of training figures to this file")
    parser.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results"))
    args = parser.parse_args()

    kernels = load(args.kernels)
    train, infer = load(args.braincam_train), load(args.braincam_infer)
    eager, compiled = load(args.torch_eager), load(args.torch_compile)
    train_reference = load(args.braincam_train_reference)
    infer_256, infer_1 = load(args.braincam_infer_256), load(args.braincam_infer_1)
    infer_reference = load(args.braincam_infer_reference)
    explain_1 = load(args.braincam_explain_1)
    explain_1_no_graph = load(args.braincam_explain_1_no_graph)
    infer_1_no_graph = load(args.braincam_infer_1_no_graph)
    baseline_train = load(args.baseline_train)
    card = args.card or (kernels or {}).get("card") or "unknown-card"

    kernel_rows = [{"name": f"{row['name']}, batch {row['batch']}", "ours_ms": row["ours_ms"],
                    "library_ms": row["library_ms"], "ratio": row["ratio"], "library": row["library"]}
                   for row in (kernels or {}).get("rows", [])]
    schedule = load(args.braincam_schedule)
    no_graph = load(args.braincam_schedule_no_graph)
    step_epoch_s = TRAIN_IMAGES / train["images_per_s"] if train else None
    if schedule:
        braincam_epoch_s, fifteen_epochs_s = schedule["epoch_s"], schedule["total_s"]
        method = ("braincam: `braincam bench --mode schedule`, timed end to end (the 15 epochs with "
                  "their set-up)")
    else:
        braincam_epoch_s = step_epoch_s
        fifteen_epochs_s = (EPOCHS * (step_epoch_s + VAL_IMAGES / infer["images_per_s"])
                            if train and infer else None)
        method = ("braincam: median step of `braincam bench` (batch 32) times 1,445 training and "
                  "310 validation images per epoch")
    eager_epoch_s = eager["epoch_s"] if eager else None
    compile_epoch_s = compiled["epoch_s"] if compiled else None
    now = datetime.datetime.now(datetime.timezone.utc)
    result = {
        "card": card,
        "commit": args.commit,
        "date": now.date().isoformat(),
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kernels": kernel_rows,
        "ceilings": (kernels or {}).get("ceilings"),
        "training": {
            "braincam_epoch_s": braincam_epoch_s,
            "torch_eager_epoch_s": eager_epoch_s,
            "torch_compile_epoch_s": compile_epoch_s,
            "fifteen_epochs_s": fifteen_epochs_s,
            "torch_eager_fifteen_epochs_s": eager["fifteen_epochs_s"] if eager else None,
            "torch_compile_fifteen_epochs_s": compiled["fifteen_epochs_s"] if compiled else None,
            "braincam_setup_s": schedule["setup_s"] if schedule else None,
            "braincam_schedule_without_setup_s": schedule["schedule_s"] if schedule else None,
            "braincam_epoch_no_graph_s": no_graph["epoch_s"] if no_graph else None,
            "fifteen_epochs_no_graph_s": no_graph["total_s"] if no_graph else None,
            # The device memory the schedule's recorded steps hold at its end.
            "braincam_graph_mib": schedule.get("graph_mib") if schedule else None,
            "braincam_step_epoch_s": step_epoch_s,
            "braincam_reference_epoch_s": (TRAIN_IMAGES / train_reference["images_per_s"]
                                           if train_reference else None),
            "eager_ratio": eager_epoch_s / braincam_epoch_s if eager and braincam_epoch_s else None,
            "compile_ratio": (compile_epoch_s / braincam_epoch_s
                              if compiled and braincam_epoch_s else None),
            "method": method + "; PyTorch: timed end to end on random data on the GPU; "
                      "ratios: PyTorch epoch time over braincam's",
        },
        "inference": {
            "images_per_s_batch_32": infer["images_per_s"] if infer else None,
            "images_per_s_batch_32_reference": (infer_reference["images_per_s"]
                                                if infer_reference else None),
            "images_per_s_batch_256": infer_256["images_per_s"] if infer_256 else None,
            "latency_batch_1_ms": infer_1["seconds_per_step"] * 1e3 if infer_1 else None,
            "latency_batch_1_no_graph_ms": (infer_1_no_graph["seconds_per_step"] * 1e3
                                            if infer_1_no_graph else None),
            "latency_batch_1_with_cam_ms": (explain_1["seconds_per_step"] * 1e3
                                            if explain_1 else None),
            "latency_batch_1_with_cam_no_graph_ms": (explain_1_no_graph["seconds_per_step"] * 1e3
                                                     if explain_1_no_graph else None),
        },
        # The training step of an earlier commit on the same card; step_ratio is this commit's
        # step time over it (below 1: faster now).
        "baseline": {
            "commit": args.baseline_commit or None,
            "train_step_s": baseline_train["seconds_per_step"],
            "train_step_s_now": train["seconds_per_step"] if train else None,
            "step_ratio": (train["seconds_per_step"] / baseline_train["seconds_per_step"]
                           if train else None),
        } if baseline_train else None,
    }
    slug = re.sub(r"[^a-z0-9]+", "-", card.lower()).strip("-")
    commit = re.sub(r"[^0-9A-Za-z]+", "", args.commit)[:12] or "unknown"
    path, f = create_results_file(args.out_dir, f"{now.strftime('%Y-%m-%dT%H%M%SZ')}-{commit}-{slug}")
    with f:
        json.dump(result, f, indent=2)
        f.write("\n")
    table = "\n".join(training_table(result["training"])) + "\n"
    print(table, end="")
    if args.table:
        with open(args.table, "w") as f:
            f.write(table)
    print(path)
    return 0


def training_table(t):
    """The whole-training comparison as a Markdown table, with the goals of docs/benchmarks.md."""
    def seconds(v):
        return f"{v:.4g} s" if v is not None else "-"

    def faster(theirs, ours):
        return f"{theirs / ours:.2f}x" if theirs and ours else "-"

    ours, ours_15 = t["braincam_epoch_s"], t["fifteen_epochs_s"]
    lines = ["| | epoch | 15 epochs with validation | braincam faster by (epoch) |", "|---|---|---|---|",
             f"| braincam | {seconds(ours)} | {seconds(ours_15)} | |"]
    if t.get("braincam_epoch_no_graph_s") is not None:
        lines.append(f"| braincam, --graph off | {seconds(t['braincam_epoch_no_graph_s'])} | "
                     f"{seconds(t.get('fifteen_epochs_no_graph_s'))} | |")
    for label, epoch, fifteen in (("PyTorch eager", "torch_eager_epoch_s", "torch_eager_fifteen_epochs_s"),
                                  ("torch.compile", "torch_compile_epoch_s",
                                   "torch_compile_fifteen_epochs_s")):
        lines.append(f"| {label} | {seconds(t[epoch])} | {seconds(t[fifteen])} | "
                     f"{faster(t[epoch], ours)} |")

    def goal(text, value, met):
        return f"- {text}: " + ("not measured" if value is None else
                                ("met" if met(value) else "not met") + f" ({value:.3g})")

    lines += ["", goal("at least 5x faster than PyTorch eager", t["eager_ratio"], lambda r: r >= 5),
              goal("at least 3x faster than torch.compile", t["compile_ratio"], lambda r: r >= 3),
              goal("15 epochs with validation under 1 s", ours_15, lambda s: s < 1)]
    return lines


if __name__ == "__main__":
    sys.exit(main())
