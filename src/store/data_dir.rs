//! Where the data folder is. Decided here and nowhere else, so the window, every subcommand
//! and the Settings screen agree on it: the command line's `--data-dir`, else the environment's
//! `CADENCE_COACH_DATA_DIR`, else the folder chosen in Settings, else the platform's data
//! folder.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable that names the data folder.
pub const DATA_DIR_ENV: &str = "CADENCE_COACH_DATA_DIR";

/// The data folder: `flag` (from `--data-dir`), else `CADENCE_COACH_DATA_DIR`, else `chosen`
/// (the Settings' folder), else [`default_data_dir`].
pub fn resolve_data_dir(flag: Option<&Path>, chosen: Option<&Path>) -> PathBuf {
    choose(flag, std::env::var_os(DATA_DIR_ENV), chosen)
}

/// The platform's data folder for this app (`~/.local/share/cadence-coach` on Linux), used
/// when nothing else names one.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "cadence-coach")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("cadence-coach-data"))
}

/// The order of precedence, apart from reading the environment (so it can be tested).
fn choose(flag: Option<&Path>, env: Option<OsString>, chosen: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    // An empty variable is how a shell unsets it for one command; it names no folder.
    if let Some(dir) = env.filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    chosen.map_or_else(default_data_dir, Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_beats_the_environment_which_beats_the_setting() {
        let (flag, env, chosen) = (
            Path::new("/from/flag"),
            OsString::from("/from/env"),
            Path::new("/chosen"),
        );
        assert_eq!(choose(Some(flag), Some(env.clone()), Some(chosen)), flag);
        assert_eq!(
            choose(None, Some(env.clone()), Some(chosen)),
            Path::new("/from/env")
        );
        assert_eq!(choose(None, Some(OsString::new()), Some(chosen)), chosen);
        assert_eq!(choose(None, None, Some(chosen)), chosen);
        assert_eq!(choose(None, None, None), default_data_dir());
    }
}
