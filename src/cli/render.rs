//! `cadence-coach render`: the click track to a WAV file, with the runner's music if asked.

use std::path::PathBuf;

use super::RenderArgs;
use super::music::{MusicSetup, describe_track};
use crate::audio::{MusicMix, render_wav_with};
use crate::music::stream::MusicStream;

pub(super) fn run(args: RenderArgs, data_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let program = args.program.program(args.duration_ms)?;
    let settings = args.sound.settings();
    let mut mix = match MusicSetup::scan(&args.music, data_dir) {
        Some(m) => match &m.why_none {
            None => Some(MusicMix {
                stream: MusicStream::new(m.source(), args.rate, m.limit),
                volume: m.volume,
                click: m.click,
            }),
            Some(why) if !m.click => {
                anyhow::bail!("{why}, and --click off leaves nothing to render")
            }
            Some(why) => {
                eprintln!("cadence-coach: {why}; rendering the click alone");
                None
            }
        },
        None => None,
    };
    let summary = render_wav_with(
        program,
        settings,
        args.rate,
        args.channels,
        &args.output,
        mix.as_mut(),
    )?;
    let secs = summary.frames / u64::from(summary.rate);
    let what = match &mix {
        Some(m) if !m.click => "music on the steps",
        Some(_) => "click track and music",
        None => "click track",
    };
    println!(
        "Wrote {}: {}:{:02} of {what}, {} clicks, {} Hz 16-bit {}.",
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
    if let Some(mix) = &mut mix {
        for note in mix.stream.take_notes() {
            eprintln!("cadence-coach: {note}");
        }
        for now in mix.stream.played() {
            let at = now.started / u64::from(summary.rate);
            println!("  {}:{:02} {}", at / 60, at % 60, describe_track(now));
        }
    }
    Ok(())
}
