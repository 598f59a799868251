//! CSV in and out, as showrooms keep stock in spreadsheets. Output is safe to open
//! in Excel (UTF-8 byte-order mark, formula-looking cells neutralised); input
//! accepts comma or semicolon separators (Indonesian Excel saves with `;`).

/// Cells a spreadsheet would run as a formula start with one of these (after spaces).
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

fn neutralise(raw: &str) -> String {
    let risky = raw.starts_with(['\t', '\r']) || raw.trim_start().starts_with(FORMULA_STARTS);
    if risky { format!("'{raw}") } else { raw.to_owned() }
}

/// Undoes [`neutralise`], so an exported file imports back unchanged.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['\t', '\r']) || rest.trim_start().starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// Builds a CSV document row by row.
pub struct CsvOut {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvOut {
    pub fn new() -> CsvOut {
        let mut buf = Vec::new();
        // The byte-order mark makes Excel read the file as UTF-8.
        buf.extend_from_slice("\u{feff}".as_bytes());
        CsvOut { writer: csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::CRLF).from_writer(buf) }
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        let cells: Vec<String> = cells.iter().map(|c| neutralise(c.as_ref())).collect();
        // Writing to a Vec cannot fail.
        let _ = self.writer.write_record(&cells);
    }

    pub fn finish(mut self) -> Vec<u8> {
        let _ = self.writer.flush();
        self.writer.into_inner().unwrap_or_default()
    }
}

impl Default for CsvOut {
    fn default() -> Self {
        CsvOut::new()
    }
}

/// A parsed CSV: header names (trimmed, lower-case) and rows of cells.
pub struct CsvIn {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("File kosong atau tanpa baris judul.")]
    Empty,
    #[error("File CSV tidak dapat dibaca pada baris {line}: periksa tanda kutip dan jumlah kolom.")]
    Malformed { line: u64 },
    #[error("File terlalu besar: maksimal {0} baris data.")]
    TooManyRows(usize),
}

pub fn parse_csv(text: &str, max_rows: usize) -> Result<CsvIn, CsvError> {
    let text = text.trim_start_matches('\u{feff}');
    let first_line = text.lines().next().ok_or(CsvError::Empty)?;
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| CsvError::Malformed { line: 1 })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(CsvError::Empty);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CsvError::Malformed { line: e.position().map_or(0, |p| p.line()) })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == max_rows {
            return Err(CsvError::TooManyRows(max_rows));
        }
        rows.push(record.iter().map(|c| restore(c).to_owned()).collect());
    }
    Ok(CsvIn { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_quoted_and_neutralised_cells() {
        let mut out = CsvOut::new();
        out.row(&["a", "b,c", "say \"hi\""]);
        out.row(&["=HYPERLINK(\"x\")", " -1", "@cmd", "ok"]);
        let text = String::from_utf8(out.finish()).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("a,\"b,c\",\"say \"\"hi\"\"\"\r\n"));
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(text.contains("'@cmd,ok\r\n"), "{text:?}");
        assert!(text.contains("' -1"), "{text}");
    }

    #[test]
    fn reads_back_what_it_wrote() {
        let mut out = CsvOut::new();
        out.row(&["brand", "description"]);
        out.row(&["Toyota", "-Mulus\nbaris dua; titik koma"]);
        let parsed = parse_csv(&String::from_utf8(out.finish()).unwrap(), 10).unwrap();
        assert_eq!(parsed.headers, vec!["brand", "description"]);
        assert_eq!(parsed.rows, vec![vec!["Toyota".to_owned(), "-Mulus\nbaris dua; titik koma".to_owned()]]);
    }

    #[test]
    fn semicolons_and_limits() {
        let parsed = parse_csv("Merek;Tahun\nToyota;2020\n;\n", 10).unwrap();
        assert_eq!(parsed.headers, vec!["merek", "tahun"]);
        assert_eq!(parsed.rows.len(), 1);
        assert!(matches!(parse_csv("a\n1\n2\n3\n", 2), Err(CsvError::TooManyRows(2))));
        assert!(matches!(parse_csv("", 2), Err(CsvError::Empty)));
    }
}
