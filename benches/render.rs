//! Render throughput: one hour of click track at 48 kHz, in memory and to a WAV file.
//!
//! `cargo bench --bench render`. For the side-by-side figure against klick, see
//! `scripts/measure-render.sh`, which times both programs in one run.

use std::sync::Arc;

use cadence_coach::audio::{ClickTrack, Program, SoundBank, render_wav};
use cadence_coach::cadence::{ClickSettings, Spm};

fn main() {
    divan::main();
}

fn one_hour() -> Program {
    Program::Open {
        spm: Spm::new(180.0).unwrap(),
        duration_ms: Some(3_600_000),
    }
}

/// The generator alone: every sample of an hour of stereo, nothing written.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn one_hour_stereo_in_memory(bencher: divan::Bencher) {
    let bank = Arc::new(SoundBank::new(48_000));
    bencher
        .with_inputs(|| ClickTrack::new(one_hour(), ClickSettings::default(), bank.clone()))
        .bench_local_values(|(mut track, _handle)| {
            let mut block = vec![0.0f32; 16_384];
            let mut samples = 0usize;
            loop {
                let n = track.render(&mut block);
                if n == 0 {
                    break;
                }
                samples += n;
            }
            assert_eq!(samples, 3_600 * 48_000 * 2);
            samples
        });
}

/// The whole `render` path: an hour to a 16-bit WAV, synced to disk.
#[divan::bench(args = [1, 2], sample_count = 3, sample_size = 1)]
fn one_hour_to_wav(bencher: divan::Bencher, channels: u16) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hour.wav");
    bencher.bench_local(|| {
        render_wav(
            one_hour(),
            ClickSettings::default(),
            48_000,
            channels,
            &path,
        )
        .unwrap()
    });
}
