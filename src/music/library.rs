//! The runner's music folder: its files, and each one's tempo and beats, found once and kept in
//! a cache file in the data folder keyed by path, size and modification time.
//!
//! A scan walks the folder (hidden files and folders left out, folder links not followed),
//! takes what the cache already knows of a file that has not changed, and analyses the rest
//! one at a time: the file is decoded a block at a time into the analysis, which keeps only
//! its onset envelopes, so no track's audio is ever held whole and a library of thousands scans
//! in a few megabytes. A file that cannot be read is kept in the cache as failed (one line
//! says why) and not tried again until it changes; a damaged cache is rebuilt.
//!
//! The scan runs on a worker thread ([`Library::scan_in_background`]) whose progress and
//! findings anyone can read, or on the caller's thread ([`Library::scan_now`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::analysis::Analyser;
use super::decode::{TrackReader, is_music_file};

/// The cache file's name in the data folder.
pub const CACHE_FILE: &str = "music-cache.ron";
const CACHE_VERSION: u32 = 1;
/// Longer than this is a mix or an audiobook, not a track to run to.
const MAX_TRACK_S: f64 = 3600.0;
/// Shorter than this is a jingle or a sample: it would end as soon as it had faded in.
pub const MIN_TRACK_S: f64 = 20.0;
/// While new files are analysed the cache is written this often (a scan stopped halfway keeps
/// its work), and at the end if anything changed.
const SAVE_EVERY: Duration = Duration::from_secs(20);
/// A cache larger than this is not read (a library of 100,000 tracks is about 100 MB).
const MAX_CACHE_BYTES: u64 = 512 << 20;

/// What the analysis made of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// A steady beat: its tempo and every beat, in tenths of a millisecond from the start.
    Steady { bpm: f64, beats: Vec<u32> },
    /// Music without a steady beat to run to (skipped when picking).
    Unsteady { bpm: Option<f64> },
    /// Shorter than a track to run to (a jingle, a sample): skipped when picking.
    Short,
    /// The file could not be read.
    Failed { reason: String },
}

/// One file of the library, as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackEntry {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since 1970.
    pub modified: u64,
    /// "Artist – Title" from the tags, else the file's name.
    pub title: String,
    pub duration_s: f64,
    pub outcome: Outcome,
}

impl TrackEntry {
    /// The tempo, for a track with a steady beat.
    pub fn steady_bpm(&self) -> Option<f64> {
        match self.outcome {
            Outcome::Steady { bpm, .. } => Some(bpm),
            _ => None,
        }
    }

    /// The beats in seconds, for a track with a steady beat.
    pub fn beats_s(&self) -> Option<Vec<f32>> {
        match &self.outcome {
            Outcome::Steady { beats, .. } => Some(beats.iter().map(|&b| b as f32 / 1e4).collect()),
            _ => None,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    tracks: Vec<TrackEntry>,
}

/// How far a scan has got.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanProgress {
    /// Still walking the folder: `found` grows.
    pub walking: bool,
    /// Music files found.
    pub found: usize,
    /// Of them, looked at (from the cache or analysed).
    pub done: usize,
    /// Of them, analysed in this scan (not known from the cache).
    pub analysed: usize,
    /// With a steady beat, without one, and that could not be read.
    pub steady: usize,
    pub unsteady: usize,
    pub short: usize,
    pub failed: usize,
    pub finished: bool,
}

impl ScanProgress {
    /// "Scanning music: 120 of 2,000 files" or "Music: 1,850 tracks with a steady beat …".
    pub fn line(&self) -> String {
        if self.walking {
            format!("Looking for music: {} files so far", self.found)
        } else if !self.finished {
            format!("Analysing music: {} of {} files", self.done, self.found)
        } else {
            let mut text = format!(
                "{} track{} with a steady beat",
                self.steady,
                if self.steady == 1 { "" } else { "s" }
            );
            if self.unsteady > 0 {
                text.push_str(&format!(", {} without one (skipped)", self.unsteady));
            }
            if self.short > 0 {
                text.push_str(&format!(
                    ", {} under {MIN_TRACK_S:.0} s (skipped)",
                    self.short
                ));
            }
            if self.failed > 0 {
                text.push_str(&format!(", {} unreadable", self.failed));
            }
            text
        }
    }

    /// The share done, 0–1 (walking counts as nothing done yet).
    pub fn fraction(&self) -> f32 {
        if self.finished {
            1.0
        } else if self.walking || self.found == 0 {
            0.0
        } else {
            self.done as f32 / self.found as f32
        }
    }
}

struct State {
    tracks: Vec<TrackEntry>,
    progress: ScanProgress,
    notes: Vec<String>,
}

/// A music folder and what is known of its tracks, filled in by a scan.
pub struct Library {
    root: PathBuf,
    state: Mutex<State>,
    stop: AtomicBool,
}

impl Library {
    fn new(root: &Path) -> Library {
        Library {
            root: root.to_path_buf(),
            state: Mutex::new(State {
                tracks: Vec::new(),
                progress: ScanProgress {
                    walking: true,
                    ..ScanProgress::default()
                },
                notes: Vec::new(),
            }),
            stop: AtomicBool::new(false),
        }
    }

    /// Scans `root` on a worker thread, with the cache at `cache`; returns at once.
    pub fn scan_in_background(root: &Path, cache: &Path) -> Arc<Library> {
        let library = Arc::new(Library::new(root));
        let worker = library.clone();
        let cache = cache.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("music-scan".into())
            .spawn(move || worker.scan(&cache, &mut |_| {}));
        if let Err(e) = spawned {
            let mut state = library.lock();
            state
                .notes
                .push(format!("could not start the music scan: {e}"));
            state.progress.walking = false;
            state.progress.finished = true;
        }
        library
    }

    /// Scans `root` on this thread, calling `progress` after each file.
    pub fn scan_now(root: &Path, cache: &Path, progress: &mut dyn FnMut(&ScanProgress)) -> Library {
        let library = Library::new(root);
        library.scan(cache, progress);
        library
    }

    pub fn progress(&self) -> ScanProgress {
        self.lock().progress.clone()
    }

    /// Runs `f` with the tracks known so far (all of them once the scan has finished, in path
    /// order).
    pub fn with_tracks<T>(&self, f: impl FnOnce(&[TrackEntry]) -> T) -> T {
        f(&self.lock().tracks)
    }

    /// Lines to show once (a folder that could not be read, a damaged cache, a file that
    /// failed), oldest first.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().notes)
    }

    /// Asks a background scan to stop after the file it is on.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn note(&self, line: String) {
        self.lock().notes.push(line);
    }

    fn scan(&self, cache_path: &Path, progress: &mut dyn FnMut(&ScanProgress)) {
        let (mut known, others) = self.load_cache(cache_path);
        let files = self.walk(progress);
        // New analyses not yet written.
        let mut unsaved = false;
        let mut last_save = Instant::now();
        for (path, size, modified) in files {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            let cached = known
                .remove(&path)
                .filter(|e| e.size == size && e.modified == modified);
            let fresh = cached.is_none();
            let entry = cached.unwrap_or_else(|| analyse_file(&path, size, modified));
            if fresh && let Outcome::Failed { reason } = &entry.outcome {
                self.note(reason.clone());
            }
            {
                let mut state = self.lock();
                let p = &mut state.progress;
                p.done += 1;
                p.analysed += usize::from(fresh);
                match entry.outcome {
                    Outcome::Steady { .. } => p.steady += 1,
                    Outcome::Unsteady { .. } => p.unsteady += 1,
                    Outcome::Short => p.short += 1,
                    Outcome::Failed { .. } => p.failed += 1,
                }
                state.tracks.push(entry);
                progress(&state.progress);
            }
            unsaved |= fresh;
            if unsaved && last_save.elapsed() >= SAVE_EVERY {
                self.save_cache(cache_path, &others, &known);
                unsaved = false;
                last_save = Instant::now();
            }
        }
        // Files of this folder that are gone are dropped from the cache (unless the scan was
        // stopped before it looked at them); other folders' entries are kept. A scan that
        // found everything as the cache had it leaves the file alone.
        let gone = !self.stop.load(Ordering::Relaxed) && !known.is_empty();
        if gone {
            known.clear();
        }
        if unsaved || gone {
            self.save_cache(cache_path, &others, &known);
        }
        let mut state = self.lock();
        state.progress.finished = true;
        progress(&state.progress);
    }

    /// Finds the music files under the root: (path, size, modified), in path order.
    fn walk(&self, progress: &mut dyn FnMut(&ScanProgress)) -> Vec<(PathBuf, u64, u64)> {
        let mut files = Vec::new();
        match fs::metadata(&self.root) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => self.note(format!("{} is not a folder", self.root.display())),
            Err(e) => self.note(format!(
                "could not read the music folder {}: {e}",
                self.root.display()
            )),
        }
        let mut folders = vec![self.root.clone()];
        while let Some(folder) = folders.pop() {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            let entries = match fs::read_dir(&folder) {
                Ok(entries) => entries,
                Err(e) => {
                    if folder != self.root {
                        self.note(format!(
                            "could not read the folder {}: {e}",
                            folder.display()
                        ));
                    }
                    continue;
                }
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                // Not following folder links keeps a link loop from walking forever.
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    folders.push(path);
                } else if is_music_file(&path)
                    && let Ok(meta) = fs::metadata(&path)
                    && meta.is_file()
                {
                    let modified = meta
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos() as u64);
                    files.push((path, meta.len(), modified));
                }
            }
            let mut state = self.lock();
            state.progress.found = files.len();
            progress(&state.progress);
        }
        files.sort();
        let mut state = self.lock();
        state.progress.walking = false;
        state.progress.found = files.len();
        progress(&state.progress);
        files
    }

    /// The cache's entries under this root (by path), and the others.
    fn load_cache(
        &self,
        path: &Path,
    ) -> (
        std::collections::HashMap<PathBuf, TrackEntry>,
        Vec<TrackEntry>,
    ) {
        let mut mine = std::collections::HashMap::new();
        let mut others = Vec::new();
        let text = match fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (mine, others),
            Ok(m) if m.len() > MAX_CACHE_BYTES => {
                self.note(format!(
                    "the music cache {} is over {} MB; it is rebuilt",
                    path.display(),
                    MAX_CACHE_BYTES >> 20
                ));
                return (mine, others);
            }
            _ => fs::read_to_string(path),
        };
        let parsed = text
            .map_err(|e| e.to_string())
            .and_then(|t| ron::from_str::<CacheFile>(&t).map_err(|e| e.to_string()))
            .and_then(|c| {
                if c.version == CACHE_VERSION {
                    Ok(c)
                } else {
                    Err(format!("it has format version {}", c.version))
                }
            });
        match parsed {
            Ok(cache) => {
                for entry in cache.tracks {
                    if entry.path.starts_with(&self.root) {
                        mine.insert(entry.path.clone(), entry);
                    } else {
                        others.push(entry);
                    }
                }
            }
            Err(why) => self.note(format!(
                "the music cache {} could not be read ({}); the music is analysed again",
                path.display(),
                why.lines().next().unwrap_or_default()
            )),
        }
        (mine, others)
    }

    /// Writes this folder's tracks known so far, with `others` (other folders') and `unseen`
    /// (this folder's not looked at yet).
    fn save_cache(
        &self,
        path: &Path,
        others: &[TrackEntry],
        unseen: &std::collections::HashMap<PathBuf, TrackEntry>,
    ) {
        let mut tracks: Vec<TrackEntry> = self.with_tracks(|kept| {
            others
                .iter()
                .chain(kept)
                .chain(unseen.values())
                .cloned()
                .collect()
        });
        tracks.sort_by(|a, b| a.path.cmp(&b.path));
        let cache = CacheFile {
            version: CACHE_VERSION,
            tracks,
        };
        let saved = ron::to_string(&cache)
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|text| {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir)?;
                }
                crate::atomic_file::write_atomic(path, text.as_bytes())
            });
        if let Err(e) = saved {
            self.note(format!(
                "could not save the music cache {}: {e} (the music will be analysed again next time)",
                path.display()
            ));
        }
    }
}

/// Analyses one file: its tags' title, its length, and its beat (or why it has none).
pub fn analyse_file(path: &Path, size: u64, modified: u64) -> TrackEntry {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut entry = TrackEntry {
        path: path.to_path_buf(),
        size,
        modified,
        title: name,
        duration_s: 0.0,
        outcome: Outcome::Unsteady { bpm: None },
    };
    // A decoder that panics on a hostile file costs that file, not the scan.
    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyse_reader(path)));
    match analysed {
        Ok(Ok((title, duration_s, outcome))) => {
            if let Some(title) = title {
                entry.title = title;
            }
            entry.duration_s = duration_s;
            entry.outcome = outcome;
        }
        Ok(Err(reason)) => entry.outcome = Outcome::Failed { reason },
        Err(_) => {
            entry.outcome = Outcome::Failed {
                reason: format!(
                    "{} could not be decoded (the decoder failed)",
                    path.display()
                ),
            }
        }
    }
    entry
}

fn analyse_reader(path: &Path) -> Result<(Option<String>, f64, Outcome), String> {
    let mut reader = TrackReader::open(path).map_err(|e| e.to_string())?;
    let too_long = || {
        format!(
            "{} is longer than {} minutes: not a track to run to",
            path.display(),
            MAX_TRACK_S / 60.0
        )
    };
    if reader.duration_s().is_some_and(|d| d > MAX_TRACK_S) {
        return Err(too_long());
    }
    let mut analyser = Analyser::new(super::deck::FrameSource::rate(&reader));
    let mut block = Vec::with_capacity(8192);
    loop {
        block.clear();
        if reader.read_mono(&mut block, 8192) == 0 {
            break;
        }
        analyser.push(&block);
        if analyser.seconds() > MAX_TRACK_S {
            return Err(too_long());
        }
    }
    if let Some(error) = reader.take_error() {
        return Err(error);
    }
    let duration_s = analyser.seconds();
    let title = reader.title().map(str::to_string);
    if duration_s < MIN_TRACK_S {
        return Ok((title, duration_s, Outcome::Short));
    }
    let outcome = match analyser.finish() {
        Some(found) if found.steady => Outcome::Steady {
            bpm: found.bpm,
            beats: found
                .beats_s
                .iter()
                .map(|&t| (t.max(0.0) * 1e4).round() as u32)
                .collect(),
        },
        Some(found) => Outcome::Unsteady {
            bpm: Some(found.bpm),
        },
        None => Outcome::Unsteady { bpm: None },
    };
    Ok((title, duration_s, outcome))
}

#[cfg(test)]
mod tests;
