//! What a ledger view computes once and keeps: the few most recently used
//! values by key (directory indexes, tracking reports). The first caller
//! for a key computes the value while later callers for that key wait for
//! it, so a burst of identical requests computes it once. The values hang
//! off the view they were computed from: an import, which replaces the
//! view, drops them.

use std::sync::{Arc, Mutex, OnceLock};

/// One key's value, computed once.
type Cell<V> = Arc<OnceLock<Arc<V>>>;

/// At most `N` values by key, the most recently used last.
#[derive(Debug)]
pub struct Kept<K, V, const N: usize> {
    cells: Mutex<Vec<(K, Cell<V>)>>,
}

impl<K, V, const N: usize> Default for Kept<K, V, N> {
    fn default() -> Self {
        Self {
            cells: Mutex::new(Vec::new()),
        }
    }
}

impl<K: PartialEq, V, const N: usize> Kept<K, V, N> {
    /// The value for `key`, computed by `build` if no one has (the least
    /// recently used of `N` is dropped to make room).
    pub fn get_or_build(&self, key: K, build: impl FnOnce() -> V) -> Arc<V> {
        let cell = {
            let mut cells = self
                .cells
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let cell = match cells.iter().position(|(k, _)| *k == key) {
                Some(at) => cells.remove(at).1,
                None => Arc::new(OnceLock::new()),
            };
            cells.push((key, cell.clone()));
            if cells.len() > N {
                cells.remove(0);
            }
            cell
        };
        cell.get_or_init(|| Arc::new(build())).clone()
    }

    /// The value for `key` if it has been built (without waiting for a
    /// build under way, and without counting as a use).
    pub fn built(&self, key: &K) -> Option<Arc<V>> {
        let cells = self
            .cells
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cells
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, cell)| cell.get().cloned())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn a_value_is_built_once_and_the_least_recently_used_dropped() {
        let kept: Kept<u32, u32, 2> = Kept::default();
        let builds = AtomicU32::new(0);
        let get = |key: u32| {
            *kept.get_or_build(key, || {
                builds.fetch_add(1, Ordering::Relaxed);
                key * 10
            })
        };
        assert_eq!((get(1), get(2), get(1)), (10, 20, 10));
        assert_eq!(builds.load(Ordering::Relaxed), 2, "1 was kept");
        // 3 makes room by dropping 2, the least recently used.
        assert_eq!(get(3), 30);
        assert_eq!(get(1), 10);
        assert_eq!(builds.load(Ordering::Relaxed), 3);
        assert_eq!(get(2), 20);
        assert_eq!(builds.load(Ordering::Relaxed), 4, "2 had been dropped");
        assert_eq!(kept.built(&2).as_deref(), Some(&20));
        assert_eq!(kept.built(&3), None, "dropped for 2");
    }

    #[test]
    fn callers_for_one_key_share_one_build() {
        let kept: Arc<Kept<u32, u32, 4>> = Arc::default();
        let builds = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let kept = kept.clone();
                let builds = builds.clone();
                std::thread::spawn(move || {
                    *kept.get_or_build(7, || {
                        builds.fetch_add(1, Ordering::Relaxed);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        70
                    })
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), 70);
        }
        assert_eq!(builds.load(Ordering::Relaxed), 1);
    }
}
