//! The runner's music in the window: the folder scanned in the background (its cache in the
//! data folder), the picker the Music panel steers (skip, ban), and the player that plays with
//! a session. Followed in `logic`, so the music goes on and its lines are kept while the window
//! is hidden; the player itself runs on its own thread and needs no wake-ups.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::CoachApp;
use crate::audio::music::MusicPlayer;
use crate::music::library::{CACHE_FILE, Library, ScanProgress};
use crate::music::picker::{Pick, Picker};
use crate::music::source::LibrarySource;
use crate::music::stream::NowPlaying;
use crate::ui::run_music::MusicShown;

/// How many of the tracks that fit the Music panel lists.
const FITTING_SHOWN: usize = 5;

/// How often the window looks at a scan under way (its progress bar).
const SCAN_LOOK: Duration = Duration::from_millis(250);

/// The music's state in the app.
pub struct MusicState {
    /// The folder's library, once a scan has started.
    library: Option<Arc<Library>>,
    picker: Arc<Mutex<Picker>>,
    player: Option<MusicPlayer>,
    /// What plays now.
    now: Option<NowPlaying>,
    /// The last line about the music (a file that failed, no track for the tempo).
    message: Option<String>,
}

impl MusicState {
    pub fn new(settings: &crate::store::settings::MusicSettings) -> MusicState {
        MusicState {
            library: None,
            picker: Arc::new(Mutex::new(Picker::new(
                settings.stretch_limit_pct / 100.0,
                settings.banned.iter().cloned(),
            ))),
            player: None,
            now: None,
            message: None,
        }
    }

    fn picker(&self) -> std::sync::MutexGuard<'_, Picker> {
        self.picker.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl CoachApp {
    /// Scans the music folder in Settings (again), if one is set.
    pub(super) fn scan_music(&mut self) {
        if let Some(old) = self.music.library.take() {
            old.stop();
        }
        if let Some(folder) = self.settings.music.folder.clone() {
            let cache = self.recording.data_dir.join(CACHE_FILE);
            self.music.library = Some(Library::scan_in_background(&folder, &cache));
            self.music.message = None;
        }
    }

    /// "Use this folder" on the Music panel: kept in Settings and scanned; music turns on.
    pub(super) fn use_music_folder(&mut self, path: PathBuf) {
        let path = std::path::absolute(&path).unwrap_or(path);
        if !path.is_dir() {
            self.music.message = Some(format!("{} is not a folder", path.display()));
            return;
        }
        let mut settings = self.settings.clone();
        settings.music.folder = Some(path);
        settings.music.on = true;
        self.update_settings(settings);
        self.scan_music();
    }

    /// Starts the music with the session that has just started, if the runner wants it and the
    /// library has something to play.
    pub(super) fn start_music(&mut self) {
        self.music.player = None;
        self.music.now = None;
        let (Some(track), Some(library)) = (&self.track, &self.music.library) else {
            return;
        };
        if !self.settings.music.on || !self.playing {
            return;
        }
        let source = LibrarySource::new(library.clone(), self.music.picker.clone());
        self.music.player = Some(MusicPlayer::start(
            track.clone(),
            Box::new(source),
            self.settings.music.stretch_limit_pct / 100.0,
        ));
        self.apply_music_settings();
    }

    /// Stops the music: it fades out over what is already prepared.
    pub(super) fn stop_music(&mut self) {
        if let (Some(track), Some(_)) = (&self.track, &self.music.player) {
            track.set_music_volume(0.0);
            track.set_click_muted(false);
        }
        self.music.player = None;
        self.music.now = None;
    }

    /// Takes in what the player and the scan have to say; starts or stops the music as the
    /// runner turns it on or off during a session. Returns when to look again (a scan's
    /// progress while shown).
    pub(super) fn follow_music(&mut self, hidden: bool) -> Option<Duration> {
        if self.playing && self.settings.music.on && self.music.player.is_none() {
            // Turned on during a session (or the scan has just found the first tracks).
            let ready = self
                .music
                .library
                .as_ref()
                .is_some_and(|l| l.progress().steady > 0);
            if ready {
                self.start_music();
            }
        } else if (!self.playing || !self.settings.music.on) && self.music.player.is_some() {
            self.stop_music();
        }
        if let Some(player) = &self.music.player {
            if let Some(note) = player.take_notes().pop() {
                self.music.message = Some(note);
            }
            let now = player.now();
            // The record keeps every track that started, when by the session's clock (while
            // hidden, this pass may come many seconds and several tracks later).
            let rate = self.track.as_ref().map_or(48_000, |t| t.rate().max(1));
            for track in player.take_started() {
                self.recording
                    .add_track(crate::cadence::session::PlayedTrack {
                        at_secs: track.started as f64 / f64::from(rate),
                        title: track.title,
                        bpm: track.bpm,
                        stretch_pct: track.stretch * 100.0,
                    });
            }
            self.music.now = now;
        }
        let library = self.music.library.as_ref()?;
        if let Some(note) = library.take_notes().pop() {
            self.music.message = Some(note);
        }
        (!hidden && !library.progress().finished).then_some(SCAN_LOOK)
    }

    /// Plays `path` next, when it fits the tempo.
    pub(super) fn queue_track(&mut self, path: PathBuf) {
        self.music.picker().enqueue(path);
    }

    /// Skips to the next track (a short crossfade on the steps).
    pub(super) fn skip_track(&mut self) {
        if let Some(player) = &self.music.player {
            player.skip();
        }
    }

    /// Bans the track playing: it never plays again, and the next one fades in.
    pub(super) fn ban_track(&mut self) {
        let Some(now) = self.music.now.clone() else {
            return;
        };
        self.music.picker().ban(now.path.clone());
        let mut settings = self.settings.clone();
        if !settings.music.banned.contains(&now.path) {
            settings.music.banned.push(now.path.clone());
        }
        self.update_settings(settings);
        self.music.message = Some(format!("Banned {}", now.title));
        self.skip_track();
    }

    /// Lets every banned track play again.
    pub(super) fn unban_all(&mut self) {
        let mut settings = self.settings.clone();
        {
            let mut picker = self.music.picker();
            for path in settings.music.banned.drain(..) {
                picker.unban(&path);
            }
        }
        self.update_settings(settings);
    }

    /// Applies the music settings to what plays: volume, the click on top, the stretch limit.
    pub(super) fn apply_music_settings(&mut self) {
        let music = &self.settings.music;
        self.music
            .picker()
            .set_limit(music.stretch_limit_pct / 100.0);
        if let (Some(track), true) = (&self.track, self.music.player.is_some()) {
            track.set_music_volume(music.volume);
            track.set_click_muted(!music.click);
        }
    }

    /// What the Music panel shows. While a session plays the panel is folded away, and only
    /// the music line is drawn: what would play next and what fits are not looked up on every
    /// frame then.
    pub(crate) fn music_snapshot(&self) -> MusicShown<'_> {
        let progress: Option<ScanProgress> = self.music.library.as_ref().map(|l| l.progress());
        let spm = self.asked_spm();
        let (next, fitting) = match &self.music.library {
            Some(library) if !self.playing => library.with_tracks(|tracks| {
                let picker = self.music.picker();
                let fitting: Vec<(Pick, bool)> = picker
                    .fitting(tracks, spm, FITTING_SHOWN)
                    .into_iter()
                    .map(|p| {
                        let queued = picker.is_queued(&p.path);
                        (p, queued)
                    })
                    .collect();
                (picker.peek(tracks, spm), fitting)
            }),
            _ => (None, Vec::new()),
        };
        MusicShown {
            progress,
            now: self.music.now.as_ref(),
            next,
            fitting,
            message: self.music.message.as_deref(),
            playing: self.music.player.is_some(),
            spm,
        }
    }
}
