//! Fuzzing every input the app reads, with proptest (bounded cases, so CI runs them all): the
//! settings file, workout files, plan files, session files, the CSV export read back, and the
//! command line. Each target starts from a valid input, mutates it (flipped, cut, inserted and
//! repeated bytes, stray RON tokens), and checks a property beyond "no panic": what loads is
//! sane and round-trips, what does not load is named and kept, and nothing is lost.
//! (The watch-file parsers have their own fuzz targets next to them in `src/store/import/`.)
//!
//! `PROPTEST_CASES=N` raises the number of cases for a longer run.

mod support;

use std::path::Path;

use cadence_coach::cadence::BeatCursor;
use cadence_coach::cadence::plan::{Plan, PlanInputs};
use cadence_coach::cadence::session::{Ending, PlayedSegment, Review, SessionRecord, Surface};
use cadence_coach::store::export::{CSV_HEADER, sessions_csv};
use cadence_coach::store::plan_file::{read_plan, save_plan};
use cadence_coach::store::sessions::{load_sessions, save_session};
use cadence_coach::store::settings::{Settings, load_settings, save_settings};
use cadence_coach::store::{parse_workout, workout_file::workout_to_ron};
use proptest::prelude::*;

/// One change to a file's bytes.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize, usize),
    Insert(usize, Vec<u8>),
    Repeat(usize, usize, u8),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let tokens = prop::sample::select(vec![
        "(",
        ")",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "Some(",
        "None",
        "-1",
        "1e309",
        "NaN",
        "inf",
        "4294967296",
        "-0",
        "true",
        "\u{0}",
        "é",
        "//",
        "/*",
        "\\",
        "Faded(on_secs: 0, off_secs: 0)",
        "volume: NaN",
        "target: 999",
        "version: 99",
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
        (any::<usize>(), 0usize..40).prop_map(|(at, n)| Edit::Cut(at, n)),
        (any::<usize>(), tokens).prop_map(|(at, t)| Edit::Insert(at, t.as_bytes().to_vec())),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1usize..200, any::<u8>()).prop_map(|(at, n, b)| Edit::Repeat(at, n, b)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    for e in edits {
        let at = |i: usize| if b.is_empty() { 0 } else { i % (b.len() + 1) };
        match e {
            Edit::Flip(i, v) if !b.is_empty() => {
                let i = i % b.len();
                b[i] = *v;
            }
            Edit::Flip(..) => {}
            Edit::Cut(i, n) => {
                let i = at(*i);
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            Edit::Insert(i, bytes) => {
                let i = at(*i);
                b.splice(i..i, bytes.iter().copied());
            }
            Edit::Repeat(i, n, v) => {
                let i = at(*i);
                b.splice(i..i, std::iter::repeat_n(*v, *n));
            }
            Edit::Truncate(i) => {
                let i = at(*i);
                b.truncate(i);
            }
        }
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 1..6)
}

fn sane(s: &Settings) -> Result<(), String> {
    let v = s.click.volume;
    if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
        return Err(format!("volume {v}"));
    }
    if !(1..=60).contains(&s.cue_minutes) {
        return Err(format!("cue minutes {}", s.cue_minutes));
    }
    if let Some(kmh) = s.treadmill_kmh
        && !(kmh.is_finite() && kmh > 0.0 && kmh <= 40.0)
    {
        return Err(format!("treadmill {kmh}"));
    }
    if let Some(f) = s.click.fade
        && !((1..=3600).contains(&f.on_secs) && (1..=3600).contains(&f.off_secs))
    {
        return Err(format!("fade {f:?}"));
    }
    let t = s.target.get();
    if !(100.0..=240.0).contains(&t) {
        return Err(format!("target {t}"));
    }
    Ok(())
}

fn valid_settings_text(dir: &Path) -> String {
    let path = dir.join("model.ron");
    let mut s = Settings {
        treadmill_kmh: Some(10.5),
        ..Settings::default()
    };
    s.click.fade = "60/30".parse().ok();
    save_settings(&path, &s).unwrap();
    std::fs::read_to_string(path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Settings: what loads is within every limit the app relies on (a NaN volume would reach
    /// the audio thread); what does not load is set aside byte for byte and named.
    #[test]
    fn settings(e in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let bytes = mutate(&valid_settings_text(dir.path()), &e);
        let path = dir.path().join("settings.ron");
        std::fs::write(&path, &bytes).unwrap();
        let (settings, note) = load_settings(&path);
        prop_assert!(sane(&settings).is_ok(), "{:?}", sane(&settings));
        match note {
            None => prop_assert_eq!(std::fs::read(&path).unwrap(), bytes),
            Some(note) => {
                prop_assert!(note.contains("settings.ron"), "{}", note);
                prop_assert!(!path.exists(), "set aside, so a later save cannot overwrite it");
                let aside: Vec<_> = std::fs::read_dir(dir.path())
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.to_string_lossy().contains("damaged"))
                    .collect();
                prop_assert_eq!(aside.len(), 1);
                prop_assert_eq!(std::fs::read(&aside[0]).unwrap(), bytes);
            }
        }
    }

    /// Workouts: a file that parses is a valid workout that writes back and reads the same, and
    /// its beats come out in order; one that does not is named with the file.
    #[test]
    fn workouts(e in edits()) {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/ten-minute-sampler.ron"
        ))
        .unwrap();
        let bytes = mutate(&text, &e);
        let text = String::from_utf8_lossy(&bytes);
        let path = Path::new("fuzzed.ron");
        match parse_workout(&text, path) {
            Ok(w) => {
                prop_assert!(w.duration_ms() <= 24 * 3_600_000);
                let again = parse_workout(&workout_to_ron(&w), path).unwrap();
                prop_assert_eq!(&again, &w);
                let mut last = None;
                for beat in BeatCursor::workout(&w, 48_000).take(2_000) {
                    prop_assert!(last.is_none_or(|l| beat.frame > l));
                    last = Some(beat.frame);
                }
            }
            Err(err) => prop_assert!(err.to_string().contains("fuzzed.ron"), "{}", err),
        }
    }

    /// Plans: a hand edit that reads is a plan whose sessions keep the rules; one that does not
    /// is named with the file, which stays where it is.
    #[test]
    fn plans(e in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::new("20261121T070000Z", PlanInputs::default()).unwrap();
        let path = save_plan(dir.path(), &plan).unwrap();
        let bytes = mutate(&std::fs::read_to_string(&path).unwrap(), &e);
        std::fs::write(&path, &bytes).unwrap();
        match read_plan(&path) {
            Ok(p) => {
                let sessions = p.sessions();
                prop_assert!(!sessions.is_empty() && sessions.len() <= 400);
                for pair in sessions.windows(2) {
                    prop_assert!(pair[0].planned < pair[1].planned);
                }
                prop_assert_eq!(sessions.last().unwrap().spm, p.inputs.target);
                for s in sessions.iter().take(5) {
                    prop_assert_eq!(p.workout(s).duration_ms(), u64::from(s.minutes) * 60_000);
                }
            }
            Err(err) => {
                let err = err.to_string();
                prop_assert!(err.contains("20261121T070000Z.ron"), "{}", err);
                prop_assert_eq!(std::fs::read(&path).unwrap(), bytes);
            }
        }
    }

    /// Sessions: a damaged file among good ones costs only itself: the good one loads, the
    /// damaged one loads (and then saves and loads the same) or is moved aside byte for byte.
    #[test]
    fn sessions(e in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let good = record("20261120T070000Z-0001", "Steady", "notes");
        let victim = record("20261121T070000Z-0002", "Intervals", "sore \"calf\", left");
        save_session(dir.path(), &good).unwrap();
        let path = save_session(dir.path(), &victim).unwrap();
        let bytes = mutate(&std::fs::read_to_string(&path).unwrap(), &e);
        std::fs::write(&path, &bytes).unwrap();
        let (loaded, damaged) = load_sessions(dir.path());
        prop_assert!(loaded.contains(&good), "the good session always loads");
        if damaged.is_empty() {
            prop_assert_eq!(loaded.len(), 2);
            let other = loaded.iter().find(|r| **r != good).unwrap().clone();
            let again = tempfile::tempdir().unwrap();
            save_session(again.path(), &other).unwrap();
            prop_assert_eq!(&load_sessions(again.path()).0, &vec![other]);
        } else {
            prop_assert_eq!(loaded.len(), 1);
            prop_assert_eq!(damaged.len(), 1);
            let moved = damaged[0].moved_to.clone().expect("moved aside");
            prop_assert_eq!(std::fs::read(moved).unwrap(), bytes);
            prop_assert!(damaged[0].to_string().contains("20261121T070000Z-0002.ron"));
        }
    }

    /// The CSV export read back with a strict RFC 4180 reader gives every field as it was
    /// (a field a spreadsheet would run as a formula comes back with its leading apostrophe).
    #[test]
    fn csv_round_trip(texts in prop::collection::vec(
        proptest::string::string_regex("[a-z =+@\"',;\\n\\r-]{0,12}").unwrap(), 1..12)
    ) {
        let records: Vec<SessionRecord> = texts
            .chunks(3)
            .enumerate()
            .map(|(i, t)| {
                let mut r = record(&format!("id{i}"), &t[0], t.get(1).map_or("", String::as_str));
                if let Some(shoes) = t.get(2) {
                    r.review.as_mut().unwrap().shoes = shoes.clone();
                }
                r
            })
            .collect();
        let rows = read_csv(&sessions_csv(&records)).expect("well-formed CSV");
        prop_assert_eq!(rows.len(), records.len() + 1);
        prop_assert_eq!(rows[0].join(","), CSV_HEADER);
        let col = |name: &str| CSV_HEADER.split(',').position(|c| c == name).unwrap();
        let defused = |t: &str| {
            if t.starts_with(['=', '+', '-', '@']) { format!("'{t}") } else { t.to_string() }
        };
        for (row, r) in rows[1..].iter().zip(&records) {
            prop_assert_eq!(row.len(), rows[0].len());
            prop_assert_eq!(&row[col("workout")], &defused(&r.workout));
            let review = r.review.as_ref().unwrap();
            prop_assert_eq!(&row[col("notes")], &defused(&review.notes));
            prop_assert_eq!(&row[col("shoes")], &defused(&review.shoes));
            prop_assert_eq!(&row[col("rpe")], "6");
        }
    }
}

fn record(id: &str, workout: &str, notes: &str) -> SessionRecord {
    let mut r = SessionRecord::new(id, "2026-11-21T07:00:00Z".parse().unwrap(), workout, 170.0);
    r.duration_secs = 600.0;
    r.steps = 1701;
    r.segments = vec![PlayedSegment {
        name: "Main".into(),
        start_secs: 0.0,
        secs: 600.0,
        start_spm: 170.0,
        end_spm: 170.0,
        first_step: 0,
        last_step: 1700,
    }];
    r.ending = Ending::Finished;
    r.review = Some(Review {
        rpe: Some(6),
        surface: Some(Surface::Road),
        notes: notes.into(),
        ..Review::default()
    });
    r
}

/// A strict RFC 4180 reader: quoted fields may hold commas, quotes (doubled) and line breaks;
/// anything else malformed is an error.
fn read_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            '"' => return Err(format!("stray quote in {field:?}")),
            ',' => {
                row.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                was_quoted = false;
            }
            '\r' if !was_quoted => return Err("bare carriage return".into()),
            c if was_quoted => return Err(format!("text after a closing quote: {c:?}")),
            c => field.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    if !field.is_empty() || !row.is_empty() {
        return Err("no line break after the last row".into());
    }
    Ok(rows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The command line: any mix of real and wrong arguments ends with exit code 0, 1 or 2,
    /// in bounded time, never a panic, and every failure is one line on stderr.
    #[test]
    fn command_line(
        command in prop::sample::select(vec!["render", "plan", "history", "import", "bogus"]),
        args in prop::collection::vec(prop::sample::select(vec![
            "--spm", "180", "172.5", "99", "241", "abc", "--minutes", "0.01", "-3", "1e9", "0",
            "--workout", "examples/ten-minute-sampler.ron", "missing.ron", "--sound", "woodblock",
            "gong", "--accent", "4", "3", "--quiet", "2", "--pan", "--volume", "101", "--fade",
            "60/30", "0/0", "--rate", "8000", "1", "--channels", "1", "3", "--baseline", "160",
            "--target", "168", "200", "--per-week", "9", "--start", "2026-02-30", "--override",
            "--json", "--csv", "--per-stage", "1", "--step", "NaN", "--help", "--version", "-o",
            "", "\u{fffd}", "é", "--data-dir",
        ]), 0..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut full = vec![command.to_string()];
        full.extend(args.iter().map(|a| a.to_string()));
        // Renders go into the test's folder and stay short.
        if command == "render" {
            full.extend(["-o".into(), dir.path().join("out.wav").to_string_lossy().into_owned()]);
        }
        // Bound to a name: its private folders must outlive the child.
        let mut cmd = support::bin();
        let mut child = cmd
            .args(&full)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CADENCE_COACH_DATA_DIR", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                prop_assert!(false, "{full:?} did not finish in 60 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        let code = status.code();
        prop_assert!(matches!(code, Some(0..=2)), "{full:?}: {code:?} {err}");
        prop_assert!(!err.contains("panicked"), "{full:?}: {err}");
        if code != Some(0) {
            let lines: Vec<&str> = err.lines().filter(|l| !l.contains("warning:")).collect();
            prop_assert_eq!(lines.len(), 1, "{:?}: {}", full, err);
            prop_assert!(lines[0].starts_with("cadence-coach: "), "{:?}: {}", full, err);
        }
    }
}
