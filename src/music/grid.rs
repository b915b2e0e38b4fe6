//! The step grid the music is put on: the frame of every step, as the click track places them.
//! The grid is the master clock; the music only follows it.

use crate::cadence::BeatCursor;

/// Where the steps fall, in output frames. Asked for steps in roughly increasing order, a
/// little ahead of what has been played.
pub trait StepGrid {
    /// The frame of step `index` (counted from 0 at the session's start). Steps past the end of
    /// a workout continue at its last tempo.
    fn frame(&mut self, index: u64) -> f64;
}

/// A grid walked from a beat cursor: exact for a workout or a fixed tempo, and for rendering.
pub struct CursorGrid {
    cursor: BeatCursor,
    frames: Vec<u64>,
    done: bool,
}

impl CursorGrid {
    pub fn new(cursor: BeatCursor) -> CursorGrid {
        CursorGrid {
            cursor,
            frames: Vec::new(),
            done: false,
        }
    }

    /// Takes `cursor`'s beats from step `from` on, keeping the steps before it: for a grid that
    /// changed (a new tempo, a shift) from that step.
    pub fn rebase(&mut self, cursor: BeatCursor, from: u64) {
        self.frames.truncate(from as usize);
        self.cursor = cursor;
        self.done = false;
        while let Some(beat) = self.cursor.next() {
            if beat.index >= from {
                self.push(beat.index, beat.frame);
                break;
            }
        }
    }

    fn push(&mut self, index: u64, frame: u64) {
        // A cursor's beats are numbered without gaps; fill defensively if one is skipped.
        while (self.frames.len() as u64) < index {
            let last = self.frames.last().copied().unwrap_or(frame);
            self.frames.push(last);
        }
        if self.frames.len() as u64 == index {
            self.frames.push(frame);
        }
    }

    fn extend_to(&mut self, index: u64) {
        while !self.done && (self.frames.len() as u64) <= index {
            match self.cursor.next() {
                Some(beat) => self.push(beat.index, beat.frame),
                None => self.done = true,
            }
        }
    }
}

impl StepGrid for CursorGrid {
    fn frame(&mut self, index: u64) -> f64 {
        self.extend_to(index);
        let n = self.frames.len();
        if (index as usize) < n {
            return self.frames[index as usize] as f64;
        }
        // An ended grid goes on at its last step's tempo (170 spm if it had under two).
        let fallback = f64::from(self.cursor.rate()) * 60.0 / 170.0;
        match n {
            0 => index as f64 * fallback,
            1 => self.frames[0] as f64 + index as f64 * fallback,
            _ => {
                let last = self.frames[n - 1] as f64;
                let period = last - self.frames[n - 2] as f64;
                last + (index as f64 - (n - 1) as f64) * period
            }
        }
    }
}

/// The fractional step at `frame`: step k at its frame, k + ½ halfway to the next. `hint` is the
/// step found last time (frames are asked for in increasing order, so the walk is short).
pub fn step_at(grid: &mut dyn StepGrid, frame: f64, hint: &mut u64) -> f64 {
    let mut k = *hint;
    while k > 0 && grid.frame(k) > frame {
        k -= 1;
    }
    while grid.frame(k + 1) <= frame {
        k += 1;
    }
    *hint = k;
    let (a, b) = (grid.frame(k), grid.frame(k + 1));
    let period = (b - a).max(1.0);
    k as f64 + (frame - a) / period
}

/// The tempo around step `k`, steps per minute.
pub fn spm_at(grid: &mut dyn StepGrid, k: u64, rate: u32) -> f64 {
    let period = (grid.frame(k + 1) - grid.frame(k)).max(1.0);
    60.0 * f64::from(rate) / period
}

/// The frame of fractional step `x`.
pub fn frame_of(grid: &mut dyn StepGrid, x: f64) -> f64 {
    let k = x.max(0.0).floor();
    let (a, b) = (grid.frame(k as u64), grid.frame(k as u64 + 1));
    a + (x - k) * (b - a)
}
