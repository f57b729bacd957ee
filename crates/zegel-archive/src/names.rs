//! File names inside the archive: safe to extract anywhere, and unique.
//!
//! Attachment names come from whoever wrote the mail. Before they go into
//! an archive each one is made into a plain file name that extracts into
//! the folder the recipient chose and nowhere else, on Windows too:
//!
//! - only the last path part stays (`../../etc/passwd` -> `passwd`,
//!   `C:\Users\x\brief.pdf` -> `brief.pdf`);
//! - control characters and the characters Windows refuses (`<>:"|?*`)
//!   become `_`; trailing dots and spaces go (Windows drops them);
//! - names Windows reserves (`CON`, `NUL`, `COM1`, ...) get a leading `_`;
//! - at most [`MAX_NAME_CHARS`] characters, the extension kept;
//! - an empty name becomes `bijlage-N` (N counts from 1 in input order);
//! - a name equal to an earlier one, ignoring case (Windows and macOS
//!   would overwrite it), gets ` (2)`, ` (3)`, ... before the extension.

use std::collections::HashSet;

/// The longest name kept, in characters (file systems allow 255 bytes;
/// this leaves room for UTF-8 and a ` (N)` suffix).
pub const MAX_NAME_CHARS: usize = 120;

/// Names Windows reserves for devices, with or without an extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The names to use in the archive for `names`, in the same order.
pub fn archive_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = HashSet::new();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| unique(safe_name(name, i + 1), &mut taken))
        .collect()
}

/// One name made safe (not yet unique); `n` numbers a name that was empty.
fn safe_name(name: &str, n: usize) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_end_matches(['.', ' ']);
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '.') {
        return format!("bijlage-{n}");
    }
    let (stem, ext) = split_ext(trimmed);
    let stem_lower = stem.to_lowercase();
    let reserved = RESERVED.contains(&stem_lower.trim_end());
    let name = if reserved {
        format!("_{trimmed}")
    } else {
        trimmed.to_string()
    };
    match shorten(&name, ext.len()) {
        // Only dots were left after the cut.
        short if short.is_empty() => format!("bijlage-{n}"),
        short => short,
    }
}

/// `name` cut to [`MAX_NAME_CHARS`] characters, keeping the last
/// `ext_bytes` bytes (the extension) when they are short.
fn shorten(name: &str, ext_bytes: usize) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_string();
    }
    let ext = &name[name.len() - ext_bytes..];
    let ext_chars = ext.chars().count();
    let (ext, keep) = if ext_chars <= 16 {
        (ext, MAX_NAME_CHARS - ext_chars)
    } else {
        ("", MAX_NAME_CHARS)
    };
    let stem = &name[..name.len() - ext.len()];
    let mut out: String = stem.chars().take(keep).collect();
    out.push_str(ext);
    // The cut may end in a dot or space, which Windows drops (found by the
    // property test: a long name whose long "extension" was not kept).
    out.trim_end_matches(['.', ' ']).to_string()
}

/// (`stem`, `.ext`) of a name; no extension for dot files (`.profile`).
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
}

/// `name`, or `name (2)`, `name (3)`, ... the first not yet in `taken`
/// (compared without case).
fn unique(name: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.to_lowercase()) {
        return name;
    }
    let (stem, ext) = split_ext(&name);
    for k in 2.. {
        let candidate = format!("{stem} ({k}){ext}");
        if taken.insert(candidate.to_lowercase()) {
            return candidate;
        }
    }
    unreachable!("the counter runs until a free name")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one(name: &str) -> String {
        archive_names([name]).remove(0)
    }

    #[test]
    fn a_cut_never_ends_in_a_dot_or_space_nor_leaves_nothing() {
        let long_ext = format!("{}x.{}", "a".repeat(118), "b".repeat(30));
        let cut = one(&format!("{}. .{}", "a".repeat(117), "b".repeat(30)));
        assert!(!cut.ends_with(['.', ' ']), "{cut:?}");
        assert!(one(&long_ext).chars().count() <= MAX_NAME_CHARS);
        let dots = format!("{}.{}", ".".repeat(130), "c".repeat(30));
        assert_eq!(one(&dots), "bijlage-1");
    }

    #[test]
    fn paths_lose_everything_but_the_file_name() {
        assert_eq!(one("../../etc/passwd"), "passwd");
        assert_eq!(one("C:\\Users\\jan\\brief.pdf"), "brief.pdf");
        assert_eq!(one("/abs/olute.txt"), "olute.txt");
        assert_eq!(one("map/"), "bijlage-1");
    }

    #[test]
    fn bad_characters_reserved_names_and_empty_names() {
        assert_eq!(one("a<b>:c\"d|e?f*.txt"), "a_b__c_d_e_f_.txt");
        assert_eq!(one("tab\there\n.doc"), "tab_here_.doc");
        assert_eq!(one("verslag.pdf. . "), "verslag.pdf");
        assert_eq!(one("CON.txt"), "_CON.txt");
        assert_eq!(one("nul"), "_nul");
        assert_eq!(one("console.txt"), "console.txt");
        assert_eq!(one(".."), "bijlage-1");
        assert_eq!(one("   "), "bijlage-1");
        assert_eq!(
            archive_names(["", "x.pdf", ""]),
            ["bijlage-1", "x.pdf", "bijlage-3"]
        );
    }

    #[test]
    fn unicode_names_stay() {
        assert_eq!(one("Verslag – Ëlla Çağ.pdf"), "Verslag – Ëlla Çağ.pdf");
    }

    #[test]
    fn duplicates_are_numbered_ignoring_case() {
        assert_eq!(
            archive_names([
                "Brief.pdf",
                "brief.PDF",
                "map/brief.pdf",
                "brief (2).pdf",
                "x"
            ]),
            [
                "Brief.pdf",
                "brief (2).PDF",
                "brief (3).pdf",
                "brief (2) (2).pdf",
                "x"
            ]
        );
        assert_eq!(
            archive_names([".profile", ".profile"]),
            [".profile", ".profile (2)"]
        );
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.docx", "é".repeat(300));
        let name = one(&long);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with("é.docx"));
        let odd = format!("x.{}", "y".repeat(300));
        assert_eq!(one(&odd).chars().count(), MAX_NAME_CHARS);
    }

    proptest! {
        #[test]
        fn any_input_gives_safe_unique_names(names in proptest::collection::vec(".{0,200}", 1..8)) {
            let out = archive_names(names.iter().map(String::as_str));
            prop_assert_eq!(out.len(), names.len());
            let mut lower = HashSet::new();
            for n in &out {
                prop_assert!(!n.is_empty());
                prop_assert!(!n.contains(['/', '\\', '<', '>', ':', '"', '|', '?', '*']));
                prop_assert!(!n.chars().any(char::is_control));
                prop_assert!(n != "." && n != "..");
                prop_assert!(!n.ends_with(['.', ' ']));
                prop_assert!(lower.insert(n.to_lowercase()), "duplicate {}", n);
            }
        }
    }
}
