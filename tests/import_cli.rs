//! `cadence-coach import FILE` on real folders with FIT, TCX and GPX files built here with known
//! cadence: the stride-to-step doubling, matching a session by time, a new session when none
//! matches, damaged and hostile files (a FIT whose checksum fails), and a write that fails (file size limit) leaving the
//! earlier session file as it was.

mod support;

use std::path::Path;

use cadence_coach::store::sessions::load_sessions;
use support::watch_files::{fit_file, gpx_file, tcx_file};
use support::{bin, run, stderr, stdout};

/// 2026-11-20T10:00:00Z.
const T0: i64 = 1_795_168_800;

const SESSION: &str = r#"SessionRecord(
    version: 2,
    id: "20261120T100000Z-0001",
    started: "2026-11-20T10:00:00Z",
    workout: "Steady 170 spm",
    target_spm: 170.0,
    duration_secs: 600.0,
    steps: 1701,
    segments: [],
    ending: Stopped,
)"#;

fn data_with_session(dir: &Path) -> std::path::PathBuf {
    let sessions = dir.join("data").join("sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    let path = sessions.join("20261120T100000Z-0001.ron");
    std::fs::write(&path, SESSION).unwrap();
    path
}

fn import(dir: &Path, file: &Path) -> std::process::Output {
    run(&[
        "import",
        file.to_str().unwrap(),
        "--data-dir",
        dir.join("data").to_str().unwrap(),
    ])
}

#[test]
fn fit_cadence_counts_one_foot_and_is_doubled_onto_the_matching_session() {
    let dir = tempfile::tempdir().unwrap();
    data_with_session(dir.path());
    // The watch started 30 s after the app: 85.5 strides a minute for 9 minutes.
    let strides: Vec<(u32, f64)> = (0..540).map(|s| (s, 85.5)).collect();
    let file = dir.path().join("run.fit");
    std::fs::write(&file, fit_file(T0 + 30, &strides)).unwrap();
    let out = import(dir.path(), &file);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("540 cadence samples, average 171.0 spm"),
        "{said}"
    );
    assert!(said.contains("doubled to steps"), "{said}");
    assert!(
        said.contains("added to the session of 2026-11-20T10:00:00Z"),
        "{said}"
    );

    let (sessions, _) = load_sessions(&dir.path().join("data"));
    assert_eq!(
        sessions.len(),
        1,
        "no new session: it went onto the one it overlaps"
    );
    let imported = sessions[0].imported.as_ref().unwrap();
    assert_eq!(imported.format, "FIT");
    assert_eq!(imported.source, "run.fit");
    assert_eq!(imported.average_spm, 171.0);
    assert_eq!(
        imported.samples[0],
        (30.0, 171.0),
        "placed on the session's clock"
    );
    assert_eq!(sessions[0].measured_spm(), Some(171.0));
    assert_eq!(
        sessions[0].steps, 1701,
        "the recorded session is otherwise unchanged"
    );
}

#[test]
fn only_the_part_of_a_watch_file_during_the_session_goes_onto_it() {
    let dir = tempfile::tempdir().unwrap();
    data_with_session(dir.path());
    // 15 minutes of walking to the gym at 55 strides a minute, then the 10-minute session at 86.
    let strides: Vec<(u32, f64)> = (0..1500)
        .map(|s| (s, if s < 900 { 55.0 } else { 86.0 }))
        .collect();
    let file = dir.path().join("walk-and-run.fit");
    std::fs::write(&file, fit_file(T0 - 900, &strides)).unwrap();
    let out = import(dir.path(), &file);
    assert!(out.status.success(), "{}", stderr(&out));
    let (sessions, _) = load_sessions(&dir.path().join("data"));
    let imported = sessions[0].imported.as_ref().unwrap();
    // The 3 minutes of slack before the start hold walking; the rest is the run.
    assert_eq!(imported.samples.first().unwrap().0, -180.0);
    let expected = (180.0 * 110.0 + 600.0 * 172.0) / 780.0;
    assert!(
        (imported.average_spm - expected).abs() < 0.01,
        "{}",
        imported.average_spm
    );
}

#[test]
fn tcx_run_cadence_is_doubled_and_a_run_with_no_session_becomes_one() {
    let dir = tempfile::tempdir().unwrap();
    data_with_session(dir.path());
    // A day later: no session to match.
    let strides: Vec<(u32, f64)> = (0..300).map(|s| (s * 2, 88.0)).collect();
    let file = dir.path().join("evening.tcx");
    std::fs::write(&file, tcx_file(T0 + 86_400, &strides)).unwrap();
    let out = import(dir.path(), &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("average 176.0 spm"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("saved as a new session at 2026-11-21T10:00:00Z"));
    let (sessions, _) = load_sessions(&dir.path().join("data"));
    assert_eq!(sessions.len(), 2);
    let new = &sessions[1];
    assert_eq!(new.workout, "Imported: evening.tcx");
    assert_eq!(new.target(), None);
    assert_eq!(new.duration_secs, 598.0);
    // 176 steps a minute for 598 s.
    assert!(
        (new.steps as f64 - 176.0 * 598.0 / 60.0).abs() <= 1.0,
        "{}",
        new.steps
    );
    // Importing the same file again updates that session instead of adding a third, and says
    // that it replaced the cadence it had.
    let again = import(dir.path(), &file);
    let said = stdout(&again);
    assert!(
        said.contains("added to the session of 2026-11-21T10:00:00Z"),
        "{said}"
    );
    assert!(
        said.contains("replacing its cadence from evening.tcx (TCX, average 176.0 spm; kept in"),
        "{said}"
    );
    assert_eq!(load_sessions(&dir.path().join("data")).0.len(), 2);
}

#[test]
fn gpx_cad_is_doubled_when_it_counts_strides_and_kept_when_it_counts_steps() {
    let dir = tempfile::tempdir().unwrap();
    data_with_session(dir.path());
    let strides = dir.path().join("strides.gpx");
    std::fs::write(
        &strides,
        gpx_file(T0, &(0..60).map(|s| (s, 86)).collect::<Vec<_>>()),
    )
    .unwrap();
    let out = import(dir.path(), &strides);
    assert!(
        stdout(&out).contains("average 172.0 spm (the file counts one foot"),
        "{}",
        stdout(&out)
    );
    let steps = dir.path().join("steps.gpx");
    std::fs::write(
        &steps,
        gpx_file(T0, &(0..60).map(|s| (s, 172)).collect::<Vec<_>>()),
    )
    .unwrap();
    let out = import(dir.path(), &steps);
    let said = stdout(&out);
    assert!(said.contains("average 172.0 spm, added"), "{said}");
    assert!(!said.contains("doubled"), "{said}");
}

#[test]
fn damaged_huge_and_foreign_files_get_one_clear_line_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let session = data_with_session(dir.path());
    let before = std::fs::read(&session).unwrap();
    let mut damaged = fit_file(T0, &(0..100).map(|s| (s, 85.0)).collect::<Vec<_>>());
    // One cadence changed after the CRC was computed.
    let at = damaged.len() - 3;
    damaged[at] ^= 0x01;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("damaged.fit", damaged, "checksum does not match"),
        (
            "notes.txt",
            b"just some words\n".to_vec(),
            "FIT, TCX or GPX",
        ),
        (
            "broken.tcx",
            b"<TrainingCenterDatabase><Activities><Trackpoint>".to_vec(),
            "TCX",
        ),
        (
            "empty.gpx",
            b"<gpx><trk><trkseg></trkseg></trk></gpx>".to_vec(),
            "no cadence",
        ),
    ];
    for (name, bytes, says) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = import(dir.path(), &file);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
    }
    // Larger than the import limit: refused without reading it all.
    let huge = dir.path().join("huge.gpx");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(65 << 20).unwrap();
    let out = import(dir.path(), &huge);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("64 MiB"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&session).unwrap(), before);
    let missing = import(dir.path(), &dir.path().join("nope.fit"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("nope.fit"));
    let usage = run(&["import"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn a_write_that_fails_leaves_the_earlier_session_file_intact_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let session = data_with_session(dir.path());
    let before = std::fs::read(&session).unwrap();
    let file = dir.path().join("long.fit");
    std::fs::write(
        &file,
        fit_file(T0, &(0..600).map(|s| (s, 85.0)).collect::<Vec<_>>()),
    )
    .unwrap();
    // Files may grow to 8 × 512 bytes: the session with 600 samples is bigger. The shell
    // ignores SIGXFSZ so the write returns "File too large" instead of killing the process;
    // a full disk returns its error the same way.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8; exec \"$@\"")
        .arg("sh")
        .arg(bin().get_program())
        .args([
            "import",
            file.to_str().unwrap(),
            "--data-dir",
            dir.path().join("data").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("could not save") && err.contains("20261120T100000Z-0001.ron"),
        "{err}"
    );
    assert!(err.to_lowercase().contains("file too large"), "{err}");
    assert_eq!(
        std::fs::read(&session).unwrap(),
        before,
        "the earlier file is untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(session.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn two_imports_at_once_into_one_folder_both_land() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let files: Vec<_> = (0..2)
        .map(|i| {
            let f = dir.path().join(format!("run{i}.fit"));
            let day = T0 + i64::from(i) * 86_400;
            std::fs::write(
                &f,
                fit_file(day, &(0..120).map(|s| (s, 86.0)).collect::<Vec<_>>()),
            )
            .unwrap();
            f
        })
        .collect();
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            bin()
                .args(["import", f.to_str().unwrap(), "--data-dir"])
                .arg(dir.path().join("data"))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        assert!(c.wait_with_output().unwrap().status.success());
    }
    let (sessions, damaged) = load_sessions(&dir.path().join("data"));
    assert!(damaged.is_empty());
    assert_eq!(sessions.len(), 2);
}

/// Runs the binary as an ordinary user: as root, permissions would not stop a write.
fn as_ordinary_user() -> support::TestCommand {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(bin().get_program());
        support::TestCommand::new(cmd)
    } else {
        bin()
    }
}

#[test]
fn a_read_only_data_folder_refuses_the_import_in_one_line_and_keeps_the_session() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let session = data_with_session(dir.path());
    let before = std::fs::read(&session).unwrap();
    let file = dir.path().join("run.fit");
    std::fs::write(
        &file,
        fit_file(T0, &(0..60).map(|s| (s, 85.0)).collect::<Vec<_>>()),
    )
    .unwrap();
    // Everyone may read and enter; nobody may write into the data folder.
    for d in [dir.path().to_path_buf(), dir.path().join("data")] {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let sessions = session.parent().unwrap();
    std::fs::set_permissions(sessions, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(&session, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = as_ordinary_user()
        .args(["import", file.to_str().unwrap(), "--data-dir"])
        .arg(dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    std::fs::set_permissions(sessions, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("could not save") && err.contains("Permission denied"),
        "{err}"
    );
    assert_eq!(std::fs::read(&session).unwrap(), before);
}
