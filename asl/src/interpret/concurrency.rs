//! Runs the iterations of a Map or the branches of a Parallel state concurrently within
//! one task, at most `limit` at a time, stopping early when one fails.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// A boxed future as the interpreter's sub-workflows are.
pub(crate) type BoxFuture<'f, T> = Pin<Box<dyn Future<Output = T> + Send + 'f>>;

/// Polls `futures`, at most `limit` (0: no limit) at a time, starting them in order. Gives
/// every output in the futures' order or, once an output for which `stop` holds comes, the
/// outputs finished before it (in the futures' order) followed by that one; the futures
/// still running are then dropped, which stops them.
pub(crate) async fn join_bounded<T>(
    futures: Vec<BoxFuture<'_, T>>,
    limit: usize,
    stop: impl Fn(&T) -> bool,
) -> Result<Vec<T>, Vec<T>> {
    let total = futures.len();
    let limit = if limit == 0 { usize::MAX } else { limit };
    let mut waiting: VecDeque<(usize, BoxFuture<'_, T>)> =
        futures.into_iter().enumerate().collect();
    let mut running: Vec<(usize, BoxFuture<'_, T>)> = Vec::new();
    let mut done: Vec<Option<T>> = (0..total).map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        loop {
            while running.len() < limit {
                match waiting.pop_front() {
                    Some(next) => running.push(next),
                    None => break,
                }
            }
            let mut finished = false;
            let mut i = 0;
            while let Some((index, future)) = running.get_mut(i) {
                match future.as_mut().poll(cx) {
                    Poll::Ready(output) => {
                        let index = *index;
                        // Completed: dropping it frees its slot.
                        drop(running.swap_remove(i));
                        if stop(&output) {
                            let mut finished: Vec<T> = done.drain(..).flatten().collect();
                            finished.push(output);
                            return Poll::Ready(Err(finished));
                        }
                        if let Some(slot) = done.get_mut(index) {
                            *slot = Some(output);
                        }
                        finished = true;
                    }
                    Poll::Pending => i += 1,
                }
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

    /// A future that is pending `polls` times (waking itself), then ready with `value`,
    /// counting how many run at once.
    fn counted(
        value: u32,
        polls: u32,
        active: Arc<AtomicUsize>,
        peak: Arc<AtomicUsize>,
    ) -> BoxFuture<'static, u32> {
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
            value
        })
    }

    #[tokio::test]
    async fn keeps_order_and_the_limit() {
        for (limit, expected_peak) in [(0, 4), (1, 1), (2, 2)] {
            let (active, peak) = (Arc::default(), Arc::new(AtomicUsize::new(0)));
            let futures = [(1, 3), (2, 2), (3, 2), (4, 1)]
                .map(|(v, p)| counted(v, p, Arc::clone(&active), Arc::clone(&peak)))
                .into_iter()
                .collect();
            assert_eq!(
                join_bounded(futures, limit, |_| false).await,
                Ok(vec![1, 2, 3, 4])
            );
            assert_eq!(peak.load(Ordering::SeqCst), expected_peak, "limit {limit}");
        }
    }

    #[tokio::test]
    async fn stops_at_the_first_failure() {
        let (active, peak) = (Arc::default(), Arc::new(AtomicUsize::new(0)));
        let futures = [(1, 5), (2, 1), (3, 9)]
            .map(|(v, p)| counted(v, p, Arc::clone(&active), Arc::clone(&peak)))
            .into_iter()
            .collect();
        // 2 finishes first (after one poll), before 1 and 3.
        assert_eq!(join_bounded(futures, 0, |v| *v == 2).await, Err(vec![2]));
        let (active, peak) = (Arc::default(), Arc::new(AtomicUsize::new(0)));
        let futures = [(1, 1), (2, 3), (3, 9)]
            .map(|(v, p)| counted(v, p, Arc::clone(&active), Arc::clone(&peak)))
            .into_iter()
            .collect();
        assert_eq!(join_bounded(futures, 0, |v| *v == 2).await, Err(vec![1, 2]));
    }
}
