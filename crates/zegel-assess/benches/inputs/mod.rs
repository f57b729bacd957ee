//! Inputs shared by the `assess` benchmark and the `profile` example, so
//! instruction counts and criterion figures measure the same work.

use zegel_assess::{Domains, Policy};

/// Ordinary correspondence: meetings, planning, a few numbers and names,
/// nothing that must be protected in most lines.
pub const PARAGRAPHS: &[&str] = &[
    "Beste collega's,\n\nVolgende week dinsdag om 14:00 uur hebben we het teamoverleg in zaal 3.12. Wil je de agenda vooraf doorlezen en je punten voor vrijdag aanleveren?\n",
    "De nieuwe roosters voor het vierde kwartaal staan op intranet. Heb je vragen over je diensten, neem dan contact op met de planning via toestel 4411.\n",
    "Thanks for sending the quarterly figures. We reviewed the budget for the new training programme and would like to discuss the schedule for March and April.\n",
    "In de bijlage vind je de notulen van het overleg van 12 oktober. Actiepunt 4 (nieuwe printers op de tweede verdieping) is inmiddels afgerond; bestelnummer 2024-00317.\n",
    "Het project loopt volgens planning. Versie 2.3 van de handleiding is gepubliceerd en de werkgroep komt op 5 november weer bij elkaar in het hoofdkantoor.\n",
    "Please find attached the agenda for the steering committee. Items 1 to 6 are for decision, the remaining items are for information only. Lunch will be provided.\n",
    "We hebben de offerte van de leverancier ontvangen. Het bedrag van EUR 12.450,00 valt binnen het budget; factuurnummer 88231 volgt na levering.\n",
    "Mevrouw de Groot heeft gevraagd of de cursus volgende maand nog doorgaat. Ik heb gezegd dat we dat in het overleg van donderdag bespreken.\n",
];

pub fn plain_text(size: usize) -> String {
    let mut s = String::with_capacity(size + 512);
    let mut i = 0;
    while s.len() < size {
        s.push_str(PARAGRAPHS[i % PARAGRAPHS.len()]);
        s.push('\n');
        i += 1;
    }
    s
}

pub fn plain_mail(body_size: usize) -> Vec<u8> {
    let mut mail = String::from(
        "From: Piet de Vries <p.devries@zorggroephorizon.nl>\r\nTo: Jan Jansen <j.jansen@example.nl>\r\nCc: team@zorggroephorizon.nl\r\nSubject: Overleg en planning\r\nDate: Mon, 4 Nov 2024 10:00:00 +0100\r\nMessage-ID: <bench@zorggroephorizon.nl>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
    );
    mail.push_str(&plain_text(body_size).replace('\n', "\r\n"));
    mail.push_str(
        "\r\nMet vriendelijke groet,\r\n\r\nPiet de Vries\r\nTeamleider\r\nT 030-1234567\r\n",
    );
    mail.into_bytes()
}

pub fn policy() -> Policy {
    Policy {
        domains: Domains::new(
            &["zorggroephorizon.nl".into()],
            &["gemeente-rivierstad.nl".into()],
        ),
        ..Policy::default()
    }
}

/// The texts of the PII-dense corpus of `../shared/bench/gen_dense_pii.py`
/// (1,000 care texts, seed 7516, one JSON object per line): the file at
/// `path`, else the one named by `ZEGEL_DENSE_PII`, else
/// `target/dense.jsonl`, generated there when missing. `None` when neither
/// the file nor the generator is at hand.
pub fn dense_pii_texts(path: Option<std::path::PathBuf>) -> Option<Vec<String>> {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = path
        .or_else(|| std::env::var_os("ZEGEL_DENSE_PII").map(Into::into))
        .unwrap_or_else(|| root.join("target/dense.jsonl"));
    if !path.exists() {
        let generator = root.join("../shared/bench/gen_dense_pii.py");
        let status = std::process::Command::new("python3")
            .arg(&generator)
            .args(["--n", "1000", "--seed", "7516", "--out"])
            .arg(&path)
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    let lines = std::fs::read_to_string(&path).ok()?;
    Some(
        lines
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text")?.as_str().map(str::to_string))
            .collect(),
    )
}
