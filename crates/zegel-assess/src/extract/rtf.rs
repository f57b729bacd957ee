//! Rich Text Format to plain text, and the compressed RTF of Outlook items
//! and TNEF (MS-OXRTFCP, "LZFu").
//!
//! Written by hand: the RTF crates on crates.io build a full document model
//! or are unmaintained, and detection needs only the words. One pass over
//! the bytes: groups, control words (`\par`, `\tab`, `\'hh`, `\uN` with
//! its fallback characters, `\bin`), destinations that hold no text for a
//! reader skipped (font, colour and style tables, document info, pictures,
//! and other `\*` destinations except Outlook's `\*\htmltag`, whose HTML
//! is read as text). Output bounded.

/// Destinations whose content is not text a reader sees.
const SKIPPED: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "listtable",
    "listoverridetable",
    "info",
    "pict",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "mmathPr",
    "fldinst",
    "objdata",
];

/// Plain text of an RTF document, at most `max` bytes.
pub(crate) fn to_text(rtf: &[u8], max: usize) -> String {
    let mut out = String::new();
    // Per group: whether its text is skipped, and the `\ucN` count.
    let mut stack: Vec<(bool, usize)> = vec![(false, 1)];
    let mut pending_bytes: Vec<u8> = Vec::new();
    let mut skip_fallback = 0usize;
    let mut i = 0;
    let flush = |out: &mut String, pending: &mut Vec<u8>| {
        if !pending.is_empty() {
            out.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(pending)
                    .0,
            );
            pending.clear();
        }
    };
    while i < rtf.len() && out.len() < max {
        let (skipping, uc) = *stack.last().unwrap_or(&(false, 1));
        match rtf[i] {
            b'{' => {
                flush(&mut out, &mut pending_bytes);
                // `{\*\dest …}`: an ignorable destination.
                let ignorable = rtf[i + 1..].starts_with(b"\\*");
                let mut skip = skipping;
                if ignorable && !rtf[i + 1..].starts_with(b"\\*\\htmltag") {
                    skip = true;
                }
                if !ignorable && !skip && rtf.get(i + 1) == Some(&b'\\') {
                    let word = control_word(rtf, i + 2).0;
                    if SKIPPED.contains(&word) {
                        skip = true;
                    }
                }
                if stack.len() < 1024 {
                    stack.push((skip, uc));
                }
                i += 1;
            }
            b'}' => {
                flush(&mut out, &mut pending_bytes);
                if stack.len() > 1 {
                    stack.pop();
                }
                i += 1;
            }
            b'\\' => {
                let next = rtf.get(i + 1).copied().unwrap_or(b' ');
                if next == b'\'' {
                    let hex = rtf
                        .get(i + 2..i + 4)
                        .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
                    i += 4;
                    if skip_fallback > 0 {
                        skip_fallback -= 1;
                    } else if let (Some(b), false) = (hex, skipping) {
                        pending_bytes.push(b);
                    }
                    continue;
                }
                if !next.is_ascii_alphabetic() {
                    // A control symbol: `\\`, `\{`, `\}`, `\~` (nbsp), `\-`.
                    if !skipping {
                        flush(&mut out, &mut pending_bytes);
                        match next {
                            b'\\' | b'{' | b'}' => out.push(next as char),
                            b'~' => out.push(' '),
                            _ => {}
                        }
                    }
                    i += 2;
                    continue;
                }
                let (word, param, end) = control_word(rtf, i + 1);
                i = end;
                match word {
                    "bin" => {
                        i = i.saturating_add(param.unwrap_or(0).max(0) as usize);
                    }
                    "uc" => {
                        if let Some(top) = stack.last_mut() {
                            top.1 = param.unwrap_or(1).max(0) as usize;
                        }
                    }
                    "u" if !skipping => {
                        flush(&mut out, &mut pending_bytes);
                        let v = param.unwrap_or(0);
                        let cp = if v < 0 { v + 65536 } else { v } as u32;
                        out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        skip_fallback = uc;
                    }
                    "par" | "line" | "row" | "sect" | "page" if !skipping => {
                        flush(&mut out, &mut pending_bytes);
                        out.push('\n');
                    }
                    "tab" | "cell" if !skipping => {
                        flush(&mut out, &mut pending_bytes);
                        out.push('\t');
                    }
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            b => {
                if skip_fallback > 0 {
                    skip_fallback -= 1;
                } else if !skipping {
                    pending_bytes.push(b);
                }
                i += 1;
            }
        }
    }
    flush(&mut out, &mut pending_bytes);
    super::text::truncate(&mut out, max);
    out
}

/// A control word at `at` (just after the backslash): its letters, its
/// numeric parameter, and the index after it (and after one space that
/// delimits it).
fn control_word(rtf: &[u8], at: usize) -> (&str, Option<i64>, usize) {
    let mut i = at;
    while i < rtf.len() && rtf[i].is_ascii_alphabetic() && i - at < 32 {
        i += 1;
    }
    let word = std::str::from_utf8(&rtf[at..i]).unwrap_or("");
    let num_start = i;
    if rtf.get(i) == Some(&b'-') {
        i += 1;
    }
    while i < rtf.len() && rtf[i].is_ascii_digit() && i - num_start < 10 {
        i += 1;
    }
    let param = std::str::from_utf8(&rtf[num_start..i])
        .ok()
        .and_then(|s| s.parse().ok());
    if rtf.get(i) == Some(&b' ') {
        i += 1;
    }
    (word, param, i)
}

/// The dictionary every compressed RTF stream starts from (MS-OXRTFCP §3.1.3.1).
const PREBUF: &[u8] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// Decompresses Outlook's compressed RTF (`LZFu`, or `MELA` uncompressed)
/// to at most `max` bytes.
pub(crate) fn decompress(data: &[u8], max: usize) -> Result<Vec<u8>, String> {
    let header = |at: usize| {
        data.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(comp_size), Some(raw_size), Some(kind)) = (header(0), header(4), header(8)) else {
        return Err("damaged compressed RTF".into());
    };
    let body = data
        .get(16..(comp_size as usize + 4).min(data.len()))
        .unwrap_or(&[]);
    let limit = (raw_size as usize).min(max);
    match kind {
        0x414C_454D => return Ok(body[..body.len().min(limit)].to_vec()),
        0x7546_5A4C => {}
        _ => return Err("unknown compressed RTF format".into()),
    }
    let mut dict = [0u8; 4096];
    dict[..PREBUF.len()].copy_from_slice(PREBUF);
    let mut write = PREBUF.len();
    let mut out = Vec::with_capacity(limit.min(1 << 20));
    let mut i = 0;
    'outer: while i < body.len() && out.len() < limit {
        let control = body[i];
        i += 1;
        for bit in 0..8 {
            if i >= body.len() || out.len() >= limit {
                break 'outer;
            }
            if control & (1 << bit) == 0 {
                let b = body[i];
                i += 1;
                out.push(b);
                dict[write] = b;
                write = (write + 1) % 4096;
            } else {
                let Some(pair) = body.get(i..i + 2) else {
                    break 'outer;
                };
                i += 2;
                let v = u16::from_be_bytes([pair[0], pair[1]]) as usize;
                let offset = v >> 4;
                let len = (v & 0xF) + 2;
                if offset == write {
                    break 'outer;
                }
                for k in 0..len {
                    let b = dict[(offset + k) % 4096];
                    out.push(b);
                    dict[write] = b;
                    write = (write + 1) % 4096;
                }
            }
        }
    }
    out.truncate(limit);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtf_words_without_tables_and_with_escapes() {
        let rtf = br"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\colortbl;\red0;}{\*\generator Word;}
\pard Cli\'ebnt J. de Vries\par BSN 111\u8203?222333\tab diabetes}";
        let t = to_text(rtf, 1000);
        assert!(t.contains("Cliënt J. de Vries"), "{t}");
        assert!(t.contains("111\u{200B}222333"), "{t}");
        assert!(t.contains("diabetes"), "{t}");
        assert!(!t.contains("Arial") && !t.contains("Word"), "{t}");
        let _ = to_text(b"{{{{\\", 10);
        let _ = to_text(b"\\bin999999999 x", 10);
    }

    #[test]
    fn the_dictionary_is_the_specified_one() {
        assert_eq!(PREBUF.len(), 207);
    }

    #[test]
    fn compressed_rtf_from_the_specification() {
        // MS-OXRTFCP §4.1: "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n".
        let data: [u8; 61] = [
            0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5,
            0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42,
            0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0,
            0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        let raw = decompress(&data, 1000).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&raw),
            "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
        );
    }
}
