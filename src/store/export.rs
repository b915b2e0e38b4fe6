//! CSV export of the session history: one row per session with the review, RFC 4180 quoting,
//! written atomically (the window) or printed (`history --csv`).

use std::fmt::Write as _;
use std::path::Path;

use super::atomic::save_file;
use super::error::StoreError;
use crate::cadence::session::{Ending, SessionRecord};

/// The columns, in order.
pub const CSV_HEADER: &str = "id,started,workout,duration_secs,target_spm,steps,average_click_spm,\
measured_spm,rpe,discomfort,discomfort_where,surface,shoes,distance_km,speed_kmh,cues_held,notes,\
imported_from,ending,coach,measured_s,in_band_s,clicks_heard,clicks_silent,nudges,probed_s,\
probed_in_band_s";

/// How a session ended, in a word.
pub fn ending_word(e: Ending) -> &'static str {
    match e {
        Ending::InProgress => "interrupted",
        Ending::Finished => "finished",
        Ending::Stopped => "stopped",
    }
}

/// RFC 4180 quoting: fields with commas, quotes or line breaks are quoted, quotes doubled.
/// A field that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
/// apostrophe, so an exported note cannot become a command in someone's spreadsheet.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v}"))
}

/// The history as CSV text, header first.
pub fn sessions_csv(sessions: &[SessionRecord]) -> String {
    let mut out = String::with_capacity(120 * (sessions.len() + 1));
    out.push_str(CSV_HEADER);
    out.push('\n');
    for s in sessions {
        let r = s.review.clone().unwrap_or_default();
        // The closed loop's columns, empty for a session the ear did not hear.
        let c = s.closed_loop;
        let probes = c.and_then(|c| c.retention);
        let secs = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.1}"));
        let fields = [
            csv_field(&s.id),
            csv_field(&s.started.to_string()),
            csv_field(&s.workout),
            format!("{:.1}", s.duration_secs),
            num(s.target()),
            s.steps.to_string(),
            s.average_spm().map_or(String::new(), |a| format!("{a:.1}")),
            s.measured_spm()
                .map_or(String::new(), |m| format!("{m:.1}")),
            num(r.rpe.map(f64::from)),
            num(r.discomfort.map(f64::from)),
            csv_field(&r.discomfort_where),
            r.surface.map_or("", |x| x.name()).to_string(),
            csv_field(&r.shoes),
            num(r.distance_km),
            num(r.speed_kmh),
            csv_field(&r.cues_held.join("; ")),
            csv_field(&r.notes),
            csv_field(s.imported.as_ref().map_or("", |i| i.source.as_str())),
            ending_word(s.ending).to_string(),
            c.map_or("", |c| c.mode.name()).to_string(),
            secs(c.map(|c| c.measured_s)),
            secs(c.map(|c| c.in_band_s)),
            c.map_or(String::new(), |c| c.clicks_heard.to_string()),
            c.map_or(String::new(), |c| c.clicks_silent.to_string()),
            c.map_or(String::new(), |c| c.nudges.to_string()),
            secs(probes.map(|p| p.silent_s)),
            secs(probes.map(|p| p.in_band_s)),
        ];
        let _ = writeln!(out, "{}", fields.join(","));
    }
    out
}

/// Writes the history to `path` as CSV (whole file, atomically, creating the folder).
pub fn export_csv(path: &Path, sessions: &[SessionRecord]) -> Result<(), StoreError> {
    save_file(path, sessions_csv(sessions).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::session::{Review, Surface};

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-2"), "'-2");
    }

    #[test]
    fn a_row_holds_the_review() {
        let mut s = SessionRecord::new(
            "id1",
            "2026-11-21T07:00:00Z".parse().unwrap(),
            "Steady",
            170.0,
        );
        s.duration_secs = 600.0;
        s.steps = 1701;
        s.review = Some(Review {
            measured_spm: Some(168.5),
            rpe: Some(6),
            discomfort: Some(2),
            discomfort_where: "left knee".into(),
            surface: Some(Surface::Treadmill),
            shoes: "Ghost, blue".into(),
            distance_km: Some(1.8),
            speed_kmh: Some(10.8),
            cues_held: vec!["Shorter, quicker steps".into(), "Run tall".into()],
            notes: "line one\nline two".into(),
        });
        let text = sessions_csv(&[s]);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER));
        assert_eq!(
            lines.next(),
            Some(
                "id1,2026-11-21T07:00:00Z,Steady,600.0,170,1701,170.0,168.5,6,2,left knee,\
                 treadmill,\"Ghost, blue\",1.8,10.8,\"Shorter, quicker steps; Run tall\",\"line one"
            )
        );
        assert_eq!(lines.next(), Some("line two\",,interrupted,,,,,,,,"));
    }

    #[test]
    fn a_row_holds_what_the_closed_loop_did() {
        use crate::cadence::closed_loop::{ClosedLoopSummary, CoachMode, Retention};
        let mut s = SessionRecord::new(
            "id2",
            "2026-11-21T07:00:00Z".parse().unwrap(),
            "Steady",
            170.0,
        );
        s.closed_loop = Some(ClosedLoopSummary {
            mode: CoachMode::WhenOff,
            measured_s: 590.25,
            in_band_s: 512.0,
            clicks_heard: 400,
            clicks_silent: 1300,
            nudges: 0,
            retention: Some(Retention {
                silent_s: 120.0,
                measured_s: 118.0,
                in_band_s: 101.5,
            }),
        });
        let text = sessions_csv(&[s]);
        let row = text.lines().nth(1).unwrap();
        assert!(
            row.ends_with(",interrupted,click when off,590.2,512.0,400,1300,0,120.0,101.5"),
            "{row}"
        );
    }
}
