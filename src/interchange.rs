//! The registry as spreadsheets: CSV files facilitators keep in Excel, out and back in.
//!
//! [`table`] reads and writes the file itself (byte-order mark, encoding, delimiters, ragged rows,
//! cells a spreadsheet would run as formulas); [`stakeholders`], [`offerings`] and [`needs`] map
//! records to columns (and stakeholders back); [`import`] checks a whole file against the
//! registry (validation exactly as the JSON API does it, duplicates in the registry and within
//! the file) before anything is stored, all rows in one transaction. Nothing here knows HTTP; SQL stays in the store.

pub mod import;
pub mod needs;
pub mod offerings;
pub mod stakeholders;
pub mod table;
pub mod xlsx;
