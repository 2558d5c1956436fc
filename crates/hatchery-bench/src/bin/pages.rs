//! `hatchery-pages`: every web page's response time and the first load's
//! weight, against a running server (e.g. `hatchery demo --enterprises
//! 1000000`, which serves a national-scale ledger with its living workflow).
//!
//! For each account it signs in, then walks the pages its navigation and
//! their links reach (two clicks deep), one URL per page kind (`/requests/17`
//! and `/requests/18` are one kind), and requests each `--samples` times in
//! a row: the first request (which may build what the page reads) and the
//! median and 95th percentile of the rest. Downloads (CSV, XLSX, Markdown,
//! JSON) and the language switch are not pages and are not walked.
//!
//! The named baseline, measured in the same run as the ministry's account,
//! is `directory_new_day`: the directory on a new as-of day each request,
//! so the request decides every enterprise's tier itself (what every
//! directory request did before the directory index). Each page's ratio is
//! the baseline's median over the page's median.
//!
//! The first load's weight is each account's dashboard plus every
//! stylesheet and script it links, uncompressed, with and without ECharts
//! (which only pages that draw a chart load).
//!
//! Times are measured at the client on the loopback interface, so they are
//! the server's time plus well under a millisecond.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Times every web page of a running Hatchery server")]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    base: String,
    /// The accounts to walk the pages as (the first is the baseline's).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "demo.ministry,demo.admin,demo.guangdong,demo.shenzhen,demo.zone,demo.enterprise,demo.investor,demo.analyst,demo.auditor"
    )]
    accounts: Vec<String>,
    /// Every account's password.
    #[arg(long, default_value = "hatchery demo 2025")]
    password: String,
    /// Requests per page.
    #[arg(long, default_value_t = 11)]
    samples: usize,
    /// At most this many page kinds per account.
    #[arg(long, default_value_t = 80)]
    most: usize,
}

/// One page kind's timings.
struct Timing {
    account: String,
    kind: String,
    url: String,
    status: u16,
    first: Duration,
    median: Duration,
    p95: Duration,
    bytes: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let base = args.base.trim_end_matches('/').to_owned();
    let first = args.accounts.first().context("at least one account")?;
    let baseline = {
        let client = signed_in(&base, first, &args.password).await?;
        directory_new_day(&client, &base, args.samples).await?
    };
    let mut timings = Vec::new();
    let mut weights = Vec::new();
    for account in &args.accounts {
        let client = signed_in(&base, account, &args.password).await?;
        weights.push((account.clone(), first_load(&client, &base).await?));
        for (kind, url) in walk(&client, &base, args.most).await? {
            timings.push(time_page(&client, &base, account, kind, url, args.samples).await?);
        }
    }
    print_report(&baseline, &timings, &weights, args.samples);
    Ok(())
}

/// A client signed in as `username` (the session cookie kept).
async fn signed_in(base: &str, username: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()?;
    let response = client
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("{username} could not sign in: {}", response.status());
    }
    Ok(client)
}

/// One GET, timed, with its status and body.
async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<(Duration, u16, Vec<u8>)> {
    let started = Instant::now();
    let response = client.get(url).send().await?;
    let status = response.status().as_u16();
    let body = response.bytes().await?.to_vec();
    Ok((started.elapsed(), status, body))
}

/// The baseline: the directory on a new as-of day each request.
async fn directory_new_day(
    client: &reqwest::Client,
    base: &str,
    samples: usize,
) -> anyhow::Result<Duration> {
    let start = jiff::civil::date(2019, 1, 1);
    let mut times = Vec::new();
    for day in 0..samples {
        let as_of = start.checked_add(jiff::Span::new().days(i64::try_from(day)?))?;
        let (took, status, _) = fetch(client, &format!("{base}/enterprises?as_of={as_of}")).await?;
        if status != 200 {
            bail!("the baseline's directory answered {status}");
        }
        times.push(took);
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// The page kind of a path: every segment holding a digit, or following
/// `enterprises`, `rulesets`, `menus`… as an identifier, is `{id}`.
fn kind_of(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut kind = Vec::new();
    let mut previous = "";
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let names_a_thing = matches!(previous, "enterprises" | "rulesets" | "accounts");
        let known = matches!(
            segment,
            "new"
                | "edit"
                | "figures"
                | "compare"
                | "proposals"
                | "providers"
                | "contacts"
                | "matches"
                | "menus"
                | "packages"
                | "objections"
                | "audit"
                | "import"
        );
        if !known && (names_a_thing || segment.chars().any(|c| c.is_ascii_digit())) {
            kind.push("{id}");
        } else {
            kind.push(segment);
        }
        previous = segment;
    }
    format!("/{}", kind.join("/"))
}

/// Whether a link is a page to walk (not a download, an asset, an action
/// or the language switch).
fn is_page(path: &str) -> bool {
    let bare = path.split(['?', '#']).next().unwrap_or(path);
    path.starts_with('/')
        && !path.starts_with("//")
        && !bare.starts_with("/static/")
        && !bare.starts_with("/api/")
        && !bare.starts_with("/lang/")
        && bare != "/signout"
        && !bare.contains("/evidence/")
        && ![".csv", ".xlsx", ".md", ".json", ".html", ".pdf", ".png"]
            .iter()
            .any(|ext| bare.ends_with(ext))
}

/// The `href`s of a page, unescaped as far as pages write them.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        found.push(rest[..end].replace("&amp;", "&"));
        rest = &rest[end..];
    }
    found
}

/// The pages reachable from the dashboard within two clicks, one URL per
/// kind, in the order found.
async fn walk(
    client: &reqwest::Client,
    base: &str,
    most: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut kinds = BTreeMap::new();
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([("/".to_owned(), 0)]);
    while let Some((path, depth)) = queue.pop_front() {
        let kind = kind_of(&path);
        if kinds.contains_key(&kind) || order.len() >= most {
            continue;
        }
        let (_, status, body) = fetch(client, &format!("{base}{path}")).await?;
        if status != 200 {
            continue;
        }
        kinds.insert(kind.clone(), path.clone());
        order.push((kind, path));
        if depth == 2 {
            continue;
        }
        for link in links(&String::from_utf8_lossy(&body)) {
            if is_page(&link) && seen.insert(link.clone()) {
                queue.push_back((link, depth + 1));
            }
        }
    }
    Ok(order)
}

async fn time_page(
    client: &reqwest::Client,
    base: &str,
    account: &str,
    kind: String,
    url: String,
    samples: usize,
) -> anyhow::Result<Timing> {
    let mut times = Vec::new();
    let mut status = 0;
    let mut bytes = 0;
    for _ in 0..samples.max(2) {
        let (took, answered, body) = fetch(client, &format!("{base}{url}")).await?;
        status = answered;
        bytes = body.len();
        times.push(took);
    }
    let first = times.remove(0);
    times.sort();
    let p95 = times[((times.len() * 95).div_ceil(100)).saturating_sub(1)];
    Ok(Timing {
        account: account.to_owned(),
        kind,
        url,
        status,
        first,
        median: times[times.len() / 2],
        p95,
        bytes,
    })
}

/// The dashboard's weight with what it links: (without ECharts, with it).
async fn first_load(client: &reqwest::Client, base: &str) -> anyhow::Result<(usize, usize)> {
    let (_, status, html) = fetch(client, &format!("{base}/")).await?;
    if status != 200 {
        return Err(anyhow!("the dashboard answered {status}"));
    }
    let text = String::from_utf8_lossy(&html).into_owned();
    let mut assets = BTreeSet::new();
    for marker in ["href=\"/static/", "src=\"/static/"] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len() - "/static/".len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            assets.insert(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    let mut without = html.len();
    let mut charts = 0;
    for asset in assets {
        let (_, _, body) = fetch(client, &format!("{base}{asset}")).await?;
        if asset.contains("echarts") {
            charts += body.len();
        } else {
            without += body.len();
        }
    }
    Ok((without, without + charts))
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn print_report(
    baseline: &Duration,
    timings: &[Timing],
    weights: &[(String, (usize, usize))],
    samples: usize,
) {
    println!(
        "baseline `directory_new_day` (median of {samples}): {} ms\n",
        ms(*baseline)
    );
    println!("| account | page | status | first ms | median ms | p95 ms | ratio | KB |");
    println!("|---|---|---|---|---|---|---|---|");
    for t in timings {
        let ratio = baseline.as_secs_f64() / t.median.as_secs_f64().max(1e-6);
        println!(
            "| {} | `{}` | {} | {} | {} | {} | {:.0}× | {:.1} |",
            t.account,
            t.kind,
            t.status,
            ms(t.first),
            ms(t.median),
            ms(t.p95),
            ratio,
            t.bytes as f64 / 1024.0
        );
    }
    let slowest = timings.iter().max_by_key(|t| t.median);
    if let Some(t) = slowest {
        println!(
            "\nslowest median: {} as {} ({}) {} ms",
            t.kind,
            t.account,
            t.url,
            ms(t.median)
        );
    }
    if let Some(t) = timings.iter().max_by_key(|t| t.first) {
        println!(
            "slowest first request: {} as {} ({}) {} ms",
            t.kind,
            t.account,
            t.url,
            ms(t.first)
        );
    }
    println!("\n| account | first load KB (no ECharts) | with ECharts KB |");
    println!("|---|---|---|");
    for (account, (without, with)) in weights {
        println!(
            "| {account} | {:.1} | {:.1} |",
            *without as f64 / 1024.0,
            *with as f64 / 1024.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_one_kind_share_it() {
        assert_eq!(kind_of("/requests/17"), "/requests/{id}");
        assert_eq!(kind_of("/requests/18?x=1"), "/requests/{id}");
        assert_eq!(kind_of("/enterprises/e-abc"), "/enterprises/{id}");
        assert_eq!(kind_of("/rulesets/gei"), "/rulesets/{id}");
        assert_eq!(kind_of("/rulesets/compare"), "/rulesets/compare");
        assert_eq!(kind_of("/requests/figures"), "/requests/figures");
        assert_eq!(kind_of("/"), "/");
    }

    #[test]
    fn downloads_and_actions_are_not_walked() {
        assert!(is_page("/enterprises?tier=unicorn"));
        assert!(!is_page("/enterprises.xlsx?tier=unicorn"));
        assert!(!is_page("/signout"));
        assert!(!is_page("/lang/en?next=%2F"));
        assert!(!is_page("https://example.org/"));
        assert!(!is_page("//example.org/"));
    }

    #[test]
    fn links_are_read_unescaped() {
        let html = r#"<a href="/a?x=1&amp;y=2">a</a> <link href="/static/s.css">"#;
        assert_eq!(links(html), ["/a?x=1&y=2", "/static/s.css"]);
    }
}
