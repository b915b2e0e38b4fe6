//! `cadence-coach measure FILE.wav`: the cadence, steps and confidence the ear hears in a
//! recording (a run recorded on a phone, say).

use serde::Serialize;

use super::MeasureArgs;
use crate::audio::read_mono_wav;
use crate::hearing::{Hearing, hear_recording};

/// The one JSON object `--json` prints; field names are shared with `listen` and `play`.
#[derive(Debug, Serialize)]
struct Measured {
    file: String,
    duration_s: f64,
    /// `null` when no runner was heard.
    cadence_spm: Option<f64>,
    confidence: f64,
    /// Step times in seconds.
    steps: Vec<f64>,
    /// Each step against the click, when one was playing (never, for a recording).
    offsets_ms: Vec<f64>,
}

pub(super) fn run(args: MeasureArgs) -> anyhow::Result<()> {
    let recording = read_mono_wav(&args.file)?;
    let file = args.file.display().to_string();
    let hearing = hear_recording(&recording.samples, recording.rate, &[], 0, None)
        .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let duration_s = recording.duration_s();
    if args.json {
        let round = rounded;
        let measured = Measured {
            file,
            duration_s: round(duration_s, 3),
            cadence_spm: hearing.as_ref().map(|h| round(h.cadence_spm, 2)),
            confidence: hearing.as_ref().map_or(0.0, |h| round(h.confidence, 3)),
            steps: hearing.as_ref().map_or_else(Vec::new, |h| {
                h.step_times_s().into_iter().map(|t| round(t, 3)).collect()
            }),
            offsets_ms: hearing.as_ref().map_or_else(Vec::new, |h| {
                h.offsets_ms().into_iter().map(|o| round(o, 1)).collect()
            }),
        };
        println!("{}", serde_json::to_string(&measured)?);
        return Ok(());
    }
    match hearing {
        Some(h) => print_hearing(&file, duration_s, &h),
        None => {
            println!("{file}: no runner heard in {duration_s:.1} s (no steady train of steps).")
        }
    }
    Ok(())
}

fn print_hearing(file: &str, duration_s: f64, h: &Hearing) {
    let times = h.step_times_s();
    println!(
        "{file}: {:.1} spm, {} steps from {:.2} s to {:.2} s of {duration_s:.1} s (confidence {:.2})",
        h.cadence_spm,
        times.len(),
        times.first().copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(0.0),
        h.confidence,
    );
    let list: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
    println!("steps (s): {}", list.join(" "));
}

/// `x` to `places` decimals, for the JSON that `measure`, `listen` and `play` print.
pub(super) fn rounded(x: f64, places: i32) -> f64 {
    let p = 10f64.powi(places);
    (x * p).round() / p
}
