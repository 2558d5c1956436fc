//! Workbooks with their XML edited, to make the damaged files a harness
//! found into fixed regression tests.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// Copies the workbook (any ZIP of text parts) at `from` to `to`, passing
/// each part through `edit(part name, text)`.
pub fn rewrite_workbook(
    from: &Path,
    to: &Path,
    edit: impl Fn(&str, String) -> String,
) -> io::Result<()> {
    let mut archive = ZipArchive::new(File::open(from)?)?;
    let mut out = ZipWriter::new(File::create(to)?);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        let name = part.name().to_owned();
        let mut text = String::new();
        part.read_to_string(&mut text)?;
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        out.start_file(name.as_str(), options)?;
        out.write_all(edit(&name, text).as_bytes())?;
    }
    out.finish()?;
    Ok(())
}
