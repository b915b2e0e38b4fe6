//! `cadence-coach history`: the recorded sessions as a table, CSV or JSON.

use std::fmt::Write as _;

use super::HistoryArgs;
use crate::cadence::session::SessionRecord;
use crate::store::export::{ending_word, sessions_csv};
use crate::store::sessions::load_sessions;

pub(super) fn run(args: HistoryArgs, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let (sessions, damaged) = load_sessions(data_dir);
    for d in &damaged {
        eprintln!("cadence-coach: {d}");
    }
    let text = if args.json {
        serde_json::to_string_pretty(&sessions)? + "\n"
    } else if args.csv {
        sessions_csv(&sessions)
    } else {
        table(&sessions, data_dir)
    };
    print!("{text}");
    Ok(())
}

fn table(sessions: &[SessionRecord], data_dir: &std::path::Path) -> String {
    if sessions.is_empty() {
        return format!("No sessions yet in {}.\n", data_dir.display());
    }
    let mut out = format!(
        "{:<20}  {:<32}  {:>7}  {:>6}  {:>8}  {:>6}  {:<11}  {}\n",
        "started (UTC)", "workout", "minutes", "target", "measured", "steps", "ended", "review"
    );
    for s in sessions {
        let _ = writeln!(
            out,
            "{:<20}  {:<32}  {:>7.1}  {:>6}  {:>8}  {:>6}  {:<11}  {}",
            s.started.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            s.workout.chars().take(32).collect::<String>(),
            s.duration_secs / 60.0,
            s.target().map_or("-".into(), |t| t.to_string()),
            s.measured_spm().map_or("-".into(), |m| format!("{m:.1}")),
            s.steps,
            ending_word(s.ending),
            if s.review.is_some() {
                "done"
            } else {
                "not yet"
            }
        );
    }
    out
}
