//! The runner's music: the tempo and beats of a track's samples ([`analysis`]), found once so
//! that its beats can be put on the step grid. Pure: no decoding, files or clock here.

pub mod analysis;
