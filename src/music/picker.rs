//! Picking the next track for the tempo in force: one whose tempo, or its double or half,
//! is within the stretch limit of the cadence, the smallest stretch first, not one of the last
//! few played; the runner's queue goes first, and banned tracks never play.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use super::library::TrackEntry;

/// Track beats per step tried: a 44 BPM ballad's quarter, an 88 BPM song's half …
const FACTORS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];
/// At most this many recent tracks are kept from playing again.
const RECENT: usize = 20;

/// How a track fits a cadence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Track beats per step (0.5: a beat every other step).
    pub factor: f64,
    /// How much faster (+) or slower (−) than its own tempo it must play: 0.02 is 2 %.
    pub stretch: f64,
}

/// The fit of a track at `bpm` to `spm` with the least stretch, if within `limit`.
pub fn fit(bpm: f64, spm: f64, limit: f64) -> Option<Fit> {
    FACTORS
        .iter()
        .map(|&factor| Fit {
            factor,
            stretch: spm * factor / bpm - 1.0,
        })
        .filter(|f| f.stretch.abs() <= limit + 1e-9)
        .min_by(|a, b| a.stretch.abs().total_cmp(&b.stretch.abs()))
}

/// A track picked, with how it fits.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub path: PathBuf,
    pub title: String,
    pub bpm: f64,
    pub fit: Fit,
    pub beats_s: Vec<f32>,
}

/// The runner's choices and what has played.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    limit: f64,
    queue: VecDeque<PathBuf>,
    recent: VecDeque<PathBuf>,
    banned: BTreeSet<PathBuf>,
    /// Tracks that would not open in this session.
    broken: BTreeSet<PathBuf>,
}

impl Picker {
    /// A picker stretching at most `limit` (0.06: ±6 %), never picking `banned`.
    pub fn new(limit: f64, banned: impl IntoIterator<Item = PathBuf>) -> Picker {
        Picker {
            limit,
            banned: banned.into_iter().collect(),
            ..Picker::default()
        }
    }

    pub fn set_limit(&mut self, limit: f64) {
        self.limit = limit;
    }

    /// Plays `path` next (when its tempo fits), after those queued before it.
    pub fn enqueue(&mut self, path: PathBuf) {
        if !self.queue.contains(&path) {
            self.queue.push_back(path);
        }
    }

    pub fn queued(&self) -> impl Iterator<Item = &Path> {
        self.queue.iter().map(PathBuf::as_path)
    }

    /// Never plays `path` again (until unbanned).
    pub fn ban(&mut self, path: PathBuf) {
        self.queue.retain(|p| *p != path);
        self.banned.insert(path);
    }

    pub fn unban(&mut self, path: &Path) {
        self.banned.remove(path);
    }

    /// Leaves out a track that would not open, for the rest of the session.
    pub fn mark_broken(&mut self, path: PathBuf) {
        self.broken.insert(path);
    }

    /// Up to `most` tracks that fit `spm` (none banned), the smallest stretch first: what the
    /// runner may queue.
    pub fn fitting(&self, tracks: &[TrackEntry], spm: f64, most: usize) -> Vec<Pick> {
        let mut picks: Vec<Pick> = tracks
            .iter()
            .filter(|t| self.playable(t))
            .filter_map(|t| self.pick_of(t, spm, false))
            .collect();
        picks.sort_by(|a, b| a.fit.stretch.abs().total_cmp(&b.fit.stretch.abs()));
        picks.truncate(most);
        picks
    }

    /// Not banned, and not found broken.
    fn playable(&self, track: &TrackEntry) -> bool {
        !self.banned.contains(&track.path) && !self.broken.contains(&track.path)
    }

    /// `track` as a pick for `spm`, if it has a steady beat that fits (with its beats, or
    /// without them for a list).
    fn pick_of(&self, track: &TrackEntry, spm: f64, with_beats: bool) -> Option<Pick> {
        let bpm = track.steady_bpm()?;
        Some(Pick {
            path: track.path.clone(),
            title: track.title.clone(),
            bpm,
            fit: fit(bpm, spm, self.limit)?,
            beats_s: if with_beats {
                track.beats_s()?
            } else {
                Vec::new()
            },
        })
    }

    /// Whether `path` is queued.
    pub fn is_queued(&self, path: &Path) -> bool {
        self.queue.iter().any(|p| p == path)
    }

    /// The track to play next at `spm`, without taking it.
    pub fn peek(&self, tracks: &[TrackEntry], spm: f64) -> Option<Pick> {
        self.choose(tracks, spm).map(|(_, pick)| pick)
    }

    /// Takes the track to play next at `spm`: it leaves the queue and counts as played.
    pub fn pick(&mut self, tracks: &[TrackEntry], spm: f64) -> Option<Pick> {
        let (queued, pick) = self.choose(tracks, spm)?;
        if let Some(i) = queued {
            self.queue.remove(i);
        }
        self.recent.retain(|p| *p != pick.path);
        self.recent.push_back(pick.path.clone());
        while self.recent.len() > RECENT {
            self.recent.pop_front();
        }
        Some(pick)
    }

    /// The queue's first track that fits (and its place in the queue), else the library's
    /// best: the smallest stretch among those not played lately.
    fn choose(&self, tracks: &[TrackEntry], spm: f64) -> Option<(Option<usize>, Pick)> {
        let playable = |t: &&TrackEntry| self.playable(t);
        let make = |t: &TrackEntry| self.pick_of(t, spm, true);
        for (i, path) in self.queue.iter().enumerate() {
            if let Some(pick) = tracks
                .iter()
                .filter(playable)
                .find(|t| t.path == *path)
                .and_then(make)
            {
                return Some((Some(i), pick));
            }
        }
        let fits: Vec<(&TrackEntry, Fit)> = tracks
            .iter()
            .filter(playable)
            .filter_map(|t| Some((t, fit(t.steady_bpm()?, spm, self.limit)?)))
            .collect();
        // Keep the last few from coming back while there are others: at most half of those
        // that fit, so two tracks alternate and one plays on.
        let keep_out = RECENT.min(fits.len() / 2);
        let lately: Vec<&PathBuf> = self.recent.iter().rev().take(keep_out).collect();
        let best = fits
            .iter()
            .filter(|(t, _)| !lately.contains(&&t.path))
            .min_by(|a, b| a.1.stretch.abs().total_cmp(&b.1.stretch.abs()))
            .or_else(|| {
                // All played lately: the one played longest ago.
                fits.iter().min_by_key(|(t, _)| {
                    self.recent
                        .iter()
                        .position(|p| *p == t.path)
                        .unwrap_or(usize::MAX)
                })
            })?;
        make(best.0).map(|pick| (None, pick))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::library::Outcome;

    fn track(name: &str, bpm: f64) -> TrackEntry {
        let beat = 60.0 / bpm;
        TrackEntry {
            path: PathBuf::from(format!("/music/{name}.mp3")),
            size: 1,
            modified: 1,
            title: name.to_string(),
            duration_s: 200.0,
            outcome: Outcome::Steady {
                bpm,
                beats: (0..300).map(|i| (i as f64 * beat * 1e4) as u32).collect(),
            },
        }
    }

    #[test]
    fn a_track_fits_by_its_tempo_or_its_double_or_half_within_the_limit() {
        let f = fit(88.0, 176.0, 0.06).unwrap();
        assert_eq!(f.factor, 0.5);
        assert!(f.stretch.abs() < 1e-12);
        let f = fit(165.0, 170.0, 0.06).unwrap();
        assert_eq!(f.factor, 1.0);
        assert!((f.stretch - (170.0 / 165.0 - 1.0)).abs() < 1e-12);
        assert!(fit(150.0, 170.0, 0.06).is_none(), "13 % is too far");
        assert!(fit(150.0, 170.0, 0.14).is_some());
        assert_eq!(fit(43.0, 172.0, 0.06).unwrap().factor, 0.25);
    }

    #[test]
    fn the_smallest_stretch_first_and_no_repeats_while_others_fit() {
        let tracks = vec![
            track("a", 168.0),
            track("b", 171.0),
            track("c", 85.0),
            track("d", 120.0),
            track("e", 176.0),
        ];
        let mut picker = Picker::new(0.06, []);
        let order: Vec<String> = (0..4)
            .map(|_| picker.pick(&tracks, 170.0).unwrap().title)
            .collect();
        // b (0.6 %), c as 170 (0 %) first; then a (1.2 %), e (3.4 %); d never fits.
        assert_eq!(order[0], "c");
        assert_eq!(order[1], "b");
        assert!(!order.contains(&"d".to_string()));
        // With four that fit, the last two are kept out: no track plays twice in a row.
        for w in order.windows(2) {
            assert_ne!(w[0], w[1]);
        }
        let mut picker = Picker::new(0.06, []);
        let mut last = String::new();
        for _ in 0..10 {
            let t = picker.pick(&tracks, 170.0).unwrap().title;
            assert_ne!(t, last);
            last = t;
        }
    }

    #[test]
    fn the_queue_goes_first_and_banned_tracks_never_play() {
        let tracks = vec![track("a", 168.0), track("b", 171.0), track("c", 150.0)];
        let mut picker = Picker::new(0.06, [PathBuf::from("/music/b.mp3")]);
        picker.enqueue(PathBuf::from("/music/c.mp3")); // does not fit 170: waits
        picker.enqueue(PathBuf::from("/music/a.mp3"));
        assert_eq!(picker.peek(&tracks, 170.0).unwrap().title, "a");
        assert_eq!(picker.pick(&tracks, 170.0).unwrap().title, "a");
        assert_eq!(picker.queued().count(), 1);
        // At 155 spm the queued one fits (−3.2 %).
        assert_eq!(picker.pick(&tracks, 155.0).unwrap().title, "c");
        for _ in 0..5 {
            assert_ne!(picker.pick(&tracks, 170.0).unwrap().title, "b");
        }
        let fitting: Vec<String> = picker
            .fitting(&tracks, 170.0, 5)
            .into_iter()
            .map(|p| p.title)
            .collect();
        assert_eq!(fitting, ["a"], "b is banned, c does not fit");
        picker.unban(Path::new("/music/b.mp3"));
        assert_eq!(picker.fitting(&tracks, 170.0, 1)[0].title, "b");
        picker.ban(PathBuf::from("/music/a.mp3"));
        assert_eq!(picker.pick(&tracks, 170.0).unwrap().title, "b");
        assert!(picker.pick(&tracks, 200.0).is_none());
    }
}
