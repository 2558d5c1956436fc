//! Progress bars on a terminal; silence when stderr is not one.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Drives one byte-counting bar per file being read.
#[derive(Debug, Default)]
pub struct FileProgress {
    bar: Option<ProgressBar>,
    enabled: bool,
}

/// Files smaller than this read too fast for a bar to help.
const MIN_BYTES_FOR_BAR: u64 = 4 * 1024 * 1024;

impl FileProgress {
    pub fn new() -> Self {
        Self {
            bar: None,
            enabled: std::io::stderr().is_terminal(),
        }
    }
}

impl hatchery_interchange::Progress for FileProgress {
    fn file_started(&mut self, file: &str, bytes: u64) {
        if !self.enabled || bytes < MIN_BYTES_FOR_BAR {
            return;
        }
        let bar = ProgressBar::new(bytes);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>16} [{bar:40.cyan/blue}] {binary_bytes}/{binary_total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(file.to_owned());
        self.bar = Some(bar);
    }

    fn advanced(&mut self, position: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(position);
        }
    }

    fn file_finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A spinner for a step of unknown length (loading, writing), shown on a terminal only.
pub fn spinner(message: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}
