//! Pictures gilsim draws itself: the timeline of a run, from the same spans the stats add up
//! (so a picture and the `--stats` table of a run cannot disagree), and the line charts of
//! experiment sweeps.

pub mod chart;
pub mod timeline;
