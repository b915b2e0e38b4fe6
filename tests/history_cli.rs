//! `cadence-coach history` on a real data folder: good sessions listed, a damaged one moved
//! aside and named, CSV and JSON.

mod support;

use std::path::{Path, PathBuf};

use support::{run, run_ok, stderr, stdout};

const SESSION: &str = r#"SessionRecord(
    version: 1,
    id: "20261120T100000Z-0001",
    started: "2026-11-20T10:00:00Z",
    workout: "Intervals, hard",
    target_spm: 172.5,
    duration_secs: 600.0,
    steps: 1726,
    segments: [],
    ending: Finished,
)"#;

#[test]
fn history_lists_sessions_and_sets_a_damaged_file_aside() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = dir.path().join("sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    std::fs::write(sessions.join("20261120T100000Z-0001.ron"), SESSION).unwrap();
    std::fs::write(
        sessions.join("broken.ron"),
        "SessionRecord(version: 1, steps: -3)",
    )
    .unwrap();
    let data = dir.path().to_str().unwrap();

    let out = run_ok(&["history", "--data-dir", data]);
    let table = stdout(&out);
    assert!(table.contains("Intervals, hard"), "{table}");

    assert!(table.contains("finished"));
    let err = stderr(&out);
    assert!(
        err.contains("broken.ron") && err.contains("line 1"),
        "{err}"
    );
    assert!(err.contains("moved to"), "{err}");
    assert!(!sessions.join("broken.ron").exists());
    assert!(sessions.join("damaged").join("broken.ron").exists());

    let csv = stdout(&run(&["history", "--csv", "--data-dir", data]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,started,workout,duration_secs,target_spm,steps,average_click_spm,measured_spm,\
             rpe,discomfort,discomfort_where,surface,shoes,distance_km,speed_kmh,cues_held,notes,\
             imported_from,ending,coach,measured_s,in_band_s,clicks_heard,clicks_silent,nudges,\
             probed_s,probed_in_band_s"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "20261120T100000Z-0001,2026-11-20T10:00:00Z,\"Intervals, hard\",600.0,172.5,1726,172.5,\
             ,,,,,,,,,,,finished,,,,,,,,"
        )
    );

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["history", "--json", "--data-dir", data]))).unwrap();
    assert_eq!(json[0]["steps"], 1726);

    let empty = tempfile::tempdir().unwrap();
    let out = run_ok(&["history", "--data-dir", empty.path().to_str().unwrap()]);
    assert!(stdout(&out).starts_with("No sessions yet"));
}

/// The folder a `history` run looks in, given a `--data-dir`, `CADENCE_COACH_DATA_DIR` and a
/// folder chosen in Settings (each, or not); read from its "No sessions yet in …" line.
fn folder_used(flag: Option<&Path>, env: Option<&Path>, chosen: Option<&Path>) -> PathBuf {
    let mut cmd = support::bin();
    if let Some(chosen) = chosen {
        let settings = cmd.config_dir().join("cadence-coach").join("settings.ron");
        std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
        std::fs::write(&settings, format!("Settings(data_dir: Some({chosen:?}))")).unwrap();
    }
    match env {
        Some(env) => {
            cmd.env("CADENCE_COACH_DATA_DIR", env);
        }
        None => {
            cmd.env_remove("CADENCE_COACH_DATA_DIR");
        }
    }
    cmd.arg("history");
    if let Some(flag) = flag {
        cmd.arg("--data-dir").arg(flag);
    }
    let out = cmd.expect_success();
    let text = stdout(&out);
    let used = text
        .strip_prefix("No sessions yet in ")
        .and_then(|t| t.strip_suffix(".\n"))
        .unwrap_or_else(|| panic!("{text}"));
    // The platform's default, relative to this run's own XDG_DATA_HOME.
    match used.strip_prefix(cmd.data_home().to_str().unwrap()) {
        Some(rest) => Path::new("<data home>").join(rest.trim_start_matches('/')),
        None => PathBuf::from(used),
    }
}

#[test]
fn the_data_folder_is_the_flag_then_the_environment_then_settings_then_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let [flag, env, chosen] = ["flag", "env", "chosen"].map(|d| dir.path().join(d));
    let (flag, env, chosen) = (flag.as_path(), env.as_path(), chosen.as_path());
    assert_eq!(folder_used(Some(flag), Some(env), Some(chosen)), flag);
    assert_eq!(folder_used(None, Some(env), Some(chosen)), env);
    assert_eq!(folder_used(None, None, Some(chosen)), chosen);
    assert_eq!(
        folder_used(None, None, None),
        Path::new("<data home>/cadence-coach")
    );
}
