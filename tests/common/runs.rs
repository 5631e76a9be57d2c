//! How the property tests (`tests/properties.rs`, `tests/incremental.rs`) choose their
//! cases, included in each with `#[path]`.

use proptest::prelude::ProptestConfig;
use proptest::test_runner::RngSeed;

/// `cargo test` runs a fixed, seeded sample of `cases` so that a test run is
/// reproducible (a red run can be replayed, a green one stays green); asking for a case
/// count (`PROPTEST_CASES=100000`) is a search for new failures and draws fresh random
/// input. Failures found that way belong in the test's `.proptest-regressions` file,
/// replayed first.
pub fn config_for_run(cases: u32, seed: u64) -> ProptestConfig {
    let asked: Option<u32> = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok());
    ProptestConfig {
        cases: asked.unwrap_or(cases),
        rng_seed: match asked {
            Some(_) => RngSeed::Random,
            None => RngSeed::Fixed(seed),
        },
        ..ProptestConfig::default()
    }
}
