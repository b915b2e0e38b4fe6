//! The music's cost, single-threaded so each figure is per core:
//! - analysis: a four-minute track at 44.1 kHz (a drum loop at 126 BPM under a sustained chord
//!   and noise) analysed from samples in memory, and from a WAV file as the library does it
//!   (decoded a block at a time into the analysis); the aim is under 2 s;
//! - playback: a minute of music time-stretched onto a 170-spm grid (a 166-BPM track at
//!   44.1 kHz into 48 kHz, the way the player renders it, in 1024-frame chunks) against the
//!   minute it lasts; the aim is under 10 % of a core.
//!
//! `cargo bench --bench music`: prints the seconds taken and the share of a core.

use std::f32::consts::TAU;
use std::time::Instant;

use cadence_coach::cadence::{BeatCursor, Spm};
use cadence_coach::music::analysis::analyse;
use cadence_coach::music::deck::MemorySource;
use cadence_coach::music::grid::CursorGrid;
use cadence_coach::music::library::{Outcome, analyse_file};
use cadence_coach::music::stream::{MusicStream, Opened, TrackSource};

const RATE: u32 = 44_100;
const SECS: f32 = 240.0;
const BPM: f32 = 126.0;

fn main() {
    let four_minutes = track(SECS, BPM);
    let best = best_of(3, || {
        let found = analyse(&four_minutes, RATE).expect("a beat");
        assert!((found.bpm - f64::from(BPM)).abs() < 0.5, "{}", found.bpm);
    });
    println!(
        "music analysis: {SECS:.0} s of 44.1 kHz in {best:.3} s on one core ({:.0}x real time; aim under 2 s)",
        f64::from(SECS) / best
    );

    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("four-minutes.wav");
    write_wav(&path, &four_minutes);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let best = best_of(3, || {
        let entry = analyse_file(&path, size, 0);
        assert!(matches!(entry.outcome, Outcome::Steady { .. }), "{entry:?}");
    });
    println!(
        "music analysis from a file: {SECS:.0} s of 16-bit stereo WAV decoded and analysed in {best:.3} s on one core (aim under 2 s)"
    );

    let minute = 60.0;
    let song = track(120.0, 166.0);
    let found = analyse(&song, RATE).expect("a beat");
    let best = best_of(3, || {
        let mut stream = MusicStream::new(
            Box::new(Loop {
                stereo: song.iter().flat_map(|&s| [s, s]).collect(),
                bpm: found.bpm,
                beats_s: found.beats_s.iter().map(|&b| b as f32).collect(),
            }),
            48_000,
            0.06,
        );
        let mut grid = CursorGrid::new(BeatCursor::open(
            Spm::new(170.0).expect("a cadence"),
            None,
            48_000,
        ));
        let mut chunk = vec![0.0f32; 2048];
        for _ in 0..(minute * 48_000.0 / 1024.0) as usize {
            stream.render(&mut grid, &mut chunk);
        }
        assert!(stream.now().is_some());
    });
    println!(
        "music playback: {minute:.0} s stretched onto the steps in {best:.3} s, {:.1} % of a core (aim under 10 %)",
        best / minute * 100.0
    );
}

/// The fastest of `runs` runs of `f`, in seconds.
fn best_of(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

/// One track (analysed beforehand, as the library does once per file), handed out again and
/// again.
struct Loop {
    stereo: Vec<f32>,
    bpm: f64,
    beats_s: Vec<f32>,
}

impl TrackSource for Loop {
    fn next(&mut self, _spm: f64) -> Result<Option<Opened>, String> {
        Ok(Some(Opened {
            path: "loop.wav".into(),
            title: "loop".into(),
            bpm: self.bpm,
            beats_s: self.beats_s.clone(),
            factor: if self.bpm < 120.0 { 0.5 } else { 1.0 },
            source: Box::new(MemorySource {
                rate: RATE,
                samples: self.stereo.clone(),
                pos: 0,
            }),
        }))
    }
}

fn write_wav(path: &std::path::Path, mono: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("a WAV file");
    for &s in mono {
        let v = (s.clamp(-1.0, 1.0) * 32767.0) as i16;
        w.write_sample(v).expect("written");
        w.write_sample(v).expect("written");
    }
    w.finalize().expect("written");
}

fn track(secs: f32, bpm: f32) -> Vec<f32> {
    let n = (secs * RATE as f32) as usize;
    let mut out = vec![0.0f32; n];
    let mut seed = 0x1234_5678u32;
    let beat = 60.0 / bpm;
    for (i, s) in out.iter_mut().enumerate() {
        let t = i as f32 / RATE as f32;
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed as f32 / u32::MAX as f32) * 2.0 - 1.0;
        let chord =
            0.05 * ((TAU * 220.0 * t).sin() + (TAU * 277.2 * t).sin() + (TAU * 329.6 * t).sin());
        let since = t % beat;
        let kick = 0.8
            * (TAU * (50.0 + 60.0 * (-since / 0.03).exp()) * since).sin()
            * (-since / 0.12).exp();
        let half = (t + beat / 2.0) % beat;
        let hat = 0.1 * noise * (-half / 0.015).exp();
        *s = chord + kick + hat + 0.01 * noise;
    }
    out
}
