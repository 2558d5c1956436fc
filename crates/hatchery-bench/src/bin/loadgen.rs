//! `hatchery-loadgen`: a closed-loop load generator for the tier look-up
//! (`GET /api/enterprises/{id}/tier`) of a running `hatchery serve`.
//!
//! Exactly `--connections` HTTP/1.1 keep-alive connections are opened; each
//! sends its next request as soon as the previous answer has been read in
//! full, for random enterprise ids read from a dataset's `enterprises.csv`.
//! Requests during the warm-up are sent but not recorded; the run then lasts
//! `--duration` and stops by itself. Latencies go into an HDR histogram
//! (microseconds, three significant digits). A non-2xx answer, a transport
//! error or a request over `--timeout` counts as an error; errors are counted
//! by cause and reported, and are not part of the latency figures.
//!
//! The last line of standard output is machine-readable:
//! `loadgen requests=N rps=R p50_ms=A p99_ms=B max_ms=C errors=E`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::net::TcpStream;

/// Closed-loop load on Hatchery's tier look-up with reasons.
#[derive(Debug, Parser)]
#[command(name = "hatchery-loadgen", version, about)]
struct Args {
    /// The server, `http://HOST:PORT` (plain HTTP, an IP address; loopback only
    /// unless --allow-remote).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// An API token (`POST /api/tokens`), sent as `Authorization: Bearer TOKEN`.
    #[arg(long, env = "HATCHERY_TOKEN", hide_env_values = true)]
    token: String,
    /// The dataset's `enterprises.csv`: ids are drawn uniformly from its `id` column.
    #[arg(long)]
    ids: PathBuf,
    /// Concurrent connections, each with one request in flight at a time.
    #[arg(long, short = 'c', default_value_t = 64)]
    connections: usize,
    /// Measured time, in seconds (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Unmeasured time first, in seconds.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// The as-of day of every look-up.
    #[arg(long, default_value = "2023-12-31")]
    as_of: String,
    /// The rule set of every look-up.
    #[arg(long, default_value = "gei")]
    rules: String,
    /// A request slower than this many seconds is abandoned and counts as an error.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Seed of the id draws (each connection derives its own stream).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Permit a non-loopback address (a test host of your own only).
    #[arg(long)]
    allow_remote: bool,
}

/// What one connection saw during the measured window.
struct Tally {
    latency: Histogram<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

impl Tally {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            // 1 µs to 10 min, three significant digits.
            latency: Histogram::new_with_bounds(1, 600_000_000, 3)?,
            ok: 0,
            errors: BTreeMap::new(),
        })
    }

    fn error(&mut self, cause: impl Into<String>) {
        *self.errors.entry(cause.into()).or_default() += 1;
    }
}

/// Where the requests go.
struct Target {
    addr: SocketAddr,
    host: String,
    token: String,
    query: String,
    ids: Vec<String>,
    timeout: Duration,
}

impl Target {
    fn request(&self, rng: &mut SmallRng) -> anyhow::Result<Request<Empty<Bytes>>> {
        let id = &self.ids[rng.random_range(0..self.ids.len())];
        let uri = format!("/api/enterprises/{}/tier?{}", encode(id), self.query);
        Ok(Request::get(uri)
            .header(hyper::header::HOST, &self.host)
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", self.token),
            )
            .header(hyper::header::ACCEPT, "application/json")
            .body(Empty::new())?)
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn read_ids(path: &PathBuf) -> anyhow::Result<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = headers
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == "id")
        .with_context(|| format!("{} has no `id` column", path.display()))?;
    let mut ids = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot read {}", path.display()))?;
        if let Some(id) = record.get(column).filter(|id| !id.is_empty()) {
            ids.push(id.to_owned());
        }
    }
    if ids.is_empty() {
        bail!("{} holds no enterprise ids", path.display());
    }
    Ok(ids)
}

fn parse_url(url: &str) -> anyhow::Result<(SocketAddr, String)> {
    let rest = url
        .strip_prefix("http://")
        .context("--url must start with http:// (plain HTTP)")?;
    let authority = rest.split('/').next().unwrap_or_default();
    let addr: SocketAddr = authority
        .parse()
        .with_context(|| format!("--url needs an IP address and port, found '{authority}'"))?;
    Ok((addr, authority.to_owned()))
}

/// One connection's closed loop until `end`; records answers started at or
/// after `measure_from`.
async fn connection(
    target: Arc<Target>,
    seed: u64,
    measure_from: Instant,
    end: Instant,
) -> anyhow::Result<Tally> {
    let mut tally = Tally::new()?;
    let mut rng = SmallRng::seed_from_u64(seed);
    'connect: while Instant::now() < end {
        let started = Instant::now();
        let stream =
            match tokio::time::timeout(target.timeout, TcpStream::connect(target.addr)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    if started >= measure_from {
                        tally.error(format!("connect: {}", e.kind()));
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(_) => {
                    if started >= measure_from {
                        tally.error("connect: timeout");
                    }
                    continue;
                }
            };
        stream.set_nodelay(true)?;
        let (mut sender, conn) = match http1::handshake(TokioIo::new(stream)).await {
            Ok(pair) => pair,
            Err(e) => {
                if started >= measure_from {
                    tally.error(format!("handshake: {e}"));
                }
                continue;
            }
        };
        let driver = tokio::spawn(async move {
            // The connection ends when the sender is dropped or the server closes it.
            let _ = conn.await;
        });
        while Instant::now() < end {
            let request = target.request(&mut rng)?;
            let started = Instant::now();
            let measured = started >= measure_from;
            let exchange = async {
                sender.ready().await?;
                let response = sender.send_request(request).await?;
                let status = response.status();
                // Read the body in full: the answer is not served until it is.
                response.into_body().collect().await?;
                Ok::<StatusCode, hyper::Error>(status)
            };
            match tokio::time::timeout(target.timeout, exchange).await {
                Ok(Ok(status)) => {
                    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                    if measured && Instant::now() <= end {
                        if status.is_success() {
                            tally.ok += 1;
                            tally.latency.saturating_record(micros.max(1));
                        } else {
                            tally.error(format!("HTTP {}", status.as_u16()));
                        }
                    }
                }
                Ok(Err(e)) => {
                    if measured {
                        tally.error(format!("transport: {e}"));
                    }
                    driver.abort();
                    continue 'connect;
                }
                Err(_) => {
                    if measured {
                        tally.error("timeout");
                    }
                    driver.abort();
                    continue 'connect;
                }
            }
        }
        drop(sender);
        driver.abort();
    }
    Ok(tally)
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.connections == 0 {
        bail!("--connections must be at least 1");
    }
    if !(args.duration > 0.0 && args.duration <= 3600.0) {
        bail!("--duration must be in (0, 3600] seconds");
    }
    if !(args.warmup >= 0.0 && args.warmup <= 600.0) {
        bail!("--warmup must be in [0, 600] seconds");
    }
    if !(args.timeout > 0.0 && args.timeout <= 600.0) {
        bail!("--timeout must be in (0, 600] seconds");
    }
    let (addr, host) = parse_url(&args.url)?;
    if !addr.ip().is_loopback() && !args.allow_remote {
        bail!("{addr} is not a loopback address; pass --allow-remote for a test host of your own");
    }
    let ids = read_ids(&args.ids)?;
    let target = Arc::new(Target {
        addr,
        host,
        token: args.token.clone(),
        query: format!(
            "as_of={}&rules={}",
            encode(&args.as_of),
            encode(&args.rules)
        ),
        ids,
        timeout: Duration::from_secs_f64(args.timeout),
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (tally, measured) = runtime.block_on(async {
        let start = Instant::now();
        let measure_from = start + Duration::from_secs_f64(args.warmup);
        let end = measure_from + Duration::from_secs_f64(args.duration);
        let tasks: Vec<_> = (0..args.connections)
            .map(|i| {
                let seed = args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64;
                tokio::spawn(connection(Arc::clone(&target), seed, measure_from, end))
            })
            .collect();
        let mut total = Tally::new()?;
        for task in tasks {
            let tally = task.await.context("a connection task failed")??;
            total.latency.add(&tally.latency)?;
            total.ok += tally.ok;
            for (cause, n) in tally.errors {
                *total.errors.entry(cause).or_default() += n;
            }
        }
        let measured = Instant::now()
            .min(end)
            .saturating_duration_since(measure_from);
        anyhow::Ok((total, measured))
    })?;

    let errors: u64 = tally.errors.values().sum();
    let seconds = measured.as_secs_f64().max(f64::EPSILON);
    let rps = tally.ok as f64 / seconds;
    let (p50, p99, max) = if tally.ok > 0 {
        (
            ms(tally.latency.value_at_quantile(0.50)),
            ms(tally.latency.value_at_quantile(0.99)),
            ms(tally.latency.max()),
        )
    } else {
        (0.0, 0.0, 0.0)
    };
    println!(
        "GET {}/api/enterprises/{{id}}/tier?{} over {} connections, {} ids, {:.1} s warm-up, {:.1} s measured",
        args.url,
        target.query,
        args.connections,
        target.ids.len(),
        args.warmup,
        seconds
    );
    println!("  requests   {} ok, {} errors", tally.ok, errors);
    println!("  throughput {rps:.0} requests/s");
    println!(
        "  latency    p50 {p50:.3} ms, p90 {:.3} ms, p99 {p99:.3} ms, p99.9 {:.3} ms, max {max:.3} ms",
        ms(tally.latency.value_at_quantile(0.90)),
        ms(tally.latency.value_at_quantile(0.999)),
    );
    for (cause, n) in &tally.errors {
        println!("  error      {n} × {cause}");
    }
    println!(
        "loadgen requests={} rps={rps:.1} p50_ms={p50:.3} p99_ms={p99:.3} max_ms={max:.3} errors={errors}",
        tally.ok
    );
    if tally.ok == 0 {
        bail!("no request succeeded ({errors} errors)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_percent_encoded() {
        assert_eq!(encode("syn-0000001"), "syn-0000001");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
        assert_eq!(encode("深"), "%E6%B7%B1");
    }

    #[test]
    fn urls_need_an_address_and_port() {
        let (addr, host) = parse_url("http://127.0.0.1:8080").unwrap();
        assert_eq!(addr.port(), 8080);
        assert_eq!(host, "127.0.0.1:8080");
        assert!(parse_url("https://127.0.0.1:8080").is_err());
        assert!(parse_url("http://localhost:8080").is_err());
    }
}
