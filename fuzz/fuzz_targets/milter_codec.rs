//! The milter codec and session: arbitrary bytes must never panic.
//! - as one packet: decode (command and response); a decoded command
//!   encodes back to the same command;
//! - as the text of a reply or header we send: the result stays well-formed
//!   (reply lines "4xx/5xx[- ]x.y.z ...", no CR or NUL; header names without
//!   ':' or whitespace, folded values);
//! - as a stream from Postfix: a whole milter session (negotiation,
//!   messages, size limit, the handler's answers) over an in-memory stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use zegel_smtp::milter::{
    decode, serve_connection, MilterConfig, MilterDecision, MilterHandler, MilterMessage, Response,
};

/// Gives every kind of answer, chosen by the message.
struct Handler;

impl MilterHandler for Handler {
    fn decide(&self, message: &MilterMessage) -> MilterDecision {
        let text = String::from_utf8_lossy(&message.raw).into_owned();
        match message.raw.len() % 6 {
            0 => MilterDecision::Accept,
            1 => MilterDecision::Continue,
            2 => MilterDecision::Reject {
                code: message.rcpt_to.len() as u16 * 7,
                text,
            },
            3 => MilterDecision::Tempfail { text },
            4 => MilterDecision::Quarantine {
                reason: text.clone(),
                change: vec![("Subject".into(), 1, text.clone())],
                add: vec![(message.mail_from.clone(), text)],
            },
            _ => MilterDecision::AddHeaders(vec![(message.mail_from.clone(), text)]),
        }
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|input: &[u8]| {
    if let Ok(command) = decode(input) {
        let again = command.encode();
        assert_eq!(decode(&again[4..]).ok(), Some(command));
    }
    let _ = Response::decode(input);

    let code = input.first().map_or(0, |&b| u16::from(b) * 3);
    let text = String::from_utf8_lossy(input);
    if let Response::ReplyCode(reply) = Response::reply_code(code, &text) {
        for line in reply.split("\r\n") {
            let b = line.as_bytes();
            assert!(b.len() >= 10 && (b[0] == b'4' || b[0] == b'5') && b[4] == b[0]);
            assert!(b[3] == b' ' || b[3] == b'-');
            assert!(!line.contains(['\r', '\n', '\0']));
        }
    }
    if let Some(Response::AddHeader { name, value }) = Response::add_header(&text, &text, false) {
        assert!(!name.is_empty() && !name.contains([':', ' ', '\t', '\r', '\n', '\0']));
        assert!(!value.contains(['\r', '\0']));
        assert!(value.split('\n').skip(1).all(|l| l.starts_with(' ')));
    }

    let config = MilterConfig {
        max_message_bytes: 4096,
        read_timeout: Duration::from_secs(5),
    };
    let handler: Arc<dyn MilterHandler> = Arc::new(Handler);
    let stream = tokio::io::join(input, tokio::io::sink());
    let _ = runtime().block_on(serve_connection(stream, &config, handler));
});
