//! `cadence-coach import FILE`: a watch file's cadence onto the session it overlaps in time, or
//! into a new session.

use super::ImportArgs;
use crate::store::attach::attach_track;
use crate::store::import::{ReadOptions, read_watch_file};
use crate::store::sessions::load_sessions;

pub(super) fn run(args: ImportArgs, data_dir: &std::path::Path) -> anyhow::Result<()> {
    // The file first: a file that does not import leaves the data folder as it was.
    let options = ReadOptions {
        sport: args.sport.map(|s| s.foot()),
    };
    let (track, source) = read_watch_file(&args.file, &options)?;
    let (sessions, damaged) = load_sessions(data_dir);
    for d in &damaged {
        eprintln!("cadence-coach: {d}");
    }
    let attached = attach_track(data_dir, &sessions, &track, &source)
        .map_err(|e| anyhow::anyhow!("{} could not be imported: {e}", args.file.display()))?;
    println!(
        "{}",
        attached.summary(&track, &attached.record.started.to_string())
    );
    Ok(())
}
