//! One attachment's bytes straight into extraction, under every file name
//! the readers of issue 19 answer to (7z, gzip, bzip2, xz, tar, Word and
//! PowerPoint 97-2003, Outlook .msg, TNEF, RTF, pictures, uuencoded text),
//! so the fuzzer reaches each reader without building MIME around it. The
//! first byte picks the name. Any panic or hang is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zegel_assess::extract::{extract_file, Limits};

const NAMES: &[&str] = &[
    "a.7z", "a.gz", "a.tgz", "a.bz2", "a.xz", "a.tar", "a.doc", "a.ppt", "a.msg",
    "winmail.dat", "a.rtf", "a.txt", "a.png", "a.pdf", "a.eml", "a.zip", "a.xls",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[pick as usize % NAMES.len()];
    let limits = Limits {
        max_attachment_bytes: 4 << 20,
        max_expanded_bytes: 16 << 20,
        max_text_bytes: 1 << 20,
        ..Limits::default()
    };
    let _ = extract_file(name, None, bytes, &limits);
});
