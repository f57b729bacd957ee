//! INTERIM: the SMS provider for the portal until zegel_outbound::sms lands.
use std::sync::Arc;

struct Outbox(std::path::PathBuf);

impl zegel_portal::SmsSender for Outbox {
    fn send<'a>(
        &'a self,
        to: &'a str,
        text: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            std::fs::create_dir_all(&self.0).map_err(|e| e.to_string())?;
            let id = zegel_store::random_id();
            let body = serde_json::json!({"to": to, "text": text, "id": id}).to_string();
            std::fs::write(self.0.join(format!("{id}.json")), body).map_err(|e| e.to_string())
        })
    }
}

pub fn provider(data_dir: &std::path::Path) -> Result<Arc<dyn zegel_portal::SmsSender>, String> {
    Ok(Arc::new(Outbox(data_dir.join("sms-outbox"))))
}
