//! The assessment itself: parse once, extract every text, run the
//! detectors, review the recipients and apply the policy.

use crate::assessment::{Assessment, Reason, Verdict, Warning};
use crate::body::split_body;
use crate::detect::windowed::detect_windowed_as;
use crate::detect::{all_detectors, Detector};
use crate::extract::{extract_message_with, ExtractIssue, Extracted, Limits};
use crate::finding::{Finding, FindingKind, Location};
use crate::ocr::Ocr;
use crate::opinion::{self, Opinion};
use crate::policy::UnreadablePolicy;
use crate::policy::{Policy, CONTEXTUAL_KINDS, DEFAULT_SECURE_KINDS};
use crate::recipients::{review, Field, Recipient};
use crate::segment::{Segment, SegmentRole};
use mail_parser::{Address, Message, MessageParser};
use std::collections::hash_map::{Entry, HashMap};
use std::collections::{BTreeMap, BTreeSet};

/// Why a message could not be assessed at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AssessError {
    /// The input holds no bytes.
    #[error("the message is empty")]
    Empty,
    /// The input is not an Internet message (no header could be read).
    #[error("not an e-mail message: no headers could be read")]
    NotAMessage,
    /// The MIME structure is so broken that the parser gave up.
    #[error("the MIME structure of the message is too broken to read")]
    Malformed,
}

/// Who really sends and receives, when known from the SMTP envelope;
/// otherwise the From/To/Cc/Bcc headers are used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// MAIL FROM.
    pub sender: Option<String>,
    /// RCPT TO, every one.
    pub recipients: Vec<String>,
}

/// Assesses messages against one policy. Build it once (detectors compile
/// their patterns) and share it: it is `Send + Sync` and has no state.
pub struct Assessor {
    detectors: Vec<Box<dyn Detector>>,
    policy: Policy,
    limits: Limits,
    ocr: Option<std::sync::Arc<dyn Ocr>>,
}

impl Assessor {
    /// A new assessor for `policy` with the default extraction limits.
    pub fn new(policy: Policy) -> Assessor {
        Assessor::with_limits(policy, Limits::default())
    }

    /// A new assessor with explicit extraction limits.
    pub fn with_limits(policy: Policy, limits: Limits) -> Assessor {
        Assessor {
            detectors: all_detectors(),
            policy,
            limits,
            ocr: None,
        }
    }

    /// This assessor with an OCR engine for scans and photos.
    pub fn with_ocr(mut self, ocr: Option<std::sync::Arc<dyn Ocr>>) -> Assessor {
        self.ocr = ocr;
        self
    }

    /// An assessor like this one (same limits and OCR) for another policy.
    pub fn with_policy(&self, policy: Policy) -> Assessor {
        Assessor::with_limits(policy, self.limits.clone()).with_ocr(self.ocr.clone())
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Parses and assesses raw message bytes.
    pub fn assess_bytes(
        &self,
        raw: &[u8],
        envelope: Option<&Envelope>,
    ) -> Result<Assessment, AssessError> {
        let message = parse(raw)?;
        Ok(self.assess(&message, envelope))
    }

    /// [`Assessor::assess_bytes`], with the message's decoded subject ("" when
    /// it has none) from the same parse: the gateway's notices and SMS tag
    /// need it, and the message is parsed once.
    pub fn assess_bytes_with_subject(
        &self,
        raw: &[u8],
        envelope: Option<&Envelope>,
    ) -> Result<(Assessment, String), AssessError> {
        let message = parse(raw)?;
        let subject = message.subject().unwrap_or_default().to_string();
        Ok((self.assess(&message, envelope), subject))
    }

    /// What the assessment reads from raw message bytes: every text with
    /// where it stood, and what could not be read (for checking extraction
    /// against another parser; the texts hold the message's content).
    pub fn read_texts(&self, raw: &[u8]) -> Result<Extracted, AssessError> {
        let message = parse(raw)?;
        Ok(extract_message_with(
            &message,
            &self.limits,
            self.ocr.as_deref(),
        ))
    }

    /// Assesses a parsed message.
    pub fn assess(&self, message: &Message<'_>, envelope: Option<&Envelope>) -> Assessment {
        let people = People::of(message, envelope);
        let extracted = extract_message_with(message, &self.limits, self.ocr.as_deref());
        let report = review(&people.recipients, &self.policy.domains);
        // Only mail to external recipients can go securely because of it.
        let opinion = match self.policy.second_opinion {
            Some(_) if !report.external.is_empty() => opinion::judge(&extracted.segments),
            _ => None,
        };
        let segments = split_bodies(extracted.segments);
        let (findings, unchecked) = self.find(&segments, &people);
        let unreadable: Vec<(Location, String)> = extracted
            .issues
            .iter()
            .filter_map(unreadable_place)
            .collect();
        let mut warnings: Vec<Warning> = extracted.issues.into_iter().map(issue_warning).collect();

        if !report.external.is_empty() {
            warnings.insert(
                0,
                Warning::ExternalRecipients {
                    addresses: report.external.clone(),
                },
            );
        }
        for l in &report.lookalikes {
            warnings.push(Warning::LookalikeDomain {
                domain: l.domain.clone(),
                resembles: l.resembles.clone(),
                how: l.kind,
            });
        }
        if report.visible_external.len() >= self.policy.visible_external_threshold {
            warnings.push(Warning::VisibleExternalRecipients {
                count: report.visible_external.len(),
            });
        }

        let subject = message.subject().unwrap_or("");
        let mut reasons = self.decide(
            subject,
            &findings,
            &segments,
            &people,
            &report.external,
            opinion,
        );
        // A text the detectors failed on was not checked: secure whatever
        // the unreadable policy says (that policy is for formats zegel
        // cannot open, not for its own failure).
        let failed_closed = !unchecked.is_empty();
        if (!unreadable.is_empty() && self.policy.unreadable != UnreadablePolicy::Warn
            || failed_closed)
            && !report.external.is_empty()
        {
            reasons.retain(|r| *r != Reason::NothingSensitive);
            let places = if self.policy.unreadable == UnreadablePolicy::Warn {
                unchecked
            } else {
                unreadable.into_iter().chain(unchecked).collect()
            };
            reasons.push(Reason::Unreadable {
                places,
                external: report.external.clone(),
            });
        }
        let secure = reasons.iter().any(Reason::makes_secure);
        Assessment {
            verdict: if secure {
                Verdict::Secure
            } else {
                Verdict::Normal
            },
            findings: dedupe(&findings),
            warnings,
            reasons,
        }
    }

    /// Runs every detector over every segment that counts, places the
    /// matches, and drops what is the organisation's or the correspondents' own.
    /// Also returns the places whose text a detector failed on (a bug
    /// caught, not unwound into the gateway): they were not checked.
    fn find(
        &self,
        segments: &[Segment],
        people: &People,
    ) -> (Vec<Finding>, Vec<(Location, String)>) {
        let mut findings: Vec<Finding> = Vec::new();
        let mut unchecked = Vec::new();
        for (index, segment) in segments.iter().enumerate() {
            if segment.role == SegmentRole::Signature || segment.text.is_empty() {
                continue;
            }
            let found = match crate::extract::guard::isolate("detector", || {
                let quoted = matches!(segment.role, SegmentRole::Quoted | SegmentRole::Forwarded);
                detect_windowed_as(&self.detectors, &segment.text, MAX_MATCHES_PER_TEXT, quoted)
            }) {
                Ok(found) => found,
                // The panic's message may quote the text: not passed on.
                Err(_) => {
                    unchecked.push((segment.location.clone(), DETECTOR_FAILED.to_string()));
                    continue;
                }
            };
            for m in found.into_iter().flatten() {
                let value = segment.text.get(m.span.clone()).unwrap_or("");
                if (may_be_own_detail(m.kind) && self.policy.is_own_detail(value))
                    || people.is_own(m.kind, value)
                    || self.organisation_address(m.kind, value)
                    || self.organisation_location(m.kind, &segment.text, m.span.start)
                    || (own_contact_detail(m.kind)
                        && record_of(&segment.text, m.span.start)
                            .is_some_and(|name| people.is_correspondent_name(name)))
                {
                    continue;
                }
                findings.push(Finding {
                    kind: m.kind,
                    location: segment.location.clone(),
                    excerpt: m.excerpt,
                    confidence: m.confidence,
                    segment: index,
                    span: m.span,
                });
            }
        }
        (findings, unchecked)
    }

    /// Whether a found e-mail address is the organisation's own (an
    /// address at one of its internal domains: a colleague's or a team's
    /// contact address, "facturen naar crediteuren@…"), which no more
    /// identifies a third person than the organisation's phone number.
    fn organisation_address(&self, kind: FindingKind, value: &str) -> bool {
        kind == FindingKind::EmailAddress
            && value.rsplit_once('@').is_some_and(|(_, domain)| {
                self.policy.domains.classify(&domain.to_lowercase())
                    == crate::recipients::DomainClass::Internal
            })
    }

    /// Whether a found postal address is one of the organisation's own
    /// locations: written after the organisation's own name on its line
    /// ("Venue: Stichting De Brug, Het Anker, Ambachtsweg 9"), as a
    /// signature or an invitation gives a site's address.
    fn organisation_location(&self, kind: FindingKind, text: &str, start: usize) -> bool {
        if kind != FindingKind::PostalAddress {
            return false;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
        let mut from = line_start.max(start.saturating_sub(80));
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let before = text[from..start].to_lowercase();
        // "op ons kantoor aan de Stationsstraat 21", "at our office, ...":
        // the writer's organisation says where it is.
        if let Some(p) = OWN_PLACES.iter().filter_map(|w| before.rfind(w)).max() {
            let after = from + p;
            if text.is_char_boundary(after)
                && !crate::detect::role::private_name_in(text, after..start)
            {
                return true;
            }
        }
        self.policy.own_details.iter().any(|d| {
            let d = d.trim().to_lowercase();
            // The organisation's name: a detail of words, not a number.
            let name_like = d.len() >= 6
                && d.chars().any(char::is_alphabetic)
                && !d.chars().any(|c| c.is_ascii_digit());
            // Nobody named between it and the address: "Stichting De Brug,
            // cliënt Jan Jansen, Dorpsstraat 3" is his address. (Lowercasing
            // can change lengths outside ASCII, so the offset is mapped
            // back only when it stays on a character boundary.)
            name_like
                && before.rfind(&d).is_some_and(|p| {
                    let after = from + p + d.len();
                    text.is_char_boundary(after.min(start))
                        && !crate::detect::role::private_name_in(text, after.min(start)..start)
                })
        })
    }

    /// Applies the policy to the findings and the recipients.
    fn decide(
        &self,
        subject: &str,
        findings: &[Finding],
        segments: &[Segment],
        people: &People,
        external: &[String],
        opinion: Option<Opinion>,
    ) -> Vec<Reason> {
        let mut reasons = Vec::new();
        if let Some(tag) = self.policy.forced_tag(subject) {
            reasons.push(Reason::ForcedByTag {
                tag: tag.to_string(),
            });
        }
        let decisive = |f: &&Finding| f.confidence >= self.policy.min_confidence;
        if external.is_empty() {
            let sensitive = findings
                .iter()
                .filter(decisive)
                .any(|f| self.policy.secure_kinds.contains(&f.kind));
            reasons.push(Reason::InternalOnly { sensitive });
            return reasons;
        }
        let mut by_kind: BTreeMap<FindingKind, Vec<Location>> = BTreeMap::new();
        for f in findings
            .iter()
            .filter(decisive)
            .filter(|f| self.policy.secure_kinds.contains(&f.kind))
        {
            let places = by_kind.entry(f.kind).or_default();
            if !places.contains(&f.location) {
                places.push(f.location.clone());
            }
        }
        for (kind, locations) in by_kind {
            reasons.push(Reason::Sensitive {
                kind,
                locations,
                external: external.to_vec(),
            });
        }
        if self.policy.name_with_identifier {
            if let Some((identifier, location)) =
                self.name_with_identifier(findings, segments, people)
            {
                reasons.push(Reason::NameWithIdentifier {
                    identifier,
                    location,
                    external: external.to_vec(),
                });
            }
        }
        if let (Some(below), Some(opinion)) = (self.policy.general_text, &opinion) {
            if opinion.probability < below {
                if let Some(kinds) = contextual_only(&reasons, findings.iter().filter(decisive))
                    .filter(|_| each_reads_general(findings.iter().filter(decisive), segments))
                {
                    return vec![Reason::ReadsAsGeneral {
                        kinds,
                        percent: (opinion.probability * 100.0).floor() as u8,
                    }];
                }
            }
        }
        // The second opinion does not overrule the administrator: when the
        // detectors found a kind the default policy protects but this one
        // lets go as normal mail (a BSN, with `bsn` taken out of
        // `secure_kinds`), the resemblance may be that very kind.
        let let_go = findings.iter().filter(decisive).any(|f| {
            DEFAULT_SECURE_KINDS.contains(&f.kind) && !self.policy.secure_kinds.contains(&f.kind)
        });
        if reasons.is_empty() && !let_go {
            if let (Some(threshold), Some(opinion)) = (self.policy.second_opinion, opinion) {
                if opinion.probability >= threshold {
                    reasons.push(Reason::Resembles {
                        percent: (opinion.probability * 100.0).floor() as u8,
                        location: opinion.location,
                        external: external.to_vec(),
                    });
                }
            }
        }
        if reasons.is_empty() {
            reasons.push(Reason::NothingSensitive);
        }
        reasons
    }

    /// A third person's name with another identifier close by in the same text.
    fn name_with_identifier(
        &self,
        findings: &[Finding],
        segments: &[Segment],
        people: &People,
    ) -> Option<(FindingKind, Location)> {
        let reach = self.policy.link_distance;
        let names = findings.iter().filter(|f| {
            f.kind == FindingKind::PersonName
                && f.confidence >= self.policy.min_confidence
                && !people.is_correspondent_name(&with_word_before(
                    &segments[f.segment].text,
                    f.span.clone(),
                ))
        });
        for name in names {
            // A professional at work ("Karin Nijenhuis (manager zorg)",
            // "Contact: Ilse Roerdink, communicatieadviseur") with a work
            // phone or e-mail address is a business contact; their home
            // address, birth date or bank account are still theirs alone.
            let professional =
                crate::detect::role::professional(&segments[name.segment].text, name.span.clone());
            let near = findings.iter().find(|f| {
                let text = &segments[f.segment].text;
                if professional && business_contact(f.kind, text, f.span.start) {
                    return false;
                }
                // Close by, or further on but pointed back to by a
                // possessive ("her private mobile: +33 ...", "zijn adres");
                // or pointed back to by a possessive anywhere in the mail
                // whose subject names the person ("plan van aanpak dhr.
                // Bennink" ... "Zijn nieuwe mobiele nummer is ...").
                let linked = if f.segment == name.segment {
                    (f.span.start + reach >= name.span.end && name.span.start + reach >= f.span.end)
                        || (f.span.start > name.span.end
                            && f.span.start - name.span.end <= 4 * reach
                            && possessive_before(text, f.span.start))
                } else {
                    segments[name.segment].role == SegmentRole::Subject
                        && possessive_before(text, f.span.start)
                };
                f.kind != FindingKind::PersonName
                    && f.confidence >= self.policy.min_confidence
                    && self.policy.identifier_kinds.contains(&f.kind)
                    && linked
                    && !readers_own(findings, f, text)
            });
            if let Some(f) = near {
                return Some((f.kind, f.location.clone()));
            }
        }
        None
    }
}

/// The kinds behind `reasons` when every one of them is contextual and
/// may read as general text ([`CONTEXTUAL_KINDS`]): a health or dossier
/// finding, or a name with contact details; and no decisive finding of any
/// other kind stands in the mail (a BSN taken out of `secure_kinds` still
/// keeps the mail from being read as general). `None` otherwise, and for
/// no reasons at all or a subject tag.
fn contextual_only<'a>(
    reasons: &[Reason],
    mut decisive: impl Iterator<Item = &'a Finding>,
) -> Option<Vec<FindingKind>> {
    let mut kinds = Vec::new();
    for reason in reasons {
        let kind = match reason {
            Reason::Sensitive { kind, .. } => *kind,
            Reason::NameWithIdentifier { identifier, .. } => *identifier,
            _ => return None,
        };
        if !CONTEXTUAL_KINDS.contains(&kind) || kind == FindingKind::PersonName {
            return None;
        }
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let contextual = decisive.all(|f| CONTEXTUAL_KINDS.contains(&f.kind));
    (!kinds.is_empty() && contextual).then_some(kinds)
}

/// Whether every text that holds one of these findings also leans towards
/// general on its own (the second opinion below [`LOCAL_GENERAL_BELOW`]):
/// a note about a patient on top of a long forwarded newsletter must not
/// hide behind the newsletter. A text too short for the second opinion to
/// judge does not read as general.
fn each_reads_general<'a>(
    findings: impl Iterator<Item = &'a Finding>,
    segments: &[Segment],
) -> bool {
    let mut judged = BTreeSet::new();
    findings.into_iter().all(|f| {
        !judged.insert(f.segment)
            || opinion::judge(std::slice::from_ref(&segments[f.segment]))
                .is_some_and(|o| o.probability < LOCAL_GENERAL_BELOW)
    })
}

/// The second opinion's probability below which one text, on its own,
/// leans towards general ([`each_reads_general`]); a single text is judged
/// on fewer words than a whole mail, so its probabilities are less sure.
const LOCAL_GENERAL_BELOW: f32 = 0.5;

/// Words with which the writer's organisation names one of its own places
/// before giving its address ([`Assessor::organisation_location`]).
const OWN_PLACES: &[&str] = &[
    "ons kantoor",
    "onze kantoren",
    "onze locatie",
    "ons pand",
    "ons gebouw",
    "onze vestiging",
    "ons hoofdkantoor",
    "ons adres",
    "bij ons op",
    "bij ons aan",
    "our office",
    "our offices",
    "our premises",
    "our building",
    "our address",
];

/// The kinds a mail to someone about their own matters may carry and stay
/// normal (the README's policy: their own address and phone; the date of
/// birth as the date-of-birth detector treats the reader's). Never a BSN,
/// which is secure even to its owner; an account number is only ever
/// sensitive beside a third person's name, so it needs no exception here.
/// Whether a finding of this kind can be one of the organisation's own
/// details (`[organization] own_details`: its name, address, phone, IBAN,
/// registration numbers), or a word of them ("logopedie" in the name
/// "Logopediepraktijk De Stem"). A secret is never the organisation's,
/// even when it contains one ("wachtwoord: Herder!Kerkplein12#wp").
fn may_be_own_detail(kind: FindingKind) -> bool {
    kind != FindingKind::Credential
}

fn own_contact_detail(kind: FindingKind) -> bool {
    matches!(
        kind,
        FindingKind::PostalAddress
            | FindingKind::PhoneNumber
            | FindingKind::EmailAddress
            | FindingKind::DateOfBirth
    )
}

/// The name a labelled record gives above `at` ("Name: Léa Moreau",
/// "Naam: ..."), looking back over the record's lines up to a blank line,
/// at most eight lines: the details below it are that person's.
fn record_of(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    for line in text[..line_start].lines().rev().take(8) {
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        if let Some((label, value)) = line.split_once(':') {
            let label = label.trim().to_lowercase();
            if matches!(
                label.as_str(),
                "name" | "naam" | "full name" | "volledige naam"
            ) {
                let value = value.trim();
                return (!value.is_empty()).then_some(value);
            }
        }
    }
    None
}

/// The name at `span` with the word before it on its line, so that a
/// middle name found on its own ("Camille Moreau" in "Léa Camille
/// Moreau") is judged with the given name before it.
fn with_word_before(text: &str, span: std::ops::Range<usize>) -> String {
    let name = text.get(span.clone()).unwrap_or("");
    let before = text[..span.start].trim_end_matches([' ', '\t']);
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .next()
        .unwrap_or("");
    if word.is_empty() || before.len() == span.start {
        return name.to_string();
    }
    format!("{word} {name}")
}

/// Whether a finding of `kind` at `at` is a way to reach someone at work:
/// a phone number or e-mail address not marked private ("privé", "mobiel
/// privé", "home", "private") within 40 bytes before it.
fn business_contact(kind: FindingKind, text: &str, at: usize) -> bool {
    if !matches!(kind, FindingKind::PhoneNumber | FindingKind::EmailAddress) {
        return false;
    }
    let mut from = at.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text[from..at].to_lowercase();
    ![
        "privé",
        "prive",
        "private",
        "home",
        "thuis",
        "eigen",
        "personal",
        "persoonlijk",
    ]
    .iter()
    .any(|w| before.contains(w))
}

/// Whether a third-person possessive or pronoun stands within 40 bytes
/// before `at` on its line ("her private mobile:", "zijn nieuwe adres is",
/// "bel hem op"), or on the line before when that one introduces the
/// value ("You can reach him directly:\nmobile 06 ..."): the value belongs
/// to someone named before.
fn possessive_before(text: &str, at: usize) -> bool {
    let third_person = |from: usize, to: usize| {
        let mut from = from;
        while !text.is_char_boundary(from) {
            from += 1;
        }
        text[from..to]
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| {
                matches!(
                    w.to_lowercase().as_str(),
                    "her" | "his" | "him" | "haar" | "zijn" | "hem" | "hun" | "their"
                )
            })
    };
    let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    if third_person(line_start.max(at.saturating_sub(40)), at) {
        return true;
    }
    // A short label at most before the value on its own line, after a
    // line that ends with a colon.
    let label = &text[line_start..at];
    if line_start == 0 || label.split_whitespace().count() > 2 {
        return false;
    }
    let previous = text[..line_start - 1].trim_end_matches('\r');
    let previous_start = previous.rfind('\n').map_or(0, |p| p + 1);
    previous.ends_with(':')
        && third_person(
            previous_start.max(previous.len().saturating_sub(80)),
            previous.len(),
        )
}

/// Parses raw bytes as a message: empty input and input without headers
/// are errors, and so is a parser panic on hostile input (mail-parser has
/// internal consistency checks that such input can trip).
fn parse(raw: &[u8]) -> Result<Message<'_>, AssessError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(AssessError::Empty);
    }
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(raw));
    let message = parsed
        .map_err(|_| AssessError::Malformed)?
        .ok_or(AssessError::NotAMessage)?;
    if message.headers().is_empty() {
        return Err(AssessError::NotAMessage);
    }
    Ok(message)
}

/// Whether the identifier `f` is the reader's own: introduced as such, or
/// the continuation of one that is ("bij u thuis: Esdoornlaan 7, 4102 CD
/// Rivierstad": the postcode continues the street).
fn readers_own(findings: &[Finding], f: &Finding, text: &str) -> bool {
    addressed_to_reader(text, f.span.start)
        || findings.iter().any(|g| {
            g.segment == f.segment
                && g.kind == f.kind
                && g.span.end <= f.span.start
                && f.span.start - g.span.end <= 3
                && addressed_to_reader(text, g.span.start)
        })
}

/// Whether the identifier starting at `start` is introduced as the
/// reader's own ("op uw nummer 06-…", "bij u thuis: Esdoornlaan 7", "your
/// address"): then it identifies the recipient, not the third person named
/// nearby. Looks at the few words before it on the same line.
fn addressed_to_reader(text: &str, start: usize) -> bool {
    let mut from = start.saturating_sub(32);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..start];
    let line = before.rsplit('\n').next().unwrap_or("").to_lowercase();
    let words: Vec<&str> = line
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = &words[words.len().saturating_sub(3)..];
    last.iter().any(|w| matches!(*w, "uw" | "your" | "jouw"))
        || last
            .windows(2)
            .any(|p| p == ["u", "thuis"] || p == ["je", "nummer"])
}

/// Splits every body segment (also of forwarded messages) into body, quoted
/// history and signature.
fn split_bodies(segments: Vec<Segment>) -> Vec<Segment> {
    let mut out = Vec::with_capacity(segments.len() + 4);
    for s in segments {
        if matches!(s.role, SegmentRole::Body | SegmentRole::Forwarded) {
            out.extend(split_body(&s.text, &s.location));
        } else {
            out.push(s);
        }
    }
    out
}

/// Most matches one detector reports for one text. A spreadsheet of ten
/// thousand addresses proves the point after a few hundred; keeping all would
/// only cost memory and time.
const MAX_MATCHES_PER_TEXT: usize = 256;

/// Why a text whose check failed counts as unreadable (what the sender
/// and the audit trail read; no detail, which could quote the text).
const DETECTOR_FAILED: &str = "content check failed (internal error)";

/// One finding per kind, location and excerpt: the most confident, in the
/// order first seen.
fn dedupe(findings: &[Finding]) -> Vec<Finding> {
    let mut index: HashMap<(FindingKind, &Location, &str), usize> =
        HashMap::with_capacity(findings.len());
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        match index.entry((f.kind, &f.location, f.excerpt.as_str())) {
            Entry::Occupied(e) => {
                let kept = &mut out[*e.get()];
                if kept.confidence < f.confidence {
                    *kept = f.clone();
                }
            }
            Entry::Vacant(e) => {
                e.insert(out.len());
                out.push(f.clone());
            }
        }
    }
    out
}

/// Where and why content could not be read (not: encrypted, which is
/// already protected).
fn unreadable_place(issue: &ExtractIssue) -> Option<(Location, String)> {
    match issue {
        ExtractIssue::Encrypted { .. } => None,
        ExtractIssue::Unreadable { location, reason } => Some((location.clone(), reason.clone())),
        ExtractIssue::ZipBomb { location } => {
            Some((location.clone(), "expands like a zip bomb".to_string()))
        }
        ExtractIssue::LimitExceeded { location, limit } => {
            Some((location.clone(), format!("limit {limit} reached")))
        }
    }
}

fn issue_warning(issue: ExtractIssue) -> Warning {
    match issue {
        ExtractIssue::Encrypted { location } => Warning::EncryptedAttachment { location },
        ExtractIssue::Unreadable { location, reason } => {
            Warning::UnreadableAttachment { location, reason }
        }
        ExtractIssue::ZipBomb { location } => Warning::ZipBomb { location },
        ExtractIssue::LimitExceeded { location, limit } => {
            Warning::LimitExceeded { location, limit }
        }
    }
}

/// The sender and recipients of a message, for telling a third person from a correspondent.
struct People {
    sender: Option<Recipient>,
    recipients: Vec<Recipient>,
    name_tokens: Vec<String>,
}

impl People {
    fn of(message: &Message<'_>, envelope: Option<&Envelope>) -> People {
        let sender =
            first_address(message.from()).map(|(a, n)| Recipient::new(&a, n.as_deref(), Field::To));
        let mut recipients = Vec::new();
        for (field, header) in [
            (Field::To, message.to()),
            (Field::Cc, message.cc()),
            (Field::Bcc, message.bcc()),
        ] {
            for (address, name) in addresses(header) {
                recipients.push(Recipient::new(&address, name.as_deref(), field));
            }
        }
        if let Some(env) = envelope {
            // The envelope decides who receives; header names help recognise them.
            let mut from_env = Vec::new();
            for rcpt in &env.recipients {
                let lc = rcpt.trim().to_lowercase();
                let known = recipients.iter().find(|r| r.address == lc);
                let field = known.map(|r| r.field).unwrap_or(Field::Bcc);
                let name = known.and_then(|r| r.name.clone());
                from_env.push(Recipient::new(&lc, name.as_deref(), field));
            }
            recipients = from_env;
        }
        let mut name_tokens = Vec::new();
        for r in sender.iter().chain(recipients.iter()) {
            let local = r.address.split('@').next().unwrap_or("");
            let name = r.name.as_deref().unwrap_or("");
            for token in local
                .split(['.', '_', '-', '+'])
                .chain(name.split(|c: char| !c.is_alphanumeric()))
            {
                let t = token.to_lowercase();
                if !t.is_empty() && !name_tokens.contains(&t) {
                    name_tokens.push(t);
                }
            }
        }
        People {
            sender,
            recipients,
            name_tokens,
        }
    }

    /// The e-mail addresses of sender and recipients are theirs, not a third person's.
    fn is_own(&self, kind: FindingKind, value: &str) -> bool {
        if kind != FindingKind::EmailAddress {
            return false;
        }
        let v = value.trim().to_lowercase();
        self.sender
            .iter()
            .chain(self.recipients.iter())
            .any(|p| p.address == v)
    }

    /// Whether a found name is (most likely) the sender's or a recipient's:
    /// its surname matches a word of their name or address, and its first
    /// name or initial (when it has one) matches too, so that "mevrouw
    /// Jansen" writing to j.jansen@ is the recipient, but "Daniel Morgan" in a
    /// mail from David Morgan is a third person.
    fn is_correspondent_name(&self, name: &str) -> bool {
        let words: Vec<String> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .filter(|w| !NAME_PARTICLES.contains(&w.as_str()))
            .collect();
        let Some(surname) = words.iter().rev().find(|w| w.chars().count() >= 3) else {
            return false;
        };
        if !self.name_tokens.contains(surname) {
            return false;
        }
        // Any given name or initial of theirs: "Léa Camille Moreau" is
        // Léa Moreau.
        let given = &words[..words.len().saturating_sub(1)];
        if given.is_empty() || words.first() == Some(surname) {
            return true;
        }
        given.iter().any(|first| {
            if first.chars().count() == 1 {
                self.name_tokens
                    .iter()
                    .any(|t| t != surname && t.starts_with(first.as_str()))
            } else {
                first != surname && self.name_tokens.contains(first)
            }
        })
    }
}

/// Titles and particles that are not a first name or surname.
const NAME_PARTICLES: &[&str] = &[
    "mevrouw", "meneer", "mevr", "mw", "dhr", "heer", "mr", "mrs", "ms", "miss", "dr", "drs", "ir",
    "ing", "prof", "van", "de", "der", "den", "het", "ter", "ten", "te", "in", "t", "op", "la",
    "le", "von",
];

fn first_address(value: Option<&Address<'_>>) -> Option<(String, Option<String>)> {
    addresses(value).into_iter().next()
}

fn addresses(value: Option<&Address<'_>>) -> Vec<(String, Option<String>)> {
    let Some(address) = value else {
        return Vec::new();
    };
    address
        .iter()
        .filter_map(|a| {
            a.address()
                .map(|addr| (addr.to_string(), a.name().map(str::to_string)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(from: &str, to: &str) -> People {
        let raw = format!("From: {from}\r\nTo: {to}\r\nSubject: x\r\n\r\nbody\r\n");
        let message = MessageParser::default().parse(raw.as_bytes()).unwrap();
        People::of(&message, None)
    }

    #[test]
    fn correspondents_are_recognised_by_surname_and_first_name() {
        let p = people(
            "David Morgan <d.morgan@zorggroephorizon.nl>",
            "Jan Jansen <j.jansen@example.nl>",
        );
        assert!(p.is_correspondent_name("mevrouw Jansen"));
        assert!(p.is_correspondent_name("J. Jansen"));
        assert!(p.is_correspondent_name("David Morgan"));
        assert!(!p.is_correspondent_name("Daniel Morgan"));
        assert!(!p.is_correspondent_name("P. Jansen"));
        assert!(!p.is_correspondent_name("Karin de Vries"));
    }

    #[test]
    fn identifiers_addressed_to_the_reader_are_the_readers_own() {
        let t = "Wij bellen u op uw nummer 06-27384910.";
        assert!(addressed_to_reader(t, t.find("06-").unwrap()));
        let t = "Bij u thuis: Esdoornlaan 7, 4102 CD Rivierstad";
        assert!(addressed_to_reader(t, t.find("Esdoorn").unwrap()));
        let t = "We will call your mobile 06-27384910.";
        assert!(addressed_to_reader(t, t.find("06-").unwrap()));
        let t = "Het nummer van mevrouw Jansen is 06-27384910.";
        assert!(!addressed_to_reader(t, t.find("06-").unwrap()));
        let t = "Uw cliënt woont op Dorpsstraat 4 en\nis bereikbaar op 06-27384910.";
        assert!(!addressed_to_reader(t, t.find("06-").unwrap()));
    }

    #[test]
    fn a_name_repeated_far_away_still_links_to_the_identifier_near_it() {
        let filler =
            "Wij bespreken de planning van het komende kwartaal en de begroting. ".repeat(10);
        let raw = format!(
            "From: a@zorggroephorizon.nl\r\nTo: b@example.com\r\nSubject: x\r\n\r\n\
             Jan de Vries kwam langs. {filler}\r\nJan de Vries woont op Dorpsstraat 12, 3511 AB Utrecht.\r\n"
        );
        let policy = Policy {
            domains: crate::Domains::new(&["zorggroephorizon.nl".into()], &[]),
            ..Policy::default()
        };
        let a = Assessor::new(policy)
            .assess_bytes(raw.as_bytes(), None)
            .unwrap();
        assert_eq!(a.verdict, crate::Verdict::Secure, "{:?}", a.reasons);
        assert_eq!(
            a.findings
                .iter()
                .filter(|f| f.kind == FindingKind::PersonName)
                .count(),
            1
        );
    }

    /// The verdict of the detectors on `raw` for an organisation at
    /// `internal` with these own details (the second opinion off: these
    /// tests are about the detectors).
    fn verdict_of(internal: &str, own_details: &[&str], raw: &str) -> crate::Verdict {
        let policy = Policy {
            domains: crate::Domains::new(&[internal.into()], &[]),
            own_details: own_details.iter().map(|d| d.to_string()).collect(),
            second_opinion: None,
            ..Policy::default()
        };
        Assessor::new(policy)
            .assess_bytes(raw.as_bytes(), None)
            .unwrap()
            .verdict
    }

    /// A detector with a bug that panics on every text.
    struct Panics;

    impl crate::detect::Detector for Panics {
        fn kind(&self) -> crate::FindingKind {
            crate::FindingKind::Health
        }
        fn detect(&self, text: &crate::detect::Text<'_>, _: &mut Vec<crate::finding::Match>) {
            let _ = &text.original[1..];
            panic!("detector bug");
        }
    }

    #[test]
    fn the_second_opinion_makes_external_mail_secure_that_no_detector_named() {
        // A referral that names a back complaint in everyday words: no
        // health term of the vocabularies, no identifier next to the name.
        let referral = |to: &str| {
            format!(
                "From: a@org.nl\r\nTo: {to}\r\nSubject: Verwijzing bedrijfsfysiotherapie\r\n\r\n\
                 Beste Marco,\r\n\r\nZoals besproken verwijs ik meneer Kuipers door naar jullie \
                 praktijk. Hij heeft sinds drie weken klachten aan zijn onderrug na tillen in het \
                 magazijn en zit thuis. Kunnen jullie hem deze week inplannen voor een intake?\r\n"
            )
        };
        let assess = |second_opinion: Option<f32>, to: &str| {
            let policy = Policy {
                domains: crate::Domains::new(&["org.nl".into()], &[]),
                second_opinion,
                ..Policy::default()
            };
            Assessor::new(policy)
                .assess_bytes(referral(to).as_bytes(), None)
                .unwrap()
        };
        let on = assess(Some(0.85), "b@extern.nl");
        assert_eq!(on.verdict, crate::Verdict::Secure, "{:?}", on.reasons);
        assert!(matches!(
            &on.reasons[..],
            [Reason::Resembles { percent, location: Location::Body, external }]
                if *percent >= 85 && external == &["b@extern.nl".to_string()]
        ));
        assert!(on.reasons[0]
            .message(crate::Lang::Nl)
            .starts_with("De tekst van het bericht lijkt sterk op mail met gevoelige gegevens"));
        let off = assess(None, "b@extern.nl");
        assert_eq!(off.verdict, crate::Verdict::Normal, "{:?}", off.reasons);
        let strict = assess(Some(1.0), "b@extern.nl");
        assert_eq!(strict.verdict, crate::Verdict::Normal);
        let internal = assess(Some(0.85), "c@org.nl");
        assert_eq!(internal.verdict, crate::Verdict::Normal);
    }

    /// A contract question to an insurer with counts per care programme:
    /// the health detector reads "COPD" next to "Parkinson" as a person's.
    const CONTRACT_QUESTION: &str = "Geachte heer Bakker,\r\n\r\n\
        Dank voor het contractvoorstel fysiotherapie 2027. Voordat wij tekenen hebben we twee \
        vragen over de tarieven en de kwaliteitsmodule.\r\n\r\n\
        1. Het tarief voor de reguliere zitting stijgt met 2,8 procent, terwijl de cao-stijging \
        op 4 procent ligt. Is er ruimte in de plusmodule?\r\n\
        2. Wij behandelden vorig jaar op twee locaties 1.610 verzekerden, waarvan 188 in de \
        groepsprogramma's voor COPD, Parkinson en valpreventie. Vallen de groepsprestaties in \
        2027 onder hetzelfde budgetplafond?\r\n\r\n\
        In de bijlage staat de gemiddelde behandelduur per diagnosegroep, geanonimiseerd uit \
        ons dashboard.\r\n\r\nMet vriendelijke groet,\r\nPraktijkmanager\r\n";

    /// A regional network's news, forwarded under a note.
    const NETWORK_NEWS: &str = "Nieuws uit het netwerk eerstelijnszorg\r\n\r\n\
        De zorgverzekeraars ronden de contractering voor 2027 in maart af. De kwaliteitsmodule \
        wordt herzien: intervisie mag voortaan ook digitaal, en de verplichte uren bij- en \
        nascholing gaan van twintig naar zestien per jaar. Praktijken die meedoen aan de \
        regionale benchmark krijgen in april hun eigen rapportage, met gemiddelden per regio.\r\n\
        \r\nOp donderdag 12 maart is de netwerkavond in het stadhuis, met een presentatie over \
        de nieuwe declaratieregels en een workshop over het jaarplan. Aanmelden kan via de \
        website van het netwerk. De vacature voor een coördinator preventie staat nog open; \
        reageren kan tot eind februari. Tot slot: het nieuwe telefoonnummer van het \
        netwerkbureau staat vanaf januari op de website, en de nieuwsbrief verschijnt voortaan \
        elke zes weken.\r\n";

    fn assess_general_text(subject: &str, body: &str, general_text: Option<f32>) -> Assessment {
        let policy = Policy {
            domains: crate::Domains::new(&["org.nl".into()], &[]),
            general_text,
            ..Policy::default()
        };
        let raw = format!(
            "From: a@org.nl\r\nTo: inkoop@verzekeraar.nl\r\nSubject: {subject}\r\n\r\n{body}"
        );
        Assessor::new(policy)
            .assess_bytes(raw.as_bytes(), None)
            .unwrap()
    }

    #[test]
    fn health_words_in_a_general_text_go_as_normal_mail_and_say_why() {
        let detectors = assess_general_text("Contractering 2027", CONTRACT_QUESTION, None);
        assert_eq!(
            detectors.verdict,
            crate::Verdict::Secure,
            "the example no longer trips a detector: pick another general text that does"
        );
        let general = assess_general_text("Contractering 2027", CONTRACT_QUESTION, Some(0.1));
        assert_eq!(
            general.verdict,
            crate::Verdict::Normal,
            "{:?}",
            general.reasons
        );
        assert!(matches!(
            &general.reasons[..],
            [Reason::ReadsAsGeneral { kinds, percent }]
                if kinds == &[FindingKind::Health] && *percent < 10
        ));
        assert!(general.reasons[0].message(crate::Lang::Nl).starts_with(
            "Gezondheidsgegevens gevonden, maar de tekst leest als algemene informatie"
        ));
        // Never for a subject tag, an identifier or a credential.
        let tagged =
            assess_general_text("[veilig] Contractering 2027", CONTRACT_QUESTION, Some(0.1));
        assert_eq!(tagged.verdict, crate::Verdict::Secure);
        for extra in [
            "BSN 111222333 staat op de factuur.",
            "Het wachtwoord van het dashboard is Zomer2027!",
        ] {
            let body =
                CONTRACT_QUESTION.replace("ons dashboard.", &format!("ons dashboard. {extra}"));
            let a = assess_general_text("Contractering 2027", &body, Some(0.1));
            assert_eq!(
                a.verdict,
                crate::Verdict::Secure,
                "{extra}: {:?}",
                a.reasons
            );
        }
    }

    #[test]
    fn a_note_about_a_patient_does_not_hide_behind_a_forwarded_general_text() {
        let body = format!(
            "Hoi Sanne,\r\n\r\nVoor de volledigheid: meneer De Boer heeft na zijn knieoperatie \
             een wondinfectie en krijgt flucloxacilline.\r\n\r\nGroet, Ilse\r\n\r\n\
             -----Oorspronkelijk bericht-----\r\nVan: Ilse Mulder\r\nVerzonden: maandag 7 \
             december 2026 10:12\r\nAan: inkoop@verzekeraar.nl\r\nOnderwerp: Contractering \
             2027\r\n\r\n{CONTRACT_QUESTION}\r\n{NETWORK_NEWS}"
        );
        let a = assess_general_text("FW: Contractering 2027", &body, Some(0.1));
        assert_eq!(a.verdict, crate::Verdict::Secure, "{:?}", a.reasons);
    }

    #[test]
    fn the_second_opinion_does_not_overrule_a_kind_the_administrator_let_go() {
        let bsn_mail =
            b"From: a@org.nl\r\nTo: b@extern.nl\r\nSubject: Dossier\r\n\r\nBSN 111222333.\r\n";
        let assess = |kinds: &[FindingKind]| {
            let policy = Policy {
                domains: crate::Domains::new(&["org.nl".into()], &[]),
                secure_kinds: kinds.iter().copied().collect(),
                ..Policy::default()
            };
            Assessor::new(policy).assess_bytes(bsn_mail, None).unwrap()
        };
        assert_eq!(
            assess(&[FindingKind::Health]).verdict,
            crate::Verdict::Normal
        );
        assert_eq!(
            assess(&DEFAULT_SECURE_KINDS).verdict,
            crate::Verdict::Secure
        );
    }

    #[test]
    fn a_detector_that_fails_makes_the_mail_secure_and_says_why() {
        for unreadable in [UnreadablePolicy::Secure, UnreadablePolicy::Warn] {
            let policy = Policy {
                domains: crate::Domains::new(&["zorg.nl".into()], &[]),
                unreadable,
                ..Policy::default()
            };
            let mut assessor = Assessor::new(policy);
            assessor.detectors.push(Box::new(Panics));
            let raw = "From: a@zorg.nl\r\nTo: b@extern.nl\r\nSubject: hallo\r\n\r\nTot morgen.\r\n";
            let a = assessor.assess_bytes(raw.as_bytes(), None).unwrap();
            assert_eq!(a.verdict, crate::Verdict::Secure, "{unreadable:?}");
            assert!(
                a.reasons
                    .iter()
                    .any(|r| matches!(r, Reason::Unreadable { places, .. }
                    if places.iter().any(|(_, why)| why == DETECTOR_FAILED))),
                "{:?}",
                a.reasons
            );
            // Internal mail stays normal, as with any unreadable part.
            let internal = raw.replace("b@extern.nl", "c@zorg.nl");
            let a = assessor.assess_bytes(internal.as_bytes(), None).unwrap();
            assert_eq!(a.verdict, crate::Verdict::Normal);
        }
    }

    #[test]
    fn a_record_of_the_recipient_holds_the_recipients_own_details() {
        let raw = |to: &str, extra: &str| {
            format!(
                "From: hr@delinde.nl\r\nTo: {to}\r\nSubject: welcome\r\n\r\n\
                 Please check the details I entered:\r\n\r\n\
                 Name: L\u{e9}a Camille Moreau\r\nDate of birth: 22 September 1991\r\n\
                 Address: Burgemeester Janssenstraat 5, 6085 EP Maasveld\r\n{extra}"
            )
        };
        let verdict = |to: &str, extra: &str| verdict_of("delinde.nl", &[], &raw(to, extra));
        let lea = "L\u{e9}a Moreau <l.moreau@gmail.com>";
        assert_eq!(verdict(lea, ""), crate::Verdict::Normal);
        // Sent to someone else, the same record is a third person's.
        assert_eq!(
            verdict("Housing <housing@agency.example>", ""),
            crate::Verdict::Secure
        );
        // A BSN stays secure, even to its owner.
        assert_eq!(verdict(lea, "BSN: 123456782\r\n"), crate::Verdict::Secure);
    }

    #[test]
    fn a_secret_that_contains_an_own_detail_is_still_a_secret() {
        // The organisation's street in a password is not its address.
        let raw = "From: a@parochie.nl\r\nTo: support@webbouwer.example\r\nSubject: x\r\n\r\n\
                   gebruiker: beheer_gh\r\nwachtwoord: Herder!Kerkplein12#wp\r\n";
        assert_eq!(
            verdict_of("parochie.nl", &["Kerkplein 12", "3851 KG"], raw),
            crate::Verdict::Secure
        );
        // The own address itself stays the organisation's.
        let raw = "From: a@parochie.nl\r\nTo: support@webbouwer.example\r\nSubject: x\r\n\r\n\
                   Bezorgen op Kerkplein 12, 3851 KG Harderveen.\r\n";
        assert_eq!(
            verdict_of("parochie.nl", &["Kerkplein 12", "3851 KG"], raw),
            crate::Verdict::Normal
        );
    }

    #[test]
    fn a_professionals_work_contact_is_business_and_their_home_is_private() {
        let verdict = |line: &str| {
            let raw = format!(
                "From: hr@delinde.nl\r\nTo: b@agency.example\r\nSubject: x\r\n\r\n{line}\r\n"
            );
            verdict_of("delinde.nl", &[], &raw)
        };
        assert_eq!(
            verdict("Contact: Karin Nijenhuis, care manager, 0315 684 200."),
            crate::Verdict::Normal
        );
        assert_eq!(
            verdict("Anna de Vries, verpleegkundige, woont op Dorpsstraat 3, 6085 EP Maasveld."),
            crate::Verdict::Secure
        );
        assert_eq!(
            verdict("Anna de Vries, verpleegkundige, mobiel privé 06 2281 4407."),
            crate::Verdict::Secure
        );
    }

    #[test]
    fn a_possessive_links_a_value_to_the_person_named_before() {
        let raw = "From: a@woonstede.nl\r\nTo: support@it.example\r\nSubject: new starter\r\n\r\n\
                   Name: Ines Moreau\r\nJob title: Cloud Engineer, department ICT\r\n\
                   Start date: 1 June 2026\r\nLicence: M365 E5 + Azure DevOps Basic and more\r\n\
                   Laptop: standard developer profile (32 GB), docking station, headset\r\n\r\n\
                   For the MFA enrolment before day 1 she asked us to use her private mobile: \
                   +33 6 12 48 90 37 (French number).\r\n";
        let verdict = |raw: &str| verdict_of("woonstede.nl", &[], raw);
        assert_eq!(verdict(raw), crate::Verdict::Secure);
        // Without the possessive the number is too far from the name.
        assert_eq!(
            verdict(&raw.replace("her private mobile", "the support line")),
            crate::Verdict::Normal
        );
    }

    #[test]
    fn a_pronoun_on_the_line_that_introduces_a_value_points_back_to_the_person() {
        let raw = |intro: &str| {
            format!(
                "From: a@stichting.nl\r\nTo: p@werkgever.example\r\nSubject: candidate\r\n\r\n\
                 Dear Priya,\r\n\r\nMr. Omar Haj Ali (31) was trained as an electrical engineer \
                 in Damascus and worked for eight years at a power plant in Homs. He has his Dutch \
                 diploma recognised at bachelor level and is at B1 level in Dutch; his English is \
                 fluent. He would be happy to have an introductory talk with your team.\r\n\r\n\
                 {intro}\r\nmobile 06 3817 5520\r\n"
            )
        };
        let verdict = |intro: &str| verdict_of("stichting.nl", &[], &raw(intro));
        assert_eq!(
            verdict("You can reach him directly:"),
            crate::Verdict::Secure
        );
        assert_eq!(verdict("You can reach our office:"), crate::Verdict::Normal);
    }

    #[test]
    fn a_possessive_in_the_body_points_back_to_the_person_the_subject_names() {
        let raw = |subject: &str, line: &str| {
            format!(
                "From: a@arbo.nl\r\nTo: hr@klant.nl\r\nSubject: {subject}\r\n\r\n\
                 Hoi Anouk,\r\n\r\nDank voor de bijgestelde versie, die staat in het \
                 dossier.\r\n- {line}\r\n- De evaluatie is op 1 juli om 14:00.\r\n"
            )
        };
        let verdict = |subject: &str, line: &str| verdict_of("arbo.nl", &[], &raw(subject, line));
        let moved = "Hij is verhuisd. Zijn nieuwe mobiele nummer is 06 17 40 82 56.";
        assert_eq!(
            verdict("RE: plan van aanpak dhr. Bennink", moved),
            crate::Verdict::Secure
        );
        // No one named in the subject; no possessive before the number.
        assert_eq!(
            verdict("RE: plan van aanpak", moved),
            crate::Verdict::Normal
        );
        assert_eq!(
            verdict(
                "RE: plan van aanpak dhr. Bennink",
                "Het nieuwe nummer van de planning is 06 17 40 82 56."
            ),
            crate::Verdict::Normal
        );
    }

    #[test]
    fn an_address_after_the_organisations_name_is_one_of_its_locations() {
        let verdict = |venue: &str| {
            let raw = format!(
                "From: a@debrug.nl\r\nTo: b@example.com\r\nSubject: training\r\n\r\n\
                 Venue: {venue}\r\nOur colleague Marieke van Dalen will help translate.\r\n"
            );
            verdict_of("debrug.nl", &["Stichting De Brug", "Oeverweg 14"], &raw)
        };
        assert_eq!(
            verdict("Stichting De Brug, Het Anker, Ambachtsweg 9, 3831 KZ Leusden"),
            crate::Verdict::Normal
        );
        // The same address without the organisation before it: a person's.
        assert_eq!(
            verdict("at home, Ambachtsweg 9, 3831 KZ Leusden"),
            crate::Verdict::Secure
        );
        // Someone named between the organisation and the address.
        assert_eq!(
            verdict("Stichting De Brug, client Jan Jansen, Ambachtsweg 9, 3831 KZ Leusden"),
            crate::Verdict::Secure
        );
        // The organisation speaking of its own place.
        assert_eq!(
            verdict("op ons kantoor aan de Ambachtsweg 9 in Leusden"),
            crate::Verdict::Normal
        );
        assert_eq!(
            verdict("our office at Ambachtsweg 9, 3831 KZ Leusden"),
            crate::Verdict::Normal
        );
        assert_eq!(
            verdict("ons kantoor; bezoek aan Jan Jansen, Ambachtsweg 9, 3831 KZ Leusden"),
            crate::Verdict::Secure
        );
    }

    #[test]
    fn a_colleagues_address_at_the_own_domain_identifies_no_third_person() {
        let verdict = |contact: &str| {
            let raw = format!(
                "From: a@zorggroephorizon.nl\r\nTo: b@example.com\r\nSubject: vacature\r\n\r\n\
                 Vragen over de vacature? Bel of mail Jolanda Hendriks, {contact}.\r\n"
            );
            verdict_of("zorggroephorizon.nl", &[], &raw)
        };
        assert_eq!(
            verdict("j.hendriks@zorggroephorizon.nl"),
            crate::Verdict::Normal
        );
        assert_eq!(
            verdict("jolanda.hendriks@gmail.com"),
            crate::Verdict::Secure
        );
    }

    #[test]
    fn empty_and_headerless_input_is_an_error_not_a_panic() {
        let a = Assessor::new(Policy::default());
        assert_eq!(a.assess_bytes(b"", None).unwrap_err(), AssessError::Empty);
        assert_eq!(
            a.assess_bytes(b"  \r\n", None).unwrap_err(),
            AssessError::Empty
        );
    }
}
