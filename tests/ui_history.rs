//! The history in the window, headless with egui_kittest: the review after a session, the
//! Progress table and plots, delete with undo, CSV export, a damaged file among good ones, and
//! two windows sharing one data folder. Sessions are real files in the test's own folder.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cadence_coach::audio::AudioEngine;
use cadence_coach::cadence::cues::CUES;
use cadence_coach::cadence::session::{
    Ending, IdSuffix, Review, SessionRecord, Surface, session_id,
};
use cadence_coach::store::sessions::{load_sessions, save_session};
use cadence_coach::ui::{CoachApp, Command, Screen};
use eframe::egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn app(dir: &Path) -> Harness<'static, CoachApp> {
    app_sized(dir, [1100.0, 900.0])
}

/// The window at `size` (points).
fn app_sized(dir: &Path, size: [f32; 2]) -> Harness<'static, CoachApp> {
    let settings = dir.join("settings.ron");
    let data = data(dir);
    Harness::builder()
        .with_size(size)
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        })
}

fn data(dir: &Path) -> PathBuf {
    dir.join("data")
}

/// Saves `n` reviewed 20-minute sessions in the test's data folder, one every `every_days`
/// days from `first` (an RFC 3339 time), each with a measured cadence, a treadmill speed and a
/// discomfort level; `seconds(i)` can make some of them shorter.
fn save_sessions(
    dir: &Path,
    first: &str,
    n: u16,
    every_days: i64,
    seconds: impl Fn(u16) -> f64,
) -> Vec<SessionRecord> {
    let first: jiff::Timestamp = first.parse().unwrap();
    (0..n)
        .map(|i| {
            let started = first + jiff::SignedDuration::from_hours(24 * every_days * i64::from(i));
            let id = session_id(started, IdSuffix::Played(i));
            let mut s = SessionRecord::new(&id, started, "Steady 170 spm", 170.0);
            s.duration_secs = seconds(i);
            s.steps = (s.duration_secs * 170.0 / 60.0) as u64;
            s.ending = Ending::Finished;
            s.review = Some(Review {
                measured_spm: Some(160.0 + f64::from(i % 7)),
                speed_kmh: Some(10.0),
                discomfort: Some((i % 4) as u8),
                ..Review::default()
            });
            save_session(&data(dir), &s).unwrap();
            s
        })
        .collect()
}

/// A session's start as the table shows it, in the local time zone.
fn local_time(s: &SessionRecord) -> String {
    s.started
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn session_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data(dir).join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Long enough for a review: a session under a minute is short and gets none.
const REVIEWED_SECS: u64 = 61;

/// Plays the open-ended click for `secs` and stops it with Space.
fn play_and_stop(h: &mut Harness<'_, CoachApp>, secs: u64) {
    h.key_press(Key::Space);
    h.run();
    for _ in 0..secs {
        h.state().engine.advance(Duration::from_secs(1));
        h.run();
    }
    h.key_press(Key::Space);
    h.run();
}

fn type_into(h: &mut Harness<'_, CoachApp>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

#[test]
fn finish_a_session_review_it_and_see_it_in_the_table_and_the_plot() {
    let dir = tempfile::tempdir().unwrap();
    let workout = dir.path().join("one-minute.ron");
    std::fs::write(
        &workout,
        r#"Workout(version: 1, name: "One minute", segments: [
            (name: "Steady", minutes: 1, tempo: Steady(172)),
        ])"#,
    )
    .unwrap();
    let mut h = app(dir.path());
    h.run();
    h.state_mut().apply(Command::LoadWorkout(workout));
    h.key_press(Key::Space);
    h.run();
    for _ in 0..62 {
        h.state().engine.advance(Duration::from_secs(1));
        h.run();
    }
    // The workout ran to its end: the review opens by itself.
    assert!(!h.state().playing);
    assert_eq!(h.state().screen, Screen::Review);
    assert!(
        h.query_by_label_contains("One minute, 1:00, target 172 spm, started")
            .is_some(),
        "the review names the session, its length and its target"
    );

    type_into(&mut h, "Measured cadence (spm)", "168");
    h.get_by_label("Effort 6").click();
    h.get_by_label("Discomfort 2").click();
    h.get_by_label("treadmill").click();
    h.run();
    type_into(&mut h, "Shoes", "Ghost 15");
    // 10.08 km/h is 2.8 m/s: at 168 steps a minute (2.8 a second) each step is 1 m.
    type_into(&mut h, "Speed (km/h)", "10.08");
    h.get_by_label(CUES[0].title).click();
    h.run();
    type_into(&mut h, "Notes", "felt smooth");
    h.get_by_label("Save review").click();
    h.run();

    // Saved with the record, in its file.
    let (saved, damaged) = load_sessions(&data(dir.path()));
    assert!(damaged.is_empty());
    assert_eq!(saved.len(), 1);
    let s = &saved[0];
    assert_eq!(s.ending, Ending::Finished);
    assert_eq!(s.target_spm, 172.0);
    let review = s.review.as_ref().expect("the review is in the file");
    assert_eq!(review.measured_spm, Some(168.0));
    assert_eq!(review.rpe, Some(6));
    assert_eq!(review.discomfort, Some(2));
    assert_eq!(review.surface, Some(Surface::Treadmill));
    assert_eq!(review.shoes, "Ghost 15");
    assert_eq!(review.speed_kmh, Some(10.08));
    assert_eq!(review.cues_held, [CUES[0].title]);
    assert_eq!(review.notes, "felt smooth");

    // The Progress screen shows it: in the table, and in the plots' data.
    assert_eq!(h.state().screen, Screen::Progress);
    assert!(h.query_by_label("1 session").is_some());
    assert!(h.query_by_label("168.0").is_some(), "measured in the table");
    assert!(h.query_by_label("One minute").is_some());
    let series = &h.state().history.series;
    assert_eq!(series.target.len(), 1);
    assert_eq!(series.target[0][1], 172.0);
    assert_eq!(series.measured[0][1], 168.0);
    assert!((series.step_length_m[0][1] - 1.0).abs() < 1e-9);
    assert_eq!(series.discomfort[0][1], 2.0);
    assert!(
        h.query_by_label_contains("No step lengths yet").is_none(),
        "plotted"
    );
    assert!(
        h.query_by_label_contains("No discomfort noted yet")
            .is_none()
    );
    assert!((series.weekly_minutes[0][1] - 1.0).abs() < 0.02);
    // The tempo plot shows the session just run: 172 from its first to its last minute.
    let profile = &h.state().history.profile.played;
    assert_eq!(profile.first().unwrap()[1], 172.0);
    assert!(profile.last().unwrap()[0] > 0.98);
}

#[test]
fn skip_the_review_do_it_later_then_delete_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    play_and_stop(&mut h, REVIEWED_SECS);
    assert_eq!(h.state().screen, Screen::Review);
    h.get_by_label("Later").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Run);
    let (saved, _) = load_sessions(&data(dir.path()));
    assert_eq!(
        saved[0].review, None,
        "skipped, the session is kept unreviewed"
    );
    // Space on the review starts the next run at once; that review waits too.
    play_and_stop(&mut h, REVIEWED_SECS);
    assert_eq!(h.state().screen, Screen::Review);
    h.key_press(Key::Space);
    h.run();
    assert!(h.state().playing);
    assert_eq!(h.state().screen, Screen::Run);
    for _ in 0..REVIEWED_SECS {
        h.state().engine.advance(Duration::from_secs(1));
        h.run();
    }
    h.key_press(Key::Space);
    h.run();
    h.get_by_label("Later").click();
    h.run();
    assert_eq!(load_sessions(&data(dir.path())).0.len(), 3);
    // Only the first session stays for the rest of this test.
    for path in &session_files(dir.path())[1..] {
        std::fs::remove_file(path).unwrap();
    }
    drop(h);
    let mut h = app(dir.path());
    h.run();

    // Later, from the table.
    h.get_by_label("Progress").click();
    h.run();
    click_in_view(&mut h, "Review");
    h.run();
    assert_eq!(h.state().screen, Screen::Review);
    h.get_by_label("Effort 4").click();
    h.run();
    h.get_by_label("Save review").click();
    h.run();
    let (saved, _) = load_sessions(&data(dir.path()));
    assert_eq!(saved[0].review.as_ref().unwrap().rpe, Some(4));
    let before = std::fs::read(&session_files(dir.path())[0]).unwrap();

    // Delete asks first; "Keep" keeps.
    click_in_view(&mut h, "Delete");
    assert!(h.query_by_label("Delete it?").is_some());
    click_in_view(&mut h, "Keep");
    h.run();
    assert_eq!(session_files(dir.path()).len(), 1);
    click_in_view(&mut h, "Delete");
    click_in_view(&mut h, "Yes, delete");
    h.run();
    assert!(session_files(dir.path()).is_empty());
    assert!(h.state().history.sessions.is_empty());
    assert!(h.state().history.series.target.is_empty());
    assert!(load_sessions(&data(dir.path())).0.is_empty());

    // Undo brings back the same file.
    h.get_by_label("Undo delete").click();
    h.run();
    let files = session_files(dir.path());
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::read(&files[0]).unwrap(), before);
    assert_eq!(h.state().history.sessions.len(), 1);
    assert!(
        std::fs::read_dir(data(dir.path()).join("sessions").join("deleted"))
            .unwrap()
            .next()
            .is_none(),
        "the set-aside copy is gone once restored"
    );

    // CSV export writes every session with its review.
    h.get_by_label("Export CSV").click();
    h.run();
    let csv: Vec<PathBuf> = std::fs::read_dir(data(dir.path()))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    assert_eq!(csv.len(), 1);
    let text = std::fs::read_to_string(&csv[0]).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.lines().nth(1).unwrap().contains(",4,"), "{text}");
    assert!(h.query_by_label_contains("Exported 1 session to").is_some());
}

#[test]
fn an_eight_second_session_gets_no_review_and_is_kept_marked_short() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    play_and_stop(&mut h, 8);
    assert!(!h.state().playing);
    // No review form: the runner stays on Run, nothing waits to be filled in.
    assert_eq!(h.state().screen, Screen::Run);
    assert!(h.state().review.is_none(), "no review draft");
    assert!(h.query_by_label("Save review").is_none());
    assert!(h.query_by_label("Later").is_none());
    // The Run screen says what became of it.
    assert!(
        h.query_by_label_contains(
            "0:08 played: under a minute, so kept as short, with no review, not in the trend"
        )
        .is_some(),
        "the Run screen says the session was short and not counted"
    );
    // Kept in the history, unreviewed, and marked short in the table.
    let (saved, _) = load_sessions(&data(dir.path()));
    assert_eq!(saved.len(), 1, "a short session is still saved");
    assert!(saved[0].is_short(), "{} s", saved[0].duration_secs);
    assert!((saved[0].duration_secs - 8.0).abs() < 0.5);
    assert_eq!(saved[0].review, None);
    h.get_by_label("Progress").click();
    h.run();
    assert!(
        h.query_by_label("short").is_some(),
        "marked short in the table"
    );
    // Space on Run starts the next session, as ever.
    h.get_by_label("Run").click();
    h.run();
    h.key_press(Key::Space);
    h.run();
    assert!(h.state().playing);
    assert!(
        h.query_by_label_contains("under a minute").is_none(),
        "the note goes when the next session starts"
    );
}

#[test]
fn a_damaged_session_file_is_named_and_the_rest_load_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    play_and_stop(&mut h, 5);
    drop(h);
    let sessions = data(dir.path()).join("sessions");
    std::fs::write(
        sessions.join("20261101T070000Z-dead.ron"),
        "SessionRecord(\n  version: 2,\n  steps: lots,\n)",
    )
    .unwrap();
    let mut h = app(dir.path());
    h.run();
    assert_eq!(h.state().history.sessions.len(), 1, "the good one loads");
    assert!(
        h.query_by_label_contains("20261101T070000Z-dead.ron could not be read (line 3")
            .is_some(),
        "the damaged file is named with its line"
    );
    assert!(
        sessions
            .join("damaged")
            .join("20261101T070000Z-dead.ron")
            .exists()
    );
}

#[test]
fn two_windows_record_into_one_data_folder_without_harm() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path());
    let mut b = app(dir.path());
    a.run();
    b.run();
    a.key_press(Key::Space);
    a.run();
    b.key_press(Key::Space);
    b.run();
    for _ in 0..35 {
        a.state().engine.advance(Duration::from_secs(1));
        b.state().engine.advance(Duration::from_secs(1));
        a.run();
        b.run();
    }
    a.key_press(Key::Space);
    a.run();
    b.key_press(Key::Space);
    b.run();
    let (saved, damaged) = load_sessions(&data(dir.path()));
    assert!(damaged.is_empty());
    assert_eq!(saved.len(), 2, "each window's session in its own file");
    for s in &saved {
        assert_eq!(s.ending, Ending::Stopped);
        assert!((s.duration_secs - 35.0).abs() < 0.5, "{}", s.duration_secs);
    }
}

#[test]
fn a_review_that_cannot_be_saved_says_so_keeps_what_was_typed_and_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    play_and_stop(&mut h, REVIEWED_SECS);
    let file = session_files(dir.path()).remove(0);
    let before = std::fs::read(&file).unwrap();
    // The save's temporary file cannot be created: a folder stands where it would go (as a
    // full disk or a read-only folder would refuse it).
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let blocker = file.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::create_dir(&blocker).unwrap();
    type_into(&mut h, "Notes", "hamstring tight");
    h.get_by_label("Save review").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Review, "the review stays open");
    assert!(
        h.query_by_label_contains("The review was not saved: could not save")
            .is_some()
    );
    assert_eq!(h.state().review.as_ref().unwrap().notes, "hamstring tight");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the old file is intact"
    );
    // Once the way is clear, the same review saves.
    std::fs::remove_dir(&blocker).unwrap();
    h.get_by_label("Save review").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Progress);
    let (saved, _) = load_sessions(&data(dir.path()));
    assert_eq!(saved[0].review.as_ref().unwrap().notes, "hamstring tight");
}

#[test]
fn a_review_keeps_an_import_made_meanwhile_and_space_saves_what_was_filled_in() {
    use cadence_coach::store::attach::attach_track;
    use cadence_coach::store::import::{CadenceTrack, Format};
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    play_and_stop(&mut h, REVIEWED_SECS);
    assert_eq!(h.state().screen, Screen::Review);
    // Meanwhile a watch file is imported onto this session (from a terminal).
    let (saved, _) = load_sessions(&data(dir.path()));
    let start: jiff::Timestamp = saved[0].started;
    let track = CadenceTrack {
        format: Format::Fit,
        start_unix: start.as_second(),
        samples: vec![(0.0, 170.0), (1.0, 172.0)],
        doubled: true,
        sport: None,
        notes: Vec::new(),
        distance: Vec::new(),
    };
    attach_track(&data(dir.path()), &saved, &track, "watch.fit").unwrap();
    h.get_by_label("Effort 7").click();
    h.run();
    // Space starts the next run at once; the review filled in so far is saved, not dropped.
    h.key_press(Key::Space);
    h.run();
    assert!(h.state().playing);
    let (saved, _) = load_sessions(&data(dir.path()));
    let first = saved.iter().find(|s| s.review.is_some()).unwrap();
    assert_eq!(first.review.as_ref().unwrap().rpe, Some(7));
    assert_eq!(
        first.imported.as_ref().map(|i| i.source.as_str()),
        Some("watch.fit"),
        "the import made meanwhile is kept"
    );
}

#[test]
fn every_delete_since_the_window_opened_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    for _ in 0..2 {
        play_and_stop(&mut h, REVIEWED_SECS);
        h.get_by_label("Later").click();
        h.run();
    }
    h.get_by_label("Progress").click();
    h.run();
    for _ in 0..2 {
        h.get_all_by_label("Delete").next().unwrap().scroll_to_me();
        settle(&mut h);
        h.get_all_by_label("Delete").next().unwrap().click();
        h.run();
        click_in_view(&mut h, "Yes, delete");
        h.run();
    }
    assert!(session_files(dir.path()).is_empty());
    for _ in 0..2 {
        h.get_by_label("Undo delete").click();
        h.run();
    }
    assert_eq!(session_files(dir.path()).len(), 2);
    assert_eq!(h.state().history.sessions.len(), 2);
    assert!(h.query_by_label("Undo delete").is_none());
}

/// A file as the window system hands it over when dropped on the window.
#[derive(Debug)]
struct Dropped(PathBuf);

impl eframe::egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_watch_file_typed_or_dropped_is_imported_onto_its_session_or_as_a_new_one() {
    use support::watch_files::gpx_file;
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    play_and_stop(&mut h, 90);
    h.get_by_label("Later").click();
    h.run();
    let started: jiff::Timestamp = h.state().history.sessions[0].started;

    // The watch started 10 s after the app and counted strides: 86 a minute is 172 steps.
    let watch = dir.path().join("morning run.gpx");
    let samples: Vec<(u32, u32)> = (0..60).map(|s| (s, 86)).collect();
    std::fs::write(&watch, gpx_file(started.as_second() + 10, &samples)).unwrap();
    h.get_by_label("Progress").click();
    h.run();
    type_into(&mut h, "Watch file", watch.to_str().unwrap());
    h.get_by_label("Import").click();
    h.run();
    assert!(
        h.query_by_label_contains(
            "60 cadence samples, average 172.0 spm (the file counts one foot; doubled to steps), \
             added to the session of"
        )
        .is_some(),
        "the import says what it did"
    );
    let (saved, _) = load_sessions(&data(dir.path()));
    assert_eq!(saved.len(), 1, "onto the session, not beside it");
    let imported = saved[0]
        .imported
        .as_ref()
        .expect("the file holds the cadence");
    assert_eq!(imported.source, "morning run.gpx");
    assert!((imported.average_spm - 172.0).abs() < 1e-9);
    assert_eq!(h.state().history.sessions[0].imported, saved[0].imported);
    // Nothing reviewed yet, but the watch's track gives the step length: 59 s between points
    // 0.00003° of latitude apart each second, at 172 steps a minute. The discomfort plot
    // needs a review and says so instead of an empty frame.
    assert_eq!(imported.moving_secs, Some(59.0));
    let apart = 6_371_000.0 * 0.00003_f64.to_radians();
    let lengths = &h.state().history.series.step_length_m;
    assert_eq!(lengths.len(), 1);
    assert!(
        (lengths[0][1] - apart * 60.0 / 172.0).abs() < 1e-6,
        "{lengths:?}"
    );
    assert!(h.query_by_label_contains("No step lengths yet").is_none());
    assert!(
        h.query_by_label_contains("No discomfort noted yet")
            .is_some()
    );

    // Two files dropped on the window from the Run screen: a run of last year (a new session)
    // and a file that is not a watch file (named, nothing added).
    h.get_by_label("Run").click();
    h.run();
    let old = dir.path().join("old.gpx");
    std::fs::write(&old, gpx_file(started.as_second() - 365 * 86_400, &samples)).unwrap();
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "not a watch file").unwrap();
    h.input_mut().dropped_files = vec![
        std::sync::Arc::new(Dropped(old.clone())),
        std::sync::Arc::new(Dropped(junk.clone())),
        std::sync::Arc::new(Dropped(dir.path().to_path_buf())),
    ];
    h.run();
    assert_eq!(h.state().screen, Screen::Progress, "the result is shown");
    assert!(
        h.query_by_label_contains("saved as a new session at")
            .is_some()
    );
    assert!(
        h.query_by_label_contains(&format!("{} could not be imported:", junk.display()))
            .is_some(),
        "a file that does not import is named"
    );
    assert!(
        h.query_by_label_contains(&format!(
            "{} is a folder: import the FIT, TCX or GPX files in it",
            dir.path().display()
        ))
        .is_some()
    );
    let (saved, damaged) = load_sessions(&data(dir.path()));
    assert!(damaged.is_empty());
    assert_eq!(saved.len(), 2);
    assert_eq!(h.state().history.sessions.len(), 2);
    assert!(
        saved[0].workout.starts_with("Imported: old.gpx"),
        "{}",
        saved[0].workout
    );
}

#[test]
fn a_built_in_workout_is_recorded_with_the_run_screens_target() {
    use cadence_coach::cadence::presets::Preset;
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    // Intervals at 170: 5 min warm-up and cool-down at 161.5, 6 × (2 min at 178.5, 2 at 170).
    h.state_mut().settings.preset = Preset::Intervals;
    play_and_stop(&mut h, REVIEWED_SECS);
    let (saved, _) = load_sessions(&data(dir.path()));
    assert_eq!(saved[0].workout, "Intervals (34 min)");
    assert_eq!(saved[0].target(), Some(170.0), "not the warm-up's 161.5");
    assert!(h.query_by_label_contains("target 170 spm").is_some());
}

#[test]
fn date_labels_of_the_progress_plots_neither_overlap_nor_are_cut_off_and_no_series_is_filled() {
    use support::ui::{is_date_label, painted_filled_areas, painted_texts};
    // 16 sessions over three months, then one more some days later (so that, over the runs, a
    // grid mark comes to lie near the plots' right edge) and one on its morning (points closer
    // than a pixel, which egui_plot would draw as a filled band).
    for later in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let mut sessions = save_sessions(dir.path(), "2026-09-01T07:00:00Z", 16, 6, |_| 1200.0);
        for minutes in [0, 30] {
            let mut extra = sessions[15].clone();
            extra.started += jiff::SignedDuration::from_hours(24 * (1 + later))
                + jiff::SignedDuration::from_mins(minutes);
            extra.id = session_id(extra.started, IdSuffix::Played(100 + minutes as u16));
            save_session(&data(dir.path()), &extra).unwrap();
            sessions.push(extra);
        }
        for size in [[1366.0, 768.0], [1920.0, 1080.0], [800.0, 600.0]] {
            let mut h = app_sized(dir.path(), size);
            h.run();
            h.get_by_label("Progress").click();
            h.run();
            assert_eq!(h.state().history.sessions.len(), sessions.len());
            // From the top of the page, then scrolled to the table (the plots below the fold
            // are drawn then).
            for scrolled in [false, true] {
                if scrolled {
                    h.get_by_label("Export CSV").scroll_to_me();
                    h.run();
                }
                let at = format!("{size:?}, last session {later} days later, scrolled {scrolled}");
                let labels: Vec<_> = painted_texts(&h)
                    .into_iter()
                    .filter(|(text, _, _)| is_date_label(text))
                    .collect();
                assert!(
                    labels.len() >= if scrolled { 2 } else { 6 },
                    "{at}: {labels:?}"
                );
                for (text, rect, clip) in &labels {
                    assert!(
                        rect.left() >= clip.left() && rect.right() <= clip.right(),
                        "{at}: '{text}' at {rect:?} is cut off by {clip:?}"
                    );
                }
                for (i, (a, ra, _)) in labels.iter().enumerate() {
                    for (b, rb, _) in &labels[i + 1..] {
                        assert!(
                            !ra.shrink(0.5).intersects(rb.shrink(0.5)),
                            "{at}: '{a}' at {ra:?} overlaps '{b}' at {rb:?}"
                        );
                    }
                }
                assert_eq!(painted_filled_areas(&h), 0, "{at}: a series drawn filled");
            }
        }
    }
}

/// How many session rows of the table are wholly in view: their Delete button painted inside
/// the clip rect it was painted in.
fn rows_in_view(h: &Harness<'_, CoachApp>) -> usize {
    support::ui::painted_texts(h)
        .into_iter()
        .filter(|(text, rect, clip)| text == "Delete" && clip.contains_rect(*rect))
        .count()
}

/// Scrolls the page to the control named `label`, as a runner would, and clicks it.
fn click_in_view(h: &mut Harness<'_, CoachApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    settle(h);
    h.get_by_label(label).click();
    h.run();
}

/// Runs frames until the window is still (a scroll glides over a few frames).
fn settle(h: &mut Harness<'_, CoachApp>) {
    for _ in 0..50 {
        if h.try_run().is_ok() {
            return;
        }
    }
    panic!("the window did not come to rest");
}

/// Scrolls the page the way a runner would to read the table: until the table's heading is
/// near the top of the view, or the page ends.
fn scroll_to_the_table(h: &mut Harness<'_, CoachApp>) {
    h.get_by_label("Export CSV").scroll_to_me();
    settle(h);
    let heading = |h: &Harness<'_, CoachApp>| {
        support::ui::painted_texts(h)
            .into_iter()
            .find(|(text, _, _)| text == "Export CSV")
            .map(|(_, rect, clip)| rect.top() - clip.top())
            .expect("the table's heading is painted")
    };
    for _ in 0..30 {
        let below_top = heading(h);
        if below_top < 60.0 {
            break;
        }
        h.get_by_label("Export CSV").scroll_down();
        settle(h);
        if heading(h) == below_top {
            break;
        }
    }
}

#[test]
fn the_session_table_shows_ten_rows_and_more_at_1366_by_768() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = save_sessions(dir.path(), "2026-09-01T07:00:00Z", 16, 6, |_| 1200.0);
    let mut h = app_sized(dir.path(), [1366.0, 768.0]);
    h.run();
    h.get_by_label("Progress").click();
    h.run();
    scroll_to_the_table(&mut h);
    let rows = rows_in_view(&h);
    assert!(rows >= 10, "{rows} rows in view");
    // The page goes on down to the oldest session.
    for _ in 0..10 {
        h.get_by_label("Export CSV").scroll_down();
        settle(&mut h);
    }
    let oldest = local_time(&sessions[0]);
    assert!(
        h.query_by_label(&oldest).is_some(),
        "the oldest session, {oldest}, is in the table"
    );
    assert!(rows_in_view(&h) >= 10);
}

#[test]
fn short_sessions_are_marked_in_the_table_can_be_hidden_and_stay_out_of_the_trend() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = save_sessions(dir.path(), "2026-09-01T07:00:00Z", 16, 6, |i| match i {
        3 => 20.0,
        9 => 59.0,
        _ => 1200.0,
    });
    let short: Vec<&SessionRecord> = sessions.iter().filter(|s| s.duration_secs < 60.0).collect();
    let mut h = app_sized(dir.path(), [1366.0, 768.0]);
    h.run();
    h.get_by_label("Progress").click();
    h.run();
    scroll_to_the_table(&mut h);

    // Shown and marked: "short" on the row of each session under a minute, and only there.
    let marks: Vec<eframe::egui::Rect> = h.get_all_by_label("short").map(|n| n.rect()).collect();
    assert_eq!(marks.len(), 2, "{marks:?}");
    for s in &short {
        let row = h.get_by_label(&local_time(s)).rect();
        assert!(
            marks.iter().any(|m| row.y_range().contains(m.center().y)),
            "the session of {} is marked short",
            local_time(s)
        );
    }
    h.get_all_by_label("short").next().unwrap().hover();
    h.run_steps(20);
    assert!(
        h.query_by_label_contains("Under a minute: an accidental start")
            .is_some(),
        "the mark says what it means"
    );

    // The cadence trend is taken over the 14 others; their points are all plotted.
    let series = &h.state().history.series;
    assert_eq!(series.measured.len(), 16);
    assert_eq!(series.trend.len(), 14);
    let short_days: Vec<f64> = short
        .iter()
        .map(|s| series.measured[sessions.iter().position(|x| x.id == s.id).unwrap()][0])
        .collect();
    assert!(series.trend.iter().all(|p| !short_days.contains(&p[0])));

    // Hidden on request, and back.
    h.get_by_label("Hide short sessions").click();
    settle(&mut h);
    scroll_to_the_table(&mut h);
    assert!(h.state().progress_view.hide_short);
    assert!(h.query_by_label("short").is_none());
    assert!(h.query_by_label("2 hidden").is_some());
    for s in &short {
        assert!(h.query_by_label(&local_time(s)).is_none());
    }
    assert_eq!(h.get_all_by_label("Delete").count(), 14);
    assert_eq!(
        h.state().history.series.trend.len(),
        14,
        "hiding changes the table only"
    );
    h.get_by_label("Hide short sessions").click();
    settle(&mut h);
    scroll_to_the_table(&mut h);
    assert!(!h.state().progress_view.hide_short);
    assert_eq!(h.get_all_by_label("short").count(), 2);
    assert_eq!(h.get_all_by_label("Delete").count(), 16);
}
