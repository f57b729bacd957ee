import os, csv, email, email.policy, io, zipfile, re, collections
from email.utils import getaddresses
from lib import elfproef, luhn_ok
import sys
D = sys.argv[1] if len(sys.argv) > 1 else "holdout-out"
rows = list(csv.DictReader(open(f"{D}/labels.tsv", encoding="utf-8"), delimiter="\t"))
assert list(rows[0].keys()) == ["file", "verdict", "kinds", "lang", "category", "note"]
files = sorted(f for f in os.listdir(D) if f.endswith(".eml"))
assert sorted(r["file"] for r in rows) == files, "label/file mismatch"
KINDS = set("bsn iban payment_card id_document health patient_dossier credential confidential special_category date_of_birth person_name email_address phone_number postal_address".split())
def internal(a): 
    d = a.rsplit("@", 1)[-1].lower()
    return d == "zorggroephorizon.nl" or d.endswith(".zorggroephorizon.nl")
def texts(msg, depth=0):
    out = []
    for part in msg.walk():
        ct = part.get_content_type()
        if part.is_multipart(): continue
        if ct == "message/rfc822": continue
        data = part.get_payload(decode=True)
        fn = part.get_filename()
        if ct.startswith("text/"):
            out.append(data.decode(part.get_content_charset() or "utf-8"))
        elif data[:2] == b"PK":
            z = zipfile.ZipFile(io.BytesIO(data))
            stack = [z]
            while stack:
                zz = stack.pop()
                for n in zz.namelist():
                    b = zz.read(n)
                    if b[:2] == b"PK":
                        stack.append(zipfile.ZipFile(io.BytesIO(b)))
                    else:
                        out.append(b.decode("utf-8"))
        elif data[:5] == b"%PDF-":
            out.append(data.decode("latin-1"))
    return out
for r in rows:
    raw = open(f"{D}/{r['file']}", "rb").read()
    assert b"\r" not in raw, r["file"]
    for ln in raw.split(b"\n"): assert len(ln) <= 998, (r["file"], len(ln))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert not msg.defects, (r["file"], msg.defects)
    subj = str(msg["subject"])
    frm = getaddresses([str(msg["from"])])[0][1]
    assert frm.endswith("@zorggroephorizon.nl"), frm
    rcpts = [a for h in ("to", "cc", "bcc") for _, a in getaddresses([str(x) for x in msg.get_all(h, [])])]
    ext = [a for a in rcpts if not internal(a)]
    tag = bool(re.search(r"\[(veilig|secure)\]", subj, re.I))
    kinds = [k for k in r["kinds"].split(",") if k]
    assert set(kinds) <= KINDS, kinds
    assert r["verdict"] in ("secure", "normal") and r["lang"] in ("nl", "en")
    if r["verdict"] == "normal":
        assert not kinds and not tag
    else:
        assert ext or tag, r["file"]
        assert kinds or tag, r["file"]
        if "person_name" in kinds: assert len(kinds) > 1
    if not ext: assert r["verdict"] == "normal" or tag, r["file"]
    alltext = subj + "\n" + "\n".join(texts(msg))
    # also nested rfc822 parts
    for p in msg.walk():
        if p.get_content_type() == "message/rfc822":
            inner = p.get_payload()[0]
            alltext += "\n".join(texts(inner))
    nine = set(re.findall(r"(?<![\d.])(\d{4}[ .]\d{2}[ .]\d{3}|\d{9})(?![\d])", alltext))
    valid = [n for n in nine if elfproef(n)]
    if "bsn" in kinds: assert valid, r["file"]
    elif valid: print("NOTE 11-proef-valid number in", r["file"], valid)
    cards = re.findall(r"\b(?:\d{4}[ -]?){3}\d{4}\b", alltext)
    if "payment_card" in kinds: assert any(luhn_ok(c) for c in cards)
    elif any(luhn_ok(c) for c in cards): print("NOTE Luhn-valid in", r["file"])
    print(f"{r['file']:48} {r['verdict']:6} ext={len(ext)} tag={int(tag)} {subj[:50]}")
c = collections.Counter((r["verdict"], r["lang"]) for r in rows)
print(c)
print(collections.Counter(r["category"] for r in rows))
