//! Recording the session being played, from the audio clock, into its file in the data folder.
//! The file is written when the session starts, at every new segment, every 30 s of session
//! time and when it ends, so a crash or `kill -9` loses at most the last 30 s.

use std::path::PathBuf;

use super::clock::Heard;
use crate::audio::Program;
use crate::cadence::session::{
    Ending, IdSuffix, PlanLink, SessionRecord, session_id, whole_second,
};
use crate::store::sessions::save_session;

/// Session seconds between saves while playing.
pub const SAVE_EVERY_SECS: f64 = 30.0;

#[derive(Debug)]
pub struct Recording {
    pub data_dir: PathBuf,
    record: Option<SessionRecord>,
    saved_at_secs: f64,
    segments_saved: usize,
}

impl Recording {
    pub fn new(data_dir: PathBuf) -> Recording {
        Recording {
            data_dir,
            record: None,
            saved_at_secs: 0.0,
            segments_saved: 0,
        }
    }

    /// The session being recorded, if any.
    pub fn current(&self) -> Option<&SessionRecord> {
        self.record.as_ref()
    }

    /// The target of the session being recorded.
    pub fn target(&self) -> Option<f64> {
        self.record.as_ref()?.target()
    }

    /// Begins a record for `program`, aimed at `target_spm`, and writes it at once. Returns a
    /// save error to show.
    pub fn start(
        &mut self,
        program: &Program,
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
        self.save()
    }

    /// Notes what was heard; saves when a segment starts or 30 s have passed.
    pub fn observe(&mut self, heard: &Heard, program: &Program, rate: u32) -> Option<String> {
        let record = self.record.as_mut()?;
        if let Some(beat) = heard.beat {
            let (part, name) = match program {
                Program::Workout(w) => (
                    (beat.segment, 0),
                    w.segments()
                        .get(beat.segment)
                        .map_or_else(String::new, |s| s.name.clone()),
                ),
                Program::Open { .. } => (
                    (0, beat.milli_spm),
                    format!("Steady {:.1} spm", f64::from(beat.milli_spm) / 1000.0),
                ),
            };
            let at = beat.frame as f64 / f64::from(rate.max(1));
            record.step(at, beat.index, part, &name, beat.milli_spm);
        }
        record.elapsed(heard.elapsed.as_secs_f64());
        let due = record.duration_secs - self.saved_at_secs >= SAVE_EVERY_SECS
            || record.segments.len() != self.segments_saved;
        if due { self.save() } else { None }
    }

    /// Ends the session and writes it for the last time; returns the record and a save error.
    pub fn end(&mut self, ending: Ending) -> (Option<SessionRecord>, Option<String>) {
        let Some(record) = self.record.as_mut() else {
            return (None, None);
        };
        record.ending = ending;
        let error = self.save();
        (self.record.take(), error)
    }

    fn save(&mut self) -> Option<String> {
        let record = self.record.as_ref()?;
        self.saved_at_secs = record.duration_secs;
        self.segments_saved = record.segments.len();
        save_session(&self.data_dir, record)
            .err()
            .map(|e| e.to_string())
    }
}
