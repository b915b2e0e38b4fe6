//! The settings file: what the runner chose in the app, restored at the next start.
//!
//! RON in the platform's config folder (`~/.config/cadence-coach/settings.ron` on Linux), with a
//! format version. Unknown or missing fields fall back to defaults, so older and newer files
//! load; a file that does not parse is moved aside and named, and the app starts with defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::{move_aside, parse_ron, read_text, save_ron};
use super::error::StoreError;
use crate::cadence::presets::Preset;
use crate::cadence::stride::Units;
use crate::cadence::{ClickSettings, Spm};

pub const SETTINGS_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    FollowSystem,
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TextSize {
    #[default]
    Normal,
    Large,
    Huge,
}

impl TextSize {
    /// The zoom the window applies on top of the system's scale factor.
    pub fn zoom(self) -> f32 {
        match self {
            TextSize::Normal => 1.0,
            TextSize::Large => 1.25,
            TextSize::Huge => 1.5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub version: u32,
    pub units: Units,
    pub click: ClickSettings,
    /// The target cadence of the metronome and of the built-in workouts.
    pub target: Spm,
    pub preset: Preset,
    /// Minutes between form cues.
    pub cue_minutes: u32,
    /// A soft chime when the cue changes.
    pub cue_chime: bool,
    pub theme: Theme,
    pub text_size: TextSize,
    /// The output device by name; `None` follows the system default.
    pub output_device: Option<String>,
    /// Where sessions are kept; `None` is the platform's data folder. Only
    /// `store::data_dir::resolve_data_dir` decides which folder is used.
    pub data_dir: Option<PathBuf>,
    /// Treadmill speed in km/h, if given.
    pub treadmill_kmh: Option<f64>,
    /// Listening to the runner's steps on the microphone (off until the runner turns it on;
    /// files from before it existed load with it off).
    pub listening: bool,
    /// What the click does with the cadence heard while listening (every click, click when
    /// off, guided nudge).
    pub coach: crate::cadence::closed_loop::CoachMode,
    /// Click when off: the band either side of the target, in spm (0.5–20).
    pub band_spm: f64,
    /// The runner's own music.
    pub music: MusicSettings,
}

/// The runner's own music: where it is, and how it plays with the click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MusicSettings {
    /// The music folder; `None` until the runner names one.
    pub folder: Option<PathBuf>,
    /// Sessions play the music.
    pub on: bool,
    /// The music's volume, 0–1.
    pub volume: f32,
    /// The click plays over the music ("click on top").
    pub click: bool,
    /// How far a track's tempo may be stretched to the cadence, in percent either way.
    pub stretch_limit_pct: f64,
    /// Tracks never to play again.
    pub banned: Vec<PathBuf>,
}

impl Default for MusicSettings {
    fn default() -> Self {
        MusicSettings {
            folder: None,
            on: false,
            volume: 0.8,
            click: true,
            stretch_limit_pct: DEFAULT_STRETCH_PCT,
            banned: Vec::new(),
        }
    }
}

/// The stretch limit: ±6 % by default, 1–12 % allowed (past that a song sounds wrong).
pub const DEFAULT_STRETCH_PCT: f64 = 6.0;
pub const STRETCH_PCT: std::ops::RangeInclusive<f64> = 1.0..=12.0;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            units: Units::Metric,
            click: ClickSettings::default(),
            target: Spm::new(170.0).expect("170 is a valid cadence"),
            preset: Preset::Steady,
            cue_minutes: 2,
            cue_chime: false,
            theme: Theme::FollowSystem,
            text_size: TextSize::Normal,
            output_device: None,
            data_dir: None,
            treadmill_kmh: None,
            listening: false,
            coach: crate::cadence::closed_loop::CoachMode::Always,
            band_spm: DEFAULT_BAND_SPM,
            music: MusicSettings::default(),
        }
    }
}

/// The platform's folders for this app.
fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "cadence-coach")
}

/// Where the settings file lives.
pub fn default_settings_path() -> PathBuf {
    project_dirs()
        .map(|d| d.config_dir().join("settings.ron"))
        .unwrap_or_else(|| PathBuf::from("cadence-coach-settings.ron"))
}

/// Loads settings from `path`. Returns the settings and, if the file was damaged, a sentence
/// saying where it was moved; a missing file is simply the defaults.
pub fn load_settings(path: &Path) -> (Settings, Option<String>) {
    // Bounded: a settings file is a few hundred bytes; a huge one is not settings.
    let read =
        read_text(path, MAX_SETTINGS_BYTES).and_then(|text| parse_ron::<Settings>(path, &text));
    match read {
        Ok(mut settings) => {
            // Hand edits may hold anything RON can spell; keep every value the app relies on
            // within its limits (a NaN volume must never reach the audio thread).
            settings.cue_minutes = settings.cue_minutes.clamp(1, 60);
            let volume = settings.click.volume;
            settings.click.volume = if volume.is_finite() {
                volume.clamp(0.0, 1.0)
            } else {
                Settings::default().click.volume
            };
            settings.treadmill_kmh = settings
                .treadmill_kmh
                .filter(|k| k.is_finite() && *k > 0.0 && *k <= 40.0);
            if !(MIN_BAND_SPM..=MAX_BAND_SPM).contains(&settings.band_spm) {
                settings.band_spm = DEFAULT_BAND_SPM;
            }
            let music = &mut settings.music;
            music.volume = if music.volume.is_finite() {
                music.volume.clamp(0.0, 1.0)
            } else {
                MusicSettings::default().volume
            };
            if !STRETCH_PCT.contains(&music.stretch_limit_pct) {
                music.stretch_limit_pct = DEFAULT_STRETCH_PCT;
            }
            settings.click.fade = settings
                .click
                .fade
                .filter(|f| (1..=3600).contains(&f.on_secs) && (1..=3600).contains(&f.off_secs));
            (settings, None)
        }
        Err(e) if e.is_not_found() => (Settings::default(), None),
        // Could not be read at all (permissions, a folder): nothing to move aside.
        Err(e @ StoreError::Read { .. }) => {
            (Settings::default(), Some(format!("{e}; using defaults")))
        }
        Err(e) => (Settings::default(), Some(set_aside(path, &e.reason()))),
    }
}

/// Click when off's band either side of the target, in spm: ±3 by default (about 1.8 % at
/// 170), never narrower than the ear's own spread nor wider than a tempo stage.
pub const DEFAULT_BAND_SPM: f64 = 3.0;
pub const MIN_BAND_SPM: f64 = 0.5;
pub const MAX_BAND_SPM: f64 = 20.0;

/// Settings files larger than this are not settings.
pub const MAX_SETTINGS_BYTES: u64 = 256 * 1024;

/// Moves a settings file that cannot be used aside (never over another) and says so.
fn set_aside(path: &Path, problem: &str) -> String {
    match move_aside(path) {
        Ok(aside) => format!(
            "settings {} could not be read ({problem}); it was moved to {} and defaults are in use",
            path.display(),
            aside.display()
        ),
        Err(m) => format!(
            "settings {} could not be read ({problem}) nor moved aside ({m}); defaults are in use",
            path.display()
        ),
    }
}

/// Saves settings atomically, creating the folder if needed.
pub fn save_settings(path: &Path, settings: &Settings) -> Result<(), StoreError> {
    save_ron(path, "", settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_missing_is_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep").join("settings.ron");
        assert_eq!(load_settings(&path), (Settings::default(), None));
        let mut s = Settings {
            target: Spm::new(176.5).unwrap(),
            theme: Theme::Dark,
            treadmill_kmh: Some(10.5),
            ..Settings::default()
        };
        s.click.pan = true;
        save_settings(&path, &s).unwrap();
        assert_eq!(load_settings(&path), (s, None));
    }

    #[test]
    fn an_older_file_with_fewer_fields_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        std::fs::write(&path, "Settings(version: 1, target: 165.0)").unwrap();
        let (s, note) = load_settings(&path);
        assert_eq!(note, None);
        assert_eq!(s.target.get(), 165.0);
        assert_eq!(s.cue_minutes, 2);
        assert!(
            !s.listening,
            "listening stays off until the runner turns it on"
        );
    }

    #[test]
    fn listening_on_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        let s = Settings {
            listening: true,
            ..Settings::default()
        };
        save_settings(&path, &s).unwrap();
        assert!(load_settings(&path).0.listening);
    }

    #[test]
    fn the_coach_mode_is_kept_and_a_band_out_of_range_goes_back_to_3() {
        use crate::cadence::closed_loop::CoachMode;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        let s = Settings {
            coach: CoachMode::WhenOff,
            band_spm: 2.5,
            ..Settings::default()
        };
        save_settings(&path, &s).unwrap();
        let loaded = load_settings(&path).0;
        assert_eq!((loaded.coach, loaded.band_spm), (CoachMode::WhenOff, 2.5));
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("band_spm: 2.5", "band_spm: 900.0");
        std::fs::write(&path, text).unwrap();
        assert_eq!(load_settings(&path).0.band_spm, 3.0);
    }

    #[test]
    fn music_settings_are_kept_and_odd_values_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        let mut s = Settings::default();
        s.music.folder = Some(PathBuf::from("/home/runner/Music"));
        s.music.on = true;
        s.music.banned = vec![PathBuf::from("/home/runner/Music/slow.mp3")];
        save_settings(&path, &s).unwrap();
        assert_eq!(load_settings(&path).0, s);
        std::fs::write(
            &path,
            "Settings(music: (volume: NaN, stretch_limit_pct: 40.0, click: false))",
        )
        .unwrap();
        let music = load_settings(&path).0.music;
        assert_eq!(music.volume, 0.8);
        assert_eq!(music.stretch_limit_pct, 6.0);
        assert!(!music.click);
    }

    #[test]
    fn a_damaged_file_is_moved_aside_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        std::fs::write(&path, "Settings(\n  target: 999.0,\n)").unwrap();
        let (s, note) = load_settings(&path);
        assert_eq!(s, Settings::default());
        let note = note.unwrap();
        assert!(note.contains("line 2"), "{note}");
        assert!(note.contains("moved to"), "{note}");
        assert!(!path.exists());
        let aside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(aside.len(), 1);
    }

    #[test]
    fn values_the_app_cannot_use_are_replaced_and_odd_files_set_aside() {
        // Found by fuzzing: a NaN volume reached the audio thread; bad speeds and fade blocks
        // reached the Run screen; a non-UTF-8 file was left in place to be overwritten.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        std::fs::write(
            &path,
            "Settings(click: (volume: NaN, fade: Some((on_secs: 0, off_secs: 0))), treadmill_kmh: Some(-5.0))",
        )
        .unwrap();
        let (s, note) = load_settings(&path);
        assert_eq!(note, None);
        assert_eq!(s.click.volume, Settings::default().click.volume);
        assert_eq!(s.click.fade, None);
        assert_eq!(s.treadmill_kmh, None);
        std::fs::write(&path, b"Settings(units: \xff)").unwrap();
        let (_, note) = load_settings(&path);
        assert!(note.unwrap().contains("not UTF-8"));
        assert!(!path.exists());
    }
}
