//! Summaries of timing samples: nearest-rank percentiles.

use std::time::Duration;

/// Percentiles of a set of timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// How many samples.
    pub n: usize,
    /// The fastest.
    pub min: Duration,
    /// The median.
    pub p50: Duration,
    /// The 99th percentile (nearest rank).
    pub p99: Duration,
    /// The slowest.
    pub max: Duration,
}

impl Summary {
    /// Summarizes `samples`; `None` when there are none.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let last = sorted.len().checked_sub(1)?;
        let rank =
            |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        Some(Self {
            n: sorted.len(),
            min: sorted[0],
            p50: rank(0.5),
            p99: rank(0.99),
            max: sorted[last],
        })
    }

    /// Summarizes timings given in milliseconds (as the Python peers print them).
    pub fn of_millis(samples: &[f64]) -> Option<Self> {
        let durations: Vec<Duration> = samples
            .iter()
            .map(|ms| Duration::from_secs_f64(ms.max(0.0) / 1e3))
            .collect();
        Self::of(&durations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=200).rev().map(Duration::from_millis).collect();
        let summary = Summary::of(&samples).unwrap();
        assert_eq!(summary.n, 200);
        assert_eq!(summary.min, Duration::from_millis(1));
        assert_eq!(summary.p50, Duration::from_millis(100));
        assert_eq!(summary.p99, Duration::from_millis(198));
        assert_eq!(summary.max, Duration::from_millis(200));
        assert_eq!(Summary::of(&[]), None);
        let one = Summary::of_millis(&[2.5]).unwrap();
        assert_eq!(
            (one.p50, one.p99),
            (Duration::from_micros(2500), Duration::from_micros(2500))
        );
    }
}
