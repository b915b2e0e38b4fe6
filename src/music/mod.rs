//! The runner's music: the tempo and beats of a track's samples ([`analysis`]), found once so
//! that its beats can be put on the step grid ([`grid`]) by a deck that time-stretches the
//! track onto it ([`deck`]).

pub mod analysis;
pub mod deck;
pub mod grid;
pub mod stream;
#[cfg(test)]
mod test_audio;
