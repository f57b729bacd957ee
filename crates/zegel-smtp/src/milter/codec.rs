//! Milter packets: a 4-byte big-endian length (of what follows), a command
//! byte, then the command's data. Decoding is total: any input gives a
//! [`Command`] or a [`MilterError`], never a panic; lengths above the limit
//! are refused before anything is allocated. Responses are built here too,
//! well-formed for Postfix: reply codes it accepts, header text that cannot
//! inject lines.

use base64::Engine as _;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest packet we read: 1 MiB of data plus room for the command byte,
/// names and terminators. Postfix's largest are header packets (up to its
/// `header_size_limit`, 100 KiB by default) and body chunks of 64 KiB.
pub const MAX_PACKET: usize = 1024 * 1024 + 1024;

/// Actions (SMFIF_*): we may add headers.
pub(crate) const ACTION_ADD_HEADERS: u32 = 0x01;
/// Actions: we may change or delete headers.
pub(crate) const ACTION_CHANGE_HEADERS: u32 = 0x10;
/// Actions: we may put a message in the MTA's hold queue (SMFIF_QUARANTINE).
pub(crate) const ACTION_QUARANTINE: u32 = 0x20;
/// Longest quarantine reason sent.
const QUARANTINE_REASON_MAX: usize = 200;
/// Actions: we may send the macro lists we want (SMFIF_SETSYMLIST).
pub(crate) const ACTION_SET_SYMLIST: u32 = 0x100;
/// Protocol (SMFIP_*): do not send unknown SMTP commands.
pub(crate) const PROTOCOL_NO_UNKNOWN: u32 = 0x100;
/// Protocol: do not send the DATA command.
pub(crate) const PROTOCOL_NO_DATA: u32 = 0x200;
/// Protocol: header values keep their leading space, ours are taken as is.
pub(crate) const PROTOCOL_HEADER_LEADING_SPACE: u32 = 0x10_0000;

/// Macro stages (SMFIM_*) for the lists sent in option negotiation.
pub(crate) const STAGE_CONNECT: u32 = 0;
/// Macro stage of MAIL FROM.
pub(crate) const STAGE_MAIL: u32 = 2;
/// Macro stage of the end of the message.
pub(crate) const STAGE_END_OF_MESSAGE: u32 = 5;
/// Macro stage of the end of the headers.
pub(crate) const STAGE_END_OF_HEADERS: u32 = 6;

/// Longest line of reply text (before the code); SMTP allows 512 octets
/// per reply line.
const REPLY_LINE_MAX: usize = 400;
/// Most lines in one reply.
const REPLY_LINES_MAX: usize = 40;
/// Longest header value we add (before folding and encoding).
const HEADER_VALUE_MAX: usize = 4000;
/// Longest header name we add.
const HEADER_NAME_MAX: usize = 100;
/// Fold added headers before this column.
const FOLD_AT: usize = 76;
/// Longest unbroken word in an added header.
const WORD_MAX: usize = 900;

/// Why a packet could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum MilterError {
    /// The connection failed.
    #[error("milter connection: {0}")]
    Io(#[from] std::io::Error),
    /// The connection closed in the middle of a packet.
    #[error("milter connection closed in the middle of a packet")]
    Truncated,
    /// Postfix sent nothing (or could not take our answer) in time.
    #[error("milter peer silent for {0:?}")]
    Timeout(Duration),
    /// A packet claims more bytes than allowed.
    #[error("milter packet of {len} bytes is over the limit of {max}")]
    TooLong {
        /// The claimed length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A packet of length zero (no command byte).
    #[error("empty milter packet")]
    Empty,
    /// A command's data is malformed.
    #[error("malformed milter command '{command}': {what}")]
    Malformed {
        /// The command byte (as a character).
        command: char,
        /// What is wrong.
        what: &'static str,
    },
    /// A command byte this protocol does not have.
    #[error("unknown milter command byte {0:#04x}")]
    UnknownCommand(u8),
    /// The envelope (sender, recipients, HELO) of one message is too large.
    #[error("milter envelope over {0} bytes")]
    EnvelopeTooLarge(usize),
}

/// A command from Postfix (the MTA side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// 'O': option negotiation.
    OptNeg {
        /// Protocol version offered.
        version: u32,
        /// Actions (SMFIF_*) the milter may take.
        actions: u32,
        /// Protocol steps (SMFIP_*) the milter may skip or change.
        protocol: u32,
    },
    /// 'D': macros for the command that follows.
    Macro {
        /// The command byte the macros belong to.
        stage: u8,
        /// Name/value pairs.
        pairs: Vec<(String, String)>,
    },
    /// 'C': the SMTP client connected.
    Connect {
        /// The client's host name (`[addr]` when unknown).
        hostname: String,
        /// Address family: '4', '6', 'L' (local socket) or 'U' (unknown).
        family: u8,
        /// The client's port (0 when not IP).
        port: u16,
        /// The client's address as text (empty for 'U').
        address: String,
    },
    /// 'H': HELO/EHLO with its name.
    Helo(String),
    /// 'M': MAIL FROM: the address, then ESMTP arguments.
    Mail(Vec<String>),
    /// 'R': RCPT TO: the address, then ESMTP arguments.
    Rcpt(Vec<String>),
    /// 'T': DATA.
    Data,
    /// 'L': one header; bytes, as the message may not be UTF-8. Multi-line
    /// values are separated by LF.
    Header {
        /// The header name.
        name: Vec<u8>,
        /// The value after the colon (one leading space removed unless
        /// the leading-space option was negotiated).
        value: Vec<u8>,
    },
    /// 'N': end of headers.
    EndOfHeaders,
    /// 'B': a chunk of the body (CRLF line ends).
    Body(Vec<u8>),
    /// 'E': end of the message, with a last body chunk (Postfix: none).
    EndOfMessage(Vec<u8>),
    /// 'A': the current message was aborted.
    Abort,
    /// 'Q': close the connection.
    Quit,
    /// 'K': forget the SMTP connection; a new one follows on this socket.
    QuitNewConnection,
    /// 'U': an SMTP command the MTA did not know.
    Unknown(String),
}

/// A response to Postfix (the milter side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// 'O': our options.
    OptNeg {
        /// Protocol version.
        version: u32,
        /// Actions (SMFIF_*) we may take.
        actions: u32,
        /// Protocol steps (SMFIP_*) we skip or change.
        protocol: u32,
        /// Macro lists we want, per stage (SMFIM_*): names separated by
        /// spaces. Empty: the MTA's defaults.
        macros: Vec<(u32, String)>,
    },
    /// 'c': continue.
    Continue,
    /// 'a': accept the message (no further calls for it).
    Accept,
    /// 'r': reject with the MTA's default text.
    Reject,
    /// 't': temporary failure with the MTA's default text.
    Tempfail,
    /// 'p': still working; resets the MTA's timeout.
    Progress,
    /// 'y': a full SMTP reply ("550 5.7.1 text"; lines joined by CRLF).
    /// Build it with [`Response::reply_code`].
    ReplyCode(String),
    /// 'h': append a header. Build it with [`Response::add_header`].
    AddHeader {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
    /// 'i': insert a header at a position (0 = first).
    InsertHeader {
        /// Position among the headers.
        index: u32,
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
    /// 'q': put the message in the MTA's hold queue (Postfix: `postqueue
    /// -p` shows it with `!`, the log `milter-hold`), with a reason. Build
    /// it with [`Response::quarantine`].
    Quarantine(String),
    /// 'm': change the `index`-th (from 1) header of this name; an empty
    /// value deletes it.
    ChangeHeader {
        /// Which occurrence of the name, from 1.
        index: u32,
        /// Header name.
        name: String,
        /// New value.
        value: String,
    },
}

/// Reads one command. `Ok(None)`: the peer closed the connection cleanly
/// (between packets). `max` bounds the packet length.
pub async fn read_command<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Option<Command>, MilterError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        let n = reader.read(&mut len[got..]).await?;
        if n == 0 {
            return if got == 0 {
                Ok(None)
            } else {
                Err(MilterError::Truncated)
            };
        }
        got += n;
    }
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 {
        return Err(MilterError::Empty);
    }
    if len > max {
        return Err(MilterError::TooLong { len, max });
    }
    let mut packet = vec![0u8; len];
    reader.read_exact(&mut packet).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            MilterError::Truncated
        } else {
            MilterError::Io(e)
        }
    })?;
    Command::decode(&packet).map(Some)
}

/// Decodes a packet (command byte and data, without the length).
pub fn decode(packet: &[u8]) -> Result<Command, MilterError> {
    Command::decode(packet)
}

/// Encodes a response as a packet (with its length).
pub fn encode(response: &Response) -> Vec<u8> {
    response.encode()
}

/// Reads the fields of one packet's data.
struct Fields<'a> {
    command: u8,
    data: &'a [u8],
}

impl<'a> Fields<'a> {
    fn bad(&self, what: &'static str) -> MilterError {
        MilterError::Malformed {
            command: self.command as char,
            what,
        }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], MilterError> {
        if self.data.len() < n {
            return Err(self.bad(what));
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, MilterError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, MilterError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, MilterError> {
        Ok(self.take(1, what)?[0])
    }

    /// A NUL-terminated string (the NUL is consumed, not returned).
    fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], MilterError> {
        let end = memchr::memchr(0, self.data).ok_or_else(|| self.bad(what))?;
        let s = &self.data[..end];
        self.data = &self.data[end + 1..];
        Ok(s)
    }

    fn string(&mut self, what: &'static str) -> Result<String, MilterError> {
        Ok(String::from_utf8_lossy(self.bytes(what)?).into_owned())
    }

    /// NUL-terminated strings to the end of the data.
    fn strings(&mut self, what: &'static str) -> Result<Vec<String>, MilterError> {
        let mut out = Vec::new();
        while !self.data.is_empty() {
            out.push(self.string(what)?);
        }
        Ok(out)
    }

    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

impl Command {
    /// Decodes a packet (command byte and data, without the length).
    pub fn decode(packet: &[u8]) -> Result<Command, MilterError> {
        let (&command, data) = packet.split_first().ok_or(MilterError::Empty)?;
        let mut f = Fields { command, data };
        Ok(match command {
            b'O' => Command::OptNeg {
                version: f.u32("version")?,
                actions: f.u32("actions")?,
                protocol: f.u32("protocol")?,
            },
            b'D' => {
                let stage = f.byte("no stage")?;
                let strings = f.strings("macro without NUL")?;
                if strings.len() % 2 != 0 {
                    return Err(f.bad("macro name without value"));
                }
                let mut pairs = Vec::with_capacity(strings.len() / 2);
                let mut it = strings.into_iter();
                while let (Some(name), Some(value)) = (it.next(), it.next()) {
                    pairs.push((name, value));
                }
                Command::Macro { stage, pairs }
            }
            b'C' => {
                let hostname = f.string("host name without NUL")?;
                let family = f.byte("no address family")?;
                let (port, address) = match family {
                    b'U' => (0, String::new()),
                    _ => (f.u16("no port")?, f.string("address without NUL")?),
                };
                Command::Connect {
                    hostname,
                    family,
                    port,
                    address,
                }
            }
            b'H' => Command::Helo(f.string("HELO name without NUL")?),
            b'M' | b'R' => {
                let args = f.strings("argument without NUL")?;
                if args.is_empty() {
                    return Err(f.bad("no address"));
                }
                if command == b'M' {
                    Command::Mail(args)
                } else {
                    Command::Rcpt(args)
                }
            }
            b'T' => Command::Data,
            b'L' => Command::Header {
                name: f.bytes("header name without NUL")?.to_vec(),
                value: f.bytes("header value without NUL")?.to_vec(),
            },
            b'N' => Command::EndOfHeaders,
            b'B' => Command::Body(f.rest().to_vec()),
            b'E' => Command::EndOfMessage(f.rest().to_vec()),
            b'A' => Command::Abort,
            b'Q' => Command::Quit,
            b'K' => Command::QuitNewConnection,
            b'U' => Command::Unknown(f.string("command without NUL")?),
            other => return Err(MilterError::UnknownCommand(other)),
        })
    }

    /// Encodes the command as a packet (with its length), as the MTA
    /// would send it. For tests and tools.
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Packet::new();
        match self {
            Command::OptNeg {
                version,
                actions,
                protocol,
            } => p.byte(b'O').u32(*version).u32(*actions).u32(*protocol),
            Command::Macro { stage, pairs } => {
                p.byte(b'D').byte(*stage);
                for (name, value) in pairs {
                    p.string(name.as_bytes()).string(value.as_bytes());
                }
                &mut p
            }
            Command::Connect {
                hostname,
                family,
                port,
                address,
            } => {
                p.byte(b'C').string(hostname.as_bytes()).byte(*family);
                if *family != b'U' {
                    p.u16(*port).string(address.as_bytes());
                }
                &mut p
            }
            Command::Helo(name) => p.byte(b'H').string(name.as_bytes()),
            Command::Mail(args) | Command::Rcpt(args) => {
                p.byte(if matches!(self, Command::Mail(_)) {
                    b'M'
                } else {
                    b'R'
                });
                for a in args {
                    p.string(a.as_bytes());
                }
                &mut p
            }
            Command::Data => p.byte(b'T'),
            Command::Header { name, value } => p.byte(b'L').string(name).string(value),
            Command::EndOfHeaders => p.byte(b'N'),
            Command::Body(chunk) => p.byte(b'B').raw(chunk),
            Command::EndOfMessage(chunk) => p.byte(b'E').raw(chunk),
            Command::Abort => p.byte(b'A'),
            Command::Quit => p.byte(b'Q'),
            Command::QuitNewConnection => p.byte(b'K'),
            Command::Unknown(text) => p.byte(b'U').string(text.as_bytes()),
        };
        p.finish()
    }
}

impl Response {
    /// Encodes the response as a packet (with its length). A NUL inside a
    /// string would end it early, so it is sent as a space.
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Packet::new();
        match self {
            Response::OptNeg {
                version,
                actions,
                protocol,
                macros,
            } => {
                p.byte(b'O').u32(*version).u32(*actions).u32(*protocol);
                for (stage, names) in macros {
                    p.u32(*stage).string(names.as_bytes());
                }
                &mut p
            }
            Response::Continue => p.byte(b'c'),
            Response::Accept => p.byte(b'a'),
            Response::Reject => p.byte(b'r'),
            Response::Tempfail => p.byte(b't'),
            Response::Progress => p.byte(b'p'),
            Response::ReplyCode(text) => p.byte(b'y').string(text.as_bytes()),
            Response::Quarantine(reason) => p.byte(b'q').string(reason.as_bytes()),
            Response::AddHeader { name, value } => p
                .byte(b'h')
                .string(name.as_bytes())
                .string(value.as_bytes()),
            Response::InsertHeader { index, name, value } => p
                .byte(b'i')
                .u32(*index)
                .string(name.as_bytes())
                .string(value.as_bytes()),
            Response::ChangeHeader { index, name, value } => p
                .byte(b'm')
                .u32(*index)
                .string(name.as_bytes())
                .string(value.as_bytes()),
        };
        p.finish()
    }

    /// Decodes a response packet (without the length). For tests and tools.
    pub fn decode(packet: &[u8]) -> Result<Response, MilterError> {
        let (&command, data) = packet.split_first().ok_or(MilterError::Empty)?;
        let mut f = Fields { command, data };
        let response = match command {
            b'O' => {
                let version = f.u32("version")?;
                let actions = f.u32("actions")?;
                let protocol = f.u32("protocol")?;
                let mut macros = Vec::new();
                while !f.data.is_empty() {
                    macros.push((f.u32("macro stage")?, f.string("macro list without NUL")?));
                }
                Response::OptNeg {
                    version,
                    actions,
                    protocol,
                    macros,
                }
            }
            b'c' => Response::Continue,
            b'a' => Response::Accept,
            b'r' => Response::Reject,
            b't' => Response::Tempfail,
            b'p' => Response::Progress,
            b'y' => Response::ReplyCode(f.string("reply without NUL")?),
            b'q' => Response::Quarantine(f.string("reason without NUL")?),
            b'h' => Response::AddHeader {
                name: f.string("header name without NUL")?,
                value: f.string("header value without NUL")?,
            },
            b'i' | b'm' => {
                let index = f.u32("index")?;
                let name = f.string("header name without NUL")?;
                let value = f.string("header value without NUL")?;
                if command == b'i' {
                    Response::InsertHeader { index, name, value }
                } else {
                    Response::ChangeHeader { index, name, value }
                }
            }
            other => return Err(MilterError::UnknownCommand(other)),
        };
        if !f.data.is_empty() {
            return Err(f.bad("data after the last field"));
        }
        Ok(response)
    }

    /// The hold-queue answer with `reason` on one line (control characters
    /// become spaces; at most 200 bytes; never empty).
    pub fn quarantine(reason: &str) -> Response {
        let reason = crate::text::one_line(reason, QUARANTINE_REASON_MAX);
        let reason = reason.trim();
        Response::Quarantine(if reason.is_empty() {
            "held by zegel".to_string()
        } else {
            reason.to_string()
        })
    }

    /// A REPLYCODE as Postfix accepts it: `code` (4xx or 5xx; anything
    /// else becomes 451) and `text` split into lines at LF. Each line
    /// starts with an enhanced status code (RFC 3463): its own if it has
    /// one (its class forced to match `code`), else the previous line's,
    /// else `5.7.1` / `4.7.1`. Control characters become spaces, long lines
    /// are wrapped, `%` is doubled (Postfix reads `%%` as `%`), and the
    /// lines are joined as "550-5.7.1 a\r\n550 5.7.1 b".
    pub fn reply_code(code: u16, text: &str) -> Response {
        let code = if (400..600).contains(&code) {
            code
        } else {
            451
        };
        let class = if code >= 500 { '5' } else { '4' };
        let mut status = format!("{class}.7.1");
        let mut lines: Vec<(String, String)> = Vec::new();
        for line in text.split('\n') {
            let line = crate::text::one_line(line, usize::MAX);
            let line = line.trim();
            let rest = match split_status(line) {
                Some((s, rest)) => {
                    status = format!("{class}{}", &s[1..]);
                    rest
                }
                None => line,
            };
            for piece in wrap(rest, REPLY_LINE_MAX) {
                lines.push((status.clone(), piece.replace('%', "%%")));
            }
        }
        lines.retain(|(_, t)| !t.is_empty());
        lines.truncate(REPLY_LINES_MAX);
        if lines.is_empty() {
            let text = if class == '5' {
                "Message refused"
            } else {
                "Try again later"
            };
            lines.push((status, text.to_string()));
        }
        let last = lines.len() - 1;
        let reply = lines
            .iter()
            .enumerate()
            .map(|(i, (s, t))| format!("{code}{}{s} {t}", if i == last { ' ' } else { '-' }))
            .collect::<Vec<_>>()
            .join("\r\n");
        Response::ReplyCode(reply)
    }

    /// An ADDHEADER that cannot inject anything: the name keeps only the
    /// characters RFC 5322 allows (None if nothing is left); in the value
    /// control characters (CR, LF, NUL, ...) become spaces, runs of spaces
    /// one; non-ASCII text is RFC 2047 encoded (UTF-8, base64); long values
    /// are bounded and folded (LF plus a space, which Postfix writes as
    /// CRLF). With `leading_space` (negotiated SMFIP_HDR_LEADSPC) the value
    /// starts with the space that follows the colon.
    pub fn add_header(name: &str, value: &str, leading_space: bool) -> Option<Response> {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != ':')
            .take(HEADER_NAME_MAX)
            .collect();
        if name.is_empty() {
            return None;
        }
        let clean = crate::text::one_line(value, HEADER_VALUE_MAX);
        let words: Vec<&str> = clean.split_whitespace().collect();
        let words: Vec<String> = if words.iter().all(|w| w.is_ascii()) {
            // A word too long for one line is cut (RFC 5322: 998 per line).
            words
                .into_iter()
                .flat_map(|w| w.as_bytes().chunks(WORD_MAX))
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect()
        } else {
            encoded_words(&words.join(" "))
        };
        // Fold: "Name: " counts towards the first line.
        let mut value = String::new();
        let mut column = name.len() + 1;
        for (i, word) in words.iter().enumerate() {
            if i > 0 && column + 1 + word.len() > FOLD_AT {
                value.push('\n');
                column = 0;
            }
            value.push(' ');
            value.push_str(word);
            column += 1 + word.len();
        }
        if !leading_space && value.starts_with(' ') {
            // Postfix puts the space after the colon itself.
            value.remove(0);
        }
        Some(Response::AddHeader { name, value })
    }
}

/// Splits a leading enhanced status code ("5.7.1 rest") off `line`.
fn split_status(line: &str) -> Option<(&str, &str)> {
    let (code, rest) = line.split_once(' ').unwrap_or((line, ""));
    let mut parts = code.split('.');
    let ok = matches!(parts.next(), Some("2" | "4" | "5"))
        && parts
            .by_ref()
            .take(2)
            .filter(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .count()
            == 2
        && parts.next().is_none();
    ok.then(|| (code, rest.trim_start()))
}

/// `text` in pieces of at most `max` bytes, broken at spaces where
/// possible, on character boundaries always.
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = rest[..cut].rfind(' ').filter(|&i| i > 0).unwrap_or(cut);
        out.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    out.push(rest.to_string());
    out
}

/// `text` as RFC 2047 encoded words ("=?UTF-8?B?...?="), each at most 52
/// characters (so even the first fits beside a header name), split on
/// character boundaries.
fn encoded_words(text: &str) -> Vec<String> {
    const CHUNK: usize = 30; // 40 base64 characters
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = CHUNK.min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        out.push(format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(chunk)
        ));
        rest = tail;
    }
    out
}

/// Builds one packet: the length is filled in at the end.
struct Packet(Vec<u8>);

impl Packet {
    fn new() -> Packet {
        Packet(vec![0; 4])
    }

    fn byte(&mut self, b: u8) -> &mut Packet {
        self.0.push(b);
        self
    }

    fn u16(&mut self, v: u16) -> &mut Packet {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    fn u32(&mut self, v: u32) -> &mut Packet {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    fn raw(&mut self, bytes: &[u8]) -> &mut Packet {
        self.0.extend_from_slice(bytes);
        self
    }

    /// A string with its NUL; NULs inside become spaces.
    fn string(&mut self, bytes: &[u8]) -> &mut Packet {
        self.0
            .extend(bytes.iter().map(|&b| if b == 0 { b' ' } else { b }));
        self.0.push(0);
        self
    }

    fn finish(&mut self) -> Vec<u8> {
        let mut bytes = std::mem::take(&mut self.0);
        // Packets we build are far below 4 GiB; saturate rather than wrap.
        let len = u32::try_from(bytes.len() - 4).unwrap_or(u32::MAX);
        bytes[..4].copy_from_slice(&len.to_be_bytes());
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    async fn read(bytes: &[u8]) -> Result<Option<Command>, MilterError> {
        read_command(&mut &bytes[..], 1024).await
    }

    /// One of every command, as Postfix sends them.
    fn every_command() -> Vec<Command> {
        vec![
            Command::OptNeg {
                version: 6,
                actions: 0x1ff,
                protocol: 0x1f_ffff,
            },
            Command::Macro {
                stage: b'C',
                pairs: vec![
                    ("j".into(), "mx.zorg.nl".into()),
                    ("{client_addr}".into(), "127.0.0.1".into()),
                    ("{empty}".into(), String::new()),
                ],
            },
            Command::Connect {
                hostname: "localhost".into(),
                family: b'4',
                port: 25,
                address: "127.0.0.1".into(),
            },
            Command::Connect {
                hostname: "[::1]".into(),
                family: b'6',
                port: 40000,
                address: "::1".into(),
            },
            Command::Connect {
                hostname: "unknown".into(),
                family: b'U',
                port: 0,
                address: String::new(),
            },
            Command::Helo("client.example".into()),
            Command::Mail(vec!["<a@zorg.nl>".into(), "SIZE=10".into()]),
            Command::Rcpt(vec!["<b@example.com>".into()]),
            Command::Data,
            Command::Header {
                name: b"Subject".to_vec(),
                value: b"Hallo\n\tdaar \xe9".to_vec(),
            },
            Command::EndOfHeaders,
            Command::Body(b"Tekst\r\n".to_vec()),
            Command::EndOfMessage(Vec::new()),
            Command::Abort,
            Command::Quit,
            Command::QuitNewConnection,
            Command::Unknown("XFOO bar".into()),
        ]
    }

    #[tokio::test]
    async fn every_command_round_trips_through_the_framing() {
        for command in every_command() {
            let packet = command.encode();
            assert_eq!(read(&packet).await.unwrap(), Some(command.clone()));
        }
    }

    #[test]
    fn decodes_bytes_as_postfix_sends_them() {
        let mut opt = vec![b'O'];
        for w in [6u32, 0x1ff, 0x1f_ffff] {
            opt.extend_from_slice(&w.to_be_bytes());
        }
        assert!(matches!(
            decode(&opt).unwrap(),
            Command::OptNeg { version: 6, .. }
        ));
        assert_eq!(
            decode(b"Clocalhost\x004\x00\x19127.0.0.1\x00").unwrap(),
            Command::Connect {
                hostname: "localhost".into(),
                family: b'4',
                port: 25,
                address: "127.0.0.1".into()
            }
        );
        assert_eq!(
            decode(b"DMi\x00ABC123\x00{auth_authen}\x00jan\x00").unwrap(),
            Command::Macro {
                stage: b'M',
                pairs: vec![
                    ("i".into(), "ABC123".into()),
                    ("{auth_authen}".into(), "jan".into())
                ]
            }
        );
    }

    #[test]
    fn every_response_round_trips() {
        let responses = [
            Response::OptNeg {
                version: 6,
                actions: 0x111,
                protocol: 0x10_0300,
                macros: vec![(0, "{client_addr}".into()), (2, "i {auth_authen}".into())],
            },
            Response::Continue,
            Response::Accept,
            Response::Reject,
            Response::Tempfail,
            Response::Progress,
            Response::ReplyCode("550 5.7.1 Nee".into()),
            Response::AddHeader {
                name: "X-A".into(),
                value: "b".into(),
            },
            Response::InsertHeader {
                index: 0,
                name: "X-B".into(),
                value: "c".into(),
            },
            Response::ChangeHeader {
                index: 1,
                name: "Subject".into(),
                value: String::new(),
            },
        ];
        for r in responses {
            let packet = r.encode();
            let len = u32::from_be_bytes(packet[..4].try_into().unwrap()) as usize;
            assert_eq!(len, packet.len() - 4);
            assert_eq!(Response::decode(&packet[4..]).unwrap(), r);
        }
        assert_eq!(Response::Continue.encode(), vec![0, 0, 0, 1, b'c']);
    }

    #[tokio::test]
    async fn bad_packets_are_errors_not_panics() {
        assert!(matches!(read(&[]).await, Ok(None)), "clean close");
        assert!(matches!(read(&[0, 0]).await, Err(MilterError::Truncated)));
        assert!(matches!(read(&[0, 0, 0, 0]).await, Err(MilterError::Empty)));
        assert!(matches!(
            read(&[0, 1, 0, 0, b'B']).await,
            Err(MilterError::TooLong {
                len: 65536,
                max: 1024
            })
        ));
        assert!(matches!(
            read(&[0xff, 0xff, 0xff, 0xff]).await,
            Err(MilterError::TooLong { .. })
        ));
        assert!(matches!(
            read(&[0, 0, 0, 5, b'B']).await,
            Err(MilterError::Truncated)
        ));
        for (packet, what) in [
            (&b"O\0\0\x06"[..], "version"),
            (b"Cno-nul", "host name without NUL"),
            (b"Chost\0", "no address family"),
            (b"Chost\x004", "no port"),
            (b"Chost\x004\0\x19127.0.0.1", "address without NUL"),
            (b"D", "no stage"),
            (b"DCi\0", "macro name without value"),
            (b"M", "no address"),
            (b"LSubject\0Hallo", "header value without NUL"),
        ] {
            match decode(packet) {
                Err(MilterError::Malformed { what: w, .. }) => assert_eq!(w, what),
                other => panic!("{packet:?}: {other:?}"),
            }
        }
        assert!(matches!(
            decode(b"z"),
            Err(MilterError::UnknownCommand(b'z'))
        ));
    }

    #[test]
    fn reply_codes_are_what_postfix_accepts() {
        let Response::ReplyCode(r) = Response::reply_code(550, "5.7.1 een\n5.7.1 two") else {
            unreachable!()
        };
        assert_eq!(r, "550-5.7.1 een\r\n550 5.7.1 two");
        // Missing status codes are filled in, a wrong class is corrected,
        // % is doubled, CR and other controls cannot end a line.
        let Response::ReplyCode(r) = Response::reply_code(451, "bezig\r\n5.3.0 100% vol\x07")
        else {
            unreachable!()
        };
        assert_eq!(r, "451-4.7.1 bezig\r\n451 4.3.0 100%% vol");
        let Response::ReplyCode(r) = Response::reply_code(250, "") else {
            unreachable!()
        };
        assert_eq!(r, "451 4.7.1 Try again later");
        // Long lines are wrapped, keeping their status code.
        let long = format!("5.7.1 {}", "woord ".repeat(200));
        let Response::ReplyCode(r) = Response::reply_code(550, &long) else {
            unreachable!()
        };
        assert!(r.lines().count() > 2);
        for line in r.split("\r\n") {
            assert!(line.len() <= 410 && line[3..].starts_with(['-', ' ']));
            assert!(line[4..].starts_with("5.7.1 woord"), "{line}");
        }
    }

    #[test]
    fn added_headers_cannot_inject_and_are_folded() {
        let h = Response::add_header("X-Zegel: Bcc\n", "a\r\nBcc: x@y\0z", false).unwrap();
        assert_eq!(
            h,
            Response::AddHeader {
                name: "X-ZegelBcc".into(),
                value: "a Bcc: x@y z".into()
            }
        );
        assert_eq!(Response::add_header(" :\r\n", "v", false), None);
        let Some(Response::AddHeader { value, .. }) =
            Response::add_header("X-Zegel-Reasons", &"reason; ".repeat(40), true)
        else {
            unreachable!()
        };
        assert!(value.starts_with(' '), "leading space negotiated");
        assert!(value.lines().count() > 3);
        assert!(value.lines().skip(1).all(|l| l.starts_with(' ')));
        assert!(value.lines().all(|l| l.len() < 78));
        assert!(!value.contains('\r'));
        let Some(Response::AddHeader { value, .. }) =
            Response::add_header("X-Zegel-Reasons", "geïnformeerd", false)
        else {
            unreachable!()
        };
        assert_eq!(value, "=?UTF-8?B?Z2XDr25mb3JtZWVyZA==?=");
    }

    proptest! {
        #[test]
        fn any_bytes_decode_or_err(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&data);
            let _ = Response::decode(&data);
        }

        #[test]
        fn decoded_commands_encode_back_to_a_decodable_packet(
            cmd in proptest::sample::select(b"ODCHMRTLNBEAQKU".to_vec()),
            data in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut packet = vec![cmd];
            packet.extend(data);
            if let Ok(command) = decode(&packet) {
                let again = command.encode();
                prop_assert_eq!(decode(&again[4..]).unwrap(), command);
            }
        }

        #[test]
        fn replies_and_headers_stay_well_formed(code in 0u16..700, text in ".{0,600}") {
            let Response::ReplyCode(r) = Response::reply_code(code, &text) else { unreachable!() };
            for line in r.split("\r\n") {
                let b = line.as_bytes();
                prop_assert!(b.len() >= 10 && (b[0] == b'4' || b[0] == b'5'));
                prop_assert!(b[1].is_ascii_digit() && b[2].is_ascii_digit());
                prop_assert!(b[3] == b' ' || b[3] == b'-');
                prop_assert_eq!(b[4], b[0]);
                prop_assert!(!line.contains(['\r', '\n', '\0']));
            }
            if let Some(Response::AddHeader { name, value }) = Response::add_header(&text, &text, false) {
                prop_assert!(!name.is_empty() && !name.contains([':', ' ', '\r', '\n']));
                prop_assert!(!value.contains(['\r', '\0']));
                prop_assert!(value.split('\n').skip(1).all(|l| l.starts_with(' ')));
            }
        }
    }
}
