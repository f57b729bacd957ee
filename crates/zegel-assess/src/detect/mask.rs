//! Masking: an excerpt shows enough to recognise the kind of value, never
//! enough to recover it.

/// Keeps the first `keep` alphanumeric characters of `value` and replaces every
/// later letter or digit with `*`, leaving separators as they are.
/// `mask_keep("1234.56.782", 6)` gives `1234.56.***`.
pub fn mask_keep(value: &str, keep: usize) -> String {
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > keep {
                    return '*';
                }
            }
            c
        })
        .collect()
}

/// Masks all but a fraction of the alphanumeric characters (at most half, at
/// least one hidden), for values of varying length.
pub fn mask_fraction(value: &str) -> String {
    let count = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = (count / 3).max(1).min(count.saturating_sub(1));
    mask_keep(value, keep)
}

/// Masks a word-like value fully but for its first letter (`J*** J*******`),
/// for names and free text. Only whitespace, `-` and `'` begin a new word,
/// so a value of one-letter pieces (`A.B.C`) never shows whole.
pub fn mask_words(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut first = true;
    for c in value.chars() {
        if c.is_alphanumeric() {
            out.push(if first { c } else { '*' });
            first = false;
        } else {
            out.push(c);
            first = first || c.is_whitespace() || c == '-' || c == '\'';
        }
    }
    out
}

/// Masks a secret (a password, a token): its first character and a fixed
/// eight stars, so not even its length shows (`w********`).
pub fn mask_secret(value: &str) -> String {
    let mut out: String = value.chars().take(1).collect();
    out.push_str("********");
    out
}

/// Masks a value made of letters and digits in groups of four, keeping the
/// first `keep` characters: `NL91 ABNA **** **** **`.
pub fn mask_grouped(compact: &str, keep: usize) -> String {
    let mut out = String::with_capacity(compact.len() + compact.len() / 4);
    for (i, c) in compact.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(if i < keep { c } else { '*' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hide_their_length() {
        assert_eq!(mask_secret("welkom01"), "w********");
        assert_eq!(mask_secret("x"), "x********");
    }

    #[test]
    fn grouped_masks_after_keep() {
        assert_eq!(
            mask_grouped("NL91ABNA0417164300", 8),
            "NL91 ABNA **** **** **"
        );
    }

    #[test]
    fn keeps_the_prefix_and_separators() {
        assert_eq!(mask_keep("1234.56.782", 6), "1234.56.***");
    }

    #[test]
    fn fraction_always_hides_something() {
        assert_eq!(mask_fraction("ab"), "a*");
        assert_eq!(mask_fraction("x"), "*");
        assert!(!mask_fraction("NL91ABNA0417164300").contains("0417164300"));
    }

    #[test]
    fn words_keep_initials() {
        assert_eq!(mask_words("Jan de Vries"), "J** d* V****");
        assert_eq!(mask_words("J. de Vries-Bakker"), "J. d* V****-B*****");
        // Found by proptest: one-letter pieces must not show whole.
        assert_eq!(mask_words("A.A€a"), "A.*€*");
    }
}
