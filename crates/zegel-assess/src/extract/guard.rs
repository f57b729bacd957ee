//! Isolation of third-party parsers that may panic on hostile input.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic into an error reason instead of unwinding into
/// the caller. The closure only reads borrowed input and builds fresh values,
/// so no shared state is left half-updated (hence `AssertUnwindSafe`).
/// Note: the process's panic hook still runs (and prints) before this
/// returns; a library should not replace the global hook.
pub(crate) fn isolate<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let mut reason = format!("{what} parser failed on malformed input");
        if !detail.is_empty() {
            let short: String = detail.chars().take(80).collect();
            reason.push_str(&format!(" ({short})"));
        }
        reason
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_reason() {
        assert_eq!(isolate("test", || 7), Ok(7));
        let err = isolate("test", || -> u8 { panic!("boom") }).unwrap_err();
        assert!(err.contains("boom"), "{err}");
    }
}
