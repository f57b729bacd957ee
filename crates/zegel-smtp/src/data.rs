//! Reading the message after DATA, line by line and without I/O: the end
//! marker, dot-unstuffing (RFC 5321 4.5.2) and the limits.

use crate::session::DataOutcome;

/// Collects the lines of one message until the lone dot.
#[derive(Debug)]
pub struct DataReader {
    max_bytes: usize,
    data: Vec<u8>,
    too_big: bool,
    line_too_long: bool,
    bare_line_ending: bool,
}

impl DataReader {
    /// A reader that refuses more than `max_bytes` of message.
    pub fn new(max_bytes: usize) -> DataReader {
        DataReader {
            max_bytes,
            data: Vec::new(),
            too_big: false,
            line_too_long: false,
            bare_line_ending: false,
        }
    }

    /// A line longer than the line limit arrived (and was discarded up to its
    /// LF). The message will be refused, but reading goes on to the end.
    pub fn line_too_long(&mut self) {
        self.line_too_long = true;
    }

    /// One line as read, up to and including its LF (the last line of a
    /// stream may lack it). Returns the outcome when the message ended.
    pub fn line(&mut self, line: &[u8]) -> Option<DataOutcome> {
        if line == b".\r\n" {
            return Some(self.finish());
        }
        if line == b".\n" {
            // A bare-LF end marker is how SMTP smuggling starts; refuse it.
            self.bare_line_ending = true;
            return Some(self.finish());
        }
        let body = line.strip_suffix(b"\r\n");
        let content = body.unwrap_or(line.strip_suffix(b"\n").unwrap_or(line));
        if body.is_none() || content.contains(&b'\r') || content.contains(&b'\n') {
            self.bare_line_ending = true;
        }
        if self.too_big || self.bare_line_ending || self.line_too_long {
            return None;
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(line);
        if self.data.len() + unstuffed.len() > self.max_bytes {
            self.too_big = true;
            self.data = Vec::new();
            return None;
        }
        self.data.extend_from_slice(unstuffed);
        None
    }

    fn finish(&mut self) -> DataOutcome {
        if self.too_big {
            DataOutcome::TooBig
        } else if self.line_too_long {
            DataOutcome::LineTooLong
        } else if self.bare_line_ending {
            DataOutcome::BareLineEnding
        } else {
            DataOutcome::Complete(std::mem::take(&mut self.data))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(max: usize, lines: &[&[u8]]) -> Option<DataOutcome> {
        let mut r = DataReader::new(max);
        lines.iter().find_map(|l| r.line(l))
    }

    #[test]
    fn unstuffs_and_ends_at_lone_dot() {
        let got = read(100, &[b"Subject: x\r\n", b"\r\n", b"..dot\r\n", b".\r\n"]);
        assert_eq!(
            got,
            Some(DataOutcome::Complete(
                b"Subject: x\r\n\r\n.dot\r\n".to_vec()
            ))
        );
    }

    #[test]
    fn refuses_bare_lf_and_smuggled_end() {
        assert_eq!(
            read(100, &[b"a\n", b".\r\n"]),
            Some(DataOutcome::BareLineEnding)
        );
        assert_eq!(
            read(100, &[b"a\r\n", b".\n"]),
            Some(DataOutcome::BareLineEnding)
        );
        assert_eq!(
            read(100, &[b"a\rb\r\n", b".\r\n"]),
            Some(DataOutcome::BareLineEnding)
        );
    }

    #[test]
    fn too_big_keeps_reading_to_the_end() {
        let mut r = DataReader::new(5);
        assert_eq!(r.line(b"123456\r\n"), None);
        assert_eq!(r.line(b"more\r\n"), None);
        assert_eq!(r.line(b".\r\n"), Some(DataOutcome::TooBig));
    }

    #[test]
    fn long_line_refuses_message() {
        let mut r = DataReader::new(100);
        r.line_too_long();
        assert_eq!(r.line(b".\r\n"), Some(DataOutcome::LineTooLong));
    }
}
