//! A simulated runner and session for the closed-loop tests: a runner who entrains to the click
//! with a lag, drifts back toward their own cadence when it is silent, and lands each step with
//! some jitter; and a session that plays beats, hears steps and makes readings in time order.
//! Deterministic: every draw comes from a seeded generator.

use super::live::{CadenceTracker, LiveCadence, Measure, Trust};

/// xorshift64*: small, seeded, the same numbers on every machine.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A runner as the tests model one.
#[derive(Debug, Clone)]
pub(crate) struct Runner {
    /// The cadence they run at now, spm.
    pub cadence: f64,
    /// The cadence they return to without a click.
    pub natural: f64,
    /// Steps to close about two thirds of the gap to a click they hear (first-order lag).
    pub entrain_steps: f64,
    /// Steps to close about two thirds of the gap back to their own cadence without one.
    pub drift_steps: f64,
    /// Each step interval is off by up to this share either way (uniform, bounded).
    pub jitter: f64,
    /// Whether they follow the click at all.
    pub follows: bool,
    /// A click further than this (percent of their cadence) is not followed: entrainment has a
    /// ceiling.
    pub ceiling_percent: f64,
    pub rng: Rng,
}

impl Runner {
    pub(crate) fn new(natural: f64, seed: u64) -> Runner {
        Runner {
            cadence: natural,
            natural,
            entrain_steps: 6.0,
            drift_steps: 20.0,
            jitter: 0.01,
            follows: true,
            ceiling_percent: 10.0,
            rng: Rng::new(seed),
        }
    }

    /// One step, having heard a click at `heard` spm lately (or none): the interval to the next.
    fn step(&mut self, heard: Option<f64>) -> f64 {
        let within =
            |t: f64| (t - self.cadence).abs() <= self.ceiling_percent / 100.0 * self.cadence;
        match heard {
            Some(tempo) if self.follows && within(tempo) => {
                self.cadence += (tempo - self.cadence) / self.entrain_steps;
            }
            _ => self.cadence += (self.natural - self.cadence) / self.drift_steps,
        }
        let wobble = self.jitter * (2.0 * self.rng.unit() - 1.0);
        60.0 / self.cadence * (1.0 + wobble)
    }
}

/// A beat the session played.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlayedBeat {
    pub at_s: f64,
    pub tempo: f64,
    pub heard: bool,
    pub measure: Measure,
}

/// A footfall, with the cadence the runner was running at when they made it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Footfall {
    pub at_s: f64,
    pub cadence: f64,
}

/// What a session under test hears and decides: every footfall and reading as they happen, and
/// at each beat (played at `tempo`) whether it sounds and the tempo after it.
pub(crate) trait Session {
    fn step(&mut self, _at_s: f64) {}
    fn reading(&mut self, _reading: LiveCadence) {}
    fn beat(
        &mut self,
        at_s: f64,
        tempo: f64,
        measure: Measure,
        settled: Measure,
    ) -> (bool, Option<f64>);
}

/// The ear's window: a reading spans this many seconds of steps.
const READING_WINDOW_S: f64 = 10.0;
/// A runner hears a click as "lately" for this long.
const HEARD_FOR_S: f64 = 1.0;

/// A session: beats at the click's tempo, the runner's steps, a reading every second.
pub(crate) struct Sim {
    pub runner: Runner,
    pub tracker: CadenceTracker,
    /// The click's tempo, spm; changed by what the controller returns.
    pub tempo: f64,
    /// The confidence each reading is given at its time; below 0, no reading is made.
    pub confidence: Box<dyn Fn(f64) -> f64>,
    pub beats: Vec<PlayedBeat>,
    pub steps: Vec<Footfall>,
    pub readings: Vec<LiveCadence>,
    next_beat_s: f64,
    next_step_s: f64,
    next_reading_s: f64,
    heard: Option<(f64, f64)>,
}

impl Sim {
    pub(crate) fn new(runner: Runner, tempo: f64) -> Sim {
        Sim {
            runner,
            tracker: CadenceTracker::new(Trust::default()),
            tempo,
            confidence: Box::new(|_| 0.9),
            beats: Vec::new(),
            steps: Vec::new(),
            readings: Vec::new(),
            next_beat_s: 0.0,
            next_step_s: 0.05,
            next_reading_s: 1.0,
            heard: None,
        }
    }

    /// Runs until `until_s`. At each beat `decide(at_s, measure, settled)` — the tracker's
    /// cadence from the steps and from the latest reading — says whether it sounds and gives a
    /// new tempo for the beats after it, if any.
    pub(crate) fn run(
        &mut self,
        until_s: f64,
        decide: impl FnMut(f64, Measure, Measure) -> (bool, Option<f64>),
    ) {
        struct Decide<F>(F);
        impl<F: FnMut(f64, Measure, Measure) -> (bool, Option<f64>)> Session for Decide<F> {
            fn beat(
                &mut self,
                at_s: f64,
                _tempo: f64,
                m: Measure,
                s: Measure,
            ) -> (bool, Option<f64>) {
                (self.0)(at_s, m, s)
            }
        }
        self.run_session(until_s, &mut Decide(decide));
    }

    /// Runs until `until_s` with `session` hearing every step and reading as the tracker does.
    pub(crate) fn run_session(&mut self, until_s: f64, session: &mut impl Session) {
        loop {
            let t = self
                .next_beat_s
                .min(self.next_step_s)
                .min(self.next_reading_s);
            if t > until_s {
                return;
            }
            if t == self.next_step_s {
                self.steps.push(Footfall {
                    at_s: t,
                    cadence: self.runner.cadence,
                });
                self.tracker.step(t);
                session.step(t);
                let heard = self
                    .heard
                    .filter(|&(at, _)| t - at <= HEARD_FOR_S)
                    .map(|(_, tempo)| tempo);
                self.next_step_s += self.runner.step(heard);
            } else if t == self.next_reading_s {
                self.read(t, session);
                self.next_reading_s += 1.0;
            } else {
                let measure = self.tracker.measure(t);
                let (heard, retempo) =
                    session.beat(t, self.tempo, measure, self.tracker.settled(t));
                self.beats.push(PlayedBeat {
                    at_s: t,
                    tempo: self.tempo,
                    heard,
                    measure,
                });
                if heard {
                    self.heard = Some((t, self.tempo));
                }
                if let Some(tempo) = retempo {
                    self.tempo = tempo;
                }
                self.next_beat_s += 60.0 / self.tempo;
            }
        }
    }

    /// A reading as the ear makes one: the cadence of the steps of the last ten seconds.
    fn read(&mut self, t: f64, session: &mut impl Session) {
        let confidence = (self.confidence)(t);
        let from = self
            .steps
            .partition_point(|s| s.at_s <= t - READING_WINDOW_S);
        let recent = &self.steps[from..];
        if confidence < 0.0 || recent.len() < 4 {
            return;
        }
        let span = recent[recent.len() - 1].at_s - recent[0].at_s;
        let reading = LiveCadence {
            at_s: t,
            spm: 60.0 * (recent.len() - 1) as f64 / span,
            confidence,
        };
        self.readings.push(reading);
        self.tracker.reading(reading);
        session.reading(reading);
    }

    /// The runner's cadence at the steps made up to `at_s`, the latest `n` of them.
    pub(crate) fn cadences_before(&self, at_s: f64, n: usize) -> &[Footfall] {
        let upto = self.steps.partition_point(|s| s.at_s < at_s);
        &self.steps[upto.saturating_sub(n)..upto]
    }
}
