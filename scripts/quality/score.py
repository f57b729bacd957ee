#!/usr/bin/env python3
"""Scores `zegel classify` against labelled folders of .eml files.

Usage: scripts/quality/score.py [--zegel BIN] [--json OUT] [--no-second-opinion] DIR [DIR ...]

Each DIR holds `*.eml`, `labels.tsv` (file, verdict, kinds, ...) and
`zegel.toml` (the organisation the labels assume). Prints, per folder and
over all: accuracy, secure recall and precision, the misses and false
alarms by file, and per finding kind how often a secure message that lists
the kind had it found (recall per kind) and how often a normal message had
a deciding finding of that kind (false alarms per kind); and the traps
with a wrong kind: normal mail to an external recipient that got a
decisive finding (confidence 0.5 or more) of a kind that makes mail
secure by itself, whatever the verdict (issue 21's target: at most 3 %).
Needs only
Python's standard library and a zegel binary (default: target/release/zegel,
else target/debug/zegel).
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def labels(folder):
    out = {}
    with open(os.path.join(folder, "labels.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            row = dict(zip(header, cols))
            row["kinds"] = [k for k in row.get("kinds", "").split(",") if k.strip()]
            out[row["file"]] = row
    return out


def classify(zegel, folder, files, extra=()):
    cmd = [zegel, "classify", "--json", *extra, "--config", os.path.join(folder, "zegel.toml")]
    cmd += [os.path.join(folder, f) for f in files]
    run = subprocess.run(cmd, capture_output=True, text=True)
    results = {}
    for line in run.stdout.splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        results[os.path.basename(r["file"])] = r
    return results


# Kinds that make mail secure by themselves (the default `secure_kinds`);
# names, addresses and phone numbers count only beside each other.
SECURE_KINDS = {"bsn", "health", "patient_dossier", "credential", "special_category",
                "id_document", "payment_card", "confidential", "date_of_birth"}


def external(result):
    """Whether zegel saw an external recipient (its warning says so)."""
    return any(w.get("kind") == "external_recipients" for w in result.get("warnings", []))


def wrong_kind(result):
    """Whether a normal message got a decisive finding of a secure kind
    (confidence 0.5 or more): what the sender would be told is in it."""
    return any(f["confidence"] >= 0.5 and f["kind"] in SECURE_KINDS
               for f in result.get("findings", []))


def deciding_kinds(result):
    """The finding kinds named by the reasons (approximated by findings)."""
    return {f["kind"] for f in result.get("findings", [])}


def score(zegel, folders, extra=()):
    total = Counter()
    per_kind = defaultdict(Counter)
    report = {"folders": {}}
    for folder in folders:
        lab = labels(folder)
        res = classify(zegel, folder, sorted(lab), extra)
        c = Counter()
        misses, alarms = [], []
        for f, row in sorted(lab.items()):
            r = res.get(f)
            got = r["verdict"] if r else "error"
            want = row["verdict"]
            if want == "secure" and got == "secure":
                c["tp"] += 1
            elif want == "secure":
                c["fn"] += 1
                misses.append(f)
            elif got == "secure":
                c["fp"] += 1
                alarms.append(f)
            else:
                c["tn"] += 1
            found = deciding_kinds(r) if r else set()
            for k in row["kinds"]:
                per_kind[k]["listed"] += 1
                per_kind[k]["found"] += k in found
            if want == "normal" and got == "secure" and r:
                for k in found:
                    per_kind[k]["false_alarm"] += 1
            # A trap: normal mail to an external recipient (internal-only
            # mail may hold real sensitive data, rightly found).
            if want == "normal" and r and external(r):
                c["traps"] += 1
                c["trap_kind"] += wrong_kind(r)
        total.update(c)
        report["folders"][folder] = {**metrics(c), "misses": misses, "false_alarms": alarms}
    report["total"] = metrics(total)
    report["kinds"] = {k: dict(v) for k, v in sorted(per_kind.items())}
    return report


def metrics(c):
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    n = tp + fp + tn + fn
    return {
        "n": n, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "accuracy": round((tp + tn) / n, 3) if n else None,
        "secure_recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "secure_precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "traps": c["traps"],
        "normal_with_wrong_kind": c["trap_kind"],
        "wrong_kind_rate": round(c["trap_kind"] / c["traps"], 3) if c["traps"] else None,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zegel")
    ap.add_argument("--json")
    ap.add_argument("--no-second-opinion", action="store_true",
                    help="score the detectors alone (zegel classify --no-second-opinion)")
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    zegel = a.zegel
    if not zegel:
        for cand in ("target/release/zegel", "target/debug/zegel"):
            if os.path.exists(os.path.join(ROOT, cand)):
                zegel = os.path.join(ROOT, cand)
                break
    if not zegel:
        sys.exit("no zegel binary: build it or pass --zegel")
    report = score(zegel, a.dirs, ["--no-second-opinion"] if a.no_second_opinion else [])
    for folder, m in report["folders"].items():
        print(f"{folder}: n={m['n']} acc={m['accuracy']} recall={m['secure_recall']} "
              f"precision={m['secure_precision']} (tp {m['tp']} fp {m['fp']} tn {m['tn']} fn {m['fn']})")
        if m["misses"]:
            print("  missed:", " ".join(m["misses"]))
        if m["false_alarms"]:
            print("  false alarms:", " ".join(m["false_alarms"]))
    t = report["total"]
    print(f"TOTAL: n={t['n']} acc={t['accuracy']} recall={t['secure_recall']} "
          f"precision={t['secure_precision']} (tp {t['tp']} fp {t['fp']} tn {t['tn']} fn {t['fn']})")
    print(f"normal external messages with a decisive finding of a secure kind: "
          f"{t['normal_with_wrong_kind']} of {t['traps']} ({t['wrong_kind_rate']})")
    print("kind\tlisted\tfound\tfalse_alarm")
    for k, v in report["kinds"].items():
        print(f"{k}\t{v.get('listed', 0)}\t{v.get('found', 0)}\t{v.get('false_alarm', 0)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
