#!/usr/bin/env python3
"""benchmarks/gpu/results.schema.json against the results files: the schema is a valid JSON
Schema (draft 2020-12), every committed file in benchmarks/results/ follows it, and so does a
file write_results.py writes now from made-up inputs of every kind, so that the writer and the
schema cannot drift apart. Needs python3-jsonschema."""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCHEMA = os.path.join(ROOT, "benchmarks", "gpu", "results.schema.json")
WRITER = os.path.join(ROOT, "benchmarks", "gpu", "write_results.py")

INPUTS = {
    "kernels": {"card": "Test Card", "ceilings": {"fma_gflop_per_s": 1.0, "copy_gb_per_s": 2.0},
                "rows": [{"name": "conv5x5 forward", "batch": 32, "ours_ms": 0.5,
                          "library_ms": 1.0, "ratio": 0.5, "library": "cuDNN"}]},
    "braincam-schedule": {"setup_s": 0.05, "epoch_s": 0.05, "schedule_s": 0.75, "total_s": 0.8,
                          "graph_mib": 96.5},
    "braincam-schedule-no-graph": {"epoch_s": 0.07, "total_s": 1.1},
    "braincam-train": {"images_per_s": 16000.0, "seconds_per_step": 0.0015},
    "braincam-infer": {"images_per_s": 30000.0, "seconds_per_step": 0.001},
    "braincam-infer-1": {"seconds_per_step": 4e-5, "images_per_s": 25000},
    "torch-eager": {"epoch_s": 0.3, "fifteen_epochs_s": 4.5},
    "torch-compile": {"epoch_s": 0.125, "fifteen_epochs_s": 2.0},
    "baseline-train": {"images_per_s": 12000.0, "seconds_per_step": 0.002},
}


def written_now(folder):
    args = [sys.executable, WRITER, "--commit", "0123abc", "--baseline-commit", "fedcba9",
            "--out-dir", folder]
    for name, content in INPUTS.items():
        path = os.path.join(folder, name + ".input")
        with open(path, "w") as f:
            json.dump(content, f)
        args += ["--" + name, path]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()[-1]


def main():
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    with tempfile.TemporaryDirectory() as folder:
        files = sorted(glob.glob(os.path.join(ROOT, "benchmarks", "results", "*.json")))
        files.append(written_now(folder))
        failures = 0
        for path in files:
            with open(path) as f:
                errors = list(validator.iter_errors(json.load(f)))
            for e in errors:
                print(f"FAIL {os.path.basename(path)}: {'/'.join(map(str, e.path))}: {e.message}")
            failures += bool(errors)
        # The schema must be able to fail: a results file with a field it does not describe.
        with open(files[-1]) as f:
            bad = json.load(f)
        bad["training"]["epoch_guess_s"] = 1.0
        if validator.is_valid(bad):
            print("FAIL: the schema accepts a field it does not describe")
            failures += 1
    if failures:
        return 1
    print(f"PASS: {len(files)} results files follow the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
