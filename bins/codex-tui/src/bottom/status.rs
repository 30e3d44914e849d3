//! The status line while a turn works: a spinner, what is happening, the elapsed time and how
//! to interrupt.

use std::time::Instant;

use ratatui::text::{Line, Span};

use crate::cells::exec::SPINNER;
use crate::cells::styles;

/// A turn in progress.
#[derive(Debug, Clone)]
pub(crate) struct TurnStatus {
    started: Instant,
    /// `Working`, or a retry notice (`Reconnecting 1/5`).
    pub(crate) header: String,
}

impl TurnStatus {
    pub(crate) fn new() -> Self {
        Self {
            started: Instant::now(),
            header: "Working".to_owned(),
        }
    }

    /// Seconds since the turn started.
    pub(crate) fn elapsed_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// `⠋ Working (12s • esc to interrupt)`; with animations off the spinner is a still `•`.
    pub(crate) fn line(&self, spinner: Option<usize>, elapsed_secs: u64) -> Line<'static> {
        let mark = spinner.map_or("•", |i| SPINNER[i % SPINNER.len()]);
        Line::from(vec![
            Span::styled(format!("{mark} "), styles::accent()),
            Span::styled(self.header.clone(), styles::bold()),
            Span::styled(
                format!(" ({} • esc to interrupt)", elapsed(elapsed_secs)),
                styles::dim(),
            ),
        ])
    }
}

/// `45s`, `2m 05s`, `1h 02m 03s`.
pub(crate) fn elapsed(secs: u64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h {:02}m {:02}s", secs / 3600, secs / 60 % 60, secs % 60)
    }
}
