//! `cadence-coach import` with the watch files the first version misread: rides, swims,
//! rowing and paddling (FIT and GPX), a triathlon, a file cut short, times counted from
//! power-on, cadence in other GPX tags, all-zero cadence and a second import on one session;
//! and the distance a file gives (TCX, GPX positions, FIT records or sessions) kept with the
//! cadence for the step length.
//! Each asserts the exact line the runner reads. Every FIT file built here is first read by
//! an independent reader (the `fitparser` crate, CRCs checked), whose records are the
//! expected values; two public files from fitparser's own tests (tests/fixtures/README.md)
//! are read the same way.

mod support;

use std::path::{Path, PathBuf};

use cadence_coach::cadence::progress::ProgressSeries;
use cadence_coach::cadence::session::{ImportedCadence, SessionRecord};
use cadence_coach::store::sessions::load_sessions;
use support::watch_files::{
    FitBuilder, Oracle, fit_file, fit_time, gpx_file, gpx_file_with, sport, tcx_file_moving,
};
use support::{run, stderr, stdout};

/// 2026-11-20T10:00:00Z, the start of the session in the data folder.
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

struct Folder {
    dir: tempfile::TempDir,
}

impl Folder {
    fn new() -> Folder {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        Folder { dir }
    }

    /// With the 10-minute session of T0 in it; returns its file.
    fn with_session() -> (Folder, PathBuf) {
        let folder = Folder::new();
        let sessions = folder.data().join("sessions");
        std::fs::create_dir_all(&sessions).unwrap();
        let path = sessions.join("20261120T100000Z-0001.ron");
        std::fs::write(&path, SESSION).unwrap();
        (folder, path)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn import(&self, file: &Path, extra: &[&str]) -> std::process::Output {
        let data = self.data();
        let mut args = vec!["import", file.to_str().unwrap()];
        args.extend(extra);
        args.extend(["--data-dir", data.to_str().unwrap()]);
        run(&args)
    }

    /// The one line of a refused import (exit 1, nothing saved).
    fn refused(&self, file: &Path, extra: &[&str]) -> String {
        let out = self.import(file, extra);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        err.trim_end().to_string()
    }

    /// The one line of an import that went through.
    fn imported(&self, file: &Path, extra: &[&str]) -> String {
        let out = self.import(file, extra);
        assert!(out.status.success(), "{}", stderr(&out));
        let said = stdout(&out);
        assert_eq!(said.lines().count(), 1, "{said}");
        said.trim_end().to_string()
    }

    fn new_session_file(&self, id: &str) -> PathBuf {
        self.data().join("sessions").join(format!("{id}.ron"))
    }
}

/// `n` samples one second apart at `per_minute`.
fn steady(n: u32, per_minute: f64) -> Vec<(u32, f64)> {
    (0..n).map(|s| (s, per_minute)).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A ride, a swim, rowing and paddling are refused in one line naming the sport.
#[test]
fn rides_swims_rowing_and_paddling_are_refused_naming_the_sport() {
    let folder = Folder::new();
    let start = fit_time(T0);
    let cases = [
        (
            sport::CYCLING,
            7,
            "a cycling activity: its cadence counts pedal turns",
        ),
        (
            sport::SWIMMING,
            17,
            "a swimming activity: its cadence counts strokes",
        ),
        (
            sport::ROWING,
            0,
            "a rowing activity: its cadence counts strokes",
        ),
        (
            sport::STAND_UP_PADDLEBOARDING,
            0,
            "a stand up paddleboarding activity: its cadence counts paddle strokes",
        ),
    ];
    for (fit_sport, sub, says) in cases {
        // 89.9 a minute: the Wahoo ride the first version saved as a 179.8 spm run.
        let bytes = FitBuilder::new()
            .sport(fit_sport, sub)
            .records(start, &steady(600, 89.9), Some(8.0))
            .lap(start, start + 599, fit_sport, sub)
            .session(start, start + 599, fit_sport, sub)
            .build();
        let oracle = Oracle::read(&bytes);
        assert_eq!(oracle.records.len(), 600);
        let file = folder.file("activity.fit", &bytes);
        assert_eq!(
            folder.refused(&file, &[]),
            format!("cadence-coach: {} is {says}, not steps", file.display())
        );
    }
    // A public indoor ride (Garmin, 1,072 records with cadence).
    let ride = fixture("hrv-activity.fit");
    let oracle = Oracle::read(&std::fs::read(&ride).unwrap());
    assert_eq!(oracle.records.len(), 1_072);
    assert_eq!(oracle.sessions[0].2, "cycling");
    assert_eq!(
        folder.refused(&ride, &[]),
        format!(
            "cadence-coach: {} is a cycling activity: its cadence counts pedal turns, not steps",
            ride.display()
        )
    );
    // Garmin Connect's road_biking GPX, and Strava's numbered ride.
    let cad: Vec<(u32, u32)> = (0..60).map(|s| (s, 76)).collect();
    for kind in ["road_biking", "1"] {
        let gpx = folder.file(
            "ride.gpx",
            gpx_file_with(
                T0,
                &cad,
                "<extensions><gpxtpx:cad>",
                "</gpxtpx:cad></extensions>",
                kind,
            ),
        );
        let name = if kind == "1" {
            "a ride"
        } else {
            "a road biking"
        };
        assert_eq!(
            folder.refused(&gpx, &[]),
            format!(
                "cadence-coach: {} is {name} activity: its cadence counts pedal turns, not steps",
                gpx.display()
            )
        );
    }
    assert!(load_sessions(&folder.data()).0.is_empty(), "nothing saved");
}

/// Without a sport, a pedalling rate at a ride's speed is refused; `--sport running` takes it.
#[test]
fn a_file_without_a_sport_is_judged_by_its_speed_and_can_be_forced() {
    let folder = Folder::new();
    let start = fit_time(T0);
    let bytes = FitBuilder::new()
        .records(start, &steady(300, 90.0), Some(8.5))
        .build();
    Oracle::read(&bytes);
    let file = folder.file("nosport.fit", &bytes);
    assert_eq!(
        folder.refused(&file, &[]),
        format!(
            "cadence-coach: {} could not be imported: it does not say its sport, and its \
             cadence (a median of 90 a minute at 31 km/h) is a ride's pedalling, not a run's \
             strides; if it was a run, import it with --sport running",
            file.display()
        )
    );
    let saved = folder.new_session_file("20261120T100000Z-import");
    assert_eq!(
        folder.imported(&file, &["--sport", "running"]),
        format!(
            "300 cadence samples, average 180.0 spm (the file counts one foot; doubled to \
             steps), saved as a new session at 2026-11-20T10:00:00Z ({}).",
            saved.display()
        )
    );
    // The same cadence at a runner's speed goes through as it is.
    let run = FitBuilder::new()
        .records(start + 86_400, &steady(300, 90.0), Some(3.4))
        .build();
    let file = folder.file("run.fit", run);
    assert!(
        folder
            .imported(&file, &[])
            .starts_with("300 cadence samples, average 180.0 spm")
    );
}

/// A triathlon gives its run leg only, and says so.
#[test]
fn a_multisport_file_gives_its_foot_legs_only_and_says_which() {
    let folder = Folder::new();
    let t = fit_time(T0);
    let (swim, t1, bike, t2, run) = (t, t + 600, t + 700, t + 1900, t + 2000);
    let bytes = FitBuilder::new()
        .sport(sport::SWIMMING, 18)
        .records(swim, &steady(600, 30.0), Some(1.0))
        .session(swim, t1 - 1, sport::SWIMMING, 18)
        .sport(sport::TRANSITION, 0)
        .records(t1, &steady(100, 50.0), Some(1.5))
        .session(t1, bike - 1, sport::TRANSITION, 0)
        .sport(sport::CYCLING, 0)
        .records(bike, &steady(1200, 85.0), Some(9.0))
        .session(bike, t2 - 1, sport::CYCLING, 0)
        .sport(sport::TRANSITION, 0)
        .records(t2, &steady(100, 55.0), Some(1.5))
        .session(t2, run - 1, sport::TRANSITION, 0)
        .sport(sport::RUNNING, 0)
        .records(run, &steady(900, 81.0), Some(3.5))
        .session(run, run + 899, sport::RUNNING, 0)
        .build();
    let oracle = Oracle::read(&bytes);
    assert_eq!(oracle.records.len(), 2_900);
    let running = oracle.records_in("running");
    assert_eq!(running.len(), 900);
    let file = folder.file("triathlon.fit", &bytes);
    let saved = folder.new_session_file("20261120T103320Z-import");
    assert_eq!(
        folder.imported(&file, &[]),
        format!(
            "900 cadence samples, average 162.0 spm (the file counts one foot; doubled to \
             steps), saved as a new session at 2026-11-20T10:33:20Z ({}). From this \
             multisport file: the running leg only, 900 samples (swimming, transition and \
             cycling left out).",
            saved.display()
        )
    );
    let (sessions, _) = load_sessions(&folder.data());
    assert_eq!(sessions[0].imported.as_ref().unwrap().samples.len(), 900);
}

/// A public triathlon (Garmin, five legs in chained FIT files): the run leg as fitparser
/// reads it.
#[test]
fn a_public_triathlon_gives_the_run_leg_an_independent_reader_finds() {
    let folder = Folder::new();
    let path = fixture("sample_mulitple_header.fit");
    let oracle = Oracle::read(&std::fs::read(&path).unwrap());
    let sports: Vec<&str> = oracle.sessions.iter().map(|s| s.2.as_str()).collect();
    assert_eq!(
        sports,
        ["swimming", "transition", "cycling", "transition", "running"]
    );
    let running = oracle.records_in("running");
    let mut times: Vec<i64> = running.iter().map(|r| r.0).collect();
    times.dedup();
    let steps: Vec<f64> = running
        .iter()
        .filter(|r| r.1 > 0.0)
        .map(|r| r.1 * 2.0)
        .collect();
    let mean = steps.iter().sum::<f64>() / steps.len() as f64;
    let said = folder.imported(&path, &[]);
    assert!(
        said.starts_with(&format!(
            "{} cadence samples, average {mean:.1} spm",
            times.len()
        )),
        "{said} (fitparser: {} samples, {mean:.2})",
        times.len()
    );
    assert!(
        said.ends_with(&format!(
            "From this multisport file: the running leg only, {} samples (swimming, transition \
             and cycling left out).",
            times.len()
        )),
        "{said}"
    );
}

/// A file cut short gives every complete record before the cut.
#[test]
fn a_cut_file_gives_its_complete_records_and_says_how_much_was_missing() {
    let folder = Folder::new();
    let start = fit_time(T0);
    let full = FitBuilder::new()
        .sport(sport::RUNNING, 0)
        .records(start, &steady(2_809, 85.5), Some(3.2))
        .session(start, start + 2_808, sport::RUNNING, 0)
        .build();
    let oracle = Oracle::read(&full);
    assert_eq!(oracle.records.len(), 2_809);
    // The last 1,000 bytes lost: the session, the CRC and the last records.
    let cut = &full[..full.len() - 1_000];
    // Each record is 9 bytes after the definitions and the sport message; the ones that end
    // before the cut are whole.
    let record_bytes = 9;
    let first_record = FitBuilder::new().sport(sport::RUNNING, 0).build().len() - 2;
    let whole = (cut.len() - first_record) / record_bytes;
    let file = folder.file("crashed.fit", cut);
    let saved = folder.new_session_file("20261120T100000Z-import");
    assert_eq!(
        folder.imported(&file, &[]),
        format!(
            "{} cadence samples, average 171.0 spm (the file counts one foot; doubled to \
             steps), saved as a new session at 2026-11-20T10:00:00Z ({}). The file is cut \
             short (1,000 of its {} bytes are missing): its complete records before the cut \
             were read.",
            support::watch_files::grouped(whole),
            saved.display(),
            support::watch_files::grouped(full.len())
        )
    );
    let (sessions, _) = load_sessions(&folder.data());
    let samples = &sessions[0].imported.as_ref().unwrap().samples;
    assert_eq!(samples.len(), whole);
    assert_eq!(
        samples.last().unwrap().0 as i64,
        oracle.records[whole - 1].0 - i64::from(start)
    );
}

/// Cadence in Cluetrust's `gpxdata:cadence` and Strava's plain `cadence`.
#[test]
fn gpx_cadence_in_other_common_tags_is_read() {
    let (folder, _) = Folder::with_session();
    let cad: Vec<(u32, u32)> = (0..60).map(|s| (s * 5, 86)).collect();
    let tags = [
        (
            "<extensions><gpxdata:cadence>",
            "</gpxdata:cadence></extensions>",
            "running",
        ),
        ("<extensions><cadence>", "</cadence></extensions>", "Run"),
        ("<cadence>", "</cadence>", "9"),
        (
            "<extensions><gpxtpx:TrackPointExtension><ns3:cad>",
            "</ns3:cad></gpxtpx:TrackPointExtension></extensions>",
            "",
        ),
    ];
    for (open, close, kind) in tags {
        let file = folder.file("run.gpx", gpx_file_with(T0 + 30, &cad, open, close, kind));
        let said = folder.imported(&file, &[]);
        assert!(
            said.starts_with(
                "60 cadence samples, average 172.0 spm (the file counts one foot; doubled to \
                 steps), added to the session of 2026-11-20T10:00:00Z"
            ),
            "{open}: {said}"
        );
    }
}

/// Times counted from power-on are placed by the file's clock, never in 1990.
#[test]
fn times_from_power_on_are_placed_or_refused() {
    let (folder, session) = Folder::with_session();
    // The watch was switched on 1,000 s before the session; records from system time 1,030.
    let power_on = fit_time(T0) - 1_000;
    let bytes = FitBuilder::new()
        .correlation(power_on + 1_000, 1_000)
        .records(1_030, &steady(300, 86.0), None)
        .build();
    let oracle = Oracle::read(&bytes);
    // fitparser dates them as they are written: seconds after the FIT epoch, in 1990.
    assert_eq!(oracle.records[0].0, 1_030);
    let file = folder.file("forerunner.fit", &bytes);
    assert_eq!(
        folder.imported(&file, &[]),
        format!(
            "300 cadence samples, average 172.0 spm (the file counts one foot; doubled to \
             steps), added to the session of 2026-11-20T10:00:00Z ({}). Its times counted \
             from when the watch was switched on; its timestamp_correlation message placed \
             them.",
            session.display()
        )
    );
    let (sessions, _) = load_sessions(&folder.data());
    assert_eq!(sessions.len(), 1, "onto the session, not a new one in 1990");
    assert_eq!(sessions[0].imported.as_ref().unwrap().samples[0].0, 30.0);

    // Placed by the activity's end instead.
    let bytes = FitBuilder::new()
        .records(1_030, &steady(300, 86.0), None)
        .activity(fit_time(T0) + 329, 1_329)
        .build();
    Oracle::read(&bytes);
    let file = folder.file("forerunner-activity.fit", &bytes);
    assert!(
        folder
            .imported(&file, &[])
            .ends_with("they were placed by the time its activity ended."),
    );

    // Nothing to place them: refused, not dated 1990.
    let bytes = FitBuilder::new()
        .records(1_030, &steady(300, 86.0), None)
        .build();
    Oracle::read(&bytes);
    let file = folder.file("noclock.fit", &bytes);
    assert_eq!(
        folder.refused(&file, &[]),
        format!(
            "cadence-coach: {} could not be imported: its times count seconds from when the \
             watch was switched on, and it has no timestamp_correlation, local_timestamp or \
             activity time to tell when that was",
            file.display()
        )
    );
}

/// A cadence of zero throughout is refused.
#[test]
fn all_zero_cadence_is_refused() {
    let folder = Folder::new();
    let bytes = fit_file(T0, &steady(600, 0.0));
    assert!(Oracle::read(&bytes).records.iter().all(|r| r.1 == 0.0));
    let file = folder.file("nosensor.fit", &bytes);
    assert_eq!(
        folder.refused(&file, &[]),
        format!(
            "cadence-coach: {} could not be imported: all 600 of its cadence samples are 0 \
             (no cadence sensor was recording)",
            file.display()
        )
    );
    let gpx = folder.file(
        "nosensor.gpx",
        gpx_file_with(T0, &[(0, 0), (1, 0)], "<cad>", "</cad>", "running"),
    );
    assert!(
        folder
            .refused(&gpx, &[])
            .ends_with("all 2 of its cadence samples are 0 (no cadence sensor was recording)")
    );
}

/// A second import says what it replaced, and the first stays in the session's history.
#[test]
fn a_second_import_says_what_it_replaced_and_keeps_the_first() {
    let (folder, session) = Folder::with_session();
    let first = folder.file("run.fit", fit_file(T0 + 30, &steady(540, 85.5)));
    Oracle::read(&std::fs::read(&first).unwrap());
    assert_eq!(
        folder.imported(&first, &[]),
        format!(
            "540 cadence samples, average 171.0 spm (the file counts one foot; doubled to \
             steps), added to the session of 2026-11-20T10:00:00Z ({}).",
            session.display()
        )
    );
    let before = std::fs::read(&session).unwrap();
    // The second file runs 20 minutes from 5 minutes early: with the 3 minutes of slack
    // either side, the 961 samples from -180 s to 780 s go on, 239 fall outside.
    let second = folder.file("second.fit", fit_file(T0 - 300, &steady(1_200, 86.0)));
    let kept = folder
        .data()
        .join("sessions/history/20261120T100000Z-0001/20261120T100000Z-0001.ron");
    assert_eq!(
        folder.imported(&second, &[]),
        format!(
            "961 cadence samples, average 172.0 spm (the file counts one foot; doubled to \
             steps), added to the session of 2026-11-20T10:00:00Z ({}), replacing its cadence \
             from run.fit (FIT, average 171.0 spm; kept in {}). 239 cadence samples from \
             outside the session's time were left out.",
            session.display(),
            kept.display()
        )
    );
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        before,
        "the first kept byte for byte"
    );
    // A third import keeps the second beside the first, never over it.
    folder.imported(&first, &[]);
    let again = kept.with_file_name("1-20261120T100000Z-0001.ron");
    assert!(again.exists() && kept.exists());
    let (sessions, damaged) = load_sessions(&folder.data());
    assert!(damaged.is_empty());
    assert_eq!(
        sessions.len(),
        1,
        "history copies are not shown as sessions"
    );
    assert_eq!(sessions[0].imported.as_ref().unwrap().source, "run.fit");
}

/// The one session in the folder, its imported cadence and the step length Progress plots.
fn imported_with_step(folder: &Folder) -> (SessionRecord, ImportedCadence, Option<f64>) {
    let (sessions, damaged) = load_sessions(&folder.data());
    assert!(damaged.is_empty());
    assert_eq!(sessions.len(), 1);
    let series = ProgressSeries::new(&sessions, &jiff::tz::TimeZone::UTC);
    let step = series.step_length_m.first().map(|p| p[1]);
    let imported = sessions[0].imported.clone().expect("an imported cadence");
    (sessions[0].clone(), imported, step)
}

/// `n` samples every `every` seconds at `per_minute`.
fn every(n: u32, every: u32, per_minute: f64) -> Vec<(u32, f64)> {
    (0..n).map(|i| (i * every, per_minute)).collect()
}

#[test]
fn a_tcx_files_distance_and_moving_time_give_the_step_length() {
    let folder = Folder::new();
    // 20 minutes at 88 strides (176 steps) a minute, a point every 5 s, at 3 m/s: 3,600 m.
    let file = folder.file(
        "treadmill.tcx",
        tcx_file_moving(T0, &every(241, 5, 88.0), Some(3.0)),
    );
    folder.imported(&file, &[]);
    let (record, imported, step) = imported_with_step(&folder);
    assert_eq!(imported.distance_m, Some(3_600.0));
    assert_eq!(imported.moving_secs, Some(1_200.0));
    // 3,600 m over 176 × 20 steps.
    let expected = 3_600.0 / (176.0 * 20.0);
    assert!((step.unwrap() - expected).abs() < 1e-9, "{step:?}");
    // Written in the session file as it reads.
    let text = std::fs::read_to_string(folder.new_session_file(&record.id)).unwrap();
    assert!(text.contains("distance_m: Some(3600.0)"), "{text}");
    assert!(text.contains("moving_secs: Some(1200.0)"), "{text}");

    // Without distances, none is kept or written, and no step length is made up.
    let folder = Folder::new();
    let file = folder.file(
        "no-distance.tcx",
        tcx_file_moving(T0, &every(241, 5, 88.0), None),
    );
    folder.imported(&file, &[]);
    let (record, imported, step) = imported_with_step(&folder);
    assert_eq!((imported.distance_m, step), (None, None));
    let text = std::fs::read_to_string(folder.new_session_file(&record.id)).unwrap();
    assert!(!text.contains("distance_m"), "{text}");
}

#[test]
fn a_gpx_tracks_positions_give_its_distance() {
    let folder = Folder::new();
    // Points a second apart and 0.00003° of latitude (R × 0.00003 × π/180 m) apart, 86
    // strides a minute: 172 steps.
    let file = folder.file(
        "park.gpx",
        gpx_file(T0, &(0..600).map(|s| (s, 86)).collect::<Vec<_>>()),
    );
    folder.imported(&file, &[]);
    let (_, imported, step) = imported_with_step(&folder);
    let apart = 6_371_000.0 * 0.00003_f64.to_radians();
    let distance = imported.distance_m.unwrap();
    assert!((distance - 599.0 * apart).abs() < 1e-3, "{distance}");
    assert_eq!(imported.moving_secs, Some(599.0));
    let expected = apart * 60.0 / 172.0;
    assert!(
        (step.unwrap() - expected).abs() < 1e-6,
        "{step:?} {expected}"
    );
}

#[test]
fn a_fit_files_distance_comes_from_its_records_or_else_its_session() {
    let folder = Folder::new();
    // 10 minutes at 85 strides a minute, 2.9 m further every second.
    let samples: Vec<(u32, f64, f64)> = (0..600).map(|s| (s, 85.0, f64::from(s) * 2.9)).collect();
    let start = fit_time(T0);
    let bytes = FitBuilder::new()
        .session(start, start + 599, sport::RUNNING, 0)
        .records_with_distance(start, &samples)
        .build();
    let oracle = Oracle::read(&bytes);
    let file = folder.file("records.fit", &bytes);
    folder.imported(&file, &[]);
    let (_, imported, step) = imported_with_step(&folder);
    let (first, last) = (oracle.distances[0].1, oracle.distances.last().unwrap().1);
    assert!((imported.distance_m.unwrap() - (last - first)).abs() < 1e-9);
    assert!((last - first - 599.0 * 2.9).abs() < 0.01);
    assert_eq!(imported.moving_secs, Some(599.0));
    assert!(
        (step.unwrap() - 2.9 * 60.0 / 170.0).abs() < 1e-4,
        "{step:?}"
    );

    // Records without a distance: the session's total_distance, spread over its time.
    let folder = Folder::new();
    let bytes = FitBuilder::new()
        .session_with_distance(start, start + 599, sport::RUNNING, 0, 1_800.0)
        .records(start, &steady(600, 85.0), None)
        .build();
    let oracle = Oracle::read(&bytes);
    assert_eq!(oracle.session_distances, [1_800.0]);
    assert!(oracle.distances.is_empty());
    let file = folder.file("session.fit", &bytes);
    folder.imported(&file, &[]);
    let (_, imported, _) = imported_with_step(&folder);
    assert!((imported.distance_m.unwrap() - 1_800.0).abs() < 1e-9);

    // A duathlon, run, ride, run, its distance counted on: of it, the two runs only, not the
    // ride between them (which at 10 m/s would pass for a fast runner's).
    let folder = Folder::new();
    let leg = |from: u32, to: u32, at: f64, speed: f64| -> Vec<(u32, f64, f64)> {
        (from..to)
            .map(|s| (s, 85.0, at + f64::from(s - from) * speed))
            .collect()
    };
    let bytes = FitBuilder::new()
        .session(start, start + 199, sport::RUNNING, 0)
        .records_with_distance(start, &leg(0, 200, 0.0, 3.0))
        .session(start + 200, start + 399, sport::CYCLING, 0)
        .records_with_distance(start, &leg(200, 400, 600.0, 10.0))
        .session(start + 400, start + 599, sport::RUNNING, 0)
        .records_with_distance(start, &leg(400, 600, 2_600.0, 3.0))
        .build();
    assert_eq!(Oracle::read(&bytes).distances.len(), 600);
    let file = folder.file("duathlon.fit", &bytes);
    folder.imported(&file, &[]);
    let (_, imported, _) = imported_with_step(&folder);
    assert!(
        (imported.distance_m.unwrap() - 2.0 * 199.0 * 3.0).abs() < 1e-6,
        "{:?}",
        imported.distance_m
    );
}

#[test]
fn onto_a_session_goes_the_distance_during_it_only() {
    let (folder, _) = Folder::with_session();
    // The watch started 5 minutes early and ran 20 minutes at 3 m/s: of it, what falls in the
    // 10-minute session with 3 minutes of slack either side, 120 s to 1,080 s of the file.
    let file = folder.file(
        "gym.tcx",
        tcx_file_moving(T0 - 300, &every(241, 5, 88.0), Some(3.0)),
    );
    folder.imported(&file, &[]);
    let (_, imported, step) = imported_with_step(&folder);
    assert_eq!(imported.distance_m, Some(2_880.0));
    assert_eq!(imported.moving_secs, Some(960.0));
    assert!((step.unwrap() - 2_880.0 / (176.0 * 16.0)).abs() < 1e-9);
}
