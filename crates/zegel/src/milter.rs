//! The milter's handler: assess each message Postfix passes us and answer:
//! reject with the reasons (policy action `reject`), or add headers that
//! tell Postfix (and people) the verdict and why, so Postfix can route
//! secure mail to zegel's SMTP relay.

use crate::serve::rejection_lines;
use zegel_assess::{Lang, Verdict};
use zegel_outbound::Outbound;
use zegel_smtp::milter::{MilterDecision, MilterHandler, MilterMessage};

/// Answers Postfix for each message.
pub struct Handler {
    outbound: Outbound,
    runtime: tokio::runtime::Handle,
    headers_only: bool,
}

impl Handler {
    /// A handler over the outbound pipeline's assessment; `headers_only`
    /// never rejects.
    pub fn new(outbound: Outbound, headers_only: bool) -> Handler {
        Handler {
            outbound,
            runtime: tokio::runtime::Handle::current(),
            headers_only,
        }
    }
}

impl MilterHandler for Handler {
    fn decide(&self, message: &MilterMessage) -> MilterDecision {
        // Called on a blocking thread: wait for the async assessment here.
        let assessment = self.runtime.block_on(self.outbound.assess(
            message.raw.clone(),
            &message.mail_from,
            &message.rcpt_to,
        ));
        let assessment = match assessment {
            Ok(a) => a,
            Err(why) => {
                return MilterDecision::AddHeaders(vec![(
                    "X-Zegel-Verdict".into(),
                    format!("unknown ({why})"),
                )])
            }
        };
        let nl: Vec<String> = assessment
            .reasons
            .iter()
            .map(|r| r.message(Lang::Nl))
            .collect();
        let en: Vec<String> = assessment
            .reasons
            .iter()
            .map(|r| r.message(Lang::En))
            .collect();
        if !self.headers_only && self.outbound.rejects(&assessment, &message.rcpt_to) {
            return MilterDecision::Reject {
                code: 550,
                text: rejection_lines(&nl, &en)
                    .iter()
                    .map(|l| format!("5.7.1 {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
        }
        let verdict = match assessment.verdict {
            Verdict::Secure => "secure",
            Verdict::Normal => "normal",
        };
        let mut headers = vec![("X-Zegel-Verdict".to_string(), verdict.to_string())];
        if !en.is_empty() {
            headers.push(("X-Zegel-Reasons".into(), en.join("; ")));
        }
        MilterDecision::AddHeaders(headers)
    }
}
