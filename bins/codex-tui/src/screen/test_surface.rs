//! A terminal for tests: a grid, its scrollback and a cursor, moved only the ways a
//! [`Surface`] moves it, and resized the way tmux resizes a pane: when it gets shorter, rows
//! below the cursor go first, then the top rows into the scrollback; when it gets taller,
//! rows it scrolled away come back. A test can resize it without telling the screen, as a
//! resize that lands while a frame is on its way does.

use std::io;

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Rect, Size};

use super::surface::{Surface, trimmed};
use super::wrap::str_width;

pub(crate) struct TestSurface {
    width: u16,
    rows: Vec<Vec<Cell>>,
    scrollback: Vec<Vec<Cell>>,
    /// Column and row.
    cursor: (u16, u16),
}

impl TestSurface {
    pub(crate) fn new(width: u16, height: u16) -> Self {
        Self {
            width,
            rows: (0..height).map(|_| blank(width)).collect(),
            scrollback: Vec::new(),
            cursor: (0, 0),
        }
    }

    fn height(&self) -> u16 {
        u16::try_from(self.rows.len()).unwrap_or(u16::MAX)
    }

    /// Resizes as tmux does (see the module docs); the screen is not told.
    pub(crate) fn resize(&mut self, width: u16, height: u16) {
        for row in self.rows.iter_mut().chain(self.scrollback.iter_mut()) {
            row.resize(usize::from(width), Cell::default());
        }
        self.width = width;
        let old = self.height();
        if height < old {
            let needed = old - height;
            let below = old - 1 - self.cursor.1;
            let dropped = below.min(needed);
            self.rows.truncate(usize::from(old - dropped));
            let pushed = needed - dropped;
            for row in self.rows.drain(..usize::from(pushed)) {
                self.scrollback.push(row);
            }
            self.cursor.1 -= pushed;
        } else if height > old {
            let needed = height - old;
            let pulled = needed.min(u16::try_from(self.scrollback.len()).unwrap_or(u16::MAX));
            for _ in 0..pulled {
                if let Some(row) = self.scrollback.pop() {
                    self.rows.insert(0, row);
                }
            }
            self.cursor.1 += pulled;
            while self.height() < height {
                self.rows.push(blank(width));
            }
        }
        self.cursor.0 = self.cursor.0.min(width.saturating_sub(1));
    }

    /// The scrollback, oldest row first.
    pub(crate) fn scrollback(&self) -> Buffer {
        to_buffer(&self.scrollback, self.width)
    }

    /// The screen.
    pub(crate) fn buffer(&self) -> Buffer {
        to_buffer(&self.rows, self.width)
    }

    fn line_feed(&mut self) {
        if self.cursor.1 + 1 >= self.height() {
            let top = self.rows.remove(0);
            self.scrollback.push(top);
            self.rows.push(blank(self.width));
        } else {
            self.cursor.1 += 1;
        }
    }
}

impl Surface for TestSurface {
    fn size(&mut self) -> io::Result<Size> {
        Ok(Size::new(self.width, self.height()))
    }

    fn put_row(&mut self, cells: &[Cell]) -> io::Result<()> {
        self.cursor.0 = 0;
        let mut skip = 0usize;
        for cell in trimmed(cells) {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if self.cursor.0 >= self.width {
                // Autowrap, as a terminal does with a row wider than itself.
                self.cursor.0 = 0;
                self.line_feed();
            }
            let (x, y) = (usize::from(self.cursor.0), usize::from(self.cursor.1));
            self.rows[y][x] = cell.clone();
            let width = u16::try_from(str_width(cell.symbol()).max(1)).unwrap_or(1);
            skip = usize::from(width - 1);
            self.cursor.0 += width;
        }
        let (x, y) = (usize::from(self.cursor.0), usize::from(self.cursor.1));
        for cell in self.rows[y].iter_mut().skip(x) {
            *cell = Cell::default();
        }
        Ok(())
    }

    fn next_row(&mut self) -> io::Result<()> {
        self.cursor.0 = 0;
        self.line_feed();
        Ok(())
    }

    fn rows_up(&mut self, n: u16) -> io::Result<()> {
        self.cursor = (0, self.cursor.1.saturating_sub(n));
        Ok(())
    }

    fn clear_to_end(&mut self) -> io::Result<()> {
        self.cursor.0 = 0;
        for row in self.rows.iter_mut().skip(usize::from(self.cursor.1)) {
            *row = blank(self.width);
        }
        Ok(())
    }

    fn show_cursor(&mut self, _shown: bool) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn blank(width: u16) -> Vec<Cell> {
    vec![Cell::default(); usize::from(width)]
}

fn to_buffer(rows: &[Vec<Cell>], width: u16) -> Buffer {
    let height = u16::try_from(rows.len()).unwrap_or(u16::MAX);
    let mut buffer = Buffer::empty(Rect::new(0, 0, width, height));
    buffer.content = rows.iter().flatten().cloned().collect();
    buffer
}
