//! The page templates (askama, compiled and checked at build time; every
//! value is HTML-escaped unless a template says `|safe`, which only the
//! sanitised message body does).

use crate::texts::Texts;
use askama::Template;
use axum::response::Html;

/// What every page shows around its content.
pub struct Frame {
    /// `nl` or `en`.
    pub lang: &'static str,
    /// The other language's code.
    pub other_lang: &'static str,
    /// The texts.
    pub t: &'static Texts,
    /// The page title.
    pub title: String,
    /// The organisation's name.
    pub org: String,
    /// The link that switches language.
    pub switch_href: String,
}

/// Renders a page; a template error (which compile-time checks make very
/// unlikely) becomes a plain message rather than a panic.
pub fn html<T: Template>(page: &T) -> Html<String> {
    Html(page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template failed");
        "<!doctype html><title>Error</title><p>Error / Fout</p>".to_string()
    }))
}

/// A page that only says something.
#[derive(Template)]
#[template(path = "notice.html")]
pub struct Notice {
    pub f: Frame,
    pub text: String,
    pub link: Option<(String, String)>,
}

/// The first page of a secure message: ask for the mail code.
#[derive(Template)]
#[template(path = "start.html")]
pub struct Start {
    pub f: Frame,
    pub sender: String,
    pub masked_address: String,
    pub action: String,
    pub csrf: String,
    pub error: Option<String>,
}

/// A page that asks for a code.
#[derive(Template)]
#[template(path = "code.html")]
pub struct Code {
    pub f: Frame,
    pub intro: String,
    pub label: &'static str,
    pub numeric: bool,
    pub action: String,
    pub resend_action: Option<String>,
    pub csrf: String,
    pub error: Option<String>,
}

/// One attachment in the list.
pub struct AttachmentLink {
    pub name: String,
    pub href: String,
    pub size: String,
}

/// The message itself.
#[derive(Template)]
#[template(path = "read.html")]
pub struct Read {
    pub f: Frame,
    pub subject: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub date: String,
    pub expires: String,
    pub body_html: Option<String>,
    pub body_text: String,
    pub blocked_images: usize,
    pub show_images_href: String,
    pub attachments: Vec<AttachmentLink>,
    pub reply_action: String,
    pub logout_action: String,
    pub csrf: String,
}

/// One recipient's line on the status page.
pub struct StatusRow {
    pub id: zegel_store::PackageId,
    pub recipient: String,
    pub state: &'static str,
    pub open: bool,
    pub locked: bool,
    pub opened: String,
    pub expires: String,
    pub expires_date: String,
}

/// One line of the timeline.
pub struct TimelineRow {
    pub at: String,
    pub event: String,
    pub subject: String,
}

/// The sender's status page.
#[derive(Template)]
#[template(path = "status.html")]
pub struct Status {
    pub f: Frame,
    pub rows: Vec<StatusRow>,
    pub any_open: bool,
    pub events: Vec<TimelineRow>,
    pub base: String,
    pub csrf: String,
    pub tomorrow: String,
    pub in_a_year: String,
    pub error: Option<String>,
}

/// The public page: give your address.
#[derive(Template)]
#[template(path = "contact_start.html")]
pub struct ContactStart {
    pub f: Frame,
    pub csrf: String,
    pub error: Option<String>,
}

/// The public page: write the message.
#[derive(Template)]
#[template(path = "contact_write.html")]
pub struct ContactWrite {
    pub f: Frame,
    pub csrf: String,
    pub address: String,
    pub organization: String,
    pub error: Option<String>,
}
