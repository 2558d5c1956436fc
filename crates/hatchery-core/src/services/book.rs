//! The clock sets in force: the shipped national one and those of
//! jurisdictions with their own published time limits. A request follows
//! the most specific set covering where its enterprise sits.

use super::clocks::{ClockError, ClockSet};
use crate::workflow::jurisdiction::{Jurisdiction, Placement};

/// Why a list of clock sets cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockBookError {
    #[error("clock set '{id}': jurisdiction: {problem}")]
    Jurisdiction { id: String, problem: String },
    #[error("clock sets '{first}' and '{second}' are both for {jurisdiction}: keep one")]
    SameJurisdiction {
        first: String,
        second: String,
        jurisdiction: String,
    },
    #[error(transparent)]
    Clock(#[from] ClockError),
}

/// Every clock set in force, national first.
#[derive(Debug, Clone)]
pub struct ClockBook {
    /// The national set: the shipped one (whose reading a test checks), or
    /// one configured for `CN`.
    national: Result<ClockSet, ClockError>,
    local: Vec<(Jurisdiction, ClockSet)>,
}

impl ClockBook {
    /// The shipped national set, with `local` sets beside it. A local set
    /// for `CN` replaces the shipped one.
    pub fn new(local: Vec<ClockSet>) -> Result<Self, ClockBookError> {
        let mut national = ClockSet::shipped().cloned();
        let mut placed: Vec<(Jurisdiction, ClockSet)> = Vec::new();
        for set in local {
            let jurisdiction = Jurisdiction::parse(set.jurisdiction()).map_err(|e| {
                ClockBookError::Jurisdiction {
                    id: set.id().to_owned(),
                    problem: e.to_string(),
                }
            })?;
            if let Some((_, other)) = placed.iter().find(|(j, _)| *j == jurisdiction) {
                return Err(ClockBookError::SameJurisdiction {
                    first: other.id().to_owned(),
                    second: set.id().to_owned(),
                    jurisdiction: jurisdiction.to_string(),
                });
            }
            if jurisdiction == Jurisdiction::Nation {
                national = Ok(set.clone());
            }
            placed.push((jurisdiction, set));
        }
        placed.retain(|(j, _)| *j != Jurisdiction::Nation);
        Ok(Self {
            national,
            local: placed,
        })
    }

    /// The set for an enterprise placed at `placement`: its zone's, else its
    /// district's, city's or province's, else the national one.
    pub fn for_placement(&self, placement: &Placement) -> Result<&ClockSet, ClockError> {
        let candidates = [
            placement.zone.clone().map(Jurisdiction::Zone),
            placement.district.map(Jurisdiction::Division),
            placement.city.map(Jurisdiction::Division),
            placement.province.map(Jurisdiction::Division),
        ];
        let local = candidates.into_iter().flatten().find_map(|wanted| {
            self.local
                .iter()
                .find(|(j, _)| *j == wanted)
                .map(|(_, set)| set)
        });
        match local {
            Some(set) => Ok(set),
            None => self.national.as_ref().map_err(Clone::clone),
        }
    }

    /// Every set, national first.
    pub fn sets(&self) -> Vec<ClockSet> {
        self.national
            .iter()
            .cloned()
            .chain(self.local.iter().map(|(_, set)| set.clone()))
            .collect()
    }
}

impl Default for ClockBook {
    /// The shipped national set alone.
    fn default() -> Self {
        Self {
            national: ClockSet::shipped().cloned(),
            local: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DivisionCode;
    use crate::workflow::ZoneId;

    fn set(id: &str, jurisdiction: &str) -> ClockSet {
        let shipped = include_str!("../../data/request-clocks.toml");
        let text = shipped
            .lines()
            .map(|line| {
                if line.starts_with("id =") {
                    format!("id = \"{id}\"")
                } else if line.starts_with("jurisdiction =") {
                    format!("jurisdiction = \"{jurisdiction}\"")
                } else {
                    line.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        ClockSet::parse(&text).unwrap()
    }

    fn placed(city: &str, zone: Option<&str>) -> Placement {
        let city = DivisionCode::parse(city).unwrap();
        Placement {
            province: Some(city.province()),
            city: Some(city),
            district: None,
            zone: zone.map(|z| ZoneId::parse(z).unwrap()),
        }
    }

    #[test]
    fn the_most_specific_set_covering_the_enterprise_wins() {
        let book = ClockBook::new(vec![
            set("liaoning", "210000"),
            set("shenyang", "210100"),
            set("hunnan", "zone:shenyang-hunnan"),
        ])
        .unwrap();
        assert_eq!(
            book.for_placement(&placed("210100", None)).unwrap().id(),
            "shenyang"
        );
        assert_eq!(
            book.for_placement(&placed("210100", Some("shenyang-hunnan")))
                .unwrap()
                .id(),
            "hunnan"
        );
        // Dalian has no set of its own: Liaoning's.
        assert_eq!(
            book.for_placement(&placed("210200", None)).unwrap().id(),
            "liaoning"
        );
        assert_eq!(
            book.for_placement(&placed("440300", None)).unwrap().id(),
            "national"
        );
        assert_eq!(
            book.for_placement(&Placement::default()).unwrap().id(),
            "national"
        );
        assert_eq!(book.sets().len(), 4);
    }

    #[test]
    fn two_sets_for_one_jurisdiction_or_an_unknown_one_are_refused() {
        let twice = ClockBook::new(vec![set("a", "210100"), set("b", "210100")]).unwrap_err();
        assert!(twice.to_string().contains("'a' and 'b'"), "{twice}");
        let unknown = ClockBook::new(vec![set("x", "999999")]).unwrap_err();
        assert!(unknown.to_string().contains("clock set 'x'"), "{unknown}");
    }

    #[test]
    fn a_set_for_the_nation_replaces_the_shipped_one() {
        let book = ClockBook::new(vec![set("ours", "CN")]).unwrap();
        assert_eq!(
            book.for_placement(&placed("440300", None)).unwrap().id(),
            "ours"
        );
        assert_eq!(book.sets().len(), 1);
    }
}
