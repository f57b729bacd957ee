//! Legacy Office documents and Outlook items inside OLE compound files:
//! Word 97-2003 (`.doc`), PowerPoint 97-2003 (`.ppt`) and Outlook items
//! (`.msg`). XLS stays with `sheet` (calamine).
//!
//! Written by hand on the `cfb` crate: no maintained crate extracts text
//! from these formats without a large document model. Only what holds text
//! is read: Word's piece table (MS-DOC §2.4.1; main text, headers, footers,
//! footnotes and text boxes are all pieces), PowerPoint's text atoms
//! (MS-PPT §2.9.*), and the property streams of an Outlook item (MS-OXMSG:
//! subject, plain/HTML/RTF body, recipients, attachments and embedded
//! items). Every stream read is bounded by `max_attachment_bytes`; the
//! compound file's chains were checked by `cfb_check` before it is opened.

use super::le::{u16_at, u32_at};
use super::{cfb_check, file, html, rtf, text, Ctx, ExtractIssue};
use crate::finding::Location;
use crate::segment::SegmentRole;
use cfb::CompoundFile;
use std::io::{Cursor, Read};

/// A compound file in memory.
type Ole<'a> = CompoundFile<Cursor<&'a [u8]>>;

/// Opens a compound file after the structural check; `Err` is a reason.
fn open(bytes: &[u8]) -> Result<Ole<'_>, String> {
    cfb_check::check(bytes).map_err(|p| format!("damaged OLE document: {p}"))?;
    CompoundFile::open(Cursor::new(bytes)).map_err(|e| format!("damaged OLE document: {e}"))
}

/// The names in the root storage of a compound file; `None` when it
/// cannot be opened.
pub(crate) fn root_names(bytes: &[u8]) -> Option<Vec<String>> {
    super::guard::isolate("OLE", || {
        let ole = open(bytes).ok()?;
        let names = ole
            .read_root_storage()
            .map(|e| e.name().to_string())
            .collect();
        Some(names)
    })
    .ok()
    .flatten()
}

/// Reads the stream at `path`, at most `max` bytes; `None` when absent.
fn stream(ole: &mut Ole<'_>, path: &str, max: usize) -> Option<Vec<u8>> {
    if !ole.is_stream(path) {
        return None;
    }
    let mut s = ole.open_stream(path).ok()?;
    let mut out = Vec::new();
    s.by_ref().take(max as u64).read_to_end(&mut out).ok()?;
    Some(out)
}

/// UTF-16LE bytes to text (an odd last byte is dropped).
pub(crate) fn utf16le(bytes: &[u8]) -> String {
    encoding_rs::UTF_16LE
        .decode_without_bom_handling(&bytes[..bytes.len() & !1])
        .0
        .into_owned()
}

/// Windows-1252 bytes to text.
fn cp1252(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

/// A Word 97-2003 document.
pub(crate) fn extract_doc(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    let max = ctx.limits.max_attachment_bytes;
    let max_text = ctx.limits.max_text_bytes;
    let outcome = super::guard::isolate("Word", || -> Result<Option<String>, String> {
        let mut ole = open(bytes)?;
        let word = stream(&mut ole, "/WordDocument", max).ok_or("no WordDocument stream")?;
        if u16_at(&word, 0) != Some(0xA5EC) {
            return Err("not a Word 97-2003 document".into());
        }
        let flags = u16_at(&word, 0x0A).ok_or("damaged Word header")?;
        if flags & 0x0100 != 0 {
            return Ok(None);
        }
        let table_name = if flags & 0x0200 != 0 {
            "/1Table"
        } else {
            "/0Table"
        };
        let table = stream(&mut ole, table_name, max).ok_or("no table stream")?;
        let fc_clx = u32_at(&word, 0x01A2).ok_or("damaged Word header")? as usize;
        let lcb_clx = u32_at(&word, 0x01A6).ok_or("damaged Word header")? as usize;
        let clx = table
            .get(fc_clx..fc_clx.saturating_add(lcb_clx))
            .ok_or("damaged piece table")?;
        Ok(Some(word_text(&word, clx, max_text)?))
    });
    match outcome {
        Ok(Ok(Some(text))) => ctx.push_text(location, SegmentRole::Attachment, text),
        Ok(Ok(None)) => ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        }),
        Ok(Err(reason)) | Err(reason) => ctx.unreadable(location, reason),
    }
}

/// The text of every piece of a Word document, control marks made white
/// space (paragraph, cell, line and page marks; field markers).
fn word_text(word: &[u8], clx: &[u8], max_text: usize) -> Result<String, String> {
    let mut at = 0;
    // Skip the property modifiers (Prc) before the piece table (Pcdt).
    while clx.get(at) == Some(&0x01) {
        at += 3 + u16_at(clx, at + 1).ok_or("damaged piece table")? as usize;
    }
    if clx.get(at) != Some(&0x02) {
        return Err("damaged piece table".into());
    }
    let lcb = u32_at(clx, at + 1).ok_or("damaged piece table")? as usize;
    let plc = clx.get(at + 5..at + 5 + lcb).ok_or("damaged piece table")?;
    if plc.len() < 16 || (plc.len() - 4) % 12 != 0 {
        return Err("damaged piece table".into());
    }
    let pieces = (plc.len() - 4) / 12;
    let mut out = String::new();
    for i in 0..pieces {
        let start = u32_at(plc, i * 4).unwrap_or(0) as usize;
        let end = u32_at(plc, (i + 1) * 4).unwrap_or(0) as usize;
        let chars = end.saturating_sub(start);
        let pcd = (pieces + 1) * 4 + i * 8;
        let fc = u32_at(plc, pcd + 2).ok_or("damaged piece table")?;
        let piece = if fc & 0x4000_0000 != 0 {
            let offset = ((fc & 0x3FFF_FFFF) / 2) as usize;
            let Some(b) = word.get(offset..offset.saturating_add(chars)) else {
                continue;
            };
            cp1252(b)
        } else {
            let offset = fc as usize;
            let Some(b) = word.get(offset..offset.saturating_add(chars.saturating_mul(2))) else {
                continue;
            };
            utf16le(b)
        };
        let cleaned: String = piece
            .chars()
            .map(|c| match c {
                '\r' | '\u{0B}' | '\u{0C}' => '\n',
                '\u{07}' => '\t',
                '\u{13}' | '\u{14}' | '\u{15}' | '\u{01}' | '\u{08}' => ' ',
                c if c.is_control() && c != '\n' && c != '\t' => ' ',
                c => c,
            })
            .collect();
        if !text::push_bounded(&mut out, &cleaned, max_text) {
            break;
        }
    }
    Ok(out)
}

/// A PowerPoint 97-2003 presentation: the text atoms of its main stream.
pub(crate) fn extract_ppt(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    let max = ctx.limits.max_attachment_bytes;
    let max_text = ctx.limits.max_text_bytes;
    let outcome = super::guard::isolate("PowerPoint", || -> Result<Option<String>, String> {
        let mut ole = open(bytes)?;
        if ole.is_stream("/EncryptedSummary") {
            return Ok(None);
        }
        let doc = stream(&mut ole, "/PowerPoint Document", max).ok_or("no presentation stream")?;
        Ok(Some(ppt_text(&doc, max_text)))
    });
    match outcome {
        Ok(Ok(Some(text))) => ctx.push_text(location, SegmentRole::Attachment, text),
        Ok(Ok(None)) => ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        }),
        Ok(Err(reason)) | Err(reason) => ctx.unreadable(location, reason),
    }
}

/// Walks the record stream: containers (version 0xF) are entered, text
/// atoms (TextCharsAtom, TextBytesAtom, CString) are read, the rest skipped.
fn ppt_text(doc: &[u8], max_text: usize) -> String {
    let mut out = String::new();
    let mut at = 0usize;
    while at + 8 <= doc.len() {
        let ver = u16_at(doc, at).unwrap_or(0) & 0x0F;
        let kind = u16_at(doc, at + 2).unwrap_or(0);
        let len = u32_at(doc, at + 4).unwrap_or(0) as usize;
        if ver == 0x0F {
            at += 8;
            continue;
        }
        let body = doc.get(at + 8..(at + 8).saturating_add(len).min(doc.len()));
        let piece = match (kind, body) {
            (0x0FA0 | 0x0FBA, Some(b)) => utf16le(b),
            (0x0FA8, Some(b)) => cp1252(b),
            _ => String::new(),
        };
        if !piece.is_empty() {
            let piece = piece.replace(['\r', '\u{0B}'], "\n");
            if !text::push_bounded(&mut out, &piece, max_text) {
                break;
            }
            out.push('\n');
        }
        at = (at + 8).saturating_add(len);
    }
    out
}

/// An Outlook item (`.msg`): subject, body, recipients and attachments,
/// embedded items followed to `max_depth`.
pub(crate) fn extract_msg(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    let mut ole = match super::guard::isolate("Outlook", || open(bytes)) {
        Ok(Ok(ole)) => ole,
        Ok(Err(reason)) | Err(reason) => return ctx.unreadable(location, reason),
    };
    if super::guard::isolate("Outlook", || msg_storage(ctx, &mut ole, "", location)).is_err() {
        ctx.unreadable(location, "Outlook item parser failed on malformed input");
    }
}

/// Whether a compound file is an Outlook item (its property stream and
/// the subject or body streams of MS-OXMSG).
pub(crate) fn is_msg(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "__substg1.0_"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// A string property (`…001F` UTF-16, `…001E` 8-bit) under `prefix`.
fn string_prop(ole: &mut Ole<'_>, prefix: &str, tag: &str, max: usize) -> Option<String> {
    if let Some(b) = stream(ole, &format!("{prefix}/__substg1.0_{tag}001F"), max) {
        return Some(utf16le(&b).trim_end_matches('\0').to_string());
    }
    stream(ole, &format!("{prefix}/__substg1.0_{tag}001E"), max)
        .map(|b| cp1252(&b).trim_end_matches('\0').to_string())
}

/// The body of an Outlook item (`.msg` or TNEF) as forwarded text: the
/// plain and the HTML version when there are, else the compressed RTF.
pub(crate) fn outlook_body(
    ctx: &mut Ctx<'_>,
    location: &Location,
    plain: Option<String>,
    html: Option<Vec<u8>>,
    rtf: Option<Vec<u8>>,
) {
    let max = ctx.limits.max_attachment_bytes;
    let max_text = ctx.limits.max_text_bytes;
    let mut has_body = false;
    if let Some(plain) = plain {
        has_body = !plain.trim().is_empty();
        ctx.push_text(location, SegmentRole::Forwarded, plain);
    }
    if let Some(h) = html {
        let source = text::decode(&h, max);
        let text = html::html_to_text(&source, max_text);
        ctx.push_text(location, SegmentRole::Forwarded, text);
        has_body = true;
    }
    if let (Some(c), false) = (rtf, has_body) {
        match rtf::decompress(&c, max) {
            Ok(raw) => {
                let text = rtf::to_text(&raw, max_text);
                ctx.push_text(location, SegmentRole::Forwarded, text);
            }
            Err(reason) => ctx.unreadable(location, reason),
        }
    }
}

/// One message storage (the root, or an embedded item's `3701000D`).
fn msg_storage(ctx: &mut Ctx<'_>, ole: &mut Ole<'_>, prefix: &str, location: &Location) {
    let max = ctx.limits.max_attachment_bytes;
    let mut head = String::new();
    for tag in ["0037", "0C1A", "0E04", "0E03"] {
        if let Some(v) = string_prop(ole, prefix, tag, max) {
            head.push_str(&v);
            head.push('\n');
        }
    }
    ctx.push_text(location, SegmentRole::Attachment, head);
    let plain = string_prop(ole, prefix, "1000", max);
    let html = stream(ole, &format!("{prefix}/__substg1.0_10130102"), max);
    let rtf = stream(ole, &format!("{prefix}/__substg1.0_10090102"), max);
    outlook_body(ctx, location, plain, html, rtf);
    // Recipients (display names and addresses) and attachments.
    let children: Vec<String> = ole
        .read_storage(if prefix.is_empty() { "/" } else { prefix })
        .map(|entries| entries.map(|e| e.name().to_string()).collect())
        .unwrap_or_default();
    let mut people = String::new();
    for name in children
        .iter()
        .filter(|n| n.starts_with("__recip_version1.0_"))
    {
        let p = format!("{prefix}/{name}");
        for tag in ["3001", "39FE", "3003"] {
            if let Some(v) = string_prop(ole, &p, tag, max) {
                people.push_str(&v);
                people.push(' ');
            }
        }
        people.push('\n');
    }
    ctx.push_text(location, SegmentRole::Attachment, people);
    for (n, name) in children
        .iter()
        .filter(|n| n.starts_with("__attach_version1.0_"))
        .enumerate()
    {
        let p = format!("{prefix}/{name}");
        let file_name = string_prop(ole, &p, "3707", max)
            .or_else(|| string_prop(ole, &p, "3704", max))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("bijlage-{}", n + 1));
        let child = location.child(&file_name);
        let embedded = format!("{p}/__substg1.0_3701000D");
        if ole.is_storage(&embedded) {
            file::record(ctx, &child, Some(&file_name), None, 0);
            if file::depth(&child) > ctx.limits.max_depth {
                ctx.limit(&child, "max_depth");
            } else {
                msg_storage(ctx, ole, &embedded, &child);
            }
        } else if let Some(data) = stream(ole, &format!("{p}/__substg1.0_37010102"), max) {
            file::extract_attachment(ctx, &child, Some(&file_name), None, &data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppt_text_atoms_are_read_through_containers() {
        let mut doc = Vec::new();
        let text: Vec<u8> = "BSN 111222333"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        // A container (version 0xF) holding a TextCharsAtom and a TextBytesAtom.
        let atom_len = 8 + text.len() + 8 + 5;
        doc.extend_from_slice(&0x000Fu16.to_le_bytes());
        doc.extend_from_slice(&0x03E8u16.to_le_bytes());
        doc.extend_from_slice(&(atom_len as u32).to_le_bytes());
        doc.extend_from_slice(&0u16.to_le_bytes());
        doc.extend_from_slice(&0x0FA0u16.to_le_bytes());
        doc.extend_from_slice(&(text.len() as u32).to_le_bytes());
        doc.extend_from_slice(&text);
        doc.extend_from_slice(&0u16.to_le_bytes());
        doc.extend_from_slice(&0x0FA8u16.to_le_bytes());
        doc.extend_from_slice(&5u32.to_le_bytes());
        doc.extend_from_slice(b"Jan V");
        let t = ppt_text(&doc, 1000);
        assert!(t.contains("BSN 111222333") && t.contains("Jan V"), "{t}");
        // A length past the end is not a panic.
        let _ = ppt_text(&[0, 0, 0xA0, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 1], 100);
    }

    #[test]
    fn word_pieces_compressed_and_unicode() {
        let mut word = vec![0u8; 64];
        word.extend_from_slice(b"Hallo\r");
        let uni_at = word.len();
        word.extend("Wereld".encode_utf16().flat_map(u16::to_le_bytes));
        // Piece 1: 6 compressed chars at byte 64 (fc = 128 | 0x40000000);
        // piece 2: 6 UTF-16 chars at `uni_at`.
        let mut plc = Vec::new();
        for cp in [0u32, 6, 12] {
            plc.extend_from_slice(&cp.to_le_bytes());
        }
        for fc in [0x4000_0000u32 | 128, uni_at as u32] {
            plc.extend_from_slice(&0u16.to_le_bytes());
            plc.extend_from_slice(&fc.to_le_bytes());
            plc.extend_from_slice(&0u16.to_le_bytes());
        }
        let mut clx = vec![0x01, 0x01, 0x00, 0xAA, 0x02];
        clx.extend_from_slice(&(plc.len() as u32).to_le_bytes());
        clx.extend_from_slice(&plc);
        assert_eq!(word_text(&word, &clx, 1000).unwrap(), "Hallo\nWereld");
        assert!(word_text(&word, &[0x02, 0xFF, 0xFF, 0xFF, 0xFF], 1000).is_err());
    }
}
