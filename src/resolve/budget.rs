//! The evaluation budget. Values from a configuration can grow without bound: a 2 KB file of
//! locals that each double the previous one reaches gigabytes, and so do `Fn::Join`, ARM
//! `concat` and `replace`, or module fan-out. Every value an evaluator (Terraform, CloudFormation,
//! ARM) produces passes [`admit`], which refuses a string over [`MAX_STRING_BYTES`], a list or map
//! over [`MAX_ITEMS`], and, once the deployment being evaluated has spent
//! [`MAX_DEPLOYMENT_BYTES`], everything: such values become unknown with the reason
//! [`EXCEEDED`], and the resolver warns, naming the file. The budget counts work (bytes built),
//! not time, so the same input always gives the same output whatever the machine's load.
//!
//! The budget is per thread: each resolver [`start`]s it for one deployment and [`finish`]es
//! it, so parallel deployments do not share it.

use crate::value::Value;
use std::cell::{Cell, RefCell};

/// The longest string an evaluation may build (1 MiB).
pub const MAX_STRING_BYTES: usize = 1 << 20;
/// The most elements a list or map may have.
pub const MAX_ITEMS: usize = 100_000;
/// Bytes (string bytes, and 16 per element of a list or map) that evaluating one deployment may
/// build in all (256 MiB).
pub const MAX_DEPLOYMENT_BYTES: u64 = 256 << 20;
/// Why a value past the budget is unknown.
pub const EXCEEDED: &str = "evaluation budget exceeded";

thread_local! {
    static SPENT: Cell<u64> = const { Cell::new(0) };
    static OVER: Cell<bool> = const { Cell::new(false) };
    /// What is being evaluated (file, line), for the warning.
    static PLACE: RefCell<(String, usize)> = const { RefCell::new((String::new(), 0)) };
    /// Where the first value was refused.
    static FIRST: RefCell<Option<(String, usize)>> = const { RefCell::new(None) };
}

/// Starts a fresh budget for one deployment on this thread.
pub fn start() {
    SPENT.with(|s| s.set(0));
    OVER.with(|o| o.set(false));
    FIRST.with(|f| f.borrow_mut().take());
}

/// Says what is being evaluated now (a resource, a local), so a refusal can name it.
pub fn at(file: &str, line: usize) {
    PLACE.with(|p| {
        let mut p = p.borrow_mut();
        if p.0 != file {
            p.0 = file.to_string();
        }
        p.1 = line;
    });
}

/// Ends the deployment's budget: where the first value was refused, if one was.
pub fn finish() -> Option<(String, usize)> {
    let first = FIRST.with(|f| f.borrow_mut().take());
    start();
    first
}

/// The warning for a deployment whose budget ran out.
pub fn warning(place: (String, usize)) -> super::ResolveError {
    super::ResolveError {
        file: place.0,
        line: place.1,
        message: format!(
            "{EXCEEDED}: values here grow past {} MiB per string, {MAX_ITEMS} elements per list or {} MiB per deployment; they are treated as unknown",
            MAX_STRING_BYTES >> 20,
            MAX_DEPLOYMENT_BYTES >> 20
        ),
    }
}

/// `value`, or an unknown with the reason [`EXCEEDED`] when it is too large or the deployment's
/// budget is spent. Only the top level is measured: nested values were admitted when they were
/// built.
pub fn admit(value: Value) -> Value {
    let (bytes, too_large) = match &value {
        Value::String(s) => (s.len() as u64, s.len() > MAX_STRING_BYTES),
        Value::List(items) => (16 * items.len() as u64, items.len() > MAX_ITEMS),
        Value::Map(entries) => (16 * entries.len() as u64, entries.len() > MAX_ITEMS),
        _ => return value,
    };
    let spent = SPENT.with(|s| {
        let total = s.get().saturating_add(bytes);
        s.set(total);
        total
    });
    if too_large || spent > MAX_DEPLOYMENT_BYTES {
        return refuse();
    }
    value
}

/// Records that a value was refused (for the warning) and returns the unknown that stands for
/// it; for evaluators that measure a result before building it.
pub fn refuse() -> Value {
    if !OVER.with(|o| o.replace(true)) {
        let place = PLACE.with(|p| p.borrow().clone());
        FIRST.with(|f| *f.borrow_mut() = Some(place));
    }
    Value::unknown(EXCEEDED)
}

/// `replace(text, from, to)` measured before it is built: replacing "" in a 1 MiB string by a
/// 1 MiB string would build a terabyte.
pub fn replace(text: &str, from: &str, to: &str) -> Value {
    let count = text.matches(from).count();
    if text.len().saturating_add(count.saturating_mul(to.len())) > MAX_STRING_BYTES {
        return refuse();
    }
    Value::String(text.replace(from, to))
}

/// Whether a string of `bytes` may be built.
pub fn fits(bytes: usize) -> bool {
    bytes <= MAX_STRING_BYTES
}

/// Whether the deployment's budget is already spent (an evaluator can stop early).
pub fn spent() -> bool {
    OVER.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_values_and_spent_budgets_become_unknown() {
        start();
        assert_eq!(admit(Value::String("x".into())), Value::String("x".into()));
        let big = Value::String("a".repeat(MAX_STRING_BYTES + 1));
        at("main.tf", 3);
        assert_eq!(admit(big).unknown_reason(), Some(EXCEEDED));
        assert_eq!(finish(), Some(("main.tf".to_string(), 3)));
        let chunk = "a".repeat(MAX_STRING_BYTES);
        for _ in 0..(MAX_DEPLOYMENT_BYTES / MAX_STRING_BYTES as u64) {
            assert!(!admit(Value::String(chunk.clone())).is_unknown());
        }
        assert!(admit(Value::String(chunk)).is_unknown());
        assert!(finish().is_some());
        assert!(finish().is_none(), "a new budget starts clean");
    }
}
