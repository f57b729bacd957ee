from lib import *
from people import *

M = []
def reg(slug, verdict, kinds, lang, category, note):
    def deco(f):
        M.append(dict(slug=slug, verdict=verdict, kinds=kinds, lang=lang, category=category, note=note, build=f))
        return f
    return deco

DISCL_NL = """
--
Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n) en kan vertrouwelijke informatie bevatten. Indien u dit bericht onterecht heeft ontvangen, wordt u verzocht de afzender direct te informeren en het bericht te verwijderen. Zorggroep Horizon aanvaardt geen aansprakelijkheid voor schade als gevolg van het gebruik van elektronische communicatie.
"""
DISCL_EN = """
________________________________
CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be legally privileged. If you are not the intended recipient, please notify the sender immediately and delete this message. Any unauthorised use, disclosure or copying is prohibited.
"""

@reg("nieuwsbrief_diabetes", "normal", "", "nl", "near_miss_public_doc",
     "HTML-nieuwsbrief over de Week van de Diabetes: algemene symptomen en activiteiten, geen persoon.")
def n1():
    html = """<html><head><meta charset="utf-8"><title>Nieuwsbrief april</title></head>
<body style="font-family:Arial,sans-serif">
<h2>Week van de Diabetes: 15&ndash;21 april</h2>
<p>Beste netwerkpartner,</p>
<p>In Nederland hebben ruim 1,2 miljoen mensen diabetes, en naar schatting 250.000 mensen weten het nog niet. Vooral bij ouderen worden de klachten vaak niet herkend: veel dorst, vaak plassen, moeheid, wazig zien en wondjes die slecht genezen.</p>
<p>Tijdens de Week van de Diabetes organiseren onze wijkteams:</p>
<ul>
<li>gratis bloedsuikermetingen in wijkcentrum De Brug (16 en 17 april, 10.00&ndash;12.00&nbsp;uur);</li>
<li>een voorlichtingsmiddag door een di&euml;tist over gezond eten met een klein budget;</li>
<li>een wandelgroep &lsquo;In beweging met diabetes&rsquo; vanaf caf&eacute; De Hoek.</li>
</ul>
<p>Wilt u de bijgevoegde poster ophangen in uw wachtkamer of wijkcentrum? Meer informatie vindt u op <a href="https://www.zorggroephorizon.nl/diabetes">zorggroephorizon.nl/diabetes</a>.</p>
<p>Met vriendelijke groet,<br>Noor Smit<br>Communicatieadviseur, Zorggroep Horizon</p>
<p style="font-size:8pt;color:#888">U ontvangt deze nieuwsbrief omdat u netwerkpartner bent van Zorggroep Horizon. <a href="https://www.zorggroephorizon.nl/afmelden">Afmelden</a></p>
</body></html>"""
    plain = """Week van de Diabetes: 15–21 april

Beste netwerkpartner,

In Nederland hebben ruim 1,2 miljoen mensen diabetes, en naar schatting 250.000 mensen weten het nog niet. Vooral bij ouderen worden de klachten vaak niet herkend: veel dorst, vaak plassen, moeheid, wazig zien en wondjes die slecht genezen.

Tijdens de Week van de Diabetes organiseren onze wijkteams:
- gratis bloedsuikermetingen in wijkcentrum De Brug (16 en 17 april, 10.00–12.00 uur);
- een voorlichtingsmiddag door een diëtist over gezond eten met een klein budget;
- een wandelgroep ‘In beweging met diabetes’ vanaf café De Hoek.

Meer informatie: https://www.zorggroephorizon.nl/diabetes

Met vriendelijke groet,
Noor Smit
Communicatieadviseur, Zorggroep Horizon
"""
    part = alternative(text(plain, enc="qp"), text(html, "html", enc="qp"), "----=_NextPart_000_0012_01DA8F")
    return message(addr("Zorggroep Horizon | Nieuwsbrief", "nieuwsbrief@zorggroephorizon.nl"),
                   [addr("Gezondheidsbeleid", "gezondheidsbeleid@gemeente-rivierstad.nl")],
                   "Nieuwsbrief april – Week van de Diabetes", part,
                   cc=["info@huisartsendelinde.nl", "balie@apotheekrivierstad.nl"], dt=date(2024, 4, 8, 7, 0),
                   extra=[("List-Unsubscribe", "<https://www.zorggroephorizon.nl/afmelden>")])

@reg("notitie_bsn_gebruik_docx", "normal", "", "nl", "attachment_docx",
     "Beleidsnotitie (DOCX) over hoe met het BSN om te gaan; er staat geen enkel BSN in.")
def n2():
    docx = make_docx([
        "**Notitie: gebruik van het burgerservicenummer in de samenwerking Wmo (concept v0.3)**",
        "1. Het BSN wordt alleen uitgewisseld via het iWmo-berichtenverkeer, nooit via gewone e-mail of WhatsApp.",
        "2. In e-mail en Teams gebruiken medewerkers uitsluitend het cliëntnummer van Zorggroep Horizon of het zaaknummer van de gemeente.",
        "3. Bij invoer in het ECD controleert het systeem het BSN met de elfproef; een nummer dat niet door de elfproef komt, wordt geweigerd.",
        "4. Kopieën van identiteitsbewijzen worden niet bewaard; we noteren alleen het soort document en dat het is gecontroleerd.",
        "5. Grondslag: Wet algemene bepalingen burgerservicenummer en artikel 5.2.1 Wmo 2015.",
        "Vastgesteld door: privacyoverleg Zorggroep Horizon / gemeente Rivierstad (ter bespreking 14 mei 2024).",
    ], title="Notitie BSN-gebruik")
    body = f"""Beste Annelies,

Bijgaand de notitie over het gebruik van het burgerservicenummer in onze gegevensuitwisseling, zoals besproken in het privacyoverleg. Kort samengevat: het BSN gaat alleen via het berichtenverkeer, nooit via de mail; in e-mail gebruiken we het cliënt- of zaaknummer.

Graag jullie reactie vóór 1 mei, dan kan de notitie op 14 mei worden vastgesteld.

{BK.sig('nl', 1)}"""
    part = mixed([text(body, enc="8bit"),
                  attach(docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         "Notitie_BSN-gebruik_Wmo_v0.3.docx")], "b2_4e8a1d7c9f06")
    return message(BK.a, [addr("Annelies Koopman", "privacy@gemeente-rivierstad.nl")],
                   "Notitie BSN-gebruik in de samenwerking Wmo", part, dt=date(2024, 4, 11, 14, 7))

@reg("wachtwoord_gewijzigd_portaal", "normal", "", "nl", "near_miss_password_reset",
     "Automatische melding dat een wachtwoord is gewijzigd, zonder wachtwoord of code.")
def n3():
    body = """Hallo Anneke,

Het wachtwoord van je account op het vrijwilligersportaal is zojuist gewijzigd (woensdag 10 april 2024, 21:14).

Was jij dit niet? Klik dan op 'Wachtwoord vergeten' op https://vrijwilligers.zorggroephorizon.nl en kies een nieuw wachtwoord, of neem contact op met de servicedesk via 030-1234567.

Let op: wij vragen je nooit om je wachtwoord per e-mail of telefoon.

Met vriendelijke groet,
Team Vrijwilligersportaal
Zorggroep Horizon

Dit is een automatisch verzonden bericht; je kunt hier niet op antwoorden.
"""
    return message(addr("Zorggroep Horizon Vrijwilligersportaal", "noreply@zorggroephorizon.nl"),
                   ["a.verhoef@gmail.com"], "Je wachtwoord is gewijzigd", text(body, enc="7bit"),
                   dt=date(2024, 4, 10, 21, 14), extra=[("Auto-Submitted", "auto-generated")])

@reg("account_created_contractor", "normal", "", "en", "near_miss_password_reset",
     "Account-creation notice with password rules; the temporary password goes by SMS, none in the mail.")
def n4():
    body = f"""Hi David,

Your account for the Zorggroep Horizon network (d.miller-ext) has been created and is valid until 30 June 2024.

You will receive a temporary password by text message on the mobile number you gave us. You must change it at first login.

Password requirements:
- at least 14 characters;
- no part of your name or user name;
- not one of your last 10 passwords.

MFA via the Microsoft Authenticator app is mandatory. Never send your password by e-mail, not even to us - the service desk will never ask for it.

{RB.sig('en', 1)}"""
    return message(RB.a, [addr("David Miller", "d.miller@northbridge-it.com")],
                   "Your account for the Horizon network", text(body, enc="7bit"), dt=date(2024, 4, 2, 10, 12))

@reg("uitnodiging_ketenoverleg", "normal", "", "nl", "near_miss_meeting",
     "Uitnodiging met namen en teams van collega's en gemeenteconsulenten; geen cliënt- of persoonsgegevens.")
def n5():
    body = f"""Beste Karin en Wouter,

Graag nodig ik jullie uit voor het kwartaaloverleg van wijkteam Noord en het gebiedsteam.

Datum: donderdag 18 april 2024
Tijd: 14.00–15.30 uur
Locatie: wijkcentrum De Brug, zaal 2

Aanwezig van onze kant: Marieke de Vries (wijkverpleging, team Noord), Fatima El Amrani (maatschappelijk werk) en Daan de Boer (planning thuiszorg). Van de gemeente: Karin Bos en Wouter Hendriks (Wmo-consulenten, gebiedsteam Noord).

Agenda:
1. Doorlooptijden Wmo-aanvragen Q1
2. Samenwerking bij valpreventie
3. Casuïstiek – we bespreken casussen geanonimiseerd, dus graag geen namen in de stukken.

Laat je even weten of het past?

{PJ.sig('nl', 2)}"""
    return message(PJ.a, [addr("Karin Bos", "k.bos@gemeente-rivierstad.nl"), addr("Wouter Hendriks", "w.hendriks@gemeente-rivierstad.nl")],
                   "Uitnodiging ketenoverleg wijkteam Noord – 18 april", text(body, enc="qp"),
                   cc=[addr("Marieke de Vries", MV.email), addr("Fatima El Amrani", FE.email), addr("Daan de Boer", DB.email)],
                   dt=date(2024, 3, 21, 16, 10))

@reg("project_meeting_ics", "normal", "", "en", "near_miss_meeting",
     "Meeting invitation with .ics attachment naming colleagues and their roles; no personal data beyond business contacts.")
def n6():
    ics = """BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:REQUEST
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000A1B2C3D4
DTSTAMP:20240412T091500Z
DTSTART:20240507T120000Z
DTEND:20240507T133000Z
SUMMARY:DEM-CARE WP3 project meeting
LOCATION:Microsoft Teams
ORGANIZER;CN=Mark O'Neill:mailto:m.oneill@zorggroephorizon.nl
ATTENDEE;CN=Kwame Osei;RSVP=TRUE:mailto:k.osei@healthresearch-institute.org
ATTENDEE;CN=Pia Lindgren;RSVP=TRUE:mailto:p.lindgren@nordic-ageing.se
ATTENDEE;CN=Anna Kowalski;RSVP=TRUE:mailto:a.kowalski@zorggroephorizon.nl
ATTENDEE;CN=Rachel Brouwer;RSVP=TRUE:mailto:r.brouwer@zorggroephorizon.nl
DESCRIPTION:Agenda: 1. status data collection 2. DPIA 3. publication plan
END:VEVENT
END:VCALENDAR
"""
    body = f"""Dear Kwame, dear Pia,

I'd like to invite you to the next DEM-CARE work package 3 meeting on Tuesday 7 May, 14:00-15:30 CEST, on Teams.

From our side Anna Kowalski (elderly care physician, clinical lead) and Rachel Brouwer (information security) will join to discuss the data protection impact assessment. Agenda:
1. Status of data collection at the three sites
2. DPIA - open questions from the ethics committee
3. Publication plan

An invitation is attached.

{MO.sig('en', 1)}"""
    part = mixed([text(body, enc="7bit"), attach(ics, "text/calendar; method=REQUEST", "invite.ics", enc="7bit", charset="utf-8")],
                 "_000_DB9PR01MB_ics_")
    return message(MO.a, [addr("Kwame Osei", "k.osei@healthresearch-institute.org"), addr("Pia Lindgren", "p.lindgren@nordic-ageing.se")],
                   "Invitation: DEM-CARE WP3 project meeting, 7 May", part,
                   cc=[addr("Anna Kowalski", AK.email), addr("Rachel Brouwer", RB.email)], dt=date(2024, 4, 12, 11, 15))

@reg("factuur_gemeente_eigen_iban", "normal", "", "nl", "own_iban_payment",
     "Factuur aan de gemeente met het eigen IBAN en KvK; factuurnummer 202403118 komt niet door de elfproef.")
def n7():
    body = """Geachte heer/mevrouw,

Hierbij ontvangt u factuur 202403118 voor de geleverde Wmo-begeleiding in maart 2024 (contractnummer WMO-2023-0147).

Totaalbedrag: € 48.312,75 (vrijgesteld van btw)
Vervaldatum:  30 april 2024

Wij verzoeken u het bedrag onder vermelding van het factuurnummer over te maken op NL91 ABNA 0417 1643 00 ten name van Zorggroep Horizon. De specificatie per cliënt is via het iWmo-berichtenverkeer aangeleverd.

Met vriendelijke groet,

Ingrid Post
Debiteurenadministratie
Zorggroep Horizon | Stationsplein 1, 3511 ED Utrecht | 030-1234567 | KvK 12345678
"""
    return message(IP.a, [addr("Crediteurenadministratie", "crediteuren@gemeente-rivierstad.nl")],
                   "Factuur 202403118 – Wmo-begeleiding maart 2024", text(body, enc="8bit"),
                   dt=date(2024, 4, 2, 9, 0))

@reg("invoice_room_rental_pdf", "normal", "", "en", "attachment_pdf",
     "PDF invoice to a company with the organisation's own IBAN, KvK and address; invoice number fails the 11-proef.")
def n8():
    pdf = make_pdf([
        "Zorggroep Horizon",
        "Stationsplein 1, 3511 ED Utrecht - KvK 12345678",
        "",
        "INVOICE 240519338",
        "Date: 19 May 2024",
        "Customer: Northbridge IT B.V., attn. accounts payable",
        "",
        "Rental training room 'Waterrijk', 13 and 14 May 2024    2 x EUR 425.00",
        "Catering (lunch, 18 persons, 2 days)                   EUR 612.00",
        "Subtotal                                                EUR 1,462.00",
        "VAT 21%                                                 EUR 307.02",
        "Total                                                   EUR 1,769.02",
        "",
        "Please pay within 30 days to NL91ABNA0417164300",
        "in the name of Zorggroep Horizon, quoting invoice number 240519338.",
    ], title="Invoice 240519338")
    body = f"""Dear Sir/Madam,

Please find attached invoice 240519338 for the rental of our training room and catering on 13 and 14 May. Kindly pay within 30 days to NL91ABNA0417164300, stating the invoice number.

{TH.sig('en', 2)}"""
    part = mixed([text(body, enc="7bit"), attach(pdf, "application/pdf", "Invoice_240519338.pdf")], "=_inv_240519338")
    return message(TH.a, [addr("Accounts Payable", "accounts.payable@northbridge-it.com")],
                   "Invoice 240519338 - training room rental", part, dt=date(2024, 5, 20, 10, 30))

@reg("bestelling_incontinentie_naleveren", "normal", "", "nl", "near_miss_reference_number",
     "Klacht over deellevering met 9-cijferige bestel- en pakbonnummers die niet door de elfproef komen.")
def n9():
    body = f"""Goedemorgen,

Onze bestelling 483920175 (klantnummer 70014, pakbon 700145226) is gisteren maar gedeeltelijk geleverd op locatie De Linde. Van de 40 dozen incontinentiemateriaal maat M zijn er 24 binnengekomen en de nitril handschoenen maat L ontbraken helemaal.

Kunt u de rest uiterlijk vrijdag naleveren? Wij hebben nog voorraad tot ongeveer woensdag.

{YK.sig('nl', 1)}"""
    return message(YK.a, [addr("MediSupply Benelux orders", "orders@medisupply-benelux.nl")],
                   "Bestelling 483920175 – deellevering De Linde", text(body, enc="qp"), dt=date(2024, 3, 26, 8, 22))

@reg("ticket_duplicate_licence_invoice", "normal", "", "en", "near_miss_reference_number",
     "Ticket number (9 digits, fails 11-proef) and a 16-digit purchase-order number that fails Luhn.")
def n10():
    body = f"""Hello,

Regarding ticket 100234567: we received two invoices for the same licence period (INV-2024-0412 and INV-2024-0419, both for April-June 2024). Could you please credit the second one?

Our purchase order number is 4510 0032 7781 9926; please quote it on the corrected invoice, otherwise our accounts payable system will reject it.

{JV.sig('en', 1)}"""
    return message(JV.a, [addr("Carenetic Billing", "billing@carenetic-software.com")],
                   "Ticket 100234567 - duplicate licence invoice", text(body, enc="7bit"), dt=date(2024, 4, 19, 14, 55))

@reg("intern_nieuwe_client_bsn", "normal", "", "nl", "internal_only",
     "BSN, geboortedatum, adres en diagnose van een nieuwe cliënt, maar alle ontvangers zijn intern (ook subdomein).")
def n11():
    body = f"""Hoi Marieke,

Per 2 april start de zorg bij een nieuwe cliënt in jouw wijk:

Mevrouw C. (Corrie) Schouten
Geboren: 08-09-1937
BSN: 779826863
Adres: Beukenhof 31, 4101 DM Rivierstad
Diagnose: hartfalen NYHA III, diabetes mellitus type 2
Zorg: ochtendzorg 7 dagen, insuline toedienen 2x daags

De indicatie staat in het ECD. Planning heeft ze in de cc.

{SB.sig('nl', 1)}"""
    return message(SB.a, [addr("Marieke de Vries", MV.email)], "Nieuwe cliënt per 2 april: mevr. Schouten",
                   text(body, enc="b64"), cc=[addr("Planning Noord", "planning@wijkteam.zorggroephorizon.nl")],
                   dt=date(2024, 3, 28, 15, 33))

@reg("internal_new_medication_hartman", "normal", "", "en", "internal_only",
     "Health details of a named resident sent only to internal and subdomain recipients.")
def n12():
    body = f"""Dear team,

Mrs Greet Hartman (room 4) started haloperidol 0.5 mg at night yesterday because of increasing agitation and hallucinations in the evening. Please watch for stiffness, falls and sleepiness during the day and report in the ECD. We'll evaluate on Friday during the MDO.

{AK.sig('en', 3)}"""
    return message(AK.a, [addr("Team Oost", "team-oost@wijkteam.zorggroephorizon.nl")],
                   "Mrs Hartman - new medication", text(body, enc="7bit"),
                   cc=[addr("Yvonne Kramer", YK.email)], dt=date(2024, 4, 16, 12, 1))

@reg("intern_wachtwoord_gedeelde_mailbox", "normal", "", "nl", "internal_only",
     "Wachtwoord van een gedeelde mailbox, maar alleen naar een interne collega.")
def n13():
    body = f"""Hoi Sanne,

Het wachtwoord van de gedeelde mailbox zorgadministratie is gereset. Het nieuwe wachtwoord is Tulp-2024-Horizon; wil je het na de eerste keer inloggen meteen wijzigen en in de kluis van het team zetten?

{JV.sig('nl', 3)}"""
    return message(JV.a, [addr("Sanne Bakker", SB.email)], "Wachtwoord gedeelde mailbox zorgadministratie",
                   text(body, enc="7bit"), dt=date(2024, 3, 12, 9, 18))

@reg("informatieavond_mantelzorg_disclaimer", "normal", "", "nl", "near_miss_disclaimer",
     "Persbericht over een informatieavond met programma als TXT-bijlage; alleen de standaard footerdisclaimer noemt 'vertrouwelijke informatie'.")
def n14():
    prog = """Programma informatieavond mantelzorg - donderdag 25 april 2024
Locatie: wijkcentrum De Brug, Rivierstad

19.00  Inloop met koffie en thee
19.30  Welkom
19.40  Wat mag je van de wijkverpleging verwachten?
20.15  Pauze
20.30  Respijtzorg en dagbesteding: de mogelijkheden
21.15  Vragen en afsluiting

Toegang gratis, aanmelden niet nodig.
"""
    body = f"""Beste redactie,

Op donderdag 25 april organiseert Zorggroep Horizon samen met het Mantelzorgpunt een informatieavond voor mantelzorgers in Rivierstad. Het programma zit in de bijlage. Wilt u de avond opnemen in de agenda van de krant?

Voor vragen van de pers ben ik bereikbaar op het onderstaande nummer.

{NS.sig('nl', 1)}{DISCL_NL}"""
    part = mixed([text(body, enc="qp"), attach(prog, "text/plain", "programma_informatieavond.txt", enc="b64", charset="utf-8")],
                 "=_prog_25april")
    return message(NS.a, [addr("Redactie Rivierstadse Krant", "redactie@rivierstadsekrant.nl")],
                   "Informatieavond mantelzorg 25 april", part, dt=date(2024, 4, 15, 10, 0))

@reg("slides_footer_notice", "normal", "", "en", "near_miss_disclaimer",
     "Harmless note about uploaded slides; only a standard CONFIDENTIALITY NOTICE footer.")
def n15():
    body = f"""Hi Kwame,

Thanks again for hosting on Tuesday. I've uploaded the slides and the draft timeline to the project SharePoint (folder WP3/2024-04). Let me know if you can't access it.

{MO.sig('en', 1)}{DISCL_EN}"""
    return message(MO.a, [addr("Kwame Osei", "k.osei@healthresearch-institute.org")],
                   "Slides from Tuesday", text(body, enc="7bit"), dt=date(2024, 4, 25, 16, 48))

@reg("bevestiging_kennismaking_eigen", "normal", "", "nl", "own_appointment",
     "Afspraakbevestiging aan de cliënt zelf met alleen zijn eigen naam, adres en telefoonnummer, geen gezondheidsdetails.")
def n16():
    body = f"""Beste meneer Gerritsen,

Hierbij bevestigen wij de afspraak voor het kennismakingsgesprek met onze wijkverpleegkundige Marieke de Vries:

Dinsdag 9 april 2024 om 10.00 uur
Bij u thuis: Esdoornlaan 7, 4102 CD Rivierstad

Wij bellen u een dag van tevoren nog even op uw nummer 06-27384910. Wilt u uw zorgpas en een overzicht van uw medicijnen klaarleggen? Past het tijdstip toch niet, bel dan met de planning via 030-1234567.

{DB.sig('nl', 1)}"""
    return message(DB.a, [addr("G. Gerritsen", "g.gerritsen@kpnmail.nl")], "Bevestiging kennismakingsgesprek wijkverpleging",
                   text(body, enc="8bit"), dt=date(2024, 4, 3, 11, 5))

@reg("own_appointment_client_advisor", "normal", "", "en", "own_appointment",
     "Appointment confirmation to the client herself with only her own name and address.")
def n17():
    body = f"""Dear Ms Novak,

This is to confirm your appointment with me on Tuesday 16 April at 14:00 at our office, Stationsplein 1 in Utrecht (ground floor, reception). We will discuss the options for support at home and how to apply for it.

We have your address as Weteringkade 12, 4101 GT Rivierstad; please let me know if this is no longer correct. Please bring a valid ID.

{KV.sig('en', 1)}"""
    return message(KV.a, [addr("Lenka Novak", "l.novak@outlook.com")], "Your appointment on 16 April",
                   text(body, enc="7bit"), dt=date(2024, 4, 10, 15, 2))

@reg("vacature_wijkverpleegkundige", "normal", "", "nl", "near_miss_public_doc",
     "HTML-vacaturetekst voor een vacaturesite; contactpersoon alleen met het algemene nummer van de organisatie.")
def n18():
    html = """<html><body>
<h2>Wijkverpleegkundige HBO (24&ndash;32 uur) &ndash; wijkteam Rivierstad-Noord</h2>
<p>Ben jij een zelfstandige verpleegkundige die het verschil wil maken bij ouderen thuis? Wij zoeken een enthousiaste collega (niveau 5) voor ons wijkteam in Rivierstad-Noord.</p>
<h3>Wat ga je doen?</h3>
<ul><li>Indiceren en zorgplannen opstellen volgens het Normenkader;</li>
<li>complexe verpleegtechnische handelingen uitvoeren;</li>
<li>co&ouml;rdineren met huisartsen, apotheek en gemeente.</li></ul>
<h3>Wat bieden wij?</h3>
<ul><li>Salaris conform cao VVT, FWG&nbsp;50 (max. &euro;&nbsp;4.964 bruto bij 36 uur);</li>
<li>een e-bike van de zaak en een eigen opleidingsbudget;</li>
<li>een team dat zelf het rooster maakt.</li></ul>
<p>Vragen? Bel Pieter Jansen, teamleider, via 030-1234567. Solliciteren kan tot 30&nbsp;april via <a href="https://werkenbij.zorggroephorizon.nl">werkenbij.zorggroephorizon.nl</a>.</p>
</body></html>"""
    plain = """Wijkverpleegkundige HBO (24–32 uur) – wijkteam Rivierstad-Noord

Ben jij een zelfstandige verpleegkundige die het verschil wil maken bij ouderen thuis? Wij zoeken een enthousiaste collega (niveau 5) voor ons wijkteam in Rivierstad-Noord.

Salaris conform cao VVT, FWG 50 (max. € 4.964 bruto bij 36 uur); e-bike van de zaak; eigen opleidingsbudget.

Vragen? Bel Pieter Jansen, teamleider, via 030-1234567. Solliciteren kan tot 30 april via werkenbij.zorggroephorizon.nl.
"""
    part = alternative(text(plain, enc="b64"), text(html, "html", enc="qp"), "--alt-vac-2024-04")
    return message(EM.a, [addr("Zorgvacatures Regio", "vacatures@zorgvacatures-regio.nl")],
                   "Vacature plaatsen: wijkverpleegkundige HBO (24–32 uur)", part, dt=date(2024, 4, 1, 10, 44))

@reg("buurtvereniging_verbouwing", "normal", "", "nl", "near_miss_greeting",
     "Aanhef met de naam van de ontvanger en informatie over verbouwing en parkeren; geen gegevens van derden.")
def n19():
    body = f"""Beste mevrouw Van Dam,

Dank voor uw vragen namens de buurtvereniging Lindewijk. Graag licht ik de planning van de verbouwing van De Linde toe:

- Van 6 mei tot en met 28 juni wordt de achtervleugel gerenoveerd. Werkdagen zijn maandag tot en met vrijdag, 7.30–16.00 uur.
- De bouwketen staan op ons eigen terrein; de parkeerplaatsen aan de Lindelaan blijven vrij.
- Zwaar vrachtverkeer rijdt alleen via de Stationsweg.

Op woensdag 24 april om 19.30 uur is er een inloopavond voor buurtbewoners in ons restaurant. U bent van harte welkom.

{YK.sig('nl', 2)}"""
    return message(YK.a, [addr("Mevr. Van Dam", "bv.lindewijk@hetnet.nl")], "Planning verbouwing De Linde",
                   text(body, enc="8bit"), dt=date(2024, 4, 12, 14, 30))

@reg("abstract_word_limit_signature", "normal", "", "en", "near_miss_signature",
     "Harmless question to a congress secretariat; the only phone numbers and address are in the sender's own long signature.")
def n20():
    body = """Dear congress secretariat,

Could you tell me whether the 300-word limit for abstracts includes the title and the author list? Our abstract on deprescribing in nursing homes is currently 312 words including the title.

Many thanks in advance.

Kind regards,

Dr. Anna Kowalski
Elderly care physician (specialist ouderengeneeskunde)
Zorggroep Horizon
Stationsplein 1, 3511 ED Utrecht, the Netherlands
M +31 6 1938 2746 | T +31 30 123 4567
a.kowalski@zorggroephorizon.nl | www.zorggroephorizon.nl
Working days: Monday to Thursday
"""
    return message(AK.a, [addr("EuGMS congress secretariat", "secretariat@ageing-congress.eu")],
                   "Abstract submission - question about word limit", text(body, enc="b64"), dt=date(2024, 3, 18, 20, 11))

@reg("voorbeeld_bsn_formulier", "normal", "", "nl", "near_miss_invalid_bsn",
     "Gaat over het voorbeeld-BSN 123456789 in een formulier; dat nummer komt niet door de elfproef en hoort bij niemand.")
def n21():
    body = f"""Beste collega’s,

In het nieuwe digitale aanvraagformulier Wmo staat als voorbeeld bij het BSN-veld het nummer 123456789. Dat nummer komt niet door de elfproef, dus het formulier geeft een foutmelding als iemand het voorbeeld overneemt – we krijgen daar nu wekelijks vragen over aan de balie.

Ons advies: gebruik als placeholder de tekst ‘uw BSN (9 cijfers)’ en laat het veld leeg. In de toelichting staat bovendien nog het woord ‘sofinummer’; dat kan eruit.

{BK.sig('nl', 1)}"""
    return message(BK.a, [addr("Team Formulieren", "formulieren@gemeente-rivierstad.nl")],
                   "Voorbeeld-BSN in aanvraagformulier Wmo", text(body, enc="qp"), dt=date(2024, 3, 19, 13, 26))

@reg("informatiepakket_mantelzorg_zip", "normal", "", "nl", "attachment_zip",
     "Zip met publieke folder (HTML), veelgestelde vragen (TXT) en geaggregeerde aantallen (CSV).")
def n22():
    folder = """<html><head><meta charset="utf-8"><title>Mantelzorg</title></head><body>
<h1>Mantelzorg in Rivierstad</h1>
<p>Zorgt u voor een naaste? U staat er niet alleen voor. Het Mantelzorgpunt en Zorggroep Horizon helpen u met informatie, respijtzorg en een luisterend oor.</p>
<p>Bel 030-1234567 of kijk op www.zorggroephorizon.nl/mantelzorg.</p>
</body></html>
"""
    faq = """Veelgestelde vragen mantelzorg

1. Wat is respijtzorg? Tijdelijke overname van de zorg zodat u even op adem kunt komen.
2. Kost dat geld? Vaak niet; het wordt meestal via de Wmo vergoed.
3. Waar vraag ik het aan? Bij het Wmo-loket van de gemeente of via het Mantelzorgpunt.
"""
    aantallen = """jaar;wijk;mantelzorgers_bereikt;respijtzorg_trajecten
2023;Noord;142;31
2023;Oost;98;22
2023;Zuid;121;27
2023;Centrum;76;14
"""
    z = make_zip([("folder_mantelzorg.html", folder), ("veelgestelde_vragen.txt", faq), ("aantallen_2023.csv", aantallen)])
    body = f"""Hoi Esther,

Zoals beloofd het informatiepakket voor jullie nieuwe website. Teksten en cijfers mogen jullie vrij gebruiken, graag met bronvermelding.

{NS.sig('nl', 3)}"""
    part = mixed([text(body, enc="7bit"), attach(z, "application/x-zip-compressed", "informatiepakket_mantelzorg.zip")], "_pkg_mz_2024")
    return message(NS.a, [addr("Mantelzorgpunt Rivierstad", "info@mantelzorgpunt-rivierstad.nl")],
                   "Informatiepakket mantelzorg voor jullie website", part, dt=date(2024, 5, 13, 11, 37))

@reg("waiting_list_aggregated_csv", "normal", "", "en", "attachment_csv",
     "CSV with aggregated waiting-list figures per district; small cells suppressed, no individuals.")
def n23():
    csv = """district,quarter,clients_waiting,median_days_waiting,p90_days_waiting
North,2024Q1,37,23,61
East,2024Q1,21,18,44
South,2024Q1,29,26,70
Centre,2024Q1,<5,,
"""
    body = f"""Hi Kwame,

Attached are the aggregated waiting-list figures for Q1, as agreed in the data sharing agreement. Cells with fewer than 5 clients are suppressed; there are no individual records in the file.

{MO.sig('en', 3)}"""
    part = mixed([text(body, enc="7bit"), attach(csv, "text/csv", "waiting_list_by_district_2024Q1.csv", charset="us-ascii")],
                 "--csv-agg-q1")
    return message(MO.a, [addr("Kwame Osei", "k.osei@healthresearch-institute.org")],
                   "Aggregated waiting-list figures Q1", part, dt=date(2024, 4, 26, 9, 14))

@reg("fwd_griepvaccinatie_ggd", "normal", "", "nl", "near_miss_public_doc",
     "Doorgestuurde algemene GGD-informatie over griepvaccinatie aan de bewonerscommissie; geen persoonsgegevens.")
def n24():
    body = f"""Beste leden van de bewonerscommissie,

Ter informatie het bericht van de GGD over de griepvaccinatie dit najaar. Zouden jullie dit in de volgende bewonersbrief willen opnemen?

{YK.sig('nl', 1)}
---------- Doorgestuurd bericht ---------
Van: GGD regio Rivierland <info@ggd-rivierland.nl>
Datum: ma 15 apr 2024 om 09:12
Onderwerp: Griepvaccinatie 2024 – informatie voor zorglocaties
Aan: <locaties@zorggroephorizon.nl>

Geachte zorgaanbieder,

Ook dit jaar krijgen alle 60-plussers en mensen met een chronische aandoening een uitnodiging voor de griepprik. Bewoners van verpleeghuizen worden op hun eigen locatie gevaccineerd door de specialist ouderengeneeskunde.

Bijwerkingen zijn meestal mild: een pijnlijke arm, soms wat koorts of spierpijn. Wie ernstig allergisch is voor kippeneiwit, overlegt eerst met de arts.

Planning: vaccinatierondes tussen 7 oktober en 15 november. U ontvangt in september het bestelformulier.

Met vriendelijke groet,
GGD regio Rivierland, afdeling Infectieziektebestrijding
"""
    return message(YK.a, ["bewonerscommissie.delinde@gmail.com"], "Fwd: Griepvaccinatie 2024 – informatie voor zorglocaties",
                   text(body, enc="8bit"), dt=date(2024, 4, 16, 10, 20))

@reg("re_zaalreservering_wmoraad", "normal", "", "nl", "near_miss_quoted_history",
     "Antwoord met geciteerde geschiedenis over een zaalreservering; niets gevoeligs in body of citaat.")
def n25():
    body = f"""Hoi Karin,

Prima, de grote vergaderzaal is voor jullie gereserveerd op donderdag 23 mei van 19.00 tot 21.30 uur. Koffie en thee staan klaar; de beamer werkt via HDMI en er is een ringleiding.

{LD.sig('nl', 3)}
Op wo 13 mrt 2024 om 09:41 schreef Karin Bos <k.bos@gemeente-rivierstad.nl>:
> Beste Linda,
>
> De Wmo-raad wil op 23 mei graag weer bij jullie vergaderen, met ongeveer
> 15 personen. Kan dat in dezelfde zaal als vorig jaar?
>
> Groet, Karin
"""
    return message(LD.a, [addr("Karin Bos", "k.bos@gemeente-rivierstad.nl")], "Re: Zaalreservering Wmo-raad 23 mei",
                   text(body, enc="qp"), dt=date(2024, 3, 13, 11, 2), in_reply_to="<b7e2f1d0-3a9c@gemeente-rivierstad.nl>")

@reg("heat_plan_summary", "normal", "", "en", "near_miss_public_doc",
     "General heat-plan guidance with medical terms (diuretics, dehydration) but no person.")
def n26():
    body = f"""Dear colleagues,

Ahead of the summer, a short summary of the heat plan we use in our care homes, as discussed at the last network meeting:

- Residents using diuretics, ACE inhibitors or antipsychotics are at higher risk of dehydration and heat stroke; review the indication when the KNMI issues a heat warning.
- Aim for a fluid intake of 1.5-2 litres per day unless a fluid restriction applies (e.g. heart failure).
- Early signs of heat exhaustion in older people: confusion, dizziness, reduced urine output, falls.
- Keep rooms below 26 °C where possible; cool rooms are available at every location.

The full protocol is on our website.

{AK.sig('en', 1)}"""
    return message(AK.a, [addr("GP network Rivierland", "gp-network@huisartsen-rivierland.nl")],
                   "Heat plan 2024 for care homes – summary", text(body, enc="qp"), dt=date(2024, 5, 21, 8, 40))

@reg("reservering_personeelsuitje", "normal", "", "nl", "near_miss_outing",
     "Restaurantreservering met anonieme dieetwensen (halal, coeliakie) zonder namen.")
def n27():
    body = f"""Goedemiddag,

Graag reserveer ik voor vrijdag 14 juni een tafel voor 26 personen (afdeling bedrijfsvoering), vanaf 18.00 uur, het buffetarrangement van € 37,50 p.p.

Dieetwensen: 4 vegetarisch, 2 halal, 1 glutenvrij (coeliakie) en 1 notenallergie. Kunt u de allergenen bij het buffet aangeven?

De factuur graag naar Zorggroep Horizon, t.a.v. crediteurenadministratie, Stationsplein 1, 3511 ED Utrecht, onder vermelding van kostenplaats 9100.

{LD.sig('nl', 1)}"""
    return message(LD.a, [addr("Restaurant De Waterkant", "reserveringen@restaurant-dewaterkant.nl")],
                   "Reservering personeelsuitje 14 juni", text(body, enc="8bit"), dt=date(2024, 5, 3, 13, 50))

@reg("begroting_valpreventie_xlsx", "normal", "", "nl", "attachment_xlsx",
     "XLSX-begroting voor een subsidieaanvraag; alleen kostenposten en bedragen.")
def n28():
    xlsx = make_xlsx([
        ["Begroting project Valpreventie thuis 2025", "", ""],
        ["Kostenpost", "Eenheden", "Bedrag (EUR)"],
        ["Fysiotherapeut (groepstraining, 2 groepen x 20 weken)", 80, 6400],
        ["Wijkverpleegkundige (valrisicoscreening, uren)", 120, 8280],
        ["Woningaanpassingen kleine hulpmiddelen", 60, 4500],
        ["Voorlichtingsbijeenkomsten", 6, 1800],
        ["Projectleiding en evaluatie", 1, 5200],
        ["Totaal", "", 26180],
        ["Gevraagde subsidie gemeente Rivierstad", "", 20000],
        ["Eigen bijdrage Zorggroep Horizon", "", 6180],
    ], sheet="Begroting")
    body = f"""Beste mevrouw Aksoy,

Bijgaand de begroting bij onze subsidieaanvraag voor het project Valpreventie thuis 2025. Het projectplan heeft u vorige week via het subsidieportaal ontvangen.

{TH.sig('nl', 1)}"""
    part = mixed([text(body, enc="8bit"),
                  attach(xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Begroting_Valpreventie_2025.xlsx")],
                 "=_xlsx_valpreventie")
    return message(TH.a, [addr("Subsidiebureau gemeente Rivierstad", "subsidies@gemeente-rivierstad.nl")],
                   "Begroting subsidieaanvraag Valpreventie 2025", part, dt=date(2024, 5, 14, 15, 15))

@reg("folder_dagbesteding_html", "normal", "", "nl", "attachment_html",
     "Publieke folder over dagbesteding als HTML-bijlage voor een wijkcentrum.")
def n29():
    html = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Dagbesteding bij Zorggroep Horizon</title></head>
<body>
<h1>Dagbesteding bij Zorggroep Horizon</h1>
<p>Een zinvolle dag, samen met anderen. Onze dagbesteding in De Linde en Waterrijk is er voor ouderen die thuis wonen en behoefte hebben aan structuur, gezelligheid en een beetje extra zorg.</p>
<ul><li>Open van maandag t/m vrijdag, 9.30&ndash;16.00&nbsp;uur</li>
<li>Activiteiten: koken, tuinieren, bewegen op muziek, uitstapjes</li>
<li>Vervoer van en naar huis kan worden geregeld</li></ul>
<p>Ge&iuml;nteresseerd? Kom gerust een keer kijken. Bel 030-1234567 of mail naar info@zorggroephorizon.nl.</p>
<p><small>&copy; Zorggroep Horizon &middot; Stationsplein 1, 3511 ED Utrecht</small></p>
</body></html>
"""
    body = f"""Beste beheerder,

Zoals afgesproken de folder over onze dagbesteding, voor op de informatiezuil in de hal van het wijkcentrum. Als HTML-bestand, dan kunnen jullie hem direct in het systeem zetten.

{NS.sig('nl', 1)}"""
    part = mixed([text(body, enc="qp"), attach(html, "text/html", "folder_dagbesteding.html", enc="qp", charset="utf-8")],
                 "=_folder_db")
    return message(NS.a, [addr("Wijkcentrum De Brug", "wijkcentrum@debrug-rivierstad.nl")],
                   "Folder dagbesteding voor de informatiezuil", part, dt=date(2024, 5, 7, 10, 5))

@reg("leverancier_iban_ongeldig", "normal", "", "nl", "near_miss_iban_checksum",
     "Vraagt een leverancier (bedrijf) om een ander IBAN omdat het opgegeven nummer de controle niet doorstaat; geen persoon.")
def n30():
    body = f"""Geachte heer, mevrouw,

In uw brief van 2 april geeft u een nieuw rekeningnummer op voor MediSupply Benelux B.V.: NL12 RABO 0123 4567 89. Dit nummer is volgens onze controle geen geldig IBAN (het controlegetal klopt niet), waardoor wij het niet in onze crediteurenadministratie kunnen verwerken.

Wilt u het juiste rekeningnummer bevestigen op briefpapier van uw bedrijf, ondertekend door een tekeningsbevoegde? Uit voorzorg tegen factuurfraude verwerken wij wijzigingen niet op basis van alleen een e-mail.

{TH.sig('nl', 2)}"""
    return message(TH.a, [addr("MediSupply Benelux administratie", "administratie@medisupply-benelux.nl")],
                   "Wijziging rekeningnummer – IBAN ongeldig", text(body, enc="qp"), dt=date(2024, 4, 5, 11, 47))
