//! The ear on audio the tests make: runners at the cadences coached, over belt noise and motor
//! hum, with the app's own click leaking back through the room at several levels; and the
//! sounds that are not a runner and must give no cadence.

use super::synth::{belt, click_frames, hum, leak, mix, runner, silence, speech, white};
use super::*;
use crate::audio::SoundBank;
use crate::cadence::ClickSound;

const RATE: u32 = 48_000;
/// The true round trip of the leak, and what the round-trip check told the ear (0.3 ms off).
const LEAK_DELAY_S: f64 = 0.0423;
const TOLD_ROUND_TRIP_S: f64 = 0.042;

fn click_wave(sound: ClickSound) -> ClickWave {
    ClickWave::new(SoundBank::new(RATE).samples(sound, false))
}

/// Streams `audio` through an ear in 10 ms blocks, telling it each click 100 ms before it is
/// sent (as the click track knows its beats ahead), and returns its report at the end.
fn listen(audio: &[f32], clicks: &[u64], wave: &ClickWave, target: Option<f64>) -> Option<Hearing> {
    let mut ear = Ear::new(RATE).unwrap();
    ear.set_round_trip((TOLD_ROUND_TRIP_S * f64::from(RATE)).round() as u64);
    ear.set_target(target.map(|t| Spm::new(t).unwrap()));
    let block = (RATE / 100) as usize;
    let ahead = u64::from(RATE) / 10;
    let mut told = 0;
    for (i, chunk) in audio.chunks(block).enumerate() {
        let now = (i * block) as u64;
        while told < clicks.len() && clicks[told] <= now + ahead {
            ear.played_click(clicks[told], wave);
            told += 1;
        }
        ear.feed(chunk);
    }
    ear.report()
}

/// A runner at `spm` on a running treadmill (belt and hum), with the click at `click_spm`
/// leaking in at `click_level` (0 for headphones).
fn treadmill(
    spm: f64,
    click_spm: f64,
    click_level: f64,
    seed: u64,
) -> (Vec<f32>, Vec<f64>, Vec<u64>) {
    let secs = 10.0;
    let (mut audio, truth) = runner(RATE, secs, spm, 6.0, 0.3, seed);
    mix(&mut audio, &belt(RATE, secs, 0.02, seed + 1), 1.0);
    mix(&mut audio, &hum(RATE, secs, 0.02), 1.0);
    let clicks = click_frames(RATE, secs, click_spm);
    let wave = click_wave(ClickSound::Click);
    let leaked = leak(
        RATE,
        audio.len(),
        wave.samples(),
        &clicks,
        LEAK_DELAY_S,
        click_level,
    );
    mix(&mut audio, &leaked, 1.0);
    (audio, truth, clicks)
}

fn assert_steps_match(hearing: &Hearing, truth: &[f64]) {
    for step in &hearing.steps {
        let nearest = truth
            .iter()
            .map(|t| step.at_s - t)
            .min_by(|a, b| a.abs().total_cmp(&b.abs()))
            .unwrap();
        assert!(
            nearest.abs() <= 0.015,
            "step at {:.3} s is {:.1} ms from the nearest true step",
            step.at_s,
            nearest * 1000.0
        );
    }
}

#[test]
fn reads_the_cadence_and_every_step_at_the_cadences_coached() {
    for (i, spm) in [150.0, 166.0, 180.0, 200.0].into_iter().enumerate() {
        for level in [0.0, 0.3, 1.0] {
            let (audio, truth, clicks) = treadmill(spm, spm, level, 10 + i as u64);
            let heard = listen(&audio, &clicks, &click_wave(ClickSound::Click), Some(spm))
                .unwrap_or_else(|| panic!("no cadence at {spm} spm, click level {level}"));
            assert!(
                (heard.cadence_spm - spm).abs() <= 1.0,
                "{spm} spm with the click at {level} read as {:.2}",
                heard.cadence_spm
            );
            assert_steps_match(&heard, &truth);
            let in_window = truth
                .iter()
                .filter(|&&t| t >= 10.0 - REPORT_WINDOW_S)
                .count();
            assert!(
                heard.steps.len() + 1 >= in_window,
                "{spm}: {} of {in_window} steps",
                heard.steps.len()
            );
            assert!(
                heard.confidence > 0.5,
                "{spm}: confidence {}",
                heard.confidence
            );
        }
    }
}

#[test]
fn a_runner_at_166_under_a_click_at_172_reads_166() {
    for level in [0.3, 1.0, 3.0] {
        let (audio, truth, clicks) = treadmill(166.0, 172.0, level, 3);
        let heard = listen(&audio, &clicks, &click_wave(ClickSound::Click), Some(172.0))
            .expect("a cadence");
        assert!(
            (heard.cadence_spm - 166.0).abs() <= 1.0,
            "click at level {level}: read {:.2}",
            heard.cadence_spm
        );
        assert_steps_match(&heard, &truth);
    }
}

#[test]
fn steps_are_timed_against_the_click_the_runner_heard() {
    // The runner lands 30 ms after each click reaches the room.
    let secs = 10.0;
    let clicks = click_frames(RATE, secs, 170.0);
    let wave = click_wave(ClickSound::Woodblock);
    let (mut audio, _) = runner(RATE, secs, 170.0, 0.0, LEAK_DELAY_S + 0.030, 5);
    let leaked = leak(
        RATE,
        audio.len(),
        wave.samples(),
        &clicks,
        LEAK_DELAY_S,
        0.5,
    );
    mix(&mut audio, &leaked, 1.0);
    let heard = listen(&audio, &clicks, &wave, Some(170.0)).expect("a cadence");
    let offsets = heard.offsets_ms();
    assert!(offsets.len() >= heard.steps.len() - 1 && !offsets.is_empty());
    for o in offsets {
        assert!((o - 30.0).abs() <= 10.0, "offset {o:.1} ms, not 30");
    }
}

#[test]
fn every_click_sound_leaking_alone_gives_no_cadence() {
    let secs = 12.0;
    for sound in ClickSound::ALL {
        for level in [0.1, 1.0, 3.0] {
            let wave = click_wave(sound);
            let clicks = click_frames(RATE, secs, 172.0);
            let mut audio = leak(
                RATE,
                (secs * f64::from(RATE)) as usize,
                wave.samples(),
                &clicks,
                LEAK_DELAY_S,
                level,
            );
            mix(&mut audio, &white(RATE, secs, 0.0005, 9), 1.0);
            let heard = listen(&audio, &clicks, &wave, Some(172.0));
            assert!(heard.is_none(), "{sound} at {level}: heard {heard:?}");
        }
    }
}

#[test]
fn hum_belt_noise_speech_and_silence_give_no_cadence() {
    let secs = 12.0;
    let none = ClickWave::new(&[]);
    let cases: Vec<(&str, Vec<f32>)> = vec![
        ("silence", silence(RATE, secs)),
        ("motor hum", hum(RATE, secs, 0.3)),
        ("belt noise", belt(RATE, secs, 0.2, 1)),
        ("white noise", white(RATE, secs, 0.2, 2)),
        ("speech", speech(RATE, secs, 0.3, 3)),
        ("speech over a treadmill", {
            let mut a = speech(RATE, secs, 0.3, 4);
            mix(&mut a, &belt(RATE, secs, 0.05, 5), 1.0);
            mix(&mut a, &hum(RATE, secs, 0.05), 1.0);
            a
        }),
    ];
    for (what, audio) in cases {
        let heard = listen(&audio, &[], &none, Some(170.0));
        assert!(heard.is_none(), "{what}: heard {heard:?}");
    }
}

#[test]
fn a_runner_who_stops_is_soon_not_heard() {
    let (mut audio, _) = runner(RATE, 8.0, 170.0, 5.0, 0.2, 7);
    audio.extend(silence(RATE, 5.0));
    assert!(listen(&audio, &[], &ClickWave::new(&[]), None).is_none());
}

#[test]
fn a_whole_recording_reads_every_step() {
    let (audio, truth) = runner(44_100, 30.0, 184.0, 8.0, 1.5, 11);
    let heard = hear_recording(&audio, 44_100, &[], 0, None)
        .unwrap()
        .expect("a cadence");
    assert!(
        (heard.cadence_spm - 184.0).abs() <= 1.0,
        "{}",
        heard.cadence_spm
    );
    assert_eq!(heard.steps.len(), truth.len());
    assert!(heard.offsets_ms().is_empty());
}

#[test]
fn refuses_rates_it_cannot_hear() {
    assert!(matches!(
        Ear::new(4_000),
        Err(HearingError::UnsupportedRate(4_000))
    ));
    assert!(Ear::new(44_100).is_ok());
}

#[test]
fn the_canceller_removes_every_click_sound_and_its_echoes() {
    for sound in ClickSound::ALL {
        let wave = click_wave(sound);
        let clicks = click_frames(RATE, 3.0, 172.0);
        let audio = leak(
            RATE,
            3 * RATE as usize,
            wave.samples(),
            &clicks,
            LEAK_DELAY_S,
            1.0,
        );
        let mut decimator = Decimator::new(RATE);
        let mut work = Vec::new();
        decimator.push(&audio, &mut work);
        let before: f64 = work.iter().map(|&v| f64::from(v).powi(2)).sum();
        let mut canceller = Canceller::new(RATE);
        let mut removed = vec![0.0; work.len()];
        let told = (TOLD_ROUND_TRIP_S * f64::from(RATE)).round() as i64;
        for &f in &clicks {
            let click = canceller.pending(f as i64 + told, &wave);
            canceller.cancel(&mut work, &mut removed, 0, &click);
        }
        let after: f64 = work.iter().map(|&v| f64::from(v).powi(2)).sum();
        let db = 10.0 * (after / before).log10();
        assert!(db < -25.0, "{sound}: only {db:.1} dB removed");
    }
}
