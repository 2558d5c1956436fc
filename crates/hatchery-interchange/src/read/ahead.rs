//! Reading a file's rows on a thread of their own, ahead of the caller.
//! Splitting a CSV file into records and decoding their cells is about a
//! quarter of reading a national dataset, and checking the rows the rest:
//! on two cores the two halves run side by side.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::source::{RawRow, Rows};
use crate::problem::Problem;

/// Rows handed over at a time: few enough to keep memory small, enough to
/// make the hand-over cheap.
const BATCH_ROWS: usize = 1024;

/// Batches in flight at most; the reader waits when the caller lags.
const BATCHES_AHEAD: usize = 4;

/// What one read gave, with the position after it.
type Fetched = (Result<Option<RawRow>, Problem>, u64);

/// Runs `consume` on the rows of `rows`, read on a second thread as far as
/// [`BATCHES_AHEAD`] batches ahead. The rows, their order, their problems
/// and the positions reported are those `rows` gives by itself. When
/// `consume` stops early, the reader stops too.
pub(crate) fn read_ahead<R, T>(rows: R, file: &str, consume: impl FnOnce(&mut dyn Rows) -> T) -> T
where
    R: Rows + Send,
{
    let (sender, receiver) = sync_channel(BATCHES_AHEAD);
    std::thread::scope(|scope| {
        scope.spawn(move || produce(rows, &sender));
        let mut ahead = Ahead {
            file,
            batches: receiver,
            current: Vec::new().into_iter(),
            position: 0,
        };
        // `ahead` (and the receiver) is dropped before the scope joins the
        // reader, so a reader blocked on a full channel wakes up and stops.
        consume(&mut ahead)
    })
}

fn produce<R: Rows>(mut rows: R, sender: &SyncSender<Vec<Fetched>>) {
    loop {
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        let mut ended = false;
        while batch.len() < BATCH_ROWS && !ended {
            let row = rows.next_row();
            ended = !matches!(row, Ok(Some(_)));
            batch.push((row, rows.position()));
        }
        if sender.send(batch).is_err() || ended {
            return;
        }
    }
}

struct Ahead<'a> {
    file: &'a str,
    batches: Receiver<Vec<Fetched>>,
    current: std::vec::IntoIter<Fetched>,
    position: u64,
}

impl Rows for Ahead<'_> {
    fn next_row(&mut self) -> Result<Option<RawRow>, Problem> {
        loop {
            if let Some((row, position)) = self.current.next() {
                self.position = position;
                return row;
            }
            match self.batches.recv() {
                Ok(batch) => self.current = batch.into_iter(),
                // The reader ends with the end of the file or a problem,
                // which the caller stops at; gone before that, it panicked.
                Err(_) => {
                    return Err(Problem::file(
                        self.file,
                        "the file's reader stopped unexpectedly",
                    ));
                }
            }
        }
    }

    fn position(&self) -> u64 {
        self.position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows numbered 1..=n, then optionally a problem.
    struct Numbered {
        next: u64,
        last: u64,
        fail_at_end: bool,
    }

    impl Rows for Numbered {
        fn next_row(&mut self) -> Result<Option<RawRow>, Problem> {
            if self.next > self.last {
                return if self.fail_at_end {
                    Err(Problem::line("f.csv", self.next, "broken"))
                } else {
                    Ok(None)
                };
            }
            let line = self.next;
            self.next += 1;
            Ok(Some(RawRow {
                line,
                cells: vec![Ok(line.to_string())],
            }))
        }

        fn position(&self) -> u64 {
            self.next * 10
        }
    }

    fn numbered(last: u64, fail_at_end: bool) -> Numbered {
        Numbered {
            next: 1,
            last,
            fail_at_end,
        }
    }

    /// Every row with the position after it, then how the rows ended.
    fn drain(rows: &mut dyn Rows) -> (Vec<(u64, u64)>, Result<(), Problem>) {
        let mut seen = Vec::new();
        loop {
            match rows.next_row() {
                Ok(Some(row)) => seen.push((row.line, rows.position())),
                Ok(None) => return (seen, Ok(())),
                Err(problem) => return (seen, Err(problem)),
            }
        }
    }

    #[test]
    fn rows_and_positions_are_those_of_the_file_across_batches() {
        let rows = 2 * BATCH_ROWS as u64 + 7;
        let (direct, direct_end) = drain(&mut numbered(rows, false));
        let (ahead, ahead_end) = read_ahead(numbered(rows, false), "f.csv", drain);
        assert_eq!(ahead, direct);
        assert_eq!(ahead.len() as u64, rows);
        assert_eq!(ahead_end, direct_end);
    }

    #[test]
    fn a_problem_ends_the_rows_as_it_would_unread_ahead() {
        let (ahead, end) = read_ahead(numbered(5, true), "f.csv", drain);
        assert_eq!(ahead.len(), 5);
        assert_eq!(end, Err(Problem::line("f.csv", 6, "broken")));
    }

    #[test]
    fn stopping_early_stops_the_reader() {
        // Far more rows than fit in the channel: the reader must not wait
        // for a caller that has gone.
        let first = read_ahead(numbered(1_000_000, false), "f.csv", |rows| {
            rows.next_row().map(|row| row.map(|r| r.line))
        });
        assert_eq!(first, Ok(Some(1)));
    }
}
