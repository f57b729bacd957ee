//! Reading the portal's mails at the sink: links, one-time codes and the
//! access codes in the sender's notice.

use super::WAIT;
use std::time::{Duration, Instant};
use zegel_testkit::{Received, Sink};

/// The first `http…` link in a mail that contains `marker`.
pub fn link(mail: &Received, marker: &str) -> String {
    let text = mail.decoded();
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {text}"));
    let start = text[..at].rfind("http").unwrap();
    text[start..].split_whitespace().next().unwrap().to_string()
}

/// Waits for a mail to `rcpt` whose decoded text has `needle` (the newest).
pub fn mail_to(sink: &Sink, rcpt: &str, needle: &str) -> Received {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.is_for(rcpt) && m.decoded().contains(needle))
        {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {rcpt} with {needle:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The six-digit code in the newest code mail to `rcpt` (waits for the
/// `n`th code mail).
pub fn mail_code(sink: &Sink, rcpt: &str, n: usize) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let codes: Vec<Received> = sink
            .messages()
            .into_iter()
            .filter(|m| m.is_for(rcpt) && m.decoded().contains("Your code: "))
            .collect();
        if codes.len() >= n {
            let text = codes[n - 1].decoded();
            let at = text.find("Your code: ").unwrap() + 11;
            return text[at..at + 6].to_string();
        }
        assert!(Instant::now() < deadline, "no code mail {n} to {rcpt}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The access code for `recipient` in the sender's newest notice (waits
/// for one).
pub fn access_code(sink: &Sink, sender: &str, recipient: &str) -> String {
    let notice = mail_to(sink, sender, "/status/").decoded();
    let marker = format!("{recipient}: ");
    let at = notice.find(&marker).expect("an access code in the notice") + marker.len();
    notice[at..at + 9].to_string()
}
