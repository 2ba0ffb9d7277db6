//! Progress of long jobs (runs, sweep points): a bar on a terminal, plain
//! log lines otherwise (a batch job), nothing with `--quiet`.

use std::io::IsTerminal;
use std::time::Instant;

/// Progress of a long job: a bar on a terminal, plain log lines otherwise
/// (a batch job), nothing with `--quiet`.
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    unit: &'static str,
    quiet: bool,
    started: Instant,
}

impl Progress {
    pub(super) fn new(label: &str, total: usize, unit: &'static str, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let template = format!(
                "{{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit}, {{elapsed}} elapsed, ETA {{eta}}"
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(&template)
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(label.to_string());
            bar
        });
        Progress {
            bar,
            total,
            unit,
            quiet,
            started: Instant::now(),
        }
    }

    /// `done` of the total are finished.
    pub(super) fn update(&self, done: usize) {
        let step = self.total.div_ceil(10).max(1);
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        } else if !self.quiet && (done.is_multiple_of(step) || done == self.total) {
            eprintln!(
                "caasim: {done}/{} {} done, {:.1} s elapsed",
                self.total,
                self.unit,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    pub(super) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
