//! The random source of one enterprise and the few distributions the model
//! draws from.
//!
//! Every enterprise gets its own ChaCha8 stream: the key comes from the
//! dataset's seed and the stream number is the enterprise's index. Enterprise
//! `i` is therefore the same whatever was generated before it, which is what
//! makes the output streamable, order-stable and splittable across threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random source of one enterprise.
#[derive(Debug, Clone)]
pub(crate) struct Draw {
    rng: ChaCha8Rng,
}

impl Draw {
    /// The stream of enterprise `index` in the dataset seeded with `seed`.
    pub(crate) fn new(base: &ChaCha8Rng, index: u64) -> Self {
        let mut rng = base.clone();
        rng.set_stream(index);
        Self { rng }
    }

    /// The generator every enterprise's stream is derived from.
    pub(crate) fn base(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A uniform number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// A uniform integer in `low..=high`.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        self.rng.random_range(low..=high)
    }

    /// A uniform index below `len` (`len` > 0).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.rng.random_range(0..len.max(1))
    }

    /// One element of a non-empty slice, uniformly.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A standard normal deviate (Box–Muller; the second deviate is dropped
    /// so that each call consumes a fixed amount of the stream).
    pub(crate) fn normal(&mut self) -> f64 {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// `exp(N(mu, sigma))`.
    pub(crate) fn log_normal(&mut self, mu: f64, sigma: f64) -> f64 {
        (mu + sigma * self.normal()).exp()
    }

    /// A whole number of days around `median`, log-normally spread, at least `min`.
    pub(crate) fn days(&mut self, median: f64, sigma: f64, min: i64) -> i64 {
        (self.log_normal(median.ln(), sigma).round() as i64).max(min)
    }

    /// An index into `weights`, with probability proportional to its weight.
    pub(crate) fn weighted(&mut self, weights: &Weights) -> usize {
        let target = self.unit() * weights.total();
        weights
            .cumulative
            .partition_point(|&c| c <= target)
            .min(weights.cumulative.len() - 1)
    }

    /// One of `(weight, item)` pairs, by weight (the slice is non-empty).
    pub(crate) fn choose<T: Copy>(&mut self, table: &[(f64, T)]) -> T {
        let total: f64 = table.iter().map(|&(w, _)| w).sum();
        let mut target = self.unit() * total;
        for &(weight, item) in table {
            if target < weight {
                return item;
            }
            target -= weight;
        }
        table[table.len() - 1].1
    }
}

/// Cumulative weights for repeated weighted draws from one table.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    cumulative: Vec<f64>,
}

impl Weights {
    /// Builds the table; needs at least one positive weight.
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut sum = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                sum += w.max(0.0);
                sum
            })
            .collect();
        Self { cumulative }
    }

    fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_seed_and_index_only() {
        let base = Draw::base(7);
        let mut a = Draw::new(&base, 3);
        let mut b = Draw::new(&base, 3);
        let mut c = Draw::new(&base, 4);
        let mut d = Draw::new(&Draw::base(8), 3);
        let take = |draw: &mut Draw| (0..8).map(|_| draw.unit().to_bits()).collect::<Vec<_>>();
        let first = take(&mut a);
        assert_eq!(first, take(&mut b));
        assert_ne!(first, take(&mut c));
        assert_ne!(first, take(&mut d));
    }

    #[test]
    fn weighted_draws_follow_their_weights() {
        let mut draw = Draw::new(&Draw::base(1), 0);
        let weights = Weights::new([1.0, 0.0, 3.0]);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            counts[draw.weighted(&weights)] += 1;
        }
        assert_eq!(counts[1], 0, "a zero weight is never drawn");
        let share = counts[2] as f64 / 40_000.0;
        assert!((0.73..0.77).contains(&share), "{share}");
    }

    #[test]
    fn normal_deviates_have_unit_spread() {
        let mut draw = Draw::new(&Draw::base(2), 0);
        let n = 50_000;
        let xs: Vec<f64> = (0..n).map(|_| draw.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02, "{mean}");
        assert!((var - 1.0).abs() < 0.03, "{var}");
    }
}
