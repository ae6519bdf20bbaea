//! `Retry`: which retrier handles an error, and how long to back off before a retry.

use std::time::Duration;

use super::random::Rng;
use crate::errors;
use crate::model::Retrier;

/// ASL default of `IntervalSeconds`.
const DEFAULT_INTERVAL_SECONDS: u64 = 1;
/// ASL default of `MaxAttempts`.
pub(crate) const DEFAULT_MAX_ATTEMPTS: u64 = 3;
/// ASL default of `BackoffRate`.
const DEFAULT_BACKOFF_RATE: f64 = 2.0;
/// Upper bound on any computed delay (the largest `MaxDelaySeconds` ASL allows), so that a
/// large `BackoffRate` cannot overflow.
const DELAY_CEILING_SECONDS: f64 = 31_622_400.0;

/// Whether an `ErrorEquals` list matches `error`.
///
/// `States.ALL` matches every error but `States.Runtime`; `States.TaskFailed` every error
/// but that and `States.Timeout`. (A `States.DataLimitExceeded` that reaches the retriers
/// and catchers is a task's result over the quota, which they see like any failure; the
/// terminal one, a state's own output over the quota, never reaches them.)
pub(crate) fn error_matches(error_equals: &[String], error: &str) -> bool {
    let wildcard_matches = error != errors::RUNTIME;
    error_equals.iter().any(|name| {
        name == error
            || (name == errors::ALL && wildcard_matches)
            || (name == errors::TASK_FAILED && wildcard_matches && error != errors::TIMEOUT)
    })
}

/// Whether `error` ends the execution whatever the `Retry` and `Catch` say:
/// `States.Runtime`.
pub(crate) fn is_terminal(error: &str) -> bool {
    error == errors::RUNTIME
}

/// The index of the first retrier whose `ErrorEquals` matches `error`.
pub(crate) fn find(retriers: &[Retrier], error: &str) -> Option<usize> {
    retriers
        .iter()
        .position(|retrier| error_matches(&retrier.error_equals, error))
}

/// The delay before retry number `retry` (0 for the first) of `retrier`, before jitter:
/// `IntervalSeconds × BackoffRate^retry`, capped by `MaxDelaySeconds`.
pub(crate) fn backoff(retrier: &Retrier, retry: u64) -> Duration {
    let interval = retrier.interval_seconds.unwrap_or(DEFAULT_INTERVAL_SECONDS) as f64;
    let rate = retrier.backoff_rate.unwrap_or(DEFAULT_BACKOFF_RATE);
    let exponent = i32::try_from(retry).unwrap_or(i32::MAX);
    let mut seconds = interval * rate.powi(exponent);
    if let Some(max) = retrier.max_delay_seconds {
        seconds = seconds.min(max as f64);
    }
    if !seconds.is_finite() || seconds > DELAY_CEILING_SECONDS {
        seconds = DELAY_CEILING_SECONDS;
    }
    Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::ZERO)
}

/// Applies the retrier's `JitterStrategy`: `FULL` draws the delay uniformly from
/// `[0, delay)`; anything else keeps it.
pub(crate) fn jitter(retrier: &Retrier, delay: Duration, rng: &Rng) -> Duration {
    match retrier.jitter_strategy.as_deref() {
        Some("FULL") => delay.mul_f64(rng.next_f64()),
        _ => delay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn all_matches_everything_but_runtime() {
        let all = names(&[errors::ALL]);
        assert!(error_matches(&all, "Custom"));
        assert!(error_matches(&all, errors::TIMEOUT));
        assert!(error_matches(&all, errors::TASK_FAILED));
        assert!(!error_matches(&all, errors::RUNTIME));
        assert!(error_matches(&all, errors::DATA_LIMIT_EXCEEDED));
        let named = names(&[errors::DATA_LIMIT_EXCEEDED]);
        assert!(error_matches(&named, errors::DATA_LIMIT_EXCEEDED));
    }

    #[test]
    fn task_failed_matches_everything_but_timeout_and_runtime() {
        let task_failed = names(&[errors::TASK_FAILED]);
        assert!(error_matches(&task_failed, "Lambda.ServiceException"));
        assert!(error_matches(&task_failed, errors::TASK_FAILED));
        assert!(!error_matches(&task_failed, errors::TIMEOUT));
        assert!(!error_matches(&task_failed, errors::RUNTIME));
    }

    #[test]
    fn names_match_exactly() {
        let list = names(&["A", "B"]);
        assert!(error_matches(&list, "B"));
        assert!(!error_matches(&list, "b"));
        assert!(!error_matches(&list, "C"));
        assert!(!error_matches(&[], "A"));
        let retriers = [
            Retrier::new(["A"]),
            Retrier::new(["B", "C"]),
            Retrier::new([errors::ALL]),
        ];
        assert_eq!(find(&retriers, "C"), Some(1));
        assert_eq!(find(&retriers, "D"), Some(2));
        assert_eq!(find(&retriers, errors::RUNTIME), None);
    }

    #[test]
    fn backoff_grows_geometrically() {
        let retrier = Retrier::new(["E"]).interval_seconds(1).backoff_rate(2.0);
        let delays: Vec<_> = (0..4).map(|n| backoff(&retrier, n)).collect();
        assert_eq!(delays, [1, 2, 4, 8].map(Duration::from_secs));
        let defaults = Retrier::new(["E"]);
        assert_eq!(backoff(&defaults, 2), Duration::from_secs(4));
        let fractional = Retrier::new(["E"]).interval_seconds(3).backoff_rate(1.5);
        assert_eq!(backoff(&fractional, 1), Duration::from_millis(4_500));
    }

    #[test]
    fn backoff_is_capped() {
        let mut retrier = Retrier::new(["E"]).interval_seconds(1).backoff_rate(2.0);
        retrier.max_delay_seconds = Some(10);
        let delays: Vec<_> = (0..6).map(|n| backoff(&retrier, n)).collect();
        assert_eq!(delays, [1, 2, 4, 8, 10, 10].map(Duration::from_secs));
        let huge = Retrier::new(["E"])
            .interval_seconds(u64::MAX)
            .backoff_rate(1e300);
        assert_eq!(
            backoff(&huge, u64::MAX),
            Duration::from_secs_f64(DELAY_CEILING_SECONDS)
        );
    }

    #[test]
    fn full_jitter_stays_within_the_delay() {
        let mut retrier = Retrier::new(["E"]);
        let delay = Duration::from_secs(8);
        let rng = Rng::new(7);
        assert_eq!(jitter(&retrier, delay, &rng), delay);
        retrier.jitter_strategy = Some("FULL".to_owned());
        let jittered: Vec<_> = (0..100).map(|_| jitter(&retrier, delay, &rng)).collect();
        assert!(jittered.iter().all(|d| *d < delay));
        let distinct: std::collections::HashSet<_> = jittered.iter().collect();
        assert!(distinct.len() > 90, "jitter is not random: {distinct:?}");
        // The same seed gives the same delays; `NONE` drew no number.
        let again = Rng::new(7);
        assert_eq!(jitter(&retrier, delay, &again), jittered[0]);
    }
}
