//! Rendering typed replies as a table (comfy-table, width-aware), JSON (the
//! serde_json of the typed value) or CSV (csv crate).

use std::io::{IsTerminal, Write};

use clap::ValueEnum;
use serde::Serialize;
use serde_json::Value;

use super::CliError;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Pretty JSON of the typed reply.
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// A table sized to the terminal.
    Table,
}

impl Format {
    /// The explicit choice, else a table on a terminal and JSON otherwise.
    pub fn resolve(choice: Option<Format>) -> Format {
        choice.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Json
            }
        })
    }
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, CliError> {
    serde_json::to_value(value).map_err(|e| CliError::Other(format!("cannot encode output: {e}")))
}

/// A cell's text: strings as they are, null as empty, the rest as JSON.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn write_out(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Other(format!("cannot write output: {e}")))
        }
        _ => Ok(()),
    }
}

fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| CliError::Other(format!("cannot encode output: {e}")))
}

fn table() -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    table
}

/// Print a list of rows. `table_columns` are the columns of the table view
/// (empty: all); CSV carries them first, then every other field that occurs
/// in any row (so that its header is stable even without rows).
pub fn print_rows<T: Serialize>(
    format: Format,
    rows: &[T],
    table_columns: &[&str],
) -> Result<(), CliError> {
    if format == Format::Json {
        return write_out(&json_text(rows)?);
    }
    let values = rows.iter().map(to_value).collect::<Result<Vec<_>, _>>()?;
    let mut all: Vec<String> = table_columns.iter().map(|c| c.to_string()).collect();
    for value in &values {
        if let Value::Object(map) = value {
            for key in map.keys() {
                if !all.iter().any(|k| k == key) {
                    all.push(key.clone());
                }
            }
        }
    }
    let columns: Vec<String> = if format == Format::Table && !table_columns.is_empty() {
        table_columns.iter().map(|c| c.to_string()).collect()
    } else {
        all
    };
    match format {
        Format::Table => {
            let mut table = table();
            table.set_header(&columns);
            for value in &values {
                table.add_row(columns.iter().map(|c| cell(value.get(c))));
            }
            write_out(&format!("{table}\n"))
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let csv_err = |e: csv::Error| CliError::Other(format!("cannot write CSV: {e}"));
            writer.write_record(&columns).map_err(csv_err)?;
            for value in &values {
                writer
                    .write_record(columns.iter().map(|c| cell(value.get(c))))
                    .map_err(csv_err)?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| CliError::Other(format!("cannot write CSV: {e}")))?;
            write_out(&String::from_utf8_lossy(&bytes))
        }
        Format::Json => unreachable!("handled above"),
    }
}

/// Print one record: JSON as is, a two-column field/value table, or CSV
/// with a header row and one row.
pub fn print_record<T: Serialize>(format: Format, record: &T) -> Result<(), CliError> {
    match format {
        Format::Json => write_out(&json_text(record)?),
        Format::Csv => print_rows(Format::Csv, std::slice::from_ref(record), &[]),
        Format::Table => {
            let value = to_value(record)?;
            let mut table = table();
            table.set_header(["field", "value"]);
            if let Value::Object(map) = &value {
                for (key, v) in map {
                    table.add_row([key.clone(), cell(Some(v))]);
                }
            }
            write_out(&format!("{table}\n"))
        }
    }
}
