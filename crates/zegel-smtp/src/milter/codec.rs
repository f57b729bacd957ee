//! Milter packets: a 4-byte big-endian length (of what follows), a command
//! byte, then the command's data. Lengths above the limit are refused
//! before anything is allocated.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Why a packet could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum MilterError {
    /// The connection failed or closed.
    #[error("milter connection: {0}")]
    Io(#[from] std::io::Error),
    /// A packet claims more bytes than allowed.
    #[error("milter packet of {0} bytes is over the limit")]
    TooLong(usize),
    /// A packet of length zero (no command byte).
    #[error("empty milter packet")]
    Empty,
    /// A command's data is malformed.
    #[error("malformed milter command '{0}'")]
    Malformed(char),
}

/// A command from Postfix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// 'O': option negotiation (version, actions, protocol steps).
    OptNeg {
        /// Protocol version.
        version: u32,
        /// Actions offered.
        actions: u32,
        /// Protocol step flags offered.
        protocol: u32,
    },
    /// 'D': macros for the command that follows.
    Macro {
        /// The command the macros belong to.
        for_command: u8,
        /// Name/value pairs.
        pairs: Vec<(String, String)>,
    },
    /// 'C': the SMTP client connected.
    Connect {
        /// The client's host name.
        hostname: String,
        /// Its address, when it is IPv4 or IPv6.
        address: Option<std::net::IpAddr>,
    },
    /// 'H': HELO/EHLO.
    Helo(String),
    /// 'M': MAIL FROM with its ESMTP arguments.
    Mail(Vec<String>),
    /// 'R': RCPT TO with its ESMTP arguments.
    Rcpt(Vec<String>),
    /// 'T': DATA.
    Data,
    /// 'L': one header.
    Header(String, String),
    /// 'N': end of headers.
    EndOfHeaders,
    /// 'B': a chunk of the body.
    Body(Vec<u8>),
    /// 'E': end of the message.
    EndOfMessage,
    /// 'A': the message was aborted.
    Abort,
    /// 'Q': close the connection.
    Quit,
    /// 'K': forget the connection, a new one follows on this socket.
    QuitNewConnection,
    /// 'U': an unknown SMTP command.
    Unknown,
    /// Any other command byte.
    Other(u8),
}

/// A response to Postfix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// 'O': our options.
    OptNeg {
        /// Protocol version.
        version: u32,
        /// Actions we may take.
        actions: u32,
        /// Protocol steps we do not want.
        protocol: u32,
    },
    /// 'c'.
    Continue,
    /// 'a'.
    Accept,
    /// 'r'.
    Reject,
    /// 't'.
    Tempfail,
    /// 'y': a full SMTP reply ("550 5.7.1 text", lines joined by CRLF).
    ReplyCode(String),
    /// 'h': add a header.
    AddHeader(String, String),
}

/// Reads one command; `max` bounds the packet length.
pub async fn read_command<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Command, MilterError> {
    let len = reader.read_u32().await? as usize;
    if len == 0 {
        return Err(MilterError::Empty);
    }
    if len > max {
        return Err(MilterError::TooLong(len));
    }
    let mut packet = vec![0u8; len];
    reader.read_exact(&mut packet).await?;
    decode(&packet)
}

/// Decodes a packet (command byte and data).
pub fn decode(packet: &[u8]) -> Result<Command, MilterError> {
    let (&cmd, data) = packet.split_first().ok_or(MilterError::Empty)?;
    let bad = || MilterError::Malformed(cmd as char);
    Ok(match cmd {
        b'O' => {
            let word = |i: usize| -> Result<u32, MilterError> {
                data.get(i..i + 4)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_be_bytes)
                    .ok_or_else(bad)
            };
            Command::OptNeg {
                version: word(0)?,
                actions: word(4)?,
                protocol: word(8)?,
            }
        }
        b'D' => {
            let (&for_command, rest) = data.split_first().ok_or_else(bad)?;
            let strings = nul_strings(rest);
            let pairs = strings
                .chunks(2)
                .filter(|p| p.len() == 2)
                .map(|p| (p[0].clone(), p[1].clone()))
                .collect();
            Command::Macro { for_command, pairs }
        }
        b'C' => {
            let end = data.iter().position(|&b| b == 0).ok_or_else(bad)?;
            let hostname = String::from_utf8_lossy(&data[..end]).into_owned();
            let rest = &data[end + 1..];
            let address = match rest.first() {
                Some(b'4') | Some(b'6') if rest.len() >= 3 => {
                    let text = String::from_utf8_lossy(&rest[3..]);
                    text.trim_end_matches('\0')
                        .trim_start_matches("IPv6:")
                        .parse()
                        .ok()
                }
                _ => None,
            };
            Command::Connect { hostname, address }
        }
        b'H' => Command::Helo(nul_strings(data).into_iter().next().unwrap_or_default()),
        b'M' => Command::Mail(nul_strings(data)),
        b'R' => Command::Rcpt(nul_strings(data)),
        b'T' => Command::Data,
        b'L' => {
            let mut s = nul_strings(data).into_iter();
            let name = s.next().ok_or_else(bad)?;
            Command::Header(name, s.next().unwrap_or_default())
        }
        b'N' => Command::EndOfHeaders,
        b'B' => Command::Body(data.to_vec()),
        b'E' => Command::EndOfMessage,
        b'A' => Command::Abort,
        b'Q' => Command::Quit,
        b'K' => Command::QuitNewConnection,
        b'U' => Command::Unknown,
        other => Command::Other(other),
    })
}

/// NUL-terminated strings (a trailing piece without NUL counts too).
fn nul_strings(data: &[u8]) -> Vec<String> {
    let mut parts: Vec<String> = data
        .split(|&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    if data.last() == Some(&0) {
        parts.pop();
    }
    parts
}

/// Encodes a response as a packet.
pub fn encode(response: &Response) -> Vec<u8> {
    let mut body = Vec::new();
    match response {
        Response::OptNeg {
            version,
            actions,
            protocol,
        } => {
            body.push(b'O');
            body.extend_from_slice(&version.to_be_bytes());
            body.extend_from_slice(&actions.to_be_bytes());
            body.extend_from_slice(&protocol.to_be_bytes());
        }
        Response::Continue => body.push(b'c'),
        Response::Accept => body.push(b'a'),
        Response::Reject => body.push(b'r'),
        Response::Tempfail => body.push(b't'),
        Response::ReplyCode(text) => {
            body.push(b'y');
            body.extend_from_slice(text.replace('\0', " ").as_bytes());
            body.push(0);
        }
        Response::AddHeader(name, value) => {
            body.push(b'h');
            body.extend_from_slice(clean_header(name).as_bytes());
            body.push(0);
            body.extend_from_slice(clean_header(value).as_bytes());
            body.push(0);
        }
    }
    let mut packet = (body.len() as u32).to_be_bytes().to_vec();
    packet.extend_from_slice(&body);
    packet
}

/// Header text without CR, LF or NUL (no header injection), bounded.
fn clean_header(text: &str) -> String {
    crate::text::one_line(text, 900)
}

/// Writes a response.
pub async fn write_response<W: AsyncWrite + Unpin>(
    writer: &mut W,
    response: &Response,
) -> Result<(), MilterError> {
    writer.write_all(&encode(response)).await?;
    writer.flush().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(cmd: u8, data: &[u8]) -> Vec<u8> {
        let mut p = ((data.len() + 1) as u32).to_be_bytes().to_vec();
        p.push(cmd);
        p.extend_from_slice(data);
        p
    }

    async fn read(bytes: Vec<u8>) -> Result<Command, MilterError> {
        read_command(&mut bytes.as_slice(), 1024).await
    }

    #[tokio::test]
    async fn decodes_postfix_commands() {
        let mut opt = Vec::new();
        for w in [6u32, 0x1ff, 0x1fffff] {
            opt.extend_from_slice(&w.to_be_bytes());
        }
        assert_eq!(
            read(packet(b'O', &opt)).await.unwrap(),
            Command::OptNeg {
                version: 6,
                actions: 0x1ff,
                protocol: 0x1fffff
            }
        );
        assert_eq!(
            read(packet(b'C', b"localhost\x004\x00\x19127.0.0.1\x00"))
                .await
                .unwrap(),
            Command::Connect {
                hostname: "localhost".into(),
                address: Some("127.0.0.1".parse().unwrap())
            }
        );
        assert_eq!(
            read(packet(b'M', b"<a@zorg.nl>\x00SIZE=10\x00"))
                .await
                .unwrap(),
            Command::Mail(vec!["<a@zorg.nl>".into(), "SIZE=10".into()])
        );
        assert_eq!(
            read(packet(b'L', b"Subject\x00Hallo\x00")).await.unwrap(),
            Command::Header("Subject".into(), "Hallo".into())
        );
        assert_eq!(
            read(packet(b'D', b"Ci\x00ABC123\x00{auth_authen}\x00jan\x00"))
                .await
                .unwrap(),
            Command::Macro {
                for_command: b'C',
                pairs: vec![
                    ("i".into(), "ABC123".into()),
                    ("{auth_authen}".into(), "jan".into())
                ]
            }
        );
    }

    #[tokio::test]
    async fn refuses_bad_packets_without_panic() {
        assert!(matches!(
            read(vec![0, 0, 0, 0]).await,
            Err(MilterError::Empty)
        ));
        assert!(matches!(
            read(vec![0, 1, 0, 0, b'B']).await,
            Err(MilterError::TooLong(65536))
        ));
        assert!(matches!(
            read(vec![0, 0, 0, 5, b'B']).await,
            Err(MilterError::Io(_))
        ));
        assert!(matches!(
            read(packet(b'O', &[0, 0, 6])).await,
            Err(MilterError::Malformed('O'))
        ));
        assert!(matches!(
            read(packet(b'C', b"no-nul")).await,
            Err(MilterError::Malformed('C'))
        ));
        assert_eq!(read(packet(b'z', b"")).await.unwrap(), Command::Other(b'z'));
    }

    #[test]
    fn encodes_responses_without_injection() {
        assert_eq!(encode(&Response::Continue), vec![0, 0, 0, 1, b'c']);
        let h = encode(&Response::AddHeader("X-A".into(), "v\r\nBcc: x".into()));
        assert_eq!(&h[4..], b"hX-A\0v  Bcc: x\0");
    }

    proptest::proptest! {
        #[test]
        fn any_packet_decodes_or_errs(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = decode(&data);
        }
    }
}
