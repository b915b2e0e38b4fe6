//! The runner's music: files decoded ([`decode`]), the tempo and beats of a track's samples
//! ([`analysis`]), found once for every file of a folder and cached ([`library`]), tracks picked
//! for the tempo in force ([`picker`], [`source`]) and put on the step grid ([`grid`]) by a deck
//! that time-stretches each track onto it ([`deck`]), one after another ([`stream`]).
//!
//! Pure of sound devices and clocks: `audio::music` runs a stream on a worker beside the click.

pub mod analysis;
pub mod deck;
pub mod decode;
pub mod grid;
pub mod library;
pub mod picker;
pub mod source;
pub mod stream;
#[cfg(test)]
pub(crate) mod test_audio;
