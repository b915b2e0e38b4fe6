//! `cadence-coach history`: the recorded sessions as a table, CSV or JSON.

use std::fmt::Write as _;

use super::HistoryArgs;
use crate::cadence::session::{Ending, SessionRecord};
use crate::store::sessions::load_sessions;

pub(super) fn run(args: HistoryArgs, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let (sessions, damaged) = load_sessions(data_dir);
    for d in &damaged {
        eprintln!("cadence-coach: {d}");
    }
    let text = if args.json {
        serde_json::to_string_pretty(&sessions)? + "\n"
    } else if args.csv {
        csv(&sessions)
    } else {
        table(&sessions, data_dir)
    };
    print!("{text}");
    Ok(())
}

fn ending(e: Ending) -> &'static str {
    match e {
        Ending::InProgress => "interrupted",
        Ending::Finished => "finished",
        Ending::Stopped => "stopped",
    }
}

fn table(sessions: &[SessionRecord], data_dir: &std::path::Path) -> String {
    if sessions.is_empty() {
        return format!("No sessions yet in {}.\n", data_dir.display());
    }
    let mut out = format!(
        "{:<20}  {:<32}  {:>7}  {:>6}  {:>6}  {:>8}  {}\n",
        "started (UTC)", "workout", "minutes", "target", "steps", "avg spm", "ended"
    );
    for s in sessions {
        let _ = writeln!(
            out,
            "{:<20}  {:<32}  {:>7.1}  {:>6}  {:>6}  {:>8}  {}",
            s.started
                .chars()
                .take(19)
                .collect::<String>()
                .replace('T', " "),
            s.workout.chars().take(32).collect::<String>(),
            s.duration_secs / 60.0,
            s.target_spm,
            s.steps,
            s.average_spm().map_or("-".into(), |a| format!("{a:.1}")),
            ending(s.ending)
        );
    }
    out
}

/// RFC 4180 quoting: fields with commas, quotes or line breaks are quoted, quotes doubled.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(sessions: &[SessionRecord]) -> String {
    let mut out =
        String::from("id,started,workout,duration_secs,target_spm,steps,average_spm,ending\n");
    for s in sessions {
        let _ = writeln!(
            out,
            "{},{},{},{:.1},{},{},{},{}",
            field(&s.id),
            field(&s.started),
            field(&s.workout),
            s.duration_secs,
            s.target_spm,
            s.steps,
            s.average_spm().map_or(String::new(), |a| format!("{a:.1}")),
            ending(s.ending)
        );
    }
    out
}
