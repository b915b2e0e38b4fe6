//! The tracks a session plays: picked from the library for the tempo in force and opened for
//! decoding, for [`MusicStream`](super::stream::MusicStream).

use std::sync::{Arc, Mutex};

use super::deck::FrameSource;
use super::decode::TrackReader;
use super::library::Library;
use super::picker::{Pick, Picker};
use super::stream::{Opened, TrackSource};

/// Picks from a library with a picker the runner also steers (queue, ban) from elsewhere.
pub struct LibrarySource {
    library: Arc<Library>,
    picker: Arc<Mutex<Picker>>,
}

impl LibrarySource {
    pub fn new(library: Arc<Library>, picker: Arc<Mutex<Picker>>) -> LibrarySource {
        LibrarySource { library, picker }
    }
}

impl TrackSource for LibrarySource {
    fn next(&mut self, spm: f64) -> Result<Option<Opened>, String> {
        let mut picker = self.picker.lock().unwrap_or_else(|e| e.into_inner());
        let Some(pick) = self.library.with_tracks(|tracks| picker.pick(tracks, spm)) else {
            return Ok(None);
        };
        // A decoder that panics on a hostile file costs that file, not the session.
        let reader = std::panic::catch_unwind(|| TrackReader::open(&pick.path));
        let reader = match reader {
            Ok(Ok(reader)) => reader,
            Ok(Err(e)) => {
                picker.mark_broken(pick.path);
                return Err(e.to_string());
            }
            Err(_) => {
                let line = format!("{} could not be decoded", pick.path.display());
                picker.mark_broken(pick.path);
                return Err(line);
            }
        };
        Ok(Some(opened(pick, Box::new(reader))))
    }
}

/// A picked track with its audio, ready for the stream.
pub fn opened(pick: Pick, source: Box<dyn FrameSource>) -> Opened {
    Opened {
        path: pick.path,
        title: pick.title,
        bpm: pick.bpm,
        beats_s: pick.beats_s,
        factor: pick.fit.factor,
        source,
    }
}
