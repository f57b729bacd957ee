//! Text that goes back onto the wire (SMTP replies, milter headers and
//! reply codes): control characters become spaces, so nothing from a reason
//! or from client input can end a line or inject a header; length is bounded.

/// `text` with control characters replaced by spaces, cut to at most
/// `max_bytes` on a character boundary.
pub fn one_line(text: &str, max_bytes: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.len() > max_bytes {
        let mut cut = max_bytes;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn removes_line_breaks_and_bounds_on_char_boundaries() {
        assert_eq!(super::one_line("a\r\nb\0c", 100), "a  b c");
        assert_eq!(super::one_line("ééé", 3), "é");
    }
}
