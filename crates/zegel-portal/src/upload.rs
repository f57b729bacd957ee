//! Multipart forms with files, shared by the recipient's reply, the public
//! contact page and the staff web's compose and contacts pages: read whole
//! within the body limit, checked against the upload limits.

use crate::recipient::bad_form;
use crate::texts::Lang;
use crate::web;
use crate::Portal;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use std::net::IpAddr;
use zegel_outbound::header as mail_header;

/// A form with files, read whole within the body limit.
pub(crate) struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Reads a multipart form whole: text fields, and files (name, type,
/// bytes); empty file inputs are skipped. A broken or too large form is an
/// error (its HTTP status), never a partial upload.
pub(crate) async fn read_upload(mut multipart: Multipart) -> Result<Upload, StatusCode> {
    let mut upload = Upload {
        fields: Default::default(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| e.status())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = field.bytes().await.map_err(|e| e.status())?;
        match file_name {
            Some(f) if !f.is_empty() || !bytes.is_empty() => {
                let f: String = f
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                upload.files.push((f, content_type, bytes.to_vec()));
            }
            Some(_) => {}
            None => {
                upload
                    .fields
                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Ok(upload)
}

/// The answer to an upload that could not be read: too large (413, with
/// what to do), or a broken form.
pub(crate) async fn upload_refused(
    portal: &Portal,
    status: StatusCode,
    ip: IpAddr,
    lang: Lang,
) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        web::notice(portal, lang, status, |t| (t.too_large_title, t.too_large))
    } else {
        bad_form(portal, ip, lang).await
    }
}

/// The uploaded `files` as the mail's attachments (types and names checked
/// by `zegel_outbound::header`), and the message's bytes with `subject`
/// written first as one checked header line: the ending of every mail a
/// form builds (the secure reply, the contact page, staff compose).
pub(crate) fn finish_mail<'x>(
    mut mail: mail_builder::MessageBuilder<'x>,
    subject: &str,
    files: &'x [(String, String, Vec<u8>)],
) -> Vec<u8> {
    for (name, content_type, bytes) in files {
        mail = mail.attachment(
            mail_header::media_type(content_type),
            mail_header::file_name(name, "bijlage"),
            bytes.as_slice(),
        );
    }
    let mut raw = mail_header::text_line("Subject", subject).into_bytes();
    // Writing into a Vec cannot fail.
    raw.extend(mail.write_to_vec().unwrap_or_default());
    raw
}
