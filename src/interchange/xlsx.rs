//! Excel workbooks (.xlsx) of the same columns and rows as the CSV exports, written so that the
//! file opens readable: a bold header row that stays in view while scrolling, columns as wide as
//! what they hold (up to a limit), text kept as text (Devanagari, and phone numbers, which Excel
//! would otherwise turn into numbers and lose the `+91`), counts and amounts as numbers (rupees
//! grouped in lakhs and crores) and dates as dates shown the Indian way (10-12-2026).
//!
//! Text cells are written as text, never as formulas, so a cell starting with `=` needs no
//! apostrophe here (CSV exports need one). Excel's own limit is 1,048,576 rows, and an export
//! refuses more than [`MAX_ROWS`].
//!
//! The worksheet is in rust_xlsxwriter's constant-memory mode: each row goes to a temporary file
//! as soon as the next one starts, and strings are written in the row (no shared-string table),
//! so a workbook of 500,000 rows holds one row in memory. That mode cannot autofit (the rows are
//! gone by then), so the writer keeps each column's widest cell as rows pass and sizes the
//! columns from that when it finishes.

use std::io::Write;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Rows one worksheet holds, the header aside (Excel's limit).
pub const MAX_ROWS: usize = 1_048_575;

/// Widest a column is made, in characters.
const MAX_WIDTH: u32 = 60;

/// How a column's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Text,
    Number,
    Rupees,
    Date,
    Instant,
}

/// The kind of each export column, by its name.
pub fn column_kind(column: &str) -> CellKind {
    match column {
        "age" | "members" | "linkage_limit" | "attendees" | "min_age" | "max_age"
        | "tenure_months" | "duration_days" | "seats" | "interest_rate_pct" => CellKind::Number,
        "min_amount_inr" | "max_amount_inr" | "budget_inr" | "amount_inr" => CellKind::Rupees,
        "valid_until" | "starts_on" => CellKind::Date,
        "created_at" | "updated_at" => CellKind::Instant,
        _ => CellKind::Text,
    }
}

/// A one-sheet workbook written a row at a time, in constant memory.
pub struct XlsxWriter {
    workbook: Workbook,
    sheet: Worksheet,
    /// Each column's widest cell so far, in characters as shown.
    widths: Vec<usize>,
    kinds: Vec<CellKind>,
    next_row: u32,
    rupees: Format,
    date: Format,
    instant: Format,
}

impl XlsxWriter {
    /// Fails when the temporary file for the rows cannot be made.
    pub fn new(sheet_name: &str, columns: &[&str]) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        let mut sheet = workbook.new_worksheet_with_constant_memory()?;
        sheet.set_name(sheet_name)?;
        let header = Format::new().set_bold();
        for (position, column) in columns.iter().enumerate() {
            sheet.write_string_with_format(0, position as u16, *column, &header)?;
        }
        // The header stays in view while scrolling.
        sheet.set_freeze_panes(1, 0)?;
        Ok(XlsxWriter {
            workbook,
            sheet,
            widths: columns.iter().map(|c| c.chars().count()).collect(),
            kinds: columns.iter().map(|c| column_kind(c)).collect(),
            next_row: 1,
            // 1,50,000 and 1,00,00,000 as Indian readers group them.
            rupees: Format::new()
                .set_num_format("[>=10000000]##\\,##\\,##\\,##0;[>=100000]##\\,##\\,##0;##,##0"),
            date: Format::new().set_num_format("dd-mm-yyyy"),
            instant: Format::new().set_num_format("dd-mm-yyyy hh:mm"),
        })
    }

    /// Writes one row, cell for cell with the columns; empty cells are left empty.
    pub fn write_row(&mut self, cells: &[String]) -> Result<(), XlsxError> {
        let row = self.next_row;
        for (position, (cell, kind)) in cells.iter().zip(&self.kinds).enumerate() {
            let column = position as u16;
            if cell.is_empty() {
                continue;
            }
            let shown = match kind {
                CellKind::Date => 10,
                CellKind::Instant => 16,
                // The lakh and crore commas.
                CellKind::Rupees => cell.len() + cell.len() / 2,
                CellKind::Text | CellKind::Number => cell.chars().count(),
            };
            if let Some(widest) = self.widths.get_mut(position) {
                *widest = (*widest).max(shown);
            }
            let number = || cell.parse::<f64>().ok().filter(|n| n.is_finite());
            let when = || ExcelDateTime::parse_from_str(cell).ok();
            match (kind, number(), when()) {
                (CellKind::Number, Some(n), _) => {
                    self.sheet.write_number(row, column, n)?;
                }
                (CellKind::Rupees, Some(n), _) => {
                    self.sheet
                        .write_number_with_format(row, column, n, &self.rupees)?;
                }
                (CellKind::Date, _, Some(date)) => {
                    self.sheet
                        .write_datetime_with_format(row, column, &date, &self.date)?;
                }
                (CellKind::Instant, _, Some(instant)) => {
                    self.sheet
                        .write_datetime_with_format(row, column, &instant, &self.instant)?;
                }
                // Text, and anything that does not read as its column's kind, as it is.
                _ => {
                    self.sheet.write_string(row, column, cell)?;
                }
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Writes the whole workbook to `out`, its columns sized to what they hold (the rows come
    /// back from the temporary file; nothing is held in memory whole).
    pub fn finish_to<W: Write + Send>(mut self, out: W) -> Result<(), XlsxError> {
        for (position, widest) in self.widths.iter().enumerate() {
            let width = (*widest as u32 + 2).min(MAX_WIDTH);
            self.sheet.set_column_width(position as u16, width)?;
        }
        self.workbook.push_worksheet(self.sheet);
        self.workbook.save_to_writer(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::table::{Layout, Table};

    #[test]
    fn a_workbook_reads_back_as_the_rows_written() {
        let columns = ["name", "contact_phone", "age", "amount_inr", "valid_until"];
        let mut writer = XlsxWriter::new("needs", &columns).unwrap();
        writer
            .write_row(&[
                "सुनीता देवी".into(),
                "+919876543210".into(),
                "31".into(),
                "150000".into(),
                "2027-03-31".into(),
            ])
            .unwrap();
        writer
            .write_row(&[
                "=cmd".into(),
                String::new(),
                "".into(),
                "".into(),
                "".into(),
            ])
            .unwrap();
        let mut bytes = Vec::new();
        writer.finish_to(&mut bytes).unwrap();
        let layout = Layout {
            known: &columns,
            required: &["name"],
            max_rows: 10,
        };
        let table = Table::read_xlsx(&bytes, &layout).unwrap();
        let first = &table.rows()[0];
        assert_eq!(first.number, 2);
        assert_eq!(table.cell(first, "name"), Some("सुनीता देवी"));
        assert_eq!(table.cell(first, "contact_phone"), Some("+919876543210"));
        assert_eq!(table.cell(first, "age"), Some("31"));
        assert_eq!(table.cell(first, "amount_inr"), Some("150000"));
        assert_eq!(table.cell(first, "valid_until"), Some("2027-03-31"));
        assert_eq!(table.cell(&table.rows()[1], "name"), Some("=cmd"));
    }

    #[test]
    fn bytes_that_are_not_a_workbook_are_refused_with_how_to_save_one() {
        let layout = Layout {
            known: &["name"],
            required: &["name"],
            max_rows: 10,
        };
        match Table::read_xlsx(b"name\nAsha\n", &layout) {
            Err(crate::interchange::table::TableProblem::Unreadable(why)) => {
                assert!(why.contains("Excel Workbook (.xlsx)"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }
}
