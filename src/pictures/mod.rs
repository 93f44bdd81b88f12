//! Pictures gilsim draws itself from the same spans the stats add up, so a picture and the
//! `--stats` table of a run cannot disagree.

pub mod timeline;
