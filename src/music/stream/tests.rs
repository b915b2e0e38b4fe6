use super::*;
use crate::cadence::{BeatCursor, Segment, Spm, Workout};
use crate::music::grid::CursorGrid;
use crate::music::test_audio::*;

/// Click tracks of given tempi, handed out in turn (whichever fits, nearest first).
struct Tracks {
    bpms: Vec<f64>,
    secs: f64,
    limit: f64,
    played: std::sync::Arc<std::sync::Mutex<Vec<f64>>>,
}

impl TrackSource for Tracks {
    fn next(&mut self, spm: f64) -> Result<Option<Opened>, String> {
        let mut played = self.played.lock().unwrap();
        let last = played.last().copied();
        let fit = self
            .bpms
            .iter()
            .copied()
            .filter(|b| (spm / b - 1.0).abs() <= self.limit)
            .min_by(|a, b| {
                let key = |x: f64| (Some(x) == last, ((spm / x) - 1.0).abs());
                key(*a).partial_cmp(&key(*b)).unwrap()
            });
        let Some(bpm) = fit else { return Ok(None) };
        played.push(bpm);
        let (source, beats) = click_track(44_100, bpm, 0.25, self.secs);
        Ok(Some(Opened {
            path: format!("{bpm}.wav").into(),
            title: format!("{bpm} BPM"),
            bpm,
            beats_s: beats,
            factor: 1.0,
            source: Box::new(source),
        }))
    }
}

fn render_stream(stream: &mut MusicStream, grid: &mut dyn StepGrid, secs: f64) -> Vec<f32> {
    let frames = (secs * f64::from(OUT)) as usize;
    let mut out = vec![0.0f32; frames * 2];
    let mut block = vec![0.0f32; 2048];
    let mut at = 0;
    while at < frames {
        let n = 1024.min(frames - at);
        stream.render(grid, &mut block[..n * 2]);
        out[at * 2..(at + n) * 2].copy_from_slice(&block[..n * 2]);
        at += n;
    }
    out
}

#[test]
fn tracks_follow_each_other_on_the_steps_through_a_ramp() {
    let workout = Workout::new(
        "ramp",
        vec![
            Segment::steady("hold", 40.0, Spm::new(160.0).unwrap()),
            Segment::ramp(
                "up",
                60.0,
                Spm::new(160.0).unwrap(),
                Spm::new(180.0).unwrap(),
            ),
            Segment::steady("hold", 40.0, Spm::new(180.0).unwrap()),
        ],
    )
    .unwrap();
    let tracks = Tracks {
        bpms: vec![158.0, 162.0, 168.0, 172.0, 178.0, 182.0],
        secs: 30.0,
        limit: 0.06,
        played: Default::default(),
    };
    let played = tracks.played.clone();
    let mut stream = MusicStream::new(Box::new(tracks), OUT, 0.06);
    let mut grid = CursorGrid::new(BeatCursor::workout(&workout, OUT));
    let out = render_stream(&mut stream, &mut grid, 140.0);
    // Every step after the first fade-in has its beat within 2 ms, crossfades included.
    let steps = 4..(140.0 * 165.0 / 60.0) as u64;
    let expected = steps.clone().count();
    let (worst, found) = beat_errors(&out, &mut grid, steps);
    eprintln!("worst {worst:.2} ms over {found} of {expected}");
    assert!(
        found as f64 >= expected as f64 * 0.98,
        "{found} of {expected}"
    );
    assert!(worst <= 2.0, "worst {worst} ms");
    assert!(stream.take_notes().is_empty());
    let now = stream.now().expect("a track plays at 180");
    assert!(now.bpm >= 170.0 && now.stretch.abs() <= 0.06, "{now:?}");
    // 30-s tracks over 140 s, picked as the tempo rose: slow ones first, fast ones last.
    let played = played.lock().unwrap().clone();
    assert!(played.len() >= 5, "{played:?}");
    assert!(
        played[0] <= 162.0 && *played.last().unwrap() >= 178.0,
        "{played:?}"
    );
}

#[test]
fn with_nothing_in_reach_the_music_says_so_once_and_stays_silent() {
    let tracks = Tracks {
        bpms: vec![120.0],
        secs: 30.0,
        limit: 0.06,
        played: Default::default(),
    };
    let mut stream = MusicStream::new(Box::new(tracks), OUT, 0.06);
    let mut grid = CursorGrid::new(BeatCursor::open(Spm::new(170.0).unwrap(), None, OUT));
    let out = render_stream(&mut stream, &mut grid, 10.0);
    assert!(out.iter().all(|&s| s == 0.0));
    assert_eq!(
        stream.take_notes(),
        vec!["no track within ±6 % of 170 spm; the click goes on alone".to_string()]
    );
    assert!(stream.now().is_none());
}

#[test]
fn a_skip_moves_to_another_track_within_two_steps() {
    let tracks = Tracks {
        bpms: vec![168.0, 172.0],
        secs: 60.0,
        limit: 0.06,
        played: Default::default(),
    };
    let mut stream = MusicStream::new(Box::new(tracks), OUT, 0.06);
    let mut grid = CursorGrid::new(BeatCursor::open(Spm::new(170.0).unwrap(), None, OUT));
    render_stream(&mut stream, &mut grid, 5.0);
    let first = stream.now().unwrap().title.clone();
    stream.skip();
    render_stream(&mut stream, &mut grid, 1.0);
    let second = stream.now().unwrap().title.clone();
    assert_ne!(first, second);
    assert!(stream.leaving.is_empty(), "the skipped track has faded out");
}
