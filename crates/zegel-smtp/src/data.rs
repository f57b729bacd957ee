//! Reading the message after DATA, line by line and without I/O: the end
//! marker, dot-unstuffing (RFC 5321 4.5.2) and the limits.
//!
//! The message ends only at `<CR><LF>.<CR><LF>`: a dot line that follows
//! a line ended by CR LF (or comes first: the DATA command ended in CR LF).
//! A bare CR or LF anywhere, also around a dot (`\n.\n`, `\r\n.\n`,
//! `\n.\r\n`, `\r.\r`, ...: SMTP smuggling), ends nothing: reading goes
//! on to the real end and the whole message is refused, so what a lenient
//! server would take for the next commands is never run as commands.

use crate::line_ending::has_bare_cr_or_lf;
use crate::session::DataOutcome;

/// Collects the lines of one message until the lone dot.
#[derive(Debug)]
pub struct DataReader {
    max_bytes: usize,
    data: Vec<u8>,
    too_big: bool,
    line_too_long: bool,
    bare_line_ending: bool,
    /// The last line ended in CR LF: a lone dot now is the end marker.
    after_crlf: bool,
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
            after_crlf: true,
        }
    }

    /// A line longer than the line limit arrived (and was discarded up to its
    /// LF); `ended_with_crlf` when its LF came after a CR. The message will
    /// be refused, but reading goes on to the end.
    pub fn line_too_long(&mut self, ended_with_crlf: bool) {
        self.line_too_long = true;
        if !ended_with_crlf {
            self.bare_line_ending = true;
        }
        self.after_crlf = ended_with_crlf;
    }

    /// One line as read, up to and including its LF (the last line of a
    /// stream may lack it). Returns the outcome when the message ended.
    pub fn line(&mut self, line: &[u8]) -> Option<DataOutcome> {
        if line == b".\r\n" && self.after_crlf {
            return Some(self.finish());
        }
        self.after_crlf = line.ends_with(b"\r\n");
        if !self.after_crlf || has_bare_cr_or_lf(line) {
            // A bare CR or LF: the message is refused at its real end.
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
pub(crate) mod tests {
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
        // After a bare LF a dot line is data; the next one ends it.
        assert_eq!(read(100, &[b"a\n", b".\r\n"]), None);
        assert_eq!(
            read(100, &[b"a\n", b".\r\n", b".\r\n"]),
            Some(DataOutcome::BareLineEnding)
        );
        // `<CR><LF>.<LF>` is no end, nor is the dot line after it.
        assert_eq!(read(100, &[b"a\r\n", b".\n", b".\r\n"]), None);
        assert_eq!(
            read(100, &[b"a\r\n", b".\n", b"b\r\n", b".\r\n"]),
            Some(DataOutcome::BareLineEnding)
        );
        assert_eq!(
            read(100, &[b"a\rb\r\n", b".\r\n"]),
            Some(DataOutcome::BareLineEnding)
        );
    }

    /// The fake end markers of the published SMTP smuggling variants
    /// (SEC Consult, 2023), each put where a sender's MTA would see data
    /// and a lenient receiver the end of the message.
    pub(crate) const SMUGGLING_ENDS: [&[u8]; 8] = [
        b"\n.\n",
        b"\r\n.\n",
        b"\n.\r\n",
        b"\r.\r",
        b"\r\n.\r",
        b"\r.\r\n",
        b"\n.\r",
        b"\r\n.\r\r\n",
    ];

    /// A second message written as commands after a fake end marker.
    pub(crate) const SMUGGLED: &[u8] = b"MAIL FROM:<ceo@zorg.nl>\r\n\
        RCPT TO:<finance@zorg.nl>\r\n\
        DATA\r\n\
        From: CEO <ceo@zorg.nl>\r\n\
        To: finance@zorg.nl\r\n\
        Subject: Urgent payment\r\n\
        \r\n\
        Pay invoice 42 today.\r\n\
        .\r\n";

    /// Feeds `stream` line by line (split after each LF, as the server
    /// reads); the outcome and how many bytes were read up to it.
    fn read_stream(stream: &[u8]) -> (Option<DataOutcome>, usize) {
        let mut r = DataReader::new(10_000);
        let mut used = 0;
        for line in stream.split_inclusive(|&b| b == b'\n') {
            used += line.len();
            if let Some(outcome) = r.line(line) {
                return (Some(outcome), used);
            }
        }
        (None, used)
    }

    #[test]
    fn a_fake_end_marker_never_ends_the_message_and_the_whole_is_refused() {
        for fake in SMUGGLING_ENDS {
            let mut stream = b"From: jan@zorg.nl\r\nSubject: hi\r\n\r\nHello".to_vec();
            stream.extend_from_slice(fake);
            stream.extend_from_slice(SMUGGLED);
            let end = stream.len();
            stream.extend_from_slice(b"QUIT\r\n");
            let (outcome, used) = read_stream(&stream);
            let shown = String::from_utf8_lossy(fake).escape_debug().to_string();
            assert_eq!(
                outcome,
                Some(DataOutcome::BareLineEnding),
                "{shown}: refused"
            );
            assert_eq!(used, end, "{shown}: read on to the real <CR><LF>.<CR><LF>");
        }
    }

    #[test]
    fn a_fake_end_marker_after_a_too_long_line_never_ends_the_message() {
        let mut r = DataReader::new(100);
        assert_eq!(r.line(b"a\r\n"), None);
        // A line over the limit that ended in a bare LF, then a dot line.
        r.line_too_long(false);
        assert_eq!(r.line(b".\r\n"), None, "not an end: no CRLF before the dot");
        assert_eq!(r.line(b"MAIL FROM:<ceo@zorg.nl>\r\n"), None);
        assert_eq!(r.line(b".\r\n"), Some(DataOutcome::LineTooLong));
        // After a too-long line that ended in CRLF the dot line is the end.
        let mut r = DataReader::new(100);
        r.line_too_long(true);
        assert_eq!(r.line(b".\r\n"), Some(DataOutcome::LineTooLong));
    }

    #[test]
    fn the_first_line_may_be_the_end() {
        // The DATA command itself ended in CRLF (the session refuses any
        // other), so a lone dot first is an empty message.
        assert_eq!(
            read(100, &[b".\r\n"]),
            Some(DataOutcome::Complete(Vec::new()))
        );
    }

    proptest::proptest! {
        /// Over streams of the characters that matter, the message ends
        /// only right after `<CR><LF>.<CR><LF>` (or a first line `.<CR><LF>`),
        /// and is taken only when what came before has no bare CR or LF.
        #[test]
        fn the_end_is_only_ever_crlf_dot_crlf(
            stream in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'.', b'\r', b'\n']),
                0..60,
            )
        ) {
            let (outcome, used) = read_stream(&stream);
            let read = &stream[..used];
            if let Some(outcome) = outcome {
                let with_data_line = [b"DATA\r\n".as_slice(), read].concat();
                proptest::prop_assert!(with_data_line.ends_with(b"\r\n.\r\n"));
                // No earlier end: the first `<CR><LF>.<CR><LF>` is this one.
                let first = with_data_line
                    .windows(5)
                    .position(|w| w == b"\r\n.\r\n")
                    .unwrap();
                proptest::prop_assert_eq!(first + 5, with_data_line.len());
                if crate::line_ending::has_bare_cr_or_lf(read) {
                    proptest::prop_assert_eq!(outcome, DataOutcome::BareLineEnding);
                }
            } else {
                let with_data_line = [b"DATA\r\n".as_slice(), read].concat();
                let ends = with_data_line.windows(5).any(|w| w == b"\r\n.\r\n");
                proptest::prop_assert!(!ends, "missed the end");
            }
        }
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
        r.line_too_long(true);
        assert_eq!(r.line(b".\r\n"), Some(DataOutcome::LineTooLong));
    }
}
