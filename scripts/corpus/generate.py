#!/usr/bin/env python3
"""Generate the zegel labelled evaluation corpus (tests/corpus/).

Deterministic: one fixed seed, fixed dates, fixed MIME boundaries, office
files re-zipped with fixed timestamps. Encrypted archives (random salt) are
built once with 7-Zip / Info-ZIP and cached in scripts/corpus/fixtures/.

    pip install python-docx openpyxl xlwt odfpy fpdf2
    apt-get install -y 7zip zip
    python3 scripts/corpus/generate.py

All people, numbers and addresses are fictitious. BSNs, IBANs and card
numbers are computed to be valid (11-proef, mod-97, Luhn) where the label
needs them valid and deliberately invalid in the near misses.
"""

import datetime as dt
import os
import random
import sys
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import (  # noqa: E402
    bsn_valid, build_message, fmt_card, fmt_iban, iban_valid, luhn_valid, make_bsn, make_card,
    make_csv, make_docx, make_encrypted_zip, make_invalid_bsn, make_invalid_card,
    make_invalid_iban, make_iban, make_ods, make_odt, make_passport, make_pdf, make_person,
    make_xls, make_xlsx, make_zip, serialize,
)

SEED = 20240301
RNG = random.Random(SEED)
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "tests", "corpus")
KINDS = {"bsn", "iban", "payment_card", "id_document", "health", "patient_dossier", "credential",
         "confidential", "special_category", "date_of_birth", "person_name", "email_address",
         "phone_number", "postal_address"}
ORG_IBAN = "NL91ABNA0417164300"
TZ_WINTER = dt.timezone(dt.timedelta(hours=1))
TZ_SUMMER = dt.timezone(dt.timedelta(hours=2))

MESSAGES = []
_clock = [dt.datetime(2024, 3, 4, 8, 3)]


def next_date():
    _clock[0] += dt.timedelta(minutes=RNG.randint(17, 400))
    d = _clock[0]
    if d.hour < 8:
        d = d.replace(hour=8 + RNG.randint(0, 2))
    if d.hour > 18:
        _clock[0] = d = (d + dt.timedelta(days=1)).replace(hour=8, minute=RNG.randint(0, 59))
    while d.weekday() >= 5:
        _clock[0] = d = (d + dt.timedelta(days=1)).replace(hour=8, minute=RNG.randint(0, 59))
    tz = TZ_SUMMER if dt.datetime(2024, 3, 31) <= d < dt.datetime(2024, 10, 27) else TZ_WINTER
    return d.replace(tzinfo=tz)


def P(**kw):
    return make_person(RNG, **kw)


# ----------------------------------------------------------------- staff

class Staff:
    def __init__(self, name, role, email, mobile=None, lang="nl"):
        self.name, self.role, self.email, self.mobile, self.lang = name, role, email, mobile, lang

    @property
    def first(self):
        return self.name.split()[0]

    @property
    def addr(self):
        return formataddr((self.name, self.email))

    def sig(self, style="full", lang=None):
        lang = lang or self.lang
        close = {"nl": ["Met vriendelijke groet,", "Met vriendelijke groeten,", "Hartelijke groet,",
                        "Groet,", "Vriendelijke groet,"],
                 "en": ["Kind regards,", "Best regards,", "Best wishes,", "Thanks,"]}[lang]
        c = RNG.choice(close)
        if style == "first":
            return f"{c}\n{self.first}"
        if style == "short":
            return f"{c}\n\n{self.name}\n{self.role}"
        lines = [c, "", self.name, self.role, "Zorggroep Horizon"]
        if style == "full":
            lines.append("Stationsplein 1, 3511 ED Utrecht")
            lines.append("T 030-1234567" + (f" | M {self.mobile}" if self.mobile else ""))
            lines.append("www.zorggroephorizon.nl")
        elif style == "phone":
            lines.append(("Tel. " if lang == "nl" else "Phone ") + "030-1234567")
            if self.mobile:
                lines.append(("Mobiel " if lang == "nl" else "Mobile ") + self.mobile)
        if lang == "nl" and RNG.random() < 0.3:
            lines.append("Ik werk op maandag, dinsdag en donderdag.")
        return "\n".join(lines)


ST = {
    "anne": Staff("Anne de Vries", "Wijkverpleegkundige", "anne.devries@wijkteam.zorggroephorizon.nl", "06-41235587"),
    "mark": Staff("Mark Jansen", "Functioneel beheerder ICT", "m.jansen@zorggroephorizon.nl"),
    "fatima": Staff("Fatima El Idrissi", "Casemanager dementie", "f.elidrissi@zorggroephorizon.nl", "06-28374615"),
    "pieter": Staff("Pieter Bakker", "HR-adviseur", "p.bakker@zorggroephorizon.nl"),
    "sanne": Staff("Sanne Mulder", "Medewerker secretariaat", "secretariaat@zorggroephorizon.nl"),
    "ruud": Staff("Ruud van den Berg", "Financiële administratie", "r.vandenberg@zorggroephorizon.nl"),
    "lotte": Staff("Lotte Hendriks", "Functionaris gegevensbescherming", "privacy@zorggroephorizon.nl", "06-19283746"),
    "emma": Staff("Emma Visser", "Communicatieadviseur", "e.visser@zorggroephorizon.nl"),
    "kees": Staff("Kees Dijkstra", "Teamleider wijkteam Noord", "k.dijkstra@wijkteam.zorggroephorizon.nl", "06-55127843"),
    "joost": Staff("Joost Kuipers", "Specialist ouderengeneeskunde", "j.kuipers@zorggroephorizon.nl"),
    "mirjam": Staff("Mirjam Postma", "Zorgadministratie", "zorgadministratie@zorggroephorizon.nl"),
    "sarah": Staff("Sarah Thompson", "IT Security Officer", "s.thompson@zorggroephorizon.nl", "06-30495817", lang="en"),
    "david": Staff("David Morgan", "Project Manager Digital Care", "d.morgan@zorggroephorizon.nl", lang="en"),
    "noor": Staff("Noor Yilmaz", "Physiotherapist", "n.yilmaz@revalidatie.zorggroephorizon.nl", lang="en"),
}

# internal recipients
INT = {
    "alle": formataddr(("Alle medewerkers", "alle-medewerkers@zorggroephorizon.nl")),
    "wijkteam": formataddr(("Wijkteam Noord", "wijkteam-noord@wijkteam.zorggroephorizon.nl")),
    "planning": "planning@zorggroephorizon.nl",
    "ict": formataddr(("Servicedesk ICT", "servicedesk@zorggroephorizon.nl")),
    "mt": formataddr(("Managementteam", "mt@zorggroephorizon.nl")),
    "pv": formataddr(("Personeelsvereniging", "pv@zorggroephorizon.nl")),
    "dagbesteding": "dagbesteding@dagbesteding.zorggroephorizon.nl",
}
# external recipients
EXT = {
    "huisarts": formataddr(("H. Kramer, huisarts", "h.kramer@huisartsenpraktijk-delinde.nl")),
    "assistente": formataddr(("Praktijk De Linde", "assistente@huisartsenpraktijk-delinde.nl")),
    "wmo": formataddr(("Jeroen van Dam", "j.vandam@gemeente-rivierstad.nl")),
    "wmoloket": formataddr(("Wmo-loket Rivierstad", "wmo@gemeente-rivierstad.nl")),
    "beleid": formataddr(("Ingrid Schouten", "i.schouten@gemeente-rivierstad.nl")),
    "cak": formataddr(("CAK Klantcontact", "klantcontact@cak.nl")),
    "laura": formataddr(("Laura Bennett", "laura.bennett@example.com")),
    "support": formataddr(("Example Support", "support@example.com")),
    "apotheek": formataddr(("Apotheek De Waag", "info@apotheek-dewaag.nl")),
    "leverancier": formataddr(("ThuiszorgTechniek BV", "planning@thuiszorgtechniek.nl")),
    "catering": formataddr(("Partycatering Rivierstad", "offerte@partycatering-rivierstad.nl")),
    "adviseur": formataddr(("Marco Verbeek", "m.verbeek@adviesbureau-verbeek.nl")),
    "hosting": formataddr(("Hosting Team", "noc@cloudzorg-hosting.nl")),
    "salaris": formataddr(("Salarisadministratie", "payroll@loonbureau-example.com")),
    "ziekenhuis": formataddr(("Transferbureau", "transfer@ziekenhuis-rivierland.nl")),
    "ggz": formataddr(("Aanmeldteam GGZ Oost", "aanmelding@ggz-oost.nl")),
    "hotel": formataddr(("Hotel De Wetering", "reserveringen@hoteldewetering.nl")),
    "uni": formataddr(("Dr. James Walker", "j.walker@example.com")),
    "drukker": formataddr(("Drukkerij Van Dam", "orders@drukkerijvandam.nl")),
}

DISCLAIMER_NL = [
    "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n) en kan vertrouwelijke "
    "informatie bevatten. Bent u niet de geadresseerde, verwijder dit bericht dan en stel de "
    "afzender op de hoogte. Zorggroep Horizon aanvaardt geen aansprakelijkheid voor schade "
    "voortvloeiend uit het gebruik van dit bericht.",
    "DISCLAIMER: De informatie in dit bericht is vertrouwelijk en alleen bestemd voor de "
    "geadresseerde. Gebruik, openbaarmaking of verspreiding door anderen is niet toegestaan. "
    "Zorggroep Horizon | KvK 12345678",
    "Aan dit bericht kunnen geen rechten worden ontleend. Dit bericht kan vertrouwelijke "
    "informatie bevatten; heeft u het per abuis ontvangen, laat het ons dan weten en verwijder het.",
]
DISCLAIMER_EN = [
    "This e-mail and any attachments are confidential and intended solely for the addressee. "
    "If you have received it in error, please notify the sender and delete it. Zorggroep Horizon "
    "accepts no liability for any damage caused by this message.",
    "CONFIDENTIALITY NOTICE: This message may contain confidential or privileged information. "
    "Any unauthorised use or disclosure is prohibited.",
]


def disclaimer(lang):
    return "\n\n--\n" + RNG.choice(DISCLAIMER_NL if lang == "nl" else DISCLAIMER_EN)


def quote(text):
    return "\n".join(("> " + l) if l else ">" for l in text.strip("\n").split("\n"))


NL_DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december"]


def nl_longdate(d):
    return f"{NL_DAYS[d.weekday()]} {d.day} {NL_MONTHS[d.month - 1]} {d.year} {d:%H:%M}"


def outlook_block(frm, to, subject, body, lang="nl", when=None):
    when = when or (_clock[0] - dt.timedelta(hours=RNG.randint(2, 50)))
    if lang == "nl":
        head = (f"Van: {frm}\nVerzonden: {nl_longdate(when)}\nAan: {to}\n"
                f"Onderwerp: {subject}")
    else:
        head = (f"From: {frm}\nSent: {when:%A, %d %B %Y %H:%M}\nTo: {to}\n"
                f"Subject: {subject}")
    return "\n\n________________________________\n" + head + "\n\n" + body.strip("\n") + "\n"


def gmail_quote(frm, body, lang="nl", when=None):
    when = when or (_clock[0] - dt.timedelta(hours=RNG.randint(2, 50)))
    if lang == "nl":
        intro = f"Op {NL_DAYS[when.weekday()][:2]} {when.day} {NL_MONTHS[when.month - 1][:3]} {when.year} om {when:%H:%M} schreef {frm}:"
    else:
        intro = f"On {when:%a, %d %b %Y} at {when:%H:%M}, {frm} wrote:"
    return "\n\n" + intro + "\n" + quote(body) + "\n"


def forwarded_eml(frm, to, subject, body, when=None, attachments=(), lang="nl"):
    """A complete message to attach as message/rfc822."""
    when = when or (_clock[0] - dt.timedelta(days=RNG.randint(1, 20)))
    tz = TZ_SUMMER if when.month in range(4, 10) else TZ_WINTER
    return build_message(frm=frm, to=[to], subject=subject, body=body,
                         date=when.replace(tzinfo=tz),
                         msgid=f"<fw{RNG.randint(10000, 99999)}.{when:%Y%m%d%H%M}@mail.example.net>",
                         attachments=attachments, lang=lang, boundary_prefix="inner")


MAILERS = [None, None, "Microsoft Outlook 16.0", "Mozilla Thunderbird 115.8", None,
           "Apple Mail (2.3774)", None]


def add(slug, verdict, kinds, lang, category, note, *, frm, to, subject, body, cc=(), bcc=(),
        html=None, cte=None, attachments=(), reply=False, disc=None, att_types=None):
    assert verdict in ("secure", "normal"), slug
    kl = [k for k in kinds.split(",") if k] if kinds else []
    assert all(k in KINDS for k in kl), (slug, kl)
    assert lang in ("nl", "en")
    if disc is None:
        disc = RNG.random() < 0.35
    if disc:
        body = body.rstrip("\n") + disclaimer(lang) + "\n"
    if html is None and cte != "base64" and RNG.random() < 0.3:
        html = text_to_html(body)
    n = len(MESSAGES) + 1
    fname = f"{n:03d}_{slug}.eml"
    date = next_date()
    host = frm.split("@")[-1].rstrip(">")
    msg = build_message(
        frm=frm, to=list(to), cc=list(cc), bcc=list(bcc), subject=subject, body=body,
        html=html, cte=cte, attachments=attachments, date=date,
        msgid=f"<{date:%Y%m%d%H%M}.{n:03d}.{slug.replace('_', '-')}@{host}>",
        in_reply_to=(f"<{RNG.randint(10**8, 10**9)}@mail.example.net>" if reply else None),
        mailer=RNG.choice(MAILERS), lang=lang)
    types = att_types if att_types is not None else sorted(
        {a[0].rsplit(".", 1)[-1].lower() if not isinstance(a[1], EmailMessage) else "eml"
         for a in attachments})
    MESSAGES.append(dict(file=fname, verdict=verdict, kinds=",".join(kl), lang=lang,
                         category=category, note=note, msg=msg, types=types))


def text_to_html(body):
    """Outlook-like HTML alternative for a plain body (quoted lines become a blockquote)."""
    import html as h
    out, quoted = [], []
    for block in body.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if all(l.startswith(">") for l in lines):
            quoted.append("<br>".join(h.escape(l.lstrip("> ")) for l in lines))
            continue
        if quoted:
            out.append("<blockquote style=\"border-left:2px solid #ccc;padding-left:8px\"><p>"
                       + "</p><p>".join(quoted) + "</p></blockquote>")
            quoted = []
        out.append("<p>" + "<br>".join(h.escape(l) for l in lines) + "</p>")
    if quoted:
        out.append("<blockquote style=\"border-left:2px solid #ccc;padding-left:8px\"><p>"
                   + "</p><p>".join(quoted) + "</p></blockquote>")
    return ("<html><head><meta charset=\"utf-8\"></head><body style=\"font-family:Calibri,Arial,sans-serif;"
            "font-size:11pt\">\n" + "\n".join(out) + "\n</body></html>\n")


def cl(*people):
    """Comma list of person names."""
    return ", ".join(p.name for p in people)


# =========================================================== A. the seeds
def seeds():
    a, f, k, m, s, d = ST["anne"], ST["fatima"], ST["kees"], ST["mark"], ST["sarah"], ST["david"]

    # --- A1: name + e-mail + BSN -> secure
    c = P(gender="f")
    bsn = make_bsn(RNG)
    add("seed_bsn_wmo_aanmelding", "secure", "bsn,person_name,email_address", "nl", "seed_bsn",
        "Name, e-mail address and valid BSN of a client sent to the municipality.",
        frm=a.addr, to=[EXT["wmo"]], subject=f"Aanmelding huishoudelijke hulp {c.title_nl}",
        body=f"""Beste Jeroen,

Zoals vanochtend telefonisch besproken meld ik hierbij {c.name} aan voor huishoudelijke hulp via de Wmo.
Mevrouw woont sinds kort alleen en redt het schoonmaken niet meer.

Naam: {c.name}
BSN: {bsn}
E-mail: {c.email}

Wil je contact met haar opnemen voor het keukentafelgesprek? Ze is het best bereikbaar per mail.

{a.sig('full')}
""")

    c = P()
    bsn = make_bsn(RNG)
    add("seed_bsn_cak_eigen_bijdrage", "secure", "bsn,person_name,email_address", "nl", "seed_bsn",
        "Client's BSN, name and e-mail in a question to the CAK about the personal contribution.",
        frm=ST["mirjam"].addr, to=[EXT["cak"]], subject="Vraag over eigen bijdrage cliënt",
        body=f"""Geachte heer/mevrouw,

Wij ontvingen van onze cliënt {c.name} ({c.email}) de vraag waarom de eigen bijdrage over februari
hoger is uitgevallen dan in januari. Kunt u voor ons nagaan of de juiste zorgperiode is doorgegeven?

Het burgerservicenummer van {c.title_nl} is {bsn[:4]}.{bsn[4:6]}.{bsn[6:]}.

Alvast bedankt voor de moeite.

{ST['mirjam'].sig('short')}
""", cte="quoted-printable")

    c = P(gender="m")
    bsn = make_bsn(RNG)
    html = f"""<html><body style="font-family:Calibri,sans-serif">
<p>Beste collega's van praktijk De Linde,</p>
<p>Onderstaande cliënt is per 1 april bij ons in zorg gekomen. Willen jullie dit in jullie HIS vastleggen?</p>
<table border="1" cellpadding="4">
<tr><td><b>Naam</b></td><td>{c.name}</td></tr>
<tr><td><b>Burgerservicenummer</b></td><td>{bsn}</td></tr>
<tr><td><b>E-mail</b></td><td><a href="mailto:{c.email}">{c.email}</a></td></tr>
</table>
<p>Met vriendelijke groet,<br>Kees Dijkstra<br>Teamleider wijkteam Noord</p>
</body></html>"""
    text = (f"Beste collega's van praktijk De Linde,\n\nOnderstaande cliënt is per 1 april bij ons in zorg "
            f"gekomen. Willen jullie dit in jullie HIS vastleggen?\n\nNaam: {c.name}\n"
            f"Burgerservicenummer: {bsn}\nE-mail: {c.email}\n\nMet vriendelijke groet,\nKees Dijkstra\n"
            f"Teamleider wijkteam Noord\n")
    add("seed_bsn_html_table", "secure", "bsn,person_name,email_address", "nl", "seed_bsn",
        "HTML table with a client's name, BSN and e-mail sent to the GP practice.",
        frm=k.addr, to=[EXT["assistente"]], subject="Nieuwe cliënt in zorg", body=text, html=html)

    c = P(english=True, mail_domain="example.com")
    bsn = make_bsn(RNG)
    add("seed_bsn_en_insurer", "secure", "bsn,person_name,email_address", "en", "seed_bsn",
        "English mail with a client's citizen service number (BSN), name and e-mail.",
        frm=d.addr, to=[EXT["laura"]], subject="Registration of new participant",
        body=f"""Hi Laura,

As agreed, here are the details you need to register our participant in your system:

  Name:   {c.name}
  E-mail: {c.email}
  Citizen service number (BSN): {bsn}

Let me know once it is done so I can inform {c.first}.

{d.sig('short')}
""")

    c = P(english=True)
    bsn = make_bsn(RNG)
    hist = (f"Hello David,\n\nCould you confirm the registration for {c.name}? "
            f"For your reference: BSN {bsn}, e-mail {c.email}.\n\nThanks,\nLaura Bennett")
    add("seed_bsn_quoted_history", "secure", "bsn,person_name,email_address", "en", "seed_bsn",
        "The BSN, name and e-mail appear only in the quoted history of a reply to an external party.",
        frm=d.addr, to=[EXT["laura"]], subject="Re: Registration of new participant", reply=True,
        body=f"""Hi Laura,

Confirmed, the registration went through this morning.

{d.sig('first')}
""" + gmail_quote("Laura Bennett <laura.bennett@example.com>", hist, "en"))

    c = P(gender="f")
    bsn = make_bsn(RNG)
    add("seed_bsn_hidden_bcc", "secure", "bsn,person_name,email_address", "nl", "seed_bsn_bcc",
        "To is internal but Bcc holds an external municipality address; the body has a BSN.",
        frm=f.addr, to=[INT["wijkteam"]], bcc=[EXT["wmoloket"]],
        subject="Overdracht casemanagement",
        body=f"""Hoi allemaal,

Vanaf volgende week neem ik het casemanagement over van {c.name} ({c.email}).
BSN {bsn[:3]} {bsn[3:6]} {bsn[6:]} – graag in het dossier bijwerken.

{f.sig('first')}
""")

    c = P()
    bsn = make_bsn(RNG)
    add("seed_bsn_base64_body", "secure", "bsn,person_name,email_address", "nl", "seed_bsn",
        "Base64-encoded plain body with name, e-mail and BSN of a client.",
        frm=ST["mirjam"].addr, to=[EXT["ggz"]], subject="Aanmelding — gegevens cliënt",
        body=f"""Goedemiddag,

Bij deze de gegevens voor de aanmelding die dr. Kuipers gisteren telefonisch heeft gedaan:

{c.name}
{c.email}
burgerservicenummer {bsn}

Met vriendelijke groet,
Mirjam Postma
Zorgadministratie
""", cte="base64")

    # --- A2: credentials / non-public protocols -> secure
    add("seed_credential_ecd_login", "secure", "credential", "nl", "seed_credential",
        "Username and password of the care-record test environment sent to a supplier.",
        frm=m.addr, to=[EXT["leverancier"]], subject="Toegang testomgeving ECD",
        body=f"""Beste leverancier,

Voor de migratietest kunnen jullie vanaf morgen inloggen op de acceptatieomgeving:

URL: https://ecd-acc.zorggroephorizon.nl
Gebruikersnaam: tzt_migratie
Wachtwoord: Rivier!Lente2024#

Graag na afloop van de test laten weten, dan blokkeren we het account weer.

{m.sig('full')}
""")

    key = "hz_live_" + "".join(RNG.choice("abcdef0123456789") for _ in range(40))
    add("seed_credential_api_key", "secure", "credential", "en", "seed_credential",
        "A production API key for the appointment API sent to an external developer.",
        frm=s.addr, to=[EXT["support"]], subject="Appointment API – production access",
        body=f"""Hi,

Your team can now call the production appointment API. Use this key in the X-Api-Key header:

{key}

Please store it in your secrets vault and do not commit it anywhere.

{s.sig('phone')}
""")

    add("seed_credential_connection_string", "secure", "credential", "nl", "seed_credential",
        "A database connection string with a password sent to an external hosting party.",
        frm=m.addr, to=[EXT["hosting"]], subject="Koppeling rapportagedatabase",
        body="""Hallo,

De rapportageserver moet verbinden met onze database. Dit is de connectiestring die jullie kunnen gebruiken:

Server=sql01.intern.zorggroephorizon.nl,1433;Database=ECD_Rapportage;User Id=rapport_ro;Password=Hz#Rapport-77x!;Encrypt=True;

Laat maar weten als de firewallregel nog aangepast moet worden.

Groet,
Mark
""")

    pem_body = "".join(RNG.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                       for _ in range(70 * 6))
    pem = "\n".join(pem_body[i:i + 70] for i in range(0, len(pem_body), 70))
    add("seed_credential_private_key", "secure", "credential", "en", "seed_credential",
        "An SSH private key pasted into a mail to an outside consultant.",
        frm=s.addr, to=["tom.hughes.consult@gmail.com"], subject="Key for the SFTP transfer",
        body=f"""Tom,

Here is the key for the SFTP account so you can pick up the export tonight:

-----BEGIN OPENSSH PRIVATE KEY-----
{pem}
-----END OPENSSH PRIVATE KEY-----

Cheers,
Sarah
""")

    add("seed_credential_pincode_sleutelkluis", "secure", "credential", "nl", "seed_credential",
        "The PIN of the key safe at a client's home sent to an external cleaning company.",
        frm=k.addr, to=["planning@schoonmaakbedrijf-glans.nl"], subject="Sleutelkluis locatie Beukenhof",
        body="""Goedemorgen,

Vanaf maandag kunnen jullie medewerkers zelf naar binnen bij locatie Beukenhof.
De pincode van de sleutelkluis naast de achterdeur is 4 8 2 1 (pincode: 4821).
De alarmcode staat op het briefje in de kluis.

Groet,
Kees Dijkstra
""")

    add("seed_confidential_protocol", "secure", "confidential", "nl", "seed_credential",
        "A non-public internal protocol explicitly marked confidential sent to the municipality.",
        frm=ST["lotte"].addr, to=[EXT["beleid"]],
        subject="VERTROUWELIJK: intern calamiteitenprotocol datalekken (concept)",
        body="""Beste Ingrid,

Zoals gevraagd stuur ik je ons interne calamiteitenprotocol. Let op: dit document is vertrouwelijk
en niet openbaar; het is uitsluitend bedoeld voor het overleg van donderdag. Niet verder verspreiden.

Samenvatting:
1. Melding komt binnen bij de servicedesk en wordt binnen 1 uur doorgezet naar de FG.
2. De FG beoordeelt samen met de bestuurder of melding bij de AP nodig is (binnen 72 uur).
3. Bij ransomware: netwerksegment 10.20.0.0/16 loskoppelen en de noodlijn van onze hostingpartij bellen.
4. Communicatie naar cliënten alleen na akkoord van de bestuurder.

""" + ST["lotte"].sig("full"))

    add("seed_credential_wifi_en", "secure", "credential", "en", "seed_credential",
        "The password of the management Wi-Fi network given to an external contractor.",
        frm=d.addr, to=[EXT["uni"]], subject="Access for Thursday's installation",
        body="""Hi James,

For Thursday: please report to the front desk, they will give you a visitor badge.
The installers need the management network, not the guest network:

SSID: HZ-Beheer
Password: Kn0ppen-Veld-2024

See you then,
David
""")

    # --- A3: company outing to colleagues -> normal
    html = """<html><body><h2 style="color:#1f6f8b">Bedrijfsuitje 2024: we gaan suppen!</h2>
<p>Beste collega's,</p>
<p>Op <b>vrijdag 14 juni</b> is het weer zover: het jaarlijkse bedrijfsuitje van Zorggroep Horizon.
We verzamelen om 14.00 uur bij Stationsplein 1 en gaan met de bus naar de Loosdrechtse Plassen.
Na het suppen is er een barbecue.</p>
<p>Aanmelden kan tot 1 mei via het intranet. Dieetwensen kun je daar ook doorgeven.</p>
<p>Groetjes,<br>De personeelsvereniging</p></body></html>"""
    add("seed_outing_all_staff", "normal", "", "nl", "seed_company_outing",
        "Company outing announcement to an internal all-staff list.",
        frm=INT["pv"], to=[INT["alle"]], subject="Bedrijfsuitje 2024 – save the date!",
        body="Beste collega's,\n\nOp vrijdag 14 juni is het weer zover: het jaarlijkse bedrijfsuitje van "
             "Zorggroep Horizon. We verzamelen om 14.00 uur bij Stationsplein 1 en gaan met de bus naar de "
             "Loosdrechtse Plassen. Na het suppen is er een barbecue.\n\nAanmelden kan tot 1 mei via het "
             "intranet.\n\nGroetjes,\nDe personeelsvereniging\n", html=html, cte="quoted-printable")

    people = [formataddr((n, e)) for n, e in [
        ("Anne de Vries", "anne.devries@wijkteam.zorggroephorizon.nl"),
        ("Kees Dijkstra", "k.dijkstra@wijkteam.zorggroephorizon.nl"),
        ("Joost Kuipers", "j.kuipers@zorggroephorizon.nl"),
        ("Noor Yilmaz", "n.yilmaz@revalidatie.zorggroephorizon.nl"),
        ("Ruud van den Berg", "r.vandenberg@zorggroephorizon.nl")]]
    add("seed_outing_named_colleagues", "normal", "", "nl", "seed_company_outing",
        "Barbecue invitation with colleagues' names and internal addresses (incl. subdomains) visible.",
        frm=ST["emma"].addr, to=people, cc=[INT["mt"]], subject="Zomerbarbecue team Noord 🍔",
        body="""Hoi allemaal,

Het is weer tijd voor onze zomerbarbecue! Kees heeft zijn tuin aangeboden (adres volgt in de app-groep).
Datum: zaterdag 6 juli vanaf 16.00 uur. Partners en kinderen zijn welkom.

Willen jullie even laten weten of je komt en of je iets meeneemt? Anne regelt de salades,
Joost neemt de muziek mee.

Groetjes,
Emma
""")

    add("seed_outing_en_internal", "normal", "", "en", "seed_company_outing",
        "Team outing in English to internal recipients only.",
        frm=d.addr, to=["digital-care-team@zorggroephorizon.nl"], subject="Team day on 20 September",
        body="""Hi all,

Save the date: our team day is on Friday 20 September. Morning: a short retrospective on the patient
portal project. Afternoon: escape room and dinner in the city centre. Transport is arranged.

Please fill in the poll for dietary requirements by the end of next week.

Best,
David
""")

    add("seed_outing_reply_internal", "normal", "", "nl", "seed_company_outing",
        "Internal reply to the outing mail with a colleague's own dietary and health remark; internal only.",
        frm=ST["ruud"].addr, to=[INT["pv"]], subject="RE: Bedrijfsuitje 2024 – save the date!", reply=True,
        body="""Ik ben erbij! Wel graag glutenvrij eten, ik heb coeliakie. En suppen laat ik na mijn
knieoperatie aan me voorbij gaan, ik help wel bij de barbecue.

Ruud""" + outlook_block("Personeelsvereniging", "Alle medewerkers", "Bedrijfsuitje 2024 – save the date!",
                       "Beste collega's,\n\nOp vrijdag 14 juni is het weer zover: het jaarlijkse bedrijfsuitje.\n"
                       "Aanmelden kan tot 1 mei via het intranet."))

    add("seed_outing_catering_quote", "normal", "", "nl", "seed_company_outing_external",
        "Quote request to an external caterer for the outing: numbers and dates, no personal data.",
        frm=ST["emma"].addr, to=[EXT["catering"]], subject="Offerteaanvraag barbecue 14 juni",
        body=f"""Goedemiddag,

Voor ons bedrijfsuitje op vrijdag 14 juni zoeken wij een barbecue voor ongeveer 140 personen,
waarvan circa 25 vegetarisch en 8 glutenvrij. Locatie: Loosdrechtse Plassen, aanvang 18.00 uur.

Kunt u ons een offerte sturen? De factuur mag naar Zorggroep Horizon, Stationsplein 1, 3511 ED Utrecht.

{ST['emma'].sig('full')}
""")

    # --- A4: health data to an external party -> secure
    c = P(gender="f")
    add("seed_health_wound_gp", "secure", "health,person_name", "nl", "seed_health_external",
        "Wound care and antibiotics for a named client reported to the GP.",
        frm=a.addr, to=[EXT["huisarts"]], subject=f"Wondzorg {c.title_nl}",
        body=f"""Beste dokter Kramer,

Bij {c.name} is de decubitus op de stuit verslechterd naar categorie 3. Er is sinds gisteren sprake van
geurend exsudaat en roodheid rondom de wond. Ze krijgt nu 3x per dag zilveralginaat en een
wisselligging. Wilt u beoordelen of een antibioticakuur (flucloxacilline) nodig is?

{a.sig('phone')}
""")

    c = P(gender="m")
    add("seed_health_dementia_wmo", "secure", "health,person_name", "nl", "seed_health_external",
        "Dementia diagnosis of a named client shared with the municipality.",
        frm=f.addr, to=[EXT["wmo"]], cc=[f.email], subject=f"Indicatie begeleiding {c.name}",
        body=f"""Hoi Jeroen,

Even een update over {c.title_nl}. De geheugenpoli heeft vorige week de diagnose
ziekte van Alzheimer gesteld; de MMSE-score was 19. Hij vergeet zijn medicatie en is twee keer
verdwaald in de wijk. Zijn dochter vraagt daarom of dagbesteding 3 dagdelen per week mogelijk is.

Kun jij de aanvraag voor begeleiding in gang zetten?

{f.sig('short')}
""")

    c = P(english=True, gender="m")
    add("seed_health_en_pneumonia", "secure", "health,person_name", "en", "seed_health_external",
        "Hospital admission and pneumonia of a named client sent to an external care partner.",
        frm=ST["noor"].addr, to=[EXT["laura"]], subject=f"Update on {c.title_en}",
        body=f"""Hi Laura,

Quick update: {c.name} was admitted to hospital on Sunday with pneumonia and is on IV antibiotics.
His physiotherapy sessions are on hold until discharge; his COPD makes recovery slower, so we expect
at least two weeks. I'll let you know when we can resume.

{ST['noor'].sig('short')}
""")

    c = P()
    hist = (f"Beste apotheek,\n\nGraag een baxterrol voor {c.name}, geboren {c.dob_nl()}.\n"
            f"Medicatie: metformine 500 mg 2dd1, metoprolol 50 mg 1dd1, oxazepam 10 mg z.n.\n\n"
            f"Met vriendelijke groet,\nAnne de Vries")
    add("seed_health_outlook_medication", "secure", "health,person_name,date_of_birth", "nl",
        "seed_health_external",
        "Medication list with name and date of birth sits in an Outlook-style quoted block sent to a pharmacy.",
        frm=a.addr, to=[EXT["apotheek"]], subject="RE: Baxterrol", reply=True,
        body="""Goedemiddag,

Kleine aanvulling op mijn vorige mail: de oxazepam mag eruit, die is gestopt.

Anne""" + outlook_block(a.addr, "Apotheek De Waag", "Baxterrol", hist))

    c = P(gender="f")
    html = f"""<html><body><p>Beste familie {c.surname_cap},</p>
<p>Zoals beloofd een korte terugkoppeling over uw moeder. Het <b>bloedsuikergehalte</b> is de afgelopen
week te hoog geweest (gemiddeld 14 mmol/l). De specialist ouderengeneeskunde heeft de insuline verhoogd.
Ook is er een <b>urineweginfectie</b> vastgesteld waarvoor zij nitrofurantoïne krijgt.</p>
<p>Met vriendelijke groet,<br>Joost Kuipers<br>Specialist ouderengeneeskunde</p></body></html>"""
    add("seed_health_family_html", "secure", "health,person_name", "nl", "seed_health_external",
        "Health update about a resident (identified by family name) to family at a gmail address.",
        frm=ST["joost"].addr, to=[f"{c.surname_cap.replace(' ', '').lower()}.familie@gmail.com"],
        subject="Terugkoppeling over uw moeder",
        body=f"Beste familie {c.surname_cap},\n\nZoals beloofd een korte terugkoppeling over uw moeder. Het "
             f"bloedsuikergehalte is de afgelopen week te hoog geweest (gemiddeld 14 mmol/l). De specialist "
             f"ouderengeneeskunde heeft de insuline verhoogd. Ook is er een urineweginfectie vastgesteld "
             f"waarvoor zij nitrofurantoïne krijgt.\n\nMet vriendelijke groet,\nJoost Kuipers\n",
        html=html)

    add("seed_health_en_room_initials", "secure", "health", "en", "seed_health_external",
        "Lab values and insulin change for an identifiable resident (room and initials) to an external dietitian.",
        frm=ST["noor"].addr, to=["dietist.praktijk@example.com"], subject="Resident room 12 – HbA1c",
        body="""Hello,

The resident in room 12 of De Linde location (Mrs T.B.) had an HbA1c of 71 mmol/mol last week and
her insulin was increased to 24 units. She is also losing weight (3 kg in a month).
Could you see her next Tuesday for a dietary plan?

Thanks,
Noor
""")

    c = P(gender="m")
    add("seed_health_cak_indicatie", "secure", "health,person_name,postal_address", "nl",
        "seed_health_external",
        "A CIZ indication with diagnosis for a named client at his address sent to the CAK.",
        frm=ST["mirjam"].addr, to=[EXT["cak"]], subject="Wlz-indicatie en opname",
        body=f"""Geachte medewerker van het CAK,

{c.title_nl} ({c.name}, {c.address}) is per 1 maart opgenomen op onze afdeling voor
psychogeriatrie. Hij heeft een Wlz-indicatie VV05 in verband met vasculaire dementie en
een CVA in 2022. Kunt u de eigen bijdrage vanaf die datum aanpassen?

{ST['mirjam'].sig('full')}
""")

    # --- A5: forwarding client/patient dossiers -> secure
    c = P(gender="m")
    bsn = make_bsn(RNG)
    pdf = make_pdf(f"Cliëntdossier {c.name}", [
        f"Naam: {c.name}    Geboortedatum: {c.dob_nl()}    BSN: {bsn}",
        f"Adres: {c.address}",
        "Zorgplan: hulp bij ADL (wassen en aankleden), medicatie aanreiken, steunkousen aan- en uittrekken.",
        "Diagnoses: diabetes mellitus type 2, hartfalen NYHA II, beginnende cognitieve achteruitgang.",
        "Rapportage 12-03: client kortademig bij traplopen, enkels oedemateus. Huisarts gebeld.",
    ])
    fn = f"Clientdossier_{c.first[0]}_{c.last.replace(' ', '_')}.pdf"
    add("seed_dossier_pdf_gp", "secure", "patient_dossier,bsn,health,person_name,date_of_birth", "nl",
        "seed_dossier_forward",
        "A client dossier PDF (care plan, diagnoses, BSN) forwarded to the GP.",
        frm=a.addr, to=[EXT["huisarts"]], subject=f"Fwd: dossier {c.title_nl}",
        body=f"""Beste dokter Kramer,

Zoals gevraagd stuur ik u het dossier van {c.title_nl} door, zodat u het kunt meenemen
naar het MDO van dinsdag.

{a.sig('full')}
""", attachments=[(fn, pdf, None)])

    c = P(gender="f")
    docx = make_docx(f"Zorgplan {c.name}", [
        f"Cliënt: {c.name}, geboren {c.dob_nl()}",
        "Doelen: zelfstandig blijven wonen; valrisico verminderen; eenzaamheid verminderen.",
        "Afspraken: 2x per week hulp bij douchen; dagelijkse medicatiecontrole; valpreventietraining bij fysiotherapie.",
        "Medicatie: furosemide 40 mg, omeprazol 20 mg, paracetamol 1000 mg 3dd.",
    ])
    add("seed_dossier_zorgplan_docx", "secure", "patient_dossier,health,person_name,date_of_birth",
        "nl", "seed_dossier_forward",
        "A care plan (zorgplan) DOCX of a named client forwarded to the municipality.",
        frm=f.addr, to=[EXT["wmo"]], subject="zorgplan ter info",
        body="Hoi Jeroen,\n\nBijgaand het actuele zorgplan, handig voor jullie herindicatie.\n\nGroet,\nFatima\n",
        attachments=[(f"zorgplan_mevr_{c.last.replace(' ', '')}.docx", docx, None)])

    c = P(english=True, gender="f")
    pdf = make_pdf(f"Patient file - {c.name}", [
        f"Patient: {c.name}   DOB: {c.dob:%d %B %Y}",
        "History: hip fracture (right) 2023, osteoporosis, mild depression.",
        "Current treatment: physiotherapy 2x/week, alendronic acid weekly, sertraline 50 mg.",
        "Goals: walking without frame within 8 weeks.",
    ])
    add("seed_dossier_en_patient_file", "secure", "patient_dossier,health,person_name,date_of_birth",
        "en", "seed_dossier_forward",
        "A patient file PDF forwarded to an external rehabilitation partner.",
        frm=ST["noor"].addr, to=[EXT["laura"]], subject="FW: patient file for transfer",
        body=f"Hi Laura,\n\nAttached is the patient file you asked for, ahead of the transfer on Monday.\n\n{ST['noor'].sig('short')}\n",
        attachments=[(f"patient_file_{c.last}.pdf", pdf, None)])

    pdf = make_pdf("Dossier 2024-031", [
        "Aanmelding: 04-03-2024 via huisarts.",
        "Hulpvraag: ondersteuning bij schulden en opvoeding; moeder ervaart burn-outklachten.",
        "Gezinssamenstelling: moeder (39), zoon (12), dochter (9).",
        "Afspraken: wekelijks huisbezoek door gezinscoach; doorverwijzing schuldhulpverlening.",
    ])
    add("seed_dossier_by_name_only", "secure", "patient_dossier,health", "nl", "seed_dossier_forward",
        "Attachment named as a client dossier; the body says nothing about it.",
        frm=k.addr, to=[EXT["wmoloket"]], subject="stukken",
        body="Zie bijlage.\n\nKees\n", attachments=[("dossier_2024-031_gezin.pdf", pdf, None)], disc=False)

    c = P(gender="m")
    bsn = make_bsn(RNG)
    inner = forwarded_eml(ST["joost"].addr, "transfer@ziekenhuis-rivierland.nl",
                          f"Overdracht {c.name}",
                          f"Collega's,\n\nHierbij de medische overdracht van {c.name} (BSN {bsn}, "
                          f"geb. {c.dob_nl()}).\nDiagnose: CVA links met afasie; slikstoornis, "
                          f"sondevoeding via PEG.\nAllergie: penicilline.\n\nJoost Kuipers, SO\n")
    add("seed_dossier_forwarded_eml", "secure", "patient_dossier,bsn,health,person_name,date_of_birth",
        "nl", "seed_dossier_forward",
        "A medical transfer (overdracht) with BSN forwarded as an attached .eml to the GGZ intake team.",
        frm=ST["joost"].addr, to=[EXT["ggz"]], subject="Fw: medische overdracht",
        body="Beste collega's,\n\nTer informatie de overdracht die ik vorige week naar het ziekenhuis stuurde.\n\n"
             + ST["joost"].sig("short") + "\n",
        attachments=[("Overdracht.eml", inner, None)])

    # --- A6: public files -> normal; with personal data added -> secure
    pub = make_pdf("Jaarverslag 2023 Zorggroep Horizon", [
        "In 2023 verleende Zorggroep Horizon zorg aan ruim 4.200 cliënten in de regio Utrecht.",
        "Het aantal medewerkers groeide naar 1.180. Het ziekteverzuim daalde naar 6,1 procent.",
        "Dit jaarverslag is openbaar en te downloaden via www.zorggroephorizon.nl/jaarverslag.",
        "Zorggroep Horizon, Stationsplein 1, 3511 ED Utrecht, KvK 12345678.",
    ])
    add("seed_public_jaarverslag", "normal", "", "nl", "seed_public_file",
        "The published annual report forwarded to a municipal policy officer.",
        frm=ST["emma"].addr, to=[EXT["beleid"]], subject="Ons jaarverslag 2023",
        body=f"Beste Ingrid,\n\nZoals beloofd ons jaarverslag over 2023. Het staat ook op onze website.\n\n{ST['emma'].sig('full')}\n",
        attachments=[("Jaarverslag_2023_Zorggroep_Horizon.pdf", pub, None)])

    folder = make_pdf("Wmo: wat kan de gemeente voor u doen?", [
        "Heeft u hulp nodig in het huishouden, bij vervoer of bij het aanpassen van uw woning?",
        "Neem dan contact op met het Wmo-loket van gemeente Rivierstad: 14 0123 of wmo@gemeente-rivierstad.nl.",
        "Een onafhankelijke cliëntondersteuner kan u gratis helpen bij het gesprek.",
    ])
    c = P(gender="f")
    add("seed_public_folder_to_client", "normal", "", "nl", "seed_public_file",
        "A public municipal leaflet sent to a client, greeting her by name only.",
        frm=a.addr, to=[formataddr((c.name, c.email))], subject="Folder Wmo-loket",
        body=f"Beste {c.title_nl},\n\nZoals beloofd de folder van het Wmo-loket. Daar kunt u terecht voor hulp in het huishouden.\n\n{a.sig('phone')}\n",
        attachments=[("Folder_Wmo_Rivierstad.pdf", folder, None)])

    nta = make_pdf("Secure e-mail in healthcare - public summary", [
        "NTA 7516 is a Dutch technical agreement on secure e-mail exchange of health data.",
        "Key requirements: encrypted transport, authenticated recipients, and clear agreements between parties.",
        "Source: publicly available summary, free to share.",
    ])
    add("seed_public_en_nta_summary", "normal", "", "en", "seed_public_file",
        "A public summary of NTA 7516 forwarded to an external contact.",
        frm=s.addr, to=[EXT["uni"]], subject="FW: NTA 7516 summary",
        body=f"James,\n\nThe public summary I mentioned yesterday – useful background for your students.\n\n{s.sig('short')}\n",
        attachments=[("NTA7516_public_summary.pdf", nta, None)])

    add("seed_public_link", "normal", "", "nl", "seed_public_file",
        "Links to public government pages sent to the municipality.",
        frm=ST["lotte"].addr, to=[EXT["beleid"]], cc=[EXT["wmo"]], subject="Handreiking veilig mailen",
        body="""Beste Ingrid,

Voor het overleg over veilig mailen tussen gemeente en zorgaanbieders verwijs ik graag naar deze
openbare stukken:

- https://www.autoriteitpersoonsgegevens.nl/themas/gezondheid
- https://www.rijksoverheid.nl/onderwerpen/privacy-en-persoonsgegevens
- de NTA 7516 via NEN

""" + ST["lotte"].sig("full"))

    c = P(gender="f")
    add("seed_public_plus_personal", "secure", "person_name,date_of_birth,postal_address", "nl",
        "seed_public_file_plus_personal",
        "A public leaflet forwarded, but the sender added a client's name, date of birth and address.",
        frm=a.addr, to=[EXT["wmoloket"]], subject="Folder Wmo-loket + aanmelding",
        body=f"""Goedemorgen,

Bijgaand jullie eigen folder ter info. Ik heb hem ook gegeven aan {c.name}, geboren {c.dob_nl()},
wonend aan de {c.address}. Zij wil graag een keukentafelgesprek. Kunnen jullie haar benaderen?

{a.sig('first')}
""", attachments=[("Folder_Wmo_Rivierstad.pdf", folder, None)])

    brochure = make_pdf("Leven met dementie", [
        "Deze brochure geeft uitleg over dementie, de verschillende vormen en waar u hulp kunt vinden.",
        "Alzheimer Nederland: www.alzheimer-nederland.nl. Landelijke Dementielijn: 0800-5088.",
    ])
    c = P(gender="m")
    add("seed_public_plus_diagnosis", "secure", "health,person_name", "nl",
        "seed_public_file_plus_personal",
        "A public dementia brochure forwarded with a note naming a client who just got the diagnosis.",
        frm=f.addr, to=["buurtcentrum.dewaaier@gmail.com"], subject="Brochure Leven met dementie",
        body=f"""Hallo,

Hierbij de openbare brochure over dementie voor jullie leestafel. Misschien handig voor
{c.name}, die bij jullie op de koffieochtend komt: hij heeft vorige maand de diagnose Alzheimer gekregen
en zijn vrouw zoekt lotgenotencontact.

{f.sig('phone')}
""", attachments=[("Leven_met_dementie.pdf", brochure, None)])

    c = P(english=True)
    add("seed_public_en_plus_contact", "secure", "person_name,phone_number,postal_address", "en",
        "seed_public_file_plus_personal",
        "A public guideline forwarded with a named participant's phone number and address added.",
        frm=d.addr, to=[EXT["uni"]], subject="Guideline + participant for interview",
        body=f"""James,

Attached is the public guideline on secure e-mail. For your interview study: {c.name} agreed to
take part. You can reach {c.first} on {c.phone}, or visit at {c.address}.

{d.sig('short')}
""", attachments=[("NTA7516_public_summary.pdf", nta, None)])


# ====================================================== B. near misses (normal)
def near_misses():
    a, f, k, m, s, d = ST["anne"], ST["fatima"], ST["kees"], ST["mark"], ST["sarah"], ST["david"]

    # invalid BSNs
    bad = make_invalid_bsn(RNG)
    add("near_miss_invalid_bsn_training", "normal", "", "nl", "near_miss_invalid_bsn",
        "Training material with a made-up BSN that fails the 11-proef.",
        frm=ST["lotte"].addr, to=["trainer@privacyacademie.nl"], subject="Casus voor de training van 12 april",
        body=f"""Beste trainer,

Voor de casus in de privacytraining kunt u dit voorbeeld gebruiken: een medewerker typt in het
aanmeldformulier het BSN {bad} in. Dit nummer voldoet niet aan de elfproef en is dus fictief.
Laat de deelnemers bespreken wat het systeem zou moeten doen.

{ST['lotte'].sig('full')}
""")
    bad = make_invalid_bsn(RNG)
    add("near_miss_invalid_bsn_testdata", "normal", "", "nl", "near_miss_invalid_bsn",
        "Test data for a supplier with a BSN-like field that fails the 11-proef and no real person.",
        frm=m.addr, to=[EXT["leverancier"]], subject="Testgegevens koppeling",
        body=f"""Hoi,

Voor de koppelingstest kun je de volgende fictieve testcliënt gebruiken:
naam 'Test Testpersoon', BSN-veld {bad} (bewust ongeldig, faalt op de 11-proef), geen adres.
Zo zien we of jullie validatie goed afgaat.

Groet,
Mark
""")
    bad = make_invalid_bsn(RNG)
    add("near_miss_invalid_bsn_en_validation", "normal", "", "en", "near_miss_invalid_bsn",
        "Bug report: the form accepted a nine-digit number that is not a valid BSN.",
        frm=s.addr, to=[EXT["support"]], subject="Form accepts invalid BSN",
        body=f"""Hi support,

Your intake form accepted {bad} in the BSN field, although it fails the eleven test. Please add
server-side validation. Steps: open /intake, enter any name, enter the number above, submit.

{s.sig('phone')}
""")
    bad = make_invalid_bsn(RNG)
    add("near_miss_invalid_bsn_typo_check", "normal", "", "nl", "near_miss_invalid_bsn",
        "Asks the municipality why a nine-digit number is rejected; it fails the 11-proef and names nobody.",
        frm=ST["mirjam"].addr, to=[EXT["wmoloket"]], subject="Foutmelding berichtenverkeer iWmo",
        body=f"""Goedemiddag,

In het retourbericht van vanochtend staat foutcode 0103 bij het nummer {bad}. Bij controle blijkt dit
geen geldig burgerservicenummer te zijn (elfproef klopt niet), het lijkt een tikfout in jullie toewijzing.
Kunnen jullie de toewijzing opnieuw versturen?

Met vriendelijke groet,
Zorgadministratie Zorggroep Horizon
""")
    bad = make_invalid_bsn(RNG)
    add("near_miss_invalid_bsn_en_dummy", "normal", "", "en", "near_miss_invalid_bsn",
        "A dummy number in documentation that fails the 11-proef.",
        frm=d.addr, to=[EXT["uni"]], subject="Example record for the student project",
        body=f"""James,

For the student project please use only synthetic records, like this one:
  name: Jane Doe (synthetic), bsn: {bad}, city: Rivierstad
The BSN deliberately fails the checksum so it can never match a real person.

{d.sig('first')}
""")

    # reference numbers that look like BSNs
    def nine_invalid():
        return make_invalid_bsn(RNG)
    inv = nine_invalid()
    add("near_miss_invoice_number", "normal", "", "nl", "near_miss_reference_number",
        "A nine-digit invoice number (fails the 11-proef) in a payment question to a supplier.",
        frm=ST["ruud"].addr, to=[EXT["drukker"]], subject=f"Factuur {inv}",
        body=f"""Goedemorgen,

Factuur {inv} van 12 maart hebben wij nog niet kunnen betalen omdat het ordernummer ontbreekt.
Kunt u een gecorrigeerde factuur sturen met ons inkoopordernummer PO-2024-0412?

{ST['ruud'].sig('full')}
""")
    order = make_bsn(RNG)  # passes the 11-proef on purpose
    add("near_miss_order_number_passes_11proef", "normal", "", "nl", "near_miss_reference_number",
        "Order number that happens to pass the 11-proef but is explicitly an order number, not a BSN.",
        frm=ST["sanne"].addr, to=["klantenservice@kantoorartikelen-example.nl"], subject=f"Bestelling {order}",
        body=f"""Beste klantenservice,

Onze bestelling met ordernummer {order} (30 dozen kopieerpapier en 12 toners) is nog niet geleverd.
Volgens track & trace ligt het pakket sinds maandag in het depot. Kunt u uitzoeken wat er aan de hand is?

Afleveradres: Zorggroep Horizon, Stationsplein 1, 3511 ED Utrecht.

{ST['sanne'].sig('phone')}
""")
    ref = nine_invalid()
    add("near_miss_en_ticket_number", "normal", "", "en", "near_miss_reference_number",
        "Ticket and case numbers of nine digits in a support conversation.",
        frm=s.addr, to=[EXT["support"]], subject=f"Re: Case {ref} - outage 14 March", reply=True,
        body=f"""Hi,

Thanks for the root-cause analysis for case {ref}. Could you also link change request 20240314
and incident 7781239 so we can close our internal record?

Sarah""" + gmail_quote("Example Support <support@example.com>",
                       f"Dear customer,\n\nYour case {ref} has been resolved. The outage was caused by an expired "
                       f"TLS certificate on the load balancer.\n\nKind regards,\nExample Support", "en"))
    polis = make_bsn(RNG)  # passes the 11-proef, but it is a policy number of the organisation
    add("near_miss_policy_number", "normal", "", "nl", "near_miss_reference_number",
        "The organisation's own insurance policy number (passes the 11-proef) in a mail to its insurer.",
        frm=ST["ruud"].addr, to=["zakelijk@verzekeraar-example.nl"], subject="Schademelding wagenpark",
        body=f"""Geachte heer/mevrouw,

Hierbij melden wij schade aan een dienstauto (kenteken GX-412-K) op ons polisnummer {polis}.
De auto is op het parkeerterrein van Stationsplein 1 aangereden door een onbekende.
Foto's volgen nog.

{ST['ruud'].sig('full')}
""")
    add("near_miss_kenmerk_dates", "normal", "", "nl", "near_miss_reference_number",
        "Case reference, postcode-free dates and a KvK number of the organisation; no person data.",
        frm=ST["lotte"].addr, to=[EXT["beleid"]], subject="Uw kenmerk 2024-0031877",
        body=f"""Beste Ingrid,

In antwoord op uw brief met kenmerk 2024-0031877 van 02-04-2024: de verwerkersovereenkomst is
ondertekend en op 05-04-2024 retour gestuurd. Ons KvK-nummer is 12345678; zaaknummer bij u is
Z/24/118273.

{ST['lotte'].sig('full')}
""")

    # IBAN with wrong checksum
    bad_iban = make_invalid_iban(RNG)
    add("near_miss_iban_wrong_checksum_supplier", "normal", "", "nl", "near_miss_iban_checksum",
        "A supplier's IBAN with a wrong checksum; a company, not a person.",
        frm=ST["ruud"].addr, to=[EXT["drukker"]], subject="Controle bankrekeningnummer",
        body=f"""Goedemiddag,

Op uw laatste factuur staat rekeningnummer {fmt_iban(bad_iban)}. Onze betaalsoftware keurt dit nummer af
(het controlegetal klopt niet). Kunt u het juiste IBAN bevestigen? Tot die tijd houden we de betaling aan.

Ruud van den Berg
Financiële administratie
""")
    bad_iban = make_invalid_iban(RNG)
    add("near_miss_iban_checksum_en", "normal", "", "en", "near_miss_iban_checksum",
        "An IBAN-shaped string that fails mod-97 in an English mail, no person attached.",
        frm=d.addr, to=[EXT["laura"]], subject="Bank details on the contract draft",
        body=f"""Hi Laura,

One small thing in the contract draft: clause 7 lists account {bad_iban}, which does not pass the
IBAN check. Could your finance team correct it before we sign?

{d.sig('short')}
""")
    bad_iban = make_invalid_iban(RNG)
    add("near_miss_iban_checksum_foundation", "normal", "", "nl", "near_miss_iban_checksum",
        "Donation request naming a foundation's account with an invalid checksum.",
        frm=ST["emma"].addr, to=["redactie@rivierstadsdagblad.nl"], subject="Persbericht: collecte Stichting Vriendenkring",
        body=f"""Beste redactie,

De Stichting Vriendenkring Horizon collecteert voor een belevingstuin. Giften zijn welkom op
{fmt_iban(bad_iban)} t.n.v. Stichting Vriendenkring Horizon. Wilt u dit opnemen in de agenda?

{ST['emma'].sig('full')}
""")

    # signatures with phone and address
    add("near_miss_signature_full", "normal", "", "nl", "near_miss_signature",
        "Only the sender's own signature (name, role, phones, org address) carries identifiers.",
        frm=a.addr, to=[EXT["assistente"]], subject="Bereikbaarheid wijkteam tijdens Pasen",
        body=f"""Beste assistentes,

Tijdens de paasdagen is het wijkteam bereikbaar via de centrale dienstlijn. Voor spoed blijft het
bekende nummer gelden.

{a.sig('full')}
""", disc=False)
    add("near_miss_signature_mobile_en", "normal", "", "en", "near_miss_signature",
        "English mail whose only phone number and address are in the sender's signature.",
        frm=s.addr, to=[EXT["uni"]], subject="Guest lecture on 3 May",
        body=f"""Dear James,

I'd be happy to give the guest lecture on e-mail security on 3 May. I'll need a projector with HDMI;
slides will be in English. Feel free to call me if anything changes.

{s.sig('phone')}
""")
    home = P(gender="m")
    add("near_miss_signature_personal_details", "normal", "", "nl", "near_miss_signature",
        "A volunteer writes from his own gmail with his own name, home address and phone in the signature.",
        frm=formataddr((home.name, home.email)), to=[EXT["beleid"]],
        subject="Vrijwilligers bij de belevingstuin",
        body=f"""Beste mevrouw Schouten,

Namens de vrijwilligers van Zorggroep Horizon wil ik vragen of de gemeente een bijdrage kan leveren
aan de aanleg van de belevingstuin. Wij denken aan ongeveer 20 plantenbakken.

Met vriendelijke groet,

{home.name}
Coördinator vrijwilligers (vrijwillig)
{home.address}
{home.phone}
""")
    add("near_miss_signature_greeting_reply", "normal", "", "nl", "near_miss_signature",
        "Reply to the GP; only greetings and both parties' signatures hold names and numbers.",
        frm=k.addr, to=[EXT["huisarts"]], subject="RE: Overleg ouderenzorg", reply=True,
        body=f"""Beste Hanneke,

Dank voor je reactie. Dinsdag 16 april om 12.30 uur is prima, we schuiven aan in jullie praktijk.

{k.sig('full')}""" + outlook_block("H. Kramer <h.kramer@huisartsenpraktijk-delinde.nl>", "Kees Dijkstra",
                                    "Overleg ouderenzorg",
                                    "Beste Kees,\n\nZullen we het kwartaaloverleg ouderenzorg inplannen? Ik kan op "
                                    "dinsdagmiddag.\n\nMet vriendelijke groet,\n\nHanneke Kramer, huisarts\n"
                                    "Huisartsenpraktijk De Linde\nLindeplein 4, 3512 AB Utrecht\nT 030-7654321"))

    # footer disclaimers that say vertrouwelijk / confidential
    add("near_miss_disclaimer_vertrouwelijk", "normal", "", "nl", "near_miss_disclaimer",
        "Standard footer disclaimer mentions 'vertrouwelijk'; the content is a room booking.",
        frm=ST["sanne"].addr, to=[EXT["beleid"]], subject="Zaalreservering 23 mei",
        body="""Beste Ingrid,

De vergaderzaal op de tweede verdieping is voor 23 mei van 13.00 tot 16.00 uur voor jullie gereserveerd.
Koffie en thee staan klaar.

Groet,
Sanne
""", disc=True)
    add("near_miss_disclaimer_confidential_en", "normal", "", "en", "near_miss_disclaimer",
        "Standard English confidentiality footer under a harmless scheduling mail.",
        frm=d.addr, to=[EXT["laura"]], subject="Moving our call",
        body="""Hi Laura,

Could we move Thursday's call to 15:30? Something came up in the morning.

David
""", disc=True)
    add("near_miss_disclaimer_long_html", "normal", "", "nl", "near_miss_disclaimer",
        "HTML mail with a long grey disclaimer block ('strikt vertrouwelijk') about a public event.",
        frm=ST["emma"].addr, to=["info@bibliotheekrivierstad.nl"], subject="Samenwerking Week van de Eenzaamheid",
        body="Beste medewerkers van de bibliotheek,\n\nGraag organiseren we samen een voorleesmiddag tijdens "
             "de Week van de Eenzaamheid. Hebben jullie op woensdag 2 oktober ruimte?\n\nGroet,\nEmma Visser\n\n"
             "Deze e-mail is strikt vertrouwelijk en uitsluitend bestemd voor de geadresseerde. Indien u "
             "niet de geadresseerde bent, wordt u verzocht de afzender te informeren.\n",
        html="<html><body><p>Beste medewerkers van de bibliotheek,</p><p>Graag organiseren we samen een "
             "voorleesmiddag tijdens de Week van de Eenzaamheid. Hebben jullie op woensdag 2 oktober ruimte?</p>"
             "<p>Groet,<br>Emma Visser</p><hr><p style='font-size:8pt;color:#888'>Deze e-mail is strikt "
             "vertrouwelijk en uitsluitend bestemd voor de geadresseerde. Indien u niet de geadresseerde bent, "
             "wordt u verzocht de afzender te informeren.</p></body></html>", disc=False)
    add("near_miss_disclaimer_both_langs", "normal", "", "en", "near_miss_disclaimer",
        "Bilingual disclaimer (vertrouwelijk / confidential) under an English delivery question.",
        frm=ST["sanne"].addr, to=[EXT["support"]], subject="Delivery of the new laptops",
        body="""Hello,

Could the 12 laptops be delivered to our reception at Stationsplein 1 on Monday morning?

Regards,
Sanne Mulder

Dit bericht is vertrouwelijk. / This message is confidential. Indien u dit bericht ten onrechte
ontvangt, verwijder het dan. / If you received it in error, please delete it.
""", disc=False)

    # password notices
    c = P(gender="f")
    add("near_miss_password_changed", "normal", "", "nl", "near_miss_password_reset",
        "Automatic notice that a portal password was changed; no password in it.",
        frm=formataddr(("Cliëntportaal Zorggroep Horizon", "noreply@zorggroephorizon.nl")),
        to=[c.email], subject="Uw wachtwoord is gewijzigd",
        body=f"""Beste {c.title_nl},

Uw wachtwoord voor het cliëntportaal is zojuist gewijzigd. Heeft u dit zelf gedaan, dan hoeft u niets te doen.

Heeft u uw wachtwoord niet gewijzigd? Neem dan direct contact op met onze servicedesk via 030-1234567.

Met vriendelijke groet,
Zorggroep Horizon
""", disc=False)
    add("near_miss_password_reset_link_en", "normal", "", "en", "near_miss_password_reset",
        "Password-reset notice with a link; no password, key or code.",
        frm=formataddr(("Horizon Portal", "noreply@zorggroephorizon.nl")), to=["o.harris@example.com"],
        subject="Reset your password",
        body="""Hello,

We received a request to reset your password for the Horizon patient portal.
Click the link below to choose a new password. The link is valid for 30 minutes.

https://portaal.zorggroephorizon.nl/reset?token=expired-link-example

If you did not request a password reset, you can ignore this e-mail.

The Horizon Portal team
""", html="""<html><body><p>Hello,</p><p>We received a request to reset your password for the Horizon patient portal.</p>
<p><a href="https://portaal.zorggroephorizon.nl/reset?token=expired-link-example">Reset your password</a> (valid for 30 minutes)</p>
<p>If you did not request a password reset, you can ignore this e-mail.</p></body></html>""", disc=False)
    add("near_miss_password_policy", "normal", "", "nl", "near_miss_password_reset",
        "A password policy explanation to a partner; rules, no actual password.",
        frm=m.addr, to=[EXT["wmo"]], subject="Wachtwoordeisen gedeelde omgeving",
        body="""Hoi Jeroen,

Voor de gedeelde samenwerkingsomgeving gelden de volgende wachtwoordeisen: minimaal 14 tekens,
geen hergebruik van de laatste 10 wachtwoorden, en tweestapsverificatie met een authenticator-app.
Het wachtwoord wordt nooit per mail verstuurd; bij 'wachtwoord vergeten' krijg je een resetlink.

Groet,
Mark
""")
    add("near_miss_password_expiry_en", "normal", "", "en", "near_miss_password_reset",
        "An 'your password will expire' reminder sent to an external user.",
        frm=formataddr(("Servicedesk ICT", "servicedesk@zorggroephorizon.nl")), to=[EXT["uni"]],
        subject="Your guest account password expires in 3 days",
        body="""Dear user,

The password of your guest account will expire in 3 days. Please sign in at
https://account.zorggroephorizon.nl and choose a new password (at least 14 characters).

Servicedesk ICT
""", disc=False)

    # public documents
    policy = make_pdf("Privacyreglement Zorggroep Horizon (openbaar)", [
        "Dit reglement beschrijft hoe Zorggroep Horizon omgaat met persoonsgegevens van cliënten.",
        "Artikel 3: Gezondheidsgegevens worden alleen gedeeld met zorgverleners die bij de behandeling betrokken zijn.",
        "Artikel 7: Cliënten hebben recht op inzage, correctie en verwijdering van hun dossier.",
        "Vastgesteld door de Raad van Bestuur, gepubliceerd op www.zorggroephorizon.nl/privacy.",
    ])
    add("near_miss_public_policy_pdf", "normal", "", "nl", "near_miss_public_doc",
        "The published privacy policy PDF (mentions dossiers and health data in general terms).",
        frm=ST["lotte"].addr, to=["clientenraad.voorzitter@gmail.com"], subject="Privacyreglement 2024",
        body=f"Beste voorzitter,\n\nBijgaand het vastgestelde privacyreglement, zoals gepubliceerd op onze website.\n\n{ST['lotte'].sig('full')}\n",
        attachments=[("Privacyreglement_2024.pdf", policy, None)])
    html = """<html><body><h1>Nieuwsbrief april – Week van de Diabetes</h1>
<p>Van 11 tot en met 17 november is het de Week van de Diabetes. In Nederland hebben ruim 1,2 miljoen
mensen diabetes. Onze diabetesverpleegkundigen geven in alle wijkcentra gratis voorlichting over
gezond eten, bewegen en het meten van de bloedsuiker.</p>
<p>Meer informatie: <a href="https://www.diabetesfonds.nl">diabetesfonds.nl</a></p>
<p>Afmelden voor deze nieuwsbrief? <a href="https://www.zorggroephorizon.nl/afmelden">Klik hier</a>.</p></body></html>"""
    add("near_miss_newsletter_diabetes", "normal", "", "nl", "near_miss_public_doc",
        "Public newsletter about diabetes week: health terms but about no person.",
        frm=formataddr(("Zorggroep Horizon", "nieuwsbrief@zorggroephorizon.nl")),
        to=["nieuwsbrief-abonnees@lists.example.com"], subject="Nieuwsbrief: Week van de Diabetes",
        body="Nieuwsbrief april – Week van de Diabetes\n\nVan 11 tot en met 17 november is het de Week van de "
             "Diabetes. In Nederland hebben ruim 1,2 miljoen mensen diabetes. Onze diabetesverpleegkundigen geven "
             "in alle wijkcentra gratis voorlichting over gezond eten, bewegen en het meten van de bloedsuiker.\n",
        html=html, cte="quoted-printable", disc=False)
    add("near_miss_flu_shot_campaign", "normal", "", "nl", "near_miss_public_doc",
        "Flu-shot campaign for all staff (internal list).",
        frm=ST["emma"].addr, to=[INT["alle"]], subject="Griepprik 2024: haal hem op 15 oktober!",
        body="""Beste collega's,

Ook dit jaar bieden we alle medewerkers gratis de griepprik en de coronaprik aan.
Wanneer: dinsdag 15 oktober, 8.00 – 16.00 uur, vergaderzaal begane grond.
Waarom: je beschermt jezelf én onze kwetsbare cliënten tegen influenza.

Geen afspraak nodig. Neem je personeelspas mee.

Team Communicatie
""")
    add("near_miss_flu_shot_partner", "normal", "", "nl", "near_miss_public_doc",
        "The flu-shot campaign text shared with the municipality as an example; no person data.",
        frm=ST["emma"].addr, to=[EXT["beleid"]], subject="FW: Griepprik 2024 – onze campagne",
        body="""Hoi Ingrid,

Ter inspiratie onze interne griepprikcampagne. Vorig jaar liet 58% van de zorgmedewerkers zich
vaccineren; dit jaar mikken we op 70%.""" + outlook_block("Emma Visser", "Alle medewerkers",
                                                      "Griepprik 2024: haal hem op 15 oktober!",
                                                      "Beste collega's,\n\nOok dit jaar bieden we alle medewerkers "
                                                      "gratis de griepprik aan. Geen afspraak nodig."))
    add("near_miss_software_bug_diagnosed", "normal", "", "en", "near_miss_public_doc",
        "A software bug is 'diagnosed' with 'symptoms' and a 'treatment'; no health data about a person.",
        frm=s.addr, to=[EXT["support"]], subject="Diagnosis of the portal crash",
        body="""Hi team,

We diagnosed the crash of the patient portal: the symptom is a 502 after login, the cause is a memory
leak in the PDF renderer that shows up after ~3,000 sessions. Treatment for now: restart the pod every
night. A permanent fix is tracked in issue #4312. No patient data was affected.

Sarah
""")
    add("near_miss_dementia_friendly_event_en", "normal", "", "en", "near_miss_public_doc",
        "Public invitation about a dementia-friendly event; health words but no individual.",
        frm=d.addr, to=["events@example.com"], subject="Dementia-friendly community walk – 21 September",
        body="""Hello,

On World Alzheimer's Day, 21 September, we organise a dementia-friendly walk through Rivierstad with
volunteers, residents and the municipality. Could you list it in your public events calendar?
Start: 10:00 at the town hall, 5 km, wheelchair accessible.

David Morgan
Zorggroep Horizon
""")

    # meeting planning with colleague names only
    add("near_miss_meeting_colleague_names", "normal", "", "nl", "near_miss_meeting",
        "Meeting planning with the municipality naming only colleagues attending.",
        frm=k.addr, to=[EXT["wmo"], EXT["beleid"]], subject="Agenda overleg wijkteam – gemeente 18 april",
        body="""Beste Jeroen en Ingrid,

Vanuit Zorggroep Horizon schuiven Anne de Vries (wijkverpleging), Fatima El Idrissi (casemanagement
dementie) en ik aan. Voorstel agenda:
1. Wachttijden huishoudelijke hulp
2. Samenwerking met de huisartsen
3. Rondvraag

Locatie: Stationsplein 1, zaal 2.04, 10.00–11.30 uur.

""" + k.sig("short"))
    add("near_miss_meeting_en_roles", "normal", "", "en", "near_miss_meeting",
        "Project meeting invite with colleague names and roles only.",
        frm=d.addr, to=[EXT["laura"], EXT["uni"]], subject="Kick-off: secure messaging pilot",
        body="""Dear Laura, dear James,

Our kick-off is on 25 April, 13:00-15:00 (Teams). From Zorggroep Horizon: Sarah Thompson (security),
Mark Jansen (application management) and myself. Agenda: scope, planning, data protection impact
assessment, next steps.

Best regards,
David
""")
    add("near_miss_meeting_reschedule", "normal", "", "nl", "near_miss_meeting",
        "Reschedules a training for a colleague; names only, external trainer.",
        frm=ST["pieter"].addr, to=["info@trainingsbureau-kompas.nl"], subject="Verzetten training Kees Dijkstra",
        body="""Goedemiddag,

Onze collega Kees Dijkstra kan helaas niet bij de leiderschapstraining op 7 mei. Kan hij aansluiten bij
de groep van 4 juni? Ruud van den Berg neemt zijn plek op 7 mei over.

""" + ST["pieter"].sig("full"))
    add("near_miss_meeting_ics_style", "normal", "", "nl", "near_miss_meeting",
        "Teams invitation text with organiser and internal attendees, sent to an external guest.",
        frm=ST["lotte"].addr, to=[EXT["adviseur"]], subject="Uitnodiging: evaluatie DPIA cliëntportaal",
        body="""Uitnodiging: evaluatie DPIA cliëntportaal
Wanneer: donderdag 2 mei 2024 14:00-15:00
Waar: Microsoft Teams-vergadering
Organisator: Lotte Hendriks
Deelnemers: Mark Jansen; Sarah Thompson; Marco Verbeek

Deelnemen via: https://teams.microsoft.com/l/meetup-join/example
""", disc=False)

    # internal only (sensitive, still normal)
    c = P(gender="f")
    bsn = make_bsn(RNG)
    add("internal_bsn_health", "normal", "", "nl", "internal_only",
        "BSN and diagnosis of a client, but all recipients are internal.",
        frm=a.addr, to=[INT["wijkteam"]], cc=[k.email], subject=f"Opname {c.title_nl}",
        body=f"""Hoi team,

{c.name} (BSN {bsn}, geb. {c.dob_nl()}) is gisteravond opgenomen met een hartinfarct.
Zorg voorlopig stoppen; ik houd contact met de dochter.

Anne
""")
    c = P(gender="m")
    xl = make_xlsx([("Cliënten", [["Naam", "BSN", "Geboortedatum", "Diagnose"]] +
                    [[p.name, make_bsn(RNG), p.dob_nl(), dx] for p, dx in
                     [(P(), "COPD"), (P(), "dementie"), (P(), "diabetes type 2"), (c, "CVA")]])])
    add("internal_client_list_xlsx", "normal", "", "nl", "internal_only",
        "Client list with BSNs and diagnoses sent only to an internal subdomain address.",
        frm=ST["mirjam"].addr, to=[INT["dagbesteding"]], subject="Cliëntenlijst dagbesteding Q2",
        body="Hoi,\n\nBijgaand de actuele cliëntenlijst voor de dagbesteding.\n\nMirjam\n",
        attachments=[("clientenlijst_dagbesteding_Q2.xlsx", xl, None)])
    add("internal_credential", "normal", "", "nl", "internal_only",
        "A temporary password passed to an internal colleague only.",
        frm=m.addr, to=[a.addr], subject="Je tijdelijke wachtwoord",
        body="""Hoi Anne,

Je account is gereset. Tijdelijk wachtwoord: Welkom-Horizon-93! Bij de eerste keer inloggen moet je
het direct wijzigen.

Mark (ICT)
""", disc=False)
    c = P(english=True)
    add("internal_en_health", "normal", "", "en", "internal_only",
        "English health details of a named patient between internal colleagues (incl. subdomain).",
        frm=ST["noor"].addr, to=[ST["joost"].addr], cc=["fysio@revalidatie.zorggroephorizon.nl"],
        subject=f"{c.name} – knee replacement rehab",
        body=f"""Joost,

{c.name} (born {c.dob:%d/%m/%Y}) is progressing slowly after the knee replacement; pain score 7/10 and
signs of a possible DVT in the left calf. Could you examine him today?

Noor
""")
    c = P(gender="f")
    inner = forwarded_eml(EXT["huisarts"], a.email, f"Uitslag {c.name}",
                          f"Beste Anne,\n\nDe uitslag van {c.name}: eGFR 38, kaliumgehalte verhoogd. "
                          f"Graag de furosemide halveren.\n\nH. Kramer, huisarts")
    add("internal_forward_gp_result", "normal", "", "nl", "internal_only",
        "A GP's lab result (health) forwarded as .eml, but only to internal colleagues.",
        frm=a.addr, to=[k.addr, ST["joost"].addr], subject="Fw: Uitslag lab",
        body="Ter info, zie doorgestuurd bericht.\n\nAnne\n", attachments=[("Uitslag lab.eml", inner, None)])
    c = P(gender="m")
    add("internal_special_category", "normal", "", "nl", "internal_only",
        "Criminal-record and religion details of a named applicant within HR (internal only).",
        frm=ST["pieter"].addr, to=[INT["mt"]], subject="Sollicitant vacature nachtdienst",
        body=f"""Beste MT-leden,

De VOG van {c.name} is geweigerd in verband met een veroordeling voor mishandeling in 2019. Daarnaast vroeg hij
of hij tijdens de ramadan andere diensten kan draaien. Advies: niet aannemen vanwege de VOG.

Pieter
""")
    add("internal_en_confidential", "normal", "", "en", "internal_only",
        "A confidential board memo shared only with internal management.",
        frm=d.addr, to=[INT["mt"]], subject="CONFIDENTIAL: merger talks with Zorgcentrum Oost",
        body="""Dear all,

Strictly confidential, not to be shared: the board has started exploratory merger talks with
Zorgcentrum Oost. Staff will be informed in September. Please keep this within the MT.

David
""")

    # mail to the person about their own appointment
    c = P(gender="f")
    add("own_appointment_plain", "normal", "", "nl", "own_appointment",
        "Appointment confirmation to the client herself with only her own name and address.",
        frm=ST["sanne"].addr, to=[formataddr((c.name, c.email))], subject="Bevestiging afspraak 22 april",
        body=f"""Beste {c.title_nl},

Hierbij bevestigen wij uw afspraak op maandag 22 april om 10.30 uur. Onze medewerker komt bij u thuis
op de {c.street} {c.number} in {c.city}. Verhindert u, belt u dan even met 030-1234567.

Met vriendelijke groet,
Secretariaat Zorggroep Horizon
""")
    c = P(english=True, gender="m")
    add("own_appointment_en", "normal", "", "en", "own_appointment",
        "Appointment reminder to the client himself, greeting by name, no health detail.",
        frm=ST["noor"].addr, to=[formataddr((c.name, c.email))], subject="Reminder: your appointment on Friday",
        body=f"""Dear {c.title_en},

This is a reminder of your appointment on Friday 26 April at 09:15 at our location, Stationsplein 1,
Utrecht. Please bring comfortable clothes and shoes.

{ST['noor'].sig('short')}
""")
    c = P(gender="m")
    add("own_appointment_reschedule", "normal", "", "nl", "own_appointment",
        "Rescheduling with the client himself; his own name and phone only.",
        frm=a.addr, to=[c.email], subject="Nieuwe tijd huisbezoek",
        body=f"""Beste {c.title_nl},

Helaas moet ik ons huisbezoek van donderdag verzetten. Past vrijdag 9.00 uur ook? Ik heb genoteerd dat
ik u het beste kan bellen op {c.phone}.

{a.sig('phone')}
""")
    c = P(gender="f")
    add("own_appointment_diagnosis", "secure", "health", "nl", "own_appointment_health",
        "Appointment mail to the client herself that mentions her diagnosis and lab result.",
        frm=a.addr, to=[formataddr((c.name, c.email))], subject="Uw afspraak bij de diabetesverpleegkundige",
        body=f"""Beste {c.title_nl},

Uw afspraak bij de diabetesverpleegkundige is op woensdag 24 april om 11.00 uur. Omdat uw HbA1c bij de
laatste controle te hoog was (68 mmol/mol) en u last heeft van neuropathie in uw voeten, bespreken we
dan ook het aanpassen van uw insuline.

{a.sig('full')}
""")
    c = P(english=True, gender="f")
    add("own_appointment_en_diagnosis", "secure", "health", "en", "own_appointment_health",
        "Reminder to the patient herself that includes her depression treatment.",
        frm=ST["joost"].addr, to=[c.email], subject="Your follow-up appointment",
        body=f"""Dear {c.title_en},

Your follow-up is on 30 April at 14:00. We will evaluate how you are doing on the sertraline for your
depression and whether the dose should be raised.

Kind regards,
Joost Kuipers
""")
    c = P(gender="m")
    add("own_appointment_medication", "secure", "health", "nl", "own_appointment_health",
        "Message to the client himself with his medication and wound treatment.",
        frm=a.addr, to=[c.email], subject="Afspraak wondverzorging", cte="quoted-printable",
        body=f"""Beste {c.title_nl},

Morgen kom ik om 8.30 uur uw open been verbinden. Wilt u vooraf de pijnstiller (tramadol 50 mg) innemen?
De wondkweek liet een stafylokokkeninfectie zien; de huisarts heeft antibiotica voorgeschreven.

{a.sig('phone')}
""")

    # paying an invoice to the organisation's own IBAN
    c = P(gender="f")
    inv = make_pdf("Factuur 2024-00417", [
        "Zorggroep Horizon, Stationsplein 1, 3511 ED Utrecht, KvK 12345678, tel. 030-1234567",
        f"Aan: {c.name}",
        "Omschrijving: huur personenalarmering april 2024: EUR 21,50",
        f"Gelieve te betalen binnen 14 dagen op {fmt_iban(ORG_IBAN)} t.n.v. Zorggroep Horizon o.v.v. 2024-00417.",
    ])
    add("own_iban_invoice", "normal", "", "nl", "own_iban_payment",
        "Invoice to the client herself; the only IBAN and KvK are the organisation's own.",
        frm=ST["ruud"].addr, to=[c.email], subject="Factuur personenalarmering april",
        body=f"""Beste {c.title_nl},

Bijgaand de factuur voor de personenalarmering over april. U kunt het bedrag overmaken op
{ORG_IBAN} ten name van Zorggroep Horizon.

{ST['ruud'].sig('full')}
""", attachments=[("Factuur_2024-00417.pdf", inv, None)])
    add("own_iban_en_payment", "normal", "", "en", "own_iban_payment",
        "Payment instruction with the organisation's own IBAN, KvK and address.",
        frm=ST["ruud"].addr, to=[EXT["laura"]], subject="Payment details for the training fee",
        body=f"""Dear Laura,

Please transfer the training fee of EUR 450 to {fmt_iban(ORG_IBAN)} (ABN AMRO), account holder
Zorggroep Horizon, Stationsplein 1, 3511 ED Utrecht, Chamber of Commerce 12345678.

Kind regards,
Ruud van den Berg
""")
    add("own_iban_paid_confirmation", "normal", "", "nl", "own_iban_payment",
        "Confirmation that a municipality paid into the organisation's own account.",
        frm=ST["ruud"].addr, to=["crediteuren@gemeente-rivierstad.nl"], subject="Betaling ontvangen subsidie",
        body=f"""Geachte heer/mevrouw,

Wij bevestigen de ontvangst van EUR 12.500,00 op onze rekening {ORG_IBAN} (kenmerk SUB-2024-17).
Hartelijk dank.

Financiële administratie Zorggroep Horizon
Stationsplein 1 | 3511 ED Utrecht | 030-1234567 | KvK 12345678
""")

    # greeting only
    add("near_miss_greeting_only", "normal", "", "nl", "near_miss_greeting",
        "Greets the external recipient by name; nothing else personal.",
        frm=ST["sanne"].addr, to=[EXT["wmo"]], subject="Even een vraagje",
        body="""Beste Jeroen,

Is de nieuwe folder van het Wmo-loket al gedrukt? Dan leggen we hem bij onze receptie neer.

Fijne dag!
Sanne
""")
    add("near_miss_en_thanks", "normal", "", "en", "near_miss_greeting",
        "A thank-you note greeting the recipient by full name.",
        frm=s.addr, to=[EXT["uni"]], subject="Thank you!",
        body="""Dear Dr. James Walker,

Thank you for hosting us yesterday. The students' questions about phishing were excellent.

Best wishes,
Sarah Thompson
""")
    add("near_miss_veilig_mailen_subject", "normal", "", "nl", "near_miss_forced_tag",
        "Subject mentions 'veilig' mailen but has no [veilig] tag; public tips only.",
        frm=ST["lotte"].addr, to=["clientenraad.voorzitter@gmail.com"], subject="Tips voor veilig mailen (veilig)",
        body="""Beste voorzitter,

Zoals toegezegd een paar tips voor veilig mailen die u met de cliëntenraad kunt delen:
- controleer altijd de ontvanger;
- stuur geen BSN of medische gegevens via gewone mail;
- gebruik ons cliëntportaal voor vragen over uw zorg.

""" + ST["lotte"].sig("full"))


# ================================================= C. other kinds and forced tags
def other_kinds():
    a, f, k, m, s, d = ST["anne"], ST["fatima"], ST["kees"], ST["mark"], ST["sarah"], ST["david"]
    card = make_card(RNG, "4")
    add("card_hotel_booking", "secure", "payment_card", "nl", "payment_card",
        "A full Visa card number with expiry sent to a hotel to guarantee a booking.",
        frm=ST["sanne"].addr, to=[EXT["hotel"]], subject="Reservering congres 16-17 mei",
        body=f"""Goedemiddag,

Graag reserveer ik twee eenpersoonskamers voor 16 en 17 mei. Als garantie kunt u onze zakelijke
creditcard gebruiken: {fmt_card(card)}, geldig tot 09/27, CVC 318.

Groet,
Sanne Mulder
""")
    card = make_card(RNG, "5" + str(RNG.randint(1, 5)))
    add("card_en_travel", "secure", "payment_card", "en", "payment_card",
        "A Mastercard number sent to a travel agency in plain mail.",
        frm=d.addr, to=["bookings@travel-example.com"], subject="Flights to the eHealth conference",
        body=f"""Hello,

Please book the flights we discussed and charge card {card} (exp 11/26).
Name on card: D. Morgan.

Thanks,
David
""")
    card = make_card(RNG, "4")
    c = P(gender="f")
    add("card_client_bewind", "secure", "payment_card,person_name", "nl", "payment_card",
        "A client's debit-card number shared with an external administrator.",
        frm=f.addr, to=["info@bewindvoering-rivierstad.nl"], subject=f"Pas {c.title_nl} geblokkeerd",
        body=f"""Beste bewindvoerder,

De betaalpas van {c.name} is ingeslikt bij de supermarkt. Kaartnummer {card}. Kunt u een nieuwe pas
aanvragen en het leefgeld deze week contant regelen?

{f.sig('short')}
""")
    c = P(gender="m")
    add("id_passport_new_employee", "secure", "id_document,person_name,date_of_birth", "nl", "id_document",
        "A new employee's passport number and date of birth sent to an external payroll bureau.",
        frm=ST["pieter"].addr, to=[EXT["salaris"]], subject="Nieuwe medewerker per 1 mei",
        body=f"""Beste salarisadministratie,

Per 1 mei treedt {c.name} in dienst als verzorgende IG (28 uur). Gegevens voor de identiteitscontrole:
paspoortnummer {make_passport(RNG)}, geldig tot 14-08-2031, geboortedatum {c.dob_nl()}.

{ST['pieter'].sig('full')}
""")
    c = P(english=True, gender="f")
    add("id_en_passport_travel", "secure", "id_document,person_name", "en", "id_document",
        "An employee's passport number sent to a travel agency.",
        frm=d.addr, to=["bookings@travel-example.com"], subject="Passport details for Emily's booking",
        body=f"""Hello again,

For the second traveller, {c.name}: passport number {make_passport(RNG)}, nationality British,
expiry 03/2029.

David
""")
    c = P(gender="f")
    add("id_rijbewijs_leasemaatschappij", "secure", "id_document,person_name", "nl", "id_document",
        "Driving-licence number of a named employee sent to a lease company.",
        frm=ST["ruud"].addr, to=["fleet@leaseauto-example.nl"], subject="Extra bestuurder dienstauto",
        body=f"""Goedemorgen,

Graag {c.name} toevoegen als bestuurder van de dienstauto GX-412-K.
Rijbewijsnummer: {RNG.randint(4000000000, 5999999999)}, categorie B.

Ruud van den Berg
""")
    c = P(gender="m")
    add("special_religion_diet", "secure", "special_category,person_name", "nl", "special_category",
        "Religion of a named client shared with an external meal service.",
        frm=ST["sanne"].addr, to=["bestellingen@maaltijdservice-example.nl"], subject="Maaltijden aanpassen",
        body=f"""Beste maaltijdservice,

Wilt u voor {c.name} vanaf volgende week halal maaltijden leveren? Hij is moslim en vraagt ook of de
levering tijdens de ramadan na zonsondergang kan.

Groet,
Sanne
""")
    c = P(gender="m")
    add("special_criminal_record", "secure", "special_category,person_name", "nl", "special_category",
        "A named volunteer's criminal conviction (art. 10) shared with an external party.",
        frm=ST["pieter"].addr, to=[EXT["adviseur"]], subject="Advies vrijwilliger",
        body=f"""Beste Marco,

Graag je advies: vrijwilliger {c.name} blijkt in 2021 veroordeeld te zijn voor diefstal bij een vorige
werkgever. Hij heeft nog geen VOG aangevraagd. Mogen we hem laten starten bij de dagbesteding?

Pieter
""")
    c = P(english=True, gender="f")
    add("special_en_orientation_union", "secure", "special_category,person_name", "en", "special_category",
        "Sexual orientation and trade-union membership of a named employee sent outside.",
        frm=d.addr, to=[EXT["adviseur"]], subject="Sensitive HR question",
        body=f"""Marco,

A question about {c.name}: she told her manager she is lesbian and feels excluded by her team.
She is also a member of the FNV union and has asked them for support. How should we handle this?

David
""")
    c = P(gender="f")
    add("special_ethnicity_gemeente", "secure", "special_category,person_name", "nl", "special_category",
        "Ethnic origin and political opinion of a named client sent to the municipality.",
        frm=f.addr, to=[EXT["wmo"]], subject="Toelichting aanvraag",
        body=f"""Hoi Jeroen,

Ter toelichting: {c.name} is van Eritrese afkomst en is lid van een politieke oppositiebeweging;
ze is bang dat landgenoten in de flat haar herkennen. Vandaar de vraag om een andere woning.

Fatima
""")
    c = P(gender="m")
    add("dob_third_person", "secure", "date_of_birth,person_name", "nl", "date_of_birth",
        "Name and date of birth of a client sent to a transport service.",
        frm=ST["sanne"].addr, to=["ritplanning@regiotaxi-example.nl"], subject="Aanvraag vervoer dagbesteding",
        body=f"""Goedemorgen,

Graag vervoer voor {c.name}, geboren op {c.dob.day} {['januari','februari','maart','april','mei','juni','juli','augustus','september','oktober','november','december'][c.dob.month-1]} {c.dob.year},
op dinsdag en donderdag naar de dagbesteding. Hij gebruikt een rollator.

Sanne
""")
    c = P(english=True, gender="m")
    add("dob_en_third_person", "secure", "date_of_birth,person_name", "en", "date_of_birth",
        "A named resident's date of birth sent to an external event organiser.",
        frm=ST["noor"].addr, to=["events@example.com"], subject="Birthday surprise",
        body=f"""Hi,

One of our residents, {c.name}, turns 90 soon (born {c.dob:%d/%m}/{1934}). Could you bring the
barrel organ to the garden party?

Noor
""")
    c = P(gender="f")
    add("dob_only_with_initials", "secure", "date_of_birth", "nl", "date_of_birth",
        "A third person's date of birth with initials, sent to a lab.",
        frm=a.addr, to=["aanvragen@lab-rivierland.nl"], subject="Aanvraag bloedafname",
        body=f"""Goedemiddag,

Graag een bloedafname aan huis voor mevr. {c.first[0]}. {c.last[0]}., geboortedatum {c.dob_nl()}, op het bekende
adres. Aanvraagformulier volgt via de huisarts.

Anne
""")
    c = P()
    add("name_phone_third_person", "secure", "person_name,phone_number", "nl", "person_identifiers",
        "A third person's name with their mobile number, sent externally.",
        frm=k.addr, to=[EXT["leverancier"]], subject="Contactpersoon voor de installatie",
        body=f"""Hallo,

Voor de installatie van de tillift kunt u contact opnemen met de mantelzorger, {c.name}, op {c.phone}.
Zij is doordeweeks na 16.00 uur thuis.

Kees
""")
    c = P(gender="m")
    add("name_address_third_person", "secure", "person_name,postal_address", "nl", "person_identifiers",
        "A client's name and home address sent to an external technician.",
        frm=k.addr, to=[EXT["leverancier"]], subject="Storing personenalarm",
        body=f"""Goedemorgen,

Het personenalarm bij {c.name}, {c.street} {c.number} in {c.city} ({c.postcode}), geeft steeds
een vals alarm. Kunnen jullie vandaag langs?

Kees Dijkstra
""")
    c = P(english=True)
    add("name_address_en", "secure", "person_name,postal_address", "en", "person_identifiers",
        "A named participant's home address sent to a courier.",
        frm=d.addr, to=["dispatch@courier-example.com"], subject="Delivery of tablet",
        body=f"""Hello,

Please deliver the tablet for the pilot to {c.name}, {c.address}, on Wednesday between 10:00 and 12:00.

David Morgan
""")
    c = P(gender="f")
    iban = make_iban(RNG)
    add("name_iban_refund", "secure", "person_name,iban", "nl", "person_identifiers",
        "A client's name with her valid IBAN sent to an external bookkeeping firm.",
        frm=ST["ruud"].addr, to=["administratie@boekhouder-example.nl"], subject="Terugbetaling eigen bijdrage",
        body=f"""Beste boekhouder,

Kunnen jullie EUR 84,20 terugstorten aan {c.name} op rekening {fmt_iban(iban)}? Het gaat om een
dubbel geïnde eigen bijdrage.

Ruud
""")
    c = P(english=True)
    iban = make_iban(RNG)
    add("name_iban_en_expenses", "secure", "person_name,iban", "en", "person_identifiers",
        "A volunteer's name and IBAN sent to an external payroll bureau.",
        frm=d.addr, to=[EXT["salaris"]], subject="Volunteer allowance",
        body=f"""Hi,

Please pay the volunteer allowance (EUR 180) to {c.name}, IBAN {iban}.

David
""")
    c = P(gender="m")
    add("name_email_third_person", "secure", "person_name,email_address", "nl", "person_identifiers",
        "A client's name and private e-mail address sent to another organisation.",
        frm=f.addr, to=[EXT["ggz"]], subject="Contact zoon van cliënt",
        body=f"""Goedemiddag,

De zoon van onze cliënt wil graag zelf contact met jullie. Hij heet {c.name} en is bereikbaar via {c.email}.

Fatima
""")
    c = P(gender="f")
    add("lookalike_domain_bsn", "secure", "bsn,person_name", "nl", "lookalike_domain",
        "Recipient domain only looks internal (zorggroephorizon-nl.com); the body has a BSN.",
        frm=ST["mirjam"].addr, to=["zorgadministratie@zorggroephorizon-nl.com"], subject="BSN controle",
        body=f"""Hoi,

Kun je het BSN van {c.name} controleren? Ik heb {make_bsn(RNG)} genoteerd.

Mirjam
""")
    c = P(gender="m")
    add("lookalike_suffix_health", "secure", "health,person_name", "nl", "lookalike_domain",
        "Recipient domain notzorggroephorizon.nl ends with the internal name but is external; health data.",
        frm=a.addr, to=["wijkteam@notzorggroephorizon.nl"], subject="Overdracht avonddienst",
        body=f"""Hoi,

{c.name} heeft vandaag morfine gekregen voor de pijn, palliatieve fase. Graag om 22.00 uur controleren.

Anne
""")
    add("confidential_reorg_consultant", "secure", "confidential", "nl", "confidential",
        "A reorganisation plan explicitly marked confidential sent to an external consultant.",
        frm=ST["pieter"].addr, to=[EXT["adviseur"]], subject="Vertrouwelijk – concept reorganisatieplan",
        body="""Beste Marco,

Vertrouwelijk, niet verder verspreiden: in het concept-reorganisatieplan vervallen 14 fte in de
ondersteunende diensten en sluiten we locatie Beukenhof per 1 januari. De OR is nog niet geïnformeerd.
Graag je reactie vóór vrijdag.

Pieter
""")
    add("confidential_en_tender", "secure", "confidential", "en", "confidential",
        "Non-public tender pricing explicitly marked confidential sent outside.",
        frm=d.addr, to=[EXT["laura"]], subject="CONFIDENTIAL - our bid for the regional tender",
        body="""Laura,

Confidential – for your eyes only until the tender closes: our bid will be EUR 41.30 per hour for
home care and EUR 1.2M for the platform, with a 3% discount if the contract runs 5 years.

David
""")
    add("confidential_strikt_budget", "secure", "confidential", "nl", "confidential",
        "The municipality receives a budget draft explicitly labelled 'strikt vertrouwelijk'.",
        frm=ST["ruud"].addr, to=[EXT["beleid"]], subject="Begroting 2025 (strikt vertrouwelijk)",
        body="""Beste Ingrid,

Strikt vertrouwelijk: onderstaande cijfers zijn nog niet door de Raad van Toezicht vastgesteld.
Tekort 2025: EUR 2,4 mln; voorgestelde bezuiniging op dagbesteding: 18%.

Ruud
""")


def forced_tags():
    a, k, s, d = ST["anne"], ST["kees"], ST["sarah"], ST["david"]
    add("forced_veilig_internal", "secure", "", "nl", "forced_tag",
        "Subject tag [veilig] forces secure although recipients are internal and the content is harmless.",
        frm=k.addr, to=[INT["wijkteam"]], subject="[veilig] Rooster mei",
        body="Hoi allemaal,\n\nHet rooster voor mei staat op het intranet.\n\nKees\n")
    add("forced_secure_en_internal", "secure", "", "en", "forced_tag",
        "Subject tag [secure] forces secure for an internal mail.",
        frm=s.addr, to=[ST["mark"].addr], subject="[secure] firewall change window",
        body="Mark,\n\nThe change window for the firewall upgrade is Saturday 02:00-04:00.\n\nSarah\n")
    add("forced_veilig_reply_prefix", "secure", "", "nl", "forced_tag",
        "The [veilig] tag appears after a reply prefix ('RE: [veilig] ...').",
        frm=a.addr, to=[k.addr], subject="RE: [veilig] overleg dinsdag", reply=True,
        body="Prima, ik ben er om 9 uur.\n\nAnne" + outlook_block("Kees Dijkstra", "Anne de Vries",
                                                                  "[veilig] overleg dinsdag",
                                                                  "Kun je dinsdag om 9 uur?"))
    add("forced_veilig_external_harmless", "secure", "", "nl", "forced_tag",
        "Tag [veilig] on a harmless mail to an external party forces secure.",
        frm=ST["sanne"].addr, to=[EXT["wmo"]], subject="[veilig] Nieuwe datum overleg",
        body="Beste Jeroen,\n\nHet overleg verschuift naar 23 mei, 10.00 uur.\n\nSanne\n")
    add("forced_uppercase_tag_with_bsn", "secure", "bsn,person_name", "nl", "forced_tag",
        "Uppercase [VEILIG] tag and also a BSN with a name to an external party.",
        frm=ST["mirjam"].addr, to=[EXT["cak"]], subject="[VEILIG] Correctie zorgperiode",
        body=f"Geachte medewerker,\n\nDe zorgperiode van {P().name} (BSN {make_bsn(RNG)}) eindigt op 31 maart.\n\n"
             "Zorgadministratie\n")
    add("forced_secure_en_external", "secure", "", "en", "forced_tag",
        "[Secure] tag in mixed case on an English mail to an external partner.",
        frm=d.addr, to=[EXT["laura"]], subject="[Secure] Notes from today's session",
        body="Hi Laura,\n\nThe notes from today's session are in the shared folder.\n\nDavid\n")


# ========================================================== D. attachments
def clients(n, cols):
    rows = []
    for _ in range(n):
        p = P()
        row = []
        for c in cols:
            row.append({"naam": p.name, "bsn": make_bsn(RNG), "geb": p.dob_nl(), "adres": p.address,
                        "tel": p.phone, "email": p.email, "iban": make_iban(RNG),
                        "diag": RNG.choice(["COPD", "diabetes type 2", "dementie (Alzheimer)", "hartfalen",
                                            "CVA", "Parkinson", "depressie", "heupfractuur"]),
                        "diag_en": RNG.choice(["COPD", "type 2 diabetes", "Alzheimer's disease",
                                               "heart failure", "stroke", "Parkinson's disease"])}[c])
        rows.append(row)
    return rows


def attachments_section():
    a, f, k, m, s, d = ST["anne"], ST["fatima"], ST["kees"], ST["mark"], ST["sarah"], ST["david"]
    mi, ru, sa, em = ST["mirjam"], ST["ruud"], ST["sanne"], ST["emma"]

    # ---------------- PDF
    c = P(gender="m")
    bsn = make_bsn(RNG)
    pdf = make_pdf("Verwijsbrief wijkverpleging", [
        f"Betreft: {c.name}, geboren {c.dob_nl()}, BSN {bsn}",
        "Reden verwijzing: wondzorg na amputatie linker onderbeen, diabetische voet.",
        "Verzoek: dagelijkse wondverzorging en controle bloedglucose.",
        "Huisartsenpraktijk De Linde"])
    add("attachment_pdf_referral_bsn", "secure", "bsn,health,person_name,date_of_birth", "nl", "attachment_pdf",
        "A referral PDF with BSN and diagnosis; the body is neutral.",
        frm=a.addr, to=[EXT["ziekenhuis"]], subject="Verwijzing",
        body="Goedemiddag,\n\nIn de bijlage de verwijsbrief zoals besproken.\n\n" + a.sig("short") + "\n",
        attachments=[("verwijsbrief.pdf", pdf, None)])
    c = P(gender="f")
    pdf = make_pdf("Medische rapportage", [
        f"Cliënt: {c.name}",
        "Anamnese: toenemende vergeetachtigheid, valincidenten (3x in februari), gewichtsverlies 5 kg.",
        "Conclusie: verdenking Lewy body dementie; orthostatische hypotensie.",
        "Beleid: verwijzing geheugenpolikliniek; medicatiereview."])
    add("attachment_pdf_medical_report", "secure", "health,person_name", "nl", "attachment_pdf",
        "A medical report PDF about a named client sent to the municipality.",
        frm=ST["joost"].addr, to=[EXT["wmo"]], subject="rapportage t.b.v. indicatie",
        body="Beste heer Van Dam,\n\nHierbij de gevraagde rapportage.\n\nMet vriendelijke groet,\nJ. Kuipers\n",
        attachments=[("rapportage_SO.pdf", pdf, None)])
    c = P(english=True, gender="m")
    pdf = make_pdf("Discharge summary", [
        f"Patient: {c.name}, DOB {c.dob:%d-%m-%Y}",
        "Admitted for: exacerbation of COPD with respiratory infection.",
        "Medication at discharge: prednisolone 30 mg for 5 days, doxycycline, salbutamol inhaler.",
        "Follow-up: GP in one week."])
    add("attachment_pdf_en_discharge", "secure", "health,person_name,date_of_birth", "en", "attachment_pdf",
        "A discharge summary PDF for a named patient sent to an external physio practice.",
        frm=ST["noor"].addr, to=["intake@physio-example.com"], subject="Discharge summary for Monday",
        body="Hello,\n\nPlease find the discharge summary attached for Monday's first session.\n\nNoor\n",
        attachments=[("discharge_summary.pdf", pdf, None)])
    pdf = make_pdf("Programma Dag van de Mantelzorg", [
        "10 november 2024, Wijkcentrum De Waaier, Rivierstad.",
        "10.00 ontvangst, 10.30 workshop 'Grenzen stellen', 12.00 lunch, 13.30 wandeling.",
        "Aanmelden via www.zorggroephorizon.nl/mantelzorg."])
    add("attachment_pdf_programme", "normal", "", "nl", "attachment_pdf",
        "A public programme PDF for an informal-carers day.",
        frm=em.addr, to=["info@mantelzorgrivierstad.nl"], subject="Programma Dag van de Mantelzorg",
        body="Hallo,\n\nHierbij het programma. Willen jullie het delen in jullie nieuwsbrief?\n\n" + em.sig("full") + "\n",
        attachments=[("programma_mantelzorgdag.pdf", pdf, None)])
    pdf = make_pdf("Offerte schoonmaak locatie Beukenhof", [
        "Opdrachtgever: Zorggroep Horizon, Stationsplein 1, 3511 ED Utrecht.",
        "Werkzaamheden: dagelijks onderhoud 1.200 m2, glasbewassing per kwartaal.",
        "Prijs: EUR 4.850 per maand excl. btw."])
    add("attachment_pdf_quote", "normal", "", "nl", "attachment_pdf",
        "A cleaning quote PDF; only organisation details.",
        frm=sa.addr, to=["planning@schoonmaakbedrijf-glans.nl"], subject="Getekende offerte retour",
        body="Goedemorgen,\n\nBijgaand de getekende offerte retour.\n\nSanne\n",
        attachments=[("offerte_getekend.pdf", pdf, None)])
    pdf = make_pdf("Conference programme: Digital Care 2024", [
        "Keynote: 'Secure messaging in practice' by Sarah Thompson.",
        "Workshops on NTA 7516, DMARC and phishing awareness.", "Venue: Jaarbeurs Utrecht."])
    add("attachment_pdf_en_programme", "normal", "", "en", "attachment_pdf",
        "A public conference programme PDF.",
        frm=s.addr, to=[EXT["uni"]], subject="Programme for the conference",
        body="James,\n\nThe final programme is attached.\n\nSarah\n",
        attachments=[("DigitalCare2024_programme.pdf", pdf, None)])

    # ---------------- DOCX
    c = P(gender="f")
    docx = make_docx("Verslag MDO 9 april", [
        f"Aanwezig: specialist ouderengeneeskunde, wijkverpleegkundige, casemanager.",
        f"Cliënt {c.name}: toename van onrust in de avond; start met haloperidol 0,5 mg a.n.",
        f"Decubitus hiel rechts genezen. Mantelzorger (dochter) overbelast; respijtzorg aanvragen.",
    ])
    add("attachment_docx_mdo_report", "secure", "health,person_name", "nl", "attachment_docx",
        "Minutes of a multidisciplinary meeting with a named client's treatment, to an external GP.",
        frm=f.addr, to=[EXT["huisarts"]], subject="verslag MDO",
        body="Beste dokter Kramer,\n\nZie bijgaand het verslag van het MDO.\n\nFatima\n",
        attachments=[("Verslag_MDO_9_april.docx", docx, None)])
    c = P(english=True, gender="m")
    docx = make_docx("Incident report", [
        f"Resident: {c.name}, date of birth {c.dob:%d %B %Y}",
        "Incident: fall from bed at 03:10, head wound, taken to A&E.",
        "Measures: low bed and sensor mat."])
    add("attachment_docx_en_incident", "secure", "health,person_name,date_of_birth", "en", "attachment_docx",
        "An incident report DOCX naming a resident with date of birth and injury.",
        frm=ST["noor"].addr, to=[EXT["laura"]], subject="Incident report as requested",
        body="Hi Laura,\n\nAttached is the incident report you asked for.\n\nNoor\n",
        attachments=[("incident_report_0412.docx", docx, None)])
    c = P(gender="m")
    bsn = make_bsn(RNG)
    docx = make_docx("Aanvraag beschermingsbewind", [
        f"Naam betrokkene: {c.name}", f"BSN: {bsn}", f"Adres: {c.address}",
        "Reden: problematische schulden en verminderde regie door alcoholgebruik."])
    add("attachment_docx_bewind_bsn", "secure", "bsn,person_name,postal_address,health", "nl", "attachment_docx",
        "A DOCX application with BSN, address and addiction information.",
        frm=f.addr, to=["griffie@rechtbank-example.nl"], subject="Aanvraag bewind",
        body="Geachte griffie,\n\nBijgevoegd treft u de aanvraag aan.\n\nHoogachtend,\nF. El Idrissi\n",
        attachments=[("aanvraag_bewind.docx", docx, None)])
    docx = make_docx("Agenda teamoverleg wijkteam Noord", [
        "1. Opening", "2. Notulen vorige keer", "3. Nieuwe werkwijze rapporteren in het ECD",
        "4. Vakantieplanning", "5. Rondvraag"])
    add("attachment_docx_agenda", "normal", "", "nl", "attachment_docx",
        "A meeting agenda DOCX with no personal data.",
        frm=k.addr, to=[EXT["wmo"]], subject="Agenda",
        body="Hoi Jeroen,\n\nJe bent welkom bij ons teamoverleg; agenda in de bijlage.\n\nKees\n",
        attachments=[("agenda_teamoverleg.docx", docx, None)])
    docx = make_docx("Sjabloon aanmeldformulier", [
        "Naam cliënt: ..............................", "BSN: ........................",
        "Geboortedatum: ..-..-....", "Diagnose / reden aanmelding: ..............................",
        "Handtekening: ...................."])
    add("attachment_docx_blank_template", "normal", "", "nl", "attachment_docx",
        "An empty registration template DOCX: field labels (BSN, diagnose) but no values.",
        frm=mi.addr, to=[EXT["assistente"]], subject="Nieuw aanmeldformulier",
        body="Beste assistentes,\n\nVanaf 1 mei graag dit nieuwe (lege) aanmeldformulier gebruiken.\n\nMirjam\n",
        attachments=[("sjabloon_aanmeldformulier.docx", docx, None)])
    docx = make_docx("Job description: Data Protection Officer", [
        "Zorggroep Horizon is looking for a Data Protection Officer (32-36 hours).",
        "You advise on GDPR, NTA 7516 and information security.", "Apply before 1 June."])
    add("attachment_docx_en_vacancy", "normal", "", "en", "attachment_docx",
        "A public job description DOCX.",
        frm=ST["pieter"].addr, to=["jobs@recruitment-example.com"], subject="Vacancy DPO",
        body="Hello,\n\nPlease publish the attached vacancy.\n\nPieter Bakker\n",
        attachments=[("vacancy_DPO.docx", docx, None)])

    # ---------------- ODT
    c = P(gender="f")
    odt = make_odt("Verslag keukentafelgesprek", [
        f"Aanvrager: {c.name}, {c.address}",
        "Situatie: mevrouw is slechtziend (maculadegeneratie) en heeft sinds een heupoperatie moeite met traplopen.",
        "Advies: traplift en huishoudelijke hulp 3 uur per week."])
    add("attachment_odt_keukentafel", "secure", "health,person_name,postal_address", "nl", "attachment_odt",
        "An ODT interview report with a named applicant's address and health.",
        frm=f.addr, to=[EXT["wmoloket"]], subject="verslag gesprek",
        body="Hallo,\n\nIn de bijlage het verslag.\n\nFatima\n",
        attachments=[("verslag_keukentafelgesprek.odt", odt, None)])
    c = P(gender="m")
    odt = make_odt("Overdracht nachtdienst", [], table=[["Naam", "BSN", "Bijzonderheden"],
                                                        [c.name, make_bsn(RNG), "insuline 22.00 uur"],
                                                        [P().name, make_bsn(RNG), "valrisico, bedhek omhoog"]])
    add("attachment_odt_handover_bsn", "secure", "bsn,health,person_name", "nl", "attachment_odt",
        "A night-shift handover ODT table with BSNs, to an external agency nurse.",
        frm=k.addr, to=["nachtdienst.uitzendkracht@gmail.com"], subject="overdracht vannacht",
        body="Hoi,\n\nHier de overdracht voor vannacht.\n\nKees\n",
        attachments=[("overdracht_nacht.odt", odt, None)])
    c = P(english=True, gender="m")
    odt = make_odt("Reference", [
        f"{c.name} worked with us as a volunteer. He has a conviction for fraud from 2018, which we took into account.",
        "He was reliable and punctual."])
    add("attachment_odt_en_reference", "secure", "special_category,person_name", "en", "attachment_odt",
        "A reference letter ODT revealing a named person's criminal conviction.",
        frm=d.addr, to=["hr@example.com"], subject="Reference",
        body="Hello,\n\nAs requested, the reference is attached.\n\nDavid\n",
        attachments=[("reference.odt", odt, None)])
    odt = make_odt("Notulen cliëntenraad 4 maart", [
        "De cliëntenraad bespreekt het nieuwe menu en de openingstijden van het restaurant.",
        "Besluit: proef met avondmaaltijd om 17.30 uur.", "Volgende vergadering: 6 mei."])
    add("attachment_odt_minutes", "normal", "", "nl", "attachment_odt",
        "Client council minutes ODT without personal data.",
        frm=sa.addr, to=["clientenraad.voorzitter@gmail.com"], subject="Notulen",
        body="Beste voorzitter,\n\nBijgaand de notulen.\n\nSanne\n",
        attachments=[("notulen_clientenraad.odt", odt, None)])
    odt = make_odt("Procedure sleutelbeheer (openbaar)", [
        "Medewerkers halen sleutels op bij de receptie en tekenen in het register.",
        "Verloren sleutels worden binnen 24 uur gemeld."])
    add("attachment_odt_procedure", "normal", "", "nl", "attachment_odt",
        "A public procedure ODT.",
        frm=m.addr, to=["planning@schoonmaakbedrijf-glans.nl"], subject="Procedure sleutels",
        body="Hallo,\n\nDe procedure voor sleutelbeheer, ter info.\n\nMark\n",
        attachments=[("procedure_sleutelbeheer.odt", odt, None)])
    odt = make_odt("Minutes supplier meeting", [
        "Topics: delivery times, invoice format, new catalogue.", "Action: supplier sends new price list by 1 May."])
    add("attachment_odt_en_minutes", "normal", "", "en", "attachment_odt",
        "Supplier meeting minutes ODT.",
        frm=d.addr, to=[EXT["support"]], subject="Minutes",
        body="Hi,\n\nMinutes attached.\n\nDavid\n", attachments=[("minutes_supplier.odt", odt, None)])

    # ---------------- XLSX
    rows = [["Naam", "BSN", "Geboortedatum", "Adres"]] + clients(6, ["naam", "bsn", "geb", "adres"])
    add("attachment_xlsx_client_list", "secure", "bsn,person_name,date_of_birth,postal_address", "nl",
        "attachment_xlsx", "A client list XLSX with BSN, date of birth and address to the municipality.",
        frm=mi.addr, to=[EXT["wmoloket"]], subject="Overzicht cliënten Q1",
        body="Goedemiddag,\n\nZoals afgesproken het overzicht over Q1.\n\nMirjam Postma\n",
        attachments=[("overzicht_Q1.xlsx", make_xlsx([("Q1", rows)]), None)])
    rows = [["Patient", "Condition", "Next visit"]] + [r + ["2024-05-0%d" % (i + 1)] for i, r in
                                                        enumerate(clients(5, ["naam", "diag_en"]))]
    add("attachment_xlsx_en_patients", "secure", "health,person_name", "en", "attachment_xlsx",
        "A patient list XLSX with conditions, sent to an external partner.",
        frm=ST["noor"].addr, to=[EXT["laura"]], subject="Planning for May",
        body="Hi Laura,\n\nHere's the planning for May.\n\nNoor\n",
        attachments=[("planning_may.xlsx", make_xlsx([("May", rows), ("Notes", [["Keep updated"]])]), None)])
    rows = [["Naam", "IBAN", "Bedrag"]] + [r + [RNG.randint(20, 300)] for r in clients(4, ["naam", "iban"])]
    add("attachment_xlsx_refunds_iban", "secure", "person_name,iban", "nl", "attachment_xlsx",
        "Refunds XLSX with clients' names and valid IBANs.",
        frm=ru.addr, to=["administratie@boekhouder-example.nl"], subject="Terugbetalingen april",
        body="Beste boekhouder,\n\nBijgaand de lijst terugbetalingen.\n\nRuud\n",
        attachments=[("terugbetalingen_april.xlsx", make_xlsx([("April", rows)]), None)])
    add("attachment_xlsx_budget", "normal", "", "nl", "attachment_xlsx",
        "A budget XLSX with cost posts only.",
        frm=ru.addr, to=[EXT["beleid"]], subject="Begroting project Samen Thuis",
        body="Beste Ingrid,\n\nDe projectbegroting in de bijlage.\n\nRuud\n",
        attachments=[("begroting_samen_thuis.xlsx", make_xlsx([("Begroting", [
            ["Post", "Bedrag"], ["Personeel", 84000], ["Materiaal", 12500], ["Training", 6000]])]), None)])
    add("attachment_xlsx_inventory", "normal", "", "nl", "attachment_xlsx",
        "An inventory XLSX of incontinence material; health-adjacent words but no person.",
        frm=k.addr, to=[EXT["leverancier"]], subject="Bestelling hulpmiddelen",
        body="Hallo,\n\nBijgaand onze bestelling.\n\nKees\n",
        attachments=[("bestelling.xlsx", make_xlsx([("Bestelling", [
            ["Artikel", "Aantal"], ["Incontinentiemateriaal maat M", 40], ["Handschoenen nitril L", 100],
            ["Wondverband 10x10", 25]])]), None)])
    add("attachment_xlsx_en_training", "normal", "", "en", "attachment_xlsx",
        "A training schedule XLSX with roles and dates.",
        frm=s.addr, to=[EXT["uni"]], subject="Training schedule",
        body="James,\n\nSchedule attached.\n\nSarah\n",
        attachments=[("training_schedule.xlsx", make_xlsx([("Schedule", [
            ["Date", "Group", "Topic"], ["2024-05-13", "Nurses", "Phishing"], ["2024-05-20", "HR", "GDPR"]])]), None)])

    # ---------------- XLS
    rows = [["Naam", "Geboortedatum", "Indicatie"]] + clients(5, ["naam", "geb", "diag"])
    add("attachment_xls_waitlist", "secure", "health,person_name,date_of_birth", "nl", "attachment_xls",
        "A waiting-list XLS with names, dates of birth and diagnoses.",
        frm=f.addr, to=[EXT["wmo"]], subject="Wachtlijst dagbesteding",
        body="Hoi Jeroen,\n\nDe actuele wachtlijst, zie bijlage.\n\nFatima\n",
        attachments=[("wachtlijst.xls", make_xls([("Wachtlijst", rows)]), None)])
    rows = [["Medewerker", "IBAN", "Netto"]] + [r + [RNG.randint(1800, 3400)] for r in clients(5, ["naam", "iban"])]
    add("attachment_xls_salaries", "secure", "person_name,iban", "nl", "attachment_xls",
        "A salary overview XLS with employees' names and IBANs to the payroll bureau.",
        frm=ST["pieter"].addr, to=[EXT["salaris"]], subject="Correcties salaris april",
        body="Beste salarisadministratie,\n\nDe correcties voor april staan in de bijlage.\n\nPieter\n",
        attachments=[("correcties_april.xls", make_xls([("April", rows)]), None)])
    rows = [["Resident", "Medication", "Dose"]] + [[P(english=True).name, med, dose] for med, dose in
                                                   [("metformin", "500 mg"), ("warfarin", "3 mg"), ("donepezil", "10 mg")]]
    add("attachment_xls_en_medication", "secure", "health,person_name", "en", "attachment_xls",
        "A medication list XLS for named residents.",
        frm=ST["noor"].addr, to=[EXT["apotheek"]], subject="Medication list",
        body="Hello,\n\nAttached the medication list.\n\nNoor\n",
        attachments=[("medication.xls", make_xls([("Meds", rows)]), None)])
    add("attachment_xls_rooms", "normal", "", "nl", "attachment_xls",
        "A room-booking XLS.",
        frm=sa.addr, to=[EXT["beleid"]], subject="Zaalrooster",
        body="Beste Ingrid,\n\nHet zaalrooster.\n\nSanne\n",
        attachments=[("zaalrooster.xls", make_xls([("Zalen", [["Zaal", "Dag", "Tijd"], ["2.04", "di", "10-12"],
                                                               ["1.01", "do", "13-15"]])]), None)])
    add("attachment_xls_tariffs", "normal", "", "nl", "attachment_xls",
        "A public tariff list XLS.",
        frm=ru.addr, to=[EXT["cak"]], subject="Tarieven 2024",
        body="Geachte heer/mevrouw,\n\nOnze tarieven voor 2024.\n\nRuud\n",
        attachments=[("tarieven_2024.xls", make_xls([("Tarieven", [["Product", "Tarief"],
                                                                   ["Persoonlijke verzorging", 62.5],
                                                                   ["Verpleging", 79.1]])]), None)])
    add("attachment_xls_en_prices", "normal", "", "en", "attachment_xls",
        "A supplier price list XLS.",
        frm=d.addr, to=[EXT["support"]], subject="Price list check",
        body="Hi,\n\nCan you confirm these prices?\n\nDavid\n",
        attachments=[("prices.xls", make_xls([("Prices", [["Item", "EUR"], ["Tablet", 299], ["Licence", 12]])]), None)])

    # ---------------- ODS
    rows = [["Naam", "BSN", "Aanmelddatum"]] + [r + ["2024-04-%02d" % RNG.randint(1, 28)] for r in clients(4, ["naam", "bsn"])]
    add("attachment_ods_registrations_bsn", "secure", "bsn,person_name", "nl", "attachment_ods",
        "Registrations ODS with BSNs sent to the municipality.",
        frm=mi.addr, to=[EXT["wmoloket"]], subject="Aanmeldingen april",
        body="Goedemiddag,\n\nDe aanmeldingen van april.\n\nZorgadministratie\n",
        attachments=[("aanmeldingen_april.ods", make_ods([("April", rows)]), None)])
    rows = [["Datum", "Cliënt", "Incident"]] + [["2024-04-0%d" % (i + 1), P().name, inc] for i, inc in
                                               enumerate(["val in badkamer, fractuur pols", "medicatiefout insuline",
                                                          "agressie bij verzorging (dementie)"])]
    add("attachment_ods_incidents", "secure", "health,person_name", "nl", "attachment_ods",
        "Incident register ODS with named clients and injuries to an external auditor.",
        frm=ST["lotte"].addr, to=[EXT["adviseur"]], subject="MIC-meldingen Q1",
        body="Beste Marco,\n\nVoor de audit de MIC-meldingen.\n\nLotte\n",
        attachments=[("MIC_Q1.ods", make_ods([("MIC", rows)]), None)])
    rows = [["Name", "Phone", "Address"]] + [[p.name, p.phone, p.address] for p in [P(english=True) for _ in range(4)]]
    add("attachment_ods_en_contacts", "secure", "person_name,phone_number,postal_address", "en", "attachment_ods",
        "A client contact list ODS with phones and addresses.",
        frm=d.addr, to=["dispatch@courier-example.com"], subject="Delivery addresses",
        body="Hello,\n\nDelivery list attached.\n\nDavid\n",
        attachments=[("contacts.ods", make_ods([("Contacts", rows)]), None)])
    add("attachment_ods_renovation", "normal", "", "nl", "attachment_ods",
        "A renovation planning ODS.",
        frm=m.addr, to=[EXT["leverancier"]], subject="Planning verbouwing",
        body="Hoi,\n\nPlanning in de bijlage.\n\nMark\n",
        attachments=[("planning_verbouwing.ods", make_ods([("Planning", [["Week", "Werk"], [18, "sloop"], [19, "elektra"]])]), None)])
    add("attachment_ods_survey", "normal", "", "nl", "attachment_ods",
        "Aggregated, anonymous satisfaction survey results ODS.",
        frm=em.addr, to=[EXT["beleid"]], subject="Resultaten tevredenheidsonderzoek",
        body="Beste Ingrid,\n\nDe geanonimiseerde resultaten.\n\nEmma\n",
        attachments=[("tevredenheid_2024.ods", make_ods([("Resultaten", [["Vraag", "Gem. score"],
                                                                          ["Bejegening", 8.4], ["Bereikbaarheid", 7.1]])]), None)])
    add("attachment_ods_en_budget", "normal", "", "en", "attachment_ods",
        "A project budget ODS.",
        frm=d.addr, to=[EXT["laura"]], subject="Budget",
        body="Laura,\n\nBudget attached.\n\nDavid\n",
        attachments=[("budget.ods", make_ods([("Budget", [["Item", "EUR"], ["Dev", 40000], ["Test", 8000]])]), None)])

    # ---------------- CSV
    rows = [["bsn", "naam", "geboortedatum"]] + clients(8, ["bsn", "naam", "geb"])
    add("attachment_csv_ecd_export", "secure", "bsn,person_name,date_of_birth", "nl", "attachment_csv",
        "An ECD export CSV (semicolon-separated) with BSN, names and dates of birth.",
        frm=m.addr, to=[EXT["leverancier"]], subject="Export voor migratie",
        body="Hoi,\n\nDe export voor de migratie.\n\nMark\n",
        attachments=[("export_ecd.csv", make_csv(rows), None)])
    rows = [["name", "diagnosis", "email"]] + clients(5, ["naam", "diag_en", "email"])
    add("attachment_csv_en_patients", "secure", "health,person_name,email_address", "en", "attachment_csv",
        "A patients CSV with diagnoses and e-mail addresses.",
        frm=d.addr, to=[EXT["support"]], subject="Import file",
        body="Hi,\n\nThe import file for the portal.\n\nDavid\n",
        attachments=[("patients.csv", make_csv(rows, delimiter=","), None)])
    rows = [["Naam", "Adres", "Telefoon"]] + clients(6, ["naam", "adres", "tel"])
    add("attachment_csv_addresses", "secure", "person_name,postal_address,phone_number", "nl", "attachment_csv",
        "A client address CSV for a meal delivery service.",
        frm=sa.addr, to=["bestellingen@maaltijdservice-example.nl"], subject="Adressen bezorging",
        body="Beste maaltijdservice,\n\nDe bezorgadressen.\n\nSanne\n",
        attachments=[("adressen.csv", make_csv(rows), None)])
    add("attachment_csv_products", "normal", "", "nl", "attachment_csv",
        "A product export CSV.",
        frm=k.addr, to=[EXT["leverancier"]], subject="Artikellijst",
        body="Hallo,\n\nArtikellijst.\n\nKees\n",
        attachments=[("artikelen.csv", make_csv([["artikelnr", "omschrijving", "prijs"],
                                                 ["100234567", "rollator", "149,00"], ["100298713", "douchestoel", "59,95"]]), None)])
    add("attachment_csv_stats", "normal", "", "nl", "attachment_csv",
        "Aggregated statistics per district CSV.",
        frm=em.addr, to=[EXT["beleid"]], subject="Cijfers per wijk",
        body="Beste Ingrid,\n\nDe cijfers per wijk.\n\nEmma\n",
        attachments=[("cijfers_wijk.csv", make_csv([["wijk", "clienten", "gem_leeftijd"], ["Noord", 412, 81],
                                                    ["Zuid", 377, 79]]), None)])
    add("attachment_csv_en_tickets", "normal", "", "en", "attachment_csv",
        "A bug-tracker export CSV ('diagnosed', 'symptom') with no personal data.",
        frm=s.addr, to=[EXT["support"]], subject="Open tickets",
        body="Hi,\n\nOpen tickets export.\n\nSarah\n",
        attachments=[("tickets.csv", make_csv([["id", "status", "summary"], ["4312", "diagnosed", "memory leak in PDF renderer"],
                                               ["4320", "open", "symptom: slow login"]], delimiter=","), None)])

    # ---------------- TXT
    add("attachment_txt_passwords", "secure", "credential", "nl", "attachment_txt",
        "A wachtwoorden.txt with system passwords sent to a supplier.",
        frm=m.addr, to=[EXT["hosting"]], subject="gegevens",
        body="Zie bijlage.\n\nMark\n",
        attachments=[("wachtwoorden.txt", "ECD admin: beheer / Zh!2024-Beheer\nVPN: svc_backup / Lente#Rivier88\n".encode(), None)])
    c = P(english=True, gender="f")
    add("attachment_txt_en_notes", "secure", "health,person_name", "en", "attachment_txt",
        "Visit notes TXT about a named client's mental health.",
        frm=ST["noor"].addr, to=[EXT["laura"]], subject="notes",
        body="Hi,\n\nMy notes from yesterday.\n\nNoor\n",
        attachments=[("notes.txt", f"Visit {c.name}: anxious, panic attacks at night, started on 25 mg sertraline.\n".encode(), None)])
    c = P(gender="m")
    add("attachment_txt_handover_bsn", "secure", "bsn,person_name", "nl", "attachment_txt",
        "A handover TXT with a BSN.",
        frm=a.addr, to=["invalkracht.zorg@gmail.com"], subject="overdracht",
        body="Hoi,\n\nOverdracht in de bijlage.\n\nAnne\n",
        attachments=[("overdracht.txt", f"{c.name}\nBSN {make_bsn(RNG)}\nsleutel bij buren\n".encode(), None)])
    add("attachment_txt_readme", "normal", "", "nl", "attachment_txt",
        "A software readme TXT.",
        frm=m.addr, to=[EXT["leverancier"]], subject="installatie-instructie",
        body="Hoi,\n\nInstructie in de bijlage.\n\nMark\n",
        attachments=[("LEESMIJ.txt", "Installeer de app via het softwarecentrum. Herstart daarna de computer.\n".encode(), None)])
    add("attachment_txt_org_details", "normal", "", "nl", "attachment_txt",
        "A TXT with the organisation's own new details (IBAN, KvK, address, phone).",
        frm=ru.addr, to=[EXT["drukker"]], subject="Onze gegevens",
        body="Goedemorgen,\n\nOnze gegevens voor het briefpapier.\n\nRuud\n",
        attachments=[("gegevens_zorggroep.txt", (
            "Zorggroep Horizon\nStationsplein 1\n3511 ED Utrecht\nT 030-1234567\nKvK 12345678\n"
            f"IBAN {fmt_iban(ORG_IBAN)}\n").encode(), None)])
    add("attachment_txt_en_log", "normal", "", "en", "attachment_txt",
        "A log TXT with request ids that look like numbers but are no personal data.",
        frm=s.addr, to=[EXT["support"]], subject="log file",
        body="Hi,\n\nLog from the crash.\n\nSarah\n",
        attachments=[("portal.log.txt", "2024-04-02T10:11:12Z req=813402177 status=502\n2024-04-02T10:11:13Z req=813402178 status=200\n".encode(), None)])

    # ---------------- HTML
    c = P(gender="f")
    add("attachment_html_ecd_report", "secure", "health,person_name", "nl", "attachment_html",
        "A saved ECD report page (HTML) with a named client's care notes.",
        frm=a.addr, to=[EXT["huisarts"]], subject="rapportage",
        body="Beste dokter,\n\nDe rapportage van afgelopen week.\n\nAnne\n",
        attachments=[("rapportage.html", f"<html><body><h1>Rapportage {c.name}</h1><p>Pijn bij plassen, koorts 38,6. "
                                          f"Vermoedelijk urineweginfectie.</p></body></html>".encode(), None)])
    c = P(english=True)
    add("attachment_html_en_form", "secure", "person_name,date_of_birth,email_address", "en", "attachment_html",
        "A web form submission (HTML) with name, date of birth and e-mail.",
        frm=d.addr, to=[EXT["support"]], subject="Form submission not processed",
        body="Hi,\n\nThis submission was not processed; see attachment.\n\nDavid\n",
        attachments=[("submission.html", f"<html><body><table><tr><td>Name</td><td>{c.name}</td></tr><tr><td>DOB</td>"
                                          f"<td>{c.dob:%d/%m/%Y}</td></tr><tr><td>Email</td><td>{c.email}</td></tr>"
                                          f"</table></body></html>".encode(), None)])
    c = P(gender="m")
    add("attachment_html_registration_bsn", "secure", "bsn,person_name", "nl", "attachment_html",
        "A registration form (HTML) with a BSN.",
        frm=mi.addr, to=[EXT["ggz"]], subject="aanmelding",
        body="Hallo,\n\nAanmelding in de bijlage.\n\nMirjam\n",
        attachments=[("aanmelding.htm", f"<html><body><p>Naam: {c.name}</p><p>BSN: {make_bsn(RNG)}</p></body></html>".encode(), None)])
    add("attachment_html_newsletter", "normal", "", "nl", "attachment_html",
        "A newsletter as HTML attachment.",
        frm=em.addr, to=["info@mantelzorgrivierstad.nl"], subject="Nieuwsbrief",
        body="Hallo,\n\nOnze nieuwsbrief.\n\nEmma\n",
        attachments=[("nieuwsbrief.html", "<html><body><h1>Nieuws</h1><p>Nieuwe locatie geopend.</p></body></html>".encode(), None)])
    add("attachment_html_en_webpage", "normal", "", "en", "attachment_html",
        "A saved public web page (HTML) about flu vaccination.",
        frm=s.addr, to=[EXT["uni"]], subject="Public page",
        body="James,\n\nThe page I mentioned.\n\nSarah\n",
        attachments=[("flu_vaccination.html", "<html><body><h1>Flu vaccination</h1><p>Who is eligible and when.</p></body></html>".encode(), None)])
    add("attachment_html_menu", "normal", "", "nl", "attachment_html",
        "A restaurant menu HTML with diet labels.",
        frm=sa.addr, to=[EXT["catering"]], subject="Menukaart",
        body="Hallo,\n\nDe menukaart.\n\nSanne\n",
        attachments=[("menukaart.html", "<html><body><ul><li>Erwtensoep</li><li>Zoutarm menu</li><li>Diabetes-dessert</li></ul></body></html>".encode(), None)])

    # ---------------- ZIP
    c = P(gender="f")
    dossier = make_docx(f"Dossier {c.name}", [f"BSN {make_bsn(RNG)}", "Diagnose: Parkinson, slikproblemen.", "Zorgplan: 3x daags hulp."])
    add("attachment_zip_dossier_docx", "secure", "patient_dossier,bsn,health,person_name", "nl", "attachment_zip",
        "A ZIP holding a client dossier DOCX.",
        frm=f.addr, to=[EXT["ggz"]], subject="stukken aanmelding",
        body="Hallo,\n\nDe stukken in een zip.\n\nFatima\n",
        attachments=[("stukken.zip", make_zip([("dossier.docx", dossier), ("LEESMIJ.txt", b"zie dossier\n")]), None)])
    c = P(gender="m")
    deep = make_docx("Intake", [f"{c.name}, BSN {make_bsn(RNG)}", "Verslaving: alcohol; psychose in 2022."])
    inner = make_zip([("intake.docx", deep)])
    add("attachment_zip_nested_docx", "secure", "bsn,health,person_name", "nl", "attachment_zip",
        "A nested ZIP (zip in zip) with a DOCX holding a BSN and health data.",
        frm=k.addr, to=[EXT["wmo"]], subject="archief",
        body="Hoi Jeroen,\n\nHet archief.\n\nKees\n",
        attachments=[("archief.zip", make_zip([("2024/map.zip", inner), ("2024/overzicht.txt", b"index\n")]), None)])
    rows = [["name", "email", "phone"]] + clients(5, ["naam", "email", "tel"])
    add("attachment_zip_en_csv", "secure", "person_name,email_address,phone_number", "en", "attachment_zip",
        "A ZIP with a CSV of named people with e-mail and phone.",
        frm=d.addr, to=[EXT["support"]], subject="Data for the import",
        body="Hi,\n\nZipped data for the import.\n\nDavid\n",
        attachments=[("import.zip", make_zip([("contacts.csv", make_csv(rows, delimiter=","))]), None)])
    add("attachment_zip_brochures", "normal", "", "nl", "attachment_zip",
        "A ZIP of public brochures (PDF).",
        frm=em.addr, to=["info@bibliotheekrivierstad.nl"], subject="Brochures",
        body="Hallo,\n\nBrochures in een zip.\n\nEmma\n",
        attachments=[("brochures.zip", make_zip([("dementie.pdf", make_pdf("Dementie", ["Openbare informatie."])),
                                                  ("mantelzorg.pdf", make_pdf("Mantelzorg", ["Openbare informatie."]))]), None)])
    add("attachment_zip_nested_logos", "normal", "", "nl", "attachment_zip",
        "A nested ZIP with style guide text files.",
        frm=em.addr, to=[EXT["drukker"]], subject="Huisstijl",
        body="Hallo,\n\nDe huisstijlbestanden.\n\nEmma\n",
        attachments=[("huisstijl.zip", make_zip([("kleuren.txt", b"blauw #1f6f8b\n"),
                                                  ("fonts.zip", make_zip([("fonts.txt", b"Open Sans\n")]))]), None)])
    tpl = make_docx("Template: meeting notes", ["Date:", "Attendees:", "Decisions:"])
    add("attachment_zip_en_templates", "normal", "", "en", "attachment_zip",
        "A ZIP with empty DOCX templates.",
        frm=d.addr, to=[EXT["laura"]], subject="Templates",
        body="Laura,\n\nOur templates.\n\nDavid\n",
        attachments=[("templates.zip", make_zip([("meeting_notes.docx", tpl)]), None)])

    # ---------------- forwarded .eml (message/rfc822)
    c = P(gender="f")
    inner = forwarded_eml(EXT["wmo"], mi.email, "Toewijzing", f"Toewijzing voor {c.name}, BSN {make_bsn(RNG)}.\n")
    add("attachment_eml_bsn", "secure", "bsn,person_name", "nl", "attachment_eml",
        "A forwarded .eml (message/rfc822) contains a BSN.",
        frm=mi.addr, to=[EXT["cak"]], subject="FW: Toewijzing",
        body="Ter info.\n\nMirjam\n", attachments=[("Toewijzing.eml", inner, None)])
    c = P(english=True)
    inner = forwarded_eml(EXT["laura"], ST["noor"].email, "Patient update",
                          f"{c.name} has been diagnosed with early-stage Parkinson's.\n", lang="en")
    add("attachment_eml_en_health", "secure", "health,person_name", "en", "attachment_eml",
        "A forwarded .eml with a named person's diagnosis.",
        frm=ST["noor"].addr, to=[EXT["uni"]], subject="Fwd: Patient update",
        body="FYI\n", attachments=[("Patient update.eml", inner, None)])
    inner = forwarded_eml(m.addr, s.email, "root access", "Root password for db01: Tr0mpet!Zwaan\n", lang="en")
    add("attachment_eml_en_credential", "secure", "credential", "en", "attachment_eml",
        "A forwarded .eml holding a root password, sent externally.",
        frm=s.addr, to=[EXT["hosting"]], subject="Fwd: root access",
        body="See below.\n", attachments=[("root access.eml", inner, None)])
    inner = forwarded_eml(EXT["beleid"], k.email, "Uitnodiging", "Uitnodiging voor het regio-overleg op 3 juni.\n")
    add("attachment_eml_invite", "normal", "", "nl", "attachment_eml",
        "A forwarded meeting invitation (.eml) without personal data.",
        frm=k.addr, to=[EXT["huisarts"]], subject="FW: Uitnodiging",
        body="Hanneke, ook iets voor jou?\n\nKees\n", attachments=[("Uitnodiging.eml", inner, None)])
    inner = forwarded_eml(em.addr, "alle-medewerkers@zorggroephorizon.nl", "Nieuwe locatie open",
                          "Onze nieuwe locatie aan de Havenstraat is open!\n")
    add("attachment_eml_announcement", "normal", "", "nl", "attachment_eml",
        "A forwarded public announcement (.eml).",
        frm=em.addr, to=["redactie@rivierstadsdagblad.nl"], subject="FW: Nieuwe locatie open",
        body="Misschien iets voor de krant?\n\nEmma\n", attachments=[("Nieuwe locatie.eml", inner, None)])
    inner = forwarded_eml("newsletter@example.com", d.email, "eHealth newsletter",
                          "This month: secure messaging trends.\n", lang="en")
    add("attachment_eml_en_newsletter", "normal", "", "en", "attachment_eml",
        "A forwarded newsletter (.eml).",
        frm=d.addr, to=[EXT["laura"]], subject="Fwd: eHealth newsletter",
        body="Interesting read.\n", attachments=[("newsletter.eml", inner, None)])

    # ---------------- encrypted zip
    c = P(gender="f")
    secret_docx = make_docx(f"Dossier {c.name}", [f"BSN {make_bsn(RNG)}", "Diagnose: borstkanker, chemotherapie."])
    ez = make_encrypted_zip("dossier_aes.zip", [("dossier.docx", secret_docx)], "Vlinder-Kade-2024", "7zz")
    add("encrypted_zip_aes_sms", "normal", "", "nl", "encrypted_zip",
        "AES-256 encrypted ZIP (7-Zip); password goes by SMS; body not sensitive. Expect an 'encrypted, not inspected' warning.",
        frm=f.addr, to=[EXT["ziekenhuis"]], subject="Dossier (versleuteld)",
        body="Goedemiddag,\n\nHet dossier zit in een versleutelde zip. Het wachtwoord stuur ik u per sms.\n\nFatima\n",
        attachments=[("dossier_versleuteld.zip", ez, None)])
    ez = make_encrypted_zip("lijst_zipcrypto.zip",
                            [("lijst.xlsx", make_xlsx([("L", [["Naam", "BSN"]] + clients(3, ["naam", "bsn"]))]))],
                            "Tulp88Rivier", "zip")
    add("encrypted_zip_zipcrypto", "normal", "", "nl", "encrypted_zip",
        "ZipCrypto-encrypted ZIP (Info-ZIP) with a list inside; body harmless. Expect an 'encrypted, not inspected' warning.",
        frm=mi.addr, to=[EXT["wmoloket"]], subject="Lijst (beveiligd bestand)",
        body="Hallo,\n\nBijgaand de lijst als beveiligde zip; wachtwoord volgt telefonisch.\n\nMirjam\n",
        attachments=[("lijst.zip", ez, None)])
    ez = make_encrypted_zip("report_aes_en.zip", [("report.pdf", make_pdf("Report", ["Confidential case notes."]))],
                            "Harbour-Lamp-77", "7zz")
    add("encrypted_zip_en", "normal", "", "en", "encrypted_zip",
        "AES-256 encrypted ZIP; password shared by phone. Expect an 'encrypted, not inspected' warning.",
        frm=d.addr, to=[EXT["laura"]], subject="Encrypted report",
        body="Hi Laura,\n\nThe report is in the encrypted zip. I'll text you the password.\n\nDavid\n",
        attachments=[("report.zip", ez, None)])
    c = P(gender="m")
    ez = make_encrypted_zip("bijlagen_aes.zip", [("bijlage.txt", b"zie mail\n")], "Molen-Sloot-31", "7zz")
    add("encrypted_zip_body_bsn", "secure", "bsn,person_name", "nl", "encrypted_zip",
        "Encrypted ZIP, but the body itself holds a name and BSN.",
        frm=mi.addr, to=[EXT["cak"]], subject="Bijlagen",
        body=f"Geachte heer/mevrouw,\n\nDe bijlagen over {c.name} (BSN {make_bsn(RNG)}) zitten in de versleutelde zip.\n\nMirjam\n",
        attachments=[("bijlagen.zip", ez, None)])
    ez = make_encrypted_zip("contract_aes.zip", [("contract.pdf", make_pdf("Contract", ["Concept."]))], "Zeilboot-Duin-12", "7zz")
    add("encrypted_zip_password_in_body", "secure", "credential", "nl", "encrypted_zip",
        "Encrypted ZIP with its password in the same mail: the password is a credential.",
        frm=ST["pieter"].addr, to=[EXT["adviseur"]], subject="Contract",
        body="Beste Marco,\n\nHet contract zit in de zip. Wachtwoord: Zeilboot-Duin-12\n\nPieter\n",
        attachments=[("contract.zip", ez, None)])


# ================================================================ main
def write():
    os.makedirs(OUT, exist_ok=True)
    for fn in os.listdir(OUT):
        if fn.endswith(".eml"):
            os.remove(os.path.join(OUT, fn))
    lines = ["file\tverdict\tkinds\tlang\tcategory\tnote"]
    for m in MESSAGES:
        with open(os.path.join(OUT, m["file"]), "wb") as fh:
            fh.write(serialize(m["msg"]))
        assert "\t" not in m["note"]
        lines.append("\t".join([m["file"], m["verdict"], m["kinds"], m["lang"], m["category"], m["note"]]))
    with open(os.path.join(OUT, "labels.tsv"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "zegel.toml"), "w", encoding="utf-8") as fh:
        fh.write('[organization]\nname = "Zorggroep Horizon"\ninternal_domains = ["zorggroephorizon.nl"]\n'
                 'partner_domains = ["gemeente-rivierstad.nl"]\nown_details = ["NL91ABNA0417164300", "12345678", '
                 '"Stationsplein 1", "3511 ED", "030-1234567", "Zorggroep Horizon"]\n')


def stats():
    from collections import Counter
    by = lambda key: Counter(m[key] for m in MESSAGES)
    out = {"total": len(MESSAGES), "verdict": by("verdict"), "lang": by("lang"), "category": by("category")}
    att = Counter()
    for m in MESSAGES:
        for t in m["types"]:
            att[(t, m["verdict"])] += 1
    out["attachments"] = att
    kinds = Counter(k for m in MESSAGES for k in m["kinds"].split(",") if k)
    out["kinds"] = kinds
    return out


def main():
    seeds()
    near_misses()
    other_kinds()
    forced_tags()
    attachments_section()
    write()
    st = stats()
    for t in ["pdf", "docx", "odt", "xlsx", "xls", "ods", "csv", "txt", "html", "zip", "eml"]:
        for v in ("secure", "normal"):
            n = st["attachments"][(t, v)] + (st["attachments"][("htm", v)] if t == "html" else 0)
            assert n >= 3, (t, v, n)
    print(f"{st['total']} messages; verdict {dict(st['verdict'])}; lang {dict(st['lang'])}")
    print("attachments", dict(sorted(st["attachments"].items())))
    print("kinds", dict(sorted(st["kinds"].items())))
    print("categories", dict(sorted(st["category"].items())))


if __name__ == "__main__":
    main()
