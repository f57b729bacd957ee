//! Compressed files and archives other than ZIP: gzip, bzip2 and xz (one
//! compressed file each), tar and 7-Zip (many files).
//!
//! The same bounds as for ZIP members hold (see `archive`): nothing is
//! decompressed past `max_compression_ratio` times its compressed size (but
//! always up to [`RATIO_FLOOR`]), past `max_attachment_bytes`, or past what
//! is left of the message's `max_expanded_bytes`; a member past the first
//! two is a bomb. Every member is read again as an attachment, so an
//! archive in an archive is followed to `max_depth`.

use super::archive::{MemberError, RATIO_FLOOR};
use super::{archive, file, Ctx, ExtractIssue};
use crate::finding::Location;
use std::io::{Cursor, Read};

/// The single-file compressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Gzip,
    Bzip2,
    Xz,
}

/// The most bytes reading one compressed input may produce under the
/// limits: `(cap, ratio_cap)`.
fn caps(ctx: &Ctx<'_>, compressed: usize) -> (u64, u64) {
    let limits = ctx.limits;
    let ratio_cap = (compressed as u64)
        .saturating_mul(limits.max_compression_ratio)
        .max(RATIO_FLOOR);
    let budget = limits.max_expanded_bytes.saturating_sub(ctx.expanded) as u64;
    let cap = ratio_cap
        .min(budget)
        .min(limits.max_attachment_bytes as u64);
    (cap, ratio_cap.min(budget))
}

/// Reads `reader` to its end or one byte past `cap`, whichever is first,
/// counting what it produced against the message's budget.
fn read_bounded(
    ctx: &mut Ctx<'_>,
    reader: impl Read,
    compressed: usize,
) -> Result<Vec<u8>, MemberError> {
    let (cap, bomb_cap) = caps(ctx, compressed);
    let mut out = Vec::new();
    let result = reader.take(cap.saturating_add(1)).read_to_end(&mut out);
    ctx.expanded = ctx.expanded.saturating_add(out.len());
    if let Err(e) = result {
        return Err(MemberError::Failed(format!("damaged compressed data: {e}")));
    }
    if out.len() as u64 > cap {
        return Err(if out.len() as u64 > bomb_cap {
            MemberError::Bomb
        } else {
            MemberError::TooBig
        });
    }
    Ok(out)
}

/// The name of the file inside `name.gz` / `.bz2` / `.xz` / `.tgz`.
fn inner_name(name: Option<&str>, stream: Stream) -> Option<String> {
    let name = name?;
    let lower = name.to_ascii_lowercase();
    let cut = |suffix: &str| lower.ends_with(suffix).then(|| name.len() - suffix.len());
    let stem = match stream {
        Stream::Gzip => cut(".gz").or_else(|| cut(".tgz").map(|_| usize::MAX)),
        Stream::Bzip2 => cut(".bz2").or_else(|| cut(".tbz2").map(|_| usize::MAX)),
        Stream::Xz => cut(".xz").or_else(|| cut(".txz").map(|_| usize::MAX)),
    };
    match stem {
        Some(usize::MAX) => name.rsplit_once('.').map(|(s, _)| format!("{s}.tar")),
        Some(end) => Some(name[..end].to_string()),
        None => None,
    }
}

/// One compressed file: decompressed, bounded, then read as the file it
/// holds (a tar archive, a document, text ...).
pub(crate) fn extract_stream(
    ctx: &mut Ctx<'_>,
    location: &Location,
    name: Option<&str>,
    bytes: &[u8],
    stream: Stream,
) {
    if file::depth(location) >= ctx.limits.max_depth {
        return ctx.limit(location, "max_depth");
    }
    let result = match stream {
        Stream::Gzip => read_bounded(ctx, flate2::read::MultiGzDecoder::new(bytes), bytes.len()),
        Stream::Bzip2 => read_bounded(ctx, bzip2::read::MultiBzDecoder::new(bytes), bytes.len()),
        Stream::Xz => read_bounded(
            ctx,
            lzma_rust2::XzReader::new_mem_limit(bytes, true, XZ_MEMORY_KIB),
            bytes.len(),
        ),
    };
    match result {
        Ok(inner) => {
            let inner_name = inner_name(name, stream).unwrap_or_else(|| "inhoud".to_string());
            let child = location.child(&inner_name);
            file::extract_attachment(ctx, &child, Some(&inner_name), None, &inner);
        }
        Err(e) => archive::report(ctx, location, e),
    }
}

/// The most memory (KiB) an xz or 7z decoder may take for its dictionary:
/// 7-Zip's "ultra" preset uses 64 MiB.
const XZ_MEMORY_KIB: u32 = 128 * 1024;

/// A tar archive: every regular file becomes a nested attachment.
pub(crate) fn extract_tar(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    if file::depth(location) >= ctx.limits.max_depth {
        return ctx.limit(location, "max_depth");
    }
    let mut tar = tar::Archive::new(Cursor::new(bytes));
    let entries = match tar.entries() {
        Ok(entries) => entries,
        Err(e) => return ctx.unreadable(location, format!("damaged tar archive: {e}")),
    };
    let mut count = 0usize;
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => return ctx.unreadable(location, format!("damaged tar archive: {e}")),
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        count += 1;
        if count > ctx.limits.max_archive_entries {
            return ctx.limit(location, "max_archive_entries");
        }
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| format!("bestand-{count}"));
        let child = location.child(&name);
        let size = entry.size();
        if size > ctx.limits.max_attachment_bytes as u64 {
            file::record(ctx, &child, Some(&name), None, size as usize);
            ctx.limit(&child, "max_attachment_bytes");
            continue;
        }
        let budget = ctx.limits.max_expanded_bytes.saturating_sub(ctx.expanded) as u64;
        if size > budget {
            return ctx.issue(ExtractIssue::ZipBomb {
                location: location.clone(),
            });
        }
        let mut member = Vec::with_capacity(size as usize);
        if let Err(e) = (&mut entry).take(size).read_to_end(&mut member) {
            return ctx.unreadable(location, format!("damaged tar archive: {e}"));
        }
        ctx.expanded = ctx.expanded.saturating_add(member.len());
        file::extract_attachment(ctx, &child, Some(&name), None, &member);
    }
}

/// A 7-Zip archive: every file becomes a nested attachment. An archive
/// whose content (or header) needs a password is `Encrypted`; the names of
/// its files are still reported when the header is readable.
pub(crate) fn extract_7z(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    use sevenz_rust2::{ArchiveReader, Error, Password};
    if file::depth(location) >= ctx.limits.max_depth {
        return ctx.limit(location, "max_depth");
    }
    let opened = ArchiveReader::new_with_memory_limit(
        Cursor::new(bytes),
        Password::empty(),
        XZ_MEMORY_KIB as usize,
    );
    let mut reader = match opened {
        Ok(reader) => reader,
        Err(Error::PasswordRequired | Error::MaybeBadPassword(_)) => {
            return ctx.issue(ExtractIssue::Encrypted {
                location: location.clone(),
            })
        }
        Err(e) => return ctx.unreadable(location, format!("damaged 7-Zip archive: {e}")),
    };
    reader.set_thread_count(1);
    let entries: Vec<(String, u64, bool)> = reader
        .archive()
        .files
        .iter()
        .map(|f| (f.name().to_string(), f.size(), f.is_directory()))
        .collect();
    let files = entries.iter().filter(|e| !e.2).count();
    if files > ctx.limits.max_archive_entries {
        return ctx.limit(location, "max_archive_entries");
    }
    let declared: u64 = entries.iter().map(|e| e.1).sum();
    let (cap, bomb_cap) = caps(ctx, bytes.len());
    if declared > bomb_cap {
        return ctx.issue(ExtractIssue::ZipBomb {
            location: location.clone(),
        });
    }
    let max_member = ctx.limits.max_attachment_bytes as u64;
    let mut members: Vec<(String, Result<Vec<u8>, MemberError>)> = Vec::new();
    let mut produced = 0u64;
    let result = reader.for_each_entries(|entry, data| {
        if entry.is_directory() {
            return Ok(true);
        }
        let name = entry.name().to_string();
        if entry.size() > max_member {
            members.push((name, Err(MemberError::TooBig)));
            return Ok(true);
        }
        let mut buf = Vec::new();
        let allowed = cap.saturating_sub(produced).min(max_member);
        let n = data.take(allowed.saturating_add(1)).read_to_end(&mut buf)? as u64;
        produced += n;
        if n > allowed {
            members.push((name, Err(MemberError::Bomb)));
            return Ok(false);
        }
        members.push((name, Ok(buf)));
        Ok(true)
    });
    ctx.expanded = ctx.expanded.saturating_add(produced as usize);
    match result {
        Ok(()) => {}
        Err(Error::PasswordRequired | Error::MaybeBadPassword(_)) => {
            ctx.issue(ExtractIssue::Encrypted {
                location: location.clone(),
            });
        }
        Err(e) => ctx.unreadable(location, format!("damaged 7-Zip archive: {e}")),
    }
    for (name, member) in members {
        let child = location.child(&name);
        match member {
            Ok(bytes) => file::extract_attachment(ctx, &child, Some(&name), None, &bytes),
            Err(MemberError::Bomb) => {
                return ctx.issue(ExtractIssue::ZipBomb {
                    location: location.clone(),
                })
            }
            Err(e) => {
                file::record(ctx, &child, Some(&name), None, 0);
                archive::report(ctx, &child, e);
            }
        }
    }
    // Entries the archive lists but whose data never came (encrypted
    // blocks) still show their names.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_names_drop_the_compression_suffix() {
        assert_eq!(
            inner_name(Some("lijst.csv.gz"), Stream::Gzip).as_deref(),
            Some("lijst.csv")
        );
        assert_eq!(
            inner_name(Some("dossiers.tgz"), Stream::Gzip).as_deref(),
            Some("dossiers.tar")
        );
        assert_eq!(
            inner_name(Some("a.tar.xz"), Stream::Xz).as_deref(),
            Some("a.tar")
        );
        assert_eq!(inner_name(Some("data"), Stream::Bzip2), None);
    }
}
