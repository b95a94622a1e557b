#!/usr/bin/env python3
"""Where one training step's GPU time goes, from Nsight Compute's per-kernel durations.

    kernel_profile.py NCU_CSV --steps N [--json OUT] [--baseline BASELINE_JSON]

NCU_CSV is `ncu --csv --page raw --metrics gpu__time_duration.sum` over a program that ran N
identical steps (`braincam bench --steps` plus its warm-up). Prints each kernel's time per step,
its share and launches per step, largest first, and the total. Kernels that run once per program
(none in a training step today) would be divided by N too. Nsight Compute serializes the
kernels, so the total is the sum of the kernels' own times, without launch gaps.

--baseline takes the --json output of an earlier commit's profile (gpu_check.sh profiles one in
the same run) and puts its time beside each kernel's, its kernels that no longer run last.
"""
import argparse
import collections
import csv
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_path")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--json")
    parser.add_argument("--baseline")
    args = parser.parse_args()

    with open(args.csv_path) as f:
        lines = [line for line in f if line.startswith('"')]  # ncu's own messages start with ==
    rows = list(csv.DictReader(lines))
    # The row after the header gives each column's unit.
    scale = {"ns": 1.0, "nsecond": 1.0, "us": 1e3, "usecond": 1e3, "ms": 1e6, "msecond": 1e6}
    unit = rows[0].get("gpu__time_duration.sum", "") if rows else ""
    if unit not in scale:
        print(f"kernel_profile: unknown unit '{unit}' of gpu__time_duration.sum in {args.csv_path}",
              file=sys.stderr)
        return 1
    time_ns, launches = collections.Counter(), collections.Counter()
    for row in rows[1:]:
        try:
            duration = float(row.get("gpu__time_duration.sum", "").replace(",", "")) * scale[unit]
        except ValueError:
            continue
        name = row["Kernel Name"].split("(")[0].split("<")[0].strip()
        time_ns[name] += duration
        launches[name] += 1
    if not time_ns:
        print(f"kernel_profile: no kernel durations in {args.csv_path}", file=sys.stderr)
        return 1
    total = sum(time_ns.values())
    table = [{"kernel": name, "us_per_step": t / args.steps / 1e3, "share": t / total,
              "launches_per_step": launches[name] / args.steps}
             for name, t in time_ns.most_common()]
    baseline = load_baseline(args.baseline)
    print(f"{'kernel':48s} {'us/step':>9s} {'share':>6s} {'launches':>8s}"
          + (f" {'baseline':>9s}" if baseline is not None else ""))
    for row in table:
        print(f"{row['kernel'][:48]:48s} {row['us_per_step']:9.1f} {row['share']:6.1%} "
              f"{row['launches_per_step']:8.1f}" + baseline_column(baseline, row["kernel"]))
    summary = f"kernel_profile: {total / args.steps / 1e3:.1f} us of kernels per step"
    if baseline is not None:
        for name in [name for name in baseline if name not in time_ns]:
            print(f"{name[:48]:48s} {'-':>9s} {'':6s} {'':8s}" + baseline_column(baseline, name))
        baseline_total = sum(baseline.values())
        summary += f", baseline {baseline_total:.1f} us"
        if baseline_total > 0:
            summary += f" ({total / args.steps / 1e3 / baseline_total:.3g})"
    print(summary)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"steps": args.steps, "kernels": table}, f, indent=2)
    return 0


def load_baseline(path):
    """Kernel name -> us per step from an earlier --json output; None without one."""
    if not path:
        return None
    try:
        with open(path) as f:
            return {row["kernel"]: row["us_per_step"] for row in json.load(f)["kernels"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        # Not "kernel_profile:", the prefix of the summary line that gpu_check.sh looks for.
        print(f"kernel_profile.py: no baseline from {path}: {error}", file=sys.stderr)
        return None


def baseline_column(baseline, name):
    if baseline is None:
        return ""
    return f" {baseline[name]:9.1f}" if name in baseline else f" {'-':>9s}"


if __name__ == "__main__":
    sys.exit(main())
