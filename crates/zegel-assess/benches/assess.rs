//! Criterion benchmarks of the whole assessment.
//!
//! - `detectors/plain_text`: every detector over ~1 MiB of ordinary Dutch
//!   and English mail text (throughput in bytes: target ≥ 100 MB/s).
//! - `detectors/dense_pii`: every detector over the PII-dense corpus of
//!   `../shared/bench/gen_dense_pii.py` (1,000 care texts, ~2.5 MB; target
//!   ≥ 50 MB/s per core).
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
use zegel_assess::Assessor;

mod inputs;

use inputs::{dense_pii_texts, plain_mail, plain_text, policy};

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

/// Every detector over the PII-dense corpus, one text at a time as mails
/// come (target ≥ 50 MB/s per core).
fn bench_dense(c: &mut Criterion) {
    let Some(texts) = dense_pii_texts(None) else {
        eprintln!("no dense PII corpus (../shared/bench/gen_dense_pii.py); skipped");
        return;
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    let detectors = all_detectors();
    let mut group = c.benchmark_group("detectors");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("dense_pii", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for text in &texts {
                let t = Text::new(black_box(text));
                for d in &detectors {
                    out.clear();
                    d.detect(&t, &mut out);
                    n += out.len();
                }
            }
            n
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
    bench_dense,
    bench_plain_mail,
    bench_attachments
);
criterion_main!(benches);
