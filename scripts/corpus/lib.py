"""Helpers for the zegel evaluation corpus generator.

Checksums (11-proef, mod-97, Luhn), fictitious people, attachment builders
(real libraries: fpdf2, python-docx, openpyxl, xlwt, odfpy; 7-Zip / Info-ZIP
for encrypted archives) and MIME assembly with Python's ``email`` package.

Everything is deterministic: a single seeded ``random.Random`` is passed in,
office files are re-zipped with fixed timestamps, and MIME boundaries are set
from a counter. The only exception are encrypted archives (random salt / IV):
they are built once with the real tools and cached in ``fixtures/``.
"""

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime

FIXED_ZIP_TIME = (2024, 3, 1, 9, 0, 0)
FIXED_ISO = "2024-03-01T09:00:00Z"
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

# ---------------------------------------------------------------- checksums


def bsn_valid(s: str) -> bool:
    s = re.sub(r"\D", "", s)
    if len(s) != 9:
        return False
    total = sum(int(d) * w for d, w in zip(s[:8], range(9, 1, -1))) - int(s[8])
    return total % 11 == 0 and s != "000000000"


def make_bsn(rng) -> str:
    while True:
        first = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        s = sum(d * w for d, w in zip(first, range(9, 1, -1)))
        last = s % 11
        if last < 10:
            out = "".join(map(str, first)) + str(last)
            assert bsn_valid(out)
            return out


def make_invalid_bsn(rng) -> str:
    """Nine digits that fail the 11-proef."""
    b = make_bsn(rng)
    while True:
        d = (int(b[8]) + rng.randint(1, 9)) % 10
        cand = b[:8] + str(d)
        if not bsn_valid(cand):
            return cand


def iban_valid(s: str) -> bool:
    s = s.replace(" ", "").upper()
    r = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in r)
    return int(num) % 97 == 1


def make_iban(rng, bank=None) -> str:
    bank = bank or rng.choice(["ABNA", "RABO", "INGB", "SNSB", "ASNB", "TRIO", "KNAB"])
    acct = "".join(str(rng.randint(0, 9)) for _ in range(10))
    bban = bank + acct
    num = "".join(str(int(c, 36)) for c in bban + "NL00")
    check = 98 - int(num) % 97
    out = f"NL{check:02d}{bban}"
    assert iban_valid(out)
    return out


def make_invalid_iban(rng) -> str:
    good = make_iban(rng)
    while True:
        chk = rng.randint(2, 98)
        cand = f"NL{chk:02d}{good[4:]}"
        if not iban_valid(cand):
            return cand


def fmt_iban(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def luhn_valid(s: str) -> bool:
    digits = [int(c) for c in re.sub(r"\D", "", s)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def make_card(rng, prefix="4") -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(15 - len(prefix)))
    for last in range(10):
        if luhn_valid(body + str(last)):
            return body + str(last)
    raise AssertionError


def make_invalid_card(rng, prefix="4") -> str:
    c = make_card(rng, prefix)
    return c[:-1] + str((int(c[-1]) + 3) % 10)


def fmt_card(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def make_passport(rng) -> str:
    """Dutch document number shape: 2 letters, 6 letters/digits, 1 digit (no O)."""
    letters = "ABCDEFGHIJKLMNPQRSTUVWXYZ"
    alnum = letters + "0123456789"
    return (rng.choice(letters) + rng.choice(letters)
            + "".join(rng.choice(alnum) for _ in range(6)) + str(rng.randint(0, 9)))


# ------------------------------------------------------------------ people

FIRST_F = ["Anna", "Maria", "Johanna", "Wilhelmina", "Fatima", "Sanne", "Lieke", "Ingrid",
           "Henny", "Gerda", "Marloes", "Yasmina", "Els", "Ria", "Tineke", "Noor", "Femke",
           "Aaltje", "Hatice", "Petra", "Corrie", "Joke", "Mirjam", "Saskia"]
FIRST_M = ["Johannes", "Gerrit", "Hendrik", "Mohamed", "Pieter", "Kees", "Ahmet", "Bram",
           "Wim", "Theo", "Sjoerd", "Ruud", "Jeroen", "Dirk", "Frans", "Youssef", "Klaas",
           "Henk", "Willem", "Ton", "Arjen", "Bart", "Koen", "Stefan"]
LAST = ["de Vries", "van den Berg", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
        "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
        "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs",
        "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn",
        "El Amrani", "Yilmaz", "Öztürk", "Bouzid", "Kramer", "Timmermans", "Verhoeven",
        "Schouten", "Willems", "Postma", "Koster", "Prins", "Huisman", "Kuipers"]
EN_FIRST = ["Emily", "James", "Olivia", "Thomas", "Grace", "Daniel", "Sophie", "Michael",
            "Hannah", "Oliver", "Charlotte", "George"]
EN_LAST = ["Walker", "Thompson", "Bennett", "Hughes", "Morgan", "Clarke", "Foster", "Harris",
           "Turner", "Baker", "Cooper", "Reid"]
STREETS = ["Lindelaan", "Kerkstraat", "Molenweg", "Prinses Irenestraat", "Weteringkade",
           "Beukenhof", "Dorpsstraat", "Rozengracht", "Zandweg", "Vlierstraat", "Esdoornlaan",
           "Havenstraat", "Bloemendaal", "Julianalaan", "Schoolstraat", "Populierenlaan",
           "Merelstraat", "Ringdijk", "Kastanjeplein", "Oude Gracht"]
CITIES = [("Rivierstad", "4"), ("Utrecht", "35"), ("Amersfoort", "38"), ("Nieuwegein", "34"),
          ("Houten", "399"), ("Zeist", "37"), ("IJsselstein", "340"), ("Maarssen", "360")]
PC_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


class Person:
    def __init__(self, first, last, gender, street, number, postcode, city, phone, dob, email):
        self.first, self.last, self.gender = first, last, gender
        self.street, self.number, self.postcode, self.city = street, number, postcode, city
        self.phone, self.dob, self.email = phone, dob, email

    @property
    def name(self):
        return f"{self.first} {self.last}"

    @property
    def surname_cap(self):
        # "van den Berg" -> "Van den Berg" when used after mevrouw/meneer? Dutch
        # keeps lower case after a title: "mevrouw Van den Berg" (capital when
        # the first name is left out).
        return self.last[0].upper() + self.last[1:]

    @property
    def title_nl(self):
        return ("mevrouw " if self.gender == "f" else "meneer ") + self.surname_cap

    @property
    def title_en(self):
        return ("Mrs " if self.gender == "f" else "Mr ") + self.last

    @property
    def address(self):
        return f"{self.street} {self.number}, {self.postcode} {self.city}"

    def dob_nl(self):
        return self.dob.strftime("%d-%m-%Y")


def _slug(s):
    import unicodedata
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", s.lower())


def make_person(rng, gender=None, english=False, mail_domain="gmail.com"):
    gender = gender or rng.choice("fm")
    if english:
        first = rng.choice(EN_FIRST)
        last = rng.choice(EN_LAST)
    else:
        first = rng.choice(FIRST_F if gender == "f" else FIRST_M)
        last = rng.choice(LAST)
    city, pc = rng.choice(CITIES)
    postcode = pc + "".join(str(rng.randint(0, 9)) for _ in range(4 - len(pc)))
    postcode += " " + rng.choice(PC_LETTERS) + rng.choice(PC_LETTERS)
    if postcode.startswith("0"):
        postcode = "1" + postcode[1:]
    number = str(rng.randint(1, 180)) + rng.choice(["", "", "", "a", "-2", " bis"])
    phone = "06-" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    dob = dt.date(rng.randint(1929, 1988), rng.randint(1, 12), rng.randint(1, 28))
    email = f"{_slug(first)}.{_slug(last)}{rng.choice(['', str(dob.year)[2:], '1', '.nl'])}@{mail_domain}"
    email = email.replace(".nl@", "@")
    return Person(first, last, gender, rng.choice(STREETS), number, postcode, city, phone, dob, email)


# -------------------------------------------------------------- attachments

def normalize_zip(data: bytes) -> bytes:
    """Re-write an OOXML/ODF zip with fixed timestamps and fixed metadata dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename in ("docProps/core.xml", "meta.xml", "docProps/app.xml"):
                txt = blob.decode("utf-8")
                txt = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?", FIXED_ISO, txt)
                txt = re.sub(r"<meta:generator>[^<]*</meta:generator>",
                             "<meta:generator>odfpy</meta:generator>", txt)
                blob = txt.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = info.compress_type
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob)
    return out.getvalue()


def _latin1(s):
    return (s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
            .replace("\u201d", '"').replace("\u2013", "-").replace("\u20ac", "EUR ")
            .replace("\u2022", "-").encode("latin-1", "replace").decode("latin-1"))


def make_pdf(title, paragraphs, table=None, author="Zorggroep Horizon") -> bytes:
    from fpdf import FPDF
    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2024, 3, 1, 9, 0, 0, tzinfo=dt.timezone.utc))
    pdf.set_author(author)
    pdf.set_title(_latin1(title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 9, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    for p in paragraphs:
        pdf.multi_cell(0, 6, _latin1(p), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if table:
        pdf.set_font("Helvetica", "", 9)
        with pdf.table() as t:
            for row in table:
                r = t.row()
                for cell in row:
                    r.cell(_latin1(str(cell)))
    return bytes(pdf.output())


def make_docx(title, paragraphs, table=None, author="Zorggroep Horizon") -> bytes:
    import docx
    d = docx.Document()
    d.core_properties.author = author
    d.core_properties.title = title
    d.core_properties.created = dt.datetime(2024, 3, 1, 9, 0, 0)
    d.core_properties.modified = dt.datetime(2024, 3, 1, 9, 0, 0)
    d.core_properties.last_modified_by = author
    d.add_heading(title, level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=0, cols=len(table[0]))
        t.style = "Table Grid"
        for row in table:
            cells = t.add_row().cells
            for c, v in zip(cells, row):
                c.text = str(v)
    buf = io.BytesIO()
    d.save(buf)
    return normalize_zip(buf.getvalue())


def make_odt(title, paragraphs, table=None) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P
    from odf import table as otable
    doc = OpenDocumentText()
    doc.text.addElement(H(outlinelevel=1, text=title))
    for p in paragraphs:
        doc.text.addElement(P(text=p))
    if table:
        t = otable.Table(name="Tabel1")
        t.addElement(otable.TableColumn(numbercolumnsrepeated=len(table[0])))
        for row in table:
            tr = otable.TableRow()
            for v in row:
                tc = otable.TableCell()
                tc.addElement(P(text=str(v)))
                tr.addElement(tc)
            t.addElement(tr)
        doc.text.addElement(t)
    buf = io.BytesIO()
    doc.write(buf)
    return normalize_zip(buf.getvalue())


def make_xlsx(sheets) -> bytes:
    """sheets: list of (sheet name, rows)."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.properties.creator = "Zorggroep Horizon"
    wb.properties.created = dt.datetime(2024, 3, 1, 9, 0, 0)
    wb.properties.modified = dt.datetime(2024, 3, 1, 9, 0, 0)
    first = True
    for name, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        ws.title = name
        first = False
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return normalize_zip(buf.getvalue())


def make_xls(sheets) -> bytes:
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets:
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_ods(sheets) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf import table as otable
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets:
        t = otable.Table(name=name)
        for row in rows:
            tr = otable.TableRow()
            for v in row:
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    tc = otable.TableCell(valuetype="float", value=v)
                else:
                    tc = otable.TableCell(valuetype="string")
                tc.addElement(P(text=str(v)))
                tr.addElement(tc)
            t.addElement(tr)
        doc.spreadsheet.addElement(t)
    buf = io.BytesIO()
    doc.write(buf)
    return normalize_zip(buf.getvalue())


def make_csv(rows, delimiter=";", encoding="utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        w.writerow(row)
    return buf.getvalue().encode(encoding)


def make_zip(members) -> bytes:
    """members: list of (name, bytes). Deterministic, deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in members:
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, blob)
    return out.getvalue()


def make_encrypted_zip(cache_name, members, password, tool="7zz") -> bytes:
    """Encrypted zip made by 7-Zip (AES-256) or Info-ZIP (ZipCrypto).

    Encryption uses a random salt, so the archive is built once and cached in
    fixtures/; delete the fixture to rebuild it with the real tool."""
    os.makedirs(FIXTURES, exist_ok=True)
    cached = os.path.join(FIXTURES, cache_name)
    if os.path.exists(cached):
        with open(cached, "rb") as f:
            return f.read()
    tmp = tempfile.mkdtemp()
    try:
        names = []
        for name, blob in members:
            p = os.path.join(tmp, name)
            with open(p, "wb") as f:
                f.write(blob)
            os.utime(p, (1709283600, 1709283600))
            names.append(name)
        archive = os.path.join(tmp, "out.zip")
        if tool == "7zz":
            exe = shutil.which("7zz") or shutil.which("7z")
            cmd = [exe, "a", "-tzip", "-p" + password, "-mem=AES256", archive] + names
        else:
            cmd = ["zip", "-q", "-P", password, archive] + names
        subprocess.run(cmd, cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        with open(archive, "rb") as f:
            data = f.read()
    finally:
        shutil.rmtree(tmp)
    with open(cached, "wb") as f:
        f.write(data)
    return data


MIME = {
    "pdf": ("application", "pdf"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": ("application", "vnd.oasis.opendocument.text"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": ("application", "vnd.ms-excel"),
    "ods": ("application", "vnd.oasis.opendocument.spreadsheet"),
    "csv": ("text", "csv"),
    "txt": ("text", "plain"),
    "html": ("text", "html"),
    "htm": ("text", "html"),
    "zip": ("application", "zip"),
    "eml": ("message", "rfc822"),
    "png": ("image", "png"),
}

# -------------------------------------------------------------------- MIME


def build_message(*, frm, to, subject, body, cc=(), bcc=(), date, msgid, html=None,
                  cte=None, attachments=(), in_reply_to=None, mailer=None, lang="nl",
                  boundary_prefix="zegel"):
    """Return an EmailMessage.

    attachments: list of (filename, bytes | EmailMessage, ext or None)."""
    msg = EmailMessage(policy=default_policy)
    msg["From"] = frm
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if bcc:
        msg["Bcc"] = ", ".join(bcc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = msgid
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    if mailer:
        msg["X-Mailer"] = mailer
    if cte:
        msg.set_content(body, charset="utf-8", cte=cte)
    else:
        msg.set_content(body, charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8",
                            cte=cte if cte in ("quoted-printable", "base64") else None)
    msg["Content-Language"] = "nl-NL" if lang == "nl" else "en-GB"
    for fname, data, ext in attachments:
        ext = ext or fname.rsplit(".", 1)[-1].lower()
        if isinstance(data, EmailMessage):
            msg.add_attachment(data, disposition="attachment", filename=fname)
        else:
            maintype, subtype = MIME[ext]
            if maintype == "text":
                text = data.decode("utf-8") if isinstance(data, bytes) else data
                msg.add_attachment(text, subtype=subtype, charset="utf-8",
                                   disposition="attachment", filename=fname,
                                   cte="base64" if ext in ("csv",) else "quoted-printable")
            else:
                msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=fname)
    # deterministic boundaries
    n = 0
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            n += 1
            part.set_boundary(f"=_{boundary_prefix}_{n:02d}")
    return msg


def serialize(msg) -> bytes:
    return msg.as_bytes(policy=default_policy.clone(linesep="\n"))
