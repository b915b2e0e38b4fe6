//! The cadence ramp-up planner: from a baseline to a target in stages of at most +5 % of the
//! baseline, about eight sessions a stage, three a week, sessions growing from 15 to 30 minutes,
//! the click always on in the first half of a stage, faded in the second, and a last session
//! without the click as a self-check. Each planned session is a whole workout.
//!
//! Two halves: `make` turns the runner's inputs into stages and dated sessions (and says why
//! each default is what it is); `follow` takes the sessions done and today's date and says what
//! is next, where the missed days moved the rest, and which stage to repeat (judged by the
//! retention probes of its click-free blocks where they measured enough, else by its
//! self-check). Both place days
//! with the one calendar rule in `dates`. Everything is re-exported here, so callers name
//! `cadence::plan::Plan` and never the half it lives in.

mod dates;
mod follow;
mod make;

pub use follow::{
    DONE_SHARE, DoneSession, Following, SELF_CHECK_TOLERANCE_PERCENT, ScheduledSession,
    StageRetention, done_sessions, follow,
};
pub use make::{
    FADED_OFF_SECS, FADED_ON_SECS, Feedback, MAX_STEP_PERCENT, OVERRIDE_ABOVE_PERCENT,
    PLAN_VERSION, Plan, PlanError, PlanInputs, PlannedSession, REASONS, Reason, plan_id,
};

#[cfg(test)]
mod tests;
