#!/usr/bin/env python3
"""benchmarks/gpu/kernel_profile.py on a made-up Nsight Compute CSV: time per step by kernel (the
template and argument lists dropped from the names), the unit row, launches per step, the JSON
output, and the baseline column with the kernels that only the baseline ran."""
import json
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks", "gpu",
                      "kernel_profile.py")

CSV = """==PROF== Connected to process 1234
"ID","Kernel Name","gpu__time_duration.sum"
"","","msecond"
"0","fused_forward(const float *, float *)","0.1"
"1","winner_sums<4>(const float *)","0.2"
"2","fused_forward(const float *, float *)","0.12"
"3","cam_row(float *)","0.01"
"""


def check(condition, what):
    if not condition:
        print("FAIL:", what)
        sys.exit(1)


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], check=True, capture_output=True,
                          text=True).stdout.splitlines()


def main():
    with tempfile.TemporaryDirectory() as folder:
        csv_path, json_path = os.path.join(folder, "p.csv"), os.path.join(folder, "p.json")
        with open(csv_path, "w") as f:
            f.write(CSV)
        printed = run(csv_path, "--steps", "2", "--json", json_path)
        check(printed[-1] == "kernel_profile: 215.0 us of kernels per step", "\n".join(printed))
        with open(json_path) as f:
            rows = json.load(f)["kernels"]
        check([r["kernel"] for r in rows] == ["fused_forward", "winner_sums", "cam_row"],
              "names, largest first: " + str(rows))
        check(abs(rows[0]["us_per_step"] - 110.0) < 1e-9 and rows[0]["launches_per_step"] == 1.0,
              "time and launches per step: " + str(rows[0]))

        baseline = {"steps": 3, "kernels": [
            {"kernel": "fused_forward", "us_per_step": 220.0},
            {"kernel": "cam_guidance", "us_per_step": 37.0}]}
        baseline_path = os.path.join(folder, "b.json")
        with open(baseline_path, "w") as f:
            json.dump(baseline, f)
        printed = run(csv_path, "--steps", "2", "--baseline", baseline_path)
        text = "\n".join(printed)
        check(printed[0].split()[-1] == "baseline", "a baseline column:\n" + text)
        check(printed[1].split()[0] == "fused_forward" and printed[1].split()[-1] == "220.0",
              "the baseline's time beside the kernel's:\n" + text)
        check(printed[2].split()[-1] == "-", "a kernel the baseline did not run:\n" + text)
        check(printed[4].split() == ["cam_guidance", "-", "37.0"],
              "a kernel only the baseline ran, last:\n" + text)
        check(printed[-1] == "kernel_profile: 215.0 us of kernels per step, baseline 257.0 us (0.837)",
              "totals:\n" + text)
    print("PASS: kernel_profile.py")


if __name__ == "__main__":
    main()
