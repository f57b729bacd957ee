//! The staff web's page templates (askama; every value HTML-escaped).

use super::texts::StaffTexts;
use crate::pages::Frame;
use askama::Template;

/// The navigation of a signed-in page.
pub struct Nav {
    pub email: String,
    pub admin: bool,
    pub csrf: String,
    /// Which entry is the current page: `sent`, `compose`, `users`,
    /// `contacts`, `policy`, `audit`, `figures` or `domain`.
    pub here: &'static str,
}

/// The sign-in form.
#[derive(Template)]
#[template(path = "staff/login.html")]
pub struct Login {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
    /// The OpenID Connect provider's name, when it is configured.
    pub oidc: Option<String>,
}

/// After the OpenID Connect provider's answer: on to the next step by a
/// page of zegel's own (a redirect would still count as the provider's
/// navigation, and the browser would not send the `SameSite=Strict`
/// session cookie with it).
#[derive(Template)]
#[template(path = "staff/oidc_done.html")]
pub struct OidcDone {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub text: &'static str,
    /// `/app` or `/app/login/code`.
    pub next: &'static str,
}

/// The TOTP step.
#[derive(Template)]
#[template(path = "staff/totp.html")]
pub struct TotpStep {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub csrf: String,
    pub error: Option<String>,
}

/// One row of sent items.
pub struct SentRow {
    pub id: zegel_store::PackageId,
    pub sent: String,
    pub recipient: String,
    pub state: &'static str,
    pub opened: String,
    pub expires: String,
    pub open: bool,
}

/// One message in the sender's history.
pub struct HistoryRow {
    pub at: String,
    pub secure: bool,
    /// "address: state" per recipient.
    pub recipients: Vec<String>,
}

/// A message of the sender's that a warning held.
pub struct HeldRow {
    pub message: zegel_store::MessageId,
    pub at: String,
    pub recipients: String,
    pub reasons: Vec<String>,
    pub until: String,
    pub separate_offered: bool,
}

/// Sent items.
#[derive(Template)]
#[template(path = "staff/sent.html")]
pub struct Sent {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    /// A line after sending from the compose page.
    pub done: Option<&'static str>,
    pub csrf: String,
    pub rows: Vec<SentRow>,
    pub history: Vec<HistoryRow>,
    /// Held mail waiting for the sender's decision.
    pub held: Vec<HeldRow>,
}

/// One account on the users page.
pub struct UserRow {
    pub email: String,
    pub role: &'static str,
    pub totp: &'static str,
    pub state: &'static str,
    pub active: bool,
    pub me: bool,
}

/// The users page.
#[derive(Template)]
#[template(path = "staff/users.html")]
pub struct Users {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    pub csrf: String,
    pub users: Vec<UserRow>,
    pub error: Option<String>,
    pub done: Option<String>,
}

/// One option of a select or checkbox list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The policy page.
#[derive(Template)]
#[template(path = "staff/policy.html")]
pub struct PolicyPage {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    pub csrf: String,
    pub actions: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub min_confidence: String,
    pub threshold: usize,
    pub tags: String,
    /// One per line.
    pub internal_domains: String,
    /// One per line.
    pub partner_domains: String,
    pub provenance: String,
    pub error: Option<String>,
    pub done: Option<String>,
}

/// The compose form's fields as typed.
#[derive(Default)]
pub struct ComposeForm {
    pub to: String,
    pub cc: String,
    pub subject: String,
    pub text: String,
    /// `default`, `sms` or `code`.
    pub factor: String,
    pub phone: String,
    pub expiry_days: u32,
}

/// The assessment as the compose page shows it.
pub struct ComposeAssessment {
    /// `secure`, `normal` (or `unknown` when the form is not complete).
    pub verdict: &'static str,
    pub summary: String,
    pub reasons: Vec<String>,
    pub warnings: Vec<String>,
    pub warnings_title: &'static str,
}

/// The compose page.
#[derive(Template)]
#[template(path = "staff/compose.html")]
pub struct ComposePage {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    pub csrf: String,
    pub form: ComposeForm,
    pub expiry_choices: Vec<u32>,
    pub assessment: Option<ComposeAssessment>,
    pub error: Option<String>,
    pub files_again: bool,
}

/// One audit event as listed.
pub struct AuditRow {
    pub at: String,
    pub event: String,
    pub subject: String,
    pub detail: String,
    pub message: String,
}

/// The audit trail page.
#[derive(Template)]
#[template(path = "staff/audit.html")]
pub struct AuditPage {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    pub chain_ok: bool,
    pub events: Vec<String>,
    pub event: String,
    pub text: String,
    pub from: String,
    pub until: String,
    /// The search as a query string, for the export links.
    pub export: String,
    pub count: usize,
    pub rows: Vec<AuditRow>,
}

/// One week in the figures table.
pub struct WeekRow {
    pub label: String,
    pub assessed: usize,
    pub secure: usize,
    pub opened: usize,
    pub revoked: usize,
}

/// One kind of data in the figures table.
pub struct KindRow {
    pub label: String,
    pub count: usize,
}

/// The figures page.
#[derive(Template)]
#[template(path = "staff/figures.html")]
pub struct FiguresPage {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    pub totals: [(&'static str, usize); 4],
    /// SVG drawn by `stats.rs` (labels escaped there).
    pub per_week_chart: String,
    /// SVG drawn by `stats.rs` (labels escaped there).
    pub by_kind_chart: String,
    pub weeks: Vec<WeekRow>,
    pub kinds: Vec<KindRow>,
}

/// The contacts page.
#[derive(Template)]
#[template(path = "staff/contacts.html")]
pub struct ContactsPage {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    pub csrf: String,
    /// (address, number).
    pub rows: Vec<(String, String)>,
    pub error: Option<String>,
    pub done: Option<String>,
}

/// One check of the domain report, in the page's language.
pub struct DomainCheckRow {
    pub title: String,
    pub subject: String,
    pub status: String,
    /// `good`, `sufficient`, `warning`, `bad` or `error`.
    pub status_class: &'static str,
    pub summary: String,
    pub facts: Vec<String>,
    pub advice: String,
}

/// The domain report as shown.
pub struct DomainReport {
    pub score: u32,
    pub passed: usize,
    pub required: usize,
    pub checks: Vec<DomainCheckRow>,
    pub not_checked: Vec<String>,
}

/// The domain check page.
#[derive(Template)]
#[template(path = "staff/domain.html")]
pub struct DomainPage {
    pub f: Frame,
    pub s: &'static StaffTexts,
    pub nav: Option<Nav>,
    pub domain: String,
    pub report: Option<DomainReport>,
    pub error: Option<String>,
}
