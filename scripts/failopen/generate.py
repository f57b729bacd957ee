#!/usr/bin/env python3
"""Fail-open probe corpus for zegel (issue 19): writes tests/failopen/*.eml,
tests/failopen/labels.tsv and tests/failopen/zegel.toml, then self-checks.

Every *probe* carries clearly sensitive content (client list with valid BSNs,
or a named person with a diagnosis) from an internal sender to an EXTERNAL
recipient, hidden in ONE way (a format or a MIME trick). Every probe has a
*harmless twin*: same carrier, same cover text, harmless content. Three
extras: an AES-encrypted 7z with the password sent by SMS (normal), a
42.zip-style zip bomb and random bytes (both `secure`, way `unreadable`).

Needs (Debian 12 names; tested 2026-12-06):
    apt-get install -y 7zip imagemagick ghostscript fonts-dejavu \
        libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui \
        tesseract-ocr tesseract-ocr-nld poppler-utils
    pip install python-docx openpyxl python-pptx fpdf2 olefile tnefparse
        (tested: python-docx 1.2.0, openpyxl 3.1.5, python-pptx 1.0.2,
         fpdf2 2.8.9, olefile 0.47, tnefparse 1.4.0)
    tools used: 7zz, convert (ImageMagick 6), soffice, tesseract, pdftotext,
    pdfimages. python-pptx/olefile/tnefparse are only for building the .pptx
    source and for the self-check (independent readers of what we wrote).

Run:  python3 scripts/failopen/generate.py            (from the repo root)
      python3 scripts/failopen/generate.py --fresh    (rebuild binaries too)

Determinism: fixed seed, dates and boundaries; gzip/tar/zip with fixed
timestamps. Files made by LibreOffice (doc/xls/ppt/rtf) and the AES 7z carry
timestamps or random salts, so by default they are taken back from the
committed .eml (if present) instead of rebuilt; `--fresh` rebuilds them.
The TNEF writer (MS-OXTNEF) and the Compound File / .msg writer
(MS-CFB + MS-OXMSG) are in this file: no Debian or PyPI tool writes them.
"""

import base64
import binascii
import bz2
import email
import email.policy
import gzip
import html as htmlmod
import io
import lzma
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import uuid
import zipfile
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "failopen")
FRESH = "--fresh" in sys.argv
RNG = random.Random(20261206)
ZT = (2026, 12, 1, 9, 0, 0)
MTIME = 1796115600  # 2026-12-01 09:00 UTC
POL = email.policy.default.clone(linesep="\n", max_line_length=76)

SENDER = "Anne de Vries <anne.devries@zorggroephorizon.nl>"
RECIPIENTS = [
    "Praktijkassistente <assistente@huisartsenpraktijk-deweide.nl>",
    "Jeroen van Dam <j.vandam@gemeente-rivierstad.nl>",
    "Fysiotherapie De Linde <info@fysiotherapie-delinde.nl>",
    "Apotheek Rivierstad <recepten@apotheek-rivierstad.nl>",
]
SIGNATURE = (
    "Met vriendelijke groet,\n\nAnne de Vries\nWijkverpleegkundige\n"
    "Zorggroep Horizon\nStationsplein 1, 3511 ED Utrecht\nT 030-1234567\n"
)

# ------------------------------------------------------------ content


def bsn_valid(s):
    s = re.sub(r"\D", "", s)
    if len(s) != 9 or s == "000000000":
        return False
    t = sum(int(d) * w for d, w in zip(s[:8], range(9, 1, -1))) - int(s[8])
    return t % 11 == 0


def make_bsn():
    while True:
        first = [RNG.randint(1, 9)] + [RNG.randint(0, 9) for _ in range(7)]
        last = sum(d * w for d, w in zip(first, range(9, 1, -1))) % 11
        if last < 10:
            out = "".join(map(str, first)) + str(last)
            assert bsn_valid(out)
            return out


PEOPLE = [
    ("Marieke Jansen", "12-04-1948", "diabetes mellitus type 2", "diabetes"),
    ("Henk Bakker", "03-11-1939", "COPD GOLD III", "COPD"),
    ("Fatima el Amrani", "27-06-1955", "depressie, gebruikt sertraline", "depressie"),
    ("Pieter de Boer", "09-01-1944", "beginnende dementie (Alzheimer)", "dementie"),
    ("Sanne Mulder", "21-08-1961", "hartfalen NYHA II", "hartfalen"),
    ("Johannes Smit", "30-03-1936", "ziekte van Parkinson", "Parkinson"),
]


def pick_people(n=4):
    ppl = RNG.sample(PEOPLE, n)
    return [dict(name=p[0], dob=p[1], diag=p[2], key=p[3], bsn=make_bsn()) for p in ppl]


def client_list(sep=";"):
    """Sensitive CSV text. Returns (text, needles, kinds)."""
    ppl = pick_people(4)
    rows = [sep.join(["naam", "geboortedatum", "bsn", "diagnose"])]
    for p in ppl:
        rows.append(sep.join([p["name"], p["dob"], p["bsn"], p["diag"]]))
    text = "\n".join(rows) + "\n"
    return text, [ppl[0]["bsn"], ppl[0]["key"], ppl[1]["bsn"]], "bsn,health,person_name,date_of_birth"


def referral():
    p = pick_people(1)[0]
    text = (
        "Verwijsbrief wijkverpleging\n\n"
        f"Betreft: {p['name']}, geboren {p['dob']}\n"
        f"BSN: {p['bsn']}\n"
        f"Diagnose: {p['diag']}\n\n"
        "Graag uw beoordeling van de medicatie en een huisbezoek binnen twee weken.\n"
        "Cliënt woont zelfstandig, mantelzorg door dochter.\n"
    )
    return text, [p["bsn"], p["key"]], "bsn,health,person_name,date_of_birth"


def agenda_csv(sep=";"):
    rows = [sep.join(["tijd", "onderwerp", "zaal"]),
            sep.join(["09:30", "Opening en mededelingen", "Zaal Noord"]),
            sep.join(["10:00", "Nieuwe roosterplanning", "Zaal Noord"]),
            sep.join(["11:00", "Scholing tilliften", "Leslokaal"]),
            sep.join(["11:45", "Rondvraag", "Zaal Noord"])]
    return "\n".join(rows) + "\n", ["Rondvraag", "tilliften"]


def agenda_letter():
    text = (
        "Agenda teamoverleg wijkteam Noord\n\n"
        "1. Opening en mededelingen\n"
        "2. Nieuwe roosterplanning voor de feestdagen\n"
        "3. Scholing tilliften in het leslokaal\n"
        "4. Menu kerstlunch: erwtensoep en stamppot\n"
        "5. Rondvraag\n"
    )
    return text, ["Rondvraag", "erwtensoep"]


# ------------------------------------------------------------ mail assembly

_counter = [0]
ENTRIES = []  # dicts for labels + checks


def _stamp(msg, subject, to, n):
    msg["From"] = SENDER
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = f"Mon, 07 Dec 2026 {9 + n // 60:02d}:{n % 60:02d}:00 +0100"
    msg["Message-ID"] = f"<fo{n:03d}.20261207@zorggroephorizon.nl>"


def _fix_boundaries(msg, n):
    i = 0
    for part in msg.walk():
        if part.is_multipart():
            part.set_boundary(f"=_fo{n:03d}_{i}")
            i += 1


def build_mail(n, subject, body, to, attachments=(), html=None, html_only=False,
               body_cte=None):
    """Normal, well-formed mail with EmailMessage; attachments: (name, mime, bytes)."""
    msg = EmailMessage(policy=POL)
    _stamp(msg, subject, to, n)
    if html_only:
        msg.set_content(html, subtype="html", cte=body_cte or "quoted-printable")
    else:
        msg.set_content(body, cte=body_cte or "quoted-printable")
        if html is not None:
            msg.add_alternative(html, subtype="html", cte="quoted-printable")
    for name, mime, data in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    _fix_boundaries(msg, n)
    return msg.as_bytes(policy=POL)


def raw_mail(n, subject, to, content_type, body, extra_headers=""):
    """Hand-written MIME for the malformed ways."""
    hdr = (
        f"From: {SENDER}\nTo: {to}\nSubject: {subject}\n"
        f"Date: Mon, 07 Dec 2026 {9 + n // 60:02d}:{n % 60:02d}:00 +0100\n"
        f"Message-ID: <fo{n:03d}.20261207@zorggroephorizon.nl>\nMIME-Version: 1.0\n"
        f"{extra_headers}Content-Type: {content_type}\n\n"
    )
    return (hdr + body).encode("utf-8")


def b64lines(data):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76)) + "\n"


def qp_text(text):
    import quopri
    return quopri.encodestring(text.encode("utf-8")).decode()


def add(fname, data, verdict, kinds, way, twin_of, note, needles=(),
        expect_ocr=False, expect_no_textlayer=False):
    ENTRIES.append(dict(file=fname, data=data, verdict=verdict, kinds=kinds, way=way,
                        twin_of=twin_of, note=note, needles=list(needles),
                        ocr=expect_ocr, notext=expect_no_textlayer))


def cached_attachment(fname, attname):
    """Bytes of attachment `attname` in the committed tests/failopen/fname, or None."""
    if FRESH:
        return None
    path = os.path.join(OUT, fname)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    for part in msg.walk():
        if part.get_filename() == attname:
            return part.get_payload(decode=True)
    return None


# ------------------------------------------------------------ binary builders


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def zip_bytes(files, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, ZT)
            zi.compress_type = compression
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data, compresslevel=9 if compression == zipfile.ZIP_DEFLATED else None)
    return buf.getvalue()


def repack_fixed(ooxml):
    """Re-zip an OOXML file with fixed entry times and fixed save/comment dates."""
    src = zipfile.ZipFile(io.BytesIO(ooxml))
    files = []
    for i in src.infolist():
        data = src.read(i.filename)
        if i.filename in ("docProps/core.xml", "word/comments.xml"):
            data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?", b"2026-12-01T09:00:00Z", data)
        files.append((i.filename, data))
    return zip_bytes(files)


def gz_bytes(data, name):
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=MTIME) as g:
        g.write(data)
    return buf.getvalue()


def tar_bytes(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = MTIME
            ti.mode = 0o644
            ti.uname = ti.gname = "anne"
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def sevenz_bytes(files, password=None):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "src")
        os.mkdir(src)
        for name, data in files:
            p = os.path.join(src, name)
            with open(p, "wb") as f:
                f.write(data)
            os.utime(p, (MTIME, MTIME))
        cmd = ["7zz", "a", "-t7z", "-bd", "-mx=9", os.path.join(d, "a.7z")]
        if password:
            cmd += [f"-p{password}", "-mhe=off"]
        cmd += [name for name, _ in files]
        run(cmd, cwd=src)
        with open(os.path.join(d, "a.7z"), "rb") as f:
            return f.read()


def docx_bytes(text):
    import docx
    d = docx.Document()
    d.core_properties.author = "Anne de Vries"
    d.core_properties.created = __import__("datetime").datetime(2026, 12, 1, 9, 0)
    d.core_properties.modified = d.core_properties.created
    d.core_properties.last_modified_by = "Anne de Vries"
    for line in text.split("\n"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    # re-zip with fixed timestamps
    return repack_fixed(buf.getvalue())


def xlsx_bytes(rows):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blad1"
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for c in row:
            c.number_format = "@"  # BSN as text, keeps leading digits visible
    wb.properties.creator = "Anne de Vries"
    import datetime
    wb.properties.created = wb.properties.modified = datetime.datetime(2026, 12, 1, 9, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pptx_bytes(title, lines):
    from pptx import Presentation
    prs = Presentation()
    import datetime
    cp = prs.core_properties
    cp.author = cp.last_modified_by = "Anne de Vries"
    cp.comments = ""
    cp.created = cp.modified = datetime.datetime(2026, 12, 1, 9, 0)
    cp.revision = 1
    s = prs.slides.add_slide(prs.slide_layouts[1])
    s.shapes.title.text = title
    s.placeholders[1].text = "\n".join(lines)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def soffice_convert(src_name, data, fmt):
    """Convert with LibreOffice headless; fmt e.g. 'doc', 'xls', 'ppt', 'rtf'."""
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, src_name)
        with open(p, "wb") as f:
            f.write(data)
        run(["soffice", f"-env:UserInstallation=file://{d}/profile", "--headless",
             "--convert-to", fmt, "--outdir", os.path.join(d, "out"), p], timeout=300)
        outs = os.listdir(os.path.join(d, "out"))
        assert len(outs) == 1, outs
        with open(os.path.join(d, "out", outs[0]), "rb") as f:
            return f.read()


def office_legacy(fname, attname, fmt, build_source):
    cached = cached_attachment(fname, attname)
    if cached is not None:
        return cached
    src_name, data = build_source()
    return soffice_convert(src_name, data, fmt)


# --- TNEF (MS-OXTNEF) ---------------------------------------------------

TNEF_SIGNATURE = 0x223E9F78
LVL_MESSAGE, LVL_ATTACHMENT = 0x01, 0x02
attTnefVersion = 0x00089006
attOemCodepage = 0x00069007
attMessageClass = 0x00078008
attSubject = 0x00018004
attDateSent = 0x00038005
attBody = 0x0002800C
attAttachRenddata = 0x00069002
attAttachTitle = 0x00018010
attAttachData = 0x0006800F
attAttachModifyDate = 0x00038013


def _tnef_attr(level, attr_id, data):
    return (struct.pack("<BII", level, attr_id, len(data)) + data
            + struct.pack("<H", sum(data) & 0xFFFF))


def _tnef_date(y, mo, d, h, mi, s):
    # DTR structure: year, month, day, hour, minute, second, day of week
    import datetime
    dow = (datetime.date(y, mo, d).weekday() + 1) % 7
    return struct.pack("<7H", y, mo, d, h, mi, s, dow)


def tnef_bytes(subject, body, attachments=()):
    out = struct.pack("<IH", TNEF_SIGNATURE, 0x0A5D)
    out += _tnef_attr(LVL_MESSAGE, attTnefVersion, struct.pack("<I", 0x00010000))
    out += _tnef_attr(LVL_MESSAGE, attOemCodepage, struct.pack("<II", 1252, 0))
    out += _tnef_attr(LVL_MESSAGE, attMessageClass, b"IPM.Microsoft Mail.Note\x00")
    out += _tnef_attr(LVL_MESSAGE, attSubject, subject.encode("cp1252") + b"\x00")
    out += _tnef_attr(LVL_MESSAGE, attDateSent, _tnef_date(*ZT))
    if body is not None:
        out += _tnef_attr(LVL_MESSAGE, attBody, body.encode("cp1252"))
    for name, data in attachments:
        # attAttachRenddata starts an attachment: atyp=file, position unknown
        rend = struct.pack("<HIhhI", 0x0001, 0xFFFFFFFF, 0, 0, 0)
        out += _tnef_attr(LVL_ATTACHMENT, attAttachRenddata, rend)
        out += _tnef_attr(LVL_ATTACHMENT, attAttachTitle, name.encode("cp1252") + b"\x00")
        out += _tnef_attr(LVL_ATTACHMENT, attAttachModifyDate, _tnef_date(*ZT))
        out += _tnef_attr(LVL_ATTACHMENT, attAttachData, data)
    return out


# --- Compound File Binary (MS-CFB v3) + Outlook .msg (MS-OXMSG) --------

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _cfb_name_key(name):
    return (len(name), name.upper())


def cfb_bytes(streams, root_clsid=b"\x00" * 16):
    """streams: {"path/inside/name": bytes}. Storages are created from the paths."""
    SEC, MSEC, CUTOFF = 512, 64, 4096
    # directory tree
    nodes = [dict(name="Root Entry", type=5, children=[], data=b"", clsid=root_clsid)]
    index = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for i in range(1, len(parts)):
            sp = "/".join(parts[:i])
            if sp not in index:
                index[sp] = len(nodes)
                nodes.append(dict(name=parts[i - 1], type=1, children=[], data=b"", clsid=b"\x00" * 16))
                nodes[index["/".join(parts[:i - 1])]]["children"].append(index[sp])
        index[path] = len(nodes)
        nodes.append(dict(name=parts[-1], type=2, children=[], data=streams[path], clsid=b"\x00" * 16))
        nodes[index["/".join(parts[:-1])]]["children"].append(index[path])
    for nd in nodes:
        nd["left"] = nd["right"] = nd["child"] = NOSTREAM

    def balance(ids):
        if not ids:
            return NOSTREAM
        mid = len(ids) // 2
        r = ids[mid]
        nodes[r]["left"] = balance(ids[:mid])
        nodes[r]["right"] = balance(ids[mid + 1:])
        return r

    for nd in nodes:
        if nd["children"]:
            kids = sorted(nd["children"], key=lambda i: _cfb_name_key(nodes[i]["name"]))
            nd["child"] = balance(kids)
    # mini stream and big streams
    ministream = b""
    minifat = []
    big = []
    for i, nd in enumerate(nodes):
        if nd["type"] != 2:
            continue
        data = nd["data"]
        if len(data) == 0:
            nd["start"] = ENDOFCHAIN
        elif len(data) < CUTOFF:
            nd["start"] = len(ministream) // MSEC
            n = -(-len(data) // MSEC)
            minifat += [nd["start"] + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
            ministream += data + b"\x00" * (n * MSEC - len(data))
        else:
            big.append(i)
    nsec = lambda b: -(-b // SEC)
    dir_bytes_len = -(-len(nodes) // 4) * 4 * 128
    n_dir = nsec(dir_bytes_len)
    n_minifat = nsec(len(minifat) * 4)
    n_mini = nsec(len(ministream))
    n_big = [nsec(len(nodes[i]["data"])) for i in big]
    content = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * (SEC // 4) < content + n_fat:
        n_fat += 1
    assert n_fat <= 109
    fat = [FATSECT] * n_fat
    cur = n_fat

    def chain(n):
        nonlocal cur
        if n == 0:
            return ENDOFCHAIN
        start = cur
        fat.extend([cur + k + 1 for k in range(n - 1)] + [ENDOFCHAIN])
        cur += n
        return start

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat)
    mini_start = chain(n_mini)
    for i, n in zip(big, n_big):
        nodes[i]["start"] = chain(n)
    nodes[0]["start"] = mini_start if n_mini else ENDOFCHAIN
    nodes[0]["data_len"] = len(ministream)
    fat += [FREESECT] * (n_fat * (SEC // 4) - len(fat))
    # header
    difat = list(range(n_fat)) + [FREESECT] * (109 - n_fat)
    hdr = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
           + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
           + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, CUTOFF,
                         minifat_start if n_minifat else ENDOFCHAIN, n_minifat, ENDOFCHAIN, 0)
           + struct.pack("<109I", *difat))
    assert len(hdr) == 512
    # directory entries
    d = b""
    for nd in nodes:
        nm = nd["name"].encode("utf-16-le") + b"\x00\x00"
        assert len(nm) <= 64
        size = nd.get("data_len", len(nd["data"])) if nd["type"] != 1 else 0
        start = nd.get("start", 0) if nd["type"] != 1 else 0
        d += (nm + b"\x00" * (64 - len(nm)) + struct.pack("<HBB", len(nm), nd["type"], 1)
              + struct.pack("<III", nd["left"], nd["right"], nd["child"]) + nd["clsid"]
              + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", start, size))
    while len(d) < dir_bytes_len:
        d += b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + b"\x00" * 36 + struct.pack("<IQ", 0, 0)

    def pad(b):
        return b + b"\x00" * (-len(b) % SEC)

    body = pad(struct.pack(f"<{len(fat)}I", *fat)) + pad(d)
    if minifat:
        mf = minifat + [FREESECT] * (n_minifat * (SEC // 4) - len(minifat))
        body += pad(struct.pack(f"<{len(mf)}I", *mf))
    body += pad(ministream) if ministream else b""
    for i in big:
        body += pad(nodes[i]["data"])
    assert len(body) == (n_fat + content) * SEC
    return hdr + body


def msg_bytes(subject, body, sender_name, to):
    """Minimal Outlook item: property stream + string substg streams."""
    strings = {
        0x001A: "IPM.Note",
        0x0037: subject,
        0x1000: body,
        0x0C1A: sender_name,
        0x0E04: to,
        0x0E1D: subject,  # PR_NORMALIZED_SUBJECT
    }
    streams = {}
    props = b"\x00" * 8 + struct.pack("<IIII", 0, 0, 0, 0) + b"\x00" * 8
    for pid in sorted(strings):
        raw = strings[pid].encode("utf-16-le")
        tag = (pid << 16) | 0x001F
        streams[f"__substg1.0_{tag:08X}"] = raw
        props += struct.pack("<III I", tag, 0x6, len(raw) + 2, 0)
    # PR_MESSAGE_FLAGS (PtypInteger32) = MSGFLAG_READ
    props += struct.pack("<IIII", 0x0E070003, 0x6, 1, 0)
    streams["__properties_version1.0"] = props
    for s in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        streams["__nameid_version1.0/" + s] = b""
    clsid = uuid.UUID("00020D0B-0000-0000-C000-000000000046").bytes_le
    return cfb_bytes(streams, clsid)


# --- images / scans ----------------------------------------------------


def render_page(text, dpi, rotate=0.0, noise=False, pointsize=12):
    """Render text to a grayscale page image with ImageMagick (returns PNG bytes)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "p.png")
        w, h = int(8.27 * dpi), int(11.69 * dpi)
        cmd = ["convert", "-size", f"{w}x{h}", "xc:white", "-font", "DejaVu-Sans",
               "-density", str(dpi), "-pointsize", str(pointsize), "-fill", "black",
               "-interline-spacing", str(int(pointsize * dpi / 72 * 0.5)),
               "-annotate", f"+{int(0.9 * dpi)}+{int(1.3 * dpi)}", text.replace("%", "%%")]
        if noise:
            cmd += ["-seed", "20261207", "-attenuate", "0.3", "+noise", "Gaussian", "-blur", "0x0.5"]
        else:
            cmd += ["-blur", "0x0.4"]
        if rotate:
            cmd += ["-background", "white", "-rotate", str(rotate)]
        cmd += ["-colorspace", "Gray", "-depth", "8", "-strip",
                "-define", "png:exclude-chunks=date,time", out]
        run(cmd)
        with open(out, "rb") as f:
            return f.read()


def image_pdf(png, dpi):
    """Wrap a page image as a PDF without a text layer (fpdf2)."""
    from fpdf import FPDF
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(__import__("datetime").datetime(2026, 12, 1, 9, 0,
                          tzinfo=__import__("datetime").timezone.utc))
    pdf.set_producer("Canon iR-ADV C5535 scan")
    pdf.add_page()
    pdf.image(io.BytesIO(png), x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


# ------------------------------------------------------------ self-check readers


def normalise(s):
    s = htmlmod.unescape(s)
    s = unicodedata.normalize("NFKC", s)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Cf")
    s = "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii()
                and unicodedata.digit(ch, None) is not None else ch for ch in s)
    return s


def html_texts(s):
    attrs = re.findall(r'\b(?:alt|title|value|aria-label)\s*=\s*"([^"]*)"', s, re.I)
    no_tags = re.sub(r"<[^>]*>", "", s)
    return [no_tags, " ".join(attrs)]


def ocr(png_bytes):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "i.png")
        with open(p, "wb") as f:
            f.write(png_bytes)
        r = run(["tesseract", p, "-", "-l", "nld"])
        return r.stdout.decode("utf-8", "replace")


def rtf_text(s):
    s = re.sub(r"\\'([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]).decode("cp1252"), s)
    s = re.sub(r"\\u(-?\d+)\??", lambda m: chr(int(m.group(1)) % 65536), s)
    s = re.sub(r"\\[a-zA-Z]+-?\d* ?", "", s)
    return s.replace("{", "").replace("}", "")


def unpack(data, depth=0, name=""):
    """Independent deep reader: type by bytes, never by declared type. Yields text."""
    assert depth < 8
    out = []
    if data[:2] == b"\x1f\x8b":
        out += unpack(gzip.decompress(data), depth + 1)
    elif data[:3] == b"BZh":
        out += unpack(bz2.decompress(data), depth + 1)
    elif data[:6] == b"\xfd7zXZ\x00":
        out += unpack(lzma.decompress(data), depth + 1)
    elif data[:6] == b"7z\xbc\xaf\x27\x1c":
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "a.7z")
            with open(p, "wb") as f:
                f.write(data)
            r = subprocess.run(["7zz", "x", "-p-", "-bd", "-y", f"-o{d}/x", p], capture_output=True)
            if r.returncode != 0:
                return ["<<encrypted-or-broken-7z>>"]
            for root, _, files in os.walk(os.path.join(d, "x")):
                for fn in sorted(files):
                    with open(os.path.join(root, fn), "rb") as f:
                        out += unpack(f.read(), depth + 1, fn)
    elif data[:4] == b"PK\x03\x04":
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
        if sum(i.file_size for i in infos) > 50_000_000 or any(
                i.file_size > 1_000_000 and i.file_size > 200 * max(i.compress_size, 1) for i in infos):
            return ["<<zip-bomb>>"]
        for i in infos:
            out += unpack(z.read(i), depth + 1, i.filename)
    elif len(data) > 262 and data[257:262] == b"ustar":
        t = tarfile.open(fileobj=io.BytesIO(data))
        for m in t.getmembers():
            if m.isfile():
                out += unpack(t.extractfile(m).read(), depth + 1, m.name)
    elif data[:4] == struct.pack("<I", TNEF_SIGNATURE):
        import tnefparse
        t = tnefparse.TNEF(data)
        if t.body:
            b = t.body
            out.append(b.decode("cp1252") if isinstance(b, bytes) else b)
        for a in t.attachments:
            out += unpack(a.data, depth + 1, a.name)
    elif data[:8] == bytes.fromhex("D0CF11E0A1B11AE1"):
        import olefile
        ole = olefile.OleFileIO(io.BytesIO(data))
        for path in ole.listdir():
            b = ole.openstream(path).read()
            out.append(b.decode("utf-16-le", "ignore"))
            out.append(b.decode("latin-1"))
        ole.close()
    elif data[:5] == b"{\\rtf":
        out.append(rtf_text(data.decode("latin-1")))
    elif data[:4] == b"%PDF":
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "a.pdf")
            with open(p, "wb") as f:
                f.write(data)
            txt = run(["pdftotext", p, "-"]).stdout.decode()
            out.append("<<pdf-text>>" + txt)
            run(["pdfimages", "-png", p, os.path.join(d, "img")])
            for fn in sorted(os.listdir(d)):
                if fn.startswith("img"):
                    with open(os.path.join(d, fn), "rb") as f:
                        out.append("<<ocr>>" + ocr(f.read()))
    elif re.match(rb"(?:(?:From|To|Subject|Date|MIME-Version|Received|Return-Path): [^\n]*\n){2}", data):
        out += mime_texts(data)
    elif data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
        out.append("<<ocr>>" + ocr(data))
    else:
        if data and data.count(b"\x00") > len(data) // 4:
            txt = data.decode("utf-16-le", "replace")
        else:
            txt = data.decode("utf-8", "replace")
        out.append(txt)
        out += html_texts(txt)
        # uuencoded blocks
        for m in re.finditer(r"^begin [0-7]{3} (\S+)\n(.*?)^end$", txt, re.S | re.M):
            dec = b"".join(binascii.a2b_uu(l) for l in m.group(2).splitlines() if l.strip())
            out += unpack(dec, depth + 1, m.group(1))
        # base64 text that is not declared as such
        compact = re.sub(r"\s", "", txt)
        if len(compact) > 40 and re.fullmatch(r"[A-Za-z0-9+/]+=*", compact):
            try:
                out += unpack(base64.b64decode(compact, validate=True), depth + 1)
            except binascii.Error:
                pass
    return out


def mime_texts(raw):
    """Every reading of a message: Python's parse plus alternative readings of
    the structure (each boundary parameter, each Content-Type, the epilogue)."""
    readings = [raw]
    text = raw.decode("utf-8", "replace")
    # duplicate boundary parameters: one reading per boundary
    for m in re.finditer(r"(Content-Type: multipart/\w+)((?:;\s*boundary=\"[^\"]+\"){2,})", text):
        for b in re.findall(r'boundary="([^"]+)"', m.group(2)):
            readings.append(text.replace(m.group(0), f'{m.group(1)}; boundary="{b}"').encode())
    # duplicate Content-Type in one header block: a reading without the first one
    blocks = re.finditer(r"((?:^[^\n]+\n)+)", text, re.M)
    for bl in blocks:
        cts = re.findall(r"^Content-Type:[^\n]*\n", bl.group(1), re.M)
        if len(cts) > 1:
            readings.append(text.replace(bl.group(1), bl.group(1).replace(cts[0], "", 1), 1).encode())
    out = []
    for r in readings:
        msg = email.message_from_bytes(r, policy=email.policy.default)
        for part in msg.walk():
            if part.is_multipart():
                for extra in (part.preamble, part.epilogue):
                    if extra and extra.strip():
                        out.append(extra)
                        b = part.get_boundary()
                        if b and f"--{b}" in extra:
                            sub = email.message_from_string(
                                f'Content-Type: multipart/mixed; boundary="{b}"\n\n' + extra,
                                policy=email.policy.default)
                            for sp in sub.walk():
                                if not sp.is_multipart():
                                    out += unpack(sp.get_payload(decode=True) or b"")
                continue
            payload = part.get_payload(decode=True) or b""
            cs = part.get_content_charset()
            if cs and part.get_content_maintype() == "text":
                try:
                    out += unpack(payload.decode(cs).encode("utf-8"))
                    continue
                except (LookupError, UnicodeDecodeError):
                    pass
            out += unpack(payload)
        out.append(str(msg["Subject"]))
    return out


def valid_bsns(text):
    return [m for m in re.findall(r"(?<!\d)\d{9}(?!\d)", text) if bsn_valid(m)]


# ------------------------------------------------------------ the ways

WAYS = []  # (slug, builder(n, sensitive: bool, fname) -> (bytes, needles, kinds, note))


def way(slug):
    def deco(fn):
        WAYS.append((slug, fn))
        return fn
    return deco


def payload(sensitive, kind="list"):
    """(text, needles, kinds) sensitive or harmless, same shape."""
    if sensitive:
        return client_list() if kind == "list" else referral()
    t, n = agenda_csv() if kind == "list" else agenda_letter()
    return t, n, ""


COVER = "Beste collega,\n\nZoals besproken, zie de bijlage.\n\n" + SIGNATURE


def attach_way(slug, subject, attname, mime, make, kind="list", note=""):
    def builder(n, sensitive, fname):
        text, needles, kinds = payload(sensitive, kind)
        data = make(text.encode("utf-8"), fname, attname)
        raw = build_mail(n, subject, COVER, RECIPIENTS[n % len(RECIPIENTS)],
                         [(attname, mime, data)])
        return raw, needles, kinds, note
    WAYS.append((slug, builder))


attach_way("7z", "Bestand voor donderdag", "overzicht.7z", "application/x-7z-compressed",
           lambda b, f, a: sevenz_bytes([("overzicht.csv", b)]),
           note="CSV inside an unencrypted 7z archive (7-Zip default format).")
attach_way("gz", "Bestand voor donderdag", "overzicht.csv.gz", "application/gzip",
           lambda b, f, a: gz_bytes(b, "overzicht.csv"), note="CSV compressed with gzip.")
attach_way("tar", "Stukken overdracht", "overdracht.tar", "application/x-tar",
           lambda b, f, a: tar_bytes([("overdracht/LEESMIJ.txt", b"Zie overzicht.csv\n"),
                                      ("overdracht/overzicht.csv", b)]),
           note="CSV inside an uncompressed POSIX tar.")
attach_way("tar_gz", "Stukken overdracht", "overdracht.tar.gz", "application/gzip",
           lambda b, f, a: gz_bytes(tar_bytes([("overdracht/overzicht.csv", b)]), "overdracht.tar"),
           note="CSV inside tar inside gzip (.tar.gz).")
attach_way("tgz", "Stukken overdracht", "overdracht.tgz", "application/x-compressed-tar",
           lambda b, f, a: gz_bytes(tar_bytes([("overzicht.csv", b)]), "overdracht.tar"),
           note="CSV inside a .tgz.")
attach_way("bz2", "Bestand voor donderdag", "overzicht.csv.bz2", "application/x-bzip2",
           lambda b, f, a: bz2.compress(b, 9), note="CSV compressed with bzip2.")
attach_way("xz", "Bestand voor donderdag", "overzicht.csv.xz", "application/x-xz",
           lambda b, f, a: lzma.compress(b, preset=6), note="CSV compressed with xz.")
attach_way("tnef_attachment", "Bestand voor donderdag", "winmail.dat", "application/ms-tnef",
           lambda b, f, a: tnef_bytes("Bestand voor donderdag", "Zie bijlage.\r\n",
                                      [("overzicht.csv", b)]),
           note="CSV as an attachment inside a TNEF winmail.dat (attAttachData).")
attach_way("msg", "Doorgestuurd bericht", "Verwijzing.msg", "application/vnd.ms-outlook",
           lambda b, f, a: msg_bytes("Verwijzing", b.decode("utf-8").replace("\n", "\r\n"), "Anne de Vries",
                                     "Praktijkassistente"),
           kind="letter", note="Letter as the body of an attached Outlook .msg item (CFB).")
attach_way("nested_zip_7z_gz", "Archief overdracht", "archief.7z.gz", "application/gzip",
           lambda b, f, a: gz_bytes(sevenz_bytes([("stukken.zip", zip_bytes([("overzicht.csv", b)]))]),
                                    "archief.7z"),
           note="CSV in a zip in a 7z in a gzip.")


@way("tnef_body")
def _tnef_body(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "letter")
    data = tnef_bytes("Verwijzing", text.replace("\n", "\r\n"))
    raw = build_mail(n, "Verwijzing", "Zie het bericht.\n\n" + SIGNATURE,
                     RECIPIENTS[n % len(RECIPIENTS)], [("winmail.dat", "application/ms-tnef", data)])
    return raw, needles, kinds, "Rich-text body only in the TNEF attBody; the plain body says nothing."


def _legacy(slug, attname, mime, fmt, src):
    def builder(n, sensitive, fname):
        text, needles, kinds = payload(sensitive, "list" if fmt == "xls" else "letter")
        data = office_legacy(fname, attname, fmt, lambda: src(text))
        raw = build_mail(n, "Stukken voor het overleg", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                         [(attname, mime, data)])
        return raw, needles, kinds, f"Content in a legacy binary .{fmt} made by LibreOffice."
    WAYS.append((slug, builder))


_legacy("doc", "verwijzing.doc", "application/msword", "doc",
        lambda t: ("verwijzing.docx", docx_bytes(t)))
_legacy("xls", "overzicht.xls", "application/vnd.ms-excel", "xls",
        lambda t: ("overzicht.xlsx", xlsx_bytes([r.split(";") for r in t.strip().split("\n")])))
_legacy("ppt", "overleg.ppt", "application/vnd.ms-powerpoint", "ppt",
        lambda t: ("overleg.pptx", pptx_bytes(t.split("\n")[0], [l for l in t.split("\n")[1:] if l])))
_legacy("rtf", "verwijzing.rtf", "application/rtf", "rtf",
        lambda t: ("verwijzing.docx", docx_bytes(t)))


@way("uuencode_body")
def _uu(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    data = text.encode("utf-8")
    lines = ["begin 644 overzicht.csv"]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i:i + 45]).decode().rstrip("\n"))
    lines += ["`", "end"]
    body = "Beste collega,\n\nHet bestand staat hieronder.\n\n" + "\n".join(lines) + "\n\n" + SIGNATURE
    raw = build_mail(n, "Bestand voor donderdag", body, RECIPIENTS[n % len(RECIPIENTS)],
                     body_cte="7bit")
    return raw, needles, kinds, "CSV uuencoded inside the text/plain body."


def _scan(slug, dpi, rotate):
    def builder(n, sensitive, fname):
        text, needles, kinds = payload(sensitive, "letter")
        header = "Zorggroep Horizon - wijkteam Noord\nStationsplein 1, 3511 ED Utrecht\n\n"
        png = render_page(header + text, dpi, rotate=rotate)
        pdf = image_pdf(png, dpi)
        raw = build_mail(n, "Scan verwijsbrief", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                         [("scan_20261207.pdf", "application/pdf", pdf)])
        rot = f", rotated {rotate} degrees" if rotate else ""
        return raw, needles, kinds, f"Scanned letter: PDF with only a {dpi} dpi page image{rot}, no text layer."
    WAYS.append((slug, builder))


_scan("scan_pdf_150dpi", 150, 0)
_scan("scan_pdf_300dpi_rotated", 300, 2.5)


@way("photo_png_form")
def _photo(n, sensitive, fname):
    if sensitive:
        p = pick_people(1)[0]
        form = ("AANMELDFORMULIER WIJKVERPLEGING\n\n"
                f"Naam cliënt:      {p['name']}\nGeboortedatum:    {p['dob']}\n"
                f"BSN:              {p['bsn']}\nDiagnose:         {p['diag']}\n"
                "Zorgvraag:        wondzorg en medicatie, 2x per dag\n")
        needles, kinds = [p["bsn"], p["key"]], "bsn,health,person_name,date_of_birth"
    else:
        form = ("BESTELFORMULIER KANTOORARTIKELEN\n\nAfdeling:         Wijkteam Noord\n"
                "Artikel:          koffiebonen, 6 pakken\nArtikel:          printpapier A4, 5 dozen\n"
                "Levering:         vrijdagochtend\n")
        needles, kinds = ["koffiebonen"], ""
    png = render_page(form, 150, rotate=-1.5, noise=True, pointsize=14)
    html = ("<html><body><p>Beste collega,</p><p>Zoals besproken, zie de bijlage.</p>"
            "<p>Met vriendelijke groet,<br>Anne de Vries<br>Wijkverpleegkundige<br>Zorggroep Horizon</p>"
            "</body></html>")
    raw = build_mail(n, "Formulier", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("IMG_20261207_0912.png", "image/png", png)], html=html)
    return raw, needles, kinds, "Photo (PNG, large, not referenced by the HTML) of a filled-in form."


def _table_html(text):
    rows = [r.split(";") for r in text.strip().split("\n")]
    cells = "".join("<tr>" + "".join(f"<td>{htmlmod.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table border=\"1\">{cells}</table>"


@way("alternative_html_only_data")
def _alt(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    html = ("<html><body><p>Beste collega,</p><p>Zie hieronder.</p>" + _table_html(text)
            + "<p>Met vriendelijke groet,<br>Anne de Vries</p></body></html>")
    raw = build_mail(n, "Overzicht", "Beste collega,\n\nZie hieronder.\n\n" + SIGNATURE,
                     RECIPIENTS[n % len(RECIPIENTS)], html=html)
    return raw, needles, kinds, "multipart/alternative: text/plain says 'zie hieronder', the HTML holds the table."


def _html_way(slug, wrap, note):
    def builder(n, sensitive, fname):
        text, needles, kinds = payload(sensitive, "letter")
        flat = " ".join(l for l in text.split("\n") if l)
        hidden = wrap(htmlmod.escape(flat, quote=True), text)
        html = ("<html><body><p>Beste collega,</p><p>Zoals besproken.</p>" + hidden
                + "<p>Met vriendelijke groet,<br>Anne de Vries<br>Wijkverpleegkundige<br>"
                "Zorggroep Horizon</p></body></html>")
        raw = build_mail(n, "Verwijzing", None, RECIPIENTS[n % len(RECIPIENTS)], html=html, html_only=True)
        return raw, needles, kinds, note
    WAYS.append((slug, builder))


_html_way("html_img_alt", lambda f, t: f'<p><img src="cid:none@x" alt="{f}" width="1" height="1"></p>',
          "HTML-only; the data is only in an <img alt> (shown when images are blocked).")
_html_way("html_title", lambda f, t: f'<p><span title="{f}">Gegevens</span></p>',
          "HTML-only; the data is only in a title attribute (tooltip).")
_html_way("html_noscript", lambda f, t: f"<noscript><p>{f}</p></noscript>",
          "HTML-only; the data in <noscript> (mail clients run no script, so they show it).")
_html_way("html_svg_text", lambda f, t: f'<svg width="900" height="40"><text x="0" y="20">{f}</text></svg>',
          "HTML-only; the data in <svg><text>.")
_html_way("html_input_value", lambda f, t: f'<form><input type="text" size="120" value="{f}"></form>',
          "HTML-only; the data in an <input value>.")
_html_way("html_textarea", lambda f, t: f"<textarea rows=\"8\" cols=\"80\">{htmlmod.escape(t)}</textarea>",
          "HTML-only; the data in a <textarea>.")


def _digits_way(slug, transform, html, note):
    def builder(n, sensitive, fname):
        if sensitive:
            b = make_bsn()
            line = (f"Kunt u de eigen bijdrage voor de cliënt met BSN {transform(b)} per 1 januari "
                    "stopzetten? De cliënt is verhuisd.")
            needles, kinds = [b], "bsn"
        else:
            line = (f"Het overleg is op {transform('17')} december om {transform('14')}:{transform('30')} "
                    f"in zaal {transform('12')}; de receptie is bereikbaar op {transform('030')}-{transform('1234567')}.")
            needles, kinds = ["zaal 12"], ""
        if html:
            body = (f"<html><body><p>Beste collega,</p><p>{line}</p><p>Met vriendelijke groet,<br>"
                    "Anne de Vries<br>Zorggroep Horizon</p></body></html>")
            raw = build_mail(n, "Eigen bijdrage", None, RECIPIENTS[n % len(RECIPIENTS)],
                             html=body, html_only=True)
        else:
            raw = build_mail(n, "Eigen bijdrage", f"Beste collega,\n\n{line}\n\n" + SIGNATURE,
                             RECIPIENTS[n % len(RECIPIENTS)])
        return raw, needles, kinds, note
    WAYS.append((slug, builder))


_digits_way("digits_zero_width_space", lambda s: "\u200b".join(s), False,
            "BSN digits separated by U+200B zero-width space (text/plain).")
_digits_way("digits_soft_hyphen", lambda s: "&shy;".join(s), True,
            "BSN digits separated by &shy; soft hyphens (HTML).")
_digits_way("digits_word_joiner", lambda s: "\u2060".join(s), False,
            "BSN digits separated by U+2060 word joiner (text/plain).")
_digits_way("digits_fullwidth", lambda s: "".join(chr(0xFF10 + int(c)) for c in s), False,
            "BSN written in fullwidth digits U+FF10-FF19.")
_digits_way("digits_arabic_indic", lambda s: "".join(chr(0x0660 + int(c)) for c in s), False,
            "BSN written in Arabic-Indic digits U+0660-0669.")
_digits_way("digits_split_spans",
            lambda s: "".join(f"<span>{s[i:i + 2]}</span>" for i in range(0, len(s), 2)), True,
            "BSN digits split over HTML <span> elements.")


@way("utf16le_no_bom")
def _utf16(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    data = text.encode("utf-16-le")
    raw = build_mail(n, "Bestand voor donderdag", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("overzicht.txt", "text/plain", b"")])
    # replace the empty text attachment by a base64 UTF-16LE one, no charset, no BOM
    msg = email.message_from_bytes(raw, policy=POL)
    for part in msg.walk():
        if part.get_filename() == "overzicht.txt":
            part.set_payload(b64lines(data))
            del part["Content-Transfer-Encoding"]
            part["Content-Transfer-Encoding"] = "base64"
            part.set_param("charset", None)
            del part["Content-Type"]
            part["Content-Type"] = 'text/plain; name="overzicht.txt"'
    return msg.as_bytes(policy=POL), needles, kinds, "Text attachment in UTF-16LE without BOM, no charset declared."


@way("zip_as_text_plain")
def _zip_txt(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    data = zip_bytes([("overzicht.csv", text.encode("utf-8"))])
    raw = build_mail(n, "Bestand voor donderdag", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("notities.txt", "text/plain", data)])
    return raw, needles, kinds, "A ZIP archive sent as text/plain named notities.txt."


@way("docx_as_jpg")
def _docx_jpg(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "letter")
    raw = build_mail(n, "Agenda", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("agenda.jpg", "image/jpeg", docx_bytes(text))])
    return raw, needles, kinds, "A DOCX named agenda.jpg with Content-Type image/jpeg."


def _mixed_raw(n, subject, parts_text, boundary, extra_ct="", tail=""):
    return raw_mail(n, subject, RECIPIENTS[n % len(RECIPIENTS)],
                    f'multipart/mixed; boundary="{boundary}"{extra_ct}',
                    "This is a multi-part message in MIME format.\n\n" + parts_text + tail)


def _cover_part(b):
    return (f"--{b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            + qp_text(COVER) + "\n")


@way("base64_declared_7bit")
def _b64_7bit(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    b = f"=_fo{n:03d}_0"
    part = (f'--{b}\nContent-Type: text/csv; charset=utf-8; name="overzicht.csv"\n'
            f'Content-Disposition: attachment; filename="overzicht.csv"\nContent-Transfer-Encoding: 7bit\n\n'
            + b64lines(text.encode("utf-8")))
    raw = _mixed_raw(n, "Bestand voor donderdag", _cover_part(b) + part, b, tail=f"--{b}--\n")
    return raw, needles, kinds, "Attachment body is base64 but declared Content-Transfer-Encoding: 7bit."


@way("duplicate_content_type")
def _dup_ct(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    b = f"=_fo{n:03d}_0"
    part = (f'--{b}\nContent-Type: image/png; name="logo.png"\n'
            f'Content-Type: text/csv; charset=utf-8; name="overzicht.csv"\n'
            f'Content-Disposition: attachment; filename="overzicht.csv"\nContent-Transfer-Encoding: base64\n\n'
            + b64lines(text.encode("utf-8")))
    raw = _mixed_raw(n, "Bestand voor donderdag", _cover_part(b) + part, b, tail=f"--{b}--\n")
    return raw, needles, kinds, ("Part with two Content-Type headers: first image/png (logo, skipped by a "
                                 "first-wins parser), second text/csv with the data.")


@way("duplicate_boundary_param")
def _dup_b(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    a, b = f"=_fo{n:03d}_a", f"=_fo{n:03d}_b"
    body = (
        f"--{a}\nContent-Type: text/plain; charset=utf-8\n\nZie het volgende bericht.\n\n--{a}--\n"
        + _cover_part(b)
        + f'--{b}\nContent-Type: text/csv; charset=utf-8; name="overzicht.csv"\n'
        f'Content-Disposition: attachment; filename="overzicht.csv"\nContent-Transfer-Encoding: base64\n\n'
        + b64lines(text.encode("utf-8")) + f"--{b}--\n")
    raw = raw_mail(n, "Bestand voor donderdag", RECIPIENTS[n % len(RECIPIENTS)],
                   f'multipart/mixed; boundary="{a}"; boundary="{b}"', body)
    return raw, needles, kinds, ("Two boundary parameters: the first gives a harmless part, the second "
                                 "(used by last-wins parsers) the attachment.")


@way("missing_closing_boundary")
def _missing_close(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    b = f"=_fo{n:03d}_0"
    part = (f'--{b}\nContent-Type: text/csv; charset=utf-8; name="overzicht.csv"\n'
            f'Content-Disposition: attachment; filename="overzicht.csv"\nContent-Transfer-Encoding: base64\n\n'
            + b64lines(text.encode("utf-8")))
    raw = _mixed_raw(n, "Bestand voor donderdag", _cover_part(b) + part, b)
    return raw, needles, kinds, "Last part (the attachment) has no closing boundary."


@way("part_after_closing_boundary")
def _after_close(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    b = f"=_fo{n:03d}_0"
    part = (f'--{b}\nContent-Type: text/csv; charset=utf-8; name="overzicht.csv"\n'
            f'Content-Disposition: attachment; filename="overzicht.csv"\nContent-Transfer-Encoding: base64\n\n'
            + b64lines(text.encode("utf-8")) + f"--{b}--\n")
    raw = _mixed_raw(n, "Bestand voor donderdag", _cover_part(b) + f"--{b}--\n", b, tail=part)
    return raw, needles, kinds, "The attachment part follows the closing boundary (in the epilogue)."


# --- careless-colleague extras: what Office keeps but does not show -----


def docx_tracked_deletion(visible, deleted):
    """DOCX whose visible text is `visible`; `deleted` survives as a tracked deletion."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    d = docx.Document()
    d.core_properties.author = d.core_properties.last_modified_by = "Anne de Vries"
    for line in visible.split("\n"):
        d.add_paragraph(line)
    for i, line in enumerate(deleted.split("\n")):
        p = d.add_paragraph()
        p._p.append(parse_xml(
            f'<w:del {nsdecls("w")} w:id="{100 + i}" w:author="Anne de Vries" '
            f'w:date="2026-12-01T09:00:00Z"><w:r><w:delText xml:space="preserve">'
            f'{htmlmod.escape(line, quote=False)}</w:delText></w:r></w:del>'))
    buf = io.BytesIO()
    d.save(buf)
    return repack_fixed(buf.getvalue())


def docx_with_comment(visible, comment):
    import docx
    d = docx.Document()
    d.core_properties.author = d.core_properties.last_modified_by = "Anne de Vries"
    paras = [d.add_paragraph(line) for line in visible.split("\n")]
    d.add_comment(paras[0].runs, text=comment, author="Anne de Vries", initials="AdV")
    buf = io.BytesIO()
    d.save(buf)
    return repack_fixed(buf.getvalue())


def xlsx_hidden_sheet(visible_rows, hidden_rows):
    import datetime
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rooster"
    for r in visible_rows:
        ws.append(r)
    hs = wb.create_sheet("Blad2")
    for r in hidden_rows:
        hs.append(r)
    hs.sheet_state = "hidden"
    wb.properties.creator = "Anne de Vries"
    wb.properties.created = wb.properties.modified = datetime.datetime(2026, 12, 1, 9, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return repack_fixed(buf.getvalue())


ROSTER = [["dag", "dienst", "team"], ["maandag", "vroeg", "Noord"], ["dinsdag", "laat", "Noord"],
          ["woensdag", "vroeg", "Zuid"]]


@way("docx_tracked_deletion")
def _docx_del(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "letter")
    visible, _ = agenda_letter()
    data = docx_tracked_deletion(visible.replace("erwtensoep", "soep"), text)
    if not sensitive:
        needles = ["Rondvraag"]
    raw = build_mail(n, "Agenda teamoverleg", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("agenda.docx", "application/vnd.openxmlformats-officedocument."
                       "wordprocessingml.document", data)])
    return raw, needles, kinds, "DOCX showing an agenda; the letter survives as a tracked deletion (w:del)."


@way("docx_comment")
def _docx_comment(n, sensitive, fname):
    visible, _ = agenda_letter()
    visible = visible.replace("erwtensoep", "soep")
    if sensitive:
        p = pick_people(1)[0]
        comment = (f"Let op: {p['name']} (geb. {p['dob']}, BSN {p['bsn']}) heeft {p['diag']}, "
                   "niet inplannen voor de scholing.")
        needles, kinds = [p["bsn"], p["key"]], "bsn,health,person_name,date_of_birth"
    else:
        comment = "Graag de erwtensoep bij de kerstlunch vegetarisch."
        needles, kinds = ["erwtensoep"], ""
    data = docx_with_comment(visible, comment)
    raw = build_mail(n, "Agenda teamoverleg", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("agenda.docx", "application/vnd.openxmlformats-officedocument."
                       "wordprocessingml.document", data)])
    return raw, needles, kinds, "DOCX agenda; the data is only in a review comment (comments.xml)."


@way("xlsx_hidden_sheet")
def _xlsx_hidden(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "list")
    hidden = [r.split(";") for r in text.strip().split("\n")]
    data = xlsx_hidden_sheet(ROSTER, hidden)
    raw = build_mail(n, "Rooster december", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("rooster.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       data)])
    return raw, needles, kinds, "XLSX showing a roster; the data is on a hidden second sheet."


@way("eml_as_octet_stream")
def _eml_oct(n, sensitive, fname):
    text, needles, kinds = payload(sensitive, "letter")
    inner = EmailMessage(policy=POL)
    inner["From"] = SENDER
    inner["To"] = "Wijkteam Noord <noord@zorggroephorizon.nl>"
    inner["Subject"] = "Verwijzing"
    inner["Date"] = "Tue, 01 Dec 2026 09:00:00 +0100"
    inner.set_content(text, cte="base64")
    raw = build_mail(n, "Doorgestuurd bericht", COVER, RECIPIENTS[n % len(RECIPIENTS)],
                     [("ATT00001.dat", "application/octet-stream", inner.as_bytes(policy=POL))])
    return raw, needles, kinds, "A forwarded message (base64 body) attached as application/octet-stream ATT00001.dat."


# ------------------------------------------------------------ specials


def special_encrypted(n, fname):
    text, needles, kinds = client_list()
    data = cached_attachment(fname, "overzicht.7z")
    if data is None:
        data = sevenz_bytes([("overzicht.csv", text.encode("utf-8"))], password="Horizon-Wijk-2026!")
    body = ("Beste collega,\n\nIn de bijlage het versleutelde overzicht (7-Zip, AES-256). "
            "Het wachtwoord stuur ik je apart per sms.\n\n" + SIGNATURE)
    return build_mail(n, "Overzicht (versleuteld)", body, RECIPIENTS[n % len(RECIPIENTS)],
                      [("overzicht.7z", "application/x-7z-compressed", data)])


def special_zipbomb(n):
    line = b"Dit is een testbestand zonder inhoud van belang. "
    inner = line * (8 * 1024 * 1024 // len(line))
    layer = zip_bytes([(f"tekst{i}.txt", inner) for i in range(10)])
    for lvl in range(3):
        layer = zip_bytes([(f"laag{lvl}_{i}.zip", layer) for i in range(10)])
    body = "Beste collega,\n\nHierbij het archief met de teksten.\n\n" + SIGNATURE
    return build_mail(n, "Archief teksten", body, RECIPIENTS[n % len(RECIPIENTS)],
                      [("teksten.zip", "application/zip", layer)]), len(layer)


def special_random(n):
    r = random.Random(4242)
    data = bytes(r.getrandbits(8) for _ in range(65536))
    data = b"\x00\x13" + data[2:]  # no known magic
    body = "Beste collega,\n\nHierbij het exportbestand.\n\n" + SIGNATURE
    return build_mail(n, "Export", body, RECIPIENTS[n % len(RECIPIENTS)],
                      [("export.dat", "application/octet-stream", data)])


# ------------------------------------------------------------ main

README_KINDS = None


def main():
    os.makedirs(OUT, exist_ok=True)
    n = 0
    for slug, builder in WAYS:
        n += 1
        pf = f"{n:03d}_probe_{slug}.eml"
        raw, needles, kinds, note = builder(n, True, pf)
        add(pf, raw, "secure", kinds, slug, "", note, needles=needles,
            expect_no_textlayer=slug.startswith("scan_"))
        n += 1
        tf = f"{n:03d}_twin_{slug}.eml"
        raw, needles_t, _, note_t = builder(n, False, tf)
        add(tf, raw, "normal", "", slug, pf, "Harmless twin: " + note_t, needles=needles_t,
            expect_no_textlayer=slug.startswith("scan_"))
    n += 1
    f = f"{n:03d}_encrypted_7z_password_by_sms.eml"
    add(f, special_encrypted(n, f), "normal", "", "encrypted_7z_sms", "",
        "AES-encrypted 7z, password sent by SMS (not in the mail): the one exception, normal with a warning.",
        needles=["<<encrypted-or-broken-7z>>"])
    n += 1
    raw, size = special_zipbomb(n)
    add(f"{n:03d}_unreadable_zip_bomb.eml", raw, "secure", "", "unreadable", "",
        f"42.zip-style bomb ({size} bytes, 10^4 x 8 MiB harmless text): cannot be read within limits, fail closed.",
        needles=["<<zip-bomb>>"])
    n += 1
    add(f"{n:03d}_unreadable_random_bytes.eml", special_random(n), "secure", "", "unreadable", "",
        "Random bytes named export.dat (application/octet-stream): unknown content, fail closed.")

    # write
    for old in os.listdir(OUT):
        if old.endswith(".eml"):
            os.remove(os.path.join(OUT, old))
    for e in ENTRIES:
        with open(os.path.join(OUT, e["file"]), "wb") as fh:
            fh.write(e["data"])
    with open(os.path.join(OUT, "labels.tsv"), "w", encoding="utf-8") as fh:
        fh.write("file\tverdict\tkinds\tway\ttwin_of\tnote\n")
        for e in ENTRIES:
            fh.write("\t".join([e["file"], e["verdict"], e["kinds"], e["way"], e["twin_of"], e["note"]]) + "\n")
    shutil.copyfile(os.path.join(ROOT, "tests", "corpus", "zegel.toml"), os.path.join(OUT, "zegel.toml"))
    self_check()


def self_check_cfb():
    """The CFB writer, read back by olefile, also for streams in regular sectors."""
    import olefile
    big = bytes(range(256)) * 40  # 10240 bytes > mini stream cutoff
    data = cfb_bytes({"a": b"klein", "d/b": big, "d/c": b"", "__substg1.0_0037001F": "x".encode("utf-16-le")})
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert ole.openstream("a").read() == b"klein"
    assert ole.openstream("d/b").read() == big
    assert ole.openstream("d/c").read() == b""
    ole.close()


def self_check():
    self_check_cfb()
    fails = 0
    sens_words = [p[3] for p in PEOPLE]
    for e in ENTRIES:
        path = os.path.join(OUT, e["file"])
        with open(path, "rb") as fh:
            raw = fh.read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["From"] and "zorggroephorizon.nl" in msg["From"], e["file"]
        assert "zorggroephorizon.nl" not in msg["To"], e["file"]
        texts = mime_texts(raw)
        allt = "\n".join(normalise(t) for t in texts)
        problems = []
        for nd in e["needles"]:
            if nd not in allt:
                problems.append(f"needle {nd!r} not found after unpacking")
        if e["notext"] and re.search(r"<<pdf-text>>\S", allt):
            problems.append("scan has a text layer")
        if e["verdict"] == "normal":
            bad = valid_bsns(allt)
            if e["way"] != "encrypted_7z_sms":
                bad += [w for w in sens_words if w in allt]
            if bad:
                problems.append(f"twin carries sensitive data: {bad}")
        elif e["kinds"]:
            rawtext = raw.decode("utf-8", "replace")
            e["plain_in_raw"] = e["needles"][0] in rawtext
        status = "ok " if not problems else "FAIL"
        print(f"{status} {e['file']}" + ("" if not problems else "  " + "; ".join(problems)))
        fails += bool(problems)
    visible = [e["file"] for e in ENTRIES if e.get("plain_in_raw")]
    print(f"\n{len(ENTRIES)} messages; probes whose BSN is plain ASCII digits in the raw .eml "
          f"(hidden by structure, not encoding): {len(visible)}")
    for v in visible:
        print("   ", v)
    if fails:
        sys.exit(f"{fails} self-check failures")


if __name__ == "__main__":
    main()
