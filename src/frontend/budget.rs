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
//! it, so parallel deployments do not share it. It holds only plain counters (no value with a
//! destructor lives in thread-local storage), and the warning finds its place afterwards, in
//! the resources that hold a refused value ([`warning`]).

use crate::value::Value;
use std::cell::Cell;

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
}

/// Starts a fresh budget for one deployment on this thread.
pub fn start() {
    SPENT.with(|s| s.set(0));
    OVER.with(|o| o.set(false));
}

/// Ends the deployment's budget: whether any value was refused.
pub fn finish() -> bool {
    let over = OVER.with(Cell::get);
    start();
    over
}

/// Where the first of `resources` that holds a refused value was written, if one does.
pub fn first_refused(resources: &[crate::model::Resource]) -> Option<(String, usize)> {
    resources
        .iter()
        .find(|r| holds_refused(&r.attributes) || holds_refused(&r.provider.region))
        .map(|r| (r.file.to_string(), r.line))
}

/// The warning for a deployment whose budget ran out, at the first of its resources that holds
/// a refused value ([`first_refused`]), or at `fallback` when the refused value is not kept in
/// any.
pub fn warning(refused_at: Option<(String, usize)>, fallback: &str) -> crate::diag::Diagnostic {
    let (file, line) = refused_at.unwrap_or_else(|| (fallback.to_string(), 0));
    crate::diag::Diagnostic {
        code: crate::diag::Code::BudgetExceeded,
        file,
        line,
        message: format!(
            "{EXCEEDED}: values here grow past {} MiB per string, {MAX_ITEMS} elements per list or {} MiB per deployment; they are treated as unknown",
            MAX_STRING_BYTES >> 20,
            MAX_DEPLOYMENT_BYTES >> 20
        ),
    }
}

fn holds_refused(value: &Value) -> bool {
    match value {
        Value::Unknown(u) => u.reason.contains(EXCEEDED),
        Value::List(items) => items.iter().any(holds_refused),
        Value::Map(entries) => entries.values().any(holds_refused),
        _ => false,
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
    OVER.with(|o| o.set(true));
    Value::unknown(EXCEEDED)
}

/// `replace(text, from, to)` measured before it is built: replacing "" in a 1 MiB string by a
/// 1 MiB string would build a terabyte.
pub fn replace(text: &str, from: &str, to: &str) -> Value {
    let count = text.matches(from).count();
    if text.len().saturating_add(count.saturating_mul(to.len())) > MAX_STRING_BYTES {
        return refuse();
    }
    Value::String(text.replace(from, to).into())
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
        let big = Value::String("a".repeat(MAX_STRING_BYTES + 1).into());
        assert_eq!(admit(big).unknown_reason(), Some(EXCEEDED));
        assert!(finish());
        let chunk = "a".repeat(MAX_STRING_BYTES);
        for _ in 0..(MAX_DEPLOYMENT_BYTES / MAX_STRING_BYTES as u64) {
            assert!(!admit(Value::String(chunk.as_str().into())).is_unknown());
        }
        assert!(admit(Value::String(chunk.into())).is_unknown());
        assert!(finish());
        assert!(!finish(), "a new budget starts clean");
    }
}
