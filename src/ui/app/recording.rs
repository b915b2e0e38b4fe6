//! Recording the session being played, from the audio clock, into its file in the data folder.
//! The file is written when the session starts, at every new segment, every 30 s of session
//! time and when it ends, so a crash or `kill -9` loses at most the last 30 s.

use std::path::PathBuf;

use super::clock::Heard;
use crate::audio::Program;
use crate::cadence::ImportedCadence;
use crate::cadence::beats::{Beat, BeatCursor};
use crate::cadence::session::{
    Ending, IdSuffix, PlanLink, SessionRecord, session_id, whole_second,
};
use crate::cadence::shift_text;
use crate::store::sessions::save_session;

/// Session seconds between saves while playing.
pub const SAVE_EVERY_SECS: f64 = 30.0;

#[derive(Debug)]
pub struct Recording {
    pub data_dir: PathBuf,
    record: Option<SessionRecord>,
    saved_at_secs: f64,
    segments_saved: usize,
    /// A workout's own timeline, walked step by step up to what is heard, so every step and
    /// every segment edge is recorded however seldom the clock is read (a hidden window reads
    /// it only when something is due). An open tempo changes only on input, while shown.
    timeline: Option<Timeline>,
    /// The tempo shifts the workout made so far (step index, half-steps per minute).
    shifts: Vec<(u64, i32)>,
    /// The cadence heard on the microphone: (second of the session, spm), one a second.
    heard: Vec<(f64, f64)>,
}

#[derive(Debug)]
struct Timeline {
    cursor: BeatCursor,
    /// The next step, not heard yet.
    next: Option<Beat>,
    /// The segment of the last step recorded.
    current: Option<usize>,
}

impl Recording {
    pub fn new(data_dir: PathBuf) -> Recording {
        Recording {
            data_dir,
            record: None,
            saved_at_secs: 0.0,
            segments_saved: 0,
            timeline: None,
            shifts: Vec::new(),
            heard: Vec::new(),
        }
    }

    /// How many of the workout's tempo shifts the record knows about.
    pub fn shifts_known(&self) -> usize {
        self.shifts.len()
    }

    /// The session being recorded, if any.
    pub fn current(&self) -> Option<&SessionRecord> {
        self.record.as_ref()
    }

    /// The target of the session being recorded.
    pub fn target(&self) -> Option<f64> {
        self.record.as_ref()?.target()
    }

    /// Begins a record for `program`, played at `rate` frames per second and aimed at
    /// `target_spm`, and writes it at once. Returns a save error to show.
    pub fn start(
        &mut self,
        program: &Program,
        rate: u32,
        target_spm: f64,
        plan: Option<PlanLink>,
    ) -> Option<String> {
        let now = jiff::Timestamp::now();
        // Unique even for two apps started in the same second.
        let salt = (now.subsec_nanosecond() as u32 ^ std::process::id()) as u16;
        let id = session_id(now, IdSuffix::Played(salt));
        let workout = match program {
            Program::Workout(w) => w.name().to_string(),
            Program::Open { spm, .. } => format!("Steady {spm} spm"),
        };
        let mut record = SessionRecord::new(&id, whole_second(now), &workout, target_spm);
        record.plan = plan;
        self.record = Some(record);
        self.saved_at_secs = 0.0;
        self.segments_saved = 0;
        self.shifts.clear();
        self.heard.clear();
        self.timeline = match program {
            Program::Workout(w) => {
                let mut cursor = BeatCursor::workout(w, rate);
                let next = cursor.next();
                Some(Timeline {
                    cursor,
                    next,
                    current: None,
                })
            }
            Program::Open { .. } => None,
        };
        self.save()
    }

    /// Notes what was heard and the workout's tempo shifts made since the last call (from
    /// `TrackHandle::shifts_since(shifts_known())`); saves when a part starts or 30 s have
    /// passed.
    pub fn observe(
        &mut self,
        heard: &Heard,
        program: &Program,
        rate: u32,
        new_shifts: &[(u64, i32)],
    ) -> Option<String> {
        let record = self.record.as_mut()?;
        let per_sec = f64::from(rate.max(1));
        self.shifts.extend_from_slice(new_shifts);
        match (program, &mut self.timeline) {
            (Program::Workout(w), Some(timeline)) => {
                // A device at another rate (reconnected) counts in other frames, and a shift
                // moves the steps to come: walk a timeline at that rate, with every shift made,
                // from the step after the last one recorded.
                if let Some(next) = timeline.next
                    && (timeline.cursor.rate() != rate || !new_shifts.is_empty())
                {
                    let mut cursor = BeatCursor::workout_shifted(w, rate, &self.shifts);
                    let next = cursor.by_ref().find(|b| b.index >= next.index);
                    *timeline = Timeline {
                        cursor,
                        next,
                        current: timeline.current,
                    };
                }
                // A step counts as heard up to 15 ms early, as the lamp does.
                let early = u64::from(rate) * 15 / 1000;
                while let Some(beat) = timeline.next.filter(|b| b.frame <= heard.frames + early) {
                    let name = w
                        .segments()
                        .get(beat.segment)
                        .map_or("", |s| s.name.as_str());
                    let at = beat.frame as f64 / per_sec;
                    // A shifted part is its own part, named by the shift: "Main (+2 spm)".
                    let part = (beat.segment, beat.shift as u32);
                    if beat.shift == 0 {
                        record.step(at, beat.index, part, name, beat.milli_spm);
                    } else {
                        let name = format!("{name} ({})", shift_text(beat.shift));
                        record.step(at, beat.index, part, &name, beat.milli_spm);
                    }
                    timeline.current = Some(beat.segment);
                    timeline.next = timeline.cursor.next();
                }
            }
            _ => {
                if let Some(beat) = heard.beat {
                    let name = format!("Steady {:.1} spm", f64::from(beat.milli_spm) / 1000.0);
                    let at = beat.frame as f64 / per_sec;
                    record.step(at, beat.index, (0, beat.milli_spm), &name, beat.milli_spm);
                    // A steady run nudged on its way is named by every tempo it ran at.
                    if record.segments.len() > 1 {
                        record.workout = steady_name(&record.segments);
                    }
                }
            }
        }
        record.elapsed(heard.elapsed.as_secs_f64());
        let due = record.duration_secs - self.saved_at_secs >= SAVE_EVERY_SECS
            || record.segments.len() != self.segments_saved;
        if due { self.save() } else { None }
    }

    /// Notes that the microphone heard `spm` at `at_secs` of session time; one reading a
    /// second is kept (a second already heard keeps its first). Written with the next save.
    pub fn hear(&mut self, at_secs: f64, spm: f64) {
        if self.record.is_none() || !spm.is_finite() || spm <= 0.0 {
            return;
        }
        let at = at_secs.floor();
        if self.heard.last().is_none_or(|&(last, _)| at > last) {
            self.heard.push((at, spm));
        }
    }

    /// A track of the runner's music started `at_secs` into the session; written with the next
    /// save.
    pub fn add_track(&mut self, track: crate::cadence::session::PlayedTrack) {
        if let Some(record) = self.record.as_mut() {
            record.music.push(track);
        }
    }

    /// What the closed loop did so far; written with the next save.
    pub fn set_closed_loop(&mut self, summary: crate::cadence::closed_loop::ClosedLoopSummary) {
        if let Some(record) = self.record.as_mut() {
            record.closed_loop = Some(summary);
        }
    }

    /// The frame (at `rate`) at which the next 30 s save falls due, while recording.
    pub fn next_save_frame(&self, rate: u64) -> Option<u64> {
        self.record.as_ref()?;
        Some(((self.saved_at_secs + SAVE_EVERY_SECS) * rate as f64).ceil() as u64)
    }

    /// The frame of the first step of the workout's next segment, while one is recorded.
    pub fn next_part_frame(&self) -> Option<u64> {
        let timeline = self.timeline.as_ref()?;
        self.record.as_ref()?;
        let next = timeline.next?;
        if timeline.current != Some(next.segment) {
            return Some(next.frame);
        }
        timeline
            .cursor
            .clone()
            .find(|b| b.segment != next.segment)
            .map(|b| b.frame)
    }

    /// Ends the session and writes it for the last time; returns the record and a save error.
    pub fn end(&mut self, ending: Ending) -> (Option<SessionRecord>, Option<String>) {
        let Some(record) = self.record.as_mut() else {
            return (None, None);
        };
        record.ending = ending;
        self.timeline = None;
        let error = self.save();
        (self.record.take(), error)
    }

    fn save(&mut self) -> Option<String> {
        let record = self.record.as_mut()?;
        if !self.heard.is_empty() {
            record.microphone = Some(ImportedCadence::heard(&self.heard));
        }
        self.saved_at_secs = record.duration_secs;
        self.segments_saved = record.segments.len();
        save_session(&self.data_dir, record)
            .err()
            .map(|e| e.to_string())
    }
}

/// "Steady 170 to 175 to 177 spm": the tempos a steady run was played at, in order; with
/// more than three (a guided nudge), the first and the last and how many ("Steady 162 to 170
/// spm, 5 tempos"). Plain words: the window's font has no arrow.
fn steady_name(parts: &[crate::cadence::session::PlayedSegment]) -> String {
    let mut tempos: Vec<String> = Vec::new();
    for part in parts {
        let text = crate::cadence::tempo_text(part.start_spm);
        if tempos.last() != Some(&text) {
            tempos.push(text);
        }
    }
    match tempos.as_slice() {
        [first, .., last] if tempos.len() > 3 => {
            format!("Steady {first} to {last} spm, {} tempos", tempos.len())
        }
        _ => format!("Steady {} spm", tempos.join(" to ")),
    }
}
