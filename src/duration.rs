//! Durations as people type them on the command line (`500us`, `0.5ms`, `5ms`, `0.02s`) and as
//! tables and charts print them back. One parser, so `gilsim run --switch-interval` and the
//! `gilsim experiment` sweeps accept the same spellings.

use std::time::Duration;

/// Parses `500us`, `5ms`, `0.02s` or a bare number of seconds; the result must be positive
/// (a switch interval of zero or less means nothing).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a duration: {text:?} (try 500us, 5ms or 0.02s)"))?;
    if value.is_nan() || value <= 0.0 || value.is_infinite() {
        return Err(format!("a duration must be positive, got {text:?}"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// Milliseconds with no trailing zeros and at most three decimals: `0.1ms`, `5ms`, `20ms`.
pub fn format_ms(d: Duration) -> String {
    format!("{}ms", trim_number(d.as_secs_f64() * 1e3, 3))
}

/// A duration as a person reads it: `1s`, `1.5s`, `500ms`, `0.25ms` (at most three
/// significant decimals), for reports that quote a limit or an elapsed time.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{}s", trim_number(secs, if secs >= 10.0 { 1 } else { 2 }))
    } else if secs >= 0.01 {
        format!("{}ms", trim_number(secs * 1e3, 0))
    } else {
        format_ms(d)
    }
}

/// `value` with at most `decimals` decimals and no trailing zeros (`2.50` → `2.5`, `3.0` → `3`).
pub fn trim_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse_duration("500us"), Ok(Duration::from_micros(500)));
        assert_eq!(parse_duration("0.5ms"), Ok(Duration::from_micros(500)));
        assert_eq!(parse_duration("20ms"), Ok(Duration::from_millis(20)));
        assert_eq!(parse_duration(" 0.02s "), Ok(Duration::from_millis(20)));
        assert_eq!(parse_duration("1"), Ok(Duration::from_secs(1)));
    }

    #[test]
    fn refusals() {
        for bad in ["", "ms", "5 m", "-1ms", "0", "nan", "inf", "5min"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn printing() {
        assert_eq!(format_ms(Duration::from_micros(100)), "0.1ms");
        assert_eq!(format_ms(Duration::from_micros(500)), "0.5ms");
        assert_eq!(format_ms(Duration::from_millis(20)), "20ms");
        assert_eq!(trim_number(2.50, 2), "2.5");
        assert_eq!(trim_number(3.0, 2), "3");
        assert_eq!(format_duration(Duration::from_secs(1)), "1s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_millis(12_345)), "12.3s");
        assert_eq!(format_duration(Duration::from_micros(995_474)), "995ms");
        assert_eq!(format_duration(Duration::from_micros(500)), "0.5ms");
    }
}
