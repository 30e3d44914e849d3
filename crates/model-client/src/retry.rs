//! Retry policy shared by the request layer (here) and the turn loop (in core): exponential
//! backoff with jitter, and the server's own hints, which win when present.

use std::sync::OnceLock;
use std::time::Duration;

use rand::Rng;
use regex_lite::Regex;
use reqwest::header::HeaderMap;

/// First backoff step, as in Codex.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(200);

/// Exponent cap, so that a large retry count cannot overflow the delay.
const MAX_DOUBLINGS: u32 = 16;

/// The delay before retry number `attempt` (1-based): `base · 2^(attempt−1) · U[0.9, 1.1)`.
pub fn backoff(base: Duration, attempt: u64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(u64::from(MAX_DOUBLINGS)) as u32;
    let jitter = rand::rng().random_range(0.9..1.1);
    base.saturating_mul(1 << doublings).mul_f64(jitter)
}

/// `retry-after-ms` (OpenAI) or `Retry-After` in seconds. HTTP dates are not honoured.
/// A number too large for a [`Duration`] becomes [`Duration::MAX`]: the caller compares it
/// with its maximum and gives up, rather than this function panicking on a hostile header.
pub(crate) fn retry_after_from_headers(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    if let Some(ms) = number("retry-after-ms") {
        return seconds(ms / 1000.0);
    }
    number("retry-after").and_then(seconds)
}

/// A "try again in 1.5s" / "try again in 20ms" / "try again in 3 seconds" hint.
pub(crate) fn retry_after_from_message(message: &str) -> Option<Duration> {
    static HINT: OnceLock<Option<Regex>> = OnceLock::new();
    let hint = HINT
        .get_or_init(|| Regex::new(r"(?i)try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|seconds?)\b").ok())
        .as_ref()?;
    let caps = hint.captures(message)?;
    let value: f64 = caps.get(1)?.as_str().parse().ok()?;
    let unit = caps.get(2)?.as_str().to_ascii_lowercase();
    seconds(if unit == "ms" { value / 1000.0 } else { value })
}

/// Seconds from a server as a [`Duration`]: `None` for NaN or negative values, saturating at
/// [`Duration::MAX`] for values too large (`Duration::from_secs_f64` would panic).
fn seconds(value: f64) -> Option<Duration> {
    if value.is_nan() || value < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(value).unwrap_or(Duration::MAX))
}

/// A wait for people: `350 ms`, `2 s`, `1.5 s`, `1 h 0 min`, `more than 100 years`.
pub fn describe_wait(wait: Duration) -> String {
    const YEAR: u64 = 365 * 24 * 3600;
    let secs = wait.as_secs();
    if secs >= 100 * YEAR {
        "more than 100 years".to_owned()
    } else if secs >= 3600 {
        format!("{} h {} min", secs / 3600, secs % 3600 / 60)
    } else if secs >= 60 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else if wait >= Duration::from_secs(1) {
        let tenths = wait.as_millis() / 100;
        if tenths.is_multiple_of(10) {
            format!("{secs} s")
        } else {
            format!("{}.{} s", tenths / 10, tenths % 10)
        }
    } else {
        format!("{} ms", wait.as_millis())
    }
}

/// A failed request about to be sent again: what the caller of
/// [`ModelClient::stream_observed`](crate::ModelClient::stream_observed) is told before the pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// This retry's number, from 1.
    pub attempt: u64,
    /// How many retries the provider allows.
    pub max_retries: u64,
    /// The pause before the next attempt.
    pub delay: Duration,
    /// Why the request failed.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_within_jitter() {
        let base = Duration::from_millis(200);
        for (attempt, nominal) in [(1, 200.0), (2, 400.0), (3, 800.0)] {
            let d = backoff(base, attempt).as_secs_f64() * 1000.0;
            assert!(
                d >= nominal * 0.9 && d < nominal * 1.1,
                "attempt {attempt}: {d}"
            );
        }
        // Huge attempt numbers neither panic nor overflow.
        assert!(backoff(base, 10_000) > Duration::from_secs(1));
    }

    #[test]
    fn hints_in_messages() {
        let cases = [
            ("Please try again in 1.5s.", Some(1500)),
            ("Rate limit reached. Please try again in 20ms", Some(20)),
            ("try again in 3 seconds", Some(3000)),
            ("TRY AGAIN IN 2s", Some(2000)),
            ("no hint here", None),
        ];
        for (msg, want) in cases {
            assert_eq!(
                retry_after_from_message(msg).map(|d| d.as_millis()),
                want,
                "{msg}"
            );
        }
    }

    #[test]
    fn hints_in_headers() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after_from_headers(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(
            retry_after_from_headers(&h),
            Some(Duration::from_millis(150))
        );
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after_from_headers(&h), None);
    }

    /// Regression: a huge or odd hint panicked in `Duration::from_secs_f64`.
    #[test]
    fn hostile_hints_saturate_instead_of_panicking() {
        for value in ["1e300", "18446744073709551616", "inf", "-1", "NaN", "-0"] {
            let mut h = HeaderMap::new();
            h.insert("retry-after", HeaderValue::from_str(value).unwrap());
            let got = retry_after_from_headers(&h);
            assert!(
                matches!(got, None | Some(Duration::MAX | Duration::ZERO)),
                "{value}: {got:?}"
            );
            let mut h = HeaderMap::new();
            h.insert("retry-after-ms", HeaderValue::from_str(value).unwrap());
            let _ = retry_after_from_headers(&h);
        }
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after_from_headers(&h), Some(Duration::MAX));
        let long = format!("try again in {}s", "9".repeat(400));
        assert_eq!(retry_after_from_message(&long), Some(Duration::MAX));
    }

    #[test]
    fn waits_read_well() {
        let cases = [
            (Duration::from_millis(350), "350 ms"),
            (Duration::from_secs(2), "2 s"),
            (Duration::from_millis(1500), "1.5 s"),
            (Duration::from_secs(90), "1 min 30 s"),
            (Duration::from_hours(1), "1 h 0 min"),
            (Duration::MAX, "more than 100 years"),
        ];
        for (wait, want) in cases {
            assert_eq!(describe_wait(wait), want);
        }
    }
}
