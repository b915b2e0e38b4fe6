//! Session records: what was actually played, as the audio clock saw it.
//!
//! A record is built from the steps the runner heard (their index, part and tempo), so it holds
//! the parts actually played and for how long, not what a workout planned. It is plain data:
//! the caller supplies the start time and saves it.

use serde::{Deserialize, Serialize};

/// The format version this build writes.
pub const SESSION_VERSION: u32 = 1;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Ending {
    /// Still playing when last saved (or the app was killed mid-session).
    #[default]
    InProgress,
    /// The workout ran to its end.
    Finished,
    /// The runner stopped it, or closed the window.
    Stopped,
}

/// One stretch of the session at one workout segment (or one steady tempo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayedSegment {
    pub name: String,
    /// Seconds into the session at its first step.
    pub start_secs: f64,
    /// Seconds from its first step to the last step heard in it.
    pub secs: f64,
    pub start_spm: f64,
    pub end_spm: f64,
    /// Indices of its first and last step in the session.
    pub first_step: u64,
    pub last_step: u64,
}

impl PlayedSegment {
    pub fn steps(&self) -> u64 {
        self.last_step - self.first_step + 1
    }
}

/// One session, saved as it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionRecord {
    pub version: u32,
    /// Unique and sortable: the start time in UTC plus a short suffix.
    pub id: String,
    /// Start time, RFC 3339.
    pub started: String,
    pub workout: String,
    pub target_spm: f64,
    /// Session time heard, from the audio clock.
    pub duration_secs: f64,
    /// Steps heard.
    pub steps: u64,
    pub segments: Vec<PlayedSegment>,
    pub ending: Ending,
    /// What identifies the current part: (segment, tempo key).
    #[serde(skip)]
    part: Option<(usize, u32)>,
}

impl Default for SessionRecord {
    fn default() -> Self {
        SessionRecord {
            version: SESSION_VERSION,
            id: String::new(),
            started: String::new(),
            workout: String::new(),
            target_spm: 0.0,
            duration_secs: 0.0,
            steps: 0,
            segments: Vec::new(),
            ending: Ending::InProgress,
            part: None,
        }
    }
}

impl SessionRecord {
    pub fn new(id: &str, started: &str, workout: &str, target_spm: f64) -> SessionRecord {
        SessionRecord {
            id: id.to_string(),
            started: started.to_string(),
            workout: workout.to_string(),
            target_spm,
            ..SessionRecord::default()
        }
    }

    /// Notes that step `index` (from 0) was heard `at_secs` into the session at `milli_spm`, in
    /// the part `part` (a workout's segment index, with a tempo key that changes when an
    /// open-ended tempo is changed) called `name`. Steps may be skipped between calls; the counts
    /// come from the indices.
    pub fn step(
        &mut self,
        at_secs: f64,
        index: u64,
        part: (usize, u32),
        name: &str,
        milli_spm: u32,
    ) {
        let spm = f64::from(milli_spm) / 1000.0;
        if self.part != Some(part) || self.segments.is_empty() {
            self.segments.push(PlayedSegment {
                name: name.to_string(),
                start_secs: at_secs,
                secs: 0.0,
                start_spm: spm,
                end_spm: spm,
                first_step: index,
                last_step: index,
            });
            self.part = Some(part);
        }
        if let Some(seg) = self.segments.last_mut()
            && index >= seg.last_step
        {
            seg.secs = (at_secs - seg.start_secs).max(0.0);
            seg.end_spm = spm;
            seg.last_step = index;
        }
        self.steps = self.steps.max(index + 1);
        self.duration_secs = self.duration_secs.max(at_secs);
    }

    /// The session clock moved on (between steps, or after the last one).
    pub fn elapsed(&mut self, secs: f64) {
        self.duration_secs = self.duration_secs.max(secs);
    }

    /// Average cadence over the session, from steps and time.
    pub fn average_spm(&self) -> Option<f64> {
        (self.duration_secs >= 1.0 && self.steps > 1)
            .then(|| (self.steps - 1) as f64 / self.duration_secs * 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_segments_and_tempo_changes_and_survive_skipped_steps() {
        let mut r = SessionRecord::new("a", "2026-11-21T10:00:00Z", "Intervals", 170.0);
        // Steps 0–9 of segment 0 at 180 spm, but only every third one observed.
        for i in (0..10).step_by(3) {
            r.step(i as f64 / 3.0, i, (0, 0), "Warm-up", 180_000);
        }
        r.step(10.0 / 3.0, 10, (1, 0), "Main", 170_000);
        r.step(20.0 / 3.0, 19, (1, 0), "Main", 170_000);
        r.elapsed(7.0);
        assert_eq!(r.segments.len(), 2);
        assert_eq!(r.segments[0].first_step, 0);
        assert_eq!(r.segments[0].last_step, 9);
        assert_eq!(r.segments[1].steps(), 10);
        assert_eq!(r.steps, 20);
        assert_eq!(r.duration_secs, 7.0);
        assert!((r.average_spm().unwrap() - 19.0 / 7.0 * 60.0).abs() < 1e-9);
    }

    #[test]
    fn round_trips_through_ron() {
        let mut r = SessionRecord::new("b", "2026-11-21T10:00:00Z", "Steady 170 spm", 170.0);
        r.step(0.0, 0, (0, 340), "Steady", 170_000);
        r.step(1.0, 3, (0, 350), "Steady", 175_000);
        r.ending = Ending::Stopped;
        let text = ron::to_string(&r).unwrap();
        let back: SessionRecord = ron::from_str(&text).unwrap();
        assert_eq!(back.segments, r.segments);
        assert_eq!(back.ending, Ending::Stopped);
        assert_eq!(back.steps, 4);
    }
}
