//! `cadence-coach history` on a real data folder: good sessions listed, a damaged one moved
//! aside and named, CSV and JSON.

mod support;

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
             imported_from,ending"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "20261120T100000Z-0001,2026-11-20T10:00:00Z,\"Intervals, hard\",600.0,172.5,1726,172.5,\
             ,,,,,,,,,,,finished"
        )
    );

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["history", "--json", "--data-dir", data]))).unwrap();
    assert_eq!(json[0]["steps"], 1726);

    let empty = tempfile::tempdir().unwrap();
    let out = run_ok(&["history", "--data-dir", empty.path().to_str().unwrap()]);
    assert!(stdout(&out).starts_with("No sessions yet"));
}
