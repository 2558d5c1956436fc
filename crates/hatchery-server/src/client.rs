//! Which address a request comes from. Behind the load balancer that
//! `docs/DEPLOY.md` prescribes every connection comes from the balancer, so
//! the client is read from `X-Forwarded-For` — but only when the connection
//! comes from a configured trusted proxy, and then the right-most address
//! that is not a trusted proxy is taken: whatever the client itself wrote
//! into the header stands to the left of what the proxies appended.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header proxies append the address they saw to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address: the peer's, or when the peer is a trusted proxy,
/// the right-most address in `X-Forwarded-For` not itself a trusted proxy.
/// `None` when the connection's peer is unknown (in-process requests).
pub fn client_address(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = canonical(peer?.ip());
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    // Several headers are one list, in order.
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.iter().rev() {
        // Something unreadable: trust nothing to its left.
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port
/// (`1.2.3.4:5678`, `[::1]:5678`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(canonical)
}

/// IPv4 addresses seen through an IPv6 socket as themselves.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(FORWARDED_FOR, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn the_header_of_an_untrusted_peer_is_ignored() {
        let forged = headers(&["203.0.113.9"]);
        assert_eq!(
            client_address(peer("198.51.100.7"), &forged, &[]),
            ip("198.51.100.7")
        );
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(peer("198.51.100.7"), &forged, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(client_address(None, &forged, &trusted), None);
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_address_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client forged the first entry; the balancer appended the real one.
        let chain = headers(&["1.1.1.1, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(
            client_address(peer("10.0.0.1"), &chain, &trusted),
            ip("203.0.113.9")
        );
        let ported = headers(&["203.0.113.9:51000"]);
        assert_eq!(
            client_address(peer("10.0.0.1"), &ported, &trusted),
            ip("203.0.113.9")
        );
        let v6 = headers(&["[2001:db8::5]:443"]);
        assert_eq!(
            client_address(peer("10.0.0.1"), &v6, &trusted),
            ip("2001:db8::5")
        );
    }

    #[test]
    fn garbage_or_an_all_trusted_chain_stops_at_the_last_good_address() {
        let trusted = nets(&["10.0.0.0/8"]);
        let garbage = headers(&["203.0.113.9, not-an-address, 10.0.0.3"]);
        assert_eq!(
            client_address(peer("10.0.0.1"), &garbage, &trusted),
            ip("10.0.0.3")
        );
        let none = HeaderMap::new();
        assert_eq!(
            client_address(peer("10.0.0.1"), &none, &trusted),
            ip("10.0.0.1")
        );
        let mapped = peer("::ffff:198.51.100.7");
        assert_eq!(client_address(mapped, &none, &[]), ip("198.51.100.7"));
    }
}
