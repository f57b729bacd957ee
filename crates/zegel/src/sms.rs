//! The SMS provider for the portal: `[sms]` through
//! `zegel_outbound::sms_sender`, behind the portal's (interim) trait until
//! the portal takes `zegel_outbound::SmsSender` itself.
use std::sync::Arc;
use zegel_outbound::{PhoneNumber, SmsConfig, SmsSender};

struct Provider(Arc<dyn SmsSender>);

impl zegel_portal::SmsSender for Provider {
    fn send<'a>(
        &'a self,
        to: &'a str,
        text: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let to = PhoneNumber::parse(to).map_err(|e| e.to_string())?;
            self.0.send(&to, text).await.map_err(|e| e.to_string())
        })
    }
}

/// The provider `[sms]` configures.
pub fn provider(config: &SmsConfig) -> Result<Arc<dyn zegel_portal::SmsSender>, String> {
    let sender = zegel_outbound::sms_sender(config).map_err(|e| e.to_string())?;
    Ok(Arc::new(Provider(sender)))
}
