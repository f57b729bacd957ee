//! The inbound header rewrite and the impersonation check over arbitrary
//! bytes: no panic (the body-is-kept property is a proptest in
//! crates/zegel-inbound/src/headers.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &[u8]| {
    let add = [("Authentication-Results".to_string(), "z; none".to_string())];
    let _ = zegel_inbound::rewrite_headers(raw, "z", &add, Some("[EXTERN]"));
    let domains = zegel_assess::Domains::new(&["zorg.nl".to_string()], &[]);
    let colleagues = zegel_inbound::Colleagues::parse("Anna de Vries,a@zorg.nl").unwrap();
    let _ = zegel_inbound::impersonation(raw, &domains, &colleagues, false);
    let _ = zegel_inbound::Colleagues::parse(&String::from_utf8_lossy(raw));
});
