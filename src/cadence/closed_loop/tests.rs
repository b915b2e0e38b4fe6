//! The closed-loop controllers driven by the simulated runner, over many seeds and runners:
//! click when off is quiet while the runner holds the band and speaks within four steps of them
//! leaving it; the nudge never changes the tempo by more than 1.5 % at once, never passes the
//! target, reaches it when the runner follows and waits when they do not; adaptive fading stays
//! within its limits; retention counts the silent blocks only.

use proptest::prelude::*;

use super::sim::{self, Runner, Sim};
use super::*;
use crate::cadence::{FadeBlocks, Spm};

const TARGET: f64 = 170.0;

fn runner(natural: f64, drift_steps: f64, jitter: f64, seed: u64) -> Runner {
    Runner {
        drift_steps,
        jitter,
        ..Runner::new(natural, seed)
    }
}

/// A click-when-off session of `secs` with `runner`.
fn click_when_off(runner: Runner, secs: f64) -> Sim {
    let mut off = ClickWhenOff::new(ClickWhenOffSettings::default()).unwrap();
    let mut sim = Sim::new(runner, TARGET);
    sim.run(secs, |_, measure, _| (off.beat(TARGET, measure), None));
    sim
}

#[test]
fn click_when_off_speaks_within_four_steps_of_the_runner_leaving_the_band() {
    let band = Band::default().half_width(TARGET);
    let mut leavings = 0;
    for seed in 0..12 {
        for natural in [150.0, 160.0, 164.0, 177.0, 185.0] {
            for drift_steps in [8.0, 20.0, 40.0] {
                for jitter in [0.0, 0.005, 0.01] {
                    let sim = click_when_off(runner(natural, drift_steps, jitter, seed), 180.0);
                    let case = format!(
                        "seed {seed}, natural {natural}, drift {drift_steps}, jitter {jitter}"
                    );
                    // Out of the band by more than the jitter can hide: step intervals off by at
                    // most `jitter` make a measured cadence off by at most this much.
                    let noise = TARGET * jitter / (1.0 - jitter);
                    let mut was_in = false;
                    for (k, step) in sim.steps.iter().enumerate() {
                        let off = (step.cadence - TARGET).abs();
                        if off <= band {
                            was_in = true;
                        }
                        if !(was_in && off > band + noise) {
                            continue;
                        }
                        was_in = false;
                        leavings += 1;
                        let Some(click) = sim.beats.iter().find(|b| b.at_s >= step.at_s && b.heard)
                        else {
                            // Only the end of the session can come first.
                            assert!(
                                sim.steps.len() - k < 8,
                                "{case}: no click after leaving at {} s",
                                step.at_s
                            );
                            continue;
                        };
                        let steps_between = sim.steps[k + 1..]
                            .iter()
                            .take_while(|s| s.at_s < click.at_s)
                            .count();
                        assert!(
                            steps_between <= 4,
                            "{case}: out of the band at {:.2} s, the click came {steps_between} steps later at {:.2} s",
                            step.at_s,
                            click.at_s
                        );
                    }
                }
            }
        }
    }
    // The runners drift out again and again whenever the click goes quiet.
    assert!(leavings > 1000, "only {leavings} times out of the band");
}

#[test]
fn click_when_off_is_quiet_while_the_runner_holds_the_band() {
    let settle = ClickWhenOffSettings::default().settle_steps as usize;
    let window = Trust::default().step_window;
    let mut held_beats = 0;
    for seed in 0..20 {
        for natural in [160.0, 169.0, 170.0, 170.5, 171.0, 180.0] {
            for jitter in [0.0, 0.005, 0.01] {
                let sim = click_when_off(runner(natural, 20.0, jitter, seed), 120.0);
                for beat in &sim.beats {
                    // The runner within 1 spm of the target for every step the tracker and the
                    // settling have looked at; with at most 1 % jitter the measured cadence is
                    // then within 2.7 spm of the target.
                    let recent = sim.cadences_before(beat.at_s, settle + window + 2);
                    let holding = recent.len() == settle + window + 2
                        && recent.iter().all(|s| (s.cadence - TARGET).abs() <= 1.0);
                    if holding {
                        held_beats += 1;
                        assert!(
                            !beat.heard,
                            "seed {seed}, natural {natural}, jitter {jitter}: a click at {:.2} s while the runner held {TARGET}",
                            beat.at_s
                        );
                    }
                }
                if (natural - TARGET).abs() <= 1.0 {
                    // A runner at the target from the start hears only the first few seconds.
                    let heard_late = sim.beats.iter().filter(|b| b.at_s > 5.0 && b.heard).count();
                    assert_eq!(
                        heard_late, 0,
                        "seed {seed}, natural {natural}, jitter {jitter}"
                    );
                }
            }
        }
    }
    assert!(held_beats > 50_000, "only {held_beats} beats held");
}

#[test]
fn click_when_off_sounds_while_the_measurement_is_unsure_or_stale() {
    for seed in 0..10 {
        let mut sim = Sim::new(runner(170.0, 20.0, 0.01, seed), TARGET);
        // Unsure from 40 s, no readings at all from 70 s to 80 s.
        sim.confidence = Box::new(|t| match t {
            t if (40.0..50.0).contains(&t) => 0.3,
            t if (70.0..80.0).contains(&t) => -1.0,
            _ => 0.9,
        });
        let mut off = ClickWhenOff::new(ClickWhenOffSettings::default()).unwrap();
        sim.run(100.0, |_, measure, _| (off.beat(TARGET, measure), None));
        let heard = |from: f64, to: f64| {
            let beats: Vec<bool> = sim
                .beats
                .iter()
                .filter(|b| (from..to).contains(&b.at_s))
                .map(|b| b.heard)
                .collect();
            assert!(beats.len() > 10);
            beats
        };
        assert!(
            heard(30.0, 40.0).iter().all(|&h| !h),
            "seed {seed}: held, and quiet"
        );
        assert!(heard(40.0, 50.0).iter().all(|&h| h), "seed {seed}: unsure");
        assert!(
            heard(55.0, 70.0).iter().all(|&h| !h),
            "seed {seed}: sure again"
        );
        // The reading at 69 s is trusted for 2.5 s.
        assert!(
            heard(71.5 + 1e-9, 80.0).iter().all(|&h| h),
            "seed {seed}: stale"
        );
        assert!(heard(90.0, 100.0).iter().all(|&h| !h), "seed {seed}: back");
    }
}

/// A nudged session: quiet until the cadence is known, then the click from the runner's
/// cadence toward `target`. Returns the session and every (old, new) tempo change.
fn nudged(
    runner: Runner,
    target: f64,
    settings: NudgeSettings,
    secs: f64,
) -> (Sim, Vec<(f64, f64, f64)>) {
    let target = Spm::new(target).unwrap();
    let mut nudge: Option<GuidedNudge> = None;
    let mut changes = Vec::new();
    let mut sim = Sim::new(runner, target.get());
    sim.run(secs, |at_s, _, settled| match &mut nudge {
        None => {
            let start = settled
                .sure()
                .map(|spm| GuidedNudge::from_measured(spm, target, settings).unwrap());
            let tempo = start.as_ref().map(|n| n.tempo().get());
            nudge = start;
            (false, tempo)
        }
        Some(n) => {
            let old = n.tempo().get();
            let new = n.beat(settled).map(Spm::get);
            if let Some(new) = new {
                changes.push((at_s, old, new));
            }
            (true, new)
        }
    });
    (sim, changes)
}

#[test]
fn the_nudge_moves_unnoticed_never_passes_the_target_and_reaches_it_when_followed() {
    for seed in 0..8 {
        for natural in [150.0, 158.0, 166.5, 176.0, 188.0] {
            for target in [160.0, 172.0] {
                for jitter in [0.0, 0.01] {
                    for every_steps in [8, 16, 32] {
                        let settings = NudgeSettings {
                            every_steps,
                            ..NudgeSettings::default()
                        };
                        let (sim, changes) =
                            nudged(runner(natural, 20.0, jitter, seed), target, settings, 400.0);
                        let case = format!(
                            "seed {seed}, {natural} → {target}, jitter {jitter}, every {every_steps}"
                        );
                        let start = sim.beats.iter().find(|b| b.heard).unwrap().tempo;
                        assert!((start - natural).abs() <= 3.0, "{case}: started at {start}");
                        let mut last_at = None;
                        for &(at_s, old, new) in &changes {
                            assert!(
                                (new - old).abs() / old <= 0.015 + 1e-12,
                                "{case}: {old} → {new}"
                            );
                            assert!(new != old, "{case}");
                            let toward = (target - old).signum();
                            assert_eq!((new - old).signum(), toward, "{case}: {old} → {new}");
                            assert!(
                                (target - new) * toward >= 0.0,
                                "{case}: passed the target: {new}"
                            );
                            if let Some(last) = last_at {
                                let beats = sim
                                    .beats
                                    .iter()
                                    .filter(|b| b.at_s > last && b.at_s <= at_s)
                                    .count();
                                assert!(
                                    beats >= every_steps as usize,
                                    "{case}: {beats} beats apart"
                                );
                            }
                            last_at = Some(at_s);
                        }
                        // The tempo played is the nudge's, beat after beat: no other change.
                        for pair in sim.beats.windows(2).filter(|p| p[0].heard) {
                            let changed = (pair[1].tempo - pair[0].tempo).abs();
                            assert!(changed <= 0.015 * pair[0].tempo + 1e-12, "{case}");
                        }
                        let end = sim.beats.last().unwrap();
                        assert_eq!(
                            end.tempo,
                            target,
                            "{case}: stopped at {} after {} changes",
                            end.tempo,
                            changes.len()
                        );
                        assert!(
                            (sim.runner.cadence - target).abs() < 1.0,
                            "{case}: runner at {}",
                            sim.runner.cadence
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_nudge_waits_for_a_runner_who_does_not_follow() {
    for seed in 0..10 {
        for (natural, target) in [(160.0, 170.0), (182.0, 172.0)] {
            // Steps within 0.5 % of their interval: the settled cadence of a runner who stays
            // put then never seems to have moved by the half step the band leaves.
            let still = Runner {
                follows: false,
                ..runner(natural, 20.0, 0.005, seed)
            };
            let (sim, changes) = nudged(still, target, NudgeSettings::default(), 300.0);
            // The runner is at the first tempo, so one change is made; then the tempo waits.
            assert_eq!(
                changes.len(),
                1,
                "seed {seed}, {natural} → {target}: {changes:?}"
            );
            let (_, old, new) = changes[0];
            assert!((new - old).abs() <= 0.015 * old);
            assert!(sim.beats.iter().rev().take(500).all(|b| b.tempo == new));
        }
        // A runner who follows only changes smaller than 1 % can never be led by 1.5 % ones.
        let capped = Runner {
            ceiling_percent: 1.0,
            ..runner(160.0, 20.0, 0.0, seed)
        };
        let (_, changes) = nudged(capped, 170.0, NudgeSettings::default(), 300.0);
        assert_eq!(changes.len(), 1, "seed {seed}");
        // The same runner with changes they can follow gets there.
        let follower = Runner {
            ceiling_percent: 1.0,
            ..runner(160.0, 20.0, 0.0, seed)
        };
        let small = NudgeSettings {
            max_change_percent: 0.9,
            ..NudgeSettings::default()
        };
        let (sim, _) = nudged(follower, 170.0, small, 300.0);
        assert_eq!(sim.beats.last().unwrap().tempo, 170.0, "seed {seed}");
    }
}

fn fade_settings(on_secs: u32, off_secs: u32, min: u32, max: u32) -> FadeSettings {
    FadeSettings {
        start: FadeBlocks { on_secs, off_secs },
        limits: FadeLimits {
            min_off_secs: min,
            max_off_secs: max,
        },
        ..FadeSettings::default()
    }
}

/// A faded session with `runner`; the fade and the session.
fn faded(runner: Runner, settings: FadeSettings, secs: f64) -> (AdaptiveFade, Sim, Vec<u32>) {
    let mut fade = AdaptiveFade::new(settings).unwrap();
    let mut lengths = Vec::new();
    let mut sim = Sim::new(runner, TARGET);
    sim.run(secs, |at_s, measure, _| {
        let heard = fade.beat(at_s, TARGET, measure);
        lengths.push(fade.off_secs());
        (heard, None)
    });
    (fade, sim, lengths)
}

#[test]
fn adaptive_fading_stays_within_its_limits_grows_when_held_and_shrinks_on_drift() {
    for seed in 0..10 {
        for (on, off, min, max) in [(60, 30, 15, 120), (20, 20, 10, 40), (30, 60, 60, 60)] {
            for natural in [158.0, 165.0, 170.0, 172.0] {
                for drift_steps in [5.0, 30.0] {
                    let settings = fade_settings(on, off, min, max);
                    let (fade, sim, lengths) =
                        faded(runner(natural, drift_steps, 0.01, seed), settings, 2000.0);
                    let case = format!(
                        "seed {seed}, {on}/{off} in {min}–{max}, natural {natural}, drift {drift_steps}"
                    );
                    assert!(lengths.iter().all(|l| (min..=max).contains(l)), "{case}");
                    let blocks = fade.silent_blocks();
                    assert!(blocks.len() >= 3, "{case}: {} blocks", blocks.len());
                    for b in blocks {
                        assert!(b.end_s - b.start_s <= f64::from(max) + 0.5, "{case}: {b:?}");
                        // Silent exactly inside its blocks.
                        for beat in sim
                            .beats
                            .iter()
                            .filter(|x| x.at_s > b.start_s && x.at_s < b.end_s)
                        {
                            assert!(!beat.heard, "{case}");
                        }
                    }
                    let last = *lengths.last().unwrap();
                    if natural == TARGET {
                        assert_eq!(last, max, "{case}: the runner held the band");
                    }
                    if natural == 158.0 && drift_steps == 5.0 {
                        assert_eq!(last, min, "{case}: the runner drifted at once");
                    }
                }
            }
        }
    }
}

#[test]
fn retention_comes_from_the_silent_blocks_only() {
    let settings = RetentionSettings::default();
    for seed in 0..10 {
        for (natural, drift_steps, verdict) in [
            (170.0, 20.0, Verdict::Learned),
            (172.0, 20.0, Verdict::Learned),
            (158.0, 20.0, Verdict::Repeat),
            (156.0, 40.0, Verdict::Repeat),
        ] {
            // A plan's faded session: 60 s with the click, 30 s without, for ten minutes.
            let mut sim = Sim::new(runner(natural, drift_steps, 0.01, seed), TARGET);
            let mut log = SilentBlocks::default();
            sim.run(600.0, |at_s, _, _| {
                let heard = at_s % 90.0 < 60.0;
                log.beat(at_s, heard);
                (heard, None)
            });
            let blocks = log.finish(600.0);
            // Silent from 60 to 90 s of every 90 s: six blocks in ten minutes.
            assert_eq!(blocks.len(), 6, "{blocks:?}");
            let probe = Retention::probe(&blocks, &sim.readings, TARGET, &settings);
            let case = format!("seed {seed}, natural {natural}, drift {drift_steps}: {probe:?}");
            assert_eq!(probe.verdict(&settings), verdict, "{case}");
            assert!(
                probe.silent_s > 150.0 && probe.measured_s > 0.9 * probe.silent_s,
                "{case}"
            );
            // While the click sounded every runner was near the target, yet that does not count:
            // readings outside the blocks can say anything, or be gone.
            let inside = |t: f64| blocks.iter().any(|b| t >= b.start_s && t <= b.end_s);
            let mut wild = sim.readings.clone();
            for r in wild.iter_mut().filter(|r| !inside(r.at_s)) {
                r.spm = if verdict == Verdict::Learned {
                    120.0
                } else {
                    TARGET
                };
            }
            assert_eq!(
                Retention::probe(&blocks, &wild, TARGET, &settings),
                probe,
                "{case}"
            );
            let only_silent: Vec<LiveCadence> = sim
                .readings
                .iter()
                .copied()
                .filter(|r| inside(r.at_s))
                .collect();
            assert_eq!(
                Retention::probe(&blocks, &only_silent, TARGET, &settings),
                probe,
                "{case}"
            );
            // The whole session's cadence, clicked time included, would have said otherwise for
            // the runners who drift.
            let whole = [SilentBlock {
                start_s: 0.0,
                end_s: 600.0,
            }];
            let everything = Retention::probe(&whole, &sim.readings, TARGET, &settings);
            if verdict == Verdict::Repeat {
                assert!(
                    everything.share_in_band() > probe.share_in_band() + 0.2,
                    "{everything:?} {case}"
                );
            }
        }
    }
}

#[test]
fn a_session_summary_adds_up() {
    let mut off = ClickWhenOff::new(ClickWhenOffSettings::default()).unwrap();
    let mut tally = Tally::new(Band::default());
    let mut sim = Sim::new(runner(160.0, 20.0, 0.01, 3), TARGET);
    sim.run(300.0, |at_s, measure, _| {
        let heard = off.beat(TARGET, measure);
        tally.beat(at_s, heard, TARGET, measure);
        (heard, None)
    });
    let summary = tally.summary(None);
    let heard = sim.beats.iter().filter(|b| b.heard).count() as u64;
    assert_eq!(summary.clicks_heard, heard);
    assert_eq!(
        summary.clicks_heard + summary.clicks_silent,
        sim.beats.len() as u64
    );
    assert!(
        summary.clicks_silent > 100 && summary.clicks_heard > 100,
        "{summary:?}"
    );
    assert!(summary.in_band_s <= summary.measured_s && summary.measured_s <= 300.0);
    assert!(summary.measured_s > 290.0, "{summary:?}");
}

fn blocks_and_readings() -> impl Strategy<Value = (Vec<SilentBlock>, Vec<LiveCadence>)> {
    let blocks = prop::collection::vec((0.0..50.0f64, 1.0..40.0f64), 0..5).prop_map(|v| {
        let mut at = 0.0;
        v.into_iter()
            .map(|(gap, len)| {
                at += gap;
                let b = SilentBlock {
                    start_s: at,
                    end_s: at + len,
                };
                at += len;
                b
            })
            .collect::<Vec<_>>()
    });
    let readings = prop::collection::vec((0.0..400.0f64, 150.0..190.0f64, 0.0..1.0f64), 0..200)
        .prop_map(|v| {
            v.into_iter()
                .map(|(at_s, spm, confidence)| LiveCadence {
                    at_s,
                    spm,
                    confidence,
                })
                .collect::<Vec<_>>()
        });
    (blocks, readings)
}

proptest! {
    #[test]
    fn probes_never_count_more_than_the_silent_time_nor_anything_outside_it(
        (blocks, readings) in blocks_and_readings(),
        target in 160.0..180.0f64,
    ) {
        let settings = RetentionSettings::default();
        let probe = Retention::probe(&blocks, &readings, target, &settings);
        prop_assert!(probe.in_band_s <= probe.measured_s + 1e-9);
        prop_assert!(probe.measured_s <= probe.silent_s + 1e-9);
        prop_assert!((0.0..=1.0 + 1e-12).contains(&probe.share_in_band()));
        let probed = |t: f64| blocks.iter().any(|b| t >= b.start_s + settings.settle_s && t <= b.end_s);
        let kept: Vec<LiveCadence> = readings.iter().copied().filter(|r| probed(r.at_s)).collect();
        prop_assert_eq!(Retention::probe(&blocks, &kept, target, &settings), probe);
    }

    #[test]
    fn a_nudge_fed_any_cadences_keeps_its_steps_small_and_short_of_the_target(
        from in 100.0..240.0f64,
        target in 200u32..=480,
        every_steps in 1u32..20,
        cadences in prop::collection::vec(prop::option::of(-5.0..5.0f64), 1..400),
    ) {
        let target = Spm::from_half_steps(target).unwrap();
        let settings = NudgeSettings { every_steps, ..NudgeSettings::default() };
        let mut nudge = GuidedNudge::from_measured(from, target, settings).unwrap();
        let start = nudge.tempo().get();
        for off in cadences {
            let old = nudge.tempo().get();
            let measure = off.map_or(Measure::Unsure(Unsure::Stale), |d| Measure::Sure(old + d));
            if let Some(new) = nudge.beat(measure) {
                let new = new.get();
                prop_assert!((new - old).abs() <= 0.015 * old + 1e-12);
                prop_assert!((new - start).abs() <= (target.get() - start).abs());
                prop_assert!((target.get() - new) * (target.get() - old) >= 0.0);
            }
        }
    }
}

proptest! {
    #[test]
    fn adaptive_fading_fed_any_cadences_keeps_its_blocks_within_the_limits(
        on_secs in 1u32..30,
        min in 1u32..40,
        extra in 0u32..60,
        grow_secs in 0u32..50,
        shrink_secs in 0u32..50,
        cadences in prop::collection::vec(prop::option::of(150.0..190.0f64), 1..3000),
    ) {
        let max = min + extra;
        let settings = FadeSettings {
            grow_secs,
            shrink_secs,
            ..fade_settings(on_secs, min + extra / 2, min, max)
        };
        let mut fade = AdaptiveFade::new(settings).unwrap();
        for (i, c) in cadences.iter().enumerate() {
            let measure = c.map_or(Measure::Unsure(Unsure::LowConfidence), Measure::Sure);
            fade.beat(i as f64 * 0.35, TARGET, measure);
            prop_assert!((min..=max).contains(&fade.off_secs()));
        }
        for b in fade.silent_blocks() {
            // A block lasts at most its length, plus the beat that ends it.
            prop_assert!(b.end_s - b.start_s <= f64::from(max) + 0.35 + 1e-9);
        }
    }
}

/// A [`Coach`] as the simulated session's ear and click.
struct Coached<'a> {
    coach: &'a mut Coach,
    target: f64,
}

impl sim::Session for Coached<'_> {
    fn step(&mut self, at_s: f64) {
        self.coach.step(at_s);
    }
    fn reading(&mut self, reading: LiveCadence) {
        self.coach.reading(reading);
    }
    fn beat(&mut self, at_s: f64, _tempo: f64, _: Measure, _: Measure) -> (bool, Option<f64>) {
        let d = self.coach.decide(at_s, self.target);
        self.coach.played(at_s, d.sound, true, self.target);
        (d.sound, d.tempo.map(Spm::get))
    }
}

#[test]
fn the_coach_is_quiet_while_the_runner_holds_the_target_and_speaks_when_they_slow() {
    for seed in 0..8 {
        let mut coach = Coach::new(CoachSettings::when_off(3.0), None).unwrap();
        let mut sim = Sim::new(runner(TARGET, 20.0, 0.01, seed), TARGET);
        let mut session = Coached {
            coach: &mut coach,
            target: TARGET,
        };
        sim.run_session(60.0, &mut session);
        // From here the runner's own cadence is 160 and they no longer follow the click.
        sim.runner.natural = 160.0;
        sim.runner.follows = false;
        sim.run_session(120.0, &mut session);
        let quiet_while_held = sim
            .beats
            .iter()
            .filter(|b| (15.0..60.0).contains(&b.at_s))
            .all(|b| !b.heard);
        assert!(quiet_while_held, "seed {seed}");
        let first_out = sim
            .steps
            .iter()
            .find(|s| s.at_s > 60.0 && s.cadence < TARGET - 3.0 - TARGET * 0.01)
            .unwrap();
        let back = sim.beats.iter().find(|b| b.at_s > 60.0 && b.heard).unwrap();
        let steps_late = sim
            .steps
            .iter()
            .filter(|s| s.at_s > first_out.at_s && s.at_s < back.at_s)
            .count();
        assert!(steps_late <= 4, "seed {seed}: {steps_late} steps");
        let s = coach.summary(120.0);
        let heard = sim.beats.iter().filter(|b| b.heard).count() as u64;
        assert_eq!(s.clicks_heard, heard);
        assert_eq!(s.clicks_heard + s.clicks_silent, sim.beats.len() as u64);
        assert_eq!(s.mode, CoachMode::WhenOff);
        // Held for the first minute; from there a slow drift away: in band 60–80 s of 120.
        assert!((55.0..85.0).contains(&s.in_band_s), "seed {seed}: {s:?}");
        assert_eq!(s.retention, None);
    }
}

#[test]
fn the_coach_nudges_from_the_runners_cadence_to_the_target_unnoticed() {
    for seed in 0..8 {
        let settings = CoachSettings {
            mode: CoachMode::Nudge,
            ..CoachSettings::default()
        };
        let mut coach = Coach::new(settings, Spm::new(TARGET).ok()).unwrap();
        // The runner runs 158 by themselves; the click joins them once they are measured.
        let mut sim = Sim::new(runner(158.0, 20.0, 0.005, seed), TARGET);
        sim.runner.entrain_steps = 4.0;
        let mut session = Coached {
            coach: &mut coach,
            target: TARGET,
        };
        sim.run_session(600.0, &mut session);
        let tempos: Vec<f64> = sim.beats.iter().map(|b| b.tempo).collect();
        // Silent until the runner is heard, then starting at their own cadence.
        let start = tempos.iter().position(|&t| t != TARGET).unwrap();
        assert!(
            sim.beats[..start - 1].iter().all(|b| !b.heard),
            "seed {seed}"
        );
        assert!(
            sim.beats[start - 1..].iter().all(|b| b.heard),
            "seed {seed}"
        );
        assert!(
            (tempos[start] - 158.0).abs() <= 1.5,
            "seed {seed}: started at {}",
            tempos[start]
        );
        for w in tempos[start..].windows(2) {
            assert!(w[1] >= w[0] && w[1] <= TARGET, "seed {seed}: {w:?}");
            assert!(w[1] / w[0] - 1.0 <= 0.015 + 1e-9, "seed {seed}: {w:?}");
        }
        assert_eq!(*tempos.last().unwrap(), TARGET, "seed {seed}");
        let s = coach.summary(600.0);
        let changes = tempos[start..].windows(2).filter(|w| w[1] != w[0]).count();
        assert_eq!(s.nudges as usize, changes);
        assert!(s.nudges >= 4, "seed {seed}: {s:?}");
    }
}
