//! Milter connections: negotiate, collect one message at a time, ask the
//! handler at the end of each, answer Postfix.

use super::codec::{read_command, write_response, Command, MilterError, Response};
use super::{MilterDecision, MilterHandler, MilterMessage};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::net::TcpListener;

/// The milter's limits.
#[derive(Debug, Clone)]
pub struct MilterConfig {
    /// Largest message (headers and body) assessed; larger ones get 452.
    pub max_message_bytes: usize,
    /// Longest wait for a packet from Postfix.
    pub read_timeout: Duration,
}

/// Largest packet accepted. Postfix sends body chunks of at most 64 KiB.
const MAX_PACKET: usize = 1024 * 1024;
/// SMFIF_ADDHDRS: we may add headers.
const ACTION_ADD_HEADERS: u32 = 0x01;

/// Serves milter connections on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: MilterConfig,
    handler: Arc<dyn MilterHandler>,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    crate::listen::accept_until(listener, "milter", shutdown, move |stream, peer| {
        let config = config.clone();
        let handler = handler.clone();
        tokio::spawn(async move {
            if let Err(e) = session(stream, &config, handler).await {
                tracing::debug!(peer = %peer, error = %e, "milter session ended with an error");
            }
        });
    })
    .await
}

/// Runs one milter connection to its end.
pub async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    config: &MilterConfig,
    handler: Arc<dyn MilterHandler>,
) -> Result<(), MilterError> {
    let mut stream = BufReader::new(stream);
    let mut message = MilterMessage::default();
    let mut too_big = false;
    loop {
        let command =
            match tokio::time::timeout(config.read_timeout, read_command(&mut stream, MAX_PACKET))
                .await
            {
                Err(_) => return Ok(()),
                Ok(Err(MilterError::Io(e))) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Ok(())
                }
                Ok(r) => r?,
            };
        let reply = match command {
            Command::OptNeg {
                version, actions, ..
            } => Some(Response::OptNeg {
                version: version.min(6),
                actions: actions & ACTION_ADD_HEADERS,
                // We want every step, each with a reply: no flags.
                protocol: 0,
            }),
            Command::Macro { pairs, .. } => {
                for (name, value) in pairs {
                    match name.as_str() {
                        "i" => message.queue_id = Some(value),
                        "{auth_authen}" if !value.is_empty() => {
                            message.authenticated_user = Some(value)
                        }
                        _ => {}
                    }
                }
                None
            }
            Command::Connect { address, .. } => {
                message.client_ip = address;
                Some(Response::Continue)
            }
            Command::Helo(name) => {
                message.helo = Some(name);
                Some(Response::Continue)
            }
            Command::Mail(args) => {
                message.mail_from = strip_brackets(args.first().map(String::as_str).unwrap_or(""));
                message.rcpt_to.clear();
                message.raw.clear();
                too_big = false;
                Some(Response::Continue)
            }
            Command::Rcpt(args) => {
                message.rcpt_to.push(strip_brackets(
                    args.first().map(String::as_str).unwrap_or(""),
                ));
                Some(Response::Continue)
            }
            Command::Header(name, value) => {
                append(
                    &mut message.raw,
                    &mut too_big,
                    config,
                    &header_line(&name, &value),
                );
                Some(Response::Continue)
            }
            Command::EndOfHeaders => {
                append(&mut message.raw, &mut too_big, config, b"\r\n");
                Some(Response::Continue)
            }
            Command::Body(chunk) => {
                append(&mut message.raw, &mut too_big, config, &chunk);
                Some(Response::Continue)
            }
            Command::EndOfMessage => {
                let responses = if too_big {
                    vec![Response::ReplyCode(
                        "452 4.3.4 Message too big to assess / te groot om te beoordelen".into(),
                    )]
                } else {
                    let snapshot = std::mem::take(&mut message.raw);
                    let mut msg = message.clone();
                    msg.raw = snapshot;
                    let handler = handler.clone();
                    let decision = tokio::task::spawn_blocking(move || handler.decide(&msg))
                        .await
                        .unwrap_or(MilterDecision::Tempfail {
                            text: "4.3.0 Assessment failed".into(),
                        });
                    responses_for(decision)
                };
                for r in &responses {
                    write_response(stream.get_mut(), r).await?;
                }
                reset_message(&mut message, &mut too_big);
                None
            }
            Command::Abort => {
                reset_message(&mut message, &mut too_big);
                None
            }
            Command::Quit => return Ok(()),
            Command::QuitNewConnection => {
                message = MilterMessage::default();
                too_big = false;
                None
            }
            Command::Data | Command::Unknown => Some(Response::Continue),
            Command::Other(_) => None,
        };
        if let Some(r) = reply {
            write_response(stream.get_mut(), &r).await?;
        }
    }
}

fn reset_message(message: &mut MilterMessage, too_big: &mut bool) {
    message.mail_from.clear();
    message.rcpt_to.clear();
    message.raw.clear();
    message.queue_id = None;
    *too_big = false;
}

fn append(raw: &mut Vec<u8>, too_big: &mut bool, config: &MilterConfig, bytes: &[u8]) {
    if *too_big {
        return;
    }
    if raw.len() + bytes.len() > config.max_message_bytes {
        *too_big = true;
        *raw = Vec::new();
        return;
    }
    raw.extend_from_slice(bytes);
}

/// "Name: value\r\n", with the value's folded lines in CRLF.
fn header_line(name: &str, value: &str) -> Vec<u8> {
    let value = value.replace("\r\n", "\n").replace('\n', "\r\n");
    format!("{name}: {value}\r\n").into_bytes()
}

fn strip_brackets(address: &str) -> String {
    address
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

/// The packets for a decision, ending with the final answer.
fn responses_for(decision: MilterDecision) -> Vec<Response> {
    match decision {
        MilterDecision::Accept => vec![Response::Accept],
        MilterDecision::Continue => vec![Response::Continue],
        MilterDecision::Reject { code, text } => vec![Response::ReplyCode(reply_text(code, &text))],
        MilterDecision::Tempfail { text } => vec![Response::ReplyCode(reply_text(451, &text))],
        MilterDecision::AddHeaders(headers) => {
            let mut out: Vec<Response> = headers
                .into_iter()
                .map(|(n, v)| Response::AddHeader(n, v))
                .collect();
            out.push(Response::Continue);
            out
        }
    }
}

/// A (multi-line) SMTP reply: "550-line\r\n550 last".
fn reply_text(code: u16, text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let lines = if lines.is_empty() {
        vec!["Refused"]
    } else {
        lines
    };
    let last = lines.len() - 1;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let clean: String = l
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            format!("{code}{}{clean}", if i == last { ' ' } else { '-' })
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::super::codec::{decode, Command as C};
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    struct Fixed(MilterDecision, std::sync::Mutex<Vec<MilterMessage>>);

    impl MilterHandler for Fixed {
        fn decide(&self, message: &MilterMessage) -> MilterDecision {
            self.1.lock().unwrap().push(message.clone());
            self.0.clone()
        }
    }

    fn packet(cmd: u8, data: &[u8]) -> Vec<u8> {
        let mut p = ((data.len() + 1) as u32).to_be_bytes().to_vec();
        p.push(cmd);
        p.extend_from_slice(data);
        p
    }

    fn one_message(body: &[u8]) -> Vec<u8> {
        let mut input = Vec::new();
        input.extend(packet(b'C', b"client\x004\x00\x19127.0.0.1\x00"));
        input.extend(packet(b'H', b"client.test\x00"));
        input.extend(packet(b'M', b"<a@zorg.nl>\x00"));
        input.extend(packet(b'R', b"<b@example.com>\x00"));
        input.extend(packet(b'R', b"<c@zorg.nl>\x00"));
        input.extend(packet(b'L', b"Subject\x00Hallo\x00"));
        input.extend(packet(b'N', b""));
        input.extend(packet(b'B', body));
        input.extend(packet(b'E', b""));
        input
    }

    async fn run(
        decision: MilterDecision,
        input: Vec<u8>,
        max: usize,
    ) -> (Vec<Command>, Vec<MilterMessage>) {
        let handler = Arc::new(Fixed(decision, Default::default()));
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let config = MilterConfig {
            max_message_bytes: max,
            read_timeout: Duration::from_secs(5),
        };
        let h: Arc<dyn MilterHandler> = handler.clone();
        let task = tokio::spawn(async move { session(server, &config, h).await });
        client.write_all(&input).await.unwrap();
        client.write_all(&packet(b'Q', b"")).await.unwrap();
        task.await.unwrap().unwrap();
        let mut out = Vec::new();
        client.read_to_end(&mut out).await.unwrap();
        let mut replies = Vec::new();
        let mut rest = out.as_slice();
        while rest.len() >= 4 {
            let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
            // Responses share the command framing; decode their bytes as a
            // command to inspect them (the letters differ).
            replies.push(decode(&rest[4..4 + len]).unwrap());
            rest = &rest[4 + len..];
        }
        let seen = handler.1.lock().unwrap().clone();
        (replies, seen)
    }

    #[tokio::test]
    async fn rebuilds_the_message_and_adds_headers() {
        let mut input = packet(b'O', &[0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0x1f, 0xff, 0xff]);
        input.extend(one_message(b"Tekst\r\n"));
        input.extend(one_message(b"Tweede\r\n"));
        let decision =
            MilterDecision::AddHeaders(vec![("X-Zegel-Verdict".into(), "secure".into())]);
        let (replies, seen) = run(decision, input, 10_000).await;
        assert!(matches!(
            replies[0],
            C::OptNeg {
                version: 6,
                actions: 1,
                protocol: 0
            }
        ));
        assert_eq!(seen.len(), 2, "two messages on one connection");
        assert_eq!(seen[0].mail_from, "a@zorg.nl");
        assert_eq!(seen[0].rcpt_to, ["b@example.com", "c@zorg.nl"]);
        assert_eq!(seen[0].client_ip, Some("127.0.0.1".parse().unwrap()));
        assert_eq!(seen[0].raw, b"Subject: Hallo\r\n\r\nTekst\r\n");
        assert_eq!(seen[1].raw, b"Subject: Hallo\r\n\r\nTweede\r\n");
        assert_eq!(
            replies.iter().filter(|r| **r == C::Other(b'h')).count(),
            2,
            "one header per message"
        );
    }

    #[tokio::test]
    async fn reject_gives_a_multiline_reply_code() {
        let decision = MilterDecision::Reject {
            code: 550,
            text: "5.7.1 een\n5.7.1 two".into(),
        };
        let (replies, _) = run(decision, one_message(b"x\r\n"), 10_000).await;
        let last = replies.last().unwrap();
        assert_eq!(last, &C::Other(b'y'));
        assert_eq!(
            reply_text(550, "5.7.1 een\n5.7.1 two"),
            "550-5.7.1 een\r\n550 5.7.1 two"
        );
    }

    #[tokio::test]
    async fn oversized_message_is_deferred_not_assessed() {
        let (_, seen) = run(MilterDecision::Accept, one_message(&[b'x'; 5000]), 1000).await;
        assert!(seen.is_empty());
    }

    #[tokio::test]
    async fn garbage_ends_the_session_with_an_error_not_a_panic() {
        let handler: Arc<dyn MilterHandler> =
            Arc::new(Fixed(MilterDecision::Accept, Default::default()));
        let config = MilterConfig {
            max_message_bytes: 100,
            read_timeout: Duration::from_secs(5),
        };
        let input: &[u8] = &[0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        let (mut client, server) = tokio::io::duplex(1024);
        client.write_all(input).await.unwrap();
        drop(client);
        assert!(session(server, &config, handler).await.is_err());
    }
}
