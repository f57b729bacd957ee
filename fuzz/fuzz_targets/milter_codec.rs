//! The milter codec: arbitrary bytes as a packet must decode or give an
//! error, never panic; a decoded command's data is bounded by the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let _ = zegel_smtp::milter::decode(input);
});
