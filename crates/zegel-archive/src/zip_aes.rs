//! ZIP with WinZip AES-256 (AE-2) per file, through the zip crate.
//!
//! Each file's contents are Deflate-compressed and encrypted (AES-256 in CTR
//! mode, a fresh salt per file, PBKDF2-HMAC-SHA1 with 1000 rounds as the
//! format prescribes, an HMAC-SHA1 tag). The ZIP format keeps names, sizes
//! and times in plain local headers and the central directory: **they are
//! not encrypted**, whatever the password.

use crate::{ArchiveError, Format, Password};
use chrono::{DateTime as ChronoTime, Datelike, Timelike, Utc};
use std::io::{Seek, Write};
use std::time::SystemTime;
use zip::write::{FileOptions, ZipWriter};
use zip::{AesMode, CompressionMethod, DateTime};

/// Writes `files` (safe, unique names) as an AES-256 ZIP archive to `out`.
pub(crate) fn write<W: Write + Seek>(
    out: W,
    files: &[(&str, &[u8])],
    password: &Password,
    modified: Option<SystemTime>,
) -> Result<W, ArchiveError> {
    let time = modified.map(dos_time).unwrap_or_default();
    let mut zip = ZipWriter::new(out);
    for (name, data) in files {
        let options = FileOptions::<()>::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(time)
            .unix_permissions(0o644)
            .large_file(data.len() as u64 >= u64::from(u32::MAX))
            .with_aes_encryption(AesMode::Aes256, password.as_str());
        zip.start_file(*name, options).map_err(zip_error)?;
        zip.write_all(data).map_err(|source| ArchiveError::Write {
            format: Format::Zip,
            source,
        })?;
    }
    zip.finish().map_err(zip_error)
}

/// `t` as a ZIP (MS-DOS) time, in UTC; outside 1980–2107: 1980-01-01.
fn dos_time(t: SystemTime) -> DateTime {
    let t: ChronoTime<Utc> = t.into();
    u16::try_from(t.year())
        .ok()
        .and_then(|year| {
            DateTime::from_date_and_time(
                year,
                t.month() as u8,
                t.day() as u8,
                t.hour() as u8,
                t.minute() as u8,
                t.second() as u8,
            )
            .ok()
        })
        .unwrap_or_default()
}

/// The library's error as ours.
fn zip_error(e: zip::result::ZipError) -> ArchiveError {
    match e {
        zip::result::ZipError::Io(source) => ArchiveError::Write {
            format: Format::Zip,
            source,
        },
        other => ArchiveError::Encoder {
            format: Format::Zip,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn times_become_dos_times() {
        // 2026-11-23 10:15:30 UTC.
        let t = UNIX_EPOCH + Duration::from_secs(1_795_428_930);
        let d = dos_time(t);
        assert_eq!(
            (
                d.year(),
                d.month(),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            ),
            (2026, 11, 23, 10, 15, 30)
        );
        assert_eq!(dos_time(UNIX_EPOCH), DateTime::default());
    }
}
