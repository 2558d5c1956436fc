//! The rejects file: the rows that could not be taken, exactly as the list
//! wrote them, under the list's own header, so that they can be fixed and
//! imported again with the same profile. The reasons are in the summary.

use std::io::Write;
use std::path::Path;

use crate::error::ListError;
use crate::findings::Rejected;

/// Writes the header and the rejected rows, as CSV with a UTF-8 BOM (for
/// Excel), cells unchanged. A file with no rejected rows holds the header alone.
pub fn write_rejects(
    path: &Path,
    header: &[String],
    rejected: &[Rejected],
) -> Result<(), ListError> {
    let fail = |source: std::io::Error| ListError::WriteRejects {
        path: path.to_owned(),
        source,
    };
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut bytes);
        let csv_error = |e: csv::Error| fail(std::io::Error::other(e));
        writer.write_record(header).map_err(csv_error)?;
        for row in rejected {
            writer.write_record(&row.cells).map_err(csv_error)?;
        }
        writer.flush().map_err(fail)?;
    }
    let mut file = std::fs::File::create(path).map_err(fail)?;
    file.write_all(&bytes).map_err(fail)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Reason;

    #[test]
    fn rows_are_written_as_they_came_and_read_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.csv");
        let header = vec!["Company".to_owned(), "Valuation ($B)".to_owned()];
        let cells = vec!["Odd, \"Co\" ".to_owned(), "$1 ".to_owned()];
        let rejected = [Rejected {
            line: 7,
            name: Some("Odd".into()),
            reasons: vec![Reason::Duplicate { line: 3 }],
            cells: cells.clone(),
        }];
        write_rejects(&path, &header, &rejected).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), header);
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows, [cells]);
    }

    #[test]
    fn an_unwritable_path_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-folder").join("rejects.csv");
        assert!(matches!(
            write_rejects(&path, &[], &[]),
            Err(ListError::WriteRejects { .. })
        ));
    }
}
