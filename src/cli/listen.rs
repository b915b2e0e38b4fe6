//! `cadence-coach listen`: the runner's cadence from the default input, once a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;

use super::ListenArgs;
use crate::audio::microphone::{MicStatus, Microphone};

/// One line of `--json`; field names are shared with `measure` and `play`.
#[derive(Debug, Serialize)]
struct Heard {
    /// Seconds since listening began.
    t_s: f64,
    /// `null` while no runner is heard.
    cadence_spm: Option<f64>,
    confidence: f64,
    /// Times of the steps of the last seconds, from the start of listening.
    steps: Vec<f64>,
    /// Nothing plays here, so no step has a click to be timed against.
    offsets_ms: Vec<f64>,
    /// Why nothing is heard, when the microphone is unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

pub(super) fn run(args: ListenArgs) -> anyhow::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let flag = stop.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .context("could not listen for Ctrl-C")?;
    }
    let mic = Microphone::start(None);
    let started = Instant::now();
    let until = args.seconds.map(|s| Duration::from_secs(u64::from(s)));
    let mut opened = false;
    let mut last_problem = None;
    let mut tick = 1u64;
    loop {
        let due = started + Duration::from_secs(tick);
        while Instant::now() < due && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let state = mic.state();
        let problem = match &state.status {
            MicStatus::Unavailable(why) => Some(why.clone()),
            MicStatus::Listening { device, rate } => {
                if !opened && !args.json {
                    println!("Listening to {device} at {rate} Hz (Ctrl-C stops).");
                }
                opened = true;
                None
            }
            MicStatus::Opening => None,
        };
        let t_s = tick as f64;
        if args.json {
            let round = super::measure::rounded;
            let line = Heard {
                t_s,
                cadence_spm: state.hearing.as_ref().map(|h| round(h.cadence_spm, 2)),
                confidence: state
                    .hearing
                    .as_ref()
                    .map_or(0.0, |h| round(h.confidence, 3)),
                steps: state.hearing.as_ref().map_or_else(Vec::new, |h| {
                    h.step_times_s().into_iter().map(|t| round(t, 3)).collect()
                }),
                offsets_ms: Vec::new(),
                problem: problem.clone(),
            };
            println!("{}", serde_json::to_string(&line)?);
        } else if let Some(why) = &problem {
            if last_problem.as_ref() != Some(why) {
                eprintln!("{why}; trying again every few seconds");
            }
        } else {
            let clock = crate::cadence::clock_text(tick);
            match &state.hearing {
                Some(h) => println!(
                    "{clock}  {:.1} spm  (confidence {:.2}, {} steps in the last {:.0} s)",
                    h.cadence_spm,
                    h.confidence,
                    h.steps.len(),
                    crate::hearing::REPORT_WINDOW_S
                ),
                None => println!("{clock}  no runner heard"),
            }
        }
        last_problem = problem;
        tick += 1;
        if until.is_some_and(|u| started.elapsed() >= u) {
            break;
        }
    }
    drop(mic);
    if !opened {
        anyhow::bail!(
            "nothing was heard: {}",
            last_problem.unwrap_or_else(|| "the microphone did not open".into())
        );
    }
    Ok(())
}
