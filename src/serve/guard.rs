//! Who may talk to the dev server: the `Host` a request names (against DNS rebinding)
//! and the `Origin` of live-reload connections (against other sites' pages).

use axum::http::HeaderMap;
use std::net::IpAddr;

/// The hosts a request may name: `localhost`, loopback addresses and the bound address,
/// with the bound port. A server bound to all interfaces also answers to any IP
/// address, never to another name: a page of a hostile site that made its name point
/// here still sends its own name.
#[derive(Debug, Clone)]
pub struct Hosts {
    pub bind: IpAddr,
    pub port: u16,
}

impl Hosts {
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        let port_ok = match port {
            Some(p) => p.parse::<u16>() == Ok(self.port),
            None => self.port == 80,
        };
        if !port_ok {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bind || self.bind.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// `name:port`, `[v6]:port`, `name` → (name without brackets, port).
fn split_host(host: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']')?;
        return match after {
            "" => Some((name, None)),
            _ => Some((name, Some(after.strip_prefix(':')?))),
        };
    }
    match host.split_once(':') {
        Some((name, port)) => Some((name, Some(port))),
        None => Some((host, None)),
    }
}

/// The `Host` a request names, if it names one readable.
pub fn host_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
}

/// True when a request for live-reload events comes from a page of this server (or
/// from no page at all, like `curl`). Browsers send no `Origin` on a same-origin
/// `EventSource` and the `Origin` of the page otherwise; `Sec-Fetch-Site` says the same
/// where they send it.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin" | "none")) {
            return false;
        }
    }
    let Some(origin) = headers.get(axum::http::header::ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(host)) = (origin.to_str(), host_of(headers)) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .is_some_and(|o| o.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn local() -> Hosts {
        Hosts {
            bind: "127.0.0.1".parse().unwrap(),
            port: 1111,
        }
    }

    #[test]
    fn loopback_names_with_the_port_are_allowed() {
        for h in [
            "localhost:1111",
            "LocalHost:1111",
            "127.0.0.1:1111",
            "[::1]:1111",
        ] {
            assert!(local().allows(h), "{h}");
        }
        for h in [
            "evil.example:1111",
            "localhost.evil.example:1111",
            "localhost:2222",
            "localhost",
            "127.0.0.1",
            "10.0.0.5:1111",
            "[::1]",
            "[::1:1111",
            "",
            "localhost:1111:1111",
        ] {
            assert!(!local().allows(h), "{h}");
        }
    }

    #[test]
    fn all_interfaces_allow_addresses_not_names() {
        let any = Hosts {
            bind: "0.0.0.0".parse().unwrap(),
            port: 8080,
        };
        assert!(any.allows("192.168.1.20:8080"));
        assert!(any.allows("[fe80::1]:8080"));
        assert!(any.allows("localhost:8080"));
        assert!(!any.allows("rebind.evil.example:8080"));
        let port80 = Hosts {
            bind: "127.0.0.1".parse().unwrap(),
            port: 80,
        };
        assert!(port80.allows("localhost"));
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_origin_may_listen() {
        assert!(same_origin(&headers(&[("host", "127.0.0.1:1111")])));
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:1111"),
            ("origin", "http://127.0.0.1:1111"),
            ("sec-fetch-site", "same-origin"),
        ])));
        for bad in [
            &[
                ("host", "127.0.0.1:1111"),
                ("origin", "http://evil.example"),
            ][..],
            &[("host", "127.0.0.1:1111"), ("origin", "null")],
            &[
                ("host", "127.0.0.1:1111"),
                ("origin", "http://localhost:1111"),
            ],
            &[
                ("host", "127.0.0.1:1111"),
                ("origin", "https://127.0.0.1:1111"),
            ],
            &[("host", "127.0.0.1:1111"), ("sec-fetch-site", "cross-site")],
            &[("host", "127.0.0.1:1111"), ("sec-fetch-site", "same-site")],
        ] {
            assert!(!same_origin(&headers(bad)), "{bad:?}");
        }
    }
}
