//! The organisation's people by name, so that an outside sender who uses a
//! colleague's name ("Directeur Anna de Vries" <anna@gmail.example>) can be
//! flagged. Names are compared as sets of words, without accents or case:
//! "de Vries, Anna", "Anna de Vries" and "ANNA DE VRIES" are one name.
//! Single words ("Anna") never match: too many people share a first name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Why the colleagues file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ColleaguesError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not `name,address`.
    #[error("line {line}: expected name,address (e.g. Anna de Vries,a.devries@zorg.nl)")]
    Line {
        /// The line number, from 1.
        line: usize,
    },
}

/// Colleagues by the key of their name.
#[derive(Debug, Clone, Default)]
pub struct Colleagues {
    by_name: HashMap<String, String>,
}

impl Colleagues {
    /// Reads a CSV file of `name,address` lines (`;` also separates; a
    /// header row, empty lines and `#` comments are skipped).
    pub fn load(path: &Path) -> Result<Colleagues, ColleaguesError> {
        let text = std::fs::read_to_string(path).map_err(|source| ColleaguesError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Colleagues::parse(&text)
    }

    /// Parses `name,address` lines; see [`Colleagues::load`].
    pub fn parse(text: &str) -> Result<Colleagues, ColleaguesError> {
        let mut by_name = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, address)) = line.rsplit_once([',', ';']) else {
                return Err(ColleaguesError::Line { line: n + 1 });
            };
            let address = address.trim().trim_matches('"').to_lowercase();
            if !address.contains('@') {
                if n == 0 {
                    continue; // a header row
                }
                return Err(ColleaguesError::Line { line: n + 1 });
            }
            // "de Vries, Anna" holds a comma itself: the address is the
            // last field, the name everything before it.
            if let Some(key) = name_key(name.trim().trim_matches('"')) {
                by_name.insert(key, address);
            }
        }
        Ok(Colleagues { by_name })
    }

    /// How many names are known.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether no name is known.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The address of the colleague whose name `display_name` is.
    pub fn matching(&self, display_name: &str) -> Option<&str> {
        let key = name_key(display_name)?;
        self.by_name.get(&key).map(String::as_str)
    }
}

/// The words of a name, without accents, lower case, sorted; `None` for
/// fewer than two words.
fn name_key(name: &str) -> Option<String> {
    let plain: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let mut words: Vec<&str> = plain
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 2 {
        return None;
    }
    words.sort_unstable();
    Some(words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_in_any_order_case_and_accent() {
        let c = Colleagues::parse(
            "name,address\n# comment\n\nAnna de Vries,a.devries@zorg.nl\n\"Jansen, José\";j.jansen@zorg.nl\n",
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        for name in [
            "Anna de Vries",
            "de Vries, Anna",
            "ANNA  DE VRIES",
            "anna de vries",
        ] {
            assert_eq!(c.matching(name), Some("a.devries@zorg.nl"), "{name}");
        }
        assert_eq!(c.matching("Jose Jansen"), Some("j.jansen@zorg.nl"));
        assert_eq!(c.matching("José Jansen"), Some("j.jansen@zorg.nl"));
    }

    #[test]
    fn other_names_and_single_words_do_not_match() {
        let c = Colleagues::parse("Anna de Vries,a.devries@zorg.nl\nAnna,anna@zorg.nl\n").unwrap();
        assert_eq!(c.len(), 1, "a single-word name is not kept");
        assert_eq!(c.matching("Anna"), None);
        assert_eq!(c.matching("Anna de Vries-Bakker"), None);
        assert_eq!(c.matching("Anna Vries"), None);
        assert_eq!(c.matching(""), None);
    }

    #[test]
    fn a_line_without_address_is_an_error() {
        let e =
            Colleagues::parse("Anna de Vries,a.devries@zorg.nl\nBob zonder adres\n").unwrap_err();
        assert!(matches!(e, ColleaguesError::Line { line: 2 }), "{e}");
        let e = Colleagues::parse("Anna,a.devries@zorg.nl\nBob,geen-adres\n").unwrap_err();
        assert!(matches!(e, ColleaguesError::Line { line: 2 }), "{e}");
    }
}
