//! Every industry, zone and tag key that the demo store or `hatchery
//! generate` holds has a name in both languages, so no report shows a bare
//! key: the demo's illustrative enterprises and its CB Insights list (read
//! through the real list importer and its profile), and a generated
//! national dataset.

use std::collections::BTreeSet;
use std::path::PathBuf;

use hatchery_lists::{ListOptions, Profile, read_list};
use hatchery_report::{KeyKind, Lang, key_name};
use hatchery_synth::{GeneratorConfig, generate};
use jiff::civil::date;

fn demo(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../hatchery-cli/demo")).join(path)
}

/// The keys met, per kind, with where each was met.
#[derive(Default)]
struct Met(BTreeSet<(&'static str, String, &'static str)>);

impl Met {
    fn add(&mut self, kind: &'static str, key: &str, from: &'static str) {
        self.0.insert((kind, key.to_owned(), from));
    }

    #[track_caller]
    fn assert_named(&self) {
        let missing: Vec<String> = self
            .0
            .iter()
            .filter(|(kind, key, _)| {
                let kind = match *kind {
                    "industry" => KeyKind::Industry,
                    "zone" => KeyKind::Zone,
                    _ => KeyKind::Tag,
                };
                [Lang::Zh, Lang::En]
                    .iter()
                    .any(|&lang| key_name(kind, key, lang).is_none())
            })
            .map(|(kind, key, from)| format!("{kind} '{key}' (in {from})"))
            .collect();
        assert!(
            missing.is_empty(),
            "no name in data/names.toml: {missing:?}"
        );
    }
}

#[test]
fn every_key_of_the_demo_has_a_name() {
    let mut met = Met::default();
    let from = "demo/extras/enterprises.csv";
    let mut extras = csv::Reader::from_path(demo("extras/enterprises.csv")).unwrap();
    let header = extras.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (zone, industries, tags) = (column("zone"), column("industries"), column("tags"));
    for row in extras.records() {
        let row = row.unwrap();
        for (kind, at) in [("zone", zone), ("industry", industries), ("tag", tags)] {
            for key in row[at].split(';').map(str::trim).filter(|k| !k.is_empty()) {
                met.add(kind, key, from);
            }
        }
    }

    let profile = Profile::load("cbinsights-2022").unwrap();
    let options = ListOptions {
        list_date: date(2022, 2, 24),
        source: None,
        skip_invalid: None,
        dry_run: true,
        now: jiff::Timestamp::UNIX_EPOCH,
    };
    let list = read_list(&demo("cbinsights-2022-china.csv"), &profile, &options).unwrap();
    assert!(list.rows.len() > 100, "the demo list is read whole");
    for row in &list.rows {
        if let Some(industry) = &row.industry {
            met.add("industry", industry, "demo/cbinsights-2022-china.csv");
        }
    }
    assert!(met.0.len() > 20, "the demo holds many keys");
    met.assert_named();
}

#[test]
fn every_key_of_generated_data_has_a_name() {
    let mut met = Met::default();
    for generated in generate(&GeneratorConfig::new(20_000, 2024)).unwrap() {
        let e = generated.enterprise;
        if let Some(zone) = &e.zone {
            met.add("zone", zone, "hatchery generate");
        }
        for industry in &e.industries {
            met.add("industry", industry, "hatchery generate");
        }
        for tag in &e.tags {
            met.add("tag", tag, "hatchery generate");
        }
    }
    assert!(met.0.len() > 40, "a national dataset holds many keys");
    met.assert_named();
}
