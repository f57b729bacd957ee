"""Helpers for the hand-written hold-out set (independent of the zegel repo)."""
import base64, io, quopri, random, zipfile, datetime
from email.utils import format_datetime

RNG = random.Random(20240517)

# ---------- checksums ----------
def elfproef(s):
    d = [int(c) for c in s if c.isdigit()]
    if len(d) != 9: return False
    tot = sum(w * x for w, x in zip(range(9, 1, -1), d[:8])) - d[8]
    return tot % 11 == 0

def make_bsn():
    while True:
        d = [RNG.randint(1, 9)] + [RNG.randint(0, 9) for _ in range(7)]
        s = sum(w * x for w, x in zip(range(9, 1, -1), d)) % 11
        if s < 10:
            b = "".join(map(str, d + [s]))
            assert elfproef(b)
            return b

def make_non_bsn(prefix=""):
    while True:
        n = prefix + "".join(str(RNG.randint(0, 9)) for _ in range(9 - len(prefix)))
        if n[0] != "0" and not elfproef(n):
            return n

def luhn_ok(s):
    d = [int(c) for c in s if c.isdigit()][::-1]
    tot = 0
    for i, x in enumerate(d):
        if i % 2: x = x * 2 - 9 if x * 2 > 9 else x * 2
        tot += x
    return tot % 10 == 0

def make_card(prefix="4", n=16):
    while True:
        body = prefix + "".join(str(RNG.randint(0, 9)) for _ in range(n - len(prefix) - 1))
        for c in "0123456789":
            if luhn_ok(body + c):
                return body + c

def iban_ok(iban):
    s = iban.replace(" ", "")
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1

def make_iban(bank="INGB", acct=None):
    acct = acct or "".join(str(RNG.randint(0, 9)) for _ in range(10))
    rearr = bank + acct + "NL00"
    num = int("".join(str(int(c, 36)) for c in rearr))
    chk = 98 - num % 97
    iban = f"NL{chk:02d}{bank}{acct}"
    assert iban_ok(iban)
    return iban

def fmt_iban(i):
    return " ".join(i[k:k + 4] for k in range(0, len(i), 4))

# ---------- headers ----------
def _q_word(b):
    out = []
    for byte in b:
        c = chr(byte)
        if c == " ": out.append("_")
        elif c.isascii() and (c.isalnum() or c in "!*+-/"): out.append(c)
        else: out.append("=%02X" % byte)
    return "".join(out)

def enc_header(s, mode="q"):
    """RFC 2047 encode a header value if non-ASCII (mode q or b); folded with LF+space."""
    if s.isascii():
        return s
    words, cur = [], ""
    maxlen = 40 if mode == "q" else 45
    for ch in s:
        trial = cur + ch
        enc = _q_word(trial.encode()) if mode == "q" else base64.b64encode(trial.encode()).decode()
        if len(enc) > maxlen and cur:
            words.append(cur); cur = ch
        else:
            cur = trial
    if cur: words.append(cur)
    if mode == "q":
        parts = ["=?UTF-8?Q?%s?=" % _q_word(w.encode()) for w in words]
    else:
        parts = ["=?UTF-8?B?%s?=" % base64.b64encode(w.encode()).decode() for w in words]
    return "\n ".join(parts)

def addr(name, email, mode="q"):
    if not name: return email
    if name.isascii():
        if any(c in name for c in ',."()'):
            name = '"' + name.replace('"', '') + '"'
        return f"{name} <{email}>"
    return f"{enc_header(name, mode)} <{email}>"

# ---------- body parts: (headers, body) ----------
def _encode_body(data: bytes, enc):
    if enc == "b64":
        return base64.encodebytes(data).decode("ascii"), "base64"
    if enc == "qp":
        return quopri.encodestring(data).decode("ascii"), "quoted-printable"
    if enc == "7bit":
        t = data.decode("ascii")
        return t, "7bit"
    if enc == "8bit":
        return data.decode("utf-8"), "8bit"
    raise ValueError(enc)

def text(body, subtype="plain", enc="8bit", charset="utf-8"):
    if not body.endswith("\n"): body += "\n"
    if enc == "7bit" and not body.isascii(): enc = "qp"
    data = body.encode(charset)
    payload, cte = _encode_body(data, enc)
    return ([("Content-Type", f"text/{subtype}; charset=\"{charset}\""),
             ("Content-Transfer-Encoding", cte)], payload)

def _fname_params(filename):
    if filename.isascii():
        return f'filename="{filename}"', f'name="{filename}"'
    from urllib.parse import quote
    q = quote(filename.encode("utf-8"), safe="")
    return f"filename*=utf-8''{q}", f"name*=utf-8''{q}"

def attach(data, ctype, filename, enc="b64", charset=None, inline=False):
    if isinstance(data, str): data = data.encode(charset or "utf-8")
    fparam, nparam = _fname_params(filename)
    ct = f"{ctype}; {nparam}"
    if charset: ct = f"{ctype}; charset=\"{charset}\"; {nparam}"
    payload, cte = _encode_body(data, enc)
    disp = "inline" if inline else "attachment"
    return ([("Content-Type", ct), ("Content-Transfer-Encoding", cte),
             ("Content-Disposition", f"{disp}; {fparam}")], payload)

def rfc822(eml_text, filename=None):
    hs = [("Content-Type", "message/rfc822")]
    if filename:
        hs.append(("Content-Disposition", f'attachment; filename="{filename}"'))
    return (hs, eml_text if eml_text.endswith("\n") else eml_text + "\n")

def render_part(part):
    hs, body = part
    return "".join(f"{k}: {v}\n" for k, v in hs) + "\n" + body

def multipart(subtype, parts, boundary, preamble=None):
    out = []
    if preamble: out.append(preamble + "\n")
    for p in parts:
        out.append(f"--{boundary}\n")
        r = render_part(p)
        out.append(r if r.endswith("\n") else r + "\n")
    out.append(f"--{boundary}--\n")
    return ([("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')], "".join(out))

def alternative(plain, html, boundary):
    return multipart("alternative", [plain, html], boundary)

def mixed(parts, boundary):
    return multipart("mixed", parts, boundary, preamble="This is a multi-part message in MIME format.")

TZ = datetime.timezone(datetime.timedelta(hours=1))
TZS = datetime.timezone(datetime.timedelta(hours=2))

def date(y, mo, d, h, mi):
    tz = TZS if (mo, d) >= (3, 31) and mo < 10 else TZ
    return format_datetime(datetime.datetime(y, mo, d, h, mi, RNG.randint(0, 59), tzinfo=tz))

def message(frm, to, subject, part, cc=None, bcc=None, dt=None, msgid=None,
            extra=None, subj_mode="q", in_reply_to=None):
    hs = [("From", frm), ("To", ", ".join(to))]
    if cc: hs.append(("Cc", ", ".join(cc)))
    if bcc: hs.append(("Bcc", ", ".join(bcc)))
    hs.append(("Subject", enc_header(subject, subj_mode)))
    hs.append(("Date", dt))
    hs.append(("Message-ID", msgid or "<%08x.%04x@zorggroephorizon.nl>" % (RNG.getrandbits(32), RNG.getrandbits(16))))
    if in_reply_to:
        hs.append(("In-Reply-To", in_reply_to)); hs.append(("References", in_reply_to))
    for k, v in (extra or []): hs.append((k, v))
    hs.append(("MIME-Version", "1.0"))
    phs, body = part
    return render_part((hs + phs, body))

# ---------- attachment builders ----------
ZDT = (2024, 3, 1, 9, 0, 0)

def _zip(files):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, ZDT); zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return bio.getvalue()

def make_zip(files):
    return _zip(files)

def _x(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

def make_docx(paragraphs, title=None):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '</Relationships>')
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>%s</dc:title><dc:creator>Zorggroep Horizon</dc:creator></cp:coreProperties>'
            % _x(title or ""))
    body = []
    for p in paragraphs:
        bold = p.startswith("**")
        t = p.strip("*")
        rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
        body.append(f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{_x(t)}</w:t></w:r></w:p>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + "".join(body) + '<w:sectPr/></w:body></w:document>')
    return _zip([("[Content_Types].xml", ct), ("_rels/.rels", rels),
                 ("docProps/core.xml", core), ("word/document.xml", doc)])

def _col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26); s = chr(65 + r) + s
    return s

def make_xlsx(rows, sheet="Blad1"):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          f'<sheets><sheet name="{_x(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '</Relationships>')
    xr = []
    for ri, row in enumerate(rows, 1):
        cells = []
        for ci, v in enumerate(row):
            ref = f"{_col(ci)}{ri}"
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_x(str(v))}</t></is></c>')
        xr.append(f'<row r="{ri}">' + "".join(cells) + "</row>")
    sh = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
          + "".join(xr) + '</sheetData></worksheet>')
    return _zip([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                 ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sh)])

def _pdf_esc(s):
    out = []
    for ch in s:
        b = ch.encode("cp1252")
        for byte in b:
            c = chr(byte)
            if c in "()\\": out.append("\\" + c)
            elif byte > 126 or byte < 32: out.append("\\%03o" % byte)
            else: out.append(c)
    return "".join(out)

def make_pdf(lines, title=""):
    stream = "BT\n/F1 11 Tf\n14 TL\n50 790 Td\n" + "".join(f"({_pdf_esc(l)}) Tj T*\n" for l in lines) + "ET\n"
    sb = stream.encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(sb) + sb + b"endstream",
        ("<< /Title (%s) /Producer (Zorggroep Horizon) >>" % _pdf_esc(title)).encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs: out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return bytes(out)
