//! One track playing on the step grid: decoded as it goes, time-stretched with its pitch kept
//! (Signalsmith Stretch) so that its beat `j0 + (x - s0) * factor` sounds at fractional step
//! `x` of the grid, and faded in and out on the grid.
//!
//! How the beats are held on the steps: for every block of output, the track position each of
//! its frames should sound is known (the grid's frame of the step, the track's beat there, the
//! time between beats interpolated). The stretcher is handed exactly the input up to the
//! position the block's end should reach and asked for exactly the block's frames, so its
//! speed follows the grid block by block and the error never accumulates. Its constant delay
//! (the input it holds back and the output it delays) is fed ahead.

use signalsmith_stretch::Stretch;

use super::grid::{StepGrid, frame_of, step_at};

/// Decoded audio for a deck: interleaved stereo at its own rate.
pub trait FrameSource: Send {
    /// The source's sample rate.
    fn rate(&self) -> u32;
    /// Appends up to `max_frames` frames to `out`; 0 at the end (or on an error the source has
    /// reported itself).
    fn read_stereo(&mut self, out: &mut Vec<f32>, max_frames: usize) -> usize;
    /// An error that ended the source early, once (a file damaged halfway).
    fn take_error(&mut self) -> Option<String> {
        None
    }
}

/// Stereo samples held in memory, for tests and short sounds.
pub struct MemorySource {
    pub rate: u32,
    pub samples: Vec<f32>,
    pub pos: usize,
}

impl FrameSource for MemorySource {
    fn rate(&self) -> u32 {
        self.rate
    }

    fn read_stereo(&mut self, out: &mut Vec<f32>, max_frames: usize) -> usize {
        let rest = &self.samples[self.pos.min(self.samples.len())..];
        let n = (rest.len() / 2).min(max_frames);
        out.extend_from_slice(&rest[..n * 2]);
        self.pos += n * 2;
        n
    }
}

/// A track's beats, in frames of the track's own rate.
#[derive(Debug, Clone)]
pub struct BeatMap {
    beats: Vec<f64>,
    /// The mean beat period, used beyond the first and last beat.
    period: f64,
}

impl BeatMap {
    /// From beat times in seconds; `None` with fewer than two beats.
    pub fn new(beats_s: &[f32], rate: u32) -> Option<BeatMap> {
        let rate = f64::from(rate);
        let beats: Vec<f64> = beats_s.iter().map(|&b| f64::from(b) * rate).collect();
        if beats.len() < 2 || beats.windows(2).any(|w| w[1] <= w[0]) {
            return None;
        }
        let period = (beats[beats.len() - 1] - beats[0]) / (beats.len() - 1) as f64;
        Some(BeatMap { beats, period })
    }

    pub fn len(&self) -> usize {
        self.beats.len()
    }

    pub fn is_empty(&self) -> bool {
        self.beats.is_empty()
    }

    /// The track frame of fractional beat `y`.
    pub fn frame(&self, y: f64) -> f64 {
        let last = self.beats.len() - 1;
        if y <= 0.0 {
            return self.beats[0] + y * self.period;
        }
        if y >= last as f64 {
            return self.beats[last] + (y - last as f64) * self.period;
        }
        let j = y.floor() as usize;
        let f = y - j as f64;
        self.beats[j] + f * (self.beats[j + 1] - self.beats[j])
    }

    /// The period of the beat at `y`, in track frames.
    pub fn period_at(&self, y: f64) -> f64 {
        let j = y.floor().clamp(0.0, (self.beats.len() - 2) as f64) as usize;
        self.beats[j + 1] - self.beats[j]
    }
}

/// A fade on the grid, between two output frames.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    start: f64,
    end: f64,
    rising: bool,
}

impl Ramp {
    fn gain(&self, frame: f64) -> f32 {
        let t = ((frame - self.start) / (self.end - self.start).max(1.0)).clamp(0.0, 1.0);
        // Equal power: a crossfade keeps the loudness.
        let angle = t * std::f64::consts::FRAC_PI_2;
        (if self.rising {
            angle.sin()
        } else {
            angle.cos()
        }) as f32
    }
}

/// One track on the grid.
pub struct Deck {
    source: Box<dyn FrameSource>,
    map: BeatMap,
    /// Track beats per step (0.5: a beat every other step).
    factor: f64,
    /// Step `s0` of the grid has the track's beat `j0`.
    s0: f64,
    j0: f64,
    /// The output frame the deck begins at.
    start: u64,
    stretch: Stretch,
    in_latency: i64,
    out_latency: f64,
    started: bool,
    /// Decoded track frames not yet fed, from track frame `pending_base`.
    pending: Vec<f32>,
    pending_base: i64,
    /// The track frame the source ended at, once it has.
    source_end: Option<i64>,
    /// The next track frame to feed the stretcher.
    fed: i64,
    input: Vec<f32>,
    output: Vec<f32>,
    fade_in: Option<Ramp>,
    fade_out: Option<Ramp>,
    hint: u64,
    /// The track beat last sounded.
    beat_now: f64,
    /// The output frame the next block should begin at; a block elsewhere (the player fell
    /// behind and jumped) seeks the stretcher anew.
    next_at: u64,
}

impl Deck {
    /// A deck putting beat `j0` of `map` on step `s0`, starting at output frame `start` (from
    /// then the first `fade_steps` steps fade in; 0: at once).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        source: Box<dyn FrameSource>,
        map: BeatMap,
        factor: f64,
        s0: u64,
        j0: f64,
        grid: &mut dyn StepGrid,
        out_rate: u32,
        fade_steps: f64,
    ) -> Deck {
        let track_rate = source.rate();
        let mut stretch = Stretch::preset_default(2, out_rate);
        if track_rate != out_rate {
            // The stretcher keeps pitch per sample; played at another rate, the track would
            // sound higher or lower by the ratio of the rates, so it transposes that back.
            stretch.set_transpose_factor(track_rate as f32 / out_rate as f32, None);
        }
        let start_frame = grid.frame(s0);
        let fade_in = (fade_steps > 0.0).then(|| Ramp {
            start: start_frame,
            end: frame_of(grid, s0 as f64 + fade_steps),
            rising: true,
        });
        Deck {
            in_latency: stretch.input_latency() as i64,
            out_latency: stretch.output_latency() as f64,
            source,
            map,
            factor,
            s0: s0 as f64,
            j0,
            start: start_frame.round().max(0.0) as u64,
            stretch,
            started: false,
            pending: Vec::new(),
            pending_base: 0,
            source_end: None,
            fed: 0,
            input: Vec::new(),
            output: Vec::new(),
            fade_in,
            fade_out: None,
            hint: s0,
            beat_now: j0,
            next_at: 0,
        }
    }

    /// An error that ended the track early, once.
    pub fn take_error(&mut self) -> Option<String> {
        self.source.take_error()
    }

    /// The track beat sounding now (fractional).
    pub fn beat_now(&self) -> f64 {
        self.beat_now
    }

    /// The track's beats.
    pub fn map(&self) -> &BeatMap {
        &self.map
    }

    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The output frame the deck starts at.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Fades the deck out between two steps; it has ended once past the second.
    pub fn fade_out(&mut self, grid: &mut dyn StepGrid, from_step: f64, steps: f64) {
        let ramp = Ramp {
            start: frame_of(grid, from_step),
            end: frame_of(grid, from_step + steps),
            rising: false,
        };
        self.fade_out = Some(match self.fade_out {
            Some(old) if old.end <= ramp.end => old,
            _ => ramp,
        });
    }

    /// Whether the deck is silent for good at output frame `frame`: faded out, or past the
    /// track's end.
    pub fn ended_at(&self, frame: u64) -> bool {
        if let Some(f) = self.fade_out
            && frame as f64 >= f.end
        {
            return true;
        }
        // Past the end, once what the stretcher holds has come out too.
        self.source_end.is_some_and(|end| {
            self.started && self.fed > end + self.in_latency + 2 * self.out_latency as i64
        })
    }

    /// The track frame that output frame `frame` should sound.
    fn track_frame(&mut self, grid: &mut dyn StepGrid, frame: f64) -> f64 {
        let x = step_at(grid, frame, &mut self.hint);
        self.map.frame(self.j0 + (x - self.s0) * self.factor)
    }

    /// Adds the deck's sound for output frames `at .. at + out.len() / 2` to `out` (stereo).
    pub fn render_add(&mut self, grid: &mut dyn StepGrid, at: u64, out: &mut [f32]) {
        let frames = out.len() / 2;
        let end = at + frames as u64;
        if end <= self.start || self.ended_at(at) {
            return;
        }
        // A deck that begins inside this block renders from its start.
        let skip = self.start.saturating_sub(at) as usize;
        let from = at + skip as u64;
        let n = frames - skip;
        if !self.started || from != self.next_at {
            self.begin(grid, from as f64);
        }
        self.next_at = end;
        let target = self
            .track_frame(grid, (from + n as u64) as f64 + self.out_latency)
            .round() as i64
            + self.in_latency;
        let take = (target - self.fed).max(0) as usize;
        self.take_input(take);
        self.output.clear();
        self.output.resize(n * 2, 0.0);
        self.stretch.process(&self.input, &mut self.output);
        self.beat_now = {
            let x = step_at(grid, from as f64, &mut self.hint);
            self.j0 + (x - self.s0) * self.factor
        };
        for (i, (dst, src)) in out[skip * 2..]
            .chunks_exact_mut(2)
            .zip(self.output.chunks_exact(2))
            .enumerate()
        {
            let f = (from + i as u64) as f64;
            let mut g = 1.0f32;
            if let Some(r) = self.fade_in {
                g *= r.gain(f);
            }
            if let Some(r) = self.fade_out {
                g *= r.gain(f);
            }
            dst[0] += src[0] * g;
            dst[1] += src[1] * g;
        }
    }

    /// Primes the stretcher so that output frame `frame` sounds the track where it should:
    /// the track up to there is skipped (an intro before the beat put on the step), and the
    /// stretcher is handed the input its delay holds back.
    fn begin(&mut self, grid: &mut dyn StepGrid, frame: f64) {
        let again = self.started;
        self.started = true;
        let speed = self.io_ratio(grid, frame);
        self.fed = self.track_frame(grid, frame + self.out_latency).round() as i64;
        if again {
            // A seek goes only forward: what was decoded before is gone.
            self.fed = self.fed.max(self.pending_base);
        }
        self.take_input(self.in_latency.max(0) as usize);
        self.stretch.seek(&self.input, speed);
    }

    /// Track frames fed per output frame at `frame` (what the stretcher is asked for).
    fn io_ratio(&mut self, grid: &mut dyn StepGrid, frame: f64) -> f64 {
        let x = step_at(grid, frame, &mut self.hint);
        let k = x.floor();
        let step = grid.frame(k as u64 + 1) - grid.frame(k as u64);
        let beat = self.map.period_at(self.j0 + (x - self.s0) * self.factor);
        (beat * self.factor / step.max(1.0)).max(0.01)
    }

    /// Puts the `count` track frames from `fed` on into `input` (silence before the track's
    /// start and after its end), decoding as needed and skipping what lies before `fed`.
    fn take_input(&mut self, count: usize) {
        self.input.clear();
        self.input.reserve(count * 2);
        let mut remaining = count;
        while remaining > 0 {
            if self.fed < 0 {
                let n = ((-self.fed) as usize).min(remaining);
                self.input.resize(self.input.len() + n * 2, 0.0);
                self.fed += n as i64;
                remaining -= n;
                continue;
            }
            let have = self.pending.len() / 2;
            if self.pending_base < self.fed && have > 0 {
                let drop = ((self.fed - self.pending_base) as usize).min(have);
                self.pending.drain(..drop * 2);
                self.pending_base += drop as i64;
                continue;
            }
            if have == 0 {
                if self.source_end.is_some() {
                    self.input.resize(self.input.len() + remaining * 2, 0.0);
                    self.fed += remaining as i64;
                    self.pending_base = self.fed;
                    return;
                }
                if self
                    .source
                    .read_stereo(&mut self.pending, remaining.max(4096))
                    == 0
                {
                    self.source_end = Some(self.pending_base);
                }
                continue;
            }
            let n = have.min(remaining);
            self.input.extend_from_slice(&self.pending[..n * 2]);
            self.pending.drain(..n * 2);
            self.pending_base += n as i64;
            self.fed += n as i64;
            remaining -= n;
        }
    }
}

#[cfg(test)]
mod tests;
