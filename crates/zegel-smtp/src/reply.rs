//! SMTP replies: a code, an enhanced status code (RFC 3463) and text lines.

use std::fmt;

/// One SMTP reply, possibly multi-line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    status: String,
    lines: Vec<String>,
}

impl Reply {
    /// A one-line reply; `status` is the enhanced code ("2.0.0") or empty.
    pub fn new(code: u16, status: &str, text: &str) -> Reply {
        Reply::lines(code, status, vec![text.to_string()])
    }

    /// A reply of several lines, each carrying the same codes.
    pub fn lines(code: u16, status: &str, lines: Vec<String>) -> Reply {
        let lines = if lines.is_empty() {
            vec![String::new()]
        } else {
            lines.into_iter().map(|l| clean_line(&l)).collect()
        };
        Reply {
            code,
            status: status.to_string(),
            lines,
        }
    }

    /// The three-digit code.
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The text lines.
    pub fn text_lines(&self) -> &[String] {
        &self.lines
    }

    /// Whether the code is 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }
}

/// Replies must not carry CR/LF or control characters from reasons or
/// client input; lines are also bounded (RFC 5321 4.5.3.1.5: 512 octets).
fn clean_line(line: &str) -> String {
    crate::text::one_line(line, 480)
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.lines.len() - 1;
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            let mut text = String::new();
            if !self.status.is_empty() {
                text.push_str(&self.status);
                if !line.is_empty() {
                    text.push(' ');
                }
            }
            text.push_str(line);
            if text.is_empty() {
                write!(f, "{}{}\r\n", self.code, sep)?;
            } else {
                write!(f, "{}{}{}\r\n", self.code, sep, text)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_single_and_multi_line() {
        assert_eq!(
            Reply::new(250, "2.0.0", "OK").to_string(),
            "250 2.0.0 OK\r\n"
        );
        assert_eq!(Reply::new(334, "", "").to_string(), "334 \r\n");
        let r = Reply::lines(550, "5.7.1", vec!["een".into(), "two".into()]);
        assert_eq!(r.to_string(), "550-5.7.1 een\r\n550 5.7.1 two\r\n");
    }

    #[test]
    fn strips_line_breaks_from_text() {
        let r = Reply::new(550, "5.7.1", "a\r\n250 OK");
        assert_eq!(r.to_string(), "550 5.7.1 a  250 OK\r\n");
    }
}
