#!/usr/bin/env python3
"""Trains zegel's learned second opinion: a logistic regression over hashed
word unigrams and bigrams of the texts `zegel classify --texts` reads.

Usage (from the repository root, after `cargo build -p zegel`):

    pip install scikit-learn==1.9.1 numpy scipy
    python3 crates/zegel-assess/resources/model/train_second_opinion.py \
        target/debug/zegel tests/corpus tests/blind/*/dev ...

Every DIR holds `*.eml`, `labels.tsv` and `zegel.toml` (the layout
`scripts/quality/score.py` reads). A message is a training example when
its label says something about its content: mail with at least one
external recipient, labelled secure (with a kind) or normal. Internal-only
mail (normal whatever it holds) and mail that is secure only by a subject
tag are left out.

Writes, next to this script:
- `second_opinion.bin`: b"ZSO1", u32 bits, f32 bias, then 2**bits f32
  weights, little-endian;
- `vectors.json`: texts and the probability this model gives them, which
  the Rust tests check `src/opinion.rs` against (same tokens, same hashes).

The features (mirrored exactly in `src/opinion.rs`): each text lowercased;
tokens are maximal runs of alphanumeric characters, ASCII digits replaced
by `0`; for every token the string "u " + token, for every two adjacent
tokens of one text "b " + first + " " + second; each hashed with 64-bit
FNV-1a over its UTF-8 bytes and reduced to its low `bits` bits. A message
is the set of its hashes, each worth 1/sqrt(size of the set).
"""
import email
import email.policy
import json
import os
import struct
import subprocess
import sys
import tomllib

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

BITS = 16
C = 30.0
HERE = os.path.dirname(os.path.abspath(__file__))
FNV_OFFSET, FNV_PRIME, MASK64 = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def fnv1a(data: bytes) -> int:
    h = FNV_OFFSET
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


def tokens(text):
    out, cur = [], []
    for ch in text.lower():
        if ch.isalnum():
            cur.append("0" if "0" <= ch <= "9" else ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def hashes(texts):
    found, mask = set(), (1 << BITS) - 1
    for text in texts:
        prev = None
        for tok in tokens(text):
            found.add(fnv1a(("u " + tok).encode()) & mask)
            if prev is not None:
                found.add(fnv1a(("b " + prev + " " + tok).encode()) & mask)
            prev = tok
    return found


def matrix(messages):
    data, indices, indptr = [], [], [0]
    for texts in messages:
        hs = sorted(hashes(texts))
        data += [1.0 / np.sqrt(max(len(hs), 1))] * len(hs)
        indices += hs
        indptr.append(len(indices))
    return csr_matrix((np.array(data), np.array(indices, dtype=np.int64), np.array(indptr)),
                      shape=(len(messages), 1 << BITS))


def labels(folder):
    rows = {}
    with open(os.path.join(folder, "labels.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                rows[row["file"]] = row
    return rows


def internal_only(path, domains):
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    addresses = []
    for header in ("To", "Cc", "Bcc"):
        for value in message.get_all(header, []) or []:
            try:
                addresses += [a.addr_spec for a in value.addresses]
            except Exception:
                pass

    def internal(address):
        domain = address.rsplit("@", 1)[-1].lower()
        return any(domain == d or domain.endswith("." + d) for d in domains)

    return bool(addresses) and all(internal(a) for a in addresses)


def examples(zegel, folder):
    rows = labels(folder)
    with open(os.path.join(folder, "zegel.toml"), "rb") as f:
        config = tomllib.load(f)
    domains = [d.lower() for d in config.get("organization", {}).get("internal_domains", [])]
    files = sorted(rows)
    command = [zegel, "classify", "--texts", "--json", "--config", os.path.join(folder, "zegel.toml")]
    run = subprocess.run(command + [os.path.join(folder, f) for f in files],
                         capture_output=True, text=True, check=True)
    texts = {}
    for line in run.stdout.splitlines():
        if line.strip():
            record = json.loads(line)
            texts[os.path.basename(record["file"])] = [t["text"] for t in record["texts"]]
    for f in files:
        row = rows[f]
        secure = row["verdict"] == "secure"
        if secure and not row.get("kinds", "").strip():
            continue
        if internal_only(os.path.join(folder, f), domains):
            continue
        yield texts[f], secure


VECTOR_TEXTS = [
    ["Beste collega, de roosters voor week 12 staan in de bijlage."],
    ["Mevrouw Jansen (geb. 12-03-1948) heeft sinds gisteren een decubituswond; "
     "de huisarts schreef flucloxacilline 500 mg 4dd voor."],
    ["RE: uitslag", "Zijn HbA1c was 64 mmol/mol, graag overleg over de insuline."],
    ["Vacature: verpleegkundige GGZ (32 uur). Solliciteer vóór 1 maart!"],
    ["Ça va? Größe 42 — naïve café ÉÉN twee 2024-05-01 06-12345678"],
    [""],
]


def main():
    zegel, folders = sys.argv[1], sys.argv[2:]
    messages, ys = [], []
    for folder in folders:
        for texts, secure in examples(zegel, folder):
            messages.append(texts)
            ys.append(secure)
    y = np.array(ys)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    model.fit(matrix(messages), y)
    weights = model.coef_[0].astype("<f4")
    bias = float(model.intercept_[0])
    with open(os.path.join(HERE, "second_opinion.bin"), "wb") as f:
        f.write(b"ZSO1" + struct.pack("<If", BITS, bias) + weights.tobytes())
    probabilities = model.predict_proba(matrix(VECTOR_TEXTS))[:, 1]
    with open(os.path.join(HERE, "vectors.json"), "w", encoding="utf-8") as f:
        json.dump([{"texts": t, "probability": round(float(p), 6)}
                   for t, p in zip(VECTOR_TEXTS, probabilities)], f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(messages)} examples ({int(y.sum())} secure) from {len(folders)} folders; "
          f"{int((weights != 0).sum())} non-zero weights")


if __name__ == "__main__":
    main()
