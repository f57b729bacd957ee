//! HTML to plain text.
//!
//! A small hand-written tag stripper instead of a rendering crate such as
//! html2text: detectors need the words, not the layout, and a single pass
//! over the bytes is fast, allocates only the output, cannot recurse deeply
//! on hostile nesting and pulls in no HTML5 parser tree. Script, style and
//! other non-content elements are dropped, comments too; block elements
//! become line breaks; entities are decoded by `html-escape` (all HTML5
//! named entities and numeric references).
//!
//! What a mail client shows is read, also where it hides: the text of
//! `<noscript>` (shown, since mail clients run no scripts) and of SVG
//! `<text>`, and the attributes a reader sees (`alt`, `title`, form
//! `value`s, `placeholder`, `aria-label`). Inline elements (`span`, `b`,
//! `a`, ...) add no space, as in rendering: `<span>12</span><span>34</span>`
//! reads `1234`.

/// Elements whose content is never text for a reader.
const SKIPPED: &[&str] = &["script", "style", "head", "template", "object"];

/// Attributes whose value a reader sees (as a tooltip, in place of an
/// image, or in a form field).
const SHOWN_ATTRIBUTES: &[&str] = &[
    "alt",
    "title",
    "value",
    "placeholder",
    "aria-label",
    "label",
    "summary",
];

/// Elements that end a line (so words of two cells or paragraphs do not run
/// together).
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "title",
    "address",
    "form",
    "option",
];

/// Converts HTML to plain text: tags removed, scripts and styles dropped,
/// entities decoded, runs of white space collapsed, at most `max_bytes` of
/// output.
pub fn html_to_text(html: &str, max_bytes: usize) -> String {
    let bytes = html.as_bytes();
    let mut raw = String::with_capacity(html.len().min(max_bytes) / 2);
    let mut i = 0;
    let mut text_start = 0;
    // `<title>` lives in `<head>`: keep it, it is what the sender named.
    while i < bytes.len() && raw.len() < max_bytes {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        flush(&mut raw, &html[text_start..i]);
        if bytes[i..].starts_with(b"<!--") {
            i = find(bytes, i + 4, b"-->").map_or(bytes.len(), |e| e + 3);
        } else if bytes[i..].starts_with(b"<![CDATA[") {
            let end = find(bytes, i + 9, b"]]>").unwrap_or(bytes.len());
            raw.push_str(&html[i + 9..end]);
            i = (end + 3).min(bytes.len());
        } else {
            let (name, closing, end) = tag(bytes, i);
            if name.is_empty() && !closing && !matches!(bytes.get(i + 1), Some(b'!' | b'?')) {
                // A lone `<` as in `a < b`: text, not a tag.
                raw.push('<');
                i += 1;
                text_start = i;
                continue;
            }
            if !closing {
                push_shown_attributes(&mut raw, &bytes[i..end]);
            }
            i = end;
            if !closing && SKIPPED.contains(&name.as_str()) && name != "head" {
                i = skip_element(bytes, i, &name);
            } else if BLOCKS.contains(&name.as_str()) {
                raw.push('\n');
            } else if name == "head" && !closing {
                // Keep only the title from the head.
                let head_end = find_closing(bytes, i, "head").unwrap_or(bytes.len());
                if let Some(t) = find_ci(&bytes[..head_end], i, b"<title") {
                    let (_, _, t_end) = tag(bytes, t);
                    let close = find_closing(bytes, t_end, "title").unwrap_or(head_end);
                    flush(&mut raw, &html[t_end..close.max(t_end)]);
                    raw.push('\n');
                }
                i = head_end;
            } else if matches!(name.as_str(), "td" | "th" | "textarea" | "input" | "select") {
                raw.push(' ');
            }
        }
        text_start = i;
    }
    if text_start < i {
        flush(&mut raw, &html[text_start..i.min(bytes.len())]);
    }
    let decoded = html_escape::decode_html_entities(&raw);
    let mut out = collapse(&decoded);
    super::text::truncate(&mut out, max_bytes);
    out
}

/// Appends a run of text.
fn flush(out: &mut String, text: &str) {
    out.push_str(text);
}

/// Appends, space-separated, the values of the attributes in
/// [`SHOWN_ATTRIBUTES`] of one start tag (`tag` from `<` to after `>`).
fn push_shown_attributes(out: &mut String, tag: &[u8]) {
    let mut i = 1;
    // Skip the element name.
    while i < tag.len() && !tag[i].is_ascii_whitespace() && tag[i] != b'>' && tag[i] != b'/' {
        i += 1;
    }
    while i < tag.len() {
        while i < tag.len() && (tag[i].is_ascii_whitespace() || tag[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < tag.len()
            && !tag[i].is_ascii_whitespace()
            && !matches!(tag[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = &tag[name_start..i];
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if tag.get(i) != Some(&b'=') {
            if i == name_start {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match tag.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = tag[start..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(tag.len(), |p| start + p);
                i = end + 1;
                &tag[start..end]
            }
            _ => {
                let start = i;
                while i < tag.len() && !tag[i].is_ascii_whitespace() && tag[i] != b'>' {
                    i += 1;
                }
                &tag[start..i]
            }
        };
        let shown = SHOWN_ATTRIBUTES
            .iter()
            .any(|a| a.as_bytes().eq_ignore_ascii_case(name));
        if shown && !value.is_empty() {
            out.push(' ');
            out.push_str(&String::from_utf8_lossy(value));
            out.push(' ');
        }
    }
}

/// Collapses white space: spaces and tabs to one space, at most two line
/// breaks in a row, lines trimmed.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_lines = 0;
    for line in text.split('\n') {
        let mut first = true;
        let mut any = false;
        for word in line.split_whitespace() {
            if first && !out.is_empty() {
                out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
            } else if !first {
                out.push(' ');
            }
            out.push_str(word);
            first = false;
            any = true;
        }
        if any {
            blank_lines = 0;
        } else {
            blank_lines += 1;
        }
    }
    out
}

/// Parses the tag starting at `start` (a `<`): lowercase name, whether it is
/// a closing tag, and the index after its `>` (quotes in attributes honoured).
fn tag(bytes: &[u8], start: usize) -> (String, bool, usize) {
    let mut i = start + 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b':')
    {
        i += 1;
    }
    let name = String::from_utf8_lossy(&bytes[name_start..i]).to_ascii_lowercase();
    if name.is_empty() && !closing && !matches!(bytes.get(start + 1), Some(b'!' | b'?')) {
        return (name, false, start + 1);
    }
    let mut quote = None;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (None, b'>') => return (name, closing, i + 1),
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    (name, closing, bytes.len())
}

/// Index after the closing tag of `name`, or the end of input.
fn skip_element(bytes: &[u8], from: usize, name: &str) -> usize {
    match find_closing(bytes, from, name) {
        Some(at) => tag(bytes, at).2,
        None => bytes.len(),
    }
}

/// Index of `</name` (case-insensitive) at or after `from`.
fn find_closing(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut needle = b"</".to_vec();
    needle.extend_from_slice(name.as_bytes());
    find_ci(bytes, from, &needle)
}

/// Index of `needle` (ASCII case-insensitive) at or after `from`.
fn find_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= bytes.len() {
        return None;
    }
    bytes[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// Index of `needle` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= bytes.len() {
        return None;
    }
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_scripts_styles_and_decodes_entities() {
        let html = "<html><head><title>Titel</title><style>p{color:red}</style>\
                    <script>var x = '<p>geheim</p>';</script></head><body>\
                    <p>Caf&eacute; &amp; cli&euml;nt&#33;</p><!-- weg --><td>a</td><td>b</td>\
                    <SCRIPT type='x'>nee</SCRIPT>1 &lt; 2 < 3</body></html>";
        let text = html_to_text(html, 1000);
        assert!(text.contains("Titel"), "{text}");
        assert!(text.contains("Café & cliënt!"), "{text}");
        assert!(text.contains("a b") || text.contains("a\nb"), "{text}");
        assert!(text.contains("1 < 2 < 3"), "{text}");
        for hidden in ["color", "geheim", "weg", "nee", "var x"] {
            assert!(!text.contains(hidden), "{hidden} leaked into {text}");
        }
    }

    #[test]
    fn broken_html_does_not_panic() {
        for html in [
            "<",
            "<p",
            "<!--",
            "<![CDATA[",
            "<script>",
            "</",
            "<a href='>",
            "é<é>é",
            "<head><title>x",
        ] {
            let _ = html_to_text(html, 100);
        }
        assert!(html_to_text(&"<p>woord</p>".repeat(1000), 50).len() <= 50);
    }
}
