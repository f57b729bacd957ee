//! Loops the inputs of the `assess` benchmark a fixed number of times, for
//! instruction counts under `valgrind --tool=callgrind` (wall-clock figures on
//! a shared machine are noisy).
//!
//! Run: `cargo build --release -p zegel-assess --example profile`, then
//! `valgrind --tool=callgrind target/release/examples/profile detect 3` or
//! `... profile mail 200`.

use std::hint::black_box;
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

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "mail".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    match mode.as_str() {
        "detect" => {
            let detectors = all_detectors();
            let text = plain_text(1 << 20);
            let mut total = 0;
            for _ in 0..n {
                let t = Text::new(black_box(&text));
                for d in &detectors {
                    let mut out = Vec::new();
                    d.detect(&t, &mut out);
                    total += out.len();
                }
            }
            println!("{total} matches");
        }
        _ => {
            let assessor = Assessor::new(policy());
            let mail = plain_mail(4000);
            let mut ok = 0;
            for _ in 0..n {
                ok += usize::from(assessor.assess_bytes(black_box(&mail), None).is_ok());
            }
            println!("{ok} assessed");
        }
    }
}
