#!/usr/bin/env python3
"""`braincam audit` on a tiny synthetic dataset (which has lesion masks): audit.json holds every
probe with values in range, the lesion fill ran, --threshold is the one used, the probe sheet is
written, and the report gets a shortcut-audit section from RUN/audit.json.

usage: audit_cli_test.py BRAINCAM
"""
import json
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "train"))
from cli_checks import check, expect, failures, run  # noqa: E402

PROBES = ("full", "blank", "blurred", "brain_only", "background_only", "brain_area_share",
          "sources", "lesion_fill", "verdicts", "threshold", "attention", "split", "checkpoint")
VERDICT_PROBES = ["blank", "blurred", "background_only", "brain_only", "lesion_fill"]


def share(v):
    return isinstance(v, (int, float)) and 0 <= v <= 1


def check_set(name, s, n):
    check(f"{name}: n {s['n']}, not {n}", s["n"] == n)
    check(f"{name}: accuracy {s['accuracy']}", share(s["accuracy"]))
    check(f"{name}: roc_auc {s['roc_auc']}", s["roc_auc"] is None or share(s["roc_auc"]))
    check(f"{name}: balanced_accuracy {s['balanced_accuracy']}",
          (s["balanced_accuracy"] is None) == (s["roc_auc"] is None))


def check_audit(a, n, tumors):
    for key in PROBES:
        check(f"audit.json has {key}", key in a)
    if any(key not in a for key in PROBES):
        return
    for name in ("full", "brain_only", "background_only"):
        check_set(name, a[name], n)
    # balanced accuracy: the mean of the tumor images' and the healthy images' share called right
    by_label = a["full"]["by_label"]
    balanced = (by_label["tumor"]["tumor_share"] + 1 - by_label["no_tumor"]["tumor_share"]) / 2
    check(f"full: balanced_accuracy {a['full']['balanced_accuracy']}, not {balanced}",
          abs(a["full"]["balanced_accuracy"] - balanced) < 1e-9)
    for name in ("black", "gray", "noise"):
        p = a["blank"][name]
        check(f"blank {name}", share(p["probability"])
              and p["called_tumor"] == (p["probability"] > a["threshold"]))
    for label, count in (("tumor", tumors), ("no_tumor", n - tumors)):
        for where in (a["blurred"], a["full"]["by_label"]):
            s = where[label]
            check(f"{label} scores", s["n"] == count and share(s["mean_probability"])
                  and share(s["tumor_share"]))
    check("blur sigma", a["blurred"]["sigma_px"] == 8)
    check("brain area share", 0 < a["brain_area_share"] < 1)
    rows = a["sources"]["rows"]
    check("sources by class", a["sources"]["key"] == "class" and
          sum(r["n"] for r in rows) == n and all(share(r["accuracy"]) for r in rows))
    fill = a["lesion_fill"]
    check(f"lesion fill on every tumor image: n {fill['n']}", fill["n"] == tumors)
    check("lesion fill values", share(fill.get("still_tumor_share")) and
          abs(fill["mean_probability_before"] - fill["mean_probability_after"]
              - fill["mean_drop"]) < 1e-12)
    check("verdicts", [v["probe"] for v in a["verdicts"]] == VERDICT_PROBES and
          all(v["state"] in ("pass", "shortcut", "not measured") and v["rule"] and v["message"]
              for v in a["verdicts"]))


def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="braincam_audit_") as tmp:
        root = pathlib.Path(tmp)
        cache, run_dir = root / "cache", root / "run"
        expect("synth", run(braincam, "synth", "--out", root / "synth", "--count", "24",
                            "--seed", "3"), True, "")
        expect("prepare", run(braincam, "prepare", "--data", root / "synth", "--out", cache),
               True, "wrote")
        expect("train", run(braincam, "train", "--cache", cache, "--out", run_dir, "--epochs",
                            "1", "--warmup-epochs", "0", "--batch", "4", "--no-charts",
                            "--device", "cpu"), True, "decision threshold")
        audit = [braincam, "audit", "--checkpoint", run_dir / "best.safetensors", "--cache",
                 cache, "--device", "cpu"]
        result = run(*audit, "--out", run_dir, "--split", "train")
        expect("audit", result, True, "verdict")
        for words in ("yardstick", "blank inputs", "background only", "lesion fill", "chance"):
            check(f"the printout explains '{words}'", words in result.stdout)
        labels = [line.split(",")[1:4:2] for line in
                  (cache / "manifest.csv").read_text().splitlines()[1:]]
        train = [label for label, split in labels if split == "train"]
        check_audit(json.loads((run_dir / "audit.json").read_text()), len(train),
                    train.count("1"))
        check("the probe sheet", (run_dir / "audit_probes.png").stat().st_size > 1000)

        expect("audit --threshold 0.25 --json", run(*audit, "--threshold", "0.25", "--json",
                                                    root / "out" / "a.json"), True, "0.2500")
        check("--threshold is the one used",
              json.loads((root / "out" / "a.json").read_text())["threshold"] == 0.25)
        expect("report", run(braincam, "report", "--run", run_dir), True, "report.html")
        html = (run_dir / "report.html").read_text()
        check("the report has the audit", 'id="audit"' in html and "Shortcut audit" in html
              and "lesion filled in" in html)
    print("\n".join(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
