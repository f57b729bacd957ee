//! One-time codes: six random digits, kept only as keyed hashes, valid for
//! ten minutes, limited per message and per address, sent by mail (through
//! the outbound queue) or by SMS.

use crate::Portal;
use zegel_outbound::compose::{code_mail, CodeMail};
use zegel_store::{CodePurpose, NewCode};

/// A fresh six-digit code (uniform over 000000–999999).
pub fn new_code() -> String {
    format!("{:06}", rand::random_range(0..1_000_000u32))
}

/// Why a code was not sent.
#[derive(Debug, PartialEq, Eq)]
pub enum NotSent {
    /// Too many codes for this message or address this hour.
    TooMany,
    /// The mail queue or SMS provider failed.
    Failed,
}

/// Where a code goes and what it is for.
pub struct CodeRequest<'a> {
    /// What the code is for.
    pub purpose: CodePurpose,
    /// The package id or contact session hash.
    pub target: &'a str,
    /// The address or phone number.
    pub to: &'a str,
    /// The message concerned (for the audit trail).
    pub message_id: Option<&'a str>,
    /// Who it concerns in the audit trail (an address, never the code).
    pub audit_subject: &'a str,
}

impl Portal {
    /// The public contact page sends a code to any address anyone types:
    /// besides the per-address limit, a cap per hour in all and per
    /// recipient domain (counted by every node), so it cannot be made to
    /// mail a domain, or the world, at will.
    async fn contact_code_allowed(&self, to: &str) -> Result<bool, NotSent> {
        let store = self.store();
        let domain = to.rsplit_once('@').map_or("", |(_, d)| d).to_lowercase();
        let all = store
            .count_hit("contactcodes:all", 3600)
            .await
            .map_err(|_| NotSent::Failed)?;
        let to_domain = store
            .count_hit(&format!("contactcodes:domain:{domain}"), 3600)
            .await
            .map_err(|_| NotSent::Failed)?;
        let allowed = all <= self.config.contact_codes_per_hour
            && to_domain <= self.config.contact_codes_per_domain_hour;
        if !allowed {
            tracing::info!(domain = %domain, "contact code refused: hourly cap");
        }
        Ok(allowed)
    }

    /// Makes, stores and sends a code, within the hourly limits.
    pub(crate) async fn send_code(&self, req: CodeRequest<'_>) -> Result<(), NotSent> {
        let hour_ago = zegel_store::now() - 3600;
        let store = self.store();
        let per_target = store
            .codes_sent_since(req.target, hour_ago)
            .await
            .map_err(|_| NotSent::Failed)?;
        let per_address = store
            .codes_sent_since(req.to, hour_ago)
            .await
            .map_err(|_| NotSent::Failed)?;
        if per_target >= self.config.codes_per_target_hour
            || per_address >= self.config.codes_per_address_hour
        {
            tracing::info!(purpose = req.purpose.as_str(), "code refused: hourly limit");
            return Err(NotSent::TooMany);
        }
        if req.purpose == CodePurpose::Contact && !self.contact_code_allowed(req.to).await? {
            return Err(NotSent::TooMany);
        }
        let code = new_code();
        let minutes = self.config.code_validity.as_secs() / 60;
        // Store first: a code that was sent can always be checked.
        store
            .issue_code(NewCode {
                purpose: req.purpose,
                target: req.target,
                address: req.to,
                code: &code,
                valid_secs: self.config.code_validity.as_secs() as i64,
                message_id: req.message_id,
                audit_subject: req.audit_subject,
            })
            .await
            .map_err(|_| NotSent::Failed)?;
        if req.purpose == CodePurpose::Sms {
            let text = format!(
                "{}: uw code is {code} ({minutes} min). Your code is {code}.",
                self.config.organization
            );
            let to = zegel_outbound::PhoneNumber::parse(req.to).map_err(|_| NotSent::Failed)?;
            self.sms.send(&to, &text).await.map_err(|e| {
                tracing::warn!(error = %e, "sending an SMS code failed");
                NotSent::Failed
            })
        } else {
            let c = self.outbound.config();
            let mail = code_mail(&CodeMail {
                organization: &c.organization,
                from: &c.notices_from,
                recipient: req.to,
                code: &code,
                minutes,
                hostname: &c.hostname,
            });
            self.outbound
                .queue_own_mail(req.to, mail)
                .await
                .map(|_| ())
                .map_err(|e| {
                    tracing::warn!(error = %e, "queueing a code mail failed");
                    NotSent::Failed
                })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> =
            (0..200).map(|_| super::new_code()).collect();
        assert!(codes
            .iter()
            .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        assert!(codes.len() > 190);
    }
}
