//! Credentials: stated passwords and PINs (`wachtwoord: X`, `password is X`,
//! `ww: X`, `pincode 1234`, `inlogcode`), one-time and authorisation codes
//! (`machtigingscode: 7KQ4-R9WM-2HXT`), API keys and tokens of known
//! formats (AWS, GitHub, Slack, Stripe, Google, JWT), high-entropy strings
//! right after a key/token/secret word, PEM private keys, and connection
//! strings with a password (`postgres://user:pass@host`, `Password=...;`).
//!
//! Notices and advice about passwords are not credentials: "Uw wachtwoord is
//! gewijzigd", "wachtwoord vergeten?", "reset your password", "het
//! wachtwoord volgt per sms", "password: ********", "Wachtwoord: <zie sms>".

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::mask::{mask_keep, mask_secret};
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// What a keyword announces.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Announces {
    Password,
    Pin,
    /// A lock, door or key-safe code: digits, possibly grouped
    /// (`4-8-1-9`) or closed with `#`; only with a delimiter.
    Code,
    Key,
}

/// What makes `code` a one-time or authorisation code, which opens an
/// account or a mandate once ("Machtigingscode: 7KQ4-R9WM-2HXT"): the
/// word it ends (`machtigingscode`, `sms-verificatiecode`) or the word
/// before it (`verification code`). Read around the `code` keyword rather
/// than as keywords of their own: past 64 patterns the keyword search
/// loses its packed (Teddy) prefilter and costs twice as much.
const ONE_TIME_CODES: &[&str] = &[
    "machtigings",
    "activerings",
    "activatie",
    "verificatie",
    "herstel",
    "beveiligings",
    "authenticatie",
    "aanmeld",
    "activation",
    "verification",
    "recovery",
    "backup",
];

/// Whether the `code` keyword at `s` of `lower` ends a one-time code word
/// or follows one ([`ONE_TIME_CODES`]).
fn one_time_code(lower: &[u8], s: usize) -> bool {
    let mut end = s;
    if end > 0 && lower[end - 1] == b' ' {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && lower[start - 1].is_ascii_alphabetic() {
        start -= 1;
    }
    let before = &lower[start..end];
    ONE_TIME_CODES.iter().any(|w| before == w.as_bytes())
}

/// Keywords (lowercase) and what they announce; at most 64 (see
/// [`ONE_TIME_CODES`]), which a test checks.
const KEYWORDS: &[(&str, Announces)] = &[
    ("wachtwoord", Announces::Password),
    ("password", Announces::Password),
    ("passwort", Announces::Password),
    ("passwd", Announces::Password),
    ("pwd", Announces::Password),
    // `pass:` is also a boarding or parking pass: its value must look like
    // a password (see `keyword_values`).
    ("pass:", Announces::Password),
    ("pass=", Announces::Password),
    // Two-letter abbreviations only with their delimiter: short patterns
    // would slow the keyword search down.
    ("pw:", Announces::Password),
    ("pw=", Announces::Password),
    ("pw :", Announces::Password),
    ("ww:", Announces::Password),
    ("ww=", Announces::Password),
    ("ww :", Announces::Password),
    // `ww is Welkom2026!`, `ww van de mailbox is ...`.
    ("ww is", Announces::Password),
    ("ww van", Announces::Password),
    // `ww Hartslag-2024!`: bare, so only a strong or chosen password.
    ("ww ", Announces::Password),
    ("startww", Announces::Password),
    ("psk", Announces::Password),
    ("pre-shared key", Announces::Password),
    ("preshared key", Announces::Password),
    ("shared secret", Announces::Password),
    ("wifi-sleutel", Announces::Password),
    ("wifisleutel", Announces::Password),
    ("netwerksleutel", Announces::Password),
    ("wpa-sleutel", Announces::Password),
    ("wifi key", Announces::Password),
    ("network key", Announces::Password),
    ("passphrase", Announces::Password),
    ("pincode", Announces::Pin),
    ("pin-code", Announces::Pin),
    ("pin", Announces::Pin),
    ("inlogcode", Announces::Pin),
    ("toegangscode", Announces::Pin),
    ("access code", Announces::Pin),
    // Codes of locks and key safes; `code` alone only as a word (not
    // `postcode`), and a code always needs `:`, `=` or `is`.
    ("code", Announces::Code),
    ("deurcode", Announces::Code),
    ("kluiscode", Announces::Code),
    ("sleutelkluis", Announces::Code),
    ("sleutelkastje", Announces::Code),
    ("key safe", Announces::Code),
    ("keysafe", Announces::Code),
    ("key box", Announces::Code),
    ("lockbox", Announces::Code),
    ("alarmcode", Announces::Code),
    ("alarm", Announces::Code),
    ("slotcode", Announces::Code),
    ("cijfercode", Announces::Code),
    ("combinatiecode", Announces::Code),
    ("lock code", Announces::Code),
    ("door code", Announces::Code),
    ("safe code", Announces::Code),
    ("alarm code", Announces::Code),
    ("api key", Announces::Key),
    ("api-key", Announces::Key),
    ("api_key", Announces::Key),
    ("apikey", Announces::Key),
    ("access key", Announces::Key),
    ("access_key", Announces::Key),
    ("secret", Announces::Key),
    ("token", Announces::Key),
    ("sleutel", Announces::Key),
    // "live key: live_hT7q…", "test key: …": a key whatever its kind, as
    // long as the value looks like one (high entropy).
    ("key", Announces::Key),
];

/// Adverbs between a weak delimiter and the value ("ww is nog steeds
/// X", "the code is now X"): skipped, the value must still look like one.
const FILLERS: &[&str] = &[
    "nog",
    "steeds",
    "altijd",
    "nu",
    "tijdelijk",
    "gewoon",
    "ook",
    "weer",
    "voorlopig",
    "still",
    "now",
    "currently",
    "temporarily",
    "again",
    "also",
];

/// Words that, right after `wachtwoord:`, say no password follows.
const NOT_A_VALUE: &[&str] = &[
    "zie",
    "volgt",
    "per",
    "via",
    "wordt",
    "is",
    "niet",
    "geen",
    "n/a",
    "nvt",
    "n.v.t.",
    "onbekend",
    "unknown",
    "none",
    "sent",
    "see",
    "will",
    "follows",
    "separately",
    "apart",
    "gewijzigd",
    "changed",
    "reset",
    "vergeten",
    "forgot",
    "forgotten",
    "required",
    "verplicht",
    "invalid",
    "incorrect",
    "ongeldig",
    "expired",
    "verlopen",
    "the",
    "your",
    "uw",
    "je",
    "jouw",
    "het",
    "de",
    "een",
    "a",
    "an",
    "to",
    "for",
    "voor",
    "van",
    "of",
    "and",
    "en",
    "same",
    "hetzelfde",
    "redacted",
    "verwijderd",
    "hidden",
    "verborgen",
    "minimaal",
    "minimum",
    "at",
    "must",
    "moet",
    "should",
    "min",
    "max",
    "ontvangt",
    "receive",
    "krijgt",
    "nieuw",
    "new",
    "tijdelijk",
    "temporary",
    "sms",
    "e-mail",
    "email",
    "mail",
    "telefonisch",
    "phone",
    "bellen",
    "call",
    "ask",
    "vraag",
    "vragen",
    "klik",
    "click",
    "hier",
    "here",
    "wijzigen",
    "change",
    "instellen",
    "set",
    "kies",
    "choose",
    "enter",
    "invullen",
    "vul",
    "type",
    "typ",
    "sterk",
    "strong",
    "ingesteld",
    "aangemaakt",
    "created",
    "opnieuw",
    "again",
];

/// Words that are placeholders for a password in examples.
const PLACEHOLDERS: &[&str] = &[
    "password",
    "pass",
    "pwd",
    "wachtwoord",
    "secret",
    "yourpassword",
    "mypassword",
    "xxx",
    "xxxx",
    "xxxxx",
    "changeme_example",
];

/// Finds credentials.
#[derive(Debug)]
pub struct CredentialDetector {
    keywords: AhoCorasick,
    tokens: Regex,
}

impl Default for CredentialDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// Short clauses that state what follows on the next line ("It is:").
const STATING: &[&str] = &[
    "it is:",
    "this is:",
    "that is:",
    "here it is:",
    "het is:",
    "dit is:",
    "die is:",
    "deze is:",
    "hier is het:",
    "het luidt:",
    "namelijk:",
];

impl CredentialDetector {
    /// A credential detector.
    pub fn new() -> CredentialDetector {
        let keywords = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(KEYWORDS.iter().map(|(k, _)| k))
            .expect("keywords compile");
        let tokens = Regex::new(
            r"(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|xox[bpaors]-[A-Za-z0-9-]{10,}|[rs]k_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----",
        )
        .expect("token pattern compiles");
        CredentialDetector { keywords, tokens }
    }
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a value looks like a password rather than a word: it has a
/// digit, a symbol, or upper and lower case after the first letter.
fn password_like(v: &str) -> bool {
    let b = v.as_bytes();
    b.iter().any(u8::is_ascii_digit)
        || b.iter().any(|c| !c.is_ascii_alphanumeric())
        || (b[1..].iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase))
}

/// Whether a stated value (lowercase) is a word saying no secret follows
/// ("zie", "volgt") or a placeholder ("password", "xxxx").
fn not_a_secret(lower: &str) -> bool {
    NOT_A_VALUE.contains(&lower) || PLACEHOLDERS.contains(&lower)
}

/// Whether a value is a mask or a pointer elsewhere (`********`, `<zie sms>`).
fn hidden(v: &str) -> bool {
    v.bytes()
        .all(|b| matches!(b, b'*' | b'x' | b'X' | b'#' | b'.' | b'-' | b'_'))
        || v.starts_with(['<', '[', '(', '{', '$', '%'])
        || v.starts_with("•")
        || v.starts_with("…")
}

/// Whether a value is shaped like a chosen password: 8 to 64 characters
/// with upper and lower case, a digit and a symbol other than the
/// separators of references and file names (`-`, `.`, `_`, `/`).
fn strong_password(v: &str) -> bool {
    let b = v.as_bytes();
    (8..=64).contains(&b.len())
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter().any(u8::is_ascii_digit)
        && b.iter().any(|c| b"!#$%&*?@^~+=".contains(c))
        && !v.contains("://")
}

/// Whether a value is shaped like a password people choose without a
/// symbol: 8 to 64 letters and digits, words perhaps joined by `-` or `_`
/// (`gR4s-Vlinder-Kade-81`), with upper and lower case and at least two
/// digits among the letters (`Dijk2027raad`, `Welkom2026`), not a
/// reference in capitals (`INC2024113`) nor a word with a year on it in
/// lowercase.
fn chosen_password(v: &str) -> bool {
    let b = v.as_bytes();
    (8..=64).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().filter(|c| c.is_ascii_lowercase()).count() >= 3
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 2
}

/// A password stated further on in the keyword's clause, after `is`
/// ("PSK heb ik net aangepast, is nu  Hv7!mRq2#Wbork-2024"): at most 60
/// bytes on, in the same sentence, and only a strong password, as nothing
/// ties it to the keyword but the clause.
fn later_in_clause(original: &str, end: usize, what: Announces) -> Option<(usize, usize, f32)> {
    if what != Announces::Password {
        return None;
    }
    let mut limit = (end + 60).min(original.len());
    while !original.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &original[end..limit];
    let clause_end = window
        .find(['.', '?', '!', '\n'])
        .map_or(window.len(), |p| {
            // A full stop inside a password is not the end of the clause.
            if window
                .as_bytes()
                .get(p + 1)
                .is_some_and(|b| !b.is_ascii_whitespace())
            {
                window.len()
            } else {
                p
            }
        });
    let clause = &window[..clause_end];
    let verb = [" is nu ", " is voortaan ", " is "]
        .iter()
        .find_map(|v| clause.find(v).map(|p| p + v.len()))?;
    let rest = &original[end + verb..];
    let lead = rest.len() - rest.trim_start().len();
    let value = rest.split_whitespace().next()?;
    let value = value.trim_end_matches([',', ';', ')']);
    strong_password(value).then(|| {
        let start = end + verb + lead;
        (start, start + value.len(), 0.85)
    })
}

/// Whether a value is shaped like the code of a lock or key safe: four to
/// eight digits, or single digits joined by dashes or spaces (`4-8-1-9`,
/// `2 7 0 4`), perhaps closed with `#`. Not a reference such as
/// `2026-0331`, nor a year.
fn lock_code(v: &str) -> bool {
    let v = v.strip_suffix('#').unwrap_or(v);
    let b = v.as_bytes();
    let year = b.len() == 4 && (v.starts_with("19") || v.starts_with("20"));
    let plain = (4..=8).contains(&b.len()) && b.iter().all(u8::is_ascii_digit) && !year;
    plain || spelled_digits(v)
}

/// Words that introduce a list of lock or key-safe codes, one per place
/// ("dit zijn de huidige codes:", "Sleutelkluizen:").
const CODE_LIST_WORDS: &[&str] = &[
    "codes",
    "kluiscodes",
    "deurcodes",
    "alarmcodes",
    "pincodes",
    "kluizen",
    "sleutelkluizen",
    "sleutelkluis",
    "sleutelkluisjes",
];

/// Lock codes listed one per place under a line that introduces them and
/// ends in a colon ("dit zijn de huidige codes:" then "Bergstraat 22 Baarn
/// (achterom): 0958"): each line `<place>: <code>` of the list, up to its
/// first blank line (one blank line right after the introduction is
/// allowed), is a key-safe code.
fn listed_lock_codes(text: &Text<'_>, out: &mut Vec<Match>) {
    let lower = text.lower.as_str();
    let original = text.original;
    // Only the lines that hold "code" or "kluis" and end in a colon.
    let intros = super::context::lines_holding(lower, &["code", "kluis"])
        .into_iter()
        .filter(|l| lower[l.clone()].trim_end().ends_with(':'));
    for std::ops::Range { start, end } in intros {
        let intro = &lower[start..end];
        let mut words = intro.split(|c: char| !c.is_alphanumeric());
        let Some(word) = words.find(|w| CODE_LIST_WORDS.contains(w)) else {
            continue;
        };
        // Plain "codes" may be error or article codes: only with what
        // locks do ("zodat je ze open krijgt") or a lock word near.
        let of_locks =
            word != "codes" || intro.contains("open") || lock_nearby(lower, end.saturating_sub(1));
        if !of_locks {
            continue;
        }
        let mut lines = original[(end + 1).min(original.len())..]
            .split_inclusive('\n')
            .scan(end + 1, |at, l| {
                let here = *at;
                *at += l.len();
                Some((here, l.trim_end_matches(['\r', '\n'])))
            })
            .peekable();
        // One blank line may stand between the introduction and the list.
        if lines.peek().is_some_and(|(_, l)| l.trim().is_empty()) {
            lines.next();
        }
        for (item_at, item) in lines.take(30) {
            if item.trim().is_empty() {
                break;
            }
            let Some(colon) = item.rfind(':') else {
                continue;
            };
            let after = &item[colon + 1..];
            let value = after.trim();
            if colon == 0 || !lock_code(value) {
                continue;
            }
            let start = item_at + colon + 1 + (after.len() - after.trim_start().len());
            out.push(Match {
                kind: FindingKind::Credential,
                span: start..start + value.len(),
                excerpt: mask_secret(value),
                confidence: 0.85,
            });
        }
    }
}

/// Four to eight single digits joined by one kind of separator, a dash or
/// a space (`4-8-1-9`, `2 7 0 4`).
fn spelled_digits(v: &str) -> bool {
    let b = v.as_bytes();
    let separator = b.get(1).copied();
    (7..=15).contains(&b.len())
        && b.len() % 2 == 1
        && matches!(separator, Some(b'-' | b' '))
        && b.iter().enumerate().all(|(i, c)| {
            if i % 2 == 0 {
                c.is_ascii_digit()
            } else {
                Some(*c) == separator
            }
        })
}

/// Where a short qualifier between a keyword and its delimiter ends: at the
/// colon ("password for db01:", "wachtwoord van het portaal:", at most 40
/// bytes on) or at the verb that states it ("ww van de gedeelde mailbox
/// is", "the code for the storage is", at most 100 bytes on); on the same
/// line or across a wrap of running text, no sentence end in between.
fn qualifier_end(lower: &[u8], i: usize) -> Option<usize> {
    let rest = lower.get(i..)?;
    let starts = [
        &b"for "[..],
        b"voor ",
        b"van ",
        b"of ",
        b"bij ",
        b"op ",
        b"to ",
        b"naast ",
        b"in ",
        b"aan ",
        b"next ",
        b"at ",
        b"on ",
        b"(",
    ];
    if !starts.iter().any(|w| rest.starts_with(w)) {
        return None;
    }
    // A remark in brackets may run longer: "alarmcode (uitschakelen bij
    // binnenkomst, inschakelen bij vertrek met dezelfde code + ON): 7719".
    let bracketed = rest.starts_with(b"(");
    let window = &rest[..rest.len().min(if bracketed { 120 } else { 100 })];
    // A line break ends the qualifier unless the line was wrapped ("het
    // wachtwoord van het zip-bestand met de\nmutaties van oktober is X").
    let stop = window
        .iter()
        .enumerate()
        .position(|(at, &b)| {
            matches!(b, b':' | b'.' | b'?' | b'!')
                || (b == b'\n' && !super::context::wraps_running_text(lower, i + at))
        })
        .unwrap_or(window.len());
    let colon_reach = if bracketed { 120 } else { 40 };
    if stop < colon_reach && window.get(stop) == Some(&b':') {
        return Some(i + stop);
    }
    [&b" is "[..], b" luidt ", b" was "]
        .iter()
        .filter_map(|verb| memchr::memmem::find(&window[..stop], verb))
        .min()
        .map(|at| i + at + 1)
}

/// Where the label of a lock code ends: one to four words of letters and
/// then a colon, within 40 bytes on the same line ("achterdeur:",
/// "uitschakelen:", "weer aan bij vertrek:"). The value must then be
/// shaped like a lock code.
fn lock_label_end(lower: &[u8], i: usize) -> Option<usize> {
    let rest = lower.get(i..)?;
    let colon = rest.iter().take(40).position(|&b| b == b':')?;
    let label = std::str::from_utf8(&rest[..colon]).ok()?;
    let words: Vec<&str> = label.split_whitespace().collect();
    let lettered = words
        .iter()
        .all(|w| w.chars().all(|c| c.is_alphabetic() || c == '-'));
    ((1..=4).contains(&words.len()) && lettered).then_some(i + colon)
}

/// Words of locks and doors: a bare code in their paragraph opens one.
const LOCK_WORDS: &[&str] = &[
    "sleutelkluis",
    "kluis",
    "sleutel",
    "voordeur",
    "achterdeur",
    "deur",
    "alarm",
    "slot",
    "hek",
    "poort",
    "key safe",
    "keysafe",
    "lockbox",
    "key box",
    "door",
    "gate",
];

/// Whether a lock word ([`LOCK_WORDS`]) stands as a word in the paragraph
/// around `at` in `lower`.
fn lock_nearby(lower: &str, at: usize) -> bool {
    let para = super::context::paragraph(lower, at, at, 300);
    LOCK_WORDS.iter().any(|w| {
        para.match_indices(w).any(|(p, _)| {
            let b = para.as_bytes();
            (p == 0 || !b[p - 1].is_ascii_alphabetic())
                && b.get(p + w.len()).is_none_or(|c| !c.is_ascii_alphabetic())
        })
    })
}

/// A token of key characters.
fn key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'.')
}

impl CredentialDetector {
    /// A value stated after a keyword ending at `end`.
    fn stated(&self, text: &Text<'_>, end: usize, what: Announces) -> Option<(usize, usize, f32)> {
        let bytes = text.original.as_bytes();
        let lower = text.lower.as_bytes();
        let at = |i: usize| bytes.get(i).copied().unwrap_or(b'\n');
        let mut i = end;
        while at(i) == b' ' || at(i) == b'\t' {
            i += 1;
        }
        // A short qualifier before the delimiter: "password for db01:",
        // "wachtwoord van het portaal:". The value must then look like a
        // secret, not a word.
        let qualifier = qualifier_end(lower, i).or_else(|| {
            // "Sleutelkluis achterdeur: 4719", "Alarm uitschakelen: 2580":
            // a lock's own label of a few words.
            (what == Announces::Code)
                .then(|| lock_label_end(lower, i))
                .flatten()
        });
        let qualified = match qualifier {
            Some(colon) => {
                i = colon;
                true
            }
            None => false,
        };
        // "Het wachtwoord is: X": a colon after the verb is a colon.
        if let Some(verb) = [&b"is:"[..], b"luidt:", b"was:", b"is :", b"luidt :"]
            .iter()
            .find(|w| lower.get(i..).is_some_and(|l| l.starts_with(w)))
        {
            i += verb.len() - 1;
        }
        // The delimiter: `:` or `=` is strong, `is` / `luidt` weak, none
        // only for a PIN of digits.
        let strong = matches!(at(i), b':' | b'=');
        let equals = at(i) == b'=';
        // "... en het startww is\nZorg!Vecht26": hard-wrapped mail puts
        // the value on the next line.
        let weak = !strong
            && [&b"is"[..], b"luidt", b"was"].iter().any(|w| {
                lower.get(i..).is_some_and(|l| {
                    l.starts_with(w) && matches!(l.get(w.len()), Some(b' ' | b'\n' | b'\r'))
                })
            });
        // No delimiter: a PIN of digits, or a password that is plainly one
        // (`wachtwoord Keet_Presik#4471`).
        let bare = !strong && !weak;
        if strong {
            i += 1;
        } else if weak {
            while !matches!(at(i), b' ' | b'\n' | b'\r') {
                i += 1;
            }
            while at(i) == b' ' || at(i) == b'\t' {
                i += 1;
            }
            if at(i) == b'\r' {
                i += 1;
            }
            if at(i) == b'\n' {
                i += 1;
            }
            // "ww is nog steeds Eemland!2024", "the PIN is still 4471".
            for _ in 0..3 {
                let word = lower[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                let filler =
                    std::str::from_utf8(&lower[i..i + word]).is_ok_and(|w| FILLERS.contains(&w));
                if !filler || at(i + word) != b' ' {
                    break;
                }
                i += word;
                while at(i) == b' ' {
                    i += 1;
                }
            }
        } else if what == Announces::Code {
            // "Code 4471, dan komt de sleutel eruit": a bare code only
            // beside a lock or key safe in the same paragraph.
            if !lock_nearby(&text.lower, end) {
                return None;
            }
        } else if !matches!(what, Announces::Pin | Announces::Password) {
            return None;
        }
        while at(i) == b' ' || at(i) == b'\t' {
            i += 1;
        }
        let quote = matches!(at(i), b'"' | b'\'' | b'`').then(|| at(i));
        if quote.is_some() {
            i += 1;
        }
        let start = i;
        let mut e = i;
        while e < bytes.len() {
            let b = bytes[e];
            let stop = match quote {
                Some(q) => b == q || b == b'\n',
                // `Password=x;Database=...`: a `;` ends a value after `=`.
                None => b.is_ascii_whitespace() || (equals && b == b';'),
            };
            if stop {
                break;
            }
            e += 1;
        }
        // A code read out digit by digit: "code is 2 7 0 4".
        if quote.is_none()
            && matches!(what, Announces::Code | Announces::Pin)
            && e == start + 1
            && bytes[start].is_ascii_digit()
        {
            while at(e) == b' ' && at(e + 1).is_ascii_digit() && !at(e + 2).is_ascii_alphanumeric()
            {
                e += 2;
            }
        }
        if quote.is_none() {
            while e > start && matches!(bytes[e - 1], b'.' | b',' | b';' | b')') {
                e -= 1;
            }
        }
        let value = text.original.get(start..e)?;
        let lower_value = text.lower.get(start..e)?;
        if value.is_empty() || value.len() > 100 || hidden(value) {
            return None;
        }
        if not_a_secret(lower_value) {
            return None;
        }
        if qualified && !self.secret_shaped(value, what) {
            return None;
        }
        if bare && what == Announces::Password && !strong_password(value) && !chosen_password(value)
        {
            return None;
        }
        let confidence = match what {
            Announces::Code if (strong || weak) && lock_code(value) => 0.85,
            Announces::Code if bare && lock_code(value) => 0.8,
            Announces::Code => return None,
            Announces::Password if bare => 0.85,
            Announces::Pin if spelled_digits(value) => 0.85,
            Announces::Pin => {
                let digits = value.bytes().all(|b| b.is_ascii_digit());
                // Codes come in groups: "7KQ4-R9WM-2HXT", "993-104".
                let grouped = !value.starts_with('-')
                    && !value.ends_with('-')
                    && !value.contains("--")
                    && value.len() <= 16;
                let code = grouped
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && value.bytes().any(|b| b.is_ascii_digit());
                let length = value.bytes().filter(|&b| b != b'-').count();
                if digits && (4..=8).contains(&value.len()) {
                    0.85
                } else if code && (4..=14).contains(&length) && (strong || weak) {
                    0.8
                } else {
                    return None;
                }
            }
            Announces::Password if strong && value.len() >= 4 => {
                if password_like(value) {
                    0.95
                } else {
                    0.8
                }
            }
            Announces::Password if weak && value.len() >= 6 && password_like(value) => 0.9,
            Announces::Key if (strong || weak) && self.high_entropy(value) => 0.9,
            _ => return None,
        };
        Some((start, e, confidence))
    }

    /// Whether a value on its own looks like the secret a keyword
    /// announces: a password-like string of six or more characters, a PIN of
    /// four to eight digits, or a high-entropy key.
    fn secret_shaped(&self, v: &str, what: Announces) -> bool {
        match what {
            Announces::Password => {
                v.len() >= 6
                    && password_like(v)
                    && !v.contains("://")
                    && !v.starts_with("www.")
                    && !v.contains('@')
            }
            Announces::Pin => (4..=8).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()),
            Announces::Code => lock_code(v),
            Announces::Key => self.high_entropy(v),
        }
    }

    /// A secret alone on the next non-blank line after a keyword line that
    /// ends in a colon: "Use this key in the X-Api-Key header:\n\nhz_live_…".
    fn next_line_value(
        &self,
        text: &Text<'_>,
        end: usize,
        what: Announces,
    ) -> Option<(usize, usize, f32)> {
        let s = text.original;
        let line_end = s[end..].find('\n').map_or(s.len(), |p| end + p);
        let rest = s[end..line_end].trim_end();
        // "the encryption password of the copy job "X". It is:": a short
        // stating clause after a sentence end also announces the value.
        let stated = rest
            .rfind(['.', '?', '!'])
            .map(|p| rest[p + 1..].trim().to_lowercase())
            .is_some_and(|tail| STATING.contains(&tail.as_str()));
        if !rest.ends_with(':')
            || rest.len() > 200
            || (rest.len() > 60 || rest.contains(['.', '?', '!'])) && !stated
        {
            return None;
        }
        let mut pos = line_end;
        for _ in 0..3 {
            if pos >= s.len() {
                return None;
            }
            let start = pos + 1;
            let stop = s[start..].find('\n').map_or(s.len(), |p| start + p);
            let raw = &s[start..stop];
            let line = raw.trim();
            if line.is_empty() {
                pos = stop;
                continue;
            }
            let vs = start + (raw.len() - raw.trim_start().len());
            let ve = vs + line.len();
            if line.contains(char::is_whitespace)
                || !self.secret_shaped(line, what)
                || not_a_secret(&text.lower[vs..ve])
            {
                return None;
            }
            return Some((vs, ve, 0.9));
        }
        None
    }

    /// `label: user / secret` lines, as in a list of accounts
    /// ("ECD admin: beheer / Zh!2024-Beheer"). The secret must be strongly
    /// password-shaped: upper and lower case, a digit and a symbol.
    fn user_secret_pairs(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let s = text.original;
        for slash in memchr::memmem::find_iter(s.as_bytes(), " / ") {
            let line_start = s[..slash].rfind('\n').map_or(0, |p| p + 1);
            let line_end = s[slash..].find('\n').map_or(s.len(), |p| slash + p);
            let Some(colon) = s[line_start..slash].find(':').map(|p| line_start + p) else {
                continue;
            };
            let label = s[line_start..colon].trim();
            let user = s[colon + 1..slash].trim();
            let secret = s[slash + 3..line_end].trim();
            if label.is_empty()
                || label.len() > 40
                || user.is_empty()
                || user.len() > 64
                || user.contains(char::is_whitespace)
                || secret.contains(char::is_whitespace)
                || !strong_password(secret)
            {
                continue;
            }
            let vs = slash + 3 + s[slash + 3..line_end].find(secret).unwrap_or(0);
            out.push(Match {
                kind: FindingKind::Credential,
                span: vs..vs + secret.len(),
                excerpt: mask_secret(secret),
                confidence: 0.85,
            });
        }
    }

    /// A generic key: twenty or more key characters, mixed letters and
    /// digits, entropy of at least 3.5 bits per character, not a URL.
    fn high_entropy(&self, v: &str) -> bool {
        let b = v.as_bytes();
        b.len() >= 20
            && b.iter().all(|&c| key_byte(c))
            && b.iter().any(u8::is_ascii_digit)
            && b.iter().any(u8::is_ascii_alphabetic)
            && !v.contains("//")
            && !v.starts_with("www.")
            && entropy(b) >= 3.5
    }

    fn keyword_values(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let lower = text.lower.as_bytes();
        for hit in self.keywords.find_iter(&text.lower) {
            let (word, what) = KEYWORDS[hit.pattern().as_usize()];
            let s = hit.start();
            // The delimiter in `ww:` is read again by `stated`, and so is
            // the rest of `ww is` and `ww van`.
            let e = if word.starts_with("ww ") {
                s + 2
            } else {
                s + word.trim_end_matches([':', '=', ' ']).len()
            };
            let word = &word[..e - s];
            let one_time = word == "code" && one_time_code(lower, s);
            let what = if one_time { Announces::Pin } else { what };
            // Short keywords and `code` stand alone; long ones may end a
            // compound (`inlogwachtwoord`) but not start one
            // (`passwordless`).
            let short = (word.len() <= 3 || word == "code") && !one_time;
            // `AGB-code`, `btw-code`: `code` ending a compound names an
            // identifier; lock codes have keywords of their own (`deurcode`).
            let compound_code = word == "code"
                && s >= 2
                && lower[s - 1] == b'-'
                && lower[s - 2].is_ascii_alphabetic();
            if compound_code
                || (short && s > 0 && lower[s - 1].is_ascii_alphanumeric())
                || lower
                    .get(e)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || (*b == b'_' && short))
            {
                continue;
            }
            let value = self
                .stated(text, e, what)
                .or_else(|| self.next_line_value(text, e, what))
                .or_else(|| later_in_clause(text.original, e, what))
                .filter(|&(vs, ve, _)| {
                    word != "pass" || self.secret_shaped(&text.original[vs..ve], what)
                });
            // Two keywords may announce one value ("in de sleutelkluis ...,
            // code is 2 7 0 4"): it is one finding.
            if let Some((vs, ve, confidence)) =
                value.filter(|&(vs, ve, _)| !out.iter().any(|m| m.span == (vs..ve)))
            {
                out.push(Match {
                    kind: FindingKind::Credential,
                    span: vs..ve,
                    excerpt: mask_secret(&text.original[vs..ve]),
                    confidence,
                });
            }
        }
    }

    fn known_tokens(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let s = text.original;
        let bytes = s.as_bytes();
        for m in self.tokens.find_iter(s) {
            let (start, mut end) = (m.start(), m.end());
            let token = m.as_str();
            if token.starts_with("-----BEGIN") {
                if let Some(p) = s[end..].find("PRIVATE KEY-----").filter(|&p| p < 20_000) {
                    end += p + "PRIVATE KEY-----".len();
                }
                out.push(Match {
                    kind: FindingKind::Credential,
                    span: start..end,
                    excerpt: token.to_string(),
                    confidence: 0.99,
                });
                continue;
            }
            let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
            if glued(start.checked_sub(1).and_then(|i| bytes.get(i))) || glued(bytes.get(end)) {
                continue;
            }
            let keep = if token.starts_with("github_pat_") {
                9
            } else if token.contains("_live_") {
                6
            } else {
                4
            };
            out.push(Match {
                kind: FindingKind::Credential,
                span: start..end,
                excerpt: format!("{}…", mask_keep(&token[..token.len().min(16)], keep)),
                confidence: 0.97,
            });
        }
    }

    /// Vendor keys of the form `prefix_live_…` or `prefix_prod_…` (a short
    /// lowercase prefix, 24 or more letters and digits): Stripe-like keys
    /// of many providers. Searched by their fixed middle, not by a regex
    /// that starts with a character class, which would have to try every
    /// byte of the text.
    fn vendor_keys(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let bytes = text.original.as_bytes();
        for middle in [&b"_live_"[..], b"_prod_"] {
            for at in memchr::memmem::find_iter(bytes, middle) {
                let mut start = at;
                while start > 0
                    && at - start < 10
                    && (bytes[start - 1].is_ascii_lowercase() || bytes[start - 1].is_ascii_digit())
                {
                    start -= 1;
                }
                let glued_before = start > 0
                    && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
                if at - start < 2 || !bytes[start].is_ascii_lowercase() || glued_before {
                    continue;
                }
                let tail = at + middle.len();
                let mut end = tail;
                while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                    end += 1;
                }
                let glued_after = bytes.get(end).is_some_and(|&b| b == b'_');
                let token = &text.original[start..end];
                if end - tail < 24
                    || glued_after
                    || token.starts_with("sk_")
                    || token.starts_with("rk_")
                {
                    continue;
                }
                out.push(Match {
                    kind: FindingKind::Credential,
                    span: start..end,
                    excerpt: format!(
                        "{}…",
                        mask_keep(
                            &token[..16],
                            token[..tail - start]
                                .bytes()
                                .filter(u8::is_ascii_alphanumeric)
                                .count()
                        )
                    ),
                    confidence: 0.97,
                });
            }
        }
    }

    fn connection_strings(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let s = text.original;
        let bytes = s.as_bytes();
        let mut pos = 0;
        while let Some(p) = s[pos..].find("://") {
            let sep = pos + p;
            pos = sep + 3;
            let mut start = sep;
            while start > 0
                && (bytes[start - 1].is_ascii_alphanumeric()
                    || matches!(bytes[start - 1], b'+' | b'.' | b'-'))
            {
                start -= 1;
            }
            if start == sep {
                continue;
            }
            // People write `#`, `?` and `!` raw in a password
            // (`postgresql://ledenadmin:K7#mVq92!xTr@db01...`), so the
            // user information runs to the last `@` before a blank, and
            // the host from there to the path; a `/` in it makes it a path
            // (`https://host:8080/a/@b`), not a password.
            let auth_start = sep + 3;
            let mut region_end = auth_start;
            while region_end < bytes.len() && !bytes[region_end].is_ascii_whitespace() {
                region_end += 1;
            }
            let region = &s[auth_start..region_end];
            let Some(at) = region.rfind('@') else {
                continue;
            };
            let Some((user, pass)) = region[..at].split_once(':') else {
                continue;
            };
            if user.contains('/') || pass.contains('/') {
                continue;
            }
            let host_end = region[at + 1..]
                .find(['/', '?', '#'])
                .map_or(region.len(), |p| at + 1 + p);
            let host = region[at + 1..host_end].trim_end_matches(['.', ',', ')', '>', ';']);
            let pass_lower = pass.to_ascii_lowercase();
            if pass.is_empty()
                || host.is_empty()
                || hidden(pass)
                || PLACEHOLDERS.contains(&pass_lower.as_str())
            {
                continue;
            }
            let end = auth_start + at + 1 + host.len();
            out.push(Match {
                kind: FindingKind::Credential,
                span: start..end,
                excerpt: format!(
                    "{}://{}:{}@{}",
                    &s[start..sep],
                    mask_keep(user, 1),
                    mask_secret(pass),
                    host
                ),
                confidence: 0.95,
            });
            pos = pos.max(end);
        }
    }
}

impl Detector for CredentialDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::Credential
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let first = out.len();
        self.known_tokens(text, out);
        self.vendor_keys(text, out);
        self.connection_strings(text, out);
        self.user_secret_pairs(text, out);
        listed_lock_codes(text, out);
        let found = out.len();
        self.keyword_values(text, out);
        // A keyword value inside a token or connection string already
        // reported is the same credential.
        let (earlier, later) = out.split_at(found);
        let earlier = earlier[first..].to_vec();
        let keep: Vec<Match> = later
            .iter()
            .filter(|m| {
                !earlier
                    .iter()
                    .any(|e| e.span.start <= m.span.start && m.span.end <= e.span.end)
            })
            .cloned()
            .collect();
        out.truncate(found);
        out.extend(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        CredentialDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    fn values(s: &str) -> Vec<&str> {
        find(s).into_iter().map(|m| &s[m.span]).collect()
    }

    #[test]
    fn finds_stated_passwords_and_pins() {
        for (s, value) in [
            ("Je wachtwoord: Zomer2024!", "Zomer2024!"),
            ("wachtwoord: welkom", "welkom"),
            ("The password is Tr0ub4dor&3 for now", "Tr0ub4dor&3"),
            ("ww: Geheim123", "Geheim123"),
            ("Nieuw inlogwachtwoord = 'abc def1'", "abc def1"),
            ("pincode 1234", "1234"),
            ("De pincode is 0482.", "0482"),
            ("inlogcode: 839201", "839201"),
            (
                "Server=db1;User Id=zorg;Password=Gh7!kq2;Database=x",
                "Gh7!kq2",
            ),
        ] {
            assert_eq!(values(s), [value], "{s}");
        }
        assert_eq!(find("wachtwoord: welkom01")[0].excerpt, "w********");
    }

    #[test]
    fn the_keyword_search_keeps_its_packed_prefilter() {
        assert!(KEYWORDS.len() <= 64, "{} keywords", KEYWORDS.len());
    }

    #[test]
    fn one_time_and_authorisation_codes_in_groups() {
        for (s, value) in [
            ("Machtigingscode: 7KQ4-R9WM-2HXT", "7KQ4-R9WM-2HXT"),
            ("De activeringscode is 48XK2P.", "48XK2P"),
            ("verification code: 993-104", "993-104"),
            ("Je sms-verificatiecode is 482913.", "482913"),
        ] {
            assert_eq!(values(s), [value], "{s}");
        }
        assert!(values("De machtigingscode komt per brief.").is_empty());
        assert!(values("Machtigingscode: zie de brief van de Belastingdienst").is_empty());
    }

    #[test]
    fn a_key_of_any_kind_when_its_value_looks_like_one() {
        assert_eq!(
            values("test key: test_W8dKp3sVn2qRbY7mTx4LcJ9hEa6uZf"),
            ["test_W8dKp3sVn2qRbY7mTx4LcJ9hEa6uZf"]
        );
        assert_eq!(
            values("live key: live_hT7qK2mWz9RbX4nVc8LpEa3sYdF6gJ"),
            ["live_hT7qK2mWz9RbX4nVc8LpEa3sYdF6gJ"]
        );
        assert!(values("Key: PROJ-1234").is_empty());
        assert!(values("key: value").is_empty());
    }

    #[test]
    fn finds_known_token_formats() {
        for (s, value) in [
            ("key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            ("github_pat_11ABCDEFG0123456789_abcdefghij", "github_pat_11ABCDEFG0123456789_abcdefghij"),
            ("xoxb-123456789012-abcdefghij", "xoxb-123456789012-abcdefghij"),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            ("AIzaSyA-1234567890abcdefghijklmnopqrstu", "AIzaSyA-1234567890abcdefghijklmnopqrstu"),
            (
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            ),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}: {m:?}");
            assert_eq!(&s[m[0].span.clone()], value);
            assert!(!m[0].excerpt.contains(&value[6..]), "{}", m[0].excerpt);
        }
    }

    #[test]
    fn finds_keys_connection_strings_and_generic_secrets() {
        let pem =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
        let m = find(pem);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].span, 0..pem.len());
        assert!(!m[0].excerpt.contains("MIIE"));

        let s = "db: postgres://zorg:S3cret!x@db.example.nl:5432/app";
        let m = find(s);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(
            &s[m[0].span.clone()],
            "postgres://zorg:S3cret!x@db.example.nl:5432"
        );
        assert!(!m[0].excerpt.contains("S3cret"));

        assert_eq!(
            values("API key: 9fK2mQ7xLp4Rt8Vb3Nc6Zd1Hs5"),
            ["9fK2mQ7xLp4Rt8Vb3Nc6Zd1Hs5"]
        );
        assert_eq!(
            values("client secret = q8Z3xK9mP2vL7nR4tW6yB1cF"),
            ["q8Z3xK9mP2vL7nR4tW6yB1cF"]
        );
    }

    #[test]
    fn key_safe_codes_listed_one_per_place() {
        let mail = "Voor het omcoderen, dit zijn de huidige codes zodat je ze open krijgt:\n\n\
                    Bergstraat 22 Baarn (achterom bij schuur): 0958\n\
                    Stadsring 201-C (trappenhuis): 4417\n\n\
                    De nieuwe codes graag niet rondmailen.";
        assert_eq!(values(mail), ["0958", "4417"]);
        assert!(values("De nieuwe postcodes:\nBergstraat 22: 3851\n").is_empty());
        assert!(values("Openingstijden per vestiging:\nBaarn: 0900\n").is_empty());
        assert!(
            values("Deze codes komen in het log voor:\nTimeout: 5001\nGeweigerd: 4030\n")
                .is_empty()
        );
    }

    #[test]
    fn a_password_further_on_in_the_keywords_clause() {
        assert_eq!(
            values("PSK heb ik net aangepast, is nu  Hv7!mRq2#Wbork-2024  (zonder spaties)"),
            ["Hv7!mRq2#Wbork-2024"]
        );
        assert!(
            values("Het wachtwoord van de kluis is veranderd, is nu bekend bij Jan.").is_empty()
        );
    }

    #[test]
    fn pass_as_a_label_when_its_value_looks_like_a_password() {
        assert_eq!(
            values("SFTP\n  user: lbw_portal\n  pass: Hv7!qPz2-Leden\n"),
            ["Hv7!qPz2-Leden"]
        );
        assert!(values("Boarding pass: gate 12, seat 4A").is_empty());
        assert!(values("Parking pass: achterzijde").is_empty());
    }

    #[test]
    fn a_connection_string_whose_password_holds_url_characters() {
        let s = "  postgresql://ledenadmin:K7#mVq92!xTr@db01.cloudharbor.io:5432/lbw_leden?sslmode=require";
        let m = find(s);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].excerpt.ends_with("@db01.cloudharbor.io:5432"),
            "{}",
            m[0].excerpt
        );
        // A path with an `@` after a port is no password.
        assert!(find("zie https://intranet.example.nl:8080/profiel/@jansen").is_empty());
    }

    #[test]
    fn refuses_notices_and_advice() {
        for s in [
            "Uw wachtwoord is gewijzigd.",
            "Wachtwoord vergeten? Klik hier.",
            "To reset your password, click the link.",
            "Please choose a strong password.",
            "Het wachtwoord volgt per sms.",
            "password: ********",
            "Wachtwoord: <zie sms>",
            "Wachtwoord: zie sms",
            "Password: (sent separately)",
            "Your password is incorrect",
            "pincode wijzigen kan in de app",
            "Pin 2 keer fout ingevoerd",
            "Dit is een token van waardering",
            "api key: see the vault",
            "token: abcdefghijklmnopqrstuvwxyz", // low entropy, no digits
            "https://www.example.nl/wachtwoord-vergeten",
            "postgres://user:password@localhost/db", // placeholder
            "postgres://user:****@localhost/db",
            "passwordless login",
            "spinnen en pwned en www.example.nl",
            "AKIAIOSFODNN7EXAMPLEX", // too long
        ] {
            let m = find(s);
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }

    #[test]
    fn finds_qualified_next_line_and_listed_secrets() {
        for (s, value) in [
            ("Root password for db01: Tr0mpet!Zwaan", "Tr0mpet!Zwaan"),
            (
                "Het wachtwoord voor het portaal: Lente#Rivier88.",
                "Lente#Rivier88",
            ),
            ("Pincode van de kluis: 4821", "4821"),
            (
                "Use this key in the X-Api-Key header:\n\nq8Z3xK9mP2vL7nR4tW6yB1cF\n\nThanks",
                "q8Z3xK9mP2vL7nR4tW6yB1cF",
            ),
            (
                "you need the encryption password of the copy job \"WSG-Offsite\". It is:\n\nOffsite-Enc!2024-woonstede-77Qa\n\nPlease restore",
                "Offsite-Enc!2024-woonstede-77Qa",
            ),
            (
                "Het nieuwe wachtwoord:\n  Zh!2024-Beheer\n",
                "Zh!2024-Beheer",
            ),
            ("ECD admin: beheer / Zh!2024-Beheer", "Zh!2024-Beheer"),
            (
                "Accounts\nVPN: svc_backup / Lente#Rivier88\n",
                "Lente#Rivier88",
            ),
            (
                "key: acme_prod_Zx81Qw3Er5Ty7Ui9Op2As4Df",
                "acme_prod_Zx81Qw3Er5Ty7Ui9Op2As4Df",
            ),
            (
                "hz_live_65692a2e5b720d6532113b76f2e3ef76085ad724",
                "hz_live_65692a2e5b720d6532113b76f2e3ef76085ad724",
            ),
        ] {
            assert_eq!(values(s), [value], "{s}");
            let m = find(s);
            assert!(!m[0].excerpt.contains(&value[value.len() - 4..]), "{m:?}");
        }
    }

    #[test]
    fn finds_secrets_stated_in_running_text() {
        for (s, value) in [
            (
                "de wifi in de keet: netwerk WS-BOUW, wachtwoord Keet_Presik#4471. Graag",
                "Keet_Presik#4471",
            ),
            (
                "ww van de gedeelde mailbox wijkteam is Zomer2024! (met uitroepteken)",
                "Zomer2024!",
            ),
            (
                "mailbox toevoegen, ww is Welkom2026! - niet doorgeven",
                "Welkom2026!",
            ),
            (
                "wifi is VitaalGast, ww Hartslag-2024! (met uitroepteken)",
                "Hartslag-2024!",
            ),
            (
                "Inloggen kan met admin,\nww is nog steeds Eemland!2024 (ja ik weet het).",
                "Eemland!2024",
            ),
            (
                "SSID ZDM-IOT\n\nWachtwoord gR4s-Vlinder-Kade-81\n\nVLAN 140 (alleen internet)",
                "gR4s-Vlinder-Kade-81",
            ),
            (
                "zoals gebeld even apart: het wachtwoord van het zip-bestand met de\nmutaties van oktober (via WeTransfer verstuurd) is Brd!Mut2026-okt\n\nLet op",
                "Brd!Mut2026-okt",
            ),
            ("The new code is 2580#. Please share it", "2580#"),
            ("in the key safe. Code is 4-8-1-9, then push", "4-8-1-9"),
            ("De deurcode: 7734", "7734"),
            (
                "de sleutelkluis hangt links naast de voordeur. Code 4471, dan komt de sleutel eruit.",
                "4471",
            ),
            (
                "De sleutel hangt in de sleutelkluis naast de achterdeur, code is 2 7 0 4 (daarna klepje omlaag).",
                "2 7 0 4",
            ),
            ("Je pincode is 8 3 1 6.", "8 3 1 6"),
            ("Sleutelkluis achterdeur: 4719\nDank je", "4719"),
            (
                "opnieuw laten aanmaken: je inlog is i.wessels-ext en het startww is\nZorg!Vecht26 (hoofdletter Z en V).",
                "Zorg!Vecht26",
            ),
            ("Alarm uitschakelen: 2580 + OFF (binnen 30 sec)", "2580"),
            ("- sleutelkluis naast de personeelsingang: 0412", "0412"),
            (
                "- alarmcode (uitschakelen bij binnenkomst, inschakelen bij vertrek met dezelfde code + ON): 7719",
                "7719",
            ),
            ("PSK: Ede-ts2s-4fG9!pQ2mZ7w", "Ede-ts2s-4fG9!pQ2mZ7w"),
            (
                "De wifi-sleutel is Rivier!Horizon2026",
                "Rivier!Horizon2026",
            ),
            (
                "the password for the test account is Qx7-plmR2 until Friday",
                "Qx7-plmR2",
            ),
            (
                "Het wachtwoord is: Maliebaan!Dossier87\n\nLees vooral",
                "Maliebaan!Dossier87",
            ),
            ("De pincode luidt: 4471.", "4471"),
            (
                "- Wifi: netwerk WO-Gast, wachtwoord Dijk2027raad (geldig tot 10 januari)",
                "Dijk2027raad",
            ),
            ("the PIN is : 8812", "8812"),
        ] {
            assert_eq!(values(s), [value], "{s}");
        }
    }

    #[test]
    fn refuses_codes_and_words_that_are_not_secrets() {
        for s in [
            "Uw postcode is 1234 AB",
            "Foutcode 5001 na de update; code 5001 staat in de handleiding.",
            "Ons AGB-code is 75751286, voor de volledigheid.",
            "Gebruik code 4471 op de factuur.",
            "Code: 2026-0331",
            "De code is in te zien op intranet.",
            "Zet de code daarna terug op 0000.",
            "Het wachtwoord van de mailbox is gewijzigd.",
            "ww is hetzelfde als vorige week",
            "Het wachtwoord Welkom moet je wijzigen",
            "wachtwoord resetten via INC2024113 of SelfService2",
            "Reset your password. It is:\nnot possible today",
            "the code of conduct is 2024 edition",
            "www is down",
            // Digits with spaces that are no code read out.
            "De code is 1 of 2 cijfers langer geworden.",
            "Pincode is 2 3 keer fout ingevoerd",
            // A lock's label with no code after it.
            "Sleutelkluis geplaatst: 2024",
            "Alarm afgegaan: 3 keer deze week",
            "Alarm: zie de instructie bij de voordeur",
        ] {
            let m = find(s);
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }

    #[test]
    fn refuses_qualified_next_line_and_listed_near_misses() {
        for s in [
            "Wachtwoord voor het portaal: zie sms",
            "Password for the portal: will follow by text message",
            "The password for your account: welcome",
            "Wachtwoord vergeten? Klik hier: https://www.example.nl/reset",
            "Your API key:\n\nsee the vault",
            "Vragen over uw wachtwoord:\n\nBel de servicedesk op 030-1234567",
            "Het wachtwoord:\n\nwelkom",
            "Periode: 2024 / 2025",
            "Ref: AB / AB-2024-Zaak",
            "Route: A12 / Utrecht-Noord",
            "Dossier: Jansen / zie bijlage",
            "Wachtwoordbeleid voor medewerkers: minimaal 12 tekens",
            "my_live_stream is starting",
            "zie de map foto_live_20240312_opname_a1b2c3d4e5f6a7b8c9d0e1f2",
            "X_live_abcdefghijklmnopqrstuvwxyz012345",
        ] {
            let m = find(s);
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }

    #[test]
    fn entropy_reference() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
