//! The `render` command as a runner uses it: a real workout file in, a WAV out, and the clicks
//! found in the WAV's samples checked against where the workout says they belong.

mod support;

use support::{
    RefSegment, Wav, assert_clicks_where_the_model_puts_them, reference_beats, run, run_ok, stderr,
    stdout,
};

const WORKOUT: &str = r#"
Workout(
    version: 1,
    name: "Ten-minute sampler",
    segments: [
        (name: "Warm-up", minutes: 2, tempo: Steady(160)),
        (name: "Build", minutes: 3, tempo: Ramp(from: 160, to: 175)),
        (name: "Fast", seconds: 30, tempo: Steady(180)),
        (name: "Easy", seconds: 30, tempo: Steady(170)),
        (name: "Fast", seconds: 30, tempo: Steady(180)),
        (name: "Easy", seconds: 30, tempo: Steady(170)),
        (name: "Fast", seconds: 30, tempo: Steady(180)),
        (name: "Easy", seconds: 30, tempo: Steady(170)),
        (name: "Fast", seconds: 30, tempo: Steady(180)),
        (name: "Easy", seconds: 30, tempo: Steady(170)),
        (name: "Hold it alone", seconds: 40, tempo: Steady(172.5), click: Off),
        (name: "Cool-down", seconds: 20, tempo: Steady(165)),
    ],
)
"#;

fn reference() -> Vec<RefSegment> {
    let steady = |secs: f64, spm: f64| RefSegment {
        secs,
        from_spm: spm,
        to_spm: spm,
        audible: true,
    };
    let mut segs = vec![
        steady(120.0, 160.0),
        RefSegment {
            secs: 180.0,
            from_spm: 160.0,
            to_spm: 175.0,
            audible: true,
        },
    ];
    for _ in 0..4 {
        segs.push(steady(30.0, 180.0));
        segs.push(steady(30.0, 170.0));
    }
    segs.push(RefSegment {
        audible: false,
        ..steady(40.0, 172.5)
    });
    segs.push(steady(20.0, 165.0));
    segs
}

#[test]
fn a_rendered_workout_has_every_click_where_the_workout_puts_it() {
    let dir = tempfile::tempdir().unwrap();
    let workout = dir.path().join("sampler.ron");
    std::fs::write(&workout, WORKOUT).unwrap();
    let wav_path = dir.path().join("sampler.wav");
    let out = run_ok(&[
        "render",
        "--workout",
        workout.to_str().unwrap(),
        "-o",
        wav_path.to_str().unwrap(),
        "--sound",
        "woodblock",
        "--accent",
        "4",
    ]);
    assert!(
        stdout(&out).contains("10:00 of click track"),
        "{}",
        stdout(&out)
    );

    let wav = Wav::read(&wav_path);
    assert_eq!((wav.rate, wav.channels), (48_000, 2));
    assert_eq!(wav.frames(), 10 * 60 * 48_000);

    let expected = reference_beats(&reference(), 48_000);
    let found = assert_clicks_where_the_model_puts_them(&wav, &expected);
    eprintln!(
        "workout render: {} clicks found in the WAV, all at the frame the model gives; {} steps in all",
        found.len(),
        expected.len()
    );

    // Nothing sounds in the silent block, and the click comes back on the grid after it.
    let off_start = 9 * 60 * 48_000;
    let off_end = off_start + 40 * 48_000;
    assert!(found.iter().all(|&f| f < off_start || f >= off_end));
    let first_after = *found.iter().find(|&&f| f >= off_end).unwrap();
    assert!(expected.iter().any(|b| b.0 == first_after));

    // Every 4th step (counted from the first, silent steps included) is accented, and so are
    // the last four steps before each tempo change (the count-in).
    let segs = reference();
    let count_in = |i: usize| {
        let seg = expected[i].2;
        let left = expected[i..].iter().take_while(|b| b.2 == seg).count();
        left <= 4
            && segs
                .get(seg + 1)
                .is_some_and(|next| next.from_spm != segs[seg].to_spm)
    };
    let index_of = |frame: u64| expected.iter().position(|b| b.0 == frame).unwrap();
    let mut counted_in = 0;
    for &frame in &found {
        let peak = wav.peak_after(frame);
        let i = index_of(frame);
        counted_in += usize::from(count_in(i));
        if i % 4 == 0 || count_in(i) {
            assert!(peak > 17_000, "accented step at {frame} peaks at {peak}");
        } else {
            assert!(peak < 14_000, "plain step at {frame} peaks at {peak}");
        }
    }
    // Ramp → 180, and each of the seven changes between quick and easy (the change into the
    // silent block is counted in too); the change out of the silent block is silent.
    assert_eq!(counted_in, 4 * 9, "count-in clicks heard");

    // The ramp's steps come closer together as it goes.
    let ramp: Vec<u64> = found
        .iter()
        .copied()
        .filter(|&f| (120 * 48_000..300 * 48_000).contains(&f))
        .collect();
    let first = ramp[1] - ramp[0];
    let last = ramp[ramp.len() - 1] - ramp[ramp.len() - 2];
    assert!(first > last + 1000, "ramp intervals {first} → {last}");
}

#[test]
fn a_steady_render_at_44k1_mono_sits_on_the_formula() {
    let dir = tempfile::tempdir().unwrap();
    let wav_path = dir.path().join("steady.wav");
    run_ok(&[
        "render",
        "--spm",
        "173",
        "--minutes",
        "2.5",
        "--rate",
        "44100",
        "--channels",
        "1",
        "-o",
        wav_path.to_str().unwrap(),
    ]);
    let wav = Wav::read(&wav_path);
    assert_eq!((wav.rate, wav.channels), (44_100, 1));
    let found = wav.onsets(1000);
    // 173 spm for 2.5 minutes: 432.5 steps, so 433 clicks (the first at 0:00).
    assert_eq!(found.len(), 433);
    for (n, &f) in found.iter().enumerate() {
        assert_eq!(
            f,
            (n as f64 * 60.0 * 44_100.0 / 173.0).round() as u64,
            "click {n}"
        );
    }
}

#[test]
fn bad_usage_exits_2_with_one_line_naming_the_problem() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["render", "--spm", "300", "--minutes", "1", "-o", "x.wav"],
            "300 spm is outside the valid range 100–240 spm",
        ),
        (
            &["render", "--spm", "170.3", "--minutes", "1", "-o", "x.wav"],
            "not a multiple of 0.5",
        ),
        (&["render", "--spm", "170", "-o", "x.wav"], "--minutes"),
        (
            &["render", "--spm", "170", "--minutes", "0", "-o", "x.wav"],
            "0 minutes is outside",
        ),
        (
            &[
                "render",
                "--spm",
                "170",
                "--minutes",
                "1",
                "-o",
                "x.wav",
                "--sound",
                "gong",
            ],
            "'gong' is not a click sound",
        ),
        (
            &[
                "render",
                "--spm",
                "170",
                "--minutes",
                "1",
                "-o",
                "x.wav",
                "--accent",
                "3",
            ],
            "'3' is not a step pattern",
        ),
        (
            &[
                "render",
                "--spm",
                "170",
                "--minutes",
                "1",
                "-o",
                "x.wav",
                "--rate",
                "1000",
            ],
            "--rate",
        ),
        (
            &["play", "--spm", "170", "--workout", "w.ron"],
            "cannot be used with",
        ),
        (&["dance"], "unrecognized subcommand 'dance'"),
    ];
    for (args, needle) in cases {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?} printed several lines: {err}"
        );
        assert!(
            err.contains(needle),
            "{args:?}: '{err}' does not mention '{needle}'"
        );
        assert!(!std::path::Path::new("x.wav").exists());
    }
}

#[test]
fn help_and_version_exit_0() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("render"));
    assert!(stdout(&out).contains("play"));
    let out = run(&["render", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--accent"));
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("cadence-coach "));
}

#[test]
fn the_help_says_what_esc_does_as_the_readme_does_and_names_channels_plainly() {
    // Both as one line of words: help and README wrap where they like.
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let readme =
        words(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap());
    // `play`: in a terminal q, Esc or Ctrl-C stops it; piped, Ctrl-C or SIGTERM.
    let play = words(&stdout(&run(&["play", "--help"])));
    assert!(
        play.contains("in a terminal q, Esc or Ctrl-C stops"),
        "{play}"
    );
    assert!(play.contains("piped, Ctrl-C or SIGTERM stops"), "{play}");
    assert!(readme.contains("q, Esc or Ctrl-C stop it (Esc stops `play`"));
    assert!(readme.contains("Ctrl-C or SIGTERM stops it"));
    // `render -o`: the file's channels are --channels', not "stereo" beside --channels 1.
    let render = stdout(&run(&["render", "--help"]));
    let from = render.find("-o, --output").expect("the -o option");
    let to = from + render[from..].find("--rate").expect("then --rate");
    let output = &render[from..to];
    assert!(!output.contains("stereo"), "{output}");
    assert!(output.contains("--channels"), "{output}");
    assert!(readme.contains("`render -o FILE.wav` | 16-bit WAV; `--rate HZ` (default 48000), `--channels 1\\|2` (default 2)"));
}

/// Renders a workout file that should fail; returns the one line it printed.
fn failing_render(workout: &std::path::Path) -> String {
    let out = run(&[
        "render",
        "--workout",
        workout.to_str().unwrap(),
        "-o",
        "x.wav",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

#[test]
fn other_failures_exit_1_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = failing_render(&dir.path().join("nope.ron"));
    assert!(err.contains("nope.ron"), "{err}");

    let broken = dir.path().join("broken.ron");
    std::fs::write(&broken, WORKOUT.replace("Steady(165)", "Steady(400)")).unwrap();
    let err = failing_render(&broken);
    assert!(err.contains("broken.ron, line 17"), "{err}");
    assert!(err.contains("400 spm is outside"), "{err}");

    let unwritable = dir.path().join("no-such-folder").join("c.wav");
    let out = run(&[
        "render",
        "--spm",
        "170",
        "--minutes",
        "0.1",
        "-o",
        unwritable.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("could not write") && err.contains("no-such-folder"),
        "{err}"
    );
}

#[test]
fn rendering_over_an_existing_file_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.wav");
    std::fs::write(&path, b"an older file").unwrap();
    run_ok(&[
        "render",
        "--spm",
        "180",
        "--minutes",
        "0.25",
        "-o",
        path.to_str().unwrap(),
    ]);
    let wav = Wav::read(&path);
    assert_eq!(wav.onsets(1000).len(), 45);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

#[test]
fn the_example_workout_in_the_repository_renders() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("sampler.wav");
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ten-minute-sampler.ron"
    );
    let out = run_ok(&[
        "render",
        "--workout",
        example,
        "--rate",
        "8000",
        "--channels",
        "1",
        "-o",
        wav.to_str().unwrap(),
    ]);
    assert!(
        stdout(&out).contains("10:00 of click track"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_unusual_cadence_renders_with_a_warning_and_a_usual_one_without() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("c.wav");
    let render = |spm: &str| {
        run_ok(&[
            "render",
            "--spm",
            spm,
            "--minutes",
            "0.05",
            "-o",
            wav.to_str().unwrap(),
        ])
    };
    let out = render("230");
    assert_eq!(
        stderr(&out).trim(),
        "cadence-coach: warning: 230 spm is outside 150–200 spm, where most runners' \
         cadence lies; check it is the one you meant (weak evidence: our own rule of thumb)"
    );
    let out = render("180");
    assert_eq!(stderr(&out), "");
}
