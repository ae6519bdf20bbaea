//! Runs the iterations of a Map or the branches of a Parallel state concurrently within
//! one task, at most `limit` at a time, stopping early when one fails.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// A boxed future as the interpreter's sub-workflows are.
pub(crate) type BoxFuture<'f, T> = Pin<Box<dyn Future<Output = T> + Send + 'f>>;

/// Polls `futures`, at most `limit` (0: no limit) at a time, starting them in order, and
/// gives every output in the futures' order; with `fail_fast`, the first error instead,
/// once every running future has been polled in the round it came in (the futures still
/// running are then dropped, which stops them).
pub(crate) async fn join_bounded<T, E>(
    futures: Vec<BoxFuture<'_, Result<T, E>>>,
    limit: usize,
    fail_fast: bool,
) -> Result<Vec<Result<T, E>>, E> {
    let total = futures.len();
    let limit = if limit == 0 { usize::MAX } else { limit };
    let mut waiting: VecDeque<(usize, BoxFuture<'_, Result<T, E>>)> =
        futures.into_iter().enumerate().collect();
    let mut running: Vec<(usize, BoxFuture<'_, Result<T, E>>)> = Vec::new();
    let mut done: Vec<Option<Result<T, E>>> = (0..total).map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        loop {
            while running.len() < limit {
                match waiting.pop_front() {
                    Some(next) => running.push(next),
                    None => break,
                }
            }
            // Every running future is polled in each round, as if they ran at once.
            let mut finished = false;
            let mut failure = None;
            let mut i = 0;
            while let Some((index, future)) = running.get_mut(i) {
                match future.as_mut().poll(cx) {
                    Poll::Ready(output) => {
                        let index = *index;
                        // Completed: dropping it frees its slot.
                        drop(running.swap_remove(i));
                        let output = match output {
                            Err(error) if fail_fast => {
                                failure.get_or_insert(error);
                                continue;
                            }
                            output => output,
                        };
                        if let Some(slot) = done.get_mut(index) {
                            *slot = Some(output);
                        }
                        finished = true;
                    }
                    Poll::Pending => i += 1,
                }
            }
            if let Some(error) = failure {
                return Poll::Ready(Err(error));
            }
            if running.is_empty() && waiting.is_empty() {
                return Poll::Ready(Ok(done.drain(..).flatten().collect()));
            }
            if !finished {
                return Poll::Pending;
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A future that is pending `polls` times (waking itself), then ready with `value`
    /// (an error when `fails`), counting how many run at once.
    fn counted(
        (value, polls, fails): (u32, u32, bool),
        active: &Arc<AtomicUsize>,
        peak: &Arc<AtomicUsize>,
    ) -> BoxFuture<'static, Result<u32, u32>> {
        let (active, peak) = (Arc::clone(active), Arc::clone(peak));
        Box::pin(async move {
            let now = active.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            for _ in 0..polls {
                let mut yielded = false;
                std::future::poll_fn(|cx| {
                    if yielded {
                        Poll::Ready(())
                    } else {
                        yielded = true;
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                })
                .await;
            }
            active.fetch_sub(1, Ordering::SeqCst);
            if fails { Err(value) } else { Ok(value) }
        })
    }

    #[tokio::test]
    async fn keeps_order_and_the_limit() {
        for (limit, expected_peak) in [(0, 4), (1, 1), (2, 2)] {
            let (active, peak) = (Arc::default(), Arc::default());
            let futures = [(1, 3, false), (2, 2, true), (3, 2, false), (4, 1, false)]
                .map(|spec| counted(spec, &active, &peak))
                .into_iter()
                .collect();
            assert_eq!(
                join_bounded(futures, limit, false).await,
                Ok(vec![Ok(1), Err(2), Ok(3), Ok(4)])
            );
            assert_eq!(peak.load(Ordering::SeqCst), expected_peak, "limit {limit}");
        }
    }

    #[tokio::test]
    async fn fails_fast_at_the_first_error_and_stops_the_others() {
        let (active, peak) = (Arc::default(), Arc::default());
        // 2 fails first (after one poll), while 1 and 3 still run.
        let futures = [(1, 5, false), (2, 1, true), (3, 9, false)]
            .map(|spec| counted(spec, &active, &peak))
            .into_iter()
            .collect();
        assert_eq!(join_bounded(futures, 0, true).await, Err(2));
        // 1 and 3 were dropped unfinished.
        assert_eq!(active.load(Ordering::SeqCst), 2);
        let (active, peak) = (Arc::default(), Arc::default());
        let futures = [(1, 1, false), (2, 3, true), (3, 9, true)]
            .map(|spec| counted(spec, &active, &peak))
            .into_iter()
            .collect();
        assert_eq!(join_bounded(futures, 0, true).await, Err(2));
    }
}
