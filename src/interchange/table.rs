//! A CSV file as a spreadsheet writes it, read into named cells; and CSV written so that Excel
//! shows Devanagari and runs no formulas.
//!
//! Reading is forgiving where Excel is inconsistent (a byte-order mark, `;` or tab as delimiter
//! in some locales, trailing empty cells left off, blank rows, empty unnamed columns) and strict
//! where a guess could put a value in the wrong field (unknown or repeated columns, extra cells).

use std::collections::BTreeMap;

use crate::domain::FieldErrors;

/// Excel reads a UTF-8 file as the local code page unless it starts with this mark.
pub const BYTE_ORDER_MARK: &str = "\u{feff}";

/// Why a file could not be read as a table at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableProblem {
    /// Not UTF-8 or not text: the message says how to save the file properly.
    Unreadable(String),
    /// The shape is wrong (no header, unknown, repeated or missing columns, extra cells), keyed
    /// like field errors: `file`, `header`, `rows[4]`.
    Invalid(FieldErrors),
    /// More rows than one import takes.
    TooManyRows { limit: usize },
}

/// The rows of a file under its header, blank rows left out.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column name → position in each row's cells.
    columns: BTreeMap<String, usize>,
    rows: Vec<TableRow>,
}

#[derive(Debug, Clone)]
pub struct TableRow {
    /// The row number a spreadsheet shows: the header is row 1.
    pub number: usize,
    cells: Vec<String>,
}

/// What a file must look like: the columns that may appear, and those that must.
pub struct Layout<'a> {
    pub known: &'a [&'a str],
    pub required: &'a [&'a str],
    pub max_rows: usize,
}

impl Table {
    pub fn read(bytes: &[u8], layout: &Layout) -> Result<Table, TableProblem> {
        let text = decode(bytes)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(sniff_delimiter(text))
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let mut counter = RowCounter::new(text);
        let header = match records.next() {
            None => return Err(empty_file(layout)),
            Some(Err(error)) => return Err(unreadable(1, &error)),
            Some(Ok(record)) => {
                counter.advance(&record);
                record
            }
        };
        let header: Vec<String> = header.iter().map(str::to_string).collect();
        let mut builder = TableBuilder::new(&header, layout)?;
        for record in records {
            let record = record.map_err(|error| unreadable(counter.number + 1, &error))?;
            let number = counter.advance(&record);
            builder.push(number, record.iter().map(str::to_string).collect())?;
        }
        builder.finish()
    }

    /// The first worksheet of an Excel workbook (.xlsx), read as [`Table::read`] reads CSV:
    /// numbers as they show (whole numbers without a decimal point), dates as `YYYY-MM-DD`,
    /// `TRUE`/`FALSE` as yes/no; a cell holding a spreadsheet error (`#N/A`) is refused.
    pub fn read_xlsx(bytes: &[u8], layout: &Layout) -> Result<Table, TableProblem> {
        use calamine::Reader;
        let not_xlsx = |why: String| {
            TableProblem::Unreadable(format!(
                "the file is not an Excel workbook (.xlsx): {why}; in Excel choose Save As → \"Excel Workbook (.xlsx)\", or send CSV UTF-8 as text/csv"
            ))
        };
        let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes))
            .map_err(|error| not_xlsx(error.to_string()))?;
        let range = match workbook.worksheet_range_at(0) {
            None => return Err(invalid("file", "has no worksheet")),
            Some(range) => range.map_err(|error| not_xlsx(error.to_string()))?,
        };
        // A sheet's used range need not start at A1: cells before it are empty.
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        let lead = vec![String::new(); first_column as usize];
        let mut errors = FieldErrors::new();
        let mut rows = range.rows().enumerate().map(|(index, cells)| {
            let number = first_row as usize + index + 1;
            let mut texts = lead.clone();
            for (offset, cell) in cells.iter().enumerate() {
                match cell_text(cell) {
                    Ok(text) => texts.push(text),
                    Err(shown) => {
                        errors.add(
                            format!("rows[{number}]"),
                            format!(
                                "column {} holds the spreadsheet error {shown}",
                                column_letter(first_column as usize + offset)
                            ),
                        );
                        texts.push(String::new());
                    }
                }
            }
            (number, texts)
        });
        // Rows above the used range are empty; the first non-empty row is the header.
        let header = match rows.next() {
            None => return Err(empty_file(layout)),
            Some((_, header)) => header,
        };
        let mut builder = TableBuilder::new(&header, layout)?;
        for (number, cells) in rows.by_ref() {
            builder.push(number, cells)?;
        }
        if !errors.is_empty() {
            return Err(TableProblem::Invalid(errors));
        }
        builder.finish()
    }

    pub fn rows(&self) -> &[TableRow] {
        &self.rows
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// A cell as the person meant it: trimmed, with the apostrophe that defused a formula-like
    /// value on export taken off; `None` when empty or when the file has no such column.
    pub fn cell<'a>(&self, row: &'a TableRow, column: &str) -> Option<&'a str> {
        let position = *self.columns.get(column)?;
        let text = undefuse(row.cells[position].trim()).trim();
        (!text.is_empty()).then_some(text)
    }
}

/// Numbers records as a spreadsheet numbers rows. The CSV reader skips empty lines, which a
/// spreadsheet shows as empty rows, so they are counted back in from where each record starts.
struct RowCounter<'a> {
    text: &'a str,
    number: usize,
}

impl<'a> RowCounter<'a> {
    fn new(text: &'a str) -> Self {
        RowCounter { text, number: 0 }
    }

    /// The row number of `record`, the next one read.
    fn advance(&mut self, record: &csv::StringRecord) -> usize {
        // A record's position is where the reader began looking for it: just after the previous
        // record's last byte, so before its line end and any empty lines.
        let skipped = record
            .position()
            .and_then(|p| self.text.get(p.byte() as usize..))
            .map(|rest| {
                let line_ends = rest
                    .bytes()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .filter(|&b| b == b'\n')
                    .count();
                if self.number == 0 {
                    line_ends
                } else {
                    line_ends.saturating_sub(1)
                }
            })
            .unwrap_or(0);
        self.number += 1 + skipped;
        self.number
    }
}

/// Rows gathered under a header, with the checks both file formats share.
struct TableBuilder<'a> {
    layout: &'a Layout<'a>,
    width: usize,
    columns: BTreeMap<String, usize>,
    unnamed: Vec<usize>,
    rows: Vec<TableRow>,
    errors: FieldErrors,
}

impl<'a> TableBuilder<'a> {
    fn new(header: &[String], layout: &'a Layout<'a>) -> Result<Self, TableProblem> {
        let (columns, unnamed) = read_header(header, layout)?;
        Ok(TableBuilder {
            layout,
            width: header.len(),
            columns,
            unnamed,
            rows: Vec::new(),
            errors: FieldErrors::new(),
        })
    }

    fn push(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), TableProblem> {
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            return Ok(());
        }
        if self.rows.len() == self.layout.max_rows {
            return Err(TableProblem::TooManyRows {
                limit: self.layout.max_rows,
            });
        }
        let width = self.width;
        // Excel leaves off the delimiters of empty trailing cells on some rows.
        if cells.len() < width {
            cells.resize(width, String::new());
        }
        let extra = cells[width..].iter().any(|c| !c.trim().is_empty());
        if extra {
            self.errors.add(
                format!("rows[{number}]"),
                format!(
                    "has {} cells but the header names {width} columns",
                    cells.len()
                ),
            );
        } else if let Some(&position) = self.unnamed.iter().find(|&&p| !cells[p].trim().is_empty())
        {
            self.errors.add(
                format!("rows[{number}]"),
                format!(
                    "has a value in column {}, which has no name in the header",
                    column_letter(position)
                ),
            );
        }
        cells.truncate(width);
        self.rows.push(TableRow { number, cells });
        Ok(())
    }

    fn finish(self) -> Result<Table, TableProblem> {
        if !self.errors.is_empty() {
            return Err(TableProblem::Invalid(self.errors));
        }
        if self.rows.is_empty() {
            return Err(invalid("file", "has a header but no rows"));
        }
        Ok(Table {
            columns: self.columns,
            rows: self.rows,
        })
    }
}

fn empty_file(layout: &Layout) -> TableProblem {
    invalid(
        "file",
        format!(
            "is empty: the first row must name the columns ({})",
            layout.required.join(", ")
        ),
    )
}

/// A workbook cell as the text a person sees in it, or the error it shows (`#N/A`).
fn cell_text(cell: &calamine::Data) -> Result<String, String> {
    use calamine::Data;
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        // Whole numbers (a phone typed as a number, an amount) without a decimal point.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(true) => "yes".to_string(),
        Data::Bool(false) => "no".to_string(),
        Data::DateTime(when) if when.is_datetime() => {
            let (year, month, day, hour, minute, second, _) = when.to_ymd_hms_milli();
            if (hour, minute, second) == (0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
            }
        }
        Data::DateTime(duration) => duration.as_f64().to_string(),
        Data::Error(error) => return Err(error.to_string()),
    })
}

fn invalid(field: &str, why: impl Into<String>) -> TableProblem {
    TableProblem::Invalid(FieldErrors::single(field, why))
}

fn unreadable(row: usize, error: &csv::Error) -> TableProblem {
    TableProblem::Unreadable(format!("row {row} could not be read as CSV: {error}"))
}

const SAVE_AS_UTF8: &str = "in Excel choose Save As → \"CSV UTF-8 (Comma delimited)\"";

/// The file's text without its byte-order mark, or why it is not UTF-8.
fn decode(bytes: &[u8]) -> Result<&str, TableProblem> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(TableProblem::Unreadable(format!(
            "the file is UTF-16 (\"Unicode Text\"), not CSV in UTF-8; {SAVE_AS_UTF8}"
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let line = bytes[..error.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        TableProblem::Unreadable(format!(
            "the file is not UTF-8 (the first byte that is not is on line {line}); {SAVE_AS_UTF8}"
        ))
    })?;
    Ok(text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text))
}

/// Excel writes `;` (or tab) instead of `,` in some locales; the header line tells which.
fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or_default();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (first_line.bytes().filter(|&b| b == d).count(), d == b','))
        .unwrap_or(b',')
}

/// Column name → position, and the positions of unnamed columns (which must stay empty).
fn read_header(
    header: &[String],
    layout: &Layout,
) -> Result<(BTreeMap<String, usize>, Vec<usize>), TableProblem> {
    let mut columns = BTreeMap::new();
    let mut unnamed = Vec::new();
    let mut unknown = Vec::new();
    let mut errors = FieldErrors::new();
    for (position, name) in header.iter().enumerate() {
        let name = column_name(name);
        if name.is_empty() {
            unnamed.push(position);
        } else if !layout.known.contains(&name.as_str()) {
            unknown.push(format!("`{name}`"));
        } else if columns.insert(name.clone(), position).is_some() {
            errors.add("header", format!("names the column `{name}` twice"));
        }
    }
    if !unknown.is_empty() {
        // A file of another kind can have thousands of columns; the first few say enough.
        const NAMED: usize = 10;
        let more = match unknown.len().saturating_sub(NAMED) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        unknown.truncate(NAMED);
        errors.add(
            "header",
            format!(
                "unknown column(s) {}{more}: the columns are {}",
                unknown.join(", "),
                layout.known.join(", ")
            ),
        );
    }
    // A file with an `id` column may change existing records by naming only the columns it
    // changes; its new rows are still checked field by field.
    let updates = columns.contains_key("id");
    let missing: Vec<&str> = layout
        .required
        .iter()
        .copied()
        .filter(|name| !updates && !columns.contains_key(*name))
        .collect();
    if !missing.is_empty() {
        errors.add(
            "header",
            format!("lacks the required column(s) {}", missing.join(", ")),
        );
    }
    errors
        .into_result((columns, unnamed))
        .map_err(TableProblem::Invalid)
}

/// A heading as the column it names: `Contact Phone` and `contact-phone` are `contact_phone`.
fn column_name(heading: &str) -> String {
    heading
        .trim_start_matches(BYTE_ORDER_MARK)
        .trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Column letters as a spreadsheet shows them: 0 → A, 25 → Z, 26 → AA.
fn column_letter(position: usize) -> String {
    let mut letters = Vec::new();
    let mut n = position + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Whether a spreadsheet would run this cell as a formula (or a control sequence).
fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// A cell a spreadsheet will not run as a formula: a leading apostrophe before `=`, `+`, `-`,
/// `@`, tab or carriage return. Phones (`+91…`) get one too, which also keeps Excel from turning
/// them into numbers.
pub fn defuse(text: &str) -> String {
    if looks_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The inverse of [`defuse`], so that an exported file imports as it was.
pub fn undefuse(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => text,
    }
}

/// CSV for Excel: a byte-order mark, a header row, then rows with every cell defused.
pub struct TableWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl TableWriter {
    pub fn new(columns: &[&str]) -> Result<Self, csv::Error> {
        // CRLF line ends, as RFC 4180 and Excel write them.
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(BYTE_ORDER_MARK.as_bytes().to_vec());
        writer.write_record(columns)?;
        Ok(TableWriter { writer })
    }

    pub fn write_row(&mut self, cells: &[String]) -> Result<(), csv::Error> {
        self.writer
            .write_record(cells.iter().map(|cell| defuse(cell)))
    }

    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.writer
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: Layout = Layout {
        known: &["kind", "name", "district", "description", "contact_phone"],
        required: &["kind", "name"],
        max_rows: 3,
    };

    fn problem_fields(result: Result<Table, TableProblem>) -> BTreeMap<String, String> {
        match result {
            Err(TableProblem::Invalid(errors)) => errors.fields().clone(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_bom_any_column_order_and_a_semicolon_delimiter_are_read() {
        let file = "\u{feff}Name;KIND;Contact  Phone\nसुनीता देवी;micro_entrepreneur;\n";
        let table = Table::read(file.as_bytes(), &LAYOUT).unwrap();
        let row = &table.rows()[0];
        assert_eq!(row.number, 2);
        assert_eq!(table.cell(row, "name"), Some("सुनीता देवी"));
        assert_eq!(table.cell(row, "kind"), Some("micro_entrepreneur"));
        assert_eq!(table.cell(row, "district"), None);
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them_skipping_blank_ones() {
        let file = "kind,name,district\nbank,SBI,up-mirzapur\n,,\nngo,DA\n";
        let table = Table::read(file.as_bytes(), &LAYOUT).unwrap();
        let numbers: Vec<usize> = table.rows().iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 4]);
        // A short row is read with its trailing cells empty, as Excel writes them.
        assert_eq!(table.cell(&table.rows()[1], "district"), None);
    }

    #[test]
    fn empty_lines_and_line_breaks_in_cells_are_numbered_as_a_spreadsheet_shows_them() {
        let file = "kind,name\r\n\r\nbank,\"two\nlines\"\r\n\n\nngo,DA\n";
        let table = Table::read(file.as_bytes(), &LAYOUT).unwrap();
        let numbers: Vec<usize> = table.rows().iter().map(|r| r.number).collect();
        assert_eq!(numbers, [3, 6]);
    }

    #[test]
    fn unknown_repeated_and_missing_columns_are_named() {
        let fields = problem_fields(Table::read(b"name,colour\nx,red\n", &LAYOUT));
        let why = &fields["header"];
        assert!(why.contains("unknown column(s) `colour`"), "{why}");
        let wide = format!(
            "kind,name,{}\nbank,a\n",
            (0..5000)
                .map(|i| format!("c{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let why = &problem_fields(Table::read(wide.as_bytes(), &LAYOUT))["header"];
        assert!(why.contains("`c9` and 4990 more:"), "{why}");
        let fields = problem_fields(Table::read(b"kind,name,name\nbank,a,b\n", &LAYOUT));
        assert!(fields["header"].contains("twice"));
        let fields = problem_fields(Table::read(b"name,district\nx,y\n", &LAYOUT));
        assert!(fields["header"].contains("lacks the required column(s) kind"));
    }

    #[test]
    fn extra_cells_and_values_under_no_column_are_refused_by_row() {
        let fields = problem_fields(Table::read(b"kind,name\nbank,SBI,extra\n", &LAYOUT));
        assert_eq!(
            fields["rows[2]"],
            "has 3 cells but the header names 2 columns"
        );
        let fields = problem_fields(Table::read(b"kind,name,\nbank,SBI,\nngo,DA,x\n", &LAYOUT));
        assert!(fields["rows[3]"].contains("column C"), "{fields:?}");
    }

    #[test]
    fn empty_header_only_and_oversized_files_are_refused() {
        assert!(problem_fields(Table::read(b"", &LAYOUT))["file"].contains("is empty"));
        assert!(problem_fields(Table::read(b"\xef\xbb\xbf", &LAYOUT))["file"].contains("is empty"));
        assert_eq!(
            problem_fields(Table::read(b"kind,name\n", &LAYOUT))["file"],
            "has a header but no rows"
        );
        let many = "kind,name\nbank,a\nbank,b\nbank,c\nbank,d\n";
        assert!(matches!(
            Table::read(many.as_bytes(), &LAYOUT),
            Err(TableProblem::TooManyRows { limit: 3 })
        ));
    }

    #[test]
    fn other_encodings_are_refused_with_how_to_save_the_file() {
        // "Sunita" then a Windows-1252 é on line 2.
        let latin1 = b"kind,name\nbank,Caf\xe9\n";
        match Table::read(latin1, &LAYOUT) {
            Err(TableProblem::Unreadable(why)) => {
                assert!(why.contains("line 2") && why.contains("CSV UTF-8"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        let utf16 = b"\xff\xfek\x00i\x00";
        assert!(matches!(
            Table::read(utf16, &LAYOUT),
            Err(TableProblem::Unreadable(_))
        ));
    }

    #[test]
    fn formulas_are_defused_on_the_way_out_and_restored_on_the_way_in() {
        for text in ["=HYPERLINK(\"x\")", "+919876543210", "-2+3", "@SUM(A1)"] {
            assert_eq!(defuse(text), format!("'{text}"));
            assert_eq!(undefuse(&defuse(text)), text);
        }
        assert_eq!(defuse("Rekha Bind"), "Rekha Bind");
        assert_eq!(undefuse("'tis"), "'tis");
    }

    #[test]
    fn written_tables_start_with_a_bom_and_read_back() {
        let mut writer = TableWriter::new(&["kind", "name"]).unwrap();
        writer
            .write_row(&["bank".into(), "=cmd, \"quoted\"\nline".into()])
            .unwrap();
        let bytes = writer.finish().unwrap();
        assert!(bytes.starts_with(BYTE_ORDER_MARK.as_bytes()));
        let table = Table::read(&bytes, &LAYOUT).unwrap();
        assert_eq!(
            table.cell(&table.rows()[0], "name"),
            Some("=cmd, \"quoted\"\nline")
        );
    }

    #[test]
    fn column_letters_follow_spreadsheets() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }
}
