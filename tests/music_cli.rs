//! `render --music` and `play --music` as a runner uses them: a folder of music the test makes,
//! analysed and cached, and each track's beats found on the steps in the file written.

mod support;

use std::path::Path;

use support::music::write_beat_track;
use support::{Wav, bin, stderr, stdout};

/// A music folder: two songs that fit 170 spm (166 BPM, and 83.5 BPM on every other step), one
/// that does not (200 BPM), and a damaged file.
fn music_folder(root: &Path) -> std::path::PathBuf {
    let music = root.join("My Music");
    std::fs::create_dir_all(music.join("album")).unwrap();
    write_beat_track(&music.join("sixty-six.wav"), 44_100, 166.0, 40.0);
    write_beat_track(&music.join("album").join("half.wav"), 22_050, 83.5, 40.0);
    write_beat_track(&music.join("too-fast.wav"), 44_100, 200.0, 25.0);
    std::fs::write(
        music.join("damaged.mp3"),
        "ID3 and then nothing useful\n".repeat(40),
    )
    .unwrap();
    music
}

/// The frames between two steps at `spm` and 48 kHz.
fn step_frames(spm: f64) -> f64 {
    60.0 * 48_000.0 / spm
}

/// How far the burst furthest from a step of `spm` lies from it, in ms (at 48 kHz, the grid
/// starting at frame 0).
fn worst_off_the_steps(bursts: &[u64], spm: f64) -> f64 {
    let step = step_frames(spm);
    bursts
        .iter()
        .map(|&b| (b as f64 - (b as f64 / step).round() * step).abs() / 48.0)
        .fold(0.0, f64::max)
}

/// `render --spm 170 --minutes MINUTES ARGS… --music MUSIC -o FILE`, with private folders.
fn render_music(minutes: &str, args: &[&str], music: &Path, file: &Path) -> support::TestCommand {
    let mut render = bin();
    render.args(["render", "--spm", "170", "--minutes", minutes]);
    render
        .args(args)
        .arg("--music")
        .arg(music)
        .arg("-o")
        .arg(file);
    render
}

/// Checks that `what` has at least `at_least` bursts and every one within 3 ms of a step of
/// 170 spm.
fn assert_on_the_steps(bursts: &[u64], at_least: usize, what: &str) {
    let worst = worst_off_the_steps(bursts, 170.0);
    eprintln!(
        "{what}: {} bursts, the worst {worst:.2} ms off its step",
        bursts.len()
    );
    assert!(bursts.len() >= at_least, "{what}: {} bursts", bursts.len());
    assert!(worst <= 3.0, "{what}: a beat {worst:.2} ms off its step");
}

#[test]
fn render_puts_every_beat_of_the_music_on_a_step_and_caches_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let music = music_folder(dir.path());
    let file = dir.path().join("run.wav");
    let mut render = render_music("1", &["--click", "off"], &music, &file);
    let out = render.expect_success();
    let (said, err) = (stdout(&out), stderr(&out));
    assert!(
        said.contains("1:00 of music on the steps, 0 clicks"),
        "{said}"
    );
    // The damaged file is named once; the rest is summed up.
    assert_eq!(err.matches("damaged.mp3").count(), 1, "{err}");
    assert!(
        err.contains("3 tracks with a steady beat, 1 unreadable; 4 analysed now"),
        "{err}"
    );
    assert!(
        said.contains("sixty-six (166.0 BPM at 170 spm, +2.4 %)"),
        "{said}"
    );
    assert!(
        said.contains("half (83.5 BPM at 170 spm, +1.8 %)"),
        "{said}"
    );
    assert!(!said.contains("too-fast"), "{said}");

    // Every burst heard starts on a step: 48 kHz, 170 spm.
    let wav = Wav::read(&file);
    assert_eq!(wav.rate, 48_000);
    // 40 s of the half-time song (a beat every other step), then the other: about 113 beats.
    assert_on_the_steps(&wav.onsets(8_000), 100, "a minute of two songs");

    // The next run knows every file from the cache in the data folder.
    let mut again = render_music("0.2", &[], &music, &file);
    again.env("CADENCE_COACH_DATA_DIR", render.data_dir());
    let out = again.expect_success();
    assert!(
        stderr(&out).contains("0 analysed now, 4 known from before"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("of click track and music, 34 clicks"),
        "{}",
        stdout(&out)
    );
    assert!(render.data_dir().join("music-cache.ron").exists());
}

/// A song's beats found and put on the steps whatever it is stored as: MP3 (with the encoder's
/// delay, trimmed as gapless players do), FLAC and Ogg Vorbis, each made by its reference
/// encoder from the same WAV.
#[test]
fn mp3_flac_and_ogg_vorbis_songs_play_on_the_steps() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("song.wav");
    write_beat_track(&wav, 44_100, 166.0, 30.0);
    let encoders: [(&str, &[&str], &str); 3] = [
        ("lame", &["--quiet", "-b", "192"], "mp3"),
        ("flac", &["--silent", "-o"], "flac"),
        ("oggenc", &["--quiet", "-o"], "ogg"),
    ];
    for (tool, args, ext) in encoders {
        let music = dir.path().join(ext);
        std::fs::create_dir_all(&music).unwrap();
        let song = music.join(format!("song.{ext}"));
        let mut encode = std::process::Command::new(tool);
        if tool == "lame" {
            encode.args(args).arg(&wav).arg(&song);
        } else {
            encode.args(args).arg(&song).arg(&wav);
        }
        let status = encode
            .status()
            .unwrap_or_else(|e| panic!("{tool} ({e}); scripts/test.sh installs it"));
        assert!(status.success(), "{tool} failed");
        let file = dir.path().join(format!("{ext}.wav"));
        let out = render_music("0.4", &["--click", "off"], &music, &file).expect_success();
        assert!(
            stderr(&out).contains("1 track with a steady beat"),
            "{ext}: {}",
            stderr(&out)
        );
        assert_on_the_steps(&Wav::read(&file).onsets(8_000), 55, ext);
    }
}

/// Faded feedback fades the click and the music plays on through the silent blocks.
#[test]
fn faded_feedback_silences_the_click_and_the_music_plays_on() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    write_beat_track(&music.join("song.wav"), 44_100, 166.0, 40.0);
    let file = dir.path().join("faded.wav");
    let args = [
        "--fade",
        "5/5",
        "--sound",
        "woodblock",
        "--music-volume",
        "100",
    ];
    let out = render_music("0.5", &args, &music, &file).expect_success();
    // 30 s at 170 spm is 85 steps; the clicks sound in the 5-s "on" blocks only.
    let said = stdout(&out);
    let clicks: u32 = said
        .split(" clicks")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no click count in: {said}"));
    assert!((40..=46).contains(&clicks), "{clicks} clicks: {said}");
    // In the silent blocks (5–10 s, 15–20 s, 25–30 s) the song's bursts go on, on the steps.
    let wav = Wav::read(&file);
    let bursts = wav.onsets(8_000);
    let silent: Vec<u64> = bursts
        .iter()
        .copied()
        .filter(|&b| ((b / 48_000) / 5) % 2 == 1)
        .collect();
    assert_on_the_steps(&silent, 30, "the silent blocks");
}

#[test]
fn without_music_to_play_the_click_goes_on_or_render_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.wav");
    let missing = dir.path().join("No Such Folder");
    let out = render_music("0.1", &[], &missing, &file).expect_success();
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("could not read the music folder") && err.contains("No Such Folder"),
        "{err}"
    );
    assert!(err.contains("rendering the click alone"), "{err}");
    assert!(stdout(&out).contains("of click track, 17 clicks"));

    // With the click off there is nothing to render: exit 1, one line, no file.
    std::fs::remove_file(&file).unwrap();
    let out = render_music("0.1", &["--click", "off"], &missing, &file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("--click off leaves nothing to render"));
    assert!(!file.exists());
}

#[test]
fn music_options_out_of_range_are_bad_usage() {
    let render = ["render", "--spm", "170", "--minutes", "1", "-o", "x.wav"];
    for extra in [
        &["--music", ".", "--stretch", "20"][..],
        &["--music", ".", "--click", "maybe"],
        // The music's options mean nothing without it.
        &["--music-volume", "50"],
    ] {
        let out = bin().args(render).args(extra).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn play_sounds_the_musics_beats_on_the_step_grid() {
    let _alone = support::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    write_beat_track(&music.join("sixty-six.wav"), 44_100, 166.0, 60.0);
    let server = support::SoundServer::start();
    let recording = server.dir().join("heard.wav");
    let recorder = server.record(&recording);
    let mut play = bin();
    play.args(["play", "--spm", "170", "--minutes", "0.4", "--click", "off"]);
    play.arg("--music").arg(&music);
    server.apply(&mut play);
    let out = play.output().unwrap();
    assert!(out.status.success(), "play failed: {}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("Now playing sixty-six (166.0 BPM at 170 spm, +2.4 %)"),
        "{said}"
    );
    support::sleep(0.5);
    recorder.finish();

    // The bursts heard sit on one grid of 170 spm, wherever the recording began.
    let wav = Wav::read(&recording);
    let bursts = wav.onsets(8_000);
    // The recording began before the first step: each burst's place within its step,
    // against the middle one's.
    let step = step_frames(170.0);
    let phase = |b: u64| {
        let r = b as f64 % step;
        if r > step / 2.0 { r - step } else { r }
    };
    let mut phases: Vec<f64> = bursts.iter().map(|&b| phase(b)).collect();
    phases.sort_by(f64::total_cmp);
    let middle = phases[phases.len() / 2];
    let worst = phases
        .iter()
        .map(|p| (p - middle).abs() / 48.0)
        .fold(0.0, f64::max);
    eprintln!(
        "{} bursts heard, the worst {worst:.2} ms off the grid",
        bursts.len()
    );
    // 24 s at 170 spm, less the first steps' fade-in.
    assert!(bursts.len() >= 60, "{} bursts: {said}", bursts.len());
    assert!(worst <= 3.0, "a beat {worst:.2} ms off the grid");
}
