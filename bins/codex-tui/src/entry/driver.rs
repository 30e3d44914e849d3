//! Running one screen on a terminal: draw, then wait for a key, a paste, a resize or a message
//! from the screen's background work, until the screen is done. The event stream is read
//! before anything is requested from background work, so a message that arrives first is
//! drawn without waiting for a key (Codex's picker could stay blank until one).

use std::io;

use crossterm::event::{Event, EventStream};
use futures::StreamExt as _;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::UnboundedReceiver;

use super::screen::{Screen, Step, is_ctrl_c, is_press};

/// Shows `screen` until it finishes (`Some(output)`) or the user quits with Ctrl-C (`None`).
/// `messages` carries what the screen's background work reports; a closed channel is fine.
pub async fn run_screen<S, B>(
    terminal: &mut Terminal<B>,
    events: &mut EventStream,
    screen: &mut S,
    messages: &mut UnboundedReceiver<S::Message>,
) -> io::Result<Option<S::Output>>
where
    S: Screen,
    B: Backend,
    B::Error: Into<io::Error>,
{
    let mut open = true;
    loop {
        terminal
            .draw(|frame| screen.render(frame.area(), frame.buffer_mut()))
            .map_err(Into::into)?;
        let step = tokio::select! {
            event = events.next() => match event {
                None => return Ok(None),
                Some(Err(e)) => return Err(e),
                Some(Ok(Event::Key(key))) if is_press(&key) && is_ctrl_c(&key) => {
                    match screen.interrupt() {
                        Step::Done(output) => return Ok(output),
                        Step::Stay => Step::Stay,
                    }
                }
                Some(Ok(Event::Key(key))) if is_press(&key) => screen.handle_key(key),
                Some(Ok(Event::Paste(text))) => {
                    screen.paste(&text);
                    Step::Stay
                }
                Some(Ok(Event::Resize(..))) => {
                    terminal.autoresize().map_err(Into::into)?;
                    Step::Stay
                }
                Some(Ok(_)) => Step::Stay,
            },
            message = messages.recv(), if open => {
                if let Some(message) = message {
                    screen.handle_message(message)
                } else {
                    open = false;
                    Step::Stay
                }
            }
        };
        if let Step::Done(output) = step {
            return Ok(Some(output));
        }
    }
}
