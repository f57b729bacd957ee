#!/usr/bin/env python3
"""Builds crates/zegel-assess/resources/vocabulary/medication.txt: generic
medication names in English and Dutch spelling, from DrugBank's open data
(CC0) as packaged by the `drug-named-entity-recognition` library (MIT).

Usage:
    pip download --no-deps drug-named-entity-recognition==2.0.9 -d /tmp/dner
    cd /tmp/dner && unzip -q drug_named_entity_recognition-*.whl
    python3 scripts/resources/make_medication_list.py /tmp/dner

Selection: the library's canonical entries that carry a DrugBank id (the
name is DrugBank's, CC0) and a MedlinePlus id (so the substance is a
medication people are prescribed, not an element, a food or a reagent);
names of one word of letters, at least six letters, lowercase.
Brand names and the library's other variants are not used: their sources
(Wikipedia, among others) carry other licences.

Dutch spelling: Dutch writes most generic names as English does, but
`-in` as `-ine` (metformin -> metformine), `-ole` as `-ol` (omeprazole ->
omeprazol), `-one` as `-on` (prednisone -> prednison), `-ate` as `-aat`
(valproate -> valproaat) and `ph` as `f` (morphine -> morfine); both
spellings are written out. Output: one name per line, sorted, deduplicated.
"""
import bz2
import pickle
import re
import sys
from pathlib import Path


# Substances with a MedlinePlus page that are as much food, supplement or
# chemistry as medication: "potassium" in a recipe is not about anyone.
EXCLUDED = {"potassium", "nicotine", "niacin", "calcium", "magnesium", "sodium"}


def dutch(name):
    """The Dutch spelling of an English generic name, or None if the same."""
    words = []
    for w in name.split(" "):
        d = w
        if d.endswith("in") and not d.endswith("ein"):
            d += "e"
        elif d.endswith("ole"):
            d = d[:-1]
        elif d.endswith("one"):
            d = d[:-1]
        elif d.endswith("ate"):
            d = d[:-3] + "aat"
        d = d.replace("ph", "f")
        words.append(d)
    out = " ".join(words)
    return out if out != name else None


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    path = root / "drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2"
    data = pickle.load(bz2.open(path))["drug_canonical_to_data"]
    names = set()
    for key, value in data.items():
        if "drugbank_id" not in value or "medline_plus_id" not in value:
            continue
        if not re.fullmatch(r"[a-z]{6,}", key) or key in EXCLUDED:
            continue
        names.add(key)
        nl = dutch(key)
        if nl:
            names.add(nl)
    out = Path(__file__).resolve().parents[2] / "crates/zegel-assess/resources/vocabulary"
    out.mkdir(parents=True, exist_ok=True)
    (out / "medication.txt").write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    print(f"{len(names)} medication names")


if __name__ == "__main__":
    main()
