//! Just enough SMTP to reach a TLS handshake: greeting, EHLO, STARTTLS
//! (RFC 3207). Blocking, on a std socket with timeouts, because the
//! OpenSSL probes are blocking and both kinds of probe share this.
//!
//! Replies are read byte by byte so that nothing of the TLS handshake is
//! swallowed into a buffer after the `220` to STARTTLS.

use crate::error::ProbeError;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Longest reply line we read (RFC 5321: 512; servers go beyond).
const MAX_LINE: usize = 4096;
/// Most lines of one reply.
const MAX_LINES: usize = 100;

/// How far the dialogue got.
#[derive(Debug)]
pub enum Dialogue {
    /// The server said `220` to STARTTLS: the socket is ready for TLS.
    Ready(TcpStream),
    /// The server does not offer STARTTLS after EHLO.
    NoStartTls,
}

/// One reply: code and text lines.
#[derive(Debug)]
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" / "))
    }
}

fn read_line(stream: &mut TcpStream) -> Result<String, ProbeError> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => return Err(ProbeError::Closed),
            Ok(_) => {
                if byte[0] == b'\n' {
                    break;
                }
                line.push(byte[0]);
                if line.len() > MAX_LINE {
                    return Err(ProbeError::LineTooLong);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ProbeError::Io(e)),
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

fn read_reply(stream: &mut TcpStream) -> Result<Reply, ProbeError> {
    let mut lines = Vec::new();
    loop {
        let line = read_line(stream)?;
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| ProbeError::NotSmtp(clip(&line)))?;
        let more = line.as_bytes().get(3) == Some(&b'-');
        lines.push(line.get(4..).unwrap_or("").to_string());
        if !more {
            return Ok(Reply { code, lines });
        }
        if lines.len() > MAX_LINES {
            return Err(ProbeError::ReplyTooLong);
        }
    }
}

fn send(stream: &mut TcpStream, command: &str) -> Result<(), ProbeError> {
    Ok(stream.write_all(format!("{command}\r\n").as_bytes())?)
}

/// Connects to `addr`, greets as `ehlo` and asks for STARTTLS; `timeout`
/// for the connection and for each reply.
pub fn starttls(addr: SocketAddr, ehlo: &str, timeout: Duration) -> Result<Dialogue, ProbeError> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|source| ProbeError::Connect { addr, source })?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let greeting = read_reply(&mut stream)?;
    if greeting.code != 220 {
        return Err(ProbeError::Refused {
            step: "greeting",
            reply: greeting.text(),
        });
    }
    send(&mut stream, &format!("EHLO {ehlo}"))?;
    let ehlo_reply = read_reply(&mut stream)?;
    if ehlo_reply.code != 250 {
        return Err(ProbeError::Refused {
            step: "EHLO",
            reply: ehlo_reply.text(),
        });
    }
    let capabilities: Vec<String> = ehlo_reply
        .lines
        .iter()
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase()
        })
        .collect();
    if !capabilities.iter().any(|c| c == "STARTTLS") {
        let _ = send(&mut stream, "QUIT");
        return Ok(Dialogue::NoStartTls);
    }
    send(&mut stream, "STARTTLS")?;
    let ready = read_reply(&mut stream)?;
    if ready.code != 220 {
        return Err(ProbeError::Refused {
            step: "STARTTLS",
            reply: ready.text(),
        });
    }
    Ok(Dialogue::Ready(stream))
}

fn clip(text: &str) -> String {
    text.chars().take(60).collect()
}
