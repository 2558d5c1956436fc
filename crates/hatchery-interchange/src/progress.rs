//! Reporting how far a read has come, so that a command line can draw a bar.

/// Told how far [`read_dataset`](crate::read_dataset) has come.
pub trait Progress {
    /// Reading of a file begins; `bytes` is its size on disk.
    fn file_started(&mut self, file: &str, bytes: u64);
    /// `bytes` of the current file have been read so far (a position, not an
    /// increment; reported at most every few tens of kilobytes).
    fn advanced(&mut self, bytes: u64);
    /// The current file has been read to its end (or given up on).
    fn file_finished(&mut self);
}

/// Progress that nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn file_started(&mut self, _file: &str, _bytes: u64) {}
    fn advanced(&mut self, _bytes: u64) {}
    fn file_finished(&mut self) {}
}
