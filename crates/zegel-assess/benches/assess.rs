//! Criterion benchmarks of the whole assessment.
//!
//! - `detectors/plain_text`: every detector over ~1 MiB of ordinary Dutch
//!   and English mail text (throughput in bytes: target ≥ 100 MB/s).
//! - `assess/plain_4k`: parse + extract + detect + decide for a ~4 KB
//!   plain-text mail (target ≥ 20,000 mails/s per core).
//! - `assess/attachments/*`: mails from the labelled corpus with DOCX, XLSX
//!   and PDF attachments.
//!
//! Run: `cargo bench -p zegel-assess --bench assess`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;
use zegel_assess::detect::{all_detectors, Text};
use zegel_assess::{Assessor, Domains, Policy};

/// Ordinary correspondence: meetings, planning, a few numbers and names,
/// nothing that must be protected in most lines.
const PARAGRAPHS: &[&str] = &[
    "Beste collega's,\n\nVolgende week dinsdag om 14:00 uur hebben we het teamoverleg in zaal 3.12. Wil je de agenda vooraf doorlezen en je punten voor vrijdag aanleveren?\n",
    "De nieuwe roosters voor het vierde kwartaal staan op intranet. Heb je vragen over je diensten, neem dan contact op met de planning via toestel 4411.\n",
    "Thanks for sending the quarterly figures. We reviewed the budget for the new training programme and would like to discuss the schedule for March and April.\n",
    "In de bijlage vind je de notulen van het overleg van 12 oktober. Actiepunt 4 (nieuwe printers op de tweede verdieping) is inmiddels afgerond; bestelnummer 2024-00317.\n",
    "Het project loopt volgens planning. Versie 2.3 van de handleiding is gepubliceerd en de werkgroep komt op 5 november weer bij elkaar in het hoofdkantoor.\n",
    "Please find attached the agenda for the steering committee. Items 1 to 6 are for decision, the remaining items are for information only. Lunch will be provided.\n",
    "We hebben de offerte van de leverancier ontvangen. Het bedrag van EUR 12.450,00 valt binnen het budget; factuurnummer 88231 volgt na levering.\n",
    "Mevrouw de Groot heeft gevraagd of de cursus volgende maand nog doorgaat. Ik heb gezegd dat we dat in het overleg van donderdag bespreken.\n",
];

fn plain_text(size: usize) -> String {
    let mut s = String::with_capacity(size + 512);
    let mut i = 0;
    while s.len() < size {
        s.push_str(PARAGRAPHS[i % PARAGRAPHS.len()]);
        s.push('\n');
        i += 1;
    }
    s
}

fn plain_mail(body_size: usize) -> Vec<u8> {
    let mut mail = String::from(
        "From: Piet de Vries <p.devries@zorggroephorizon.nl>\r\nTo: Jan Jansen <j.jansen@example.nl>\r\nCc: team@zorggroephorizon.nl\r\nSubject: Overleg en planning\r\nDate: Mon, 4 Nov 2024 10:00:00 +0100\r\nMessage-ID: <bench@zorggroephorizon.nl>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
    );
    mail.push_str(&plain_text(body_size).replace('\n', "\r\n"));
    mail.push_str(
        "\r\nMet vriendelijke groet,\r\n\r\nPiet de Vries\r\nTeamleider\r\nT 030-1234567\r\n",
    );
    mail.into_bytes()
}

fn policy() -> Policy {
    Policy {
        domains: Domains::new(
            &["zorggroephorizon.nl".into()],
            &["gemeente-rivierstad.nl".into()],
        ),
        ..Policy::default()
    }
}

fn bench_detectors(c: &mut Criterion) {
    let detectors = all_detectors();
    let text = plain_text(1 << 20);
    let mut group = c.benchmark_group("detectors");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("plain_text", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let t = Text::new(black_box(&text));
            for d in &detectors {
                out.clear();
                d.detect(&t, &mut out);
            }
            out.len()
        })
    });
    group.finish();
}

fn bench_plain_mail(c: &mut Criterion) {
    let assessor = Assessor::new(policy());
    let mail = plain_mail(4000);
    let mut group = c.benchmark_group("assess");
    group.throughput(Throughput::Elements(1));
    group.bench_function("plain_4k", |b| {
        b.iter(|| {
            assessor
                .assess_bytes(black_box(&mail), None)
                .map(|a| a.verdict)
        })
    });
    group.finish();
}

/// Corpus mails whose name says which attachment type they carry.
fn corpus_mails(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut mails: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "eml")
                        && p.file_name()
                            .is_some_and(|n| n.to_string_lossy().contains(kind))
                })
                .filter_map(|p| {
                    Some((
                        p.file_name()?.to_string_lossy().into_owned(),
                        std::fs::read(&p).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    mails
}

fn bench_attachments(c: &mut Criterion) {
    let assessor = Assessor::new(policy());
    let mut group = c.benchmark_group("assess/attachments");
    for kind in ["docx", "xlsx", "pdf"] {
        let mails = corpus_mails(kind);
        if mails.is_empty() {
            eprintln!("no corpus mails with '{kind}' in their name; skipped");
            continue;
        }
        let bytes: usize = mails.iter().map(|(_, m)| m.len()).sum();
        group.throughput(Throughput::Elements(mails.len() as u64));
        group.bench_with_input(
            BenchmarkId::new(kind, format!("{} mails, {} KB", mails.len(), bytes / 1024)),
            &mails,
            |b, mails| {
                b.iter(|| {
                    mails
                        .iter()
                        .filter(|(_, m)| assessor.assess_bytes(black_box(m), None).is_ok())
                        .count()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_detectors,
    bench_plain_mail,
    bench_attachments
);
criterion_main!(benches);
