//! `--music DIR` for `play` and `render`: the folder scanned (with its cache in the data
//! folder), the picker with the runner's bans from Settings, and the lines that say what was
//! found and what played.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::Args;

use crate::music::library::{CACHE_FILE, Library};
use crate::music::picker::Picker;
use crate::music::source::LibrarySource;
use crate::music::stream::NowPlaying;
use crate::store::settings::{STRETCH_PCT, Settings, default_settings_path};

#[derive(Debug, Args)]
pub(super) struct MusicArgs {
    /// Play your own music from this folder (MP3, M4A, FLAC, Ogg, WAV; analysed once and cached
    /// in the data folder), each track stretched so that its beats land on the steps
    #[arg(long, value_name = "DIR")]
    pub music: Option<PathBuf>,
    /// With --music: `off` leaves the click out and plays the music alone
    #[arg(long, value_name = "on|off", default_value = "on", value_parser = parse_on_off, action = clap::ArgAction::Set, requires = "music")]
    pub click: bool,
    /// With --music: the music's volume in percent, 0–100
    #[arg(long, value_name = "PERCENT", default_value_t = 80, value_parser = clap::value_parser!(u8).range(0..=100), requires = "music")]
    pub music_volume: u8,
    /// With --music: how far a track's tempo may be stretched to the cadence, in percent either
    /// way (1–12)
    #[arg(long, value_name = "PERCENT", default_value_t = 6.0, value_parser = parse_stretch, requires = "music")]
    pub stretch: f64,
}

fn parse_on_off(text: &str) -> Result<bool, String> {
    match text.trim() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("'{text}' is neither on nor off")),
    }
}

fn parse_stretch(text: &str) -> Result<f64, String> {
    let pct: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a percentage"))?;
    if STRETCH_PCT.contains(&pct) {
        Ok(pct)
    } else {
        Err(format!(
            "a stretch of {pct} % is outside 1–12 % (past that a song sounds wrong)"
        ))
    }
}

/// A scanned music folder and the picker that plays from it.
pub(super) struct MusicSetup {
    pub library: Arc<Library>,
    pub picker: Arc<Mutex<Picker>>,
    pub volume: f32,
    pub click: bool,
    pub limit: f64,
    pub settings: Settings,
    /// Why there is nothing to play, when there is not.
    pub why_none: Option<String>,
}

impl MusicSetup {
    /// Scans `args.music` (if given) with the cache in the data folder (`--data-dir`, else as
    /// Settings decide), saying how far it has got on stderr; `None` without `--music`. A
    /// folder with nothing to play is one line and the session goes on without music.
    pub fn scan(args: &MusicArgs, data_dir: Option<PathBuf>) -> Option<MusicSetup> {
        let folder = args.music.as_ref()?;
        let (settings, data_dir) = super::settings_and_data_dir(data_dir);
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.clone());
        let live = std::io::stderr().is_terminal();
        let mut last = String::new();
        let library = Library::scan_now(&folder, &data_dir.join(CACHE_FILE), &mut |p| {
            let line = p.line();
            if live && line != last && !p.finished {
                eprint!("\r\x1b[2K{line}");
                let _ = std::io::stderr().flush();
                last = line;
            }
        });
        if live {
            eprint!("\r\x1b[2K");
        }
        let notes = library.take_notes();
        let progress = library.progress();
        let why_none = if progress.steady > 0 {
            for note in &notes {
                eprintln!("cadence-coach: {note}");
            }
            eprintln!(
                "Music in {}: {}; {} analysed now, {} known from before.",
                folder.display(),
                progress.line(),
                progress.analysed,
                progress.done - progress.analysed
            );
            None
        } else {
            // Nothing to play: one line that says why.
            Some(match notes.first() {
                Some(note) if progress.found == 0 => note.clone(),
                _ => format!(
                    "no track in {} has a steady beat to run to ({} music files)",
                    folder.display(),
                    progress.found
                ),
            })
        };
        let limit = args.stretch / 100.0;
        let picker = Picker::new(limit, settings.music.banned.iter().cloned());
        Some(MusicSetup {
            library: Arc::new(library),
            picker: Arc::new(Mutex::new(picker)),
            volume: f32::from(args.music_volume) / 100.0,
            click: args.click,
            limit,
            settings,
            why_none,
        })
    }

    /// The source a stream plays from.
    pub fn source(&self) -> Box<LibrarySource> {
        Box::new(LibrarySource::new(
            self.library.clone(),
            self.picker.clone(),
        ))
    }

    /// Bans `path` for good: the picker leaves it out and Settings keep it.
    pub fn ban(&mut self, path: &Path) -> anyhow::Result<()> {
        self.picker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .ban(path.to_path_buf());
        if !self.settings.music.banned.iter().any(|p| p == path) {
            self.settings.music.banned.push(path.to_path_buf());
        }
        crate::store::settings::save_settings(&default_settings_path(), &self.settings)?;
        Ok(())
    }
}

/// "Title (88.0 BPM at 176 spm, +1.2 %)".
pub(super) fn describe_track(now: &NowPlaying) -> String {
    let spm = now.bpm / now.factor * (1.0 + now.stretch);
    format!(
        "{} ({:.1} BPM at {:.0} spm, {:+.1} %)",
        now.title,
        now.bpm,
        spm,
        now.stretch * 100.0
    )
}
