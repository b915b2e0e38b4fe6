//! `cadence-coach plan` as a runner types it: the table, JSON, saving into the data folder,
//! and bad input with exit code 2 and one line that names the field.

mod support;

use support::{run, run_ok, stderr, stdout};

#[test]
fn a_plan_prints_dated_sessions_three_a_week_ending_at_the_target() {
    let out = run_ok(&[
        "plan",
        "--baseline",
        "162",
        "--target",
        "175",
        "--start",
        "2026-11-23",
    ]);
    let text = stdout(&out);
    assert!(
        text.starts_with("Plan: 162 to 175 spm (+8.0 %), 2 stages of 8 sessions, 3 a week, 16 sessions from 2026-11-23"),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().skip(3).collect();
    assert_eq!(rows.len(), 16);
    // +5 % of 162 is 8.1, rounded to 8: stage 1 at 170, stage 2 at the target.
    assert!(
        rows[0].contains("2026-11-23  Mon      1     170   15  click"),
        "{}",
        rows[0]
    );
    assert!(rows[4].ends_with("faded"));
    assert!(rows[7].ends_with("self-check"));
    assert!(
        rows[15].contains("     175   30  self-check"),
        "{}",
        rows[15]
    );
    assert!(stderr(&out).is_empty(), "no warning within +10 %");
}

#[test]
fn json_and_save_write_what_the_window_follows() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run_ok(&[
        "plan",
        "--baseline",
        "170",
        "--target",
        "178.5",
        "--per-week",
        "4",
        "--json",
        "--save",
        "--start",
        "2026-12-01",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["stages"], serde_json::json!([178.5]));
    assert_eq!(json["sessions"].as_array().unwrap().len(), 8);
    assert_eq!(json["sessions"][0]["planned"], "2026-12-01");
    assert_eq!(json["inputs"]["per_week"], 4);
    assert!(stderr(&out).contains("saved as the current plan"));
    let saved = std::fs::read_dir(data.join("plans")).unwrap().count();
    assert_eq!(saved, 1);
    let (plan, _) = cadence_coach::store::plan_file::load_current_plan(&data)
        .unwrap()
        .unwrap();
    assert_eq!(plan.inputs.target.get(), 178.5);
}

#[test]
fn more_than_ten_percent_needs_the_override_and_warns_with_it() {
    let out = run(&["plan", "--baseline", "160", "--target", "180"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("12.5 % over the baseline 160 spm") && err.contains("override"),
        "{err}"
    );
    let out = run_ok(&["plan", "--baseline", "160", "--target", "180", "--override"]);
    assert!(stderr(&out).contains("warning: The target is 12.5 % over"));
    assert!(stdout(&out).contains("160 to 180 spm (+12.5 %), 3 stages"));
}

#[test]
fn bad_input_is_one_line_naming_the_field_with_exit_code_2() {
    for (args, says) in [
        (
            vec!["--baseline", "170", "--target", "165"],
            "Target 165 spm must be above the baseline 170 spm",
        ),
        (
            vec!["--baseline", "170", "--target", "175", "--per-week", "9"],
            "Sessions per week 9 is outside 1–7",
        ),
        (
            vec!["--baseline", "170", "--target", "175", "--step", "8"],
            "Step per stage 8 %",
        ),
        (
            vec!["--baseline", "170", "--target", "175", "--minutes", "40-20"],
            "Session minutes 40–20",
        ),
        (
            vec!["--baseline", "90", "--target", "175"],
            "90 spm is outside the valid range 100–240 spm",
        ),
        (
            vec![
                "--baseline",
                "170",
                "--target",
                "175",
                "--start",
                "next week",
            ],
            "'next week' is not a date",
        ),
        (vec!["--target", "175"], "--baseline"),
    ] {
        let mut full = vec!["plan"];
        full.extend(args);
        let out = run(&full);
        assert_eq!(out.status.code(), Some(2), "{full:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{full:?}: {err}");
        assert!(err.contains(says), "{full:?}: {err}");
        assert!(stdout(&out).is_empty());
    }
}
