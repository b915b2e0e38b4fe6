use std::sync::Arc;
use std::time::Instant;

use super::*;
use crate::audio::{ClickTrack, SoundBank};
use crate::cadence::{ClickSettings, Segment, Workout};
use crate::music::stream::Opened;
use crate::music::test_audio::{OUT, beat_errors, click_track};

/// Click tracks at one tempo, two minutes each.
struct Tempo(f64);

impl TrackSource for Tempo {
    fn next(&mut self, _spm: f64) -> Result<Option<Opened>, String> {
        let (source, beats) = click_track(44_100, self.0, 0.25, 120.0);
        Ok(Some(Opened {
            path: "clicks.wav".into(),
            title: format!("{} BPM", self.0),
            bpm: self.0,
            beats_s: beats,
            factor: 1.0,
            source: Box::new(source),
        }))
    }
}

fn spm(v: f64) -> Spm {
    Spm::new(v).unwrap()
}

/// Pulls `secs` of the track in device-sized blocks at twice real time, as a device would
/// (a little faster), so the player runs against a moving clock.
fn pull(track: &mut ClickTrack, secs: f64) -> Vec<f32> {
    let frames = (secs * f64::from(OUT)) as usize;
    let mut out = vec![0.0f32; frames * 2];
    let started = Instant::now();
    let block = 1024;
    let mut at = 0;
    while at < frames {
        let n = block.min(frames - at);
        assert_eq!(track.render(&mut out[at * 2..(at + n) * 2]), n * 2);
        at += n;
        let due = Duration::from_secs_f64(at as f64 / f64::from(OUT) / 2.0);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    out
}

fn open_track(tempo: f64) -> (ClickTrack, TrackHandle) {
    let program = Program::Open {
        spm: spm(tempo),
        duration_ms: None,
    };
    ClickTrack::new(
        program,
        ClickSettings::default(),
        Arc::new(SoundBank::new(OUT)),
    )
}

#[test]
fn the_music_plays_on_the_click_grid_and_follows_a_tempo_change_from_its_beat() {
    let (mut track, handle) = open_track(170.0);
    // The music alone, to measure its beats.
    handle.set_click_muted(true);
    handle.set_music_volume(1.0);
    let player = MusicPlayer::start(handle.clone(), Box::new(Tempo(166.0)), 0.06);
    let mut out = pull(&mut track, 6.0);
    let now = player.now().expect("a track plays");
    assert_eq!(now.bpm, 166.0);
    assert!(
        (now.stretch - (170.0 / 166.0 - 1.0)).abs() < 0.002,
        "{now:?}"
    );
    handle.set_spm(spm(174.0));
    out.extend(pull(&mut track, 6.0));
    // The grid the click played: 170 up to the step it latched 174 at, 174 after.
    let (anchor, index, half) = handle.open_grid();
    assert_eq!(half, spm(174.0).half_steps());
    let mut grid = CursorGrid::new(BeatCursor::open(spm(170.0), None, OUT));
    grid.rebase(
        BeatCursor::open_resumed(spm(174.0), None, OUT, anchor, index),
        index,
    );
    let last = (12.0 * 172.0 / 60.0) as u64 - 2;
    let (worst, found) = beat_errors(&out, &mut grid, 4..last);
    eprintln!("worst {worst:.2} ms over {found} of {} steps", last - 4);
    assert_eq!(found as u64, last - 4, "every step has its beat");
    assert!(worst <= 2.0, "worst {worst:.2} ms");
    assert!(player.take_notes().is_empty());
    // Stopped, the track ends and the player with it.
    handle.stop();
    let mut rest = vec![0.0f32; 2048];
    while track.render(&mut rest) > 0 {}
    let deadline = Instant::now() + Duration::from_secs(5);
    while !player.finished() {
        assert!(Instant::now() < deadline, "the player outlived its track");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(player.now(), None);
    assert_eq!(
        handle.tempo_delay(),
        0,
        "a track without music changes on the next beat"
    );
}

#[test]
fn the_music_follows_a_workouts_shift_and_the_click_plays_on_top() {
    let workout = Workout::new(
        "w",
        vec![
            Segment::steady("a", 5.0, spm(168.0)),
            Segment::ramp("b", 5.0, spm(168.0), spm(176.0)),
        ],
    )
    .unwrap();
    let (mut track, handle) = ClickTrack::new(
        Program::Workout(workout.clone()),
        ClickSettings::default(),
        Arc::new(SoundBank::new(OUT)),
    );
    handle.set_click_muted(true);
    let _player = MusicPlayer::start(handle.clone(), Box::new(Tempo(170.0)), 0.06);
    let mut out = pull(&mut track, 3.0);
    handle.set_shift(4);
    out.extend(pull(&mut track, 6.5));
    let shifts = handle.shifts_since(0);
    assert_eq!(shifts.len(), 1);
    let mut grid = CursorGrid::new(BeatCursor::workout_shifted(&workout, OUT, &shifts));
    let last = (9.5 * 172.0 / 60.0) as u64 - 2;
    let (worst, found) = beat_errors(&out, &mut grid, 4..last);
    eprintln!("worst {worst:.2} ms over {found} of {} steps", last - 4);
    assert_eq!(found as u64, last - 4);
    assert!(worst <= 2.0, "worst {worst:.2} ms");
}

#[test]
fn a_late_chunk_is_dropped_whole_and_an_early_one_waits_for_its_frames() {
    let port = Mutex::new(MusicPort::default());
    let mut feed = open_feed(&port);
    let (tx, used) = {
        let mut p = port.lock().unwrap();
        (p.chunks.clone().unwrap(), p.used.take().unwrap())
    };
    let chunk = |frame: u64, level: f32| Chunk {
        frame,
        samples: vec![level; CHUNK_FRAMES * 2].into_boxed_slice(),
    };
    tx.try_send(chunk(0, 0.25)).unwrap();
    tx.try_send(chunk(6_000, 0.5)).unwrap();
    // The first chunk's frames have gone by: it is not played, and goes back.
    let mut out = vec![0.0f32; 2 * 2048];
    feed.mix(&mut out, 3_000, 1.0);
    assert!(out.iter().all(|&s| s == 0.0));
    assert_eq!(used.try_iter().count(), 1);
    // The second starts at frame 6 000, inside this block: silence before it, music from it.
    feed.mix(&mut out, 5_000, 1.0);
    assert!(out[..1000 * 2].iter().all(|&s| s == 0.0));
    assert!(out[1000 * 2] > 0.0 && out[2023 * 2] > 0.2);
    assert!(out[2024 * 2..].iter().all(|&s| s == 0.0));
    assert_eq!(used.try_iter().count(), 1, "used up, it went back");
}

#[test]
fn a_click_over_loud_music_is_bent_below_full_scale_not_clipped() {
    assert_eq!(soft_limit(0.5), 0.5);
    assert_eq!(soft_limit(-0.8), -0.8);
    // A click at full volume (0.64) over music peaking at 1.0 sums to 1.64.
    let loud = [0.9f32, 1.2, 1.64];
    let bent: Vec<f32> = loud.iter().map(|&x| soft_limit(x)).collect();
    assert!(bent.windows(2).all(|w| w[0] < w[1]), "{bent:?}");
    assert!(bent.iter().all(|&b| b > 0.8 && b < 1.0), "{bent:?}");
    assert!(soft_limit(30.0) <= 1.0);
    assert_eq!(soft_limit(-1.2), -soft_limit(1.2));
}
