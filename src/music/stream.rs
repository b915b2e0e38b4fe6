//! The music of a session: one track after another on the step grid, each picked for the tempo
//! in force when it starts, crossfaded into the next on the steps.
//!
//! A track gives way when it nears its last beat, when the tempo has moved so far that it would
//! have to be stretched past the limit (a ramp, a nudge), or when the runner skips it. The next
//! one starts on a step, its first beat on that step, and fades in over the same steps the last
//! one fades out. When nothing fits the tempo, the music fades out and the click goes on alone;
//! the stream looks again every few seconds.

use std::path::PathBuf;

use super::deck::{BeatMap, Deck, FrameSource};
use super::grid::{StepGrid, spm_at, step_at};

/// Steps a crossfade between tracks lasts (a bit over 2 s at 180 spm).
pub const CROSSFADE_STEPS: f64 = 8.0;
/// Steps a skip fades over.
const SKIP_STEPS: f64 = 2.0;
/// Steps the first track fades in over.
const FIRST_STEPS: f64 = 2.0;
/// A playing track gives way once the tempo needs this much more stretch than the limit.
const STRETCH_SLACK: f64 = 0.02;
/// How long to wait before looking again when nothing fits, in seconds.
const RETRY_S: f64 = 4.0;

/// A track opened to play, with what the picker found for it.
pub struct Opened {
    pub path: PathBuf,
    pub title: String,
    /// The track's own tempo.
    pub bpm: f64,
    /// Its beats, seconds from the start of the file.
    pub beats_s: Vec<f32>,
    /// Track beats per step (0.5 for a 88 BPM song at 176 spm).
    pub factor: f64,
    pub source: Box<dyn FrameSource>,
}

/// Where the stream gets its tracks (the library and the picker, in the app).
pub trait TrackSource: Send {
    /// The next track for `spm`: `Ok(None)` when nothing fits, `Err` with one line when the
    /// one picked could not be opened (the stream then asks again).
    fn next(&mut self, spm: f64) -> Result<Option<Opened>, String>;
}

/// What is playing, for the Music panel and the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct NowPlaying {
    pub path: PathBuf,
    pub title: String,
    pub bpm: f64,
    pub factor: f64,
    /// How much faster (+) or slower (−) than its own tempo it plays now: 0.023 is 2.3 %.
    pub stretch: f64,
    /// The output frame it started at (the session's clock).
    pub started: u64,
}

struct Playing {
    deck: Deck,
    now: NowPlaying,
}

/// The music of a session, rendered block by block on a worker (or for a file).
pub struct MusicStream {
    rate: u32,
    source: Box<dyn TrackSource>,
    limit: f64,
    playing: Option<Playing>,
    leaving: Vec<Deck>,
    pos: u64,
    hint: u64,
    retry_at: u64,
    skip: bool,
    notes: Vec<String>,
    /// The tempo last said to have no track, in half-steps (to say it once per tempo).
    said_none: Option<i64>,
    /// Every track started (each knows the frame it started at).
    played: Vec<NowPlaying>,
}

impl MusicStream {
    /// A stream at `rate` picking tracks within `limit` (0.06: ±6 %) of the tempo.
    pub fn new(source: Box<dyn TrackSource>, rate: u32, limit: f64) -> MusicStream {
        MusicStream {
            rate,
            source,
            limit,
            playing: None,
            leaving: Vec::new(),
            pos: 0,
            hint: 0,
            retry_at: 0,
            skip: false,
            notes: Vec::new(),
            said_none: None,
            played: Vec::new(),
        }
    }

    /// A stream whose first frame is output frame `pos` (joining a session under way).
    pub fn starting_at(mut self, pos: u64) -> MusicStream {
        self.pos = pos;
        self.retry_at = pos;
        self
    }

    /// The output frame the next block begins at.
    pub fn frame(&self) -> u64 {
        self.pos
    }

    /// Goes on from output frame `pos` (later than [`frame`](Self::frame)), as if what lay
    /// between had been played: for a player that fell behind the sound.
    pub fn jump_to(&mut self, pos: u64) {
        if pos > self.pos {
            self.pos = pos;
            self.retry_at = self.retry_at.max(pos);
        }
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The track source, to start a stream anew (at another rate).
    pub fn into_source(self) -> Box<dyn TrackSource> {
        self.source
    }

    /// Moves on to the next track (crossfaded over two steps).
    pub fn skip(&mut self) {
        self.skip = true;
    }

    /// Every track started so far, in order.
    pub fn played(&self) -> &[NowPlaying] {
        &self.played
    }

    /// What plays now, if anything.
    pub fn now(&self) -> Option<&NowPlaying> {
        self.playing.as_ref().map(|p| &p.now)
    }

    /// Lines to show the runner (a file that failed, no track for the tempo), oldest first.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// Renders the next `out.len() / 2` frames (interleaved stereo), replacing what `out` held.
    pub fn render(&mut self, grid: &mut dyn StepGrid, out: &mut [f32]) {
        out.fill(0.0);
        self.sequence(grid);
        let at = self.pos;
        if let Some(p) = &mut self.playing {
            p.deck.render_add(grid, at, out);
            let x = step_at(grid, at as f64, &mut self.hint);
            p.now.stretch = stretch(spm_at(grid, x.floor() as u64, self.rate), &p.now);
        }
        for deck in &mut self.leaving {
            deck.render_add(grid, at, out);
        }
        self.pos += (out.len() / 2) as u64;
        let pos = self.pos;
        for deck in self
            .playing
            .iter_mut()
            .map(|p| &mut p.deck)
            .chain(&mut self.leaving)
        {
            if let Some(error) = deck.take_error() {
                self.notes.push(error);
            }
        }
        self.leaving.retain(|d| !d.ended_at(pos));
    }

    /// Starts, changes or stops tracks as the grid and the runner ask.
    fn sequence(&mut self, grid: &mut dyn StepGrid) {
        let x = step_at(grid, self.pos as f64, &mut self.hint);
        let next_step = x.floor() as u64 + 1;
        let spm = spm_at(grid, next_step, self.rate);
        let Some(playing) = &mut self.playing else {
            self.skip = false;
            if self.pos >= self.retry_at {
                self.start(grid, next_step, spm, FIRST_STEPS);
            }
            return;
        };
        let deck = &mut playing.deck;
        let last = (deck.map().len() - 1) as f64;
        let steps_left = (last - deck.beat_now()) / deck.factor();
        // Against the track's own tempo, not its beat here: a song's beats wander a little
        // about its tempo, and a track is not dropped for one short bar.
        let too_far = stretch(spm, &playing.now).abs() > self.limit + STRETCH_SLACK;
        let skip = std::mem::take(&mut self.skip);
        let ending = steps_left <= CROSSFADE_STEPS + 2.0 || deck.ended_at(self.pos);
        if !(skip || too_far || ending) {
            return;
        }
        let steps = if skip { SKIP_STEPS } else { CROSSFADE_STEPS };
        if let Some(mut old) = self.playing.take() {
            old.deck.fade_out(grid, next_step as f64, steps);
            self.leaving.push(old.deck);
        }
        self.start(grid, next_step, spm, steps);
    }

    /// Starts the next track for `spm` with its first beat on `step`, fading in over `steps`.
    fn start(&mut self, grid: &mut dyn StepGrid, step: u64, spm: f64, steps: f64) {
        // A few tries: a track that will not open is reported and the next one taken.
        for _ in 0..3 {
            match self.source.next(spm) {
                Ok(Some(opened)) => {
                    let Some(map) = BeatMap::new(&opened.beats_s, opened.source.rate()) else {
                        self.notes
                            .push(format!("skipped {}: too few beats", opened.path.display()));
                        continue;
                    };
                    self.said_none = None;
                    let deck = Deck::new(
                        opened.source,
                        map,
                        opened.factor,
                        step,
                        0.0,
                        grid,
                        self.rate,
                        steps,
                    );
                    let mut now = NowPlaying {
                        path: opened.path,
                        title: opened.title,
                        bpm: opened.bpm,
                        factor: opened.factor,
                        stretch: 0.0,
                        started: deck.start(),
                    };
                    now.stretch = stretch(spm, &now);
                    self.played.push(now.clone());
                    self.playing = Some(Playing { deck, now });
                    return;
                }
                Ok(None) => {
                    let half = (spm * 2.0).round() as i64;
                    if self.said_none != Some(half) {
                        self.said_none = Some(half);
                        self.notes.push(format!(
                            "no track within ±{:.0} % of {} spm; the click goes on alone",
                            self.limit * 100.0,
                            crate::cadence::Spm::new(spm)
                                .map(|s| s.to_string())
                                .unwrap_or_else(|_| format!("{spm:.0}"))
                        ));
                    }
                    break;
                }
                Err(line) => self.notes.push(line),
            }
        }
        self.retry_at = self.pos + (RETRY_S * f64::from(self.rate)) as u64;
    }
}

/// How much faster (+) or slower (−) than its own tempo a track plays at `spm`.
fn stretch(spm: f64, track: &NowPlaying) -> f64 {
    spm * track.factor / track.bpm - 1.0
}

#[cfg(test)]
mod tests;
