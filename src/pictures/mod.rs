//! Pictures gilsim draws as SVG files.

pub mod chart;
