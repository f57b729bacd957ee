//! 7z with AES-256 and an encrypted header, through sevenz-rust2.
//!
//! The files go into one solid LZMA2 block (empty files need no stream and
//! are recorded in the header only), encrypted with 7-Zip's `7zAES`
//! (AES-256-CBC; key = SHA-256 over 2^19 rounds of salt and password). The
//! header, with every name, is compressed and encrypted the same way.
//!
//! sevenz-rust2 encrypts the header with the content's AES settings. Used
//! as is, the content block and the header would share key *and* IV, and
//! CBC under one key must never reuse an IV. So after the files are written
//! the settings are swapped for a fresh IV (same salt, hence the same key,
//! derived once) before the header is written.

use crate::{random_bytes, ArchiveError, Format, Password};
use sevenz_rust2::encoder_options::{AesEncoderOptions, Lzma2Options};
use sevenz_rust2::{ArchiveEntry, ArchiveWriter, EncoderConfiguration, NtTime, SourceReader};
use std::io::{Seek, Write};
use std::time::SystemTime;

/// 7-Zip's default key-derivation work: 2^19 SHA-256 rounds.
const KDF_CYCLES_POWER: u8 = 19;
/// LZMA2 preset (5: good compression, BT4 match finder).
const LZMA2_LEVEL: u32 = 5;
/// The largest LZMA2 dictionary (encoder memory grows about 11x this).
const MAX_DICTIONARY: u32 = 4 * 1024 * 1024;
/// The smallest LZMA2 dictionary used.
const MIN_DICTIONARY: u32 = 64 * 1024;

/// Writes `files` (safe, unique names) as an encrypted 7z archive to `out`.
pub(crate) fn write<W: Write + Seek>(
    out: W,
    files: &[(&str, &[u8])],
    password: &Password,
    modified: Option<SystemTime>,
) -> Result<W, ArchiveError> {
    let salt = random_bytes::<16>()?;
    let aes = |iv: [u8; 16]| -> EncoderConfiguration {
        AesEncoderOptions {
            password: sevenz_rust2::Password::new(password.as_str()),
            iv,
            salt,
            num_cycles_power: KDF_CYCLES_POWER,
        }
        .into()
    };
    let total: u64 = files.iter().map(|(_, d)| d.len() as u64).sum();
    let mut lzma2 = Lzma2Options::from_level(LZMA2_LEVEL);
    lzma2.set_dictionary_size(dictionary_size(total));

    let mut writer = ArchiveWriter::new(out).map_err(encoder_error)?;
    writer.set_encrypt_header(true);
    // Outermost first: the data goes through LZMA2, then AES.
    writer.set_content_methods(vec![aes(random_bytes()?), lzma2.into()]);

    let time = match modified {
        Some(t) => Some(NtTime::try_from(t).map_err(|e| ArchiveError::Encoder {
            format: Format::SevenZ,
            detail: format!("modification time: {e:?}"),
        })?),
        None => None,
    };
    let entry = |name: &str| {
        let mut e = ArchiveEntry::new_file(name);
        if let Some(t) = time {
            e.has_last_modified_date = true;
            e.last_modified_date = t;
        }
        e
    };

    let (full, empty): (Vec<_>, Vec<_>) = files.iter().partition(|(_, d)| !d.is_empty());
    if !full.is_empty() {
        let entries = full.iter().map(|(n, _)| entry(n)).collect();
        let readers = full.iter().map(|(_, d)| SourceReader::new(*d)).collect();
        writer
            .push_archive_entries(entries, readers)
            .map_err(encoder_error)?;
    }
    for (name, _) in empty {
        // No reader: recorded as an empty file, without a stream.
        writer
            .push_archive_entry::<&[u8]>(entry(name), None)
            .map_err(encoder_error)?;
    }
    // A fresh IV for the header (see the module's doc).
    writer.set_content_methods(vec![aes(random_bytes()?)]);
    writer.finish().map_err(|source| ArchiveError::Write {
        format: Format::SevenZ,
        source,
    })
}

/// The LZMA2 dictionary for `total` bytes: the next power of two, between
/// 64 KiB and 4 MiB (a larger dictionary than the data buys nothing).
fn dictionary_size(total: u64) -> u32 {
    let want = total.max(1).checked_next_power_of_two().unwrap_or(u64::MAX);
    u32::try_from(want)
        .unwrap_or(MAX_DICTIONARY)
        .clamp(MIN_DICTIONARY, MAX_DICTIONARY)
}

/// The library's error as ours; an I/O error keeps its source, without
/// the library's message (which may name a file).
fn encoder_error(e: sevenz_rust2::Error) -> ArchiveError {
    match e {
        sevenz_rust2::Error::Io(source, _) | sevenz_rust2::Error::FileOpen(source, _) => {
            ArchiveError::Write {
                format: Format::SevenZ,
                source,
            }
        }
        other => ArchiveError::Encoder {
            format: Format::SevenZ,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_fits_the_input() {
        assert_eq!(dictionary_size(0), MIN_DICTIONARY);
        assert_eq!(dictionary_size(100_000), 128 * 1024);
        assert_eq!(dictionary_size(1 << 30), MAX_DICTIONARY);
        assert_eq!(dictionary_size(u64::MAX), MAX_DICTIONARY);
    }
}
