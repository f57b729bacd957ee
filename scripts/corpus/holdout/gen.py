"""Generates the h*.eml part of tests/corpus (the blind set): 60 labelled
messages written by a second author who saw only the corpus README and
labelling rules, never the detectors. Usage: python3 gen.py OUT_DIR; then
copy OUT_DIR/h*.eml into tests/corpus/ and append OUT_DIR/labels.tsv
(without its header) to tests/corpus/labels.tsv."""
import os, random, shutil, sys, email, email.policy
import msgs_secure, msgs_normal
from lib import elfproef, luhn_ok, iban_ok

OUT = sys.argv[1] if len(sys.argv) > 1 else "holdout-out"
os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    if f.endswith(".eml") or f == "labels.tsv":
        os.remove(os.path.join(OUT, f))

items = msgs_secure.M + msgs_normal.M
random.Random(60).shuffle(items)
rows = ["file\tverdict\tkinds\tlang\tcategory\tnote"]
for i, it in enumerate(items, 1):
    fn = f"h{i:03d}_{it['slug'].lower()}.eml"
    eml = it["build"]()
    assert "\r" not in eml
    with open(os.path.join(OUT, fn), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(eml)
    assert "\t" not in it["note"]
    rows.append("\t".join([fn, it["verdict"], it["kinds"], it["lang"], it["category"], it["note"]]))
with open(os.path.join(OUT, "labels.tsv"), "w", encoding="utf-8", newline="\n") as fh:
    fh.write("\n".join(rows) + "\n")
shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "corpus", "zegel.toml"), os.path.join(OUT, "zegel.toml"))
print("wrote", len(items))
