//! The beat timeline: the exact frame of every step of a workout or an open-ended tempo.
//!
//! Positions are computed from the start of their segment, never accumulated, so a two-hour run
//! drifts by nothing: beat `n` of a steady segment sits at `anchor + round(n · 60 · rate / spm)`,
//! in integers. In a ramp the tempo changes linearly in time, so beat `n` sits where the tempo's
//! integral (the phase) reaches `n`, solved in closed form for each beat.
//!
//! The grid is continuous across segments: a new segment's first beat is the beat the previous
//! tempo would have placed next, so a tempo change takes effect on a beat boundary and two clicks
//! never crowd together at a segment edge. Silent blocks keep the grid, so the click returns on it.

use std::sync::Arc;

use super::Spm;
use super::workout::{Click, Tempo, Workout};

/// One step of the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beat {
    /// Count of steps since the start, from 0. Accents and left/right follow it.
    pub index: u64,
    /// The frame (sample position per channel) where the step's click starts.
    pub frame: u64,
    /// The workout segment the step belongs to (0 for an open-ended tempo).
    pub segment: usize,
    /// False inside an "off" block: the step happens, the click is silent.
    pub audible: bool,
    /// In a faded-feedback segment: its off blocks are the plan's, and a coach that fades the
    /// click by the runner's cadence may let them sound.
    pub faded: bool,
    /// The tempo at this step, in thousandths of a step per minute.
    pub milli_spm: u32,
    /// On the last steps before a tempo change: how many steps are left (4, 3, 2, 1), so the
    /// click can accent them and the screen can count down.
    pub count_in: Option<u8>,
    /// The runner's shift of the workout's tempo in force at this step, in half-steps per
    /// minute (0 as written; +4 after "+2 spm").
    pub shift: i32,
}

/// How many steps before a tempo change are counted in.
pub const COUNT_IN_STEPS: u64 = 4;

#[derive(Debug, Clone)]
struct Span {
    /// Nominal start frame (the end of the previous span).
    start: u64,
    /// Nominal end frame; `None` for an open-ended tempo.
    end: Option<u64>,
    tempo: Tempo,
    click: Click,
    /// The next segment starts at another tempo than this one ends on.
    change_after: bool,
}

/// Walks the beats of a timeline in order. Cheap to step, never allocates after construction.
#[derive(Debug, Clone)]
pub struct BeatCursor {
    rate: u64,
    spans: Arc<[Span]>,
    seg: usize,
    /// Frame of the segment's (or the last tempo change's) beat number 0.
    anchor: u64,
    /// Global index of that beat.
    anchor_index: u64,
    /// Number of the next beat, counted from the anchor.
    n: u64,
    /// The steady tempo in force, in half-steps per minute (an open tempo can change it).
    steady_half: u32,
    /// For a ramp: tempo in beats per frame at the anchor, and its slope per frame.
    ramp: Option<(f64, f64)>,
    /// Click mode in force and the frame its on/off blocks count from.
    click: Click,
    click_anchor: u64,
    last: Option<Beat>,
    /// The runner's shift of every tempo from here on, in half-steps per minute.
    shift: i32,
    /// Shifts to make as the walk passes given beats: (beat index, shift), in the order made.
    planned: Arc<[(u64, i32)]>,
    planned_next: usize,
}

impl BeatCursor {
    /// The beats of `workout` at `rate` frames per second.
    pub fn workout(workout: &Workout, rate: u32) -> BeatCursor {
        let rate = u64::from(rate);
        let segments = workout.segments();
        let mut spans = Vec::with_capacity(segments.len());
        let mut start_ms = 0u64;
        for (i, seg) in segments.iter().enumerate() {
            let end_ms = start_ms + seg.duration_ms;
            spans.push(Span {
                start: ms_to_frames(start_ms, rate),
                end: Some(ms_to_frames(end_ms, rate)),
                tempo: seg.tempo,
                click: seg.click,
                change_after: segments
                    .get(i + 1)
                    .is_some_and(|next| next.tempo.start() != seg.tempo.end()),
            });
            start_ms = end_ms;
        }
        BeatCursor::from_spans(rate, spans.into())
    }

    /// The beats of `workout` as played with the runner's tempo shifts: each `(index, shift)`
    /// takes effect after the step `index`, as `set_shift` called at that step does. Replays
    /// what a playing track did, so a record or a resumed track walks the same grid.
    pub fn workout_shifted(workout: &Workout, rate: u32, shifts: &[(u64, i32)]) -> BeatCursor {
        let mut cursor = BeatCursor::workout(workout, rate);
        cursor.planned = shifts.into();
        cursor
    }

    /// An open-ended steady tempo, as the metronome plays it, optionally stopping after
    /// `duration_ms`. The tempo and click can be changed while it runs.
    pub fn open(spm: Spm, duration_ms: Option<u64>, rate: u32) -> BeatCursor {
        let rate = u64::from(rate);
        let span = Span {
            start: 0,
            end: duration_ms.map(|ms| ms_to_frames(ms, rate)),
            tempo: Tempo::Steady(spm),
            click: Click::On,
            change_after: false,
        };
        BeatCursor::from_spans(rate, vec![span].into())
    }

    fn from_spans(rate: u64, spans: Arc<[Span]>) -> BeatCursor {
        let mut cursor = BeatCursor {
            rate,
            spans,
            seg: 0,
            anchor: 0,
            anchor_index: 0,
            n: 0,
            steady_half: 0,
            ramp: None,
            click: Click::On,
            click_anchor: 0,
            last: None,
            shift: 0,
            planned: Arc::new([]),
            planned_next: 0,
        };
        cursor.enter_segment();
        cursor
    }

    /// The frame rate this cursor counts in.
    pub fn rate(&self) -> u32 {
        self.rate as u32
    }

    /// Where the timeline ends (the nominal end of the last segment), if it ends.
    pub fn end_frame(&self) -> Option<u64> {
        self.spans.last().and_then(|s| s.end)
    }

    /// The most recent beat this cursor returned.
    pub fn last_beat(&self) -> Option<Beat> {
        self.last
    }

    /// Changes a steady tempo from the last returned beat on: the next beat follows it at the new
    /// interval. Ramps ignore this (the workout owns their tempo).
    pub fn retempo(&mut self, spm: Spm) {
        if self.ramp.is_some() || spm.half_steps() == self.steady_half {
            return;
        }
        self.steady_half = spm.half_steps();
        if let Some(last) = self.last {
            self.anchor = last.frame;
            self.anchor_index = last.index;
            self.n = 1;
        } else {
            // Nothing played yet: the first beat stays where it was, the grid takes the new tempo.
            self.n = 0;
        }
    }

    /// The shift of the workout's tempos in force, in half-steps per minute.
    pub fn shift(&self) -> i32 {
        self.shift
    }

    /// Shifts every tempo of the rest of the timeline by `half_steps` half-steps per minute
    /// (against the tempos as written), from the last returned beat on: the next beat follows
    /// at the shifted interval. A ramp keeps its slope and moves by the same amount; later
    /// segments start shifted. Tempos stay within what the app plays.
    pub fn set_shift(&mut self, half_steps: i32) {
        if half_steps == self.shift {
            return;
        }
        let delta = half_steps - self.shift;
        self.shift = half_steps;
        let Some(span) = self.spans.get(self.seg) else {
            return;
        };
        let at = self.last.map_or(self.anchor, |b| b.frame);
        match self.ramp {
            None => self.steady_half = shifted(span.tempo.start(), half_steps),
            Some((f0, slope)) => {
                let per_half = 1.0 / 120.0 / self.rate as f64;
                let t = at.saturating_sub(self.anchor) as f64;
                let lowest = f64::from(Spm::MIN.half_steps()) * per_half;
                let highest = f64::from(Spm::MAX.half_steps()) * per_half;
                let f = (f0 + slope * t + f64::from(delta) * per_half).clamp(lowest, highest);
                self.ramp = Some((f, slope));
            }
        }
        match self.last {
            Some(last) => {
                self.anchor = last.frame;
                self.anchor_index = last.index;
                self.n = 1;
            }
            None => self.n = 0,
        }
    }

    /// Replaces the click mode from `from_frame` on (its on/off blocks count from there).
    pub fn set_click(&mut self, click: Click, from_frame: u64) {
        if click != self.click {
            self.click = click;
            self.click_anchor = from_frame;
        }
    }

    /// The tempo at the anchor of the current grid, in half-steps (for steady segments).
    pub fn steady_half_steps(&self) -> Option<u32> {
        self.ramp.is_none().then_some(self.steady_half)
    }

    /// The state that lets an open tempo continue on the same grid in another cursor:
    /// (anchor frame, anchor beat index, half-steps per minute).
    pub fn open_grid(&self) -> (u64, u64, u32) {
        (self.anchor, self.anchor_index, self.steady_half)
    }

    /// Continues an open tempo from a grid saved with `open_grid`.
    pub fn open_resumed(
        spm: Spm,
        duration_ms: Option<u64>,
        rate: u32,
        anchor: u64,
        anchor_index: u64,
    ) -> BeatCursor {
        let mut cursor = BeatCursor::open(spm, duration_ms, rate);
        cursor.anchor = anchor;
        cursor.anchor_index = anchor_index;
        cursor
    }

    /// Skips beats that start before `frame`; returns the first beat at or after it.
    pub fn next_from(&mut self, frame: u64) -> Option<Beat> {
        loop {
            let beat = self.next()?;
            if beat.frame >= frame {
                return Some(beat);
            }
        }
    }

    fn enter_segment(&mut self) {
        let Some(span) = self.spans.get(self.seg) else {
            return;
        };
        self.click = span.click;
        self.click_anchor = span.start;
        match span.tempo {
            Tempo::Steady(spm) => {
                self.steady_half = shifted(spm, self.shift);
                self.ramp = None;
            }
            Tempo::Ramp { from, to } => {
                let (from, to) = (shifted_spm(from, self.shift), shifted_spm(to, self.shift));
                let end = span.end.unwrap_or(self.anchor);
                let length = end.saturating_sub(self.anchor) as f64;
                let per_frame = |spm: Spm| spm.get() / 60.0 / self.rate as f64;
                let (f0, f1) = (per_frame(from), per_frame(to));
                let slope = if length > 0.0 {
                    (f1 - f0) / length
                } else {
                    0.0
                };
                self.steady_half = from.half_steps();
                self.ramp = Some((f0, slope));
            }
        }
    }

    /// Frames from the anchor to beat `n`, or `None` if a slowing ramp never gets there.
    fn offset(&self, n: u64) -> Option<u64> {
        match self.ramp {
            None => {
                // round(n · 120 · rate / half) in integers: (2·n·120·rate + half) / (2·half).
                let half = u128::from(self.steady_half);
                let num = 2 * u128::from(n) * 120 * u128::from(self.rate) + half;
                Some((num / (2 * half)) as u64)
            }
            Some((f0, slope)) => {
                // Phase φ(t) = f0·t + slope·t²/2; solve φ(t) = n in a form that stays accurate
                // when the slope is tiny: t = 2n / (f0 + sqrt(f0² + 2·slope·n)).
                let n = n as f64;
                let disc = f0 * f0 + 2.0 * slope * n;
                if disc < 0.0 {
                    return None;
                }
                Some((2.0 * n / (f0 + disc.sqrt())).round() as u64)
            }
        }
    }

    /// Counting this beat (number `self.n`), how many beats remain before `end`, up to the
    /// count-in length; `None` if more remain.
    fn steps_left(&self, end: Option<u64>) -> Option<u8> {
        let end = end?;
        (1..=COUNT_IN_STEPS)
            .find(|&k| {
                self.offset(self.n + k)
                    .is_none_or(|o| self.anchor + o >= end)
            })
            .map(|k| k as u8)
    }

    fn milli_spm_at(&self, frame: u64) -> u32 {
        match self.ramp {
            None => self.steady_half * 500,
            Some((f0, slope)) => {
                let t = frame.saturating_sub(self.anchor) as f64;
                ((f0 + slope * t) * 60.0 * self.rate as f64 * 1000.0).round() as u32
            }
        }
    }

    fn audible_at(&self, frame: u64) -> bool {
        match self.click {
            Click::On => true,
            Click::Off => false,
            Click::Faded { on_secs, off_secs } => {
                let on = u64::from(on_secs) * self.rate;
                let period = on + u64::from(off_secs) * self.rate;
                period == 0 || frame.saturating_sub(self.click_anchor) % period < on
            }
        }
    }
}

impl Iterator for BeatCursor {
    type Item = Beat;

    fn next(&mut self) -> Option<Beat> {
        loop {
            let span = self.spans.get(self.seg)?;
            let end = span.end;
            let offset = self.offset(self.n);
            let frame = offset.map(|o| self.anchor + o);
            match (frame, end) {
                (Some(frame), end) if end.is_none_or(|e| frame < e) => {
                    let beat = Beat {
                        index: self.anchor_index + self.n,
                        frame,
                        segment: self.seg,
                        audible: self.audible_at(frame),
                        faded: matches!(self.click, Click::Faded { .. }),
                        milli_spm: self.milli_spm_at(frame),
                        count_in: if span.change_after {
                            self.steps_left(end).filter(|&k| k <= COUNT_IN_STEPS as u8)
                        } else {
                            None
                        },
                        shift: self.shift,
                    };
                    self.n += 1;
                    self.last = Some(beat);
                    self.make_planned_shifts(beat.index);
                    return Some(beat);
                }
                _ => {
                    // The next beat of this grid starts the next segment.
                    self.anchor = frame.unwrap_or(end.unwrap_or(self.anchor));
                    self.anchor_index += self.n;
                    self.n = 0;
                    self.seg += 1;
                    self.enter_segment();
                }
            }
        }
    }
}

impl BeatCursor {
    /// Makes the planned shifts due at step `index` (the latest of them wins).
    fn make_planned_shifts(&mut self, index: u64) {
        let mut due = None;
        while let Some(&(at, shift)) = self.planned.get(self.planned_next)
            && at <= index
        {
            due = Some(shift);
            self.planned_next += 1;
        }
        if let Some(shift) = due {
            self.set_shift(shift);
        }
    }
}

/// `spm` moved by `half_steps`, within the tempos the app plays.
fn shifted_spm(spm: Spm, half_steps: i32) -> Spm {
    let half = i64::from(spm.half_steps()) + i64::from(half_steps);
    let half = half.clamp(
        i64::from(Spm::MIN.half_steps()),
        i64::from(Spm::MAX.half_steps()),
    );
    Spm::from_half_steps(half as u32).unwrap_or(spm)
}

fn shifted(spm: Spm, half_steps: i32) -> u32 {
    shifted_spm(spm, half_steps).half_steps()
}

fn ms_to_frames(ms: u64, rate: u64) -> u64 {
    // Exact for every whole-Hz rate: ms · rate / 1000, rounded.
    ((u128::from(ms) * u128::from(rate) + 500) / 1000) as u64
}

#[cfg(test)]
mod tests;
