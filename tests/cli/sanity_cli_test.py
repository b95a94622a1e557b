#!/usr/bin/env python3
"""`braincam sanity` on a tiny synthetic dataset: a model, and one of the same recipe trained on
shuffled labels (`braincam train --shuffle-labels`, marked in its metadata). sanity.json holds
every method's parameter randomization cascade and data randomization, values in range, verdicts
that follow the stated rule, figures; the same seed gives the same numbers; a shuffled model
without the mark is warned about; bad flags are refused naming them; the report gets a section.

usage: sanity_cli_test.py BRAINCAM
"""
import json
import pathlib
import struct
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "train"))
from cli_checks import check, expect, failures, run  # noqa: E402

METHODS = ["cam", "gradcam", "gradcam++", "hirescam", "layercam"]
STAGES = ["fc", "fc+att.spatial", "fc+att.spatial+att.mlp", "fc+att.spatial+att.mlp+bn1",
          "fc+att.spatial+att.mlp+bn1+conv1"]
IMAGES = 4


def metadata(checkpoint):
    with open(checkpoint, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(size))["__metadata__"]


def in_range(v, low=-1.0, high=1.0):
    return isinstance(v, (int, float)) and low - 1e-12 <= v <= high + 1e-12


def check_summary(where, s):
    rank, ssim = s["rank_correlation"], s["ssim"]
    check(f"{where}: n {s['n']}", s["n"] == IMAGES)
    check(f"{where}: rank correlation {rank['mean']}", in_range(rank["mean"]))
    check(f"{where}: SSIM {ssim['mean']}", in_range(ssim["mean"]))
    for m in (rank, ssim):
        low, high = m["interval"]
        check(f"{where}: interval {low}..{high} around {m['mean']}",
              low - 1e-12 <= m["mean"] <= high + 1e-12)
    check(f"{where}: constant maps", 0 <= s["constant_maps"] <= IMAGES)


def check_sanity(s):
    for key in ("checkpoint", "shuffled_checkpoint", "split", "images", "target", "rule",
                "randomization", "bootstrap", "ssim", "methods", "warnings", "sheets"):
        check(f"sanity.json has {key}", key in s)
    check("images", s["images"] == IMAGES and s["target"] == "tumor")
    rule = s["rule"]
    check("the rule", rule["fail_rank_correlation"] == 0.5 and ">= 0.5" in rule["text"])
    check("the cascade", s["randomization"]["stages"] == STAGES
          and s["randomization"]["seed"] == 42)
    check("SSIM settings", s["ssim"]["window"] == 11 and s["ssim"]["sigma"] == 1.5
          and abs(s["ssim"]["c1"] - 1e-4) < 1e-12 and abs(s["ssim"]["c2"] - 9e-4) < 1e-12)
    check("every method", sorted(s["methods"]) == sorted(METHODS))
    for name, m in s["methods"].items():
        cascade = m["parameter_randomization"]
        check(f"{name}: stages", [st["stage"] for st in cascade] == STAGES)
        for st in cascade:
            check_summary(f"{name} {st['stage']}", st)
        check_summary(f"{name} shuffled", m["data_randomization"])
        full = cascade[-1]["rank_correlation"]["mean"]
        shuffled = m["data_randomization"]["rank_correlation"]["mean"]
        check(f"{name}: parameter verdict follows the rule",
              m["parameter_test"] == ("fail" if full >= 0.5 else "pass"))
        check(f"{name}: data verdict follows the rule",
              m["data_test"] == ("fail" if shuffled >= 0.5 else "pass"))


def main():
    braincam = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="braincam_sanity_") as tmp:
        root = pathlib.Path(tmp)
        cache, run_dir, shuffled_dir = root / "cache", root / "run", root / "shuffled"
        expect("synth", run(braincam, "synth", "--out", root / "synth", "--count", "24",
                            "--seed", "3"), True, "")
        expect("prepare", run(braincam, "prepare", "--data", root / "synth", "--out", cache),
               True, "wrote")
        train = [braincam, "train", "--cache", cache, "--epochs", "1", "--warmup-epochs", "0",
                 "--batch", "4", "--no-charts", "--device", "cpu"]
        expect("train", run(*train, "--out", run_dir), True, "decision threshold")
        expect("train --shuffle-labels", run(*train, "--out", shuffled_dir, "--shuffle-labels"),
               True, "training labels shuffled")
        shuffled = shuffled_dir / "last.safetensors"
        check("the shuffled run is marked",
              json.loads(metadata(shuffled)["options"]).get("shuffle_labels") is True)
        check("a plain run is not",
              "shuffle_labels" not in json.loads(metadata(run_dir / "last.safetensors")["options"]))

        sanity = [braincam, "sanity", "--checkpoint", run_dir / "best.safetensors", "--cache",
                  cache, "--split", "train", "--images", str(IMAGES), "--device", "cpu"]
        result = run(*sanity, "--shuffled-checkpoint", shuffled, "--out", run_dir)
        expect("sanity", result, True, "verdict")
        for words in ("rank corr", "SSIM", "re-drawn (all layers)", "shuffled-label model",
                      "FAILS the parameter test", "bootstrap interval"):
            check(f"the printout explains '{words}'", words in result.stdout)
        check("no warning for a marked last checkpoint", "warning" not in result.stderr)
        s = json.loads((run_dir / "sanity.json").read_text())
        check_sanity(s)
        check("no warnings in sanity.json", s.get("warnings") == [])
        for name in METHODS:
            sheet = run_dir / s["sheets"][name]
            check(f"the figure of {name}", sheet.exists() and sheet.stat().st_size > 1000)

        again = run(*sanity, "--shuffled-checkpoint", shuffled, "--json", root / "again.json")
        expect("sanity again", again, True, "verdict")
        check("the same seed gives the same numbers",
              json.loads((root / "again.json").read_text())["methods"] == s["methods"])

        unmarked = run(*sanity, "--shuffled-checkpoint", run_dir / "best.safetensors",
                       "--json", root / "unmarked.json")
        expect("sanity with an unmarked shuffled model", unmarked, True, "verdict")
        check("warns about the missing mark", "shuffled-label mark" in unmarked.stderr
              and "last.safetensors" in unmarked.stderr)
        check("the warnings go into the JSON",
              len(json.loads((root / "unmarked.json").read_text())["warnings"]) == 2)

        expect("sanity without a shuffled model", run(*sanity, "--json", root / "p.json"), True,
               "The data test was not run")
        plain = json.loads((root / "p.json").read_text())
        check("data test not run", all(m["data_test"] == "not run" and
                                       m["data_randomization"] is None
                                       for m in plain["methods"].values()))

        expect("--images 0 refused", run(*sanity, "--images", "0"), False, "--images")
        expect("--split bad refused", run(*sanity, "--split", "holdout"), False, "--split")
        expect("unknown flag refused", run(*sanity, "--layers", "fc"), False, "--layers")
        expect("report", run(braincam, "report", "--run", run_dir), True, "report.html")
        html = (run_dir / "report.html").read_text()
        check("the report has the sanity checks", 'id="sanity"' in html
              and "Saliency sanity checks" in html and "+ conv1 (all)" in html)
    print("\n".join(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
