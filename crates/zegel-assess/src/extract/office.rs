//! Word-processing and presentation documents that are ZIP containers:
//! DOCX and PPTX (Office Open XML) and ODT/ODP (OpenDocument). Their text
//! lives in XML members, read through the bounded archive reader and
//! streamed with quick-xml.

use super::archive::{self, MemberError, Zip};
use super::{text, Ctx, ExtractIssue};
use crate::finding::Location;
use crate::segment::SegmentRole;
use quick_xml::events::Event;
use quick_xml::Reader;

/// What a ZIP container holds, decided by its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// Word document (DOCX, DOCM, DOTX).
    Docx,
    /// PowerPoint presentation (PPTX).
    Pptx,
    /// Excel workbook (XLSX, XLSM, XLSB).
    Xlsx,
    /// OpenDocument text or presentation (ODT, ODP).
    OdfText,
    /// OpenDocument spreadsheet (ODS).
    OdfSheet,
    /// Any other ZIP: an archive of files.
    Archive,
}

impl Container {
    /// Whether it is an OpenDocument file (ODT, ODP, ODS): its text is in
    /// `content.xml`, every text node counts, and a password shows in the
    /// manifest.
    fn is_odf(self) -> bool {
        matches!(self, Container::OdfText | Container::OdfSheet)
    }
}

/// Classifies a ZIP container by its well-known members.
pub(crate) fn classify(ctx: &mut Ctx<'_>, zip: &mut Zip<'_>) -> Container {
    if archive::index_of(zip, "word/document.xml").is_some() {
        return Container::Docx;
    }
    if archive::index_of(zip, "xl/workbook.xml").is_some()
        || archive::index_of(zip, "xl/workbook.bin").is_some()
    {
        return Container::Xlsx;
    }
    if archive::index_of(zip, "ppt/presentation.xml").is_some() {
        return Container::Pptx;
    }
    if let Some(index) = archive::index_of(zip, "mimetype") {
        if let Ok(mime) = archive::read_member(ctx, zip, index) {
            let mime = String::from_utf8_lossy(&mime);
            let mime = mime.trim();
            if mime.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
                return Container::OdfSheet;
            }
            if mime.starts_with("application/vnd.oasis.opendocument.text")
                || mime.starts_with("application/vnd.oasis.opendocument.presentation")
            {
                return Container::OdfText;
            }
        }
    }
    Container::Archive
}

/// Whether an OpenDocument file is password-protected: its manifest then
/// lists `encryption-data` for the encrypted members.
fn odf_encrypted(ctx: &mut Ctx<'_>, zip: &mut Zip<'_>) -> bool {
    archive::index_of(zip, "META-INF/manifest.xml")
        .and_then(|i| archive::read_member(ctx, zip, i).ok())
        .is_some_and(|m| super::format::contains(&m, b"encryption-data"))
}

/// Extracts the text of a DOCX, PPTX, ODT/ODP or ODS into one attachment
/// segment.
pub(crate) fn extract(ctx: &mut Ctx<'_>, location: &Location, zip: &mut Zip<'_>, kind: Container) {
    if kind.is_odf() && odf_encrypted(ctx, zip) {
        ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        });
        return;
    }
    let members = text_members(zip, kind);
    if members.is_empty() {
        ctx.unreadable(location, "document has no text part");
        return;
    }
    let max = ctx.limits.max_text_bytes;
    let mut out = String::new();
    for (n, index) in members.into_iter().enumerate() {
        let xml = match archive::read_member(ctx, zip, index) {
            Ok(xml) => xml,
            Err(e @ (MemberError::Bomb | MemberError::Encrypted)) => {
                archive::report(ctx, location, e);
                return;
            }
            Err(e) if n == 0 => {
                archive::report(ctx, location, e);
                return;
            }
            // A damaged header or comment part does not hide the body.
            Err(_) => continue,
        };
        if let Err(reason) = xml_text(&xml, !kind.is_odf(), &mut out, max) {
            if n == 0 && out.trim().is_empty() {
                ctx.unreadable(location, reason);
                return;
            }
        }
        if out.len() >= max {
            break;
        }
        out.push('\n');
    }
    ctx.push_text(location, SegmentRole::Attachment, out);
}

/// The members holding text, main part first.
fn text_members(zip: &Zip<'_>, kind: Container) -> Vec<usize> {
    let names: Vec<(String, usize)> = zip
        .file_names()
        .filter_map(|n| n.ok())
        .filter_map(|n| zip.index_for_name(&n).map(|i| (n.into_owned(), i)))
        .collect();
    let pick = |main: &str, prefixes: &[&str]| -> Vec<usize> {
        let mut found: Vec<(String, usize)> = names
            .iter()
            .filter(|(n, _)| {
                n != main && n.ends_with(".xml") && prefixes.iter().any(|p| n.starts_with(p))
            })
            .map(|(n, i)| (sort_key(n), *i))
            .collect();
        found.sort();
        let mut out: Vec<usize> = zip.index_for_name(main).into_iter().collect();
        out.extend(found.into_iter().map(|(_, i)| i));
        out
    };
    match kind {
        Container::Docx => pick(
            "word/document.xml",
            &[
                "word/header",
                "word/footer",
                "word/footnotes",
                "word/endnotes",
                "word/comments",
            ],
        ),
        Container::Pptx => pick("", &["ppt/slides/slide", "ppt/notesSlides/notesSlide"]),
        _ if kind.is_odf() => zip.index_for_name("content.xml").into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Sorts `slide10.xml` after `slide9.xml`: digits padded.
fn sort_key(name: &str) -> String {
    let digits: String = name.chars().filter(|c| c.is_ascii_digit()).collect();
    let stem: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
    format!("{stem}{digits:0>10}")
}

/// Appends the text of an OOXML or ODF XML part to `out` (at most `max`
/// bytes). OOXML: only the content of `<w:t>`/`<a:t>` elements (field codes
/// and layout numbers are not text). ODF: every text node. Paragraphs end a
/// line; tabs, spaces and breaks are kept.
pub(crate) fn xml_text(
    xml: &[u8],
    ooxml: bool,
    out: &mut String,
    max: usize,
) -> Result<(), String> {
    let xml = String::from_utf8_lossy(xml);
    let mut reader = Reader::from_str(&xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut in_text = 0usize;
    // Table cells (ODS sheets, tables in ODT and Word): paragraphs in a
    // cell are joined by spaces, cells by tabs and rows by line breaks, so
    // a row of a form or a record reads as one line ("BSN\t123456782"). Repeated rows
    // and columns (`number-rows-repeated`) are read once: the text is the
    // same, and a 1 KB file can declare billions of them.
    let mut in_cell = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("damaged XML: {e}"))?;
        let keep = !ooxml || in_text > 0;
        let piece: std::borrow::Cow<'_, str> = match &event {
            Event::Eof => return Ok(()),
            Event::Start(e) => match e.local_name().as_ref() {
                // Deleted text of tracked changes shows in Word's review view.
                "t" | "delText" if ooxml => {
                    in_text += 1;
                    continue;
                }
                "table-cell" if !ooxml => {
                    in_cell += 1;
                    continue;
                }
                "tc" if ooxml => {
                    in_cell += 1;
                    continue;
                }
                // A sheet's or table's name is text too ("Cliënten").
                "table" if !ooxml => {
                    let name = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == "name")
                        .map(|a| a.value.to_string());
                    match name {
                        Some(name) => format!("{name}\n").into(),
                        None => continue,
                    }
                }
                _ => continue,
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" | "delText" if ooxml => {
                    in_text = in_text.saturating_sub(1);
                    continue;
                }
                "p" | "h" if in_cell > 0 => " ".into(),
                "p" | "h" => "\n".into(),
                "table-cell" if !ooxml => {
                    in_cell = in_cell.saturating_sub(1);
                    "\t".into()
                }
                "tc" if ooxml => {
                    in_cell = in_cell.saturating_sub(1);
                    "\t".into()
                }
                "table-row" if !ooxml => "\n".into(),
                "tr" if ooxml => "\n".into(),
                _ => continue,
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "table-cell" if !ooxml => "\t".into(),
                "tab" => "\t".into(),
                "br" | "cr" | "line-break" => "\n".into(),
                "s" if !ooxml => " ".into(),
                _ => continue,
            },
            Event::Text(t) if keep => t.xml10_content(),
            Event::CData(t) if keep => t.xml10_content(),
            Event::GeneralRef(r) if keep => {
                if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string().into(),
                        _ => continue,
                    }
                } else {
                    let name = r.xml10_content();
                    match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(s) => s.into(),
                        None => continue,
                    }
                }
            }
            _ => continue,
        };
        if !text::push_bounded(out, &piece, max) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ooxml_keeps_only_text_runs() {
        let xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:instrText>PAGE</w:instrText><w:t>Hallo &amp; </w:t><w:tab/><w:t>wereld&#33;</w:t></w:r></w:p><w:p><w:r><w:t>Twee</w:t></w:r></w:p></w:body></w:document>"#;
        let mut out = String::new();
        xml_text(xml, true, &mut out, 1000).unwrap();
        assert_eq!(out, "Hallo & \twereld!\nTwee\n");
    }

    #[test]
    fn runs_split_by_formatting_are_read_as_one_word_and_rows_as_lines() {
        // Word splits a number into runs where the formatting or the spell
        // checker changes; each table cell is a paragraph of its own, set off by a tab.
        let xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>BSN 1234</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:b/></w:rPr><w:t>5678</w:t></w:r><w:r><w:t>2</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Naam</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>J. de </w:t></w:r><w:r><w:t>Vries</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;
        let mut out = String::new();
        xml_text(xml, true, &mut out, 1000).unwrap();
        assert_eq!(out, "BSN 123456782\nNaam \tJ. de Vries \t\n");
    }

    #[test]
    fn odf_keeps_all_text() {
        let xml = br#"<office:document-content><office:body><office:text><text:p>Een<text:s/>twee</text:p><text:h>Kop</text:h></office:text></office:body></office:document-content>"#;
        let mut out = String::new();
        xml_text(xml, false, &mut out, 1000).unwrap();
        assert_eq!(out, "Een twee\nKop\n");
    }
}
