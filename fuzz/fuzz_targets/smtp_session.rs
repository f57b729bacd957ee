//! The SMTP session without I/O: arbitrary bytes, split into lines as the
//! server reads them, go through the command state machine and the DATA
//! reader. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zegel_smtp::data::DataReader;
use std::sync::Arc;
use zegel_smtp::session::{Action, AuthOutcome, DomainList, Session, SessionConfig};

fuzz_target!(|input: &[u8]| {
    let config = SessionConfig {
        hostname: "fuzz.test".into(),
        max_message_bytes: 4096,
        max_recipients: 5,
        max_commands: 200,
        max_errors: 50,
        tls_available: true,
        unusual_addresses: false,
        inbound: Some(Arc::new(DomainList::new(["zorg.nl"]))),
    };
    let trusted = input.first().is_some_and(|b| b & 1 == 1);
    let mut session = Session::new(config, "127.0.0.1".parse().unwrap(), trusted);
    let mut data: Option<DataReader> = None;
    let mut accept = false;
    for line in input.split_inclusive(|&b| b == b'\n') {
        if let Some(reader) = data.as_mut() {
            if line.len() > 1000 {
                reader.line_too_long(line.ends_with(b"\r\n"));
                continue;
            }
            if let Some(outcome) = reader.line(line) {
                let _ = session.data_done(outcome);
                data = None;
            }
            continue;
        }
        let action = if line.len() > 512 {
            session.line_too_long()
        } else {
            session.command(line)
        };
        match action {
            Action::Close(_) => return,
            Action::StartTls(_) => session.tls_started(),
            Action::ReadData(_) => data = Some(DataReader::new(session.max_message_bytes())),
            Action::Authenticate { .. } => {
                accept = !accept;
                let outcome = if accept {
                    AuthOutcome::Accepted
                } else {
                    AuthOutcome::Rejected
                };
                let _ = session.auth_result(outcome);
            }
            Action::CheckAccount { .. } => {
                let _ = session.account_checked(accept);
            }
            Action::Reply(r) => {
                let _ = r.to_string();
            }
        }
    }
});
