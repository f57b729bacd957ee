//! ZIP archives, read through a bounded reader.
//!
//! Declared sizes in a ZIP are not trusted: every member is decompressed
//! through a reader that stops one byte past the allowed size, so a zip bomb
//! costs at most that bound in memory and time. A member may expand to
//! `max_compression_ratio` times its compressed size (but always to
//! [`RATIO_FLOOR`], so small, very regular files are no bomb), to
//! `max_attachment_bytes`, and all members of one message together to
//! `max_expanded_bytes`.

use super::{file, Ctx, ExtractIssue};
use crate::finding::Location;
use std::io::{self, Cursor, Read, Write};
use zip::result::ZipError;
use zip::ZipArchive;

/// Below this size a member is never called a bomb for its ratio alone.
pub(crate) const RATIO_FLOOR: u64 = 1024 * 1024;

/// A ZIP archive over bytes in memory.
pub(crate) type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Why a member could not be read.
#[derive(Debug)]
pub(crate) enum MemberError {
    /// It is password-protected.
    Encrypted,
    /// It expands beyond the ratio or the message's budget.
    Bomb,
    /// It is larger than `max_attachment_bytes`.
    TooBig,
    /// The archive is damaged or uses an unsupported method.
    Failed(String),
}

/// Opens a ZIP archive in memory.
pub(crate) fn open(bytes: &[u8]) -> Result<Zip<'_>, String> {
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("damaged ZIP archive: {e}"))
}

/// The name of member `index` (lossy), and whether it is a directory.
pub(crate) fn member_name(zip: &mut Zip<'_>, index: usize) -> Option<(String, bool)> {
    let f = zip.by_index_raw(index).ok()?;
    let name = String::from_utf8_lossy(f.name_raw()).into_owned();
    Some((name, f.is_dir()))
}

/// The index of the member called `name`, if any.
pub(crate) fn index_of(zip: &Zip<'_>, name: &str) -> Option<usize> {
    zip.index_for_name(name)
}

/// Reads member `index` into memory, bounded.
pub(crate) fn read_member(
    ctx: &mut Ctx<'_>,
    zip: &mut Zip<'_>,
    index: usize,
) -> Result<Vec<u8>, MemberError> {
    let mut buf = Vec::new();
    copy_member(ctx, zip, index, &mut buf)?;
    Ok(buf)
}

/// Decompresses member `index` into `sink`, bounded, counting against the
/// message's budget.
fn copy_member<W: Write + Sized>(
    ctx: &mut Ctx<'_>,
    zip: &mut Zip<'_>,
    index: usize,
    sink: &mut W,
) -> Result<u64, MemberError> {
    let limits = ctx.limits;
    let (encrypted, declared, compressed) = {
        let f = zip
            .by_index_raw(index)
            .map_err(|e| MemberError::Failed(e.to_string()))?;
        (f.encrypted(), f.size(), f.compressed_size())
    };
    if encrypted {
        return Err(MemberError::Encrypted);
    }
    let ratio_cap = compressed
        .saturating_mul(limits.max_compression_ratio)
        .max(RATIO_FLOOR);
    let budget = limits.max_expanded_bytes.saturating_sub(ctx.expanded) as u64;
    if declared > ratio_cap || declared > budget {
        return Err(MemberError::Bomb);
    }
    if declared > limits.max_attachment_bytes as u64 {
        return Err(MemberError::TooBig);
    }
    let cap = ratio_cap
        .min(budget)
        .min(limits.max_attachment_bytes as u64);
    let member = zip.by_index(index).map_err(|e| match e {
        ZipError::UnsupportedArchive(msg) if msg == ZipError::PASSWORD_REQUIRED => {
            MemberError::Encrypted
        }
        ZipError::UnsupportedArchive(msg) if msg.contains("AES") || msg.contains("ncrypt") => {
            MemberError::Encrypted
        }
        ZipError::InvalidPassword => MemberError::Encrypted,
        e => MemberError::Failed(e.to_string()),
    })?;
    let mut bounded = member.take(cap.saturating_add(1));
    let copied = copy(&mut bounded, sink);
    let n = match copied {
        Ok(n) => n,
        Err((n, e)) => {
            ctx.expanded = ctx.expanded.saturating_add(n as usize);
            // The zip crate stops a member that expands past its declared
            // size: a lying header is the mark of a bomb.
            if e.to_string().contains("larger than its declared") {
                return Err(MemberError::Bomb);
            }
            return Err(MemberError::Failed(format!("damaged member: {e}")));
        }
    };
    ctx.expanded = ctx.expanded.saturating_add(n as usize);
    if n > cap {
        return Err(if n > ratio_cap || n > budget {
            MemberError::Bomb
        } else {
            MemberError::TooBig
        });
    }
    Ok(n)
}

/// `io::copy` that also reports how much was copied before an error.
fn copy<R: Read, W: Write>(reader: &mut R, writer: &mut W) -> Result<u64, (u64, io::Error)> {
    let mut chunk = [0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err((total, e)),
        };
        writer.write_all(&chunk[..n]).map_err(|e| (total, e))?;
        total += n as u64;
    }
}

/// Decompresses every member into nothing, to prove the archive is no bomb
/// and holds no encrypted member before a parser that reads it unbounded
/// (calamine) gets it. Reports the issue and returns `false` if not.
pub(crate) fn verify(ctx: &mut Ctx<'_>, location: &Location, zip: &mut Zip<'_>) -> bool {
    if zip.len() > ctx.limits.max_archive_entries {
        ctx.limit(location, "max_archive_entries");
        return false;
    }
    for index in 0..zip.len() {
        match copy_member(ctx, zip, index, &mut io::sink()) {
            Ok(_) => {}
            Err(MemberError::Encrypted) => {
                ctx.issue(ExtractIssue::Encrypted {
                    location: location.clone(),
                });
                return false;
            }
            Err(e) => {
                report(ctx, location, e);
                return false;
            }
        }
    }
    true
}

/// Records a member error that stops reading the whole document at
/// `location` (a bomb, a password, a size limit, damage).
pub(crate) fn report(ctx: &mut Ctx<'_>, location: &Location, error: MemberError) {
    match error {
        MemberError::Encrypted => ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        }),
        MemberError::Bomb => ctx.issue(ExtractIssue::ZipBomb {
            location: location.clone(),
        }),
        MemberError::TooBig => ctx.limit(location, "max_attachment_bytes"),
        MemberError::Failed(reason) => ctx.unreadable(location, reason),
    }
}

/// Extracts a plain archive: every member becomes a nested attachment at
/// `location/<member name>`, read recursively. File names of encrypted
/// members are still reported (they are visible without the password).
pub(crate) fn extract_archive(ctx: &mut Ctx<'_>, location: &Location, mut zip: Zip<'_>) {
    if file::depth(location) >= ctx.limits.max_depth {
        ctx.limit(location, "max_depth");
        return;
    }
    let count = zip.len();
    if count > ctx.limits.max_archive_entries {
        ctx.limit(location, "max_archive_entries");
    }
    let mut encrypted = false;
    for index in 0..count.min(ctx.limits.max_archive_entries) {
        let Some((name, is_dir)) = member_name(&mut zip, index) else {
            continue;
        };
        if is_dir {
            continue;
        }
        let child = location.child(&name);
        match read_member(ctx, &mut zip, index) {
            Ok(bytes) => file::extract_attachment(ctx, &child, Some(&name), None, &bytes),
            Err(MemberError::Encrypted) => {
                let size = zip.by_index_raw(index).map_or(0, |f| f.size() as usize);
                file::record(ctx, &child, Some(&name), None, size);
                if !encrypted {
                    encrypted = true;
                    ctx.issue(ExtractIssue::Encrypted {
                        location: location.clone(),
                    });
                }
            }
            Err(MemberError::Bomb) => {
                report(ctx, location, MemberError::Bomb);
                return;
            }
            Err(e @ (MemberError::TooBig | MemberError::Failed(_))) => {
                let size = zip.by_index_raw(index).map_or(0, |f| f.size() as usize);
                file::record(ctx, &child, Some(&name), None, size);
                report(ctx, &child, e);
            }
        }
    }
}
