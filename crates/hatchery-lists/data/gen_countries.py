"""Builds data/countries.csv: ISO 3166-1 alpha-2 codes with the names lists use.

Source: the keshvar crate 0.7.0 (BSD-3-Clause), itself generated from the
`countries` Ruby gem (ISO 3166 names, CLDR translations). Usage:
    python3 gen_countries.py KESHVAR_SRC_DIR > countries.csv
"""
import csv, glob, os, re, sys

src = sys.argv[1]
rows = []
for path in sorted([p for p in glob.glob(os.path.join(src, "countries", "*.rs")) if not p.endswith("mod.rs")]):
    text = open(path, encoding="utf-8").read()
    code = re.search(r'pub const ALPHA2: Alpha2 = Alpha2::(\w\w);', text).group(1)
    alpha3 = re.search(r'pub const ALPHA3: Alpha3 = Alpha3::(\w{3});', text).group(1)
    short = re.search(r'pub const ISO_SHORT_NAME: &str = "(.*?)";', text).group(1)
    long_ = re.search(r'pub const ISO_LONG_NAME: &str = "(.*?)";', text).group(1)
    m = re.search(r'pub const UNOFFICIAL_NAME_LIST: &\[&str\] = &\[(.*?)\];', text, re.S)
    unofficial = re.findall(r'"(.*?)"', m.group(1)) if m else []
    m = re.search(r'pub const TRANSLATIONS: &\[\(&str, &str\)\] = &\[(.*?)\];', text, re.S)
    translations = dict(re.findall(r'\("(.*?)", "(.*?)"\)', m.group(1))) if m else {}
    names = [short, long_, translations.get("en", "")] + unofficial
    names += [translations.get(k, "") for k in ("zh", "zh_CN", "zh_HK", "zh_TW")]
    names = [n.replace("\\u{", "").strip() for n in names if n and "\\" not in n]
    rows.append((code, alpha3, short, names))

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["code", "alpha3", "name", "names"])
for code, alpha3, short, names in rows:
    seen, keep = set(), []
    for n in names:
        if n not in seen:
            seen.add(n); keep.append(n)
    w.writerow([code, alpha3, short, "|".join(keep)])
