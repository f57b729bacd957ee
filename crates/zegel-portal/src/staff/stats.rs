//! The figures page's numbers, from the audit trail (pure: entries in,
//! counts out), and its charts as SVG drawn here (no script, no outside
//! library; every label escaped).

use zegel_store::AuditEntry;
use zegel_store::Event;

const DAY: i64 = 86_400;

/// One week's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Week {
    /// Monday 00:00 UTC.
    pub start: i64,
    /// Messages assessed.
    pub assessed: usize,
    /// Of which secure.
    pub secure: usize,
    /// Secure messages first opened (per recipient).
    pub opened: usize,
    /// Secure messages withdrawn (per recipient).
    pub revoked: usize,
}

/// The figures of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// The weeks, oldest first.
    pub weeks: Vec<Week>,
    /// Secure messages per finding kind (snake_case name), most first.
    pub kinds: Vec<(String, usize)>,
}

/// Monday 00:00 UTC of the week of `at` (1970-01-01 was a Thursday).
pub fn week_start(at: i64) -> i64 {
    let days = at.div_euclid(DAY);
    (days - (days + 3).rem_euclid(7)) * DAY
}

/// The audit events [`figures`] counts (the others it skips).
pub const COUNTED_EVENTS: &[Event] = &[Event::Accepted, Event::Opened, Event::Revoked];

/// The last `n` weeks up to `now` from the audit trail: `accepted` events
/// (`verdict Secure, 2 recipient(s), kinds: bsn,health`), first `opened`
/// per message and recipient, and `revoked`.
pub fn figures(entries: &[AuditEntry], now: i64, n: usize) -> Figures {
    let last = week_start(now);
    let first = last - (n.saturating_sub(1) as i64) * 7 * DAY;
    let mut weeks: Vec<Week> = (0..n as i64)
        .map(|i| Week {
            start: first + i * 7 * DAY,
            ..Week::default()
        })
        .collect();
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    let mut opened = std::collections::HashSet::new();
    for e in entries {
        let start = week_start(e.at);
        if start < first || start > last {
            continue;
        }
        let week = &mut weeks[((start - first) / (7 * DAY)) as usize];
        match e.event.known() {
            Some(Event::Accepted) => {
                week.assessed += 1;
                if e.detail.starts_with("verdict Secure") {
                    week.secure += 1;
                    if let Some((_, list)) = e.detail.split_once("kinds: ") {
                        for kind in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                            *kinds.entry(kind.to_string()).or_default() += 1;
                        }
                    }
                }
            }
            Some(Event::Opened) if opened.insert((e.message_id.clone(), e.subject.clone())) => {
                week.opened += 1;
            }
            Some(Event::Revoked) => week.revoked += 1,
            _ => {}
        }
    }
    let mut kinds: Vec<(String, usize)> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Figures { weeks, kinds }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar chart of series per group (weeks), as SVG. `series` are
/// (name, CSS class, values per group).
pub fn grouped_bars(title: &str, groups: &[String], series: &[(&str, &str, Vec<usize>)]) -> String {
    let (width, height, left, bottom) = (640.0_f64, 240.0_f64, 36.0_f64, 40.0_f64);
    let max = series
        .iter()
        .flat_map(|s| s.2.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot_h = height - bottom - 10.0;
    let group_w = (width - left) / groups.len().max(1) as f64;
    let bar_w = (group_w * 0.8) / series.len().max(1) as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    svg.push_str(&format!(
        "<line class=\"axis\" x1=\"{left}\" y1=\"{0}\" x2=\"{width}\" y2=\"{0}\"/>",
        height - bottom
    ));
    svg.push_str(&format!(
        "<text class=\"tick\" x=\"{}\" y=\"16\" text-anchor=\"end\">{}</text>",
        left - 4.0,
        max as usize
    ));
    for (g, label) in groups.iter().enumerate() {
        let x0 = left + g as f64 * group_w + group_w * 0.1;
        for (i, (name, class, values)) in series.iter().enumerate() {
            let v = values.get(g).copied().unwrap_or(0);
            let h = plot_h * v as f64 / max;
            svg.push_str(&format!(
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}: {v}</title></rect>",
                escape(class),
                x0 + i as f64 * bar_w,
                height - bottom - h,
                bar_w.max(1.0) - 1.0,
                h,
                escape(&format!("{label} {name}"))
            ));
        }
        if g % 2 == 0 {
            svg.push_str(&format!(
                "<text class=\"tick\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x0 + group_w * 0.4,
                height - bottom + 16.0,
                escape(label.get(5..).unwrap_or(label))
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart of (label, value), as SVG.
pub fn bars(title: &str, rows: &[(String, usize)]) -> String {
    let row_h = 26.0_f64;
    let (width, left) = (640.0_f64, 200.0_f64);
    let height = row_h * rows.len().max(1) as f64 + 8.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = (width - left - 48.0) * *v as f64 / max;
        svg.push_str(&format!(
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar-secure\" x=\"{left}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\">{v}</text>",
            left - 6.0,
            y + row_h * 0.65,
            escape(label),
            row_h - 8.0,
            left + w + 4.0,
            y + row_h * 0.65,
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, event: &str, message: &str, subject: &str, detail: &str) -> AuditEntry {
        AuditEntry {
            seq: 0,
            at,
            event: zegel_store::RecordedEvent::from_name(event.into()),
            message_id: Some(message.into()),
            subject: subject.into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-23 is a Monday.
        let monday = 1_795_392_000;
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday + 6 * DAY + 86_399), monday);
        assert_eq!(week_start(monday - 1), monday - 7 * DAY);
    }

    #[test]
    fn counts_per_week_and_kind() {
        let now = 1_795_392_000 + 3600; // Monday 2026-11-23, 01:00
        let last_week = now - 7 * DAY;
        let entries = vec![
            entry(
                now,
                "accepted",
                "m1",
                "jan@zorg.nl",
                "verdict Secure, 2 recipient(s), kinds: bsn,health",
            ),
            entry(
                now,
                "accepted",
                "m2",
                "jan@zorg.nl",
                "verdict Normal, 1 recipient(s), kinds: ",
            ),
            entry(
                last_week,
                "accepted",
                "m3",
                "jan@zorg.nl",
                "verdict Secure, 1 recipient(s), kinds: bsn",
            ),
            entry(now, "opened", "m1", "a@ext.nl", "first"),
            entry(now, "opened", "m1", "a@ext.nl", "again"),
            entry(now, "opened", "m1", "b@ext.nl", "first"),
            entry(now, "revoked", "m3", "c@ext.nl", "by jan"),
            // Too old for twelve weeks.
            entry(
                now - 100 * DAY,
                "accepted",
                "m0",
                "jan@zorg.nl",
                "verdict Secure, 1 recipient(s), kinds: iban",
            ),
        ];
        let f = figures(&entries, now, 12);
        assert_eq!(f.weeks.len(), 12);
        let this = f.weeks.last().unwrap();
        assert_eq!(
            (this.assessed, this.secure, this.opened, this.revoked),
            (2, 1, 2, 1)
        );
        let before = &f.weeks[10];
        assert_eq!((before.assessed, before.secure), (1, 1));
        assert_eq!(
            f.kinds,
            vec![("bsn".to_string(), 2), ("health".to_string(), 1)]
        );
    }

    #[test]
    fn charts_escape_their_labels_and_scale() {
        let svg = bars("t<", &[("<b>".into(), 3), ("x".into(), 1)]);
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let svg = grouped_bars("w", &["2026-11-16".into()], &[("a", "bar-all", vec![0])]);
        assert!(
            svg.contains("height=\"0.0\""),
            "an empty week has no bar: {svg}"
        );
    }
}
