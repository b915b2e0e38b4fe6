//! What the runner hears now, read from the audio clock: the frames played, less what is still
//! in the device's buffer. The window repaints when the next step will be heard, not before.

use std::time::{Duration, Instant};

use crate::audio::{BeatSnapshot, DeviceState, TrackHandle};

/// The step being heard and what follows from it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Heard {
    /// Time heard since the start of the session.
    pub elapsed: Duration,
    /// The same in frames of the track.
    pub frames: u64,
    /// The step being heard, if the session has begun.
    pub beat: Option<BeatSnapshot>,
    /// When the next step will be heard, from now.
    pub next_change: Option<Duration>,
}

/// Keeps the last two steps seen, to know the one being heard while the next is generated.
#[derive(Debug, Default)]
pub struct UiClock {
    previous: Option<BeatSnapshot>,
    latest: Option<BeatSnapshot>,
}

impl UiClock {
    /// `observed`: when the engine last saw the device's clock move (frames, instant). The
    /// device pulls a whole period at once, so the heard position between two pulls is
    /// interpolated from that moment, never further than one buffer.
    pub fn read(
        &mut self,
        track: &TrackHandle,
        device: &DeviceState,
        observed: Option<(u64, Instant)>,
    ) -> Heard {
        let rate = u64::from(track.rate().max(1));
        let latency = match device {
            DeviceState::Connected { latency_frames, .. } => u64::from(*latency_frames),
            _ => 0,
        };
        let frames = track.frames();
        let estimate = match observed {
            Some((at_frames, at)) if latency > 0 && !track.finished() => {
                let since = (Instant::now().duration_since(at).as_secs_f64() * rate as f64) as u64;
                at_frames + since.min(latency)
            }
            _ => frames,
        };
        let heard = estimate.saturating_sub(latency);

        if let Some(beat) = track.beat()
            && self.latest.is_none_or(|l| l.index != beat.index)
        {
            self.previous = self.latest;
            self.latest = Some(beat);
        }
        // A step counts as heard up to 15 ms early: no one sees that, and it saves a repaint
        // when the estimate runs a hair behind the device.
        let early = rate * 15 / 1000;
        let (beat, next_frame) = match self.latest {
            Some(latest) if latest.frame <= heard + early => {
                let interval = 60_000 * rate / u64::from(latest.milli_spm.max(1));
                (Some(latest), Some(latest.frame + interval))
            }
            // The latest step is not heard yet: the one before it is. If it was not seen (the
            // clock is read seldom while the window is hidden), it sat one interval earlier on
            // the same tempo; a workout's own steps are recorded from its timeline.
            Some(latest) => {
                let interval = 60_000 * rate / u64::from(latest.milli_spm.max(1));
                let before = self
                    .previous
                    .filter(|p| p.index + 1 == latest.index)
                    .or_else(|| {
                        (latest.index > 0 && latest.count_in == 0).then(|| BeatSnapshot {
                            index: latest.index - 1,
                            frame: latest.frame.saturating_sub(interval),
                            ..latest
                        })
                    });
                (before, Some(latest.frame))
            }
            None => (None, None),
        };
        let next_change = next_frame.filter(|_| !track.finished()).map(|f| {
            Duration::from_micros(f.saturating_sub(heard) * 1_000_000 / rate)
                + Duration::from_millis(2)
        });
        Heard {
            elapsed: Duration::from_micros(heard * 1_000_000 / rate),
            frames: heard,
            beat,
            next_change,
        }
    }
}
