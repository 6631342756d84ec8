//! The progress bar on stderr for history scans (`history`, `ci`): a spinner
//! while the history is walked, then a bar over the blobs with bytes, rate
//! and ETA. It only displays what the pipeline reports through
//! [`HistoryProgress`]; when disabled (`--no-progress`, `--quiet`, stderr
//! not a terminal) it draws nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::pipeline::history::HistoryProgress;

/// The spinner while walking, then the bar while scanning, if shown.
pub(super) struct ProgressBars {
    spinner: Mutex<Option<ProgressBar>>,
    /// Set once, when scanning starts: blobs read it without a lock.
    bar: OnceLock<ProgressBar>,
    bytes: Arc<AtomicU64>,
}

impl ProgressBars {
    /// A spinner for the walk when `enabled`; nothing otherwise.
    pub(super) fn new(enabled: bool) -> ProgressBars {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} {pos} commits").expect("valid template"));
            bar.set_message("reading history:");
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        ProgressBars { spinner: Mutex::new(bar), bar: OnceLock::new(), bytes: Arc::default() }
    }

    fn spinner(&self) -> MutexGuard<'_, Option<ProgressBar>> {
        self.spinner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl HistoryProgress for ProgressBars {
    fn walking(&self, phase: &'static str, n: usize) {
        if let Some(bar) = &*self.spinner() {
            bar.set_message(if phase == "loaded" { "reading history:" } else { "walking trees:" });
            bar.set_position(n as u64);
        }
    }

    fn scanning(&self, blobs: usize) {
        let Some(old) = self.spinner().take() else { return };
        old.finish_and_clear();
        let (done, rate) = (self.bytes.clone(), self.bytes.clone());
        let style = ProgressStyle::with_template("scanning {pos}/{len} blobs, {done} ({rate}), ETA {eta} [{wide_bar}]")
            .expect("valid template")
            .progress_chars("=> ")
            .with_key("done", move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}", HumanBytes(done.load(Ordering::Relaxed)));
            })
            .with_key("rate", move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let secs = s.elapsed().as_secs_f64().max(0.001);
                let _ = write!(w, "{}/s", HumanBytes((rate.load(Ordering::Relaxed) as f64 / secs) as u64));
            });
        let bar = ProgressBar::with_draw_target(Some(blobs as u64), ProgressDrawTarget::stderr());
        bar.set_style(style);
        let _ = self.bar.set(bar);
    }

    fn blob_done(&self, bytes: u64) {
        if let Some(bar) = self.bar.get() {
            self.bytes.fetch_add(bytes, Ordering::Relaxed);
            bar.inc(1);
        }
    }

    fn finished(&self) {
        if let Some(bar) = self.spinner().take() {
            bar.finish_and_clear();
        }
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
