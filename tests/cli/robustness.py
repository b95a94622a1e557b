#!/usr/bin/env python3
"""Every braincam subcommand on bad input: unknown flags, bad numbers, missing and damaged files,
a checkpoint with infinite weights, an empty folder, a decompression bomb, symbolic link loops and
a full standard output. Each refusal must exit non-zero (below 128: no crash signal) within the
time limit, name the flag or file at fault, and leave no output behind; the few cases that must
work (cam --images, CSV quoting, skipped links) are checked too.

Usage: robustness.py BRAINCAM. Needs nothing outside the repository: the dataset, checkpoint and
bad files are written into a temporary folder (standard library only).
"""
import csv
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

TIMEOUT_S = 30  # a hang or a runaway allocation shows as a failure, not a stuck run
failures = []


def run(args, cwd=None, stdout=subprocess.PIPE):
    """(exit status, stdout + stderr) of braincam ARGS; a hang counts as status 'timeout'."""
    try:
        p = subprocess.run([BRAINCAM] + args, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                           timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    out = (p.stdout or b"").decode(errors="replace") + p.stderr.decode(errors="replace")
    return p.returncode, out


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "\n     " + detail))
    if not ok:
        failures.append(name)


def temporary_leftovers():
    return [os.path.join(d, f) for d, dirs, files in os.walk(T) for f in files + dirs
            if ".tmp" in f]


def refused(name, args, names, outputs=(), cwd=None, stdout=subprocess.PIPE):
    """ARGS must fail cleanly: a status in 1..127, each of NAMES in the message, no OUTPUTS."""
    status, out = run(args, cwd, stdout)
    problems = []
    if status == "timeout":
        problems.append("no answer within %d s" % TIMEOUT_S)
    elif status == 0 or status < 0 or status >= 128:
        problems.append("exit status %s" % status)
    problems += ["message does not name %r" % n for n in names if n not in out]
    problems += ["left %s behind" % o for o in outputs if os.path.lexists(o)]
    problems += ["left %s behind" % o for o in temporary_leftovers()]
    check(name, not problems, "; ".join(problems) + "\n     braincam " + " ".join(args) +
          "\n     " + out.strip().replace("\n", "\n     ")[-1500:])


def works(name, args, expect=(), cwd=None):
    """ARGS must succeed; returns its output."""
    status, out = run(args, cwd)
    missing = [e for e in expect if e not in out]
    check(name, status == 0 and not missing,
          "exit status %s, missing %s\n     %s" % (status, missing, out.strip()[-1500:]))
    return out


# ---- inputs, written here ------------------------------------------------------------------------

def write_png(path, width, height, rows):
    """An 8-bit gray PNG of `rows` (the filtered scanlines, compressed here)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png(path, width, height, pixel):
    """An 8-bit gray PNG of pixel(x, y)."""
    write_png(path, width, height,
              b"".join(b"\0" + bytes(pixel(x, y) for x in range(width)) for y in range(height)))


def head(k, tumor):
    """A bright ring (skull) around a gray disc, a bright blob in it for a tumor; k varies it."""
    def pixel(x, y):
        d = ((x - 32) / 26.0) ** 2 + ((y - 32) / (22.0 + k)) ** 2
        if d > 1:
            return 5
        if tumor and (x - 24 - k) ** 2 + (y - 28) ** 2 < 36:
            return 250
        return 200 if d > 0.8 else 90 + 7 * k
    return pixel


def bomb_png(path, width, height):
    """A PNG declaring width x height pixels with one row of data: decoding it would take
    width * height * 3 bytes first."""
    write_png(path, width, height, b"\0" * (width + 1))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), bytearray(data[8 + n:])


def write_safetensors(path, header, data):
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + bytes(data))


def with_value(source, target, tensor, value):
    """A copy of checkpoint SOURCE with every element of F32 TENSOR set to VALUE."""
    header, data = read_safetensors(source)
    begin, end = header[tensor]["data_offsets"]
    data[begin:end] = struct.pack("<f", value) * ((end - begin) // 4)
    write_safetensors(target, header, data)


def with_metadata(source, target, changes):
    """A copy of checkpoint SOURCE with metadata CHANGES applied (a value None: key removed)."""
    header, data = read_safetensors(source)
    for key, value in changes.items():
        if value is None:
            header["__metadata__"].pop(key, None)
        else:
            header["__metadata__"][key] = value
    write_safetensors(target, header, data)


def batch(path, n):
    """A batch for `braincam step`: n gray images of 240 x 240 labelled tumor."""
    images = struct.pack("<f", 0.5) * (n * 3 * 240 * 240)
    labels = struct.pack("<f", 1.0) * n
    write_safetensors(path, {
        "images": {"dtype": "F32", "shape": [n, 3, 240, 240], "data_offsets": [0, len(images)]},
        "labels": {"dtype": "F32", "shape": [n],
                   "data_offsets": [len(images), len(images) + len(labels)]}}, images + labels)


def make_inputs():
    for k in range(6):
        png(f"{T}/data/yes/y{k}.png", 64, 64, head(k, True))
        png(f"{T}/data/no/n{k}.png", 64, 64, head(k, False))
    os.makedirs(f"{T}/empty")
    bomb_png(f"{T}/bomb.png", 12000, 9000)  # 108 million pixels: over the default cap
    shutil.copy(f"{T}/data/yes/y0.png", f'{T}/q"uo,te.png')
    os.makedirs(f"{T}/linked")
    shutil.copy(f"{T}/data/no/n0.png", f"{T}/linked/n0.png")
    os.symlink("loop", f"{T}/linked/loop")
    os.symlink("missing.png", f"{T}/linked/dangling.png")
    os.symlink(".", f"{T}/linked/up")
    batch(f"{T}/empty_batch.safetensors", 0)
    batch(f"{T}/batch.safetensors", 1)
    with open(f"{T}/notes.txt", "w") as f:
        f.write("not an image")


def train_tiny_model():
    """A cache of 12 images and a model trained one epoch on it, and a copy with infinite
    weights."""
    global CACHE, RUN, BEST, INFINITE, IMAGE
    CACHE, RUN = f"{T}/cache", f"{T}/run"
    # The twelve plain heads all look alike to the near-duplicate hash: each is kept on its own.
    works("prepare a tiny cache", ["prepare", "--data", f"{T}/data", "--out", CACHE,
                                   "--near-duplicates", "off"])
    works("train one epoch", ["train", "--cache", CACHE, "--out", RUN, "--epochs", "1",
                              "--no-charts", "--device", "cpu"])
    BEST, INFINITE = f"{RUN}/best.safetensors", f"{T}/infinite.safetensors"
    with_value(BEST, INFINITE, "fc.weight", float("inf"))
    IMAGE = f"{T}/data/yes/y1.png"


def unknown_flags():
    """Every subcommand refuses a flag it does not know, naming it (with its required options
    given, which CLI11 would report first)."""
    for command, required in [
            ("step", ["--checkpoint", BEST, "--batch", BEST, "--out", f"{T}/o0"]),
            ("train", ["--cache", CACHE, "--out", f"{T}/r0"]),
            ("crossval", ["--cache", CACHE, "--out", f"{T}/x0"]),
            ("evaluate", ["--cache", CACHE, "--checkpoint", BEST]),
            ("predict", ["--checkpoint", BEST, IMAGE]),
            ("cam", ["--checkpoint", BEST, "--out", f"{T}/cam0"]),
            ("audit", ["--checkpoint", BEST, "--cache", CACHE]),
            ("sanity", ["--checkpoint", BEST, "--cache", CACHE]),
            ("report", ["--run", RUN]),
            ("prepare", ["--data", f"{T}/data", "--out", f"{T}/c0"]),
            ("augment", ["--data", f"{T}/data", "--out", f"{T}/a0"]),
            ("sample", ["--cache", CACHE, "--out", f"{T}/sm0", "--split", "test"]),
            ("synth", ["--out", f"{T}/s0"]),
            ("bench", []),
            ("gradcheck", [])]:
        refused(f"{command}: unknown flag", [command] + required + ["--no-such-flag"],
                ["--no-such-flag"], [f"{T}/{name}" for name in ["o0", "r0", "x0", "cam0", "c0",
                                                                 "a0", "sm0", "s0"]])
    works("train --help: --max-train-images 0 means all", ["train", "--help"], ["0: all"])


def bad_numbers():
    """Numbers: NaN, infinity, negative, zero, overflowing; messages name the flag, briefly."""
    for value in ["nan", "inf", "-1", "0"]:
        refused(f"train --lr {value}", ["train", "--cache", CACHE, "--out", f"{T}/r_lr",
                                        "--lr", value], ["--lr"], [f"{T}/r_lr"])
        refused(f"step --lr {value}", ["step", "--checkpoint", BEST, "--batch", BEST,
                                       "--out", f"{T}/o_lr.safetensors", "--lr", value],
                ["--lr"], [f"{T}/o_lr.safetensors"])
    refused("train --epochs overflowing", ["train", "--cache", CACHE, "--out", f"{T}/r_ep",
                                           "--epochs", "99999999999999999999"], ["--epochs"],
            [f"{T}/r_ep"])
    status, out = run(["train", "--cache", CACHE, "--out", f"{T}/r_ep", "--epochs", "-1"])
    check("train --epochs -1: a short message", status != 0 and "--epochs" in out and
          len(out) < 300, out)
    for value in ["nan", "0", "1"]:
        refused(f"crossval --folds {value}", ["crossval", "--cache", CACHE, "--out", f"{T}/x_f",
                                              "--folds", value], ["--folds"], [f"{T}/x_f"])
    for value in ["0/3", "4/3", "1/1", "1", "a/b"]:
        refused(f"train --fold {value}", ["train", "--cache", CACHE, "--out", f"{T}/r_f",
                                          "--fold", value], ["--fold"], [f"{T}/r_f"])
    refused("cam --count 0", ["cam", "--checkpoint", BEST, "--cache", CACHE, "--out",
                              f"{T}/cam_c", "--count", "0"], ["--count"], [f"{T}/cam_c"])
    refused("predict --max-pixels 0", ["predict", "--checkpoint", BEST, IMAGE,
                                       "--max-pixels", "0"], ["--max-pixels"])
    refused("synth --count 1", ["synth", "--out", f"{T}/s_c", "--count", "1"], ["--count"],
            [f"{T}/s_c"])
    refused("bench --batch 0", ["bench", "--batch", "0"], ["--batch"])
    refused("bench: a batch beyond memory", ["bench", "--batch", "100000000", "--device", "cpu"],
            ["100000000"])
    status, out = run(["bench", "--batch", "100000", "--device", "cpu"])
    check("bench --batch 100000: a short message naming --batch and the bound",
          status != "timeout" and 0 < status < 128 and "--batch" in out and
          "4096" in out and len(out) < 300, out)
    for flag in ["--steps", "--threads", "--warmup"]:
        status, out = run(["bench", flag, "-1"])
        check(f"bench {flag} -1: a short message", status != 0 and flag in out and
              len(out) < 300, out)
    for value in ["nan", "-1", "1.5", "1000000"]:
        refused(f"evaluate --bootstrap-resamples {value}",
                ["evaluate", "--checkpoint", BEST, "--cache", CACHE, "--json", f"{T}/e_b.json",
                 "--bootstrap-resamples", value], ["--bootstrap-resamples"], [f"{T}/e_b.json"])
    for value in ["1.5", "-0.1", "nan", "abc", ""]:
        refused(f"evaluate --threshold {value!r}",
                ["evaluate", "--checkpoint", BEST, "--cache", CACHE, "--json", f"{T}/e_t.json",
                 "--threshold", value], ["--threshold"], [f"{T}/e_t.json"])
    refused("predict --threshold 2", ["predict", "--checkpoint", BEST, IMAGE, "--threshold", "2"],
            ["--threshold"])
    refused("train --threshold youden", ["train", "--cache", CACHE, "--out", f"{T}/r_t",
                                         "--threshold", "youden"], ["--threshold"], [f"{T}/r_t"])
    for command, args in [("evaluate", ["--cache", CACHE, "--json", f"{T}/e_tta.json"]),
                          ("predict", [IMAGE])]:
        refused(f"{command} --tta mirror", [command, "--checkpoint", BEST, "--tta", "mirror"] +
                args, ["--tta"], [f"{T}/e_tta.json"])
    refused("gradcheck --op unknown", ["gradcheck", "--op", "nosuch"], ["--op"])
    refused("augment --per-class bad", ["augment", "--data", f"{T}/data", "--out", f"{T}/a_pc",
                                        "--per-class", "yes=x"], ["--per-class"], [f"{T}/a_pc"])
    sample = ["sample", "--cache", CACHE, "--out", f"{T}/sm_c"]
    refused("sample --count bad", sample + ["--split", "train", "--count", "yes=x"], ["--count"],
            [f"{T}/sm_c"])
    refused("sample --count beyond the test split's groups",
            sample + ["--split", "test", "--count", "yes=50,no=1"], ["--count", "source groups"],
            [f"{T}/sm_c"])
    refused("sample --split unknown", sample + ["--split", "train,tset"], ["--split", "tset"],
            [f"{T}/sm_c"])


def training_recipe_flags():
    """The recipe's flags, shared by train and crossval: bad values and flags that do not fit the
    schedule are refused naming the flag, before anything is written; a resumed run keeps its
    own."""
    cases = [(["--lr-schedule", "linear"], "--lr-schedule"),
             (["--lr-schedule", "cosine", "--lr-min", "nan"], "--lr-min"),
             (["--lr-schedule", "cosine", "--lr-min", "-1"], "--lr-min"),
             (["--lr-schedule", "cosine", "--lr-min", "0.01"], "--lr-min"),  # not below --lr
             (["--lr-schedule", "step", "--lr-step-epochs", "0"], "--lr-step-epochs"),
             (["--lr-schedule", "cosine", "--lr-step-epochs", "2"], "--lr-step-epochs"),
             (["--plateau-patience", "2"], "--plateau-patience"),
             (["--lr-schedule", "plateau", "--plateau-patience", "-1"], "--plateau-patience"),
             (["--early-stopping", "-1"], "--early-stopping"),
             (["--early-stopping", "1.5"], "--early-stopping"),
             (["--weight-decay", "-0.1"], "--weight-decay"),
             (["--weight-decay", "nan"], "--weight-decay"),
             (["--balance", "oversample"], "--balance"),
             (["--recipe", "fast"], "--recipe"),
             (["--augment", "blur"], "--augment"),
             (["--augment", "flip,flip"], "--augment")]
    cases += [(["--lr-schedule", "step", "--lr-gamma", value], "--lr-gamma")
              for value in ["nan", "0", "1", "1.5"]]
    for flags, named in cases:
        refused("train " + " ".join(flags), ["train", "--cache", CACHE, "--out", f"{T}/r_rc",
                                             *flags], [named], [f"{T}/r_rc"])
        refused("crossval " + " ".join(flags), ["crossval", "--cache", CACHE, "--out",
                                                f"{T}/x_rc", *flags], [named], [f"{T}/x_rc"])
    refused("train --resume with --lr-schedule", ["train", "--resume", RUN, "--lr-schedule",
                                                  "cosine"], ["--lr-schedule", "--resume"])
    refused("train --resume with --recipe", ["train", "--resume", RUN, "--recipe", "seed"],
            ["--recipe", "--resume"])
    refused("train --resume with --shuffle-labels", ["train", "--resume", RUN,
                                                     "--shuffle-labels"],
            ["--shuffle-labels", "--resume"])


def missing_files():
    """Missing files and folders."""
    missing = f"{T}/missing.safetensors"
    refused("step: missing checkpoint", ["step", "--checkpoint", missing, "--batch", BEST,
                                         "--out", f"{T}/o1.safetensors"],
            ["missing.safetensors"], [f"{T}/o1.safetensors"])
    refused("train: missing cache", ["train", "--cache", f"{T}/nocache", "--out", f"{T}/r1"],
            ["nocache"], [f"{T}/r1"])
    refused("crossval: missing cache", ["crossval", "--cache", f"{T}/nocache", "--out",
                                        f"{T}/x1"], ["nocache"], [f"{T}/x1"])
    refused("evaluate: missing checkpoint", ["evaluate", "--checkpoint", missing, "--cache", CACHE,
                                             "--json", f"{T}/e1.json"],
            ["missing.safetensors"], [f"{T}/e1.json"])
    refused("predict: missing checkpoint", ["predict", "--checkpoint", missing, IMAGE],
            ["missing.safetensors"])
    refused("predict: missing image", ["predict", "--checkpoint", BEST, f"{T}/none.png"],
            ["none.png"])
    refused("cam: missing image", ["cam", "--checkpoint", BEST, "--images", f"{T}/none.png",
                                   "--out", f"{T}/cam1"], ["none.png"], [f"{T}/cam1"])
    refused("audit: missing checkpoint", ["audit", "--checkpoint", missing, "--cache", CACHE,
                                          "--out", f"{T}/au1"], ["missing.safetensors"],
            [f"{T}/au1"])
    refused("audit: missing cache", ["audit", "--checkpoint", BEST, "--cache", f"{T}/nocache",
                                     "--json", f"{T}/au2.json"], ["nocache"], [f"{T}/au2.json"])
    refused("audit: unknown split", ["audit", "--checkpoint", BEST, "--cache", CACHE, "--split",
                                     "holdout", "--out", f"{T}/au3"], ["--split", "holdout"],
            [f"{T}/au3"])
    refused("sanity: missing checkpoint", ["sanity", "--checkpoint", missing, "--cache", CACHE,
                                           "--out", f"{T}/sa1"], ["missing.safetensors"],
            [f"{T}/sa1"])
    refused("sanity: missing shuffled checkpoint", ["sanity", "--checkpoint", BEST, "--cache",
                                                    CACHE, "--shuffled-checkpoint", missing,
                                                    "--out", f"{T}/sa2"],
            ["missing.safetensors"], [f"{T}/sa2"])
    refused("report: missing run", ["report", "--run", f"{T}/norun"], ["norun"])
    refused("prepare: missing data", ["prepare", "--data", f"{T}/nodata", "--out", f"{T}/c1"],
            ["nodata"], [f"{T}/c1"])
    refused("augment: missing data", ["augment", "--data", f"{T}/nodata", "--out", f"{T}/a1"],
            ["nodata"], [f"{T}/a1"])
    refused("prepare: unknown split policy", ["prepare", "--data", f"{T}/data", "--out",
                                              f"{T}/c2", "--split-policy", "random"],
            ["--split-policy"], [f"{T}/c2"])
    refused("prepare: near-duplicate distance out of range",
            ["prepare", "--data", f"{T}/data", "--out", f"{T}/c3", "--near-duplicates", "65"],
            ["--near-duplicates"], [f"{T}/c3"])
    refused("prepare: folders policy without Training/ and Testing/",
            ["prepare", "--data", f"{T}/data", "--out", f"{T}/c4", "--split-policy", "folders"],
            ["--split-policy folders", "no/n0.png"], [f"{T}/c4/images.bin"])
    refused("synth: missing anatomy", ["synth", "--out", f"{T}/s1", "--count", "4",
                                       "--anatomy", f"{T}/none.nii.gz"], ["none.nii.gz"],
            [f"{T}/s1"])


def damaged_files():
    """Damaged or wrong files."""
    refused("evaluate: a folder as --checkpoint", ["evaluate", "--checkpoint", CACHE, "--cache",
                                                   CACHE], [CACHE, "not a regular file"])
    refused("step: a folder as --batch", ["step", "--checkpoint", BEST, "--batch", CACHE,
                                          "--out", f"{T}/o2.safetensors"], [CACHE],
            [f"{T}/o2.safetensors"])
    refused("step: a batch of no images", ["step", "--checkpoint", BEST, "--batch",
                                           f"{T}/empty_batch.safetensors",
                                           "--out", f"{T}/o3.safetensors"],
            ["empty_batch.safetensors"], [f"{T}/o3.safetensors"])
    refused("predict: a text file as checkpoint", ["predict", "--checkpoint", f"{T}/notes.txt",
                                                   IMAGE], ["notes.txt"])
    with_metadata(BEST, f"{T}/bad_threshold.safetensors", {"threshold": "abc"})
    for command, args in [("evaluate", ["--cache", CACHE, "--json", f"{T}/e_bt.json"]),
                          ("predict", [IMAGE])]:
        refused(f"{command}: a damaged stored threshold",
                [command, "--checkpoint", f"{T}/bad_threshold.safetensors"] + args,
                ["bad_threshold.safetensors", "'threshold'"], [f"{T}/e_bt.json"])
    refused("evaluate: a dataset folder as --cache", ["evaluate", "--checkpoint", BEST, "--cache",
                                                      f"{T}/data"], ["data"])
    refused("cam: a folder as --images", ["cam", "--checkpoint", BEST, "--images", f"{T}/empty",
                                          "--out", f"{T}/cam2"], ["empty"], [f"{T}/cam2"])


def infinite_weights():
    """A checkpoint with infinite weights is refused by every command that loads weights."""
    for args, outputs in [
            (["step", "--batch", f"{T}/batch.safetensors", "--out", f"{T}/o4.safetensors"],
             [f"{T}/o4.safetensors"]),
            (["evaluate", "--cache", CACHE, "--json", f"{T}/e4.json"], [f"{T}/e4.json"]),
            (["predict", IMAGE], []),
            (["cam", "--images", IMAGE, "--out", f"{T}/cam4"], [f"{T}/cam4"]),
            (["audit", "--cache", CACHE, "--out", f"{T}/au4"], [f"{T}/au4"]),
            (["sanity", "--cache", CACHE, "--out", f"{T}/sa4"], [f"{T}/sa4"])]:
        refused(f"{args[0]}: infinite weights", args + ["--checkpoint", INFINITE],
                ["infinite.safetensors", "fc.weight"], outputs)


def empty_folder():
    """An empty folder."""
    for command in ["prepare", "augment"]:
        refused(f"{command}: empty folder", [command, "--data", f"{T}/empty",
                                             "--out", f"{T}/{command}_e"],
                ["empty"], [f"{T}/{command}_e"])
    refused("predict: empty folder", ["predict", "--checkpoint", BEST, f"{T}/empty"], ["empty"])
    refused("train: empty folder as cache", ["train", "--cache", f"{T}/empty", "--out",
                                             f"{T}/r_e"], ["empty"], [f"{T}/r_e"])


def decompression_bomb():
    """A decompression bomb: refused before decoding, naming the file and the cap."""
    refused("predict: a 108-megapixel image", ["predict", "--checkpoint", BEST, f"{T}/bomb.png"],
            ["bomb.png", "12000x9000", "--max-pixels"])
    refused("cam: a 108-megapixel image", ["cam", "--checkpoint", BEST, "--images",
                                           f"{T}/bomb.png", "--out", f"{T}/cam5"],
            ["bomb.png", "12000x9000"], [f"{T}/cam5"])


def unwritable_outputs():
    """Outputs that cannot be written, or must not be."""
    with open("/dev/full", "wb") as full:
        refused("predict: stdout on a full disk", ["predict", "--checkpoint", BEST, IMAGE],
                ["standard output"], stdout=full)
        refused("evaluate: stdout on a full disk", ["evaluate", "--checkpoint", BEST, "--cache",
                                                     CACHE], ["standard output"], stdout=full)
    refused("prepare: --out inside --data", ["prepare", "--data", f"{T}/data",
                                             "--out", f"{T}/data/yes"],
            ["data/yes", "outside the dataset"], [f"{T}/data/yes/images.bin"])
    os.makedirs(f"{T}/taken")
    with open(f"{T}/taken/keep.txt", "w") as f:
        f.write("mine")
    refused("augment: a non-empty --out", ["augment", "--data", f"{T}/data", "--out",
                                           f"{T}/taken"], ["taken", "--overwrite"])
    refused("sample: --out inside the dataset, even with --overwrite",
            ["sample", "--cache", CACHE, "--out", f"{T}/data/yes", "--split", "test",
             "--overwrite"], ["data/yes", "dataset folder"])
    check("sample: the dataset is left as it was", os.path.exists(f"{T}/data/yes/y0.png"))
    refused("synth: the current folder with --overwrite",
            ["synth", "--out", ".", "--overwrite", "--count", "4"], ["current folder"],
            cwd=f"{T}/taken")
    check("synth: the current folder is left as it was",
          os.listdir(f"{T}/taken") == ["keep.txt"], str(os.listdir(f"{T}/taken")))


def what_must_work():
    """What must work: cam --images, CSV quoting, links, a new --charts folder."""
    out = works("cam --images draws Grad-CAM panels",
                ["cam", "--checkpoint", BEST, "--images", IMAGE, "--method", "gradcam",
                 "--out", f"{T}/cam_ok"])
    check("cam --images wrote its panel and scores",
          os.path.exists(f"{T}/cam_ok/gradcam/images.png") and
          os.path.exists(f"{T}/cam_ok/cam_scores.json"), out)
    status, out = run(["predict", "--checkpoint", BEST, f'{T}/q"uo,te.png', "--format", "csv"])
    rows = list(csv.reader(io.StringIO(out.split("\n", 1)[1] if "\n" in out else "")))
    check("predict --format csv quotes a name with a quote and a comma",
          status == 0 and rows and rows[0][0] == f'{T}/q"uo,te.png' and len(rows[0]) == 4, out)
    works("predict: links followed once, a loop and a broken link skipped with why",
          ["predict", "--checkpoint", BEST, f"{T}/linked"],
          ["1 images predicted", "loop: a symbolic link loop", "dangling.png: a broken symbolic",
           "up: the same folder as"])
    works("evaluate --charts makes the folder",
          ["evaluate", "--checkpoint", BEST, "--cache", CACHE, "--charts", f"{T}/new/charts"])
    check("evaluate --charts drew into the new folder",
          os.path.exists(f"{T}/new/charts/roc.png"))
    evaluate_intervals()
    decision_threshold()
    flip_tta()


def evaluate_json(name, checkpoint, *flags):
    """The JSON and the printout of evaluate on the train split, without intervals."""
    out = works(name, ["evaluate", "--checkpoint", checkpoint, "--cache", CACHE, "--split",
                       "train", "--bootstrap-resamples", "0", "--json", f"{T}/t.json", *flags])
    with open(f"{T}/t.json") as f:
        return json.load(f), out


def decision_threshold():
    """train stores a threshold in best.safetensors (not in last); evaluate and predict label
    with it and show it; a checkpoint without one labels at 0.5 and shows nothing new."""
    meta = read_safetensors(BEST)[0]["__metadata__"]
    last = read_safetensors(f"{RUN}/last.safetensors")[0]["__metadata__"]
    check("train: best.safetensors holds a threshold picked on validation, last does not",
          0 <= float(meta.get("threshold", "nan")) <= 1 and
          meta.get("threshold_rule") == "validation" and "threshold" not in last, meta)
    stored, out = evaluate_json("evaluate with the stored threshold", BEST)
    check("evaluate: the checkpoint's threshold in the JSON and the printout",
          stored.get("threshold") == float(meta["threshold"]) and "threshold: P(tumor) >" in out,
          out)
    OLD = f"{T}/no_threshold.safetensors"
    with_metadata(BEST, OLD, {"threshold": None, "threshold_rule": None, "threshold_why": None})
    old, out = evaluate_json("evaluate without a stored threshold", OLD)
    check("evaluate: no stored threshold, none shown", "threshold" not in old and
          "threshold" not in out, out)
    half, _ = evaluate_json("evaluate --threshold 0.5", BEST, "--threshold", "0.5")
    check("evaluate --threshold 0.5: the metrics of a checkpoint without a threshold",
          half.pop("threshold") == 0.5 and half == old, half)
    works("predict: labels with the stored threshold and says so",
          ["predict", "--checkpoint", BEST, IMAGE], ["label yes: P(tumor) > "])
    status, out = run(["predict", "--checkpoint", OLD, IMAGE])
    check("predict: no stored threshold, none shown", status == 0 and "threshold" not in out, out)
    status, out = run(["predict", "--checkpoint", BEST, IMAGE, "--format", "csv",
                       "--threshold", "1"])
    check("predict --threshold 1: nothing labelled yes",
          status == 0 and out.split("\n")[1].split(",")[2] == "no" and
          "(threshold of --threshold)" in out, out)
    fixed = f"{T}/run_fixed"
    works("train --threshold fixed", ["train", "--cache", CACHE, "--out", fixed, "--epochs", "1",
                                      "--no-charts", "--device", "cpu", "--threshold", "fixed"],
          ["decision threshold P(tumor) > 0.5000"])
    meta = read_safetensors(f"{fixed}/best.safetensors")[0]["__metadata__"]
    check("train --threshold fixed: 0.5 recorded as fixed",
          meta.get("threshold") == "0.5" and meta.get("threshold_rule") == "fixed", meta)


def flip_tta():
    """--tta flip: evaluate and predict run it; the threshold-free ROC AUC stays a probability."""
    flip, _ = evaluate_json("evaluate --tta flip", BEST, "--tta", "flip")
    check("evaluate --tta flip: metrics", 0 <= flip["roc_auc"] <= 1, flip)
    status, out = run(["predict", "--checkpoint", BEST, IMAGE, "--format", "csv", "--tta",
                       "flip"])
    check("predict --tta flip: a probability", status == 0 and
          0 <= float(out.split("\n")[1].split(",")[1]) <= 1, out)


def evaluate_intervals():
    """evaluate --json: a ci95 interval beside each metric that holds its value, the bootstrap's
    settings, and neither with --bootstrap-resamples 0."""
    works("evaluate --json --seed 3", ["evaluate", "--checkpoint", BEST, "--cache", CACHE,
                                       "--split", "train", "--json", f"{T}/ci.json", "--seed", "3"])
    with open(f"{T}/ci.json") as f:
        metrics = json.load(f)
    names = ["accuracy", "precision", "recall", "specificity", "f1", "roc_auc", "mean_loss"]
    ci = metrics.get("ci95", {})
    check("evaluate --json: a ci95 interval for every metric", sorted(ci) == sorted(names), ci)
    for name in names:
        value, interval = metrics[name], ci.get(name)
        check(f"evaluate --json: ci95 {name} holds the value",
              value is None or interval[0] <= value <= interval[1], f"{value} {interval}")
    check("evaluate --json: the bootstrap's settings",
          metrics.get("bootstrap", {}).get("seed") == 3 and
          metrics["bootstrap"].get("resamples") == 2000 and
          metrics["bootstrap"].get("unit") == "source group", metrics.get("bootstrap"))
    works("evaluate --bootstrap-resamples 0", ["evaluate", "--checkpoint", BEST, "--cache", CACHE,
                                               "--split", "train", "--json", f"{T}/no_ci.json",
                                               "--bootstrap-resamples", "0"])
    with open(f"{T}/no_ci.json") as f:
        plain = json.load(f)
    check("evaluate --bootstrap-resamples 0: no intervals",
          "ci95" not in plain and "bootstrap" not in plain, plain.keys())


def main():
    make_inputs()
    train_tiny_model()
    unknown_flags()
    bad_numbers()
    training_recipe_flags()
    missing_files()
    damaged_files()
    infinite_weights()
    empty_folder()
    decompression_bomb()
    unwritable_outputs()
    what_must_work()
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    BRAINCAM = os.path.abspath(sys.argv[1])
    T = tempfile.mkdtemp(prefix="braincam_cli_")
    try:
        status = main()
    finally:
        shutil.rmtree(T, ignore_errors=True)
    sys.exit(status)
