//! `cadence-coach import FILE`: a watch file's cadence onto the session it overlaps in time, or
//! into a new session.

use super::ImportArgs;
use crate::store::attach::attach_track;
use crate::store::import::read_track;
use crate::store::sessions::load_sessions;

pub(super) fn run(args: ImportArgs, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let track = read_track(&args.file)
        .map_err(|e| anyhow::anyhow!("{} could not be imported: {e}", args.file.display()))?;
    let (sessions, damaged) = load_sessions(data_dir);
    for d in &damaged {
        eprintln!("cadence-coach: {d}");
    }
    let source = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let attached =
        attach_track(data_dir, &sessions, &track, &source).map_err(anyhow::Error::msg)?;
    println!("{}", attached.summary(&track, &attached.record.started));
    Ok(())
}
