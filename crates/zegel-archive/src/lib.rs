//! Encrypted archives for zegel's `archive` delivery: a message's
//! attachments packed into one AES-256 encrypted archive, whose password
//! goes to the recipient another way (by SMS), never in the same mail.
//!
//! Pure: bytes in, archive bytes out, into a `Vec` or any `Write + Seek`.
//! No files, no network, no clock (the caller passes the time to record).
//!
//! # Formats
//!
//! - [`Format::SevenZ`] (the default): 7z with LZMA2 in one solid block,
//!   encrypted with AES-256-CBC (7-Zip's `7zAES`: the key is SHA-256 of
//!   salt and password iterated 2^19 times, 7-Zip's own default). The
//!   **header is encrypted too**, so without the password nobody sees the
//!   file names, sizes, times or even how many files there are. Opens in
//!   7-Zip (Windows, Linux), PeaZip, and Keka or The Unarchiver (macOS).
//! - [`Format::Zip`]: ZIP with WinZip AES-256 (AE-2) per file, Deflate.
//!   ZIP **cannot encrypt its central directory: the file names, sizes and
//!   times stay readable without the password**; only the contents are
//!   encrypted. Choose it only for recipients whose tools cannot open 7z,
//!   and note that not every built-in ZIP tool reads AES (7-Zip does).
//!
//! # Limits
//!
//! [`Limits`] caps the number of files and their total size, checked before
//! any work. 7z's LZMA2 dictionary is at most 4 MiB (about 50 MiB of
//! encoder memory), smaller for smaller input.
//!
//! # Layout
//! - `lib.rs`: [`pack`], [`pack_into`], [`Format`], [`Entry`],
//!   [`PackOptions`], [`Limits`], [`Packed`].
//! - `password.rs`: [`Password`]: generated from the OS's random numbers,
//!   six groups of four easy-to-type characters (118.9 bits).
//! - `names.rs`: file names made safe to extract and unique.
//! - `sevenz.rs`: the 7z writer (sevenz-rust2) with header encryption.
//! - `zip_aes.rs`: the ZIP writer (zip, AES-256).
//! - `error.rs`: [`ArchiveError`].

mod error;
mod names;
mod password;
mod sevenz;
mod zip_aes;

pub use error::ArchiveError;
pub use names::{archive_names, MAX_NAME_CHARS};
pub use password::{Password, ALPHABET};

use rand::TryRngCore;
use std::fmt;
use std::io::{Cursor, Seek, Write};
use std::str::FromStr;
use std::time::SystemTime;

/// The archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// 7z, AES-256, names encrypted.
    #[default]
    SevenZ,
    /// ZIP, AES-256 per file; names readable.
    Zip,
}

impl Format {
    /// The file extension, without the dot: `7z` or `zip`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::SevenZ => "7z",
            Format::Zip => "zip",
        }
    }

    /// The MIME type for a mail attachment.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::SevenZ => "application/x-7z-compressed",
            Format::Zip => "application/zip",
        }
    }

    /// Whether the format hides the file names without the password
    /// (7z: yes; ZIP: no).
    pub fn hides_names(self) -> bool {
        matches!(self, Format::SevenZ)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Text that is not a format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an archive format (7z or zip)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    /// `7z` or `zip` (any case).
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "7z" => Ok(Format::SevenZ),
            "zip" => Ok(Format::Zip),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// One file to pack: its name as the sender gave it (made safe by
/// [`archive_names`]) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The file name as given; only the last path part is used.
    pub name: &'a str,
    /// The contents.
    pub data: &'a [u8],
}

impl<'a> Entry<'a> {
    /// A file named `name` holding `data`.
    pub fn new(name: &'a str, data: &'a [u8]) -> Entry<'a> {
        Entry { name, data }
    }
}

/// How much one archive may hold. Checked before any work is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Files in one archive.
    pub max_entries: usize,
    /// Bytes of all files together (before compression).
    pub max_total_bytes: u64,
}

impl Default for Limits {
    /// 500 files, 64 MiB: more than any mail zegel accepts by default
    /// (50 MB).
    fn default() -> Limits {
        Limits {
            max_entries: 500,
            max_total_bytes: 64 * 1024 * 1024,
        }
    }
}

/// How to pack.
#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// The format.
    pub format: Format,
    /// The limits.
    pub limits: Limits,
    /// The modification time recorded for every file; `None`: no time
    /// (7z) or 1980-01-01 (ZIP, which always has one).
    pub modified: Option<SystemTime>,
}

/// A finished archive.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The archive.
    pub bytes: Vec<u8>,
    /// The names the files have inside it, in input order.
    pub names: Vec<String>,
    /// The format.
    pub format: Format,
}

/// Packs `entries` into a new archive encrypted with `password`.
pub fn pack(
    entries: &[Entry<'_>],
    password: &Password,
    options: &PackOptions,
) -> Result<Packed, ArchiveError> {
    let (cursor, names) = pack_into(Cursor::new(Vec::new()), entries, password, options)?;
    Ok(Packed {
        bytes: cursor.into_inner(),
        names,
        format: options.format,
    })
}

/// Packs `entries` into `out` (from its current position on: 7z writes
/// its signature header last, at the start), encrypted with `password`.
/// Returns `out` and the names the files have inside the archive.
pub fn pack_into<W: Write + Seek>(
    out: W,
    entries: &[Entry<'_>],
    password: &Password,
    options: &PackOptions,
) -> Result<(W, Vec<String>), ArchiveError> {
    check_limits(entries, &options.limits)?;
    if password.as_str().is_empty() {
        return Err(ArchiveError::EmptyPassword);
    }
    let names = archive_names(entries.iter().map(|e| e.name));
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(String::as_str)
        .zip(entries.iter().map(|e| e.data))
        .collect();
    let out = match options.format {
        Format::SevenZ => sevenz::write(out, &files, password, options.modified)?,
        Format::Zip => zip_aes::write(out, &files, password, options.modified)?,
    };
    Ok((out, names))
}

/// Refuses no files, too many files or too many bytes.
fn check_limits(entries: &[Entry<'_>], limits: &Limits) -> Result<(), ArchiveError> {
    if entries.is_empty() {
        return Err(ArchiveError::Empty);
    }
    if entries.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            count: entries.len(),
            limit: limits.max_entries,
        });
    }
    let total: u64 = entries.iter().map(|e| e.data.len() as u64).sum();
    if total > limits.max_total_bytes {
        return Err(ArchiveError::TooLarge {
            total,
            limit: limits.max_total_bytes,
        });
    }
    Ok(())
}

/// `N` bytes from the operating system's random number generator.
fn random_bytes<const N: usize>() -> Result<[u8; N], ArchiveError> {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| ArchiveError::Random(e.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw() -> Password {
        Password::from_text("test-wachtwoord").unwrap()
    }

    #[test]
    fn formats_parse_and_name_themselves() {
        assert_eq!("7z".parse::<Format>().unwrap(), Format::SevenZ);
        assert_eq!(" ZIP ".parse::<Format>().unwrap(), Format::Zip);
        assert!("rar".parse::<Format>().is_err());
        assert_eq!(Format::default(), Format::SevenZ);
        assert_eq!(Format::SevenZ.to_string(), "7z");
        assert!(Format::SevenZ.hides_names() && !Format::Zip.hides_names());
        assert_eq!(Format::Zip.media_type(), "application/zip");
    }

    #[test]
    fn limits_are_checked_before_packing() {
        let data = vec![0u8; 100];
        let entries = [Entry::new("a", &data), Entry::new("b", &data)];
        let opts = |max_entries, max_total_bytes| PackOptions {
            limits: Limits {
                max_entries,
                max_total_bytes,
            },
            ..PackOptions::default()
        };
        assert!(matches!(
            pack(&[], &pw(), &PackOptions::default()),
            Err(ArchiveError::Empty)
        ));
        assert!(matches!(
            pack(&entries, &pw(), &opts(1, 1000)),
            Err(ArchiveError::TooManyEntries { count: 2, limit: 1 })
        ));
        assert!(matches!(
            pack(&entries, &pw(), &opts(5, 199)),
            Err(ArchiveError::TooLarge {
                total: 200,
                limit: 199
            })
        ));
        assert!(pack(&entries, &pw(), &opts(2, 200)).is_ok());
    }

    #[test]
    fn both_formats_start_with_their_signature() {
        let entries = [Entry::new("brief.txt", b"hallo")];
        let sz = pack(&entries, &pw(), &PackOptions::default()).unwrap();
        assert!(sz.bytes.starts_with(b"7z\xBC\xAF\x27\x1C"));
        let zip = pack(
            &entries,
            &pw(),
            &PackOptions {
                format: Format::Zip,
                ..PackOptions::default()
            },
        )
        .unwrap();
        assert!(zip.bytes.starts_with(b"PK\x03\x04"));
        assert_eq!(zip.names, ["brief.txt"]);
    }

    #[test]
    fn the_7z_archive_shows_neither_names_nor_contents() {
        let secret = b"BSN 123456782 van mevrouw Jansen, diagnose: zeer geheim";
        let entries = [
            Entry::new("dossier-jansen.txt", secret),
            Entry::new("leeg.txt", b""),
        ];
        let packed = pack(&entries, &pw(), &PackOptions::default()).unwrap();
        for needle in [
            &b"dossier-jansen"[..],
            &b"leeg"[..],
            b"123456782",
            b"Jansen",
        ] {
            assert!(!contains(&packed.bytes, needle));
            // 7z stores names as UTF-16LE.
            let wide: Vec<u8> = needle.iter().flat_map(|&b| [b, 0]).collect();
            assert!(!contains(&packed.bytes, &wide));
        }
    }

    #[test]
    fn the_zip_archive_hides_contents_but_not_names() {
        let secret = b"BSN 123456782 van mevrouw Jansen";
        let packed = pack(
            &[Entry::new("dossier-jansen.txt", secret)],
            &pw(),
            &PackOptions {
                format: Format::Zip,
                ..PackOptions::default()
            },
        )
        .unwrap();
        assert!(!contains(&packed.bytes, b"123456782"));
        // Documented: ZIP cannot hide names.
        assert!(contains(&packed.bytes, b"dossier-jansen.txt"));
    }

    #[test]
    fn two_archives_of_the_same_files_differ() {
        let entries = [Entry::new("a.txt", b"dezelfde inhoud")];
        let a = pack(&entries, &pw(), &PackOptions::default()).unwrap();
        let b = pack(&entries, &pw(), &PackOptions::default()).unwrap();
        assert_ne!(a.bytes, b.bytes, "fresh salt and IV every time");
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }
}
