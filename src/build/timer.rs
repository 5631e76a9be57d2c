//! Each stage's time and memory, printed when `WARRAQ_TIMINGS` is set (for profiling).

use std::time::{Duration, Instant};

/// Prints how long each stage took when `WARRAQ_TIMINGS` is set (for profiling).
pub(crate) struct StageTimer {
    on: bool,
    last: Instant,
    /// The process's CPU time (user + system) at `last`.
    last_cpu: Duration,
}

impl StageTimer {
    pub(crate) fn new() -> Self {
        let on = std::env::var_os("WARRAQ_TIMINGS").is_some();
        StageTimer {
            on,
            last: Instant::now(),
            last_cpu: if on { cpu_time() } else { Duration::ZERO },
        }
    }

    pub(crate) fn stage(&mut self, name: &str) {
        if self.on {
            // Resident and peak memory so far, from Linux's /proc (blank elsewhere).
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |k: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(k))
                    .map_or("", |l| l[k.len()..].trim())
                    .to_owned()
            };
            let cpu = cpu_time();
            eprintln!(
                "{name:>16}: {:>6} ms   cpu {:>6} ms   rss {:>12}   peak {:>12}",
                self.last.elapsed().as_millis(),
                cpu.saturating_sub(self.last_cpu).as_millis(),
                field("VmRSS:"),
                field("VmHWM:")
            );
            self.last_cpu = cpu;
        }
        self.last = Instant::now();
    }
}

/// User and system CPU time of the whole process so far (all threads).
fn cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        t.tv_sec.max(0) as u64,
        t.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}
