//! The history at 5,000 sessions (about 20 years of three runs a week, or a heavy user's
//! decade): loading every session file, building the Progress plot data and advice, and one
//! whole frame of the Progress screen (layout, plots, table and tessellation) with the cursor
//! over the cadence plot.
//!
//! `cargo bench --bench history`. Goals: load < 300 ms, one Progress frame < 8 ms.

use std::path::Path;

use cadence_coach::audio::AudioEngine;
use cadence_coach::cadence::cues::CUES;
use cadence_coach::cadence::progress::{ProgressSeries, advice};
use cadence_coach::cadence::session::{
    Ending, IdSuffix, Review, SessionRecord, Surface, session_id,
};
use cadence_coach::cadence::stride::Units;
use cadence_coach::store::sessions::{load_sessions, save_session};
use cadence_coach::ui::{CoachApp, Command, Screen};
use egui_kittest::Harness;

const SESSIONS: usize = 5_000;

fn main() {
    divan::main();
}

/// A realistic record: warm-up, main part and cool-down played, and a full review.
fn session(i: usize) -> SessionRecord {
    let start =
        jiff::Timestamp::from_second(1_500_000_000 + i as i64 * 2 * 86_400 + 7 * 3600).unwrap();
    let id = session_id(start, IdSuffix::Played(i as u16));
    let target = 160.0 + (i % 30) as f64 * 0.5;
    let mut r = SessionRecord::new(&id, start, "Warm-up, main, cool-down", target);
    let mut step = 0u64;
    for (part, (name, secs, spm)) in [
        ("Warm-up", 300.0, target - 10.0),
        ("Main", 1200.0, target),
        ("Cool-down", 300.0, target - 10.0),
    ]
    .into_iter()
    .enumerate()
    {
        let start_secs = r.duration_secs;
        let steps = (secs * spm / 60.0) as u64;
        r.step(start_secs, step, (part, 0), name, (spm * 1000.0) as u32);
        r.step(
            start_secs + secs,
            step + steps,
            (part, 0),
            name,
            (spm * 1000.0) as u32,
        );
        step += steps + 1;
    }
    r.ending = Ending::Finished;
    r.review = Some(Review {
        measured_spm: Some(target - 1.5),
        rpe: Some(5),
        discomfort: Some((i % 4) as u8),
        discomfort_where: "lower back".into(),
        surface: Some(Surface::Treadmill),
        shoes: format!("Pair {}", i / 60),
        distance_km: Some(5.0),
        speed_kmh: Some(10.0),
        cues_held: vec![CUES[0].title.into(), CUES[1].title.into()],
        notes: "Felt steady; the click was easy to follow.".into(),
    });
    r
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..SESSIONS {
        save_session(dir.path(), &session(i)).unwrap();
    }
    dir
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_5000_sessions(bencher: divan::Bencher) {
    let dir = folder();
    bencher.bench_local(|| {
        let (sessions, damaged) = load_sessions(dir.path());
        assert_eq!(sessions.len(), SESSIONS);
        assert!(damaged.is_empty());
        sessions
    });
}

#[divan::bench(sample_count = 20)]
fn plot_data_and_advice_for_5000(bencher: divan::Bencher) {
    let sessions: Vec<SessionRecord> = (0..SESSIONS).map(session).collect();
    bencher.bench_local(|| {
        (
            ProgressSeries::new(&sessions, &jiff::tz::TimeZone::fixed(jiff::tz::offset(1))),
            advice(&sessions, Units::Metric),
        )
    });
}

fn progress_window(data: &Path) -> Harness<'static, CoachApp> {
    let settings = data.join("settings.ron");
    let data = data.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1100.0, 900.0])
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        });
    h.state_mut().apply(Command::Show(Screen::Progress));
    for _ in 0..3 {
        h.step();
    }
    // The cursor over the cadence plot, so each frame also finds the nearest point.
    h.hover_at(eframe::egui::pos2(500.0, 250.0));
    h.step();
    h
}

#[divan::bench(sample_count = 50)]
fn progress_frame_with_5000_sessions(bencher: divan::Bencher) {
    let dir = folder();
    let mut h = progress_window(dir.path());
    assert_eq!(h.state().history.sessions.len(), SESSIONS);
    bencher.bench_local(|| {
        h.step();
        let shapes = h.output().shapes.clone();
        h.ctx.tessellate(shapes, 1.0)
    });
}
