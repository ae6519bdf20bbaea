//! Time as the interpreter sees it: real (tokio) or virtual (tests record every sleep).

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

/// Where Wait states and retry backoff sleep, and where "now" comes from.
#[async_trait]
pub trait Clock: Send + Sync {
    /// Waits for `duration` (a Wait state or a retry interval).
    async fn sleep(&self, duration: Duration);

    /// The current time (for `Timestamp` waits and the context object).
    fn now(&self) -> SystemTime;

    /// Completes when a Task's `TimeoutSeconds` of `duration` has run out; the task is then
    /// abandoned with `States.Timeout`. Defaults to [`Clock::sleep`].
    async fn timeout(&self, duration: Duration) {
        self.sleep(duration).await;
    }
}

/// The real clock: `tokio::time::sleep` and the system time. Needs a tokio runtime with
/// its time driver enabled.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

#[cfg(feature = "tokio")]
#[async_trait]
impl Clock for TokioClock {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A virtual clock for tests: sleeps return at once, are recorded, and advance [`Clock::now`].
///
/// Clones share their record, so keep one clone to inspect what an interpreter slept.
/// Task timeouts never expire unless [`TestClock::expire_timeouts`] is set, in which case
/// any task that does not complete on its first poll times out.
#[derive(Debug, Clone)]
pub struct TestClock {
    inner: Arc<Mutex<TestClockState>>,
}

#[derive(Debug)]
struct TestClockState {
    now: SystemTime,
    sleeps: Vec<Duration>,
    expire_timeouts: bool,
}

impl TestClock {
    /// A clock starting at 2024-01-01T00:00:00Z.
    pub fn new() -> Self {
        Self::starting_at(SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_067_200))
    }

    /// A clock starting at `now`.
    pub fn starting_at(now: SystemTime) -> Self {
        Self {
            inner: Arc::new(Mutex::new(TestClockState {
                now,
                sleeps: Vec::new(),
                expire_timeouts: false,
            })),
        }
    }

    /// Makes task timeouts expire immediately.
    #[must_use]
    pub fn expire_timeouts(self) -> Self {
        self.state().expire_timeouts = true;
        self
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state().sleeps.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, TestClockState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Clock for TestClock {
    async fn sleep(&self, duration: Duration) {
        let mut state = self.state();
        state.sleeps.push(duration);
        state.now = state.now.checked_add(duration).unwrap_or(state.now);
    }

    fn now(&self) -> SystemTime {
        self.state().now
    }

    async fn timeout(&self, _duration: Duration) {
        let expire = self.state().expire_timeouts;
        if !expire {
            std::future::pending::<()>().await;
        }
    }
}

/// `work`, unless `clock`'s timeout of `duration` runs out first (`None`).
pub(crate) async fn within<T>(
    clock: &dyn Clock,
    duration: Duration,
    work: impl Future<Output = T>,
) -> Option<T> {
    let mut work = std::pin::pin!(work);
    let mut timer = clock.timeout(duration);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}
