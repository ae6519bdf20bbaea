//! A value read from SSM Parameter Store, kept per container for a short time (see
//! [`super::location`] for why: Parameter Store's 40 requests/s quota).

use std::{
    future::Future,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// A value kept for `ttl` after it was read (zero: never kept).
#[derive(Debug)]
pub struct Kept<T> {
    ttl: Duration,
    value: Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> Kept<T> {
    /// Nothing kept yet.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            value: Mutex::new(None),
        }
    }

    /// The value kept, if younger than the time to keep it, else a fresh one from
    /// `read` (kept if it succeeds; failures are not).
    pub async fn get<E, Read>(&self, read: impl FnOnce() -> Read) -> Result<T, E>
    where
        Read: Future<Output = Result<T, E>>,
    {
        if !self.ttl.is_zero() {
            let kept = self.value.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((read_at, value)) = kept.as_ref()
                && read_at.elapsed() < self.ttl
            {
                return Ok(value.clone());
            }
        }
        let value = read().await?;
        if !self.ttl.is_zero() {
            *self.value.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((Instant::now(), value.clone()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_value_is_read_once_per_ttl_and_failures_are_not_kept() {
        let reads = AtomicUsize::new(0);
        let read = || async {
            reads.fetch_add(1, Ordering::Relaxed);
            Ok::<_, ()>(7)
        };
        let kept = Kept::new(Duration::from_secs(60));
        assert_eq!(kept.get(read).await, Ok(7));
        assert_eq!(kept.get(read).await, Ok(7));
        assert_eq!(reads.load(Ordering::Relaxed), 1);
        let never = Kept::new(Duration::ZERO);
        never.get(read).await.unwrap();
        never.get(read).await.unwrap();
        assert_eq!(reads.load(Ordering::Relaxed), 3);
        let failing = Kept::<u8>::new(Duration::from_secs(60));
        assert_eq!(failing.get(|| async { Err("down") }).await, Err("down"));
        assert_eq!(failing.get(|| async { Ok::<_, &str>(1) }).await, Ok(1));
    }
}
