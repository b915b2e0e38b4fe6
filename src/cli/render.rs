//! `cadence-coach render`: the click track to a WAV file.

use super::RenderArgs;
use crate::audio::render_wav;

pub(super) fn run(args: RenderArgs) -> anyhow::Result<()> {
    let program = args.program.program(args.duration_ms)?;
    let settings = args.sound.settings();
    let summary = render_wav(program, settings, args.rate, args.channels, &args.output)?;
    let secs = summary.frames / u64::from(summary.rate);
    println!(
        "Wrote {}: {}:{:02} of click track, {} clicks, {} Hz 16-bit {}.",
        args.output.display(),
        secs / 60,
        secs % 60,
        summary.clicks,
        summary.rate,
        if summary.channels == 1 {
            "mono"
        } else {
            "stereo"
        }
    );
    Ok(())
}
