//! Outlook's TNEF container (`winmail.dat`, `application/ms-tnef`,
//! MS-OXTNEF): the subject, the body (plain, HTML or compressed RTF, also
//! inside the message's MAPI properties) and every attachment.
//!
//! Written by hand: the `tnef` crate reads only attachments, not the MAPI
//! properties where Outlook puts the body. The format is a flat list of
//! attributes (level, id, length, data, checksum); the MAPI property lists
//! are parsed as far as the properties we read, and a list that does not
//! parse makes the container unreadable.

use super::le::{u16_at, u32_at};
use super::{file, ole, Ctx};
use crate::finding::Location;
use crate::segment::SegmentRole;

const SIGNATURE: u32 = 0x223E_9F78;
const ATT_SUBJECT: u32 = 0x0001_8004;
const ATT_BODY: u32 = 0x0002_800C;
const ATT_ATTACH_DATA: u32 = 0x0006_800F;
const ATT_ATTACH_TITLE: u32 = 0x0001_8010;
const ATT_ATTACH_REND_DATA: u32 = 0x0006_9002;
const ATT_MSG_PROPS: u32 = 0x0006_9003;
const ATT_ATTACHMENT: u32 = 0x0006_9005;

/// An attachment being collected.
#[derive(Default)]
struct Attachment {
    name: Option<String>,
    data: Option<Vec<u8>>,
}

/// What a MAPI property list holds for us.
#[derive(Default)]
struct Props {
    subject: Option<String>,
    body: Option<String>,
    html: Option<Vec<u8>>,
    rtf: Option<Vec<u8>>,
    long_name: Option<String>,
    data: Option<Vec<u8>>,
}

/// Reads a TNEF container at `location`.
pub(crate) fn extract(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    if u32_at(bytes, 0) != Some(SIGNATURE) {
        return ctx.unreadable(location, "not a TNEF container");
    }
    let max = ctx.limits.max_attachment_bytes;
    let mut at = 6;
    let mut attachments: Vec<Attachment> = Vec::new();
    let mut message = Props::default();
    while at < bytes.len() {
        let (Some(&_level), Some(id), Some(len)) =
            (bytes.get(at), u32_at(bytes, at + 1), u32_at(bytes, at + 5))
        else {
            return ctx.unreadable(location, "damaged TNEF container");
        };
        let start = at + 9;
        let Some(data) = bytes.get(start..start.saturating_add(len as usize)) else {
            return ctx.unreadable(location, "damaged TNEF container");
        };
        at = start + len as usize + 2;
        match id {
            ATT_SUBJECT => message.subject = Some(cstr(data)),
            ATT_BODY => message.body = Some(cstr(data)),
            ATT_ATTACH_REND_DATA => attachments.push(Attachment::default()),
            ATT_ATTACH_TITLE => {
                if let Some(a) = attachments.last_mut() {
                    a.name = Some(cstr(data));
                }
            }
            ATT_ATTACH_DATA => {
                if let Some(a) = attachments.last_mut() {
                    a.data = Some(data.to_vec());
                }
            }
            ATT_MSG_PROPS => match props(data, max) {
                Some(p) => {
                    message.subject = message.subject.or(p.subject);
                    message.body = message.body.or(p.body);
                    message.html = p.html;
                    message.rtf = p.rtf;
                }
                None => return ctx.unreadable(location, "damaged TNEF message properties"),
            },
            ATT_ATTACHMENT => match (props(data, max), attachments.last_mut()) {
                (Some(p), Some(a)) => {
                    if p.long_name.is_some() {
                        a.name = p.long_name;
                    }
                    if a.data.is_none() {
                        a.data = p.data;
                    }
                }
                (None, _) => return ctx.unreadable(location, "damaged TNEF attachment properties"),
                _ => {}
            },
            _ => {}
        }
    }
    if let Some(subject) = message.subject {
        ctx.push_text(location, SegmentRole::Attachment, subject);
    }
    ole::outlook_body(ctx, location, message.body, message.html, message.rtf);
    for (n, a) in attachments.into_iter().enumerate() {
        let name = a
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("bijlage-{}", n + 1));
        let child = location.child(&name);
        match a.data {
            Some(data) => file::extract_attachment(ctx, &child, Some(&name), None, &data),
            None => file::record(ctx, &child, Some(&name), None, 0),
        }
    }
}

/// An 8-bit string attribute, up to its NUL.
fn cstr(data: &[u8]) -> String {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(&data[..end])
        .0
        .into_owned()
}

/// Parses a MAPI property list (MS-OXTNEF §2.1.3.4); `None` when damaged.
fn props(data: &[u8], max: usize) -> Option<Props> {
    let mut p = Props::default();
    let count = u32_at(data, 0)?;
    let mut at = 4;
    for _ in 0..count {
        let kind = u16_at(data, at)?;
        let id = u16_at(data, at + 2)?;
        at += 4;
        if id >= 0x8000 {
            // A named property: GUID, then an id or a name.
            let name_kind = u32_at(data, at + 16)?;
            at += 20;
            if name_kind == 0 {
                at += 4;
            } else {
                let len = u32_at(data, at)? as usize;
                at = at.checked_add(4 + pad4(len))?;
            }
        }
        let multi = kind & 0x1000 != 0;
        let base = kind & !0x1000;
        let fixed = match base {
            0x0002 | 0x0003 | 0x0004 | 0x000A | 0x000B => Some(4),
            0x0005 | 0x0006 | 0x0007 | 0x0014 | 0x0040 => Some(8),
            0x0048 => Some(16),
            0x0001 => Some(0),
            0x001E | 0x001F | 0x0102 | 0x000D => None,
            _ => return None,
        };
        if let Some(size) = fixed {
            let values = if multi { u32_at(data, at)? as usize } else { 1 };
            if multi {
                at += 4;
            }
            at = at.checked_add(values.checked_mul(size)?)?;
            continue;
        }
        let values = u32_at(data, at)? as usize;
        at += 4;
        for _ in 0..values {
            let len = u32_at(data, at)? as usize;
            let value = data.get(at + 4..(at + 4).checked_add(len)?)?;
            at = at.checked_add(4 + pad4(len))?;
            let bounded = &value[..value.len().min(max)];
            match (id, base) {
                (0x0037, 0x001F) => p.subject = Some(super::ole::utf16le(bounded)),
                (0x0037, 0x001E) => p.subject = Some(cstr(bounded)),
                (0x1000, 0x001F) => p.body = Some(super::ole::utf16le(bounded)),
                (0x1000, 0x001E) => p.body = Some(cstr(bounded)),
                (0x1013 | 0x1035, 0x0102) => p.html = Some(bounded.to_vec()),
                (0x1009, 0x0102) => p.rtf = Some(bounded.to_vec()),
                (0x3707, 0x001F) => p.long_name = Some(super::ole::utf16le(bounded)),
                (0x3707, 0x001E) => p.long_name = Some(cstr(bounded)),
                (0x3701, 0x0102) => p.data = Some(bounded.to_vec()),
                // An embedded object starts with its interface id.
                (0x3701, 0x000D) => p.data = bounded.get(16..).map(<[u8]>::to_vec),
                _ => {}
            }
        }
    }
    Some(p)
}

/// `len` rounded up to a multiple of four.
fn pad4(len: usize) -> usize {
    len.div_ceil(4) * 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{extract_file, Limits};

    fn attribute(out: &mut Vec<u8>, level: u8, id: u32, data: &[u8]) {
        out.push(level);
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        let sum: u32 = data.iter().map(|&b| b as u32).sum();
        out.extend_from_slice(&(sum as u16).to_le_bytes());
    }

    #[test]
    fn body_and_attachments_are_read() {
        let mut t = SIGNATURE.to_le_bytes().to_vec();
        t.extend_from_slice(&0x0001u16.to_le_bytes());
        attribute(&mut t, 1, ATT_SUBJECT, b"Overdracht\0");
        // PR_BODY as a MAPI property (PT_UNICODE).
        let body: Vec<u8> = "BSN 111222333 mevrouw Jansen\0"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut props = 1u32.to_le_bytes().to_vec();
        props.extend_from_slice(&0x001Fu16.to_le_bytes());
        props.extend_from_slice(&0x1000u16.to_le_bytes());
        props.extend_from_slice(&1u32.to_le_bytes());
        props.extend_from_slice(&(body.len() as u32).to_le_bytes());
        props.extend_from_slice(&body);
        props.resize(props.len() + pad4(body.len()) - body.len(), 0);
        attribute(&mut t, 1, ATT_MSG_PROPS, &props);
        attribute(&mut t, 2, ATT_ATTACH_REND_DATA, &[0; 14]);
        attribute(&mut t, 2, ATT_ATTACH_TITLE, b"lijst.txt\0");
        attribute(&mut t, 2, ATT_ATTACH_DATA, b"diagnose: diabetes");
        let out = extract_file("winmail.dat", None, &t, &Limits::default());
        let all: String = out.segments.iter().map(|s| s.text.clone() + "\n").collect();
        assert!(all.contains("Overdracht"), "{all}");
        assert!(all.contains("BSN 111222333"), "{all}");
        assert!(all.contains("diagnose: diabetes"), "{all}");
        assert!(out.issues.is_empty(), "{:?}", out.issues);
        // Cut short anywhere: an issue, never a panic.
        for n in 0..t.len() {
            let _ = extract_file("winmail.dat", None, &t[..n], &Limits::default());
        }
    }
}
