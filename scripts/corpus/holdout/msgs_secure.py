from lib import *
from people import *

M = []
def reg(slug, verdict, kinds, lang, category, note):
    def deco(f):
        M.append(dict(slug=slug, verdict=verdict, kinds=kinds, lang=lang, category=category, note=note, build=f))
        return f
    return deco

# ---------------------------------------------------------------- S1
@reg("wmo_aanmelding_heup", "secure", "bsn,health,person_name,date_of_birth,postal_address", "nl", "seed_bsn",
     "Wmo-aanmelding aan de gemeente met naam, geboortedatum, geldig BSN, adres en heupoperatie van de cliënt.")
def s1():
    body = f"""Goedemorgen,

Namens de wijkverpleging meld ik mevrouw Verbeek aan voor huishoudelijke ondersteuning via de Wmo.

Gegevens cliënt:
Naam:          J.M. (Johanna) Verbeek-Aalders
Geboortedatum: 12-03-1941
BSN:           471423634
Adres:         Lindelaan 14, 4101 AB Rivierstad

Mevrouw is op 20 februari geopereerd aan haar linkerheup (totale heupprothese) en mag de komende zes weken niet bukken of zwaar tillen. Haar dochter woont in Groningen en kan weinig bijspringen. Wij komen op dit moment dagelijks voor hulp bij wassen en aankleden, maar het huishouden blijft liggen.

Kunt u contact met mevrouw opnemen voor een keukentafelgesprek? Zij is ’s ochtends het beste bereikbaar. Mevrouw heeft toestemming gegeven voor deze aanmelding.

{MV.sig('nl', 1)}"""
    return message(MV.a, [addr("Wmo-loket gemeente Rivierstad", "wmo@gemeente-rivierstad.nl")],
                   "Aanmelding Wmo huishoudelijke ondersteuning – mevr. Verbeek", text(body, enc="8bit"),
                   dt=date(2024, 3, 4, 9, 12), extra=[("X-Mailer", "Microsoft Outlook 16.0")])

# ---------------------------------------------------------------- S2
@reg("beschikking_reply_quoted", "secure", "bsn,person_name", "nl", "quoted_history",
     "Kort bedankje aan de gemeente; in de geciteerde mail staan naam en BSN (met punten) van de cliënt.")
def s2():
    body = f"""Hoi Karin,

Dank je, de beschikking is binnen. Ik heb hem in ons systeem verwerkt en de begeleiding kan per 1 april starten. De eerste afspraak plant Fatima zelf met meneer in.

{SB.sig('nl', 3)}
Op di 19 mrt 2024 om 14:05 schreef Karin Bos <k.bos@gemeente-rivierstad.nl>:
> Beste Sanne,
>
> Voor de volledigheid de gegevens waar de beschikking op staat:
> dhr. T.H. (Theo) Groen, burgerservicenummer 9306.81.253.
> De beschikking voor individuele begeleiding loopt van 01-04-2024 tot en
> met 31-03-2025, 3 uur per week.
>
> Met vriendelijke groet,
>
> Karin Bos
> Wmo-consulent gebiedsteam Noord
> Gemeente Rivierstad
"""
    return message(SB.a, [addr("Karin Bos", "k.bos@gemeente-rivierstad.nl")],
                   "RE: Beschikking begeleiding dhr. Groen", text(body, enc="qp"),
                   dt=date(2024, 3, 20, 8, 47), in_reply_to="<a81f3c2e-77d1@gemeente-rivierstad.nl>",
                   extra=[("Thread-Topic", "Beschikking begeleiding dhr. Groen")])

# ---------------------------------------------------------------- S3
@reg("update_familie_wondzorg", "secure", "health,person_name", "nl", "seed_health_external",
     "HTML-mail aan de familie over wondinfectie, antibiotica en verwardheid van hun vader, meneer De Wit.")
def s3():
    html = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body style="font-family:Calibri,Arial,sans-serif;font-size:11pt">
<p>Beste familie De Wit,</p>
<p>Zoals beloofd een korte update over uw vader, meneer De Wit. De wond aan zijn linkeronderbeen geneest langzamer dan we hoopten. De huisarts heeft gisteren een antibioticakuur voorgeschreven (flucloxacilline, 4&times; daags 500&nbsp;mg) omdat de wond ge&iuml;nfecteerd is. Wij komen de komende week dagelijks om de wond te verzorgen en &eacute;&eacute;n keer per week maken we een foto voor de huisarts.</p>
<p>Verder merken we dat hij &rsquo;s avonds regelmatig verward is. De huisarts wil daarom volgende week bloed laten prikken. Wilt u erop letten dat hij voldoende drinkt (minimaal 1,5&nbsp;liter per dag)?</p>
<p>Heeft u vragen, belt u dan gerust.</p>
<p>Met vriendelijke groet,<br><br>
<b>Marieke de Vries</b><br>
Wijkverpleegkundige, wijkteam Rivierstad-Noord<br>
Zorggroep Horizon<br>
T 06-41827365</p>
</body></html>"""
    plain = f"""Beste familie De Wit,

Zoals beloofd een korte update over uw vader, meneer De Wit. De wond aan zijn linkeronderbeen geneest langzamer dan we hoopten. De huisarts heeft gisteren een antibioticakuur voorgeschreven (flucloxacilline, 4x daags 500 mg) omdat de wond geïnfecteerd is. Wij komen de komende week dagelijks om de wond te verzorgen en één keer per week maken we een foto voor de huisarts.

Verder merken we dat hij ’s avonds regelmatig verward is. De huisarts wil daarom volgende week bloed laten prikken. Wilt u erop letten dat hij voldoende drinkt (minimaal 1,5 liter per dag)?

Heeft u vragen, belt u dan gerust.

{MV.sig('nl', 1)}"""
    part = alternative(text(plain, enc="qp"), text(html, "html", enc="qp"), "=_alt_7c1e90d3a4")
    return message(MV.a, [addr("Familie De Wit", "fam.dewit@ziggo.nl")], "Update zorg uw vader", part,
                   dt=date(2024, 3, 6, 17, 31), extra=[("X-Mailer", "Microsoft Outlook 16.0")])

# ---------------------------------------------------------------- S4
@reg("fw_medicatie_bcc_apotheek", "secure", "health,person_name,postal_address", "nl", "seed_health_external",
     "Alleen intern in To, maar de apotheek staat in Bcc; de doorgestuurde Outlook-tekst bevat medicatie en hartfalen van dhr. Koster met adres.")
def s4():
    body = f"""Hoi Marieke,

Ter info, zie onderstaande mail van de huisarts. Kun jij de toedienlijst aanpassen? De apotheek heb ik in de bcc gezet zodat zij de baxterrol per volgende week kunnen wijzigen.

{DB.sig('nl', 3)}
________________________________
Van: Huisartsenpraktijk De Linde <assistente@huisartsendelinde.nl>
Verzonden: maandag 8 april 2024 16:47
Aan: Planning Thuiszorg <planning@zorggroephorizon.nl>
Onderwerp: Medicatiewijziging dhr. Koster

Geachte collega,

Bij dhr. H. (Henk) Koster, Esdoornstraat 22 te Rivierstad, is na controle van de bloeddruk de dosering metoprolol verhoogd naar 100 mg 1x daags. Furosemide 40 mg 1x daags blijft ongewijzigd. Wilt u i.v.m. zijn hartfalen het gewicht 2x per week noteren en bij een toename van meer dan 2 kg in 3 dagen contact opnemen?

Met vriendelijke groet,

Praktijkassistente
Huisartsenpraktijk De Linde
"""
    return message(DB.a, [addr("Marieke de Vries", MV.email)], "FW: Medicatiewijziging dhr. Koster",
                   text(body, enc="8bit"), bcc=[addr("Apotheek Rivierstad", "apotheek@apotheekrivierstad.nl")],
                   dt=date(2024, 4, 9, 8, 15), extra=[("X-Mailer", "Microsoft Outlook 16.0")])

# ---------------------------------------------------------------- S5
@reg("zorgplan_pdf_zie_bijlage", "secure", "patient_dossier,health,person_name,date_of_birth", "nl", "attachment_pdf",
     "Body zegt alleen 'Zie bijlage'; de PDF zorgplan_W_Prins_2024.pdf is een zorgplan met diagnoses en medicatie.")
def s5():
    pdf = make_pdf([
        "Zorggroep Horizon - Zorgplan wijkverpleging",
        "",
        "Cliënt: mevrouw W. (Wilma) Prins",
        "Geboortedatum: 05-11-1939",
        "Cliëntnummer: 2024-0187",
        "Huisarts: Huisartsenpraktijk De Linde",
        "",
        "Diagnoses: ziekte van Parkinson (sinds 2017), osteoporose, status na",
        "polsfractuur rechts (januari 2024).",
        "Medicatie: levodopa/carbidopa 125 mg 4x daags (tijden strikt aanhouden),",
        "alendroninezuur 70 mg 1x per week, calcium/vitamine D.",
        "",
        "Doelen:",
        "1. Mevrouw kan zelfstandig en veilig douchen met hulp van douchestoel.",
        "2. Valrisico beperken: fysiotherapie 2x per week, alarmering aanwezig.",
        "3. Medicatie op tijd: toediening door wijkverpleging om 8, 12, 16, 20 uur.",
        "",
        "Evaluatie: juni 2024 met mevrouw en haar zoon.",
    ], title="Zorgplan W. Prins")
    body = "Zie bijlage.\n\nGroet,\nMarieke\n\n" + MV.sig("nl", 1, greet=False)
    part = mixed([text(body, enc="7bit"), attach(pdf, "application/pdf", "zorgplan_W_Prins_2024.pdf")], "----=_Part_20240311_1")
    return message(MV.a, [addr("Zorgcoördinatie De Waard", "zorgcoordinatie@verpleeghuis-dewaard.nl")], "Zorgplan",
                   part, dt=date(2024, 3, 11, 12, 2))

# ---------------------------------------------------------------- S6
@reg("indicatiebesluit_docx", "secure", "patient_dossier,health,person_name,date_of_birth", "nl", "attachment_docx",
     "Wlz-indicatiebesluit (DOCX) met naam, geboortedatum en zorgprofiel dementiezorg naar een externe dagbesteding.")
def s6():
    docx = make_docx([
        "**Centrum Indicatiestelling Zorg – Indicatiebesluit Wet langdurige zorg**",
        "Kenmerk: CIZ-2024-118734",
        "Naam cliënt: Adrianus (Ad) Hoekman",
        "Geboortedatum: 23-08-1944",
        "Zorgprofiel: VV-05 Beschermd wonen met intensieve dementiezorg",
        "Grondslag: psychogeriatrische aandoening (ziekte van Alzheimer), somatisch",
        "Geldig vanaf: 01-03-2024, onbepaalde duur",
        "Toelichting: cliënt is gedesoriënteerd in tijd en plaats, heeft 24-uurs toezicht nodig en vertoont nachtelijke onrust.",
    ], title="Indicatiebesluit")
    body = f"""Beste Ilse,

In de bijlage het indicatiebesluit van meneer Hoekman, zodat jullie de dagbesteding kunnen inplannen. Hij kan starten op maandag 15 april; zijn vrouw brengt hem de eerste keer zelf.

{FE.sig('nl', 2)}"""
    part = mixed([text(body, enc="qp"),
                  attach(docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         "Indicatiebesluit_Wlz_Hoekman.docx")], "b1_9d3f0c5e2a7b")
    return message(FE.a, [addr("Ilse Verhagen", "zorgbemiddeling@dagbesteding-dezonnebloem.nl")],
                   "Indicatiebesluit dhr. Hoekman t.b.v. dagbesteding", part, dt=date(2024, 4, 3, 15, 40))

# ---------------------------------------------------------------- S7
@reg("toegang_acceptatie_wachtwoord", "secure", "credential", "nl", "seed_credential",
     "Gebruikersnaam en wachtwoord voor de acceptatieomgeving plus sleutelkluiscode naar een externe leverancier.")
def s7():
    body = f"""Hoi Remco,

Zoals telefonisch besproken kun je morgen vanaf 8:00 inloggen op de acceptatieomgeving om de update te installeren.

URL: https://acc-ecd.zorggroephorizon.nl
Gebruikersnaam: ext_ecdpartners
Ww: Lente2024!Rivier#7

De MFA-code stuur ik je morgen per sms. Voor als je toch op locatie moet zijn: de code van de sleutelkluis bij de serverruimte (achteringang De Linde) is 4711.

Laat je even weten als je klaar bent? Dan zet ik het account weer dicht.

{JV.sig('nl', 3)}"""
    return message(JV.a, [addr("Remco Hoogland", "r.hoogland@ecd-partners.nl")], "Toegang acceptatieomgeving ECD",
                   text(body, enc="7bit"), dt=date(2024, 4, 15, 16, 58),
                   extra=[("User-Agent", "Mozilla Thunderbird 115.9.0")])

# ---------------------------------------------------------------- S9
@reg("huisbezoek_religie_afkomst", "secure", "special_category,person_name", "nl", "special_category",
     "Voorbereiding huisbezoek met religie (praktiserend moslima, ramadan) en etnische afkomst van mevrouw Bouzid, naar de gemeente.")
def s9():
    body = f"""Beste Wouter,

Volgende week dinsdag gaan we samen op huisbezoek bij mevrouw Aisha Bouzid. Een paar aandachtspunten vooraf:

- Mevrouw is van Marokkaans-Berberse afkomst en spreekt beperkt Nederlands. Haar zoon tolkt meestal, maar bij dit gesprek wil ik liever een onafhankelijke tolk Tarifit. Kun jij die via de gemeente regelen?
- Zij is praktiserend moslima. Het bezoek valt in de ramadan, dus bied liever niets te eten of te drinken aan en plan niet rond het middaggebed. Ze heeft gevraagd of er een vrouwelijke collega bij kan zijn; dat ben ik.
- Het gesprek gaat over de schulden na het overlijden van haar man, niet over de woning.

Ik stel voor dat we om 10.00 uur bij het wijkcentrum afspreken en samen gaan.

{FE.sig('nl', 1)}"""
    return message(FE.a, [addr("Wouter Hendriks", "w.hendriks@gemeente-rivierstad.nl")],
                   "Huisbezoek mevr. Bouzid – aandachtspunten", text(body, enc="qp"),
                   dt=date(2024, 3, 14, 11, 20), subj_mode="b")

# ---------------------------------------------------------------- S10
@reg("hr_melding_vertrouwenspersoon", "secure", "confidential,special_category,person_name", "nl", "special_category",
     "Als VERTROUWELIJK gemarkeerde HR-overdracht over seksuele geaardheid en vakbondslidmaatschap van medewerker Ruben Smits aan een externe vertrouwenspersoon.")
def s10():
    body = f"""Beste Joyce,

Zoals afgesproken draag ik de melding aan je over.

Het gaat om onze medewerker Ruben Smits (verzorgende IG, team Oost). Hij geeft aan dat hij sinds hij op het werk heeft verteld dat hij homoseksueel is, structureel wordt buitengesloten en grappen over zijn geaardheid moet aanhoren, ook van zijn direct leidinggevende. Ruben is lid van FNV Zorg & Welzijn en wil dat zijn vakbondsconsulent bij het eerste gesprek aanwezig is.

Ruben heeft toestemming gegeven dat ik dit met jou deel. Zijn privénummer geef ik je telefonisch door; hij wil niet via zijn werkmail benaderd worden.

Deze informatie is vertrouwelijk en alleen voor jou bestemd.

{EM.sig('nl', 1)}"""
    return message(EM.a, [addr("Joyce van Rossum", "j.vanrossum@vertrouwenspunt-midden.nl")],
                   "VERTROUWELIJK – melding ongewenst gedrag team Oost", text(body, enc="8bit"),
                   dt=date(2024, 4, 22, 13, 5), extra=[("Sensitivity", "Company-Confidential"), ("X-Mailer", "Microsoft Outlook 16.0")])

# ---------------------------------------------------------------- S11
@reg("paspoort_bewindvoerder", "secure", "id_document,person_name", "nl", "id_document",
     "Paspoortnummer en geldigheid van dhr. Gerrit van Leeuwen naar een externe bewindvoerder.")
def s11():
    body = f"""Geachte heer Brandsma,

U vroeg om de identiteitsgegevens van meneer Gerrit van Leeuwen om de beheerrekening te kunnen openen. Hij heeft vanochtend zijn paspoort bij ons op kantoor laten zien:

  Paspoortnummer: NXR4K92T7
  Datum van afgifte: 14-09-2019, geldig tot 14-09-2029
  Afgegeven door: burgemeester van Rivierstad

Een kopie van het paspoort stuur ik niet per e-mail mee; die kunt u het beste zelf bij meneer opvragen (met KopieID).

{FE.sig('nl', 1)}"""
    return message(FE.a, [addr("Bewindvoering Delta", "info@bewindvoering-delta.nl")],
                   "Gegevens dhr. Van Leeuwen t.b.v. beheerrekening", text(body, enc="7bit"),
                   dt=date(2024, 3, 27, 10, 33))

# ---------------------------------------------------------------- S12
@reg("strikt_vertrouwelijk_herinrichting", "secure", "confidential", "nl", "confidential",
     "Expliciet 'strikt vertrouwelijk' gemarkeerd reorganisatiescenario (sluiting locatie, fte) naar een extern adviesbureau.")
def s12():
    body = f"""Geachte heer Ter Horst,

In opdracht van de Raad van Bestuur stuur ik u de kern van de conceptscenario’s voor de herinrichting van onze locaties, ter voorbereiding op het overleg van donderdag.

STRIKT VERTROUWELIJK – de ondernemingsraad en de medewerkers zijn nog niet geïnformeerd. Wilt u deze informatie niet verder verspreiden, ook niet binnen uw eigen bureau?

Scenario A: De Linde blijft open; nachtzorg wordt geconcentreerd op locatie Waterrijk.
Scenario B: sluiting van locatie De Linde per 1 januari 2025; de 42 bewoners verhuizen naar de nieuwbouw in Rivierstad-Oost. Naar verwachting vervalt circa 31 fte in de ondersteunende diensten.
Scenario C: verkoop van het pand en terughuur voor vijf jaar.

De Raad van Bestuur heeft een voorkeur voor scenario B, maar wil uw doorrekening van de frictiekosten afwachten.

Met vriendelijke groet,

Linda van Dijk
Managementassistente Raad van Bestuur
Zorggroep Horizon
T 030-1234567
"""
    return message(LD.a, [addr("M. ter Horst", "m.terhorst@adviesbureau-kompas.nl")],
                   "Strikt vertrouwelijk: conceptscenario’s herinrichting locaties", text(body, enc="b64"),
                   dt=date(2024, 5, 6, 18, 12), subj_mode="q", extra=[("Importance", "high")])

# ---------------------------------------------------------------- S13
@reg("regiotaxi_geboortedatum", "secure", "date_of_birth", "nl", "date_of_birth",
     "Geboortedatum van een bewoner (alleen kamernummer en initiaal) naar de Regiotaxi-centrale.")
def s13():
    body = f"""Goedemiddag,

Graag melden wij een bewoner van onze locatie De Linde aan voor een Regiotaxi-pas. U vroeg telefonisch om de geboortedatum ter controle: de bewoner van kamer 12 (mw. H.) is geboren op 14 juli 1936.

De pas mag naar ons locatieadres worden gestuurd, ter attentie van de receptie. Facturen graag naar de afdeling financiën.

{YK.sig('nl', 2)}"""
    return message(YK.a, [addr("Regiotaxi Rivierland", "aanmelden@regiotaxi-rivierland.nl")],
                   "Aanmelding Regiotaxi-pas bewoner kamer 12", text(body, enc="7bit"),
                   dt=date(2024, 4, 2, 14, 18))

# ---------------------------------------------------------------- S14
@reg("onkosten_vrijwilliger_iban", "secure", "iban,person_name", "nl", "person_identifiers",
     "Naam en privé-IBAN van vrijwilliger Wim Hoekstra naar een extern administratiekantoor.")
def s14():
    body = f"""Hoi Mirjam,

Wil je de volgende onkostenvergoeding nog meenemen in de betaalrun van vrijdag?

Vrijwilliger:  Wim Hoekstra
IBAN:          NL59 INGB 0006 7183 42 t.n.v. W.J. Hoekstra
Bedrag:        € 38,40 (reiskosten begeleiding uitstapjes maart, 192 km à € 0,20)
Kostenplaats:  4120 Vrijwilligerswerk

De getekende declaratie zit in de map van maart. Alvast bedankt!

{TH.sig('nl', 3)}"""
    return message(TH.a, [addr("Mirjam Roos", "administratie@boekhoudpartners-utrecht.nl")],
                   "Onkostenvergoeding vrijwilliger maart", text(body, enc="8bit"),
                   cc=[addr("Sanne Bakker", SB.email)], dt=date(2024, 4, 4, 10, 41))

# ---------------------------------------------------------------- S15
@reg("wmo_verantwoording_csv", "secure", "bsn,person_name,date_of_birth,postal_address", "nl", "attachment_csv",
     "CSV-bijlage met vier cliënten: naam, geboortedatum, geldig BSN en adres, naar de gemeente.")
def s15():
    csv = """naam;geboortedatum;bsn;adres;postcode;woonplaats;voorziening;startdatum
"Jansen-de Groot, M.";03-05-1948;616980656;Kastanjelaan 8;4101 BK;Rivierstad;Huishoudelijke ondersteuning;08-01-2024
"El Idrissi, K.";17-11-1962;907334805;Molenweg 121;4102 AD;Rivierstad;Begeleiding individueel;15-01-2024
"Pauw, G.";29-06-1955;603492563;Dorpsstraat 4a;4105 AL;Rivierstad;Huishoudelijke ondersteuning;01-02-2024
"Visscher, A.";10-10-1939;909413745;Het Rond 17;4101 HS;Rivierstad;Begeleiding groep;04-03-2024
"""
    body = f"""Beste collega’s,

Hierbij het cliëntoverzicht voor de verantwoording over het eerste kwartaal. Het gaat om de vier cliënten bij wie de beschikking in Q1 is gestart. De uren per cliënt lopen via het iWmo-berichtenverkeer.

{SB.sig('nl', 1)}"""
    part = mixed([text(body, enc="qp"), attach(csv, "text/csv", "Wmo_cliëntoverzicht_Q1_2024.csv", charset="utf-8")],
                 "=_mixed_0f3a91c2")
    return message(SB.a, [addr("Wmo-loket gemeente Rivierstad", "wmo@gemeente-rivierstad.nl")],
                   "Verantwoording Wmo Q1 2024 – cliëntoverzicht", part, dt=date(2024, 4, 10, 9, 3), subj_mode="b")

# ---------------------------------------------------------------- S16
@reg("fwd_eml_uitslag_bloed", "secure", "health,person_name", "nl", "attachment_eml",
     "Doorgestuurde huisartsmail als message/rfc822-bijlage met Hb, ferritine en diagnose ijzergebrek van mevr. Vermeulen, naar externe thuiszorg.")
def s16():
    inner_body = """Beste Marieke,

De uitslag van mevrouw L. (Lies) Vermeulen is binnen: Hb 6,1 mmol/L (laag), ferritine 8 µg/L. Er is sprake van een ijzergebreksanemie. Ik start ferrofumaraat 200 mg 1x daags. Wil je letten op obstipatie en zwarte ontlasting? Over zes weken prik ik opnieuw.

Groet,
M. Yildiz, huisarts
Huisartsenpraktijk De Linde
"""
    inner = ("From: M. Yildiz <m.yildiz@huisartsendelinde.nl>\n"
             "To: Marieke de Vries <m.devries@zorggroephorizon.nl>\n"
             "Subject: Uitslag bloedonderzoek mevr. Vermeulen\n"
             "Date: Mon, 15 Apr 2024 13:22:10 +0200\n"
             "Message-ID: <5521aa90.3f2@huisartsendelinde.nl>\n"
             "MIME-Version: 1.0\n"
             "Content-Type: text/plain; charset=\"utf-8\"\n"
             "Content-Transfer-Encoding: 8bit\n\n" + inner_body)
    body = f"""Hoi Petra,

Ik ben vanaf maandag twee weken met vakantie. In de bijlage het bericht van de huisarts over mevrouw Vermeulen, zodat jullie weten wat er speelt tijdens de waarneming.

{MV.sig('nl', 3)}"""
    part = mixed([text(body, enc="8bit"), rfc822(inner, "Uitslag bloedonderzoek mevr. Vermeulen.eml")], "------------4Vq8mZ2R1fGx0n")
    return message(MV.a, [addr("Petra Blom", "wijkverpleging@thuiszorg-west.nl")],
                   "Fwd: Uitslag bloedonderzoek mevr. Vermeulen", part, dt=date(2024, 4, 18, 16, 2),
                   extra=[("User-Agent", "Mozilla Thunderbird 115.9.0")])

# ---------------------------------------------------------------- S17
@reg("mic_meldingen_zip_nested", "secure", "health,person_name", "nl", "attachment_zip",
     "Zip met daarin een tweede zip met een DOCX MIC-melding over de val en heupfractuur van dhr. Frans Willemsen, naar een externe adviseur.")
def s17():
    docx = make_docx([
        "**Melding Incidenten Cliënten (MIC) 2024-017**",
        "Locatie: De Linde, afdeling 1",
        "Cliënt: dhr. Frans Willemsen, kamer 8",
        "Datum/tijd incident: 12-03-2024, 06:40 uur",
        "Omschrijving: cliënt is ’s nachts in de badkamer gevallen, had pijn aan de linkerheup en kon niet meer staan. Ambulance gebeld; in het ziekenhuis is een heupfractuur vastgesteld, op 13-03 geopereerd.",
        "Mogelijk bijdragende factoren: gebruikt temazepam 10 mg voor de nacht, bedlampje defect, geen sensormat.",
        "Genomen maatregelen: sensormat aangevraagd, medicatiereview met specialist ouderengeneeskunde.",
    ], title="MIC 2024-017")
    inner_zip = make_zip([("MIC_2024-017.docx", docx)])
    overzicht = "MIC-meldingen maart 2024\nDe Linde: 6 (waarvan 4 val)\nWaterrijk: 3 (waarvan 1 val)\n"
    outer = make_zip([("overzicht_maart.txt", overzicht), ("De_Linde.zip", inner_zip)])
    body = f"""Beste Maarten,

Zoals afgesproken de MIC-meldingen van maart voor de valanalyse. Ik heb ze per locatie in een zip gezet; Waterrijk volgt nog.

{YK.sig('nl', 1)}"""
    part = mixed([text(body, enc="7bit"), attach(outer, "application/zip", "MIC_maart_2024.zip")], "_005_AM0PR04MB_zip")
    return message(YK.a, [addr("Maarten Dekkers", "m.dekkers@kwaliteitsadvies-zorg.nl")],
                   "MIC-meldingen maart t.b.v. valanalyse", part, dt=date(2024, 4, 8, 11, 49))

# ---------------------------------------------------------------- S18
@reg("veilig_tag_rooster_intern", "secure", "", "nl", "forced_tag",
     "[veilig]-tag in onderwerp dwingt beveiligd af; inhoud (rooster) is onschuldig en alleen intern.")
def s18():
    body = f"""Hoi allemaal,

Het rooster voor april staat in de planning. Let op: op maandag 1 april (tweede paasdag) draaien we het weekendrooster. Ruilverzoeken graag vóór 25 maart bij mij, dan kan ik ze nog verwerken.

{DB.sig('nl', 3)}"""
    return message(DB.a, [addr("Wijkteam Noord", "team-noord@wijkteam.zorggroephorizon.nl")],
                   "[veilig] Rooster april wijkteam Noord", text(body, enc="8bit"),
                   dt=date(2024, 3, 15, 15, 27))

# ---------------------------------------------------------------- S19
@reg("VEILIG_schuldhulp_bsn", "secure", "bsn,person_name", "nl", "forced_tag",
     "Hoofdletter-tag [VEILIG] én naam plus geldig BSN (met spaties) in een aanmelding schuldhulp.")
def s19():
    body = f"""Beste collega,

Hierbij meld ik meneer Stefan Meijering aan voor schuldhulpverlening (BSN 4063 75 665). Hij heeft een huurachterstand bij Woonstichting Rivierland van ongeveer € 2.300 en twee openstaande vorderingen bij een incassobureau. Meneer heeft toestemming gegeven voor deze aanmelding en is bereikbaar via mij.

{FE.sig('nl', 1)}"""
    return message(FE.a, [addr("Schuldhulpverlening Rivierstad", "schuldhulp@gemeente-rivierstad.nl")],
                   "[VEILIG] Aanmelding schuldhulpverlening", text(body, enc="qp"),
                   dt=date(2024, 4, 25, 9, 55))

# ---------------------------------------------------------------- S20
@reg("overdracht_lookalike_copd", "secure", "health,person_name,postal_address", "nl", "lookalike_domain",
     "Overdracht met COPD, zuurstof en prednisolonkuur van dhr. Lammers naar zorggroephorizon-nl.com (look-alike, extern).")
def s20():
    body = f"""Hoi Pieter,

Voor het weekend nog even de overdracht van meneer Bert Lammers (Vlierstraat 9):
- COPD GOLD 3, thuis zuurstof 2 l/min, saturatie vandaag 88–90%.
- Sinds dinsdag een prednisolonkuur 30 mg, nog t/m maandag.
- Hij eet slecht; zijn vrouw houdt een eetlijstje bij.
Bij toename van benauwdheid de huisartsenpost bellen, niet wachten tot maandag.

Fijn weekend!

{MV.sig('nl', 3)}"""
    return message(MV.a, [addr("Pieter Jansen", "p.jansen@zorggroephorizon-nl.com")], "Overdracht weekend",
                   text(body, enc="8bit"), dt=date(2024, 4, 12, 17, 44))

# ---------------------------------------------------------------- S21
@reg("eigen_afspraak_hba1c", "secure", "health", "nl", "own_appointment_health",
     "Afspraakbevestiging aan de cliënt zelf, maar met haar HbA1c-waarde en medicatiewijziging.")
def s21():
    body = f"""Beste mevrouw Van Dam,

Hierbij bevestig ik de afspraak voor uw diabetescontrole op donderdag 11 april om 10.30 uur bij u thuis.

Uw HbA1c bij de vorige controle was 71 mmol/mol; dat is hoger dan we graag zien. De huisarts heeft daarom uw gliclazide verhoogd naar 2 tabletten per dag. Wilt u de komende week elke ochtend uw bloedsuiker meten en noteren in uw boekje? Dan bespreken we de waarden donderdag samen.

{MV.sig('nl', 1)}"""
    return message(MV.a, [addr("H. van Dam", "h.vandam47@kpnmail.nl")], "Bevestiging afspraak diabetescontrole",
                   text(body, enc="qp"), dt=date(2024, 4, 5, 13, 30))

# ================================================================= English
@reg("renal_function_metformin", "secure", "health,person_name", "en", "seed_health_external",
     "Base64 body to an external GP with eGFR, creatinine, HbA1c and medication changes for Mr Johan Brink.")
def e1():
    body = f"""Dear Dr Whitfield,

Following up on our phone call about Mr Johan Brink (De Linde, room 21). His latest labs from 2 April:

  eGFR         38 ml/min/1.73m²
  creatinine   142 µmol/L
  HbA1c        64 mmol/mol
  potassium    5.4 mmol/L

Given the declining renal function I propose to reduce metformin from 1000 mg twice daily to 500 mg twice daily and to stop spironolactone for now. Could you let me know whether you agree, so the pharmacy can adjust his medication roll from next week?

{AK.sig('en', 1)}"""
    return message(AK.a, [addr("Dr James Whitfield", "j.whitfield@medischcentrum-oost.nl")],
                   "Mr Brink – renal function and metformin", text(body, enc="b64"),
                   dt=date(2024, 4, 4, 12, 15), extra=[("X-Mailer", "Microsoft Outlook 16.0")])

@reg("interface_config_txt", "secure", "credential", "en", "attachment_txt",
     "Text attachment with a database connection string including password and a live API key sent to a vendor.")
def e2():
    cfg = """# HL7 interface - configuration export 2024-04-16
[database]
ConnectionString=Server=sql-ecd01.zorggroephorizon.local;Database=ECD_PROD;User Id=ecd_interface;Password=Rv!9xTq4#Lm2wZ;Encrypt=True

[api]
BaseUrl=https://api.carenetic-software.com/v2
ApiKey=cnx_live_4f9a1c7be2d04a8e93b6d5f0a7c21e88
TimeoutSeconds=30

[queue]
Host=mq01.zorggroephorizon.local
Port=5671
"""
    body = f"""Hi Daniel,

As requested, attached is the configuration export of the HL7 interface so you can reproduce the error on your side. Let me know if you need the log files as well.

{JV.sig('en', 3)}"""
    part = mixed([text(body, enc="7bit"), attach(cfg, "text/plain", "interface_config_export.txt", enc="qp", charset="utf-8")],
                 "===============7734019521846601137==")
    return message(JV.a, [addr("Carenetic Support", "support@carenetic-software.com")],
                   "Case #58213 - interface export failing", part, dt=date(2024, 4, 16, 10, 6))

@reg("referral_risk_conviction", "secure", "special_category,person_name", "en", "special_category",
     "Referral to a housing charity with Mr Dennis Dekker's criminal conviction, probation and political affiliation.")
def e4():
    body = f"""Dear Ms Okafor,

Further to our referral of Mr Dennis Dekker for a place in your supported housing programme, you asked for any relevant risk information.

Mr Dekker was convicted in 2021 of assault committed during a demonstration and served eight months; he is on probation until November 2024. He is an active member of a far-right political movement and is open about his views, which caused tension with other residents in his previous accommodation.

That said, he has kept all his appointments with us over the past six months and we believe he is ready for the next step.

{FE.sig('en', 1)}"""
    return message(FE.a, [addr("Grace Okafor", "intake@stepping-stones-housing.org")],
                   "Referral Mr D. Dekker - risk information", text(body, enc="7bit"),
                   dt=date(2024, 5, 2, 14, 44))

@reg("rental_id_card_new_nurse", "secure", "id_document,person_name", "en", "id_document",
     "HR gives a relocation agency the ID-card number of new colleague Ms Maria Santos.")
def e5():
    body = f"""Dear Mr de Graaf,

For the rental contract of the studio apartment you asked for the identification details of our new colleague, Ms Maria Santos, who starts as a registered nurse on 1 May.

  Document:        Portuguese citizen card (Cartão de Cidadão)
  Document number: 15438762 4 ZX8
  Valid until:     03-06-2031

She will sign the contract herself on arrival; the first month’s rent will be paid by Zorggroep Horizon as agreed.

{EM.sig('en', 1)}"""
    return message(EM.a, [addr("Jasper de Graaf", "housing@expat-relocation-utrecht.com")],
                   "Rental contract for our new nurse, Ms Santos", text(body, enc="qp"),
                   dt=date(2024, 4, 17, 9, 21))

@reg("hotel_guarantee_card", "secure", "payment_card", "en", "payment_card",
     "Full (Luhn-valid) corporate card number with expiry sent to a hotel to guarantee a booking.")
def e6():
    body = f"""Dear reservations team,

Please find below the card details to guarantee our booking ref. EDN-44871 for two single rooms (arrival 14 May, departure 17 May) for the Nordic Dementia Research Conference.

Card type: Visa (corporate)
Card number: 4532 8636 8687 5493
Expiry: 09/26
Name on card: M. O'NEILL

I will give the security code by phone. Please send the confirmation to this address.

{MO.sig('en', 1)}"""
    return message(MO.a, [addr("The Harbour Hotel", "reservations@theharbourhotel.co.uk")],
                   "Booking ref. EDN-44871 - guarantee", text(body, enc="7bit"), dt=date(2024, 4, 23, 8, 52))

@reg("incident_findings_confidential", "secure", "confidential", "en", "confidential",
     "Body explicitly marked CONFIDENTIAL with preliminary ransomware-incident findings for an external auditor.")
def e7():
    body = f"""Hi Lotte,

CONFIDENTIAL – for the audit team only, please do not forward.

Our preliminary findings on last week's incident:
1. Initial access was via a phished account in the finance department (no MFA on the legacy VPN).
2. The attacker had access to file server FS02 for approximately 36 hours.
3. So far we have no evidence that the client records in the ECD were exfiltrated; the backups were intact.
4. The Board has not yet decided whether to notify the Dutch DPA (Autoriteit Persoonsgegevens).

Please treat this as confidential until the Board has decided. Can we discuss on Thursday at 9?

{RB.sig('en', 3)}"""
    return message(RB.a, [addr("Lotte van Beek", "l.vanbeek@cyberaudit-partners.com")],
                   "CONFIDENTIAL - preliminary findings incident 2024-04", text(body, enc="8bit"),
                   dt=date(2024, 4, 29, 19, 3))

@reg("removal_daughter_contact", "secure", "person_name,phone_number,email_address", "en", "person_identifiers",
     "Gives a removal company the name, mobile number and private e-mail of a client's daughter.")
def e8():
    body = f"""Dear Tom,

Thank you for the quote for clearing Mrs Willems’ apartment after her move to our care home. She has agreed to it.

For the practical arrangements (key handover, which furniture goes to the care home and which can go to the charity shop) please contact her daughter directly:

  Sophie Willems
  mobile: +31 6 4821 3907
  e-mail: sophie.willems@hotmail.com

She prefers to be called after 18:00.

{KV.sig('en', 1)}"""
    return message(KV.a, [addr("Tom Bakker", "planning@verhuisservice-rivierland.nl")],
                   "Clearing the apartment of Mrs Willems", text(body, enc="qp"),
                   dt=date(2024, 5, 8, 11, 11))

@reg("secure_tag_parking_reply", "secure", "", "en", "forced_tag",
     "Subject tag [secure] after RE: forces secure; content about visitor parking is harmless.")
def e9():
    body = f"""Hi James,

No problem, I've reserved two visitor parking spots for Thursday. Just report at the reception on the ground floor and they'll give you the parking cards. Lunch will be provided.

Best,
Rachel

--
Rachel Brouwer | Information Security Officer | Zorggroep Horizon | +31 6 5567 1290

On Tue, 9 Apr 2024 at 11:02, James Harper <j.harper@northbridge-it.com> wrote:
> Hi Rachel,
>
> Will there be parking available for two of us on Thursday? We'll arrive
> around 9:30.
>
> Thanks,
> James
"""
    return message(RB.a, [addr("James Harper", "j.harper@northbridge-it.com")],
                   "RE: [secure] Parking at the Utrecht office", text(body, enc="7bit"),
                   dt=date(2024, 4, 9, 13, 40), in_reply_to="<CAJh7x2Lm9@mail.northbridge-it.com>")

@reg("quota_phish_lookalike", "secure", "credential", "en", "lookalike_domain",
     "Reply to a phishing mail at zorggroephorizon-nl.com (look-alike, external) with username and password.")
def e10():
    body = f"""Hi,

As requested, my login details so you can increase the quota:

Username: m.oneill
Password: Harbour!Dementia24

Please let me know when it's done, I need to send out the survey tomorrow.

Thanks,
Mark

> From: IT Service Desk <it-support@zorggroephorizon-nl.com>
> Sent: Wednesday, 24 April 2024 07:12
> Subject: Mailbox quota exceeded - action required
>
> Dear user,
>
> Your mailbox has exceeded its storage limit (49.8 GB of 50 GB). To avoid
> suspension of your account, reply to this message with your username and
> password within 24 hours.
>
> IT Service Desk
"""
    return message(MO.a, [addr("IT Service Desk", "it-support@zorggroephorizon-nl.com")],
                   "RE: Mailbox quota exceeded - action required", text(body, enc="7bit"),
                   dt=date(2024, 4, 24, 8, 3))

@reg("discharge_summary_html", "secure", "patient_dossier,health,person_name,date_of_birth", "en", "attachment_html",
     "HTML attachment is a discharge summary with name, date of birth, diagnoses and medication of Mr Jan Mol.")
def e11():
    html = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Discharge summary</title></head>
<body>
<h1>Zorggroep Horizon &ndash; Discharge summary</h1>
<table>
<tr><td>Patient</td><td>J. (Jan) Mol</td></tr>
<tr><td>Date of birth</td><td>02-12-1946</td></tr>
<tr><td>Client no.</td><td>2023-0412</td></tr>
<tr><td>Admitted</td><td>04-04-2024 (geriatric rehabilitation, De Linde)</td></tr>
</table>
<h2>Diagnoses</h2>
<ul><li>Ischaemic stroke, left hemisphere (28-03-2024)</li>
<li>Expressive aphasia, right-sided hemiparesis</li>
<li>Atrial fibrillation</li></ul>
<h2>Medication</h2>
<ul><li>Apixaban 5&nbsp;mg twice daily</li><li>Atorvastatin 40&nbsp;mg once daily</li>
<li>Metoprolol 50&nbsp;mg once daily</li></ul>
<p>Mobility: transfers with assistance of one, walks 10&nbsp;m with a rollator. Speech therapy 3&times; per week.</p>
</body></html>
"""
    body = f"""Dear colleagues,

Attached is the discharge summary for Mr Mol, who will be transferred to your rehabilitation unit on Monday 22 April. Transport has been arranged for 10:00.

{AK.sig('en', 1)}"""
    part = mixed([text(body, enc="7bit"), attach(html, "text/html", "discharge_summary_J_Mol.html", charset="utf-8")],
                 "Apple-Mail=_3F1E6D2C-7A44-4B6B")
    return message(AK.a, [addr("Admissions De Berg", "admissions@revalidatiecentrum-deberg.nl")],
                   "Transfer Mr Mol – discharge summary", part, dt=date(2024, 4, 19, 15, 25))
