//! The recorded sessions as the window holds them, with what the Progress screen derives from
//! them (plot series, advice, the selected session's tempo) and the undo list of deletes. The
//! app struct changes it; screens only read it.

use std::path::PathBuf;

use crate::cadence::progress::{Advice, ProgressSeries, TempoProfile, advice, tempo_profile};
use crate::cadence::session::SessionRecord;
use crate::cadence::stride::Units;

/// The history as the window holds it, with everything derived from it.
#[derive(Debug)]
pub struct History {
    /// Oldest first.
    pub sessions: Vec<SessionRecord>,
    pub series: ProgressSeries,
    pub advice: Vec<Advice>,
    /// The session whose tempo profile is shown.
    pub selected: Option<String>,
    /// The selected session's tempo: played, from a watch, heard on the microphone.
    pub profile: TempoProfile,
    /// A delete waiting for "yes".
    pub confirm_delete: Option<String>,
    /// Sessions deleted since the window opened and where their files went, for Undo (the
    /// latest last).
    pub undo: Vec<(SessionRecord, PathBuf)>,
    pub message: Option<String>,
    /// The runner's time zone, for days on the axis and times in the table.
    pub tz: jiff::tz::TimeZone,
    /// Counts changes, so views built from the history know when to rebuild.
    pub revision: u64,
}

impl History {
    pub fn new(sessions: Vec<SessionRecord>, units: Units) -> History {
        let mut history = History {
            sessions,
            series: ProgressSeries::default(),
            advice: Vec::new(),
            selected: None,
            profile: Default::default(),
            confirm_delete: None,
            undo: Vec::new(),
            message: None,
            tz: jiff::tz::TimeZone::system(),
            revision: 0,
        };
        history.refresh(units);
        history
    }

    /// Rebuilds the plot data and advice after the sessions changed.
    pub fn refresh(&mut self, units: Units) {
        self.revision += 1;
        self.sessions
            .sort_by(|a, b| a.started.cmp(&b.started).then(a.id.cmp(&b.id)));
        self.series = ProgressSeries::new(&self.sessions, &self.tz);
        self.advice = advice(&self.sessions, units);
        if self
            .selected
            .as_ref()
            .is_none_or(|id| self.get(id).is_none())
        {
            self.selected = self.sessions.last().map(|s| s.id.clone());
        }
        self.profile = self
            .selected
            .as_ref()
            .and_then(|id| self.get(id))
            .map(tempo_profile)
            .unwrap_or_default();
    }

    pub fn get(&self, id: &str) -> Option<&SessionRecord> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Adds or replaces a session (by id).
    pub fn put(&mut self, record: SessionRecord, units: Units) {
        match self.sessions.iter_mut().find(|s| s.id == record.id) {
            Some(s) => *s = record,
            None => self.sessions.push(record),
        }
        self.refresh(units);
    }

    pub fn remove(&mut self, id: &str, units: Units) -> Option<SessionRecord> {
        let i = self.sessions.iter().position(|s| s.id == id)?;
        let record = self.sessions.remove(i);
        self.refresh(units);
        Some(record)
    }
}

/// A session's start in local time ("2026-11-21 07:05").
pub fn local_time(started: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    started
        .to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}
