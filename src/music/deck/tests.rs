use super::*;
use crate::cadence::{BeatCursor, Segment, Spm, Workout};
use crate::music::grid::CursorGrid;
use crate::music::test_audio::*;

#[test]
fn beats_land_on_the_steps_of_a_steady_tempo() {
    let (source, beats) = click_track(44_100, 172.0, 0.5, 40.0);
    let map = BeatMap::new(&beats, 44_100).unwrap();
    let mut grid = CursorGrid::new(BeatCursor::open(Spm::new(180.0).unwrap(), None, OUT));
    let mut deck = Deck::new(Box::new(source), map, 1.0, 4, 0.0, &mut grid, OUT, 0.0);
    let out = render(&mut deck, &mut grid, OUT as usize * 30);
    let (worst, found) = beat_errors(&out, &mut grid, 6..80);
    eprintln!("steady: worst {worst:.2} ms over {found}");
    assert_eq!(found, 74);
    assert!(worst <= 2.0, "worst {worst} ms");
}

#[test]
fn beats_follow_a_ramp() {
    let (source, beats) = click_track(48_000, 170.0, 0.3, 100.0);
    let map = BeatMap::new(&beats, 48_000).unwrap();
    let workout = Workout::new(
        "ramp",
        vec![Segment::ramp(
            "up",
            60.0,
            Spm::new(160.0).unwrap(),
            Spm::new(180.0).unwrap(),
        )],
    )
    .unwrap();
    let mut grid = CursorGrid::new(BeatCursor::workout(&workout, OUT));
    let mut deck = Deck::new(Box::new(source), map, 1.0, 2, 0.0, &mut grid, OUT, 0.0);
    let out = render(&mut deck, &mut grid, OUT as usize * 60);
    let (worst, found) = beat_errors(&out, &mut grid, 4..165);
    eprintln!("ramp: worst {worst:.2} ms over {found}");
    assert_eq!(found, 161);
    assert!(worst <= 2.0, "worst {worst} ms");
}
