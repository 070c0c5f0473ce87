//! Work split over every core in consecutive slices, with results that do not depend on the
//! number of cores: the stages after resolving (which resources start a dataset, each
//! dataset's walk, each dataset's judgement) are independent per item.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `work` on consecutive slices of `items`, one per core (each slice at least `min_slice`
/// items, so small inputs stay on one thread), the results concatenated in the items' order.
/// A slice whose worker panicked is re-raised here: nothing it would have found may go missing
/// from a passing report.
pub fn on_every_core<'t, T: Sync, R: Send>(
    items: &'t [T],
    min_slice: usize,
    work: impl Fn(&'t [T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let workers = workers_for(items.len(), min_slice);
    if workers == 1 {
        return work(items);
    }
    let chunk = items.len().div_ceil(workers);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// `render` on every item of `items` and `consume` on the results, in the items' order: the items
/// are rendered a batch of `batch` at a time on every core (slices of at least `min_slice`), the
/// next batch while the caller consumes the one before (a report's text is written while the
/// next part is rendered: writing is a third of the time). Stops at the first error `consume`
/// gives. A worker's panic is re-raised here.
pub fn pipelined<'t, T: Sync, R: Send, E>(
    items: &'t [T],
    batch: usize,
    min_slice: usize,
    render: impl Fn(&'t T) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let render = &render;
    std::thread::scope(|scope| {
        let start = |part: &'t [T]| {
            scope.spawn(move || {
                on_every_core(part, min_slice, |slice| slice.iter().map(render).collect())
            })
        };
        let mut batches = items.chunks(batch.max(1));
        let mut next = batches.next().map(start);
        while let Some(rendering) = next {
            let rendered = rendering
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            next = batches.next().map(start);
            for result in rendered {
                consume(result)?;
            }
        }
        Ok(())
    })
}

/// `work` on every item of `items`, in place, the items split into consecutive slices, one per
/// core (each at least `min_slice` items). Each item is changed on its own, so the result does
/// not depend on the number of cores. A worker's panic is re-raised here.
pub fn each_on_every_core<T: Send>(
    items: &mut [T],
    min_slice: usize,
    work: impl Fn(&mut T) + Sync,
) {
    let workers = workers_for(items.len(), min_slice);
    if workers == 1 {
        items.iter_mut().for_each(work);
        return;
    }
    let chunk = items.len().div_ceil(workers);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks_mut(chunk)
            .map(|part| scope.spawn(move || part.iter_mut().for_each(work)))
            .collect();
        for handle in handles {
            handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
    })
}

/// How many threads `len` items get: one per core (or `--threads`), each with at least
/// `min_slice` items.
fn workers_for(len: usize, min_slice: usize) -> usize {
    cores().min(len / min_slice.max(1)).max(1)
}

/// The most threads a stage may use; 0, the default, is one per core. The command line sets it
/// from `--threads`, so that a shared CI runner can keep a scan to fewer cores in every stage.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Limits every stage to `threads` threads (0: one per core).
pub fn set_limit(threads: usize) {
    LIMIT.store(threads, Ordering::Relaxed);
}

/// How many threads a stage may use: the limit set, or one per core.
pub fn cores() -> usize {
    match LIMIT.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        limit => limit,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = super::on_every_core(&items, 1, |part| part.iter().map(|i| i * 2).collect());
        assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let few = super::on_every_core(&items[..3], 64, |part| vec![part.len()]);
        assert_eq!(
            few,
            [3],
            "under the minimum slice, one thread takes everything"
        );
    }

    #[test]
    fn pipelined_results_come_in_order_and_an_error_stops_them() {
        let items: Vec<u32> = (0..5000).collect();
        let mut seen = Vec::new();
        let done: Result<(), ()> = super::pipelined(
            &items,
            1000,
            64,
            |i| i * 2,
            |r| {
                seen.push(r);
                Ok(())
            },
        );
        assert_eq!(done, Ok(()));
        assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let mut consumed = 0;
        let stopped = super::pipelined(
            &items,
            1000,
            64,
            |i| *i,
            |r| {
                consumed += 1;
                if r == 1500 {
                    Err(r)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!((stopped, consumed), (Err(1500), 1501));
    }

    #[test]
    fn every_item_is_changed_once_in_place() {
        let mut items: Vec<u32> = (0..1000).collect();
        super::each_on_every_core(&mut items, 1, |i| *i *= 3);
        assert_eq!(items, (0..1000).map(|i| i * 3).collect::<Vec<_>>());
        let mut few = vec![1u32, 2];
        super::each_on_every_core(&mut few, 64, |i| *i += 1);
        assert_eq!(few, [2, 3]);
    }
}
