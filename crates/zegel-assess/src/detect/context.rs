//! Helpers for looking at the words around a match, by concept:
//!
//! - `words.rs`: windows, word and sentence boundaries, clauses;
//! - `dictionary.rs`: [`Dictionary`], keyword lists as one automaton;
//! - `person.rs`: whether a match is about a person ([`AboutPerson`],
//!   [`person_score`], [`GENERAL_CUES`]);
//! - `signature.rs`: signatures, anonymous texts and blank forms;
//! - `digits.rs`: digit runs and groups and their labels.

use crate::detect::role::{private_name_in, PrivateNames};
use crate::detect::Text;
use std::ops::Range;
use std::sync::Arc;

mod dictionary;
mod digits;
mod person;
mod signature;
mod words;

pub use dictionary::*;
pub use digits::*;
pub use person::*;
pub use signature::*;
pub use words::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_digit_agrees_with_a_plain_scan() {
        let texts = [
            "",
            "abc",
            "abcdefghijklmnop9",
            "héé/:;@[`{~ 0",
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            "/:/:/:/:/:/:/:/:5",
            "ÿÿÿÿÿÿÿÿÿÿÿÿ1",
        ];
        for t in texts {
            let b = t.as_bytes();
            for from in 0..=b.len() {
                let want = b[from..]
                    .iter()
                    .position(u8::is_ascii_digit)
                    .map(|p| p + from);
                assert_eq!(find_digit(b, from), want, "{t:?} from {from}");
            }
        }
    }

    #[test]
    fn stated_thresholds_are_counted_but_quote_markers_are_not() {
        assert_eq!(
            thresholds("gewichtsreductie bij BMI > 30\nbij BMI > 40 verwijzen"),
            2
        );
        assert_eq!(thresholds("Bij HADS-A >= 11 of <= 7 days"), 2);
        assert_eq!(thresholds("> 2024 was een goed jaar\n>> 12 dagen"), 0);
        assert_eq!(thresholds("de pijl -> 3 en a<b"), 1);
    }

    #[test]
    fn blank_forms_are_told_from_filled_ones() {
        assert!(blank_form(
            "1. Gegevens\nNaam: ..........\nBurgerservicenummer: ______\nGeboortedatum: ....\nBegeleiding / dagbesteding"
        ));
        assert!(!blank_form(
            "Naam: Jan de Vries\nBSN: 123456782\nGeboortedatum: 01-02-1960\nIndicatie: dagbesteding"
        ));
        assert!(!blank_form("Naam: ....\nVerder niets."));
        // A form laid out as a Word table: labels before empty cells.
        assert!(blank_form(
            "Aanvraag medicatiebeoordeling\nNaam patiënt\t\nGeboortedatum\t\nBSN\t\nHuisarts / POH\t\nBepaling\tWaarde\tDatum\neGFR\t\t\nHbA1c\t\t"
        ));
        assert!(!blank_form(
            "Naam patiënt\tJan de Vries\nGeboortedatum\t01-02-1960\nBSN\t123456782\nHuisarts\t\neGFR\t48\t\n"
        ));
        // People in the first column, columns still to fill: a list of them.
        assert!(!blank_form(
            "Aanwezig\nJan de Vries\t\t\nPiet Bakker\t\t\nAnna Smit\t\t\n"
        ));
        // Partly filled in: about someone.
        assert!(!blank_form(
            "Naam: Jan de Vries\nBSN: 123456782\nTelefoon: ....\nE-mail: ....\nHuisarts: ...."
        ));
        // Check boxes: none ticked and nothing filled is an empty form; a
        // filled one with most boxes empty is about someone.
        assert!(blank_form(
            "Naam patiënt\n\nGeboortedatum\n\n[ ] Hb, MCV\n[ ] HbA1c\n[ ] TSH\n[ ] Overig: .......\nNuchter: [ ] ja  [ ] nee"
        ));
        assert!(!blank_form(
            "Naam patiënt: Jan de Vries\nGeboortedatum: 01-02-1960\n[ ] Hb, MCV\n[ ] HbA1c\n[ ] TSH\n[ ] PSA\n[ ] CRP\n[ ] Ferritine\n[ ] Glucose"
        ));
        assert!(!blank_form(
            "Patiënt J. de Vries, 01-02-1960\n[x] HbA1c\n[ ] TSH\n[ ] PSA\n[ ] CRP\nOverig: ....."
        ));
        // Filled in under the labels, ticked with a check mark: about someone.
        assert!(!blank_form(
            "Naam patiënt\nJan de Vries\nGeboortedatum\n01-02-1960\n[ ] Hb, MCV\n[ ] HbA1c\n[ ] TSH\n[ ] PSA"
        ));
        assert!(!blank_form(
            "Patiënt\n\n[ ] Hb, MCV\n✓ HbA1c\n[ ] TSH\n[ ] PSA\n[ ] CRP\nNuchter: [ ] ja  [ ] nee"
        ));
    }

    #[test]
    fn clauses_end_at_sentences_not_at_abbreviations() {
        let s = "Intro. Dhr. Verhoef is lid van de FNV; hij noemt de cao. Daarna iets.";
        let at = s.find("FNV").unwrap();
        assert_eq!(
            &s[clause(s, at, at + 3, 300)],
            " Dhr. Verhoef is lid van de FNV"
        );
        let list = "Wij vragen:\n- J. Evers, lid\n- S. Koster, lid\n";
        let at = list.find("Koster").unwrap();
        assert_eq!(&list[clause(list, at, at + 6, 300)], "- S. Koster, lid");
        let fnv = s.find("FNV").unwrap();
        assert!(names_someone(s, clause(s, fnv, fnv + 3, 300), fnv, fnv + 3));
        let plain = "De vakbond onderhandelt. Over de cao.";
        let at = plain.find("vakbond").unwrap();
        assert!(!names_someone(
            plain,
            clause(plain, at, at + 7, 300),
            at,
            at + 7
        ));
    }

    #[test]
    fn digit_runs_and_groups() {
        let b = b"tel 06-1234 5678 en 1234.56.782.";
        let runs: Vec<_> = digit_runs(b).collect();
        assert_eq!(runs[0], 4..6);
        let g = digit_groups(b, 20, b" .-", 8);
        assert_eq!(g.lens(), &[4, 2, 3]);
        assert_eq!(g.sep, Some(b'.'));
        assert_eq!(g.end, 31);
        assert!(!joined_after(b, g.end, b"."));
        let g = digit_groups(b, 4, b" -", 8);
        assert_eq!(g.lens(), &[2, 4]);
    }

    #[test]
    fn iban_prefix_is_recognised() {
        let b = b"NL91 ABNA 0417 1643 00";
        assert!(after_iban_prefix(b, 10));
        assert!(after_iban_prefix(b, 15));
        assert!(!after_iban_prefix(b"bel ons 0201234567", 8));
    }

    #[test]
    fn closest_label_wins() {
        let lower = "bsn onbekend, bestelnummer 100000009";
        assert_eq!(
            closest_label(
                lower,
                27,
                40,
                &Labels::new(&["bsn"]),
                &Labels::new(&["bestelnummer"])
            ),
            Some(false)
        );
        assert_eq!(
            closest_label(
                "bsn: 1",
                5,
                40,
                &Labels::new(&["bsn"]),
                &Labels::new(&["order"])
            ),
            Some(true)
        );
    }

    #[test]
    fn window_respects_char_boundaries() {
        let text = "één twee drie";
        let w = window(text, 5, 9, 3, 3);
        assert!(text.contains(w));
    }

    #[test]
    fn near_any_finds_context_word() {
        let lower = "het bsn van de client is 123456782";
        assert!(near_any(lower, 25, 34, 30, &Labels::new(&["bsn"])));
        assert!(!near_any(lower, 25, 34, 5, &Labels::new(&["bsn"])));
    }
}
