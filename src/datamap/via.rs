//! The route from a dataset's source to a copy, shared between copies. A replication chain
//! built with `count` (bucket i replicates to bucket i+1) gives a thousand copies in a row; if
//! each carried its whole route, the map would grow with the square of the chain (600 bytes of
//! input once gave a 95 MB report). So a route is a linked list that shares its beginning with
//! the route it extends, and a copy shows at most [`SHOWN`] steps: the source, how many steps
//! were left out, and the last steps, whose next-to-last is the copy's predecessor, itself a
//! copy with its own route.

use arcstr::ArcStr;
use std::rc::Rc;

/// Steps a copy's `via` shows in full; a longer route is shortened in the middle.
pub const SHOWN: usize = 6;
/// Steps kept at the end of a shortened route (the copy and the ones before it).
const TAIL: usize = 4;
/// Other routes to the same copy that are kept (`also_via`).
pub const MAX_OTHER_ROUTES: usize = 8;

/// A route: empty, or a step after a shorter route.
#[derive(Clone, Default)]
pub struct Via(Option<Rc<Step>>);

struct Step {
    /// Shared with the copy it names and every route through it (one pointer, no copy).
    label: ArcStr,
    before: Via,
    len: usize,
    /// The route's first step (its source), so that showing a route never walks all of it.
    first: ArcStr,
}

impl Via {
    /// This route followed by `label`.
    pub fn then(&self, label: &ArcStr) -> Via {
        let first = match &self.0 {
            Some(step) => step.first.clone(),
            None => label.clone(),
        };
        Via(Some(Rc::new(Step {
            label: label.clone(),
            before: self.clone(),
            len: self.len() + 1,
            first,
        })))
    }

    fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |s| s.len)
    }

    /// Whether the route passes `label` (a cycle back to a copy is not another route to it).
    pub fn contains(&self, label: &str) -> bool {
        let mut at = &self.0;
        while let Some(step) = at {
            if step.label == label {
                return true;
            }
            at = &step.before.0;
        }
        false
    }

    /// The steps as a report shows them: all of them when there are at most [`SHOWN`];
    /// otherwise the first, `… N more …`, and the last [`TAIL`].
    pub fn shown(&self) -> Vec<ArcStr> {
        let len = self.len();
        let keep = if len <= SHOWN { len } else { TAIL };
        let mut tail = Vec::with_capacity(keep + 2);
        let mut at = &self.0;
        while let Some(step) = at.as_ref().filter(|_| tail.len() < keep) {
            tail.push(step.label.clone());
            at = &step.before.0;
        }
        if let (true, Some(step)) = (len > SHOWN, &self.0) {
            tail.push(arcstr::format!("… {} more …", len - TAIL - 1));
            tail.push(step.first.clone());
        }
        tail.reverse();
        tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_routes_are_shortened_in_the_middle() {
        let mut via = Via::default();
        for i in 0..4 {
            via = via.then(&arcstr::format!("b{i}"));
        }
        assert_eq!(via.shown(), ["b0", "b1", "b2", "b3"]);
        for i in 4..1000 {
            via = via.then(&arcstr::format!("b{i}"));
        }
        assert_eq!(
            via.shown(),
            ["b0", "… 995 more …", "b996", "b997", "b998", "b999"]
        );
        assert!(via.contains("b500"));
        assert!(!via.contains("b1000"));
    }
}
