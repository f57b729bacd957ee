//! Client and patient files, care plans, medical reports and indication
//! decisions (cliëntdossier, zorgplan, behandelplan, indicatiebesluit,
//! ontslagbrief, MDO-verslag, medical record, care plan, discharge letter,
//! ...), in text and in attachment file names.
//!
//! A segment that is a file name (one line, at most 255 bytes, ending in
//! `.ext`) is searched with `_`, `-` and `.` read as spaces, so
//! `medisch_dossier_v2.pdf` and `medisch-verslag.pdf` match.
//!
//! "dossier" alone is only reported with a care qualifier close by
//! (cliënt, patiënt, bewoner, medisch, zorgvrager, WMO, WLZ, GGZ,
//! behandel..., mevrouw, dhr., a known name), or, in a file name, next to a
//! name (`dossier_jansen.pdf`): "het dossier over de nieuwe aanbesteding",
//! "projectdossier" and "Dossier Kunstmatige Intelligentie" are not.
//!
//! # Scoring
//!
//! A care-document term 0.9 when it is a particular one (its clause names
//! a person, says whose it is or that it is attached: `PARTICULAR`); 0.4
//! when it speaks of a kind of document (a plural, a modifier as in "the
//! client dossier module", a general context such as software or policy
//! nearby); else 0.45: a document named in running text without saying
//! whose it is or that it comes along ("verpleegkundige overdracht,
//! actueel medicatieoverzicht" in a list of agreements) is talk about
//! documents, not one being sent. In a file name 0.85. "dossier" with a care
//! qualifier 0.8 when particular, else 0.4: "volgens het voorschrift in
//! het dossier" in a work agreement is not a dossier being sent. A template or general context (sjabloon, template,
//! format, blanco, voorbeeld, training, cursus, vacature, nieuwsbrief,
//! webinar) or advice on how to send them ("stuur geen ... via gewone
//! mail", "never send") caps it at 0.35, below the policy threshold of 0.5.

use crate::detect::context::{
    clause, names_someone_in, window, Dictionary, GeneralText, GENERAL_CUES,
};
use crate::detect::names::mentions_name;
use crate::detect::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// Care documents about a person.
const DOCUMENTS: &[&str] = &[
    "cliëntdossier*",
    "cliëntendossier*",
    "patiëntdossier*",
    "patiëntendossier*",
    "medisch dossier",
    "medische dossier",
    "medische dossiers",
    "zorgdossier*",
    "zorgplan*",
    "ondersteuningsplan*",
    "behandelplan*",
    "begeleidingsplan*",
    "signaleringsplan*",
    "crisisplan*",
    "medische rapportage",
    "medisch rapport",
    "medische verklaring",
    "medisch verslag",
    "medische gegevens",
    "medische informatie",
    "indicatiebesluit*",
    "ciz-indicatie",
    "ciz-besluit",
    "wlz-indicatie",
    "wmo-indicatie",
    "wmo-beschikking",
    "beschikking jeugdhulp",
    "ontslagbrief",
    "verwijsbrief",
    "overdrachtsformulier",
    "overdrachtsverslag",
    "verpleegkundige overdracht",
    "intakeverslag",
    "intakeformulier",
    "mdo-verslag",
    "psychologisch rapport",
    "psychologisch onderzoek",
    "psychiatrisch rapport",
    "behandelverslag",
    "epd-uitdraai",
    "medicatieoverzicht",
    "medicatielijst",
    "huisartsenjournaal",
    "anamnese",
    "patient file",
    "patient's file",
    "patient record",
    "patient records",
    "medical record",
    "medical records",
    "medical file",
    "health record",
    "health records",
    "care plan",
    "treatment plan",
    "support plan",
    "discharge letter",
    "discharge summary",
    "referral letter",
    "medical report",
    "medical certificate",
    "case notes",
    "clinical notes",
    "medical history",
];

/// Needs a care qualifier.
const GENERIC: &[&str] = &["dossier", "dossiers"];

/// Care qualifiers for "dossier".
const QUALIFIERS: &[&str] = &[
    "cliënt*",
    "client*",
    "patiënt*",
    "patient*",
    "bewoner*",
    "zorgvrager*",
    "medisch*",
    "medical",
    "wmo",
    "wlz",
    "ggz",
    "jeugdhulp",
    "jeugdzorg",
    "behandel*",
    "mevrouw",
    "meneer",
    "dhr",
    "mw",
    "mevr",
    "de heer",
    "huisarts*",
    "verpleeg*",
    "zorgdossier",
    "ecd",
    "epd",
];

/// Words in a clause that make a document a particular one: whose it is
/// (a possessive, "van de cliënt", "of the patient") or that it is being
/// sent (bijlage, attached, hierbij). Without one, and without a named
/// person in the clause, "het cliëntdossier" and "medical records" speak
/// of a kind of document, as in a ticket, a training or a guideline.
/// Words that say a document stays with the reader and is not in the
/// mail ("please bring your referral letter", "neem uw verwijsbrief
/// mee"): a possessive in such a clause does not make it one being sent.
const BROUGHT_ALONG: &[&str] = &[
    "bring",
    "meenemen",
    "mee te nemen",
    "neem",
    "neemt",
    "not required",
    "not needed",
    "niet nodig",
    "niet verplicht",
];

const PARTICULAR: &[&str] = &[
    "zijn",
    "haar",
    "hun",
    "his",
    "her",
    "their",
    "uw",
    "your",
    "van hem",
    "van hen",
    "van u",
    "van jou",
    "mijn",
    "my",
    "bijlage*",
    "bijgevoegd*",
    "meegestuurd",
    "stuur ik",
    "sturen wij",
    // Separable verbs: "ik stuur je het dossier door", "stuurt ... mee".
    "stuur",
    "stuurt",
    "stuurde",
    "meesturen",
    "bijgaand",
    // Pointing at it as part of the mail: "zie het behandelplan".
    "zie",
    "see",
    "hieronder",
    "below",
    "gestuurd",
    "verstuurd",
    "doorgestuurd",
    "doorsturen",
    "opgestuurd",
    "toegestuurd",
    "sent",
    "forward*",
    "ontvangt u",
    "ontvang je",
    "attached",
    "attach*",
    "enclosed",
    "hierbij",
    "herewith",
    "van de cliënt",
    "van cliënt",
    "van de client",
    "van de patiënt",
    "van patiënt",
    "van de bewoner",
    "van de zorgvrager",
    "van de jongere",
    "of the client",
    "of the patient",
    "of the resident",
    "the client's",
    "the patient's",
];

/// Nouns a document term can modify: then it names a part of a system or
/// a practice, not a document (`dossier module`, `zorgplan-format`).
const MODIFIED: &[&str] = &[
    "module",
    "modules",
    "systeem",
    "system",
    "software",
    "app",
    "scherm",
    "screen",
    "veld",
    "velden",
    "field",
    "fields",
    "functie",
    "functionaliteit",
    "feature",
    "koppeling",
    "integration",
    "interface",
    "beheer",
    "vorming",
    "voering",
    "structuur",
    "inrichting",
    "rechten",
    "autorisatie",
    "autorisaties",
];

/// Template or general contexts.
const TEMPLATE: &[&str] = &[
    "sjabloon*",
    "template*",
    "format",
    "blanco",
    "leeg",
    "lege",
    "voorbeeld*",
    "example",
    "training*",
    "cursus*",
    "vacature*",
    "nieuwsbrief*",
    "newsletter*",
    "webinar*",
    // Advice about how to send such documents, not a document.
    "stuur geen",
    "stuur nooit",
    "verstuur geen",
    "verstuur nooit",
    "mail geen",
    "mail nooit",
    "nooit via",
    "niet via gewone",
    "niet per gewone",
    "never send",
    "never email",
    "do not send",
    "don't send",
    "do not email",
    "don't email",
];

/// Finds client/patient files and care documents (see the module doc).
pub struct PatientDossierDetector {
    documents: Dictionary,
    generic: Dictionary,
    qualifiers: Dictionary,
    template: Dictionary,
    particular: Dictionary,
    brought_along: Dictionary,
    general: Dictionary,
}

impl std::fmt::Debug for PatientDossierDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PatientDossierDetector")
    }
}

impl Default for PatientDossierDetector {
    fn default() -> Self {
        PatientDossierDetector::new()
    }
}

/// Whether `text` looks like a bare file name (`Zorgplan J. de Vries.docx`).
pub fn is_file_name(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t.len() > 255 || t.contains('\n') {
        return false;
    }
    match t.rfind('.') {
        Some(dot) => {
            let ext = &t[dot + 1..];
            (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && ext.bytes().any(|b| b.is_ascii_alphabetic())
                && dot > 0
        }
        None => false,
    }
}

impl PatientDossierDetector {
    /// Compiles the dictionaries.
    pub fn new() -> PatientDossierDetector {
        PatientDossierDetector {
            documents: Dictionary::shared(DOCUMENTS),
            generic: Dictionary::shared(GENERIC),
            qualifiers: Dictionary::new(QUALIFIERS),
            template: Dictionary::new(TEMPLATE),
            particular: Dictionary::new(PARTICULAR),
            brought_along: Dictionary::new(BROUGHT_ALONG),
            general: Dictionary::shared(GENERAL_CUES),
        }
    }

    fn push(out: &mut Vec<Match>, original: &str, start: usize, end: usize, confidence: f32) {
        out.push(Match {
            kind: FindingKind::PatientDossier,
            span: start..end,
            excerpt: original[start..end].to_string(),
            confidence,
        });
    }
}

impl Detector for PatientDossierDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::PatientDossier
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        if is_file_name(text.original) {
            // Same length, so offsets still fit the original.
            let spaced = separators_as_spaces(&text.lower);
            let original_spaced = separators_as_spaces(text.original);
            // `Intakeformulier_leeg.pdf`, `zorgplan_template.docx`: a form
            // to fill in, about no one yet.
            let confidence = if self.template.any(&spaced) {
                0.35
            } else {
                0.85
            };
            self.documents.find(&spaced, |hit| {
                Self::push(out, text.original, hit.start, hit.end, confidence);
            });
            self.generic.find(&spaced, |hit| {
                let near = window(&spaced, hit.start, hit.end, 40, 40);
                let near_original = window(&original_spaced, hit.start, hit.end, 40, 40);
                if self.qualifiers.any(near)
                    || mentions_name(near_original)
                    || has_name_token(near_original)
                {
                    Self::push(out, text.original, hit.start, hit.end, confidence);
                }
            });
            return;
        }
        let general = GeneralText::new(&self.general);
        self.documents.find_in(text, |hit| {
            let around = window(&text.lower, hit.start, hit.end, 150, 150);
            let mut confidence = if self.particular(text, hit.start, hit.end, &general) {
                0.9
            } else if self.a_kind_of_document(text, hit.start, hit.end, &general) {
                0.4
            } else {
                0.45
            };
            if self.template.any(around) {
                confidence = f32::min(confidence, 0.35);
            }
            Self::push(out, text.original, hit.start, hit.end, confidence);
        });
        self.generic.find_in(text, |hit| {
            let near = window(&text.lower, hit.start, hit.end, 60, 50);
            let near_original = window(text.original, hit.start, hit.end, 60, 50);
            if !(self.qualifiers.any(near) || mentions_name(near_original)) {
                return;
            }
            let around = window(&text.lower, hit.start, hit.end, 150, 150);
            let confidence = if self.template.any(around) {
                0.35
            } else if self.particular(text, hit.start, hit.end, &general) {
                0.8
            } else {
                0.4
            };
            Self::push(out, text.original, hit.start, hit.end, confidence);
        });
    }
}

impl PatientDossierDetector {
    /// Whether the document term at `start..end` speaks of a kind of
    /// document rather than one: a plural (`medische dossiers`, `health
    /// records`), a modifier of the next noun (`the client dossier
    /// module`), or a general or organisational context in its clause or
    /// within 150 bytes ([`GENERAL_CUES`]: software, policy, training...).
    fn a_kind_of_document(
        &self,
        text: &Text<'_>,
        start: usize,
        end: usize,
        general: &GeneralText<'_>,
    ) -> bool {
        let term = &text.lower[start..end];
        let plural = term.ends_with('s') && !term.ends_with("ss") && !term.ends_with("sis");
        let next = text.lower[end..]
            .trim_start_matches([' ', '-'])
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let modifier = MODIFIED.contains(&next);
        plural
            || modifier
            || self.general.any(window(&text.lower, start, end, 150, 150))
            || general.get(text)
    }

    /// Whether the document at `start..end` is a particular one: its clause
    /// names a person ([`names_someone`]) or holds a [`PARTICULAR`] word.
    fn particular(&self, text: &Text<'_>, start: usize, end: usize, general: &GeneralText) -> bool {
        let own = clause(text.original, start, end, 300);
        if names_someone_in(text, own.clone(), start, end) {
            return true;
        }
        // In a general text (a newsletter: "uw behandelplan in de app")
        // only a name makes a document a particular one; nor does a
        // possessive when the reader is asked to bring it along.
        self.particular.any(&text.lower[own.clone()])
            && !self.brought_along.any(&text.lower[own])
            && !general.get(text)
    }
}

/// `text` with the separators of file names (`_ - . +`) read as spaces;
/// the same length, so byte offsets still fit.
fn separators_as_spaces(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '_' | '-' | '.' | '+') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// In a file name, any capitalised word that is a known surname, or a name
/// written as lowercase surname (`dossier_jansen.pdf`).
fn has_name_token(spaced_original: &str) -> bool {
    spaced_original.split(' ').any(|w| {
        let l = w.to_lowercase();
        l.len() >= 3 && crate::detect::names::is_last_name(&l)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::detect::threshold_checks!(PatientDossierDetector::new());

    #[test]
    fn finds_dutch_care_documents() {
        must_find("Hierbij het zorgplan van mevrouw Jansen.");
        must_find("In de bijlage het cliëntdossier.");
        must_find("Ik stuur je het clientdossier door.");
        must_find("Zie het behandelplan en het MDO-verslag van vorige week.");
        must_find("Het indicatiebesluit van mevrouw Jansen is binnen.");
        must_find("De WLZ-indicatie van dhr. Bos is afgegeven.");
        must_find("Bijgaand de ontslagbrief en de verwijsbrief.");
        must_not(
            "Your GP's referral letter is not required, but if you have one, please bring it.",
        );
        must_not("Neemt u uw verwijsbrief en uw verzekeringspas mee naar de eerste afspraak?");
        must_find("Hierbij uw verwijsbrief, die u nog niet had.");
        must_find("Kun je het dossier van cliënt Pietersen doorsturen?");
        must_find("Het medisch dossier van hem ligt bij de huisarts.");
    }

    #[test]
    fn documents_named_in_agreements_are_no_document_being_sent() {
        must_not("Inhoud overdracht: verpleegkundige overdracht, actueel medicatieoverzicht en het wondbeleid.");
        must_not("Het medicatieoverzicht komt voortaan gestructureerd binnen.");
        // Saying that a file changed carries none of it; what it holds,
        // written out, is found by the other detectors.
        must_not("Het patiëntdossier is bijgewerkt.");
        must_not("Het indicatiebesluit van het CIZ is binnen.");
        must_not("Het intakeverslag volgt morgen.");
    }

    #[test]
    fn finds_english_care_documents() {
        must_find("Attached is the patient file for Mr Brown.");
        must_find("Please find her care plan and the discharge letter attached.");
        must_find("The medical records were sent to the GP.");
        must_find("Referral letter enclosed.");
    }

    #[test]
    fn finds_attachment_file_names() {
        must_find("dossier_jansen.pdf");
        must_find("Zorgplan J. de Vries 2024.docx");
        must_find("medisch-verslag.pdf");
        must_find("medisch_dossier_v2.pdf");
        must_find("behandelplan-2024-03.docx");
        must_find("MDO_verslag_week12.docx");
        must_find("patient_record_smith.pdf");
        must_find("ZorgplanDeVries.pdf");
        // Forms to fill in.
        must_not("Intakeformulier_POH-GGZ_leeg.pdf");
        must_not("zorgplan_template_2025.docx");
        must_not("Blanco behandelplan.docx");
    }

    #[test]
    fn ignores_non_care_dossiers() {
        must_not("Het dossier over de nieuwe aanbesteding staat op SharePoint.");
        must_not("Zie het projectdossier voor de planning.");
        must_not("Nieuwsbrief: Dossier Kunstmatige Intelligentie");
        must_not("projectdossier_2024.pdf");
        must_not("dossier_aanbesteding.pdf");
        must_not("jaarverslag.pdf");
        must_not("Hierbij het lege sjabloon voor het zorgplan.");
        must_not("Template: care plan format for the new system.");
    }

    #[test]
    fn ignores_advice_on_sending_care_documents() {
        must_not("- stuur geen BSN of medische gegevens via gewone mail;\n- gebruik ons portaal voor vragen over uw zorg.");
        must_not("Never send a patient's medical records by ordinary e-mail.");
        must_not("Verstuur nooit een zorgplan zonder versleuteling.");
        must_find("Hierbij de medische gegevens van mevrouw Jansen.");
        must_find("Zoals gevraagd stuur ik u het zorgplan van dhr. Bakker.");
    }
}
