//! Content explicitly marked confidential: "vertrouwelijk", "strikt
//! vertrouwelijk", "niet openbaar", "niet voor verspreiding", "intern
//! gebruik", "geheim", "confidential", "internal use only", classification
//! labels (Dep. V, Stg. Confidentieel, Stg. Geheim).
//!
//! Not the standard footer disclaimer ("Dit bericht is vertrouwelijk en
//! uitsluitend bestemd voor de geadresseerde ... per abuis ...", "This e-mail
//! is confidential and intended solely for the addressee ... received this in
//! error"): a hit whose paragraph (up to the blank lines around it, at most
//! 300 bytes either way) holds a disclaimer cue is not reported.
//!
//! # Scoring
//!
//! Strong markings (strikt vertrouwelijk, not for distribution, internal use
//! only, Dep. V, Stg. ...) 0.9; "vertrouwelijk"/"confidential" 0.75;
//! "geheim"/"secret" 0.35 (usually prose: "het geheim van"). A hit that looks
//! like a label (written in capitals, at the start of a line or the text, in
//! brackets, or after "classificatie:"/"rubricering:"/"classification:")
//! gains 0.2 (capped at 0.95), so "GEHEIM" or "[geheim]" passes the policy
//! threshold of 0.5 and "het geheim van de smid" does not.

use crate::detect::context::{paragraph, Dictionary};
use crate::detect::{Detector, Text};
use crate::finding::{FindingKind, Match};

const STRONG: &[&str] = &[
    "strikt vertrouwelijk",
    "zeer vertrouwelijk",
    "strictly confidential",
    "highly confidential",
    "private and confidential",
    "privileged and confidential",
    "niet openbaar",
    "niet voor verspreiding",
    "niet verspreiden",
    "niet doorsturen",
    "niet voor publicatie",
    "intern gebruik",
    "alleen voor intern gebruik",
    "uitsluitend voor intern gebruik",
    "internal use only",
    "for internal use only",
    "not for distribution",
    "not for circulation",
    "do not distribute",
    "do not forward",
    "not for publication",
    "dep. v",
    "dep.v",
    "departementaal vertrouwelijk",
    "stg. confidentieel",
    "stg confidentieel",
    "stg. geheim",
    "stg geheim",
    "stg. zeer geheim",
    "stg zeer geheim",
    "staatsgeheim",
    "staatsgeheim confidentieel",
    "top secret",
    "under embargo",
    "onder embargo",
];

const MEDIUM: &[&str] = &[
    "vertrouwelijk",
    "vertrouwelijke",
    "confidentieel",
    "confidential",
];

const WEAK: &[&str] = &["geheim", "geheime", "secret"];

/// Sentences that make a hit part of a footer disclaimer.
const DISCLAIMER_CUES: &[&str] = &[
    // Not "bestemd voor" alone: "STRIKT VERTROUWELIJK - uitsluitend bestemd
    // voor de voorzitter van de RvC" is a marking; the footer says
    // "bestemd voor de geadresseerde".
    "geadresseerde*",
    "per abuis",
    "onbedoeld",
    "ten onrechte",
    "niet de beoogde",
    "afzender",
    "intended recipient*",
    "intended solely",
    "intended only",
    "addressee*",
    "in error",
    "received this",
    "disclaimer",
    "notify the sender",
    "notify us",
    "delete this",
    "verwijder*",
    "aansprakelijk*",
    "liability",
    "virus",
];

/// Words just before a hit that make it a label.
const LABEL_LEADS: &[&str] = &[
    "classificatie",
    "rubricering",
    "classification",
    "markering",
];

/// Finds explicit confidentiality markings (see the module doc).
pub struct ConfidentialDetector {
    terms: Dictionary,
    base: Vec<f32>,
    disclaimer: Dictionary,
}

impl std::fmt::Debug for ConfidentialDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfidentialDetector")
    }
}

impl Default for ConfidentialDetector {
    fn default() -> Self {
        ConfidentialDetector::new()
    }
}

impl ConfidentialDetector {
    /// Compiles the dictionaries.
    pub fn new() -> ConfidentialDetector {
        let mut all: Vec<&str> = Vec::new();
        let mut base = Vec::new();
        for (list, b) in [(STRONG, 0.9), (MEDIUM, 0.75), (WEAK, 0.35)] {
            all.extend_from_slice(list);
            base.extend(std::iter::repeat_n(b, list.len()));
        }
        ConfidentialDetector {
            terms: Dictionary::shared(&all),
            base,
            disclaimer: Dictionary::new(DISCLAIMER_CUES),
        }
    }
}

/// Whether the hit at `start..end` looks like a label rather than prose.
fn looks_like_label(original: &str, lower: &str, start: usize, end: usize) -> bool {
    let term = &original[start..end];
    if term
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| c.is_uppercase())
    {
        return true;
    }
    let before = lower[..start].trim_end_matches([' ', '\t']);
    let after = lower[end..].trim_start_matches([' ', '\t']);
    // In brackets only when alone in them ("[geheim]", "(vertrouwelijk)"):
    // "(secret name: …)" and "(… no secret)" are prose in brackets.
    let opened = before.ends_with(['[', '(']);
    let closed = after.starts_with([']', ')']);
    if opened || closed {
        return opened && closed;
    }
    if before.is_empty() || before.ends_with(['\n', '*', '-', '|']) {
        return true;
    }
    let before = before.trim_end_matches(':').trim_end();
    if LABEL_LEADS.iter().any(|l| before.ends_with(l)) {
        return true;
    }
    after.is_empty() || after.starts_with(['\n', '\r'])
}

impl Detector for ConfidentialDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::Confidential
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        self.terms.find_in(text, |hit| {
            let para = paragraph(&text.lower, hit.start, hit.end, 300);
            if self.disclaimer.any(para)
                || in_identifier(text.original, hit.start, hit.end)
                || note_to_editors(&text.lower, hit.start)
                || about_publishing(&text.lower, hit.start, hit.end)
                || about_handling(&text.lower, hit.end)
            {
                return;
            }
            let mut confidence = self.base[hit.term];
            if looks_like_label(text.original, &text.lower, hit.start, hit.end) {
                confidence = (confidence + 0.2).min(0.95);
            }
            out.push(Match {
                kind: FindingKind::Confidential,
                span: hit.start..hit.end,
                excerpt: text.original[hit.start..hit.end].to_string(),
                confidence,
            });
        });
    }
}

/// Whether the hit stands in the heading of a press release's note to
/// editors ("Noot voor de redactie (niet voor publicatie):", "Note to
/// editors - not for publication"): the press convention for "this part is
/// for the journalist", not a marking of the mail.
fn note_to_editors(lower: &str, start: usize) -> bool {
    let line = &lower[lower[..start].rfind('\n').map_or(0, |p| p + 1)..start];
    ["redactie", "editor"].iter().any(|w| line.contains(w))
}

/// Whether "niet openbaar" is the verb "openbaar maken" (to publish) in its
/// sentence ("het adres maken wij niet openbaar", "wordt niet openbaar
/// gemaakt"): a statement about publishing something, not a marking.
fn about_publishing(lower: &str, start: usize, end: usize) -> bool {
    if !lower[start..end].ends_with("openbaar") {
        return false;
    }
    let sentence_start = lower[..start]
        .rfind(['.', '!', '?', '\n'])
        .map_or(0, |p| p + 1);
    let sentence_end = lower[end..]
        .find(['.', '!', '?', ';', '\n'])
        .map_or(lower.len(), |p| end + p);
    lower[sentence_start..sentence_end]
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| {
            matches!(
                w,
                "maak" | "maakt" | "maken" | "maakte" | "maakten" | "gemaakt"
            )
        })
}

/// Whether the word after the hit says how something is handled ("dit wordt
/// vertrouwelijk behandeld", "we gaan er vertrouwelijk mee om"): a promise
/// about handling, not a marking of the mail.
fn about_handling(lower: &str, end: usize) -> bool {
    let next = lower[end..]
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    matches!(
        next,
        "behandeld"
            | "behandelen"
            | "behandelt"
            | "mee"
            | "omgaan"
            | "omgegaan"
            | "bewaard"
            | "opgeslagen"
            | "verwerkt"
            | "handled"
            | "treated"
            | "kept"
            | "stored"
            | "processed"
    )
}

/// Whether the hit is part of a programmer's identifier rather than a
/// marking: joined by `_` to more letters (`WEBHOOK_SECRET`,
/// `client_secret`) or an environment variable (`$SECRET`, `%SECRET%`).
/// A dash is not enough: "VERTROUWELIJK-INTERN" is a marking.
fn in_identifier(original: &str, start: usize, end: usize) -> bool {
    let bytes = original.as_bytes();
    let joined_before =
        start >= 2 && bytes[start - 1] == b'_' && bytes[start - 2].is_ascii_alphanumeric();
    let joined_after =
        bytes.get(end) == Some(&b'_') && bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
    let variable = start >= 1 && matches!(bytes[start - 1], b'$' | b'%');
    joined_before || joined_after || variable
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::detect::threshold_checks!(ConfidentialDetector::new());

    #[test]
    fn finds_markings() {
        must_find("STRIKT VERTROUWELIJK\n\nHierbij het verslag van de reorganisatie.");
        must_find("Vertrouwelijk: de plannen voor de fusie met gemeente X.");
        must_find("Dit document is niet openbaar.");
        must_find("Niet voor verspreiding buiten het MT.");
        must_find("Alleen voor intern gebruik.");
        must_find("Rubricering: Dep. V");
        must_find("Classificatie: Stg. Confidentieel");
        must_find("[GEHEIM] onderhandelingspositie");
        must_find("Strictly confidential - board minutes attached.");
        must_find("Geachte heer De Bruijn,\n\nSTRIKT VERTROUWELIJK - uitsluitend bestemd voor de voorzitter van de RvC\n\nZoals besproken.");
        must_find("This memo is for internal use only.");
        must_find("Not for distribution.");
        must_find("Please treat this as confidential until Friday.");
    }

    #[test]
    fn ignores_identifiers_in_code() {
        must_not("sha256=HMAC(<WEBHOOK_SECRET>, timestamp + body)");
        must_not("Set CLIENT_SECRET and $SECRET in the .env file.");
        must_find("VERTROUWELIJK-INTERN\n\nDe plannen voor de fusie.");
    }

    #[test]
    fn ignores_footer_disclaimers() {
        must_not(
            "Met vriendelijke groet,\nJan\n\nDit bericht is vertrouwelijk en uitsluitend bestemd voor de \
             geadresseerde. Indien u dit bericht onbedoeld ontvangt, verzoeken wij u het te \
             verwijderen en de afzender te informeren.",
        );
        must_not(
            "De informatie in dit e-mailbericht is vertrouwelijk. Heeft u dit bericht per abuis \
             ontvangen, dan verzoeken wij u dit te melden.",
        );
        must_not(
            "This e-mail is confidential and intended solely for the addressee. If you have \
             received this in error, please notify the sender and delete it.",
        );
        must_not("CONFIDENTIALITY NOTICE: this message is confidential. If you are not the intended recipient, delete it.");
    }

    #[test]
    fn ignores_press_conventions_and_publishing() {
        must_not("Noot voor de redactie (niet voor publicatie):\nVoor interviews kunt u bellen.");
        must_not("Note to editors - not for publication: photos on request.");
        must_not("Het adres van de locatie maken wij in verband met de privacy niet openbaar.");
        must_not("De uitslag wordt niet openbaar gemaakt.");
        must_find("Dit document is niet openbaar.");
        must_find("NIET VOOR PUBLICATIE\nDe plannen voor de fusie.");
    }

    #[test]
    fn ignores_prose_uses() {
        must_not("Het geheim van een goede taart is geduld.");
        must_not("The secret to good coffee is fresh beans.");
        // Words of an IT text in brackets, not a label.
        must_not("read at runtime from our Key Vault (secret name: carebridge-adt-apikey), so");
        must_not("App registration ID: 5b3e1c2a (this is the public client ID, no secret).");
        must_find("Notulen MT [geheim]: de reorganisatie.");
        must_not("We bespreken de vertrouwelijkheid van gegevens in de training.");
        must_not("Our confidentiality policy is on the intranet.");
        // A promise about handling, also when the line wraps before it.
        must_not("neem contact op met de mentor, dit wordt\nvertrouwelijk behandeld.");
        must_not("We gaan er vertrouwelijk mee om.");
        must_find("VERTROUWELIJK\nGraag niet doorsturen: de notulen van het MT.");
    }
}
