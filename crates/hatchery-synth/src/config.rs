//! What to generate.

use crate::fx;

/// The shape of a generated dataset. Two runs with equal configurations give
/// identical datasets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// How many enterprises to generate.
    pub enterprises: usize,
    /// The seed every enterprise's random stream is derived from.
    pub seed: u64,
    /// The first year enterprises are founded in.
    pub start_year: i16,
    /// The last year of history: no event is dated after 31 December of it.
    pub end_year: i16,
    /// Adds the rarer relocation cases of the interchange spec to about a
    /// quarter of the Chinese enterprises: a relocation row repeated after
    /// another of the same day, relocations on a year-end, before founding,
    /// on the day of a listing, exit, round or valuation report, and to
    /// another province. Off by default; when off, nothing else changes.
    pub relocation_quirks: bool,
}

impl Default for GeneratorConfig {
    /// Ten thousand enterprises founded 2004–2023, with seed 2024.
    fn default() -> Self {
        Self {
            enterprises: 10_000,
            seed: 2024,
            start_year: 2004,
            end_year: 2023,
            relocation_quirks: false,
        }
    }
}

impl GeneratorConfig {
    /// The default shape with `enterprises` enterprises and the given seed.
    pub fn new(enterprises: usize, seed: u64) -> Self {
        Self {
            enterprises,
            seed,
            ..Self::default()
        }
    }

    /// Checks that the years are in order and covered by the shipped rates.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.start_year > self.end_year {
            return Err(ConfigError::YearsReversed {
                start: self.start_year,
                end: self.end_year,
            });
        }
        let (first, last) = fx::covered_years();
        if self.start_year < first || self.end_year > last {
            return Err(ConfigError::YearsOutOfRange {
                start: self.start_year,
                end: self.end_year,
                first,
                last,
            });
        }
        Ok(())
    }
}

/// Why a configuration cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `start_year` comes after `end_year`.
    #[error("start year {start} is after end year {end}")]
    YearsReversed {
        /// The configured first year.
        start: i16,
        /// The configured last year.
        end: i16,
    },
    /// The years reach outside the exchange rates shipped with the generator.
    #[error(
        "years {start}–{end} reach outside the exchange rates shipped with the generator ({first}–{last})"
    )]
    YearsOutOfRange {
        /// The configured first year.
        start: i16,
        /// The configured last year.
        end: i16,
        /// The first year with shipped rates.
        first: i16,
        /// The last year with shipped rates.
        last: i16,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_bad_years_are_refused() {
        assert_eq!(GeneratorConfig::default().validate(), Ok(()));
        let reversed = GeneratorConfig {
            start_year: 2020,
            end_year: 2010,
            ..GeneratorConfig::default()
        };
        assert!(matches!(
            reversed.validate(),
            Err(ConfigError::YearsReversed { .. })
        ));
        let early = GeneratorConfig {
            start_year: 1990,
            ..GeneratorConfig::default()
        };
        assert!(matches!(
            early.validate(),
            Err(ConfigError::YearsOutOfRange { .. })
        ));
    }
}
