//! The hash tables the scan builds: the standard library's, keyed by aHash instead of SipHash.
//!
//! Their keys come from the scanned files (resource names, addresses, file paths), so they are
//! chosen by whoever wrote a pull request; aHash's `RandomState` is seeded at random per process
//! (its `runtime-rng` feature), which keeps it resistant to crafted collisions as SipHash is,
//! and hashes short keys faster (SipHash was 2.4% of a 100 MB scan's samples; the scan's CPU
//! time fell 2-4% with aHash).
//! Nothing depends on the tables' iteration order, which was already random per process.
//! See <https://docs.rs/ahash/0.8/ahash/struct.RandomState.html>.

/// A hash map keyed by aHash: make one with `HashMap::default()` or
/// `HashMap::with_capacity_and_hasher(n, Default::default())`.
pub type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

/// A hash set keyed by aHash (see [`HashMap`]).
pub type HashSet<T> = std::collections::HashSet<T, ahash::RandomState>;
