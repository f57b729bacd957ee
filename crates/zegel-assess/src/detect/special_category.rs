//! GDPR art. 9 and 10 data about a person: racial or ethnic origin,
//! political opinions, religious or philosophical beliefs, trade-union
//! membership, genetic and biometric data, sex life and sexual orientation,
//! criminal convictions and offences. Health (also art. 9) has its own
//! detector.
//!
//! # Scoring
//!
//! The same scheme as health ([`person_score`]): a term's base confidence
//! (0.4 for criminal-record terms such as strafblad, justitiële documentatie,
//! criminal record; 0.3 for the rest) stays below the policy threshold of 0.5
//! on its own; a strong person cue within about 100 bytes before or 80
//! after adds 0.4, a pronoun only 0.2; a general or policy context
//! (diversiteitsbeleid, policy, CAO, negotiations, elections, news,
//! campaign, ...) caps it at 0.2. So "ons diversiteitsbeleid", "the union
//! negotiations on the CAO" and a news item about elections are not
//! reported above 0.2. Beliefs as inflected adjectives count only in
//! lowercase (`de islamitische traditie`, not `Katholieke Universiteit`);
//! a term in the writer's own signature is the writer's role, not counted.

use crate::detect::context::{
    in_signature, person_score, AboutPerson, Dictionary, PersonCues, GENERAL_CUES,
};
use crate::detect::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// Criminal convictions and offences (art. 10).
const CRIMINAL: &[&str] = &[
    "strafblad",
    "strafbladen",
    "justitiële documentatie",
    "justitieel documentatie*",
    "veroordeeld",
    "veroordeling*",
    "detentie",
    "gedetineerd*",
    "gedetineerde",
    "vastgezeten",
    "gevangen gezeten",
    "reclassering*",
    "proces-verbaal",
    "verdachte van",
    "verdacht van",
    "aangehouden voor",
    "gearresteerd",
    "celstraf",
    "gevangenisstraf",
    "taakstraf",
    "strafbeschikking*",
    // A VOG the screening body intends to refuse: a record it weighed.
    "voornemen tot weigering",
    "werkstraf",
    "tbs",
    "tbs-maatregel",
    "voorwaardelijke straf",
    "enkelband",
    "strafrechtelijk verleden",
    "justitieel verleden",
    "vog geweigerd",
    "criminal record",
    "criminal records",
    "criminal conviction*",
    "convicted",
    "conviction for",
    "conviction",
    "convictions",
    "previous conviction*",
    "arrested for",
    "prison sentence",
    "imprisoned",
    "on probation",
    "on parole",
    "criminal offence",
    "criminal offense",
    "sex offender",
    "ex-gedetineerde",
    "jeugdstrafrecht",
    "halt-straf",
];

/// Political parties, for membership (art. 9): those in the Dutch
/// parliament and councils; DENK and Volt are left out, being everyday
/// words too. Counted only as written as a party's name (see
/// [`written_as_party`]).
const PARTIES: &[&str] = &[
    "vvd",
    "pvv",
    "cda",
    "d66",
    "groenlinks",
    "pvda",
    "sp",
    "pvdd",
    "christenunie",
    "sgp",
    "fvd",
    "ja21",
    "bbb",
    "50plus",
    "bij1",
];

/// The trade-union federations, for membership (art. 9), written as a name
/// like the parties ([`written_as_party`]): beside a named member ("Dennis
/// Wolters, FNV Metaal, EUR 21,40 per maand"). Their base (0.25) stays
/// below the threshold with only a pronoun near: "the unions that have
/// members among your employees (most likely FNV and CNV)" is advice.
const UNIONS: &[&str] = &["fnv", "cnv"];

/// Whether the party name at `start..end` is written as one: in capitals
/// (`SP`, `VVD`) or as the party writes it (`GroenLinks`), and not part of
/// a code (`SP-558102`, `CDA2`).
fn written_as_party(original: &str, start: usize, end: usize) -> bool {
    let name = &original[start..end];
    let cased = name.chars().all(|c| !c.is_lowercase())
        || matches!(
            name,
            "GroenLinks" | "ChristenUnie" | "PvdA" | "PvdD" | "FvD"
        );
    let code = |b: Option<&u8>| b.is_some_and(|&b| b == b'-' || b == b'_' || b.is_ascii_digit());
    let bytes = original.as_bytes();
    cased && !code(bytes.get(end)) && !code(start.checked_sub(1).and_then(|i| bytes.get(i)))
}

/// The other special categories (art. 9, health excluded).
const SPECIAL: &[&str] = &[
    // ethnic origin
    "etniciteit",
    "etnische afkomst",
    "etnische achtergrond",
    "migratieachtergrond",
    "afkomst",
    "ethnicity",
    "ethnic origin",
    "ethnic background",
    "racial origin",
    "descent",
    // political opinions
    "politieke voorkeur",
    "politieke overtuiging",
    "politieke kleur",
    "partijlid*",
    "lid van de partij",
    "oppositiepartij*",
    "politieke partij",
    "political party",
    "opposition party",
    "stemt op",
    "stemde op",
    "political opinion*",
    "political views",
    "political affiliation",
    "party member*",
    "votes for",
    "voted for",
    // religion and beliefs
    "geloofsovertuiging",
    "religie",
    "godsdienst",
    "levensbeschouwing",
    "moslim",
    "moslima",
    "islamitisch",
    "christen",
    "christelijk",
    "katholiek",
    "rooms-katholiek",
    "protestants",
    "joods",
    "hindoe",
    "hindoeïstisch",
    "boeddhist*",
    "atheïst",
    "gelovig",
    "religious belief*",
    "religion",
    "muslim",
    "jewish",
    "catholic",
    "hindu",
    "buddhist",
    "atheist",
    "philosophical belief*",
    "jehova's getuige",
    "geloofsreden*",
    "religieuze reden*",
    "religious reasons",
    "adventist*",
    "jehovah's witness",
    "salafist*",
    "salafisme",
    "salafism",
    "jihadist*",
    "jihadisme",
    "jihadism",
    // trade union (membership itself: MEMBERSHIP)
    "vakbond*",
    "trade union",
    // genetic and biometric
    "dna-profiel",
    "dna-test",
    "dna-onderzoek",
    "dna-materiaal",
    "genetisch onderzoek",
    "genetische test",
    "erfelijkheidsonderzoek",
    // Not `vingerafdruk*`: a `vingerafdrukscanner` is a device.
    "vingerafdruk",
    "vingerafdrukken",
    "vingerafdrukgegevens",
    "gezichtsherkenning",
    "irisscan",
    "biometrische gegevens",
    "biometrisch*",
    "dna profile",
    "dna test",
    "genetic test*",
    "genetic data",
    "fingerprint*",
    "facial recognition",
    "biometric data",
    "biometric",
    // sex life and sexual orientation
    "homo",
    "homoseksueel",
    "homoseksuele",
    "homoseksualiteit",
    "lesbisch",
    "lesbienne",
    "biseksueel",
    "transgender",
    "genderteam",
    "geslachtswijziging",
    "wijziging geslachtsregistratie",
    "genderidentiteit",
    "gender identity",
    "seksuele geaardheid",
    "seksuele voorkeur",
    "seksleven",
    "seksueel gedrag",
    "gay",
    "lesbian",
    "bisexual",
    "sexual orientation",
    "sex life",
    "sexual preference",
    "sexual behaviour",
    "sexual behavior",
];

/// Beliefs as Dutch adjectives inflected before a noun ("volgens de
/// islamitische traditie", "op het katholieke kerkhof") and a believer's
/// practice (kerkganger): counted like [`SPECIAL`] but only as written in
/// lowercase, as the capitalised forms name institutions ("Katholieke
/// Universiteit", "Christelijke Hogeschool"); see [`written_as_belief`].
const BELIEFS: &[&str] = &[
    "islamitische",
    "christelijke",
    "katholieke",
    "rooms-katholieke",
    "protestantse",
    "joodse",
    "hindoeïstische",
    "boeddhistische",
    "atheïstische",
    "gereformeerde",
    "hervormde",
    "evangelische",
    "gelovige",
    "praktiserend*",
    "kerkganger",
    "kerkgangster",
    "churchgoer",
    "church-goer",
];

/// Whether the belief word at `start..end` is written in lowercase, as a
/// word and not as part of a name.
fn written_as_belief(original: &str, start: usize, end: usize) -> bool {
    !original[start..end].chars().any(char::is_uppercase)
}

/// Trade-union membership stated as such (0.4): a statement about the
/// member, so a private person named in the same clause outweighs a general
/// word beside it ("Joost Kamp vraagt zijn contributie voor de vakbond te
/// verrekenen, volgens de cao"), which "de vakbond" alone does not
/// ("mevrouw Jansen leidt de cao-onderhandelingen met de vakbond").
const MEMBERSHIP: &[&str] = &[
    "vakbondslid*",
    "vakbondsleden",
    "kaderlid",
    "kaderleden",
    "vakbondsbestuurder*",
    "vakbondslidmaatschap",
    "vakbondscontributie*",
    "fnv-lid",
    "cnv-lid",
    "lid van de fnv",
    // The union named without an article ("lid van FNV Bouw").
    "lid van fnv",
    "lid van cnv",
    "lid is van fnv",
    "lid is van cnv",
    "lid zijn van fnv",
    "lid zijn van cnv",
    "lid te zijn van fnv",
    "lid te zijn van cnv",
    "aangesloten bij fnv",
    "aangesloten bij cnv",
    "lid van het cnv",
    "lid van de vakbond",
    // "die opgeven lid te zijn van de FNV", "omdat hij lid is van het CNV"
    "lid te zijn van de fnv",
    "lid te zijn van het cnv",
    "lid te zijn van de vakbond",
    "lid is van de fnv",
    "lid is van het cnv",
    "lid is van de vakbond",
    "lid zijn van de fnv",
    "lid zijn van het cnv",
    "lid zijn van de vakbond",
    "aangesloten bij de fnv",
    "aangesloten bij het cnv",
    "aangesloten bij de vakbond",
    "lidmaatschap van de vakbond",
    "contributie voor de vakbond",
    "contributie aan de vakbond",
    "contributie van de vakbond",
    "union member*",
    "union membership",
    "union dues",
];

/// Finds GDPR special-category data about a person (see the module doc).
pub struct SpecialCategoryDetector {
    terms: Dictionary,
    base: Vec<f32>,
    person: PersonCues,
    general: Dictionary,
}

impl std::fmt::Debug for SpecialCategoryDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpecialCategoryDetector")
    }
}

impl Default for SpecialCategoryDetector {
    fn default() -> Self {
        SpecialCategoryDetector::new()
    }
}

impl SpecialCategoryDetector {
    /// Compiles the dictionaries.
    pub fn new() -> SpecialCategoryDetector {
        let mut all: Vec<&str> = Vec::new();
        let mut base = Vec::new();
        for (list, b) in [
            (CRIMINAL, 0.4),
            (SPECIAL, 0.3),
            (MEMBERSHIP, 0.4),
            (PARTIES, 0.3),
            (UNIONS, 0.25),
            (BELIEFS, 0.3),
        ] {
            all.extend_from_slice(list);
            base.extend(std::iter::repeat_n(b, list.len()));
        }
        SpecialCategoryDetector {
            terms: Dictionary::shared(&all),
            base,
            person: PersonCues::new(),
            general: Dictionary::shared(GENERAL_CUES),
        }
    }
}

impl Detector for SpecialCategoryDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::SpecialCategory
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        // Cue positions are found once per text, and only if a term is hit.
        let about = AboutPerson::new(text, &self.person, &self.general);
        let about_member =
            AboutPerson::new(text, &self.person, &self.general).named_outweighs_general();
        let first_member = CRIMINAL.len() + SPECIAL.len();
        let first_party = first_member + MEMBERSHIP.len();
        let first_belief = first_party + PARTIES.len() + UNIONS.len();
        self.terms.find_in(text, |hit| {
            let written = if hit.term >= first_belief {
                written_as_belief(text.original, hit.start, hit.end)
            } else if hit.term >= first_party {
                written_as_party(text.original, hit.start, hit.end)
            } else {
                true
            };
            // A term in the writer's signature names the writer's role
            // ("Uitvaartverzorger – islamitische uitvaarten").
            if !written || in_signature(&text.lower, hit.start) {
                return;
            }
            let membership = (first_member..first_party).contains(&hit.term);
            let said_of_someone = membership && possessive_before(&text.lower, hit.start)
                || predicated(text, hit.start, hit.end);
            let (ctx, general) = if said_of_someone {
                // "zijn contributie voor de vakbond", "her union membership",
                // "she's of Surinamese descent": someone's own, whatever
                // the text around it (a diversity goal in the same sentence).
                (
                    crate::detect::context::PersonContext {
                        strong: true,
                        weak: false,
                    },
                    false,
                )
            } else if membership {
                about_member.at(hit.start, hit.end)
            } else {
                about.at(hit.start, hit.end)
            };
            out.push(Match {
                kind: FindingKind::SpecialCategory,
                span: hit.start..hit.end,
                excerpt: text.original[hit.start..hit.end].to_string(),
                confidence: person_score(self.base[hit.term], ctx, general),
            });
        });
    }
}

/// Whether the term at `start..end` is said of a person: a personal
/// pronoun with a form of "to be" opens its clause at most five words
/// before it ("she's of Surinamese-Hindustani descent", "hij is lid van
/// de PvdA", "zij is moslim").
fn predicated(text: &Text<'_>, start: usize, end: usize) -> bool {
    const SUBJECTS: &[&str] = &[
        "she's", "he's", "she is", "he is", "she was", "he was", "zij is", "hij is", "ze is",
        "zij was", "hij was", "ze was", "is zij", "is hij", "was zij", "was hij",
    ];
    let own = crate::detect::context::clause(text.original, start, end, 200);
    let before = &text.lower[own.start..start];
    SUBJECTS.iter().any(|subject| {
        before.rfind(subject).is_some_and(|at| {
            let bytes = before.as_bytes();
            let starts_word = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
            let between = &before[at + subject.len()..];
            starts_word
                && between.starts_with([' ', ','])
                && between.split_whitespace().count() <= 5
        })
    })
}

/// Whether a possessive pronoun of a third person or the reader stands
/// right before `start` ("zijn lidmaatschap", "her union dues").
fn possessive_before(lower: &str, start: usize) -> bool {
    crate::detect::context::word_before(lower, start).is_some_and(|(word, _)| {
        matches!(
            word,
            "zijn" | "haar" | "uw" | "jouw" | "his" | "her" | "your"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::detect::threshold_checks!(SpecialCategoryDetector::new());

    #[test]
    fn party_membership_of_a_person_not_a_ticket_code() {
        must_find("Mrs. Saskia Roelofsen has been elected as a municipal councillor for the SP.");
        must_find("Dhr. Bakker is lid van GroenLinks.");
        must_find("Zij is al jaren lid van de PvdA, zegt mevrouw Smit.");
        must_not("Ticketnummer aan jullie kant is SP-558102, meneer Jansen.");
        must_not("Mevrouw Jansen gebruikt sp. 3 als code.");
    }

    #[test]
    fn a_gender_change_but_not_a_fingerprint_scanner() {
        must_find("Voor de akte moet Robin de deskundigenverklaring van het genderteam meenemen; geslacht wijzigt van man naar vrouw.");
        must_not("Naar aanleiding van uw offerte bestellen wij drie vingerafdrukscanners.");
    }

    #[test]
    fn a_union_named_beside_its_member() {
        must_find("Tot nu toe hebben deze twee een contributienota ingeleverd, die ik in de verloning van mei meeneem:\n- Dennis Wolters, FNV Metaal, EUR 21,40 per maand\n- Sevda Bulut, CNV Vakmensen, EUR 18,75 per maand");
        must_not("De FNV onderhandelt over de nieuwe cao.");
        must_not("Mevrouw Jansen leidt de cao-onderhandelingen met de FNV.");
        must_not("Notify the trade unions that have members among your employees (in your sector most likely FNV and CNV), and consult them.");
    }

    #[test]
    fn a_penalty_order_or_a_refused_screening() {
        must_find("Dan Ruben Hazelaar. Hij heeft de VOG wel aangevraagd maar verwacht een voornemen tot weigering, omdat hij in 2019 een strafbeschikking heeft gekregen voor rijden onder invloed.");
        must_not("Een strafbeschikking is een straf die het OM zelf oplegt, zonder rechter.");
    }

    #[test]
    fn a_political_past_and_detention_told_of_someone() {
        must_find("Wat hij mij vertelde: hij was in Syrië actief lid van een oppositiepartij en heeft om die reden een jaar vastgezeten.");
        must_not("De politieke partijen in de raad krijgen het voorstel volgende week.");
    }

    #[test]
    fn a_belief_movement_someone_joined() {
        must_find("Youssef (5 havo) heeft zich sinds de zomer aangesloten bij een strenge salafistische groep.");
        must_not("In de training bespreken we het landelijke beeld van salafisme en jihadisme.");
    }

    #[test]
    fn a_religious_reason_or_denomination() {
        must_find("Onze keeper, Daniël Mos, is lid van de Zevendedags Adventisten.");
        must_find("Dhr. Mos speelt om geloofsredenen niet op zaterdag.");
        must_not(
            "Wedstrijden op zondag kunnen om religieuze redenen bezwaarlijk zijn; zie ons beleid.",
        );
    }

    #[test]
    fn a_belief_inflected_before_a_noun_but_not_an_institution() {
        must_find("Dhr. Benali wordt volgens de islamitische traditie begraven.");
        must_find("Mevrouw Klaassen was haar hele leven trouw kerkganger.");
        must_find("Mevrouw Klaassen wordt begraven op het katholieke kerkhof.");
        must_not("Mevrouw Klaassen studeerde aan de Katholieke Universiteit Leuven.");
        must_not("Meneer De Vries is docent op de Christelijke Hogeschool Ede.");
        must_not("Zullen we na Eid even evalueren?\n\nJazakallahu khairan,\n\nYusuf El Idrissi\nUitvaartverzorger – islamitische uitvaarten\nLindehof Uitvaartzorg");
    }

    #[test]
    fn finds_dutch_special_categories_about_a_person() {
        must_find("Cliënt heeft een strafblad wegens diefstal.");
        must_find("Hij is in 2019 veroordeeld voor mishandeling.");
        must_find("Meneer de Wit staat onder toezicht van de reclassering.");
        must_find("Uit de justitiële documentatie van mevrouw blijkt een eerdere veroordeling.");
        must_find("Zij is moslima en wil geen mannelijke verzorger.");
        must_find("Dhr. Yilmaz is lid van de FNV.");
        must_find("Bij Linda hebben zich drie mensen gemeld die lid zijn van FNV Bouw en mee willen doen: Henk Brinkman, Sjoerd Wiltink en Gerrit Kamphuis.");
        must_find("Mevrouw is lesbisch en woont samen met haar partner.");
        must_find("Van de verdachte van de inbraak, Jansen, is een DNA-profiel afgenomen.");
        // The clause names him; the CAO in the next clause does not make
        // it general.
        must_find(
            "Dhr. Verhoef is kaderlid en laat zich door de vakbond bijstaan; hij noemt de cao-acties.",
        );
        // What the clause says, it says about the people listed after it.
        must_find("Graag de vakbondscontributie over 2025 bevestigen van:\n- J.H. (Jan) Evers - lid 4011\n- S. Koster\nVerrekening in mei, zie de cao.");
        must_find("Henk was particularly happy with Priscilla: she's of Surinamese-Hindustani descent and grew up here, which would help our diversity goals.");
        must_find("Ons diversiteitsbeleid is bekend; hij is lid van de PvdA.");
        must_find("Jesse de Kort heeft mij vorige week verteld dat hij homo is.");
        must_find("het voornemen staat in verband met de activiteiten van de heer De Graaf als kaderlid van FNV Metaal bij de cao-onderhandelingen van vorig najaar.");
        must_find(
            "Mr Daniel Ionescu: when we asked him about it, he told us about a conviction in 2019.",
        );
        must_find("Medewerker Joost Kamp (fysiotherapie, personeelsnummer 1187) heeft gevraagd om zijn contributie voor de vakbond FNV Zorg & Welzijn over 2025 te laten verrekenen, volgens de fiscale regeling in de cao.");
        must_find("Voor de korting hebben zich 6 nieuwe verzekerden aangemeld die opgeven lid te zijn van de FNV. Kunnen jullie het lidmaatschap bevestigen? Het gaat om:\n\n- Kevin Roelofs, lidnummer 7720183, Apeldoorn\n- Samira Bouzid, lidnummer 7702964, Rotterdam");
        must_find("Ten behoeve van de fiscale verrekening van de vakbondscontributie over 2025 vragen wij u het lidmaatschap en de betaalde contributie te bevestigen van de volgende medewerkers, die bij ons een verzoek tot verrekening hebben ingediend:\n\n- J.H. (Jan) Evers - lidnummer 40118832\n- S. (Sabine) Koster");
    }

    #[test]
    fn finds_english_special_categories_about_a_person() {
        must_find("The client has a criminal record for fraud.");
        must_find("He was convicted of assault in 2018.");
        must_find("Mrs Khan is a practising Muslim.");
        must_find("She told us about her sexual orientation.");
    }

    #[test]
    fn ignores_general_and_policy_text() {
        must_not("Ons diversiteitsbeleid: iedereen is welkom, ongeacht religie of afkomst.");
        must_not("The union negotiations on the CAO continue next week.");
        must_not(
            "She is responsible for our diversity policy, which covers ethnicity and religion.",
        );
        must_not("De vakbond onderhandelt over de nieuwe cao.");
        must_not("It is my conviction that the new roster works better.");
        must_not("Nieuws: de verkiezingen zijn gewonnen door de partij die stemt op verandering.");
        must_not("Our policy on biometric data and fingerprint readers is attached.");
        must_not("Veel mensen met een strafblad vinden moeilijk werk, blijkt uit statistieken.");
        must_not("Mevrouw Jansen leidt de cao-onderhandelingen met de vakbond.");
        must_not("De cao-onderhandelingen met de vakbond gaan over:\n- loon\n- pensioen");
    }
}
