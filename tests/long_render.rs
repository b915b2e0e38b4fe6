//! A long run, checked click by click: a two-hour workout (steady parts, rising and falling
//! ramps, intervals and a silent block) rendered by the real binary, every click found in the
//! WAV's samples and compared with where an independent model puts it. Rendered at 8 kHz mono to
//! keep the file at 115 MB; the beat arithmetic is the same at every rate.

mod support;

use support::{RefSegment, Wav, assert_clicks_where_the_model_puts_them, reference_beats, run_ok};

#[test]
fn a_two_hour_workout_has_every_click_on_its_exact_frame() {
    let mut text = String::from(
        "Workout(version: 1, name: \"Two hours\", segments: [\n\
         (name: \"Warm-up\", minutes: 10, tempo: Steady(160)),\n\
         (name: \"Build\", minutes: 20, tempo: Ramp(from: 160, to: 172)),\n",
    );
    let steady = |secs: f64, spm: f64| RefSegment {
        secs,
        from_spm: spm,
        to_spm: spm,
        audible: true,
    };
    let mut model = vec![
        steady(600.0, 160.0),
        RefSegment {
            secs: 1200.0,
            from_spm: 160.0,
            to_spm: 172.0,
            audible: true,
        },
    ];
    for _ in 0..8 {
        text.push_str("(name: \"Quick\", minutes: 4, tempo: Steady(180)),\n");
        text.push_str("(name: \"Easy\", minutes: 3, tempo: Steady(168)),\n");
        model.push(steady(240.0, 180.0));
        model.push(steady(180.0, 168.0));
    }
    text.push_str(
        "(name: \"Alone\", minutes: 6, tempo: Steady(172.5), click: Off),\n\
         (name: \"Ease off\", minutes: 18, tempo: Ramp(from: 172, to: 165)),\n\
         (name: \"Cool-down\", minutes: 10, tempo: Steady(160)),\n])\n",
    );
    model.push(RefSegment {
        audible: false,
        ..steady(360.0, 172.5)
    });
    model.push(RefSegment {
        secs: 1080.0,
        from_spm: 172.0,
        to_spm: 165.0,
        audible: true,
    });
    model.push(steady(600.0, 160.0));

    let dir = tempfile::tempdir().unwrap();
    let workout = dir.path().join("two-hours.ron");
    std::fs::write(&workout, &text).unwrap();
    let wav_path = dir.path().join("two-hours.wav");
    run_ok(&[
        "render",
        "--workout",
        workout.to_str().unwrap(),
        "-o",
        wav_path.to_str().unwrap(),
        "--rate",
        "8000",
        "--channels",
        "1",
    ]);
    let wav = Wav::read(&wav_path);
    assert_eq!(wav.frames(), 2 * 3600 * 8000);

    let expected = reference_beats(&model, 8000);
    let found = assert_clicks_where_the_model_puts_them(&wav, &expected);
    // The last click sits where two hours of exact arithmetic put it: no drift.
    eprintln!(
        "two-hour render: {} clicks, {} steps in all, every one on its exact frame; last click at {:.3} s",
        found.len(),
        expected.len(),
        *found.last().unwrap() as f64 / 8000.0
    );
}
