//! External links → findings: each distinct `http(s)` URL is fetched once, several at a
//! time, with a timeout; URLs under a skipped prefix are never fetched. A page that is
//! gone (404, 410) is an error; anything that may pass (a timeout, a refused connection,
//! a server error, a site that turns robots away) is a warning.

use super::Severity;
use crate::basics::error::Diagnostic;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// How to fetch external links.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// URL prefixes never fetched (sites that block robots, or are known to be slow).
    pub skip: Vec<String>,
    /// Longest wait for one URL, connection to last byte of the headers.
    pub timeout: Duration,
    /// URLs fetched at once.
    pub concurrency: usize,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            skip: Vec::new(),
            timeout: Duration::from_secs(10),
            concurrency: 8,
        }
    }
}

/// Where a link is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
}

/// External URL → the places it is written.
pub type Uses = BTreeMap<String, Vec<Place>>;

/// What fetching a URL showed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Fine,
    Gone(String),
    Doubtful(String),
}

/// Fetches every URL not skipped; returns a finding for each place of each failing URL.
pub fn check(uses: &Uses, opts: &ExternalOptions) -> Vec<(Severity, Diagnostic)> {
    let urls: Vec<&String> = uses
        .keys()
        .filter(|u| !opts.skip.iter().any(|s| u.starts_with(s.as_str())))
        .collect();
    let outcomes = fetch_all(&urls, opts);
    let mut found = Vec::new();
    for (url, outcome) in urls.iter().zip(outcomes) {
        let (severity, why) = match outcome {
            Outcome::Fine => continue,
            Outcome::Gone(why) => (Severity::Error, why),
            Outcome::Doubtful(why) => (Severity::Warning, why),
        };
        for place in &uses[*url] {
            found.push((
                severity,
                Diagnostic {
                    path: place.path.clone(),
                    line: Some(place.line),
                    col: Some(place.col),
                    message: format!("external link `{url}`: {why}"),
                },
            ));
        }
    }
    found
}

/// Fetches on a pool of its own: the work is waiting on the network, not on the cores.
fn fetch_all(urls: &[&String], opts: &ExternalOptions) -> Vec<Outcome> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("warraq-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let fetch = |url: &&String| fetch(&agent, url, opts.timeout);
    match rayon::ThreadPoolBuilder::new()
        .num_threads(opts.concurrency.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| urls.par_iter().map(fetch).collect()),
        Err(_) => urls.iter().map(fetch).collect(),
    }
}

/// `HEAD` first; servers that refuse it (or answer it wrongly) get a `GET`, whose body is
/// not read.
fn fetch(agent: &ureq::Agent, url: &str, timeout: Duration) -> Outcome {
    let head = outcome(agent.head(url).call(), timeout);
    match head {
        Outcome::Fine => Outcome::Fine,
        _ => outcome(agent.get(url).call(), timeout),
    }
}

fn outcome(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    timeout: Duration,
) -> Outcome {
    match result {
        Ok(r) => {
            let status = r.status();
            let code = status.as_u16();
            let text = format!("{code} {}", status.canonical_reason().unwrap_or(""));
            let text = text.trim_end().to_owned();
            match code {
                200..=399 => Outcome::Fine,
                404 | 410 => Outcome::Gone(format!("{text}: the page is gone")),
                _ => Outcome::Doubtful(text),
            }
        }
        Err(ureq::Error::Timeout(_)) => {
            Outcome::Doubtful(format!("no answer within {} s", timeout.as_secs_f32()))
        }
        Err(ureq::Error::HostNotFound) => Outcome::Doubtful("host not found".to_owned()),
        Err(e) => Outcome::Doubtful(e.to_string()),
    }
}
