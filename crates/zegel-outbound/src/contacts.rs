//! Contact lists (address and mobile number per line, for SMS codes) as
//! CSV: `[portal] contacts_file` and the staff web's import read the same
//! way. Commas or semicolons between the fields, quotes around them allowed,
//! `#` lines and an optional header row skipped; numbers as
//! [`PhoneNumber`](crate::PhoneNumber) reads them, stored in E.164.

use crate::PhoneNumber;

/// Why a contact list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactsError {
    /// A line without two fields.
    #[error("line {0}: expected address,phone")]
    Fields(usize),
    /// A first field that is not an address.
    #[error("line {0}: '{1}' is not an e-mail address")]
    Address(usize, String),
    /// A second field that is not a phone number.
    #[error("line {0}: '{1}' is not a phone number")]
    Phone(usize, String),
}

/// The contacts in `text`: (address in lower case, E.164 number), in order;
/// a later line for the same address wins.
pub fn parse_contacts(text: &str) -> Result<Vec<(String, String)>, ContactsError> {
    let mut contacts: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line
            .split([',', ';'])
            .map(|f| f.trim().trim_matches('"').trim());
        let (Some(address), Some(phone)) = (fields.next(), fields.next()) else {
            return Err(ContactsError::Fields(n + 1));
        };
        if !address.contains('@') {
            if contacts.is_empty() && n < 2 {
                continue; // a header row
            }
            return Err(ContactsError::Address(
                n + 1,
                address.chars().take(80).collect(),
            ));
        }
        let number = PhoneNumber::parse(phone)
            .map_err(|_| ContactsError::Phone(n + 1, phone.chars().take(40).collect()))?;
        let address = address.to_lowercase();
        contacts.retain(|(a, _)| *a != address);
        contacts.push((address, number.as_str().to_string()));
    }
    Ok(contacts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lists_as_people_write_them() {
        let text = "\u{feff}e-mail;mobiel\r\n# team\r\n\"P.Bakker@Example.com\";\"06-12345678\"\r\nq@example.org, +31 6 8765 4321\r\np.bakker@example.com,0612345670\r\n";
        assert_eq!(
            parse_contacts(text).unwrap(),
            vec![
                ("q@example.org".to_string(), "+31687654321".to_string()),
                (
                    "p.bakker@example.com".to_string(),
                    "+31612345670".to_string()
                ),
            ]
        );
        assert_eq!(
            parse_contacts("a@b.nl").unwrap_err(),
            ContactsError::Fields(1)
        );
        assert_eq!(
            parse_contacts("a@b.nl,06-1\n").unwrap_err(),
            ContactsError::Phone(1, "06-1".into())
        );
        assert_eq!(
            parse_contacts("a@b.nl,0612345678\nniemand,0612345678\n").unwrap_err(),
            ContactsError::Address(2, "niemand".into())
        );
        assert!(parse_contacts("").unwrap().is_empty());
    }
}
