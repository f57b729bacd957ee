//! Who a message submitted over SMTP AUTH says it is from. An authenticated account may
//! only send as itself or as an address an administrator granted it
//! (`[smtp] send_as`): the header `From` and `Sender` are what the
//! recipient's mail program shows, and zegel signs them with DKIM, so a
//! colleague's name there is a forgery with the organisation's seal on it.
//! The account must also still be active when the message is complete (it
//! may have been disabled during the session).
//!
//! Mail from a relay network (the organisation's own mail server, which
//! checked its users itself) and mail zegel writes are not checked here.

use mail_parser::{HeaderName, HeaderValue, MessageParser};

/// Why a message was refused before it was assessed: 550 5.7.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderRefusal {
    /// The account was disabled (or removed) since it authenticated.
    AccountDisabled,
    /// A `From` or `Sender` address that is not the account's own nor
    /// granted to it.
    NotYours {
        /// The header.
        header: &'static str,
        /// The address in it.
        address: String,
    },
    /// More than one `From` header: mail programs differ on which they show
    /// (RFC 5322 allows one).
    SeveralFrom,
}

impl SenderRefusal {
    /// The reply text, Dutch then English.
    pub fn text(&self) -> String {
        match self {
            SenderRefusal::AccountDisabled => {
                "Account uitgeschakeld / Account disabled".to_string()
            }
            SenderRefusal::NotYours { header, address } => {
                let address = printable(address);
                format!(
                    "{header}-adres <{address}> hoort niet bij uw account; \
                     vraag een beheerder om dit adres toe te staan / \
                     {header} address <{address}> is not yours; \
                     ask an administrator to grant it ([smtp] send_as)"
                )
            }
            SenderRefusal::SeveralFrom => {
                "Meer dan een From-kopregel / More than one From header".to_string()
            }
        }
    }
}

/// Checks the header `From` and `Sender` of `raw` against `account` and the
/// addresses granted to it (`granted`, lower case).
pub fn check_headers(raw: &[u8], account: &str, granted: &[String]) -> Result<(), SenderRefusal> {
    let message = MessageParser::new()
        .parse_headers(raw)
        .ok_or(SenderRefusal::NotYours {
            header: "From",
            address: String::new(),
        })?;
    let allowed = |address: &str| {
        address.eq_ignore_ascii_case(account)
            || granted.iter().any(|g| g.eq_ignore_ascii_case(address))
    };
    let mut from_headers = 0;
    for header in message.headers() {
        let name = match &header.name {
            HeaderName::From => {
                from_headers += 1;
                "From"
            }
            HeaderName::Sender => "Sender",
            _ => continue,
        };
        let addresses = addresses_of(&header.value);
        if addresses.is_empty() {
            // A From the parser cannot read is read differently elsewhere.
            return Err(SenderRefusal::NotYours {
                header: name,
                address: String::new(),
            });
        }
        if let Some(other) = addresses.into_iter().find(|a| !allowed(a)) {
            return Err(SenderRefusal::NotYours {
                header: name,
                address: other,
            });
        }
    }
    if from_headers > 1 {
        return Err(SenderRefusal::SeveralFrom);
    }
    Ok(())
}

/// Every address in an address header (groups flattened); a mailbox
/// without an address counts as the empty address.
fn addresses_of(value: &HeaderValue) -> Vec<String> {
    let Some(address) = value.as_address() else {
        return Vec::new();
    };
    address
        .iter()
        .map(|a| a.address().unwrap_or_default().trim().to_string())
        .collect()
}

/// An address for a reply line: printable ASCII, bounded.
fn printable(address: &str) -> String {
    address
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(100)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(headers: &str) -> Result<(), SenderRefusal> {
        let raw = format!("{headers}To: x@example.com\r\nSubject: s\r\n\r\nbody\r\n");
        check_headers(
            raw.as_bytes(),
            "anna@zorg.nl",
            &["secretariaat@zorg.nl".to_string()],
        )
    }

    #[test]
    fn own_and_granted_addresses_pass() {
        assert_eq!(check("From: Anna <Anna@Zorg.nl>\r\n"), Ok(()));
        assert_eq!(
            check("From: Secretariaat <secretariaat@zorg.nl>\r\nSender: anna@zorg.nl\r\n"),
            Ok(())
        );
    }

    #[test]
    fn a_colleague_in_from_or_sender_is_refused() {
        assert_eq!(
            check("From: Piet <piet@zorg.nl>\r\n"),
            Err(SenderRefusal::NotYours {
                header: "From",
                address: "piet@zorg.nl".into()
            })
        );
        assert!(matches!(
            check("From: anna@zorg.nl\r\nSender: piet@zorg.nl\r\n"),
            Err(SenderRefusal::NotYours {
                header: "Sender",
                ..
            })
        ));
        // A second mailbox in the same From.
        assert!(check("From: anna@zorg.nl, piet@zorg.nl\r\n").is_err());
        // Encoded words and groups do not hide it.
        assert!(check("From: =?utf-8?q?Anna?= <piet@zorg.nl>\r\n").is_err());
        assert!(check("From: Team: piet@zorg.nl;\r\n").is_err());
        // The display name shows Anna, the address is Piet's.
        assert!(check("From: \"anna@zorg.nl\" <piet@zorg.nl>\r\n").is_err());
    }

    #[test]
    fn two_from_headers_or_an_unreadable_one_are_refused() {
        assert_eq!(
            check("From: anna@zorg.nl\r\nFrom: anna@zorg.nl\r\n"),
            Err(SenderRefusal::SeveralFrom)
        );
        assert!(check("From: Piet\r\n").is_err());
    }

    #[test]
    fn no_from_is_not_a_forgery() {
        assert_eq!(check(""), Ok(()));
    }
}
