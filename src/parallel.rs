//! Work split over every core in consecutive slices, with results that do not depend on the
//! number of cores: the stages after resolving (which resources start a dataset, each
//! dataset's walk, each dataset's judgement) are independent per item.

/// `work` on consecutive slices of `items`, one per core (each slice at least `min_slice`
/// items, so small inputs stay on one thread), the results concatenated in the items' order.
/// A slice whose worker panicked is re-raised here: nothing it would have found may go missing
/// from a passing report.
pub fn on_every_core<'t, T: Sync, R: Send>(
    items: &'t [T],
    min_slice: usize,
    work: impl Fn(&'t [T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / min_slice.max(1))
        .max(1);
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
}
