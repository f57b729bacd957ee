//! Look-alike domains: a recipient domain that imitates an internal or
//! partner domain (`zorggroep-horizon.nl`, `zorggroephorlzon.nl`,
//! `zorggroephorizon.nl.example.com`, `xn--zorggroephorzon-...`).
//!
//! Homoglyphs use the Unicode confusables skeleton (UTS #39, from the
//! `unicode-security` crate); typos use the Damerau-Levenshtein distance
//! (`strsim`); punycode is decoded with `idna`.

use strsim::damerau_levenshtein;
use unicode_security::confusable_detection::skeleton;

/// Why a domain looks like a trusted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookalikeKind {
    /// Characters that look alike (`rn` for `m`, Cyrillic `о` for `o`, `1` for `l`).
    Homoglyph,
    /// The same name with hyphens added or removed.
    Hyphen,
    /// The trusted domain followed by extra labels (`trusted.nl.evil.com`).
    ExtraLabels,
    /// The same name under another top-level domain.
    OtherTld,
    /// A letter or two off (typo-squatting).
    Typo,
}

/// A recipient domain that resembles a trusted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookalike {
    /// The recipient domain as given.
    pub domain: String,
    /// The internal or partner domain it resembles.
    pub resembles: String,
    /// How it resembles it.
    pub kind: LookalikeKind,
}

/// A trusted (internal or partner) domain, prepared once for comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    /// The domain as configured.
    pub domain: String,
    name: String,
    tld: String,
    skeleton: String,
}

impl Trusted {
    /// Prepares `domain` (lowercase) for look-alike checks.
    pub fn new(domain: &str) -> Trusted {
        let (name, tld) = split_tld(domain);
        let name = last_label(name);
        Trusted {
            domain: domain.to_string(),
            name: name.to_string(),
            tld: tld.to_string(),
            skeleton: confusable_skeleton(name),
        }
    }
}

/// Checks `domain` (not itself trusted) against every trusted domain.
pub fn lookalike_of(domain: &str, trusted: &[Trusted]) -> Option<Lookalike> {
    let domain_lc = domain.trim_end_matches('.').to_lowercase();
    let (unicode, _) = idna::domain_to_unicode(&domain_lc);
    let (name, tld) = split_tld(&unicode);
    let name = last_label(name);
    let skeleton = confusable_skeleton(name);
    for t in trusted {
        if let Some(kind) = resemblance(&unicode, name, tld, &skeleton, t) {
            return Some(Lookalike {
                domain: domain_lc,
                resembles: t.domain.clone(),
                kind,
            });
        }
    }
    None
}

fn resemblance(
    domain: &str,
    name: &str,
    tld: &str,
    skeleton: &str,
    t: &Trusted,
) -> Option<LookalikeKind> {
    if domain == t.domain {
        return None;
    }
    let trusted = t.domain.as_str();
    if domain.starts_with(trusted) && domain.as_bytes().get(trusted.len()) == Some(&b'.')
        || domain.contains(&format!(".{trusted}."))
    {
        return Some(LookalikeKind::ExtraLabels);
    }
    let t_name = t.name.as_str();
    if name == t_name && tld != t.tld {
        return Some(LookalikeKind::OtherTld);
    }
    if name != t_name && name.replace('-', "") == t_name.replace('-', "") {
        return Some(LookalikeKind::Hyphen);
    }
    if name != t_name && skeleton == t.skeleton {
        return Some(LookalikeKind::Homoglyph);
    }
    // The trusted TLD written into the name: `zorg-nl.com`, `nl-zorg.com`,
    // `zorgnl.com`, `zorg-nl.nl`.
    let tld_in_name = [
        name.strip_suffix(&format!("-{}", t.tld)),
        name.strip_prefix(&format!("{}-", t.tld)),
        name.strip_suffix(t.tld.as_str()),
    ];
    if !t.tld.is_empty() && tld_in_name.iter().flatten().any(|n| *n == t_name) {
        return Some(LookalikeKind::OtherTld);
    }
    let limit = match t_name.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    // The distance is at least the difference in length: skip the costly
    // computation when that alone rules it out. Short names allow no
    // change of a letter (`zorn` is not `zorg`), but one letter added or
    // dropped (`zorgg`, `zrg`); skeletons catch a typo made of look-alike
    // characters too.
    let (n, tn) = (name.chars().count(), t_name.chars().count());
    if limit == 0 && tn >= 3 && n.abs_diff(tn) == 1 && damerau_levenshtein(name, t_name) == 1 {
        return Some(LookalikeKind::Typo);
    }
    if limit > 0
        && n.abs_diff(tn) <= limit
        && (damerau_levenshtein(name, t_name) <= limit
            || damerau_levenshtein(skeleton, &t.skeleton) <= limit)
    {
        return Some(LookalikeKind::Typo);
    }
    None
}

/// The last label of a name: `mail.example` -> `example` (a leading `www.` or
/// `mail.` the sender may have typed is ignored).
fn last_label(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The UTS #39 skeleton, lowercased again (skeletons may map to capitals) and
/// with the visual pairs that skeletons keep apart in lowercase folded.
fn confusable_skeleton(s: &str) -> String {
    let sk: String = skeleton(s).collect::<String>().to_lowercase();
    sk.replace("rn", "m")
        .replace('1', "l")
        .replace('0', "o")
        .replace('i', "l")
        .replace("vv", "w")
}

fn split_tld(domain: &str) -> (&str, &str) {
    domain.rsplit_once('.').unwrap_or((domain, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(domain: &str) -> Option<LookalikeKind> {
        lookalike_of(
            domain,
            &[
                Trusted::new("zorggroephorizon.nl"),
                Trusted::new("gemeente-rivierstad.nl"),
            ],
        )
        .map(|l| l.kind)
    }

    #[test]
    fn finds_each_kind() {
        assert_eq!(check("zorggroep-horizon.nl"), Some(LookalikeKind::Hyphen));
        assert_eq!(check("gemeenterivierstad.nl"), Some(LookalikeKind::Hyphen));
        assert_eq!(check("zorggroephorlzon.nl"), Some(LookalikeKind::Homoglyph));
        assert_eq!(
            check("zorggroephorizon.nl.example.com"),
            Some(LookalikeKind::ExtraLabels)
        );
        assert_eq!(check("zorggroephorizon.com"), Some(LookalikeKind::OtherTld));
        assert_eq!(check("zorgroephorizon.nl"), Some(LookalikeKind::Typo));
    }

    #[test]
    fn short_names_the_tld_in_the_name_and_tld_swaps() {
        let short = |d: &str| lookalike_of(d, &[Trusted::new("zorg.nl")]).map(|l| l.kind);
        assert_eq!(short("zorgg.nl"), Some(LookalikeKind::Typo));
        assert_eq!(short("zrg.nl"), Some(LookalikeKind::Typo));
        assert_eq!(short("zorg-nl.com"), Some(LookalikeKind::OtherTld));
        assert_eq!(short("nl-zorg.com"), Some(LookalikeKind::OtherTld));
        assert_eq!(short("zorgnl.eu"), Some(LookalikeKind::OtherTld));
        for tld in ["com", "net", "eu", "org"] {
            assert_eq!(short(&format!("zorg.{tld}")), Some(LookalikeKind::OtherTld));
        }
        // A different letter in a short name is another name.
        assert_eq!(short("zorn.nl"), None);
        assert_eq!(short("borg.nl"), None);
        assert_eq!(
            check("zorggroephorizon-nl.com"),
            Some(LookalikeKind::OtherTld)
        );
    }

    #[test]
    fn cyrillic_homoglyph_and_punycode() {
        // Cyrillic 'о' (U+043E) in place of the Latin 'o'.
        assert_eq!(check("zоrggroephorizon.nl"), Some(LookalikeKind::Homoglyph));
        let puny = idna::domain_to_ascii("zоrggroephorizon.nl").unwrap();
        assert!(puny.starts_with("xn--"));
        assert_eq!(check(&puny), Some(LookalikeKind::Homoglyph));
    }

    #[test]
    fn unrelated_domains_are_not_lookalikes() {
        for d in [
            "gmail.com",
            "example.com",
            "huisartsenpraktijk-delinde.nl",
            "cak.nl",
            "horizon.nl",
            "zorggroepnoord.nl",
        ] {
            assert_eq!(check(d), None, "{d}");
        }
    }
}
