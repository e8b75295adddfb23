//! .NET `DataTable` results: the table's description from the inline
//! `xs:schema`, and the decoded rows.

use quick_xml::events::Event;

use super::events::{Events, attribute, local_name};
use crate::TableRow;

/// A column declared by a `DataTable`'s inline schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Element name of the column (`ID`, `TANXA`).
    pub name: String,
    /// Its XML Schema type as written (`xs:decimal`, `xs:string`), when
    /// declared.
    pub xsd_type: Option<String>,
}

/// What a `DataTable` result says about itself: its name and the columns
/// of its inline schema. Replies without a schema leave both empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableSchema {
    /// The table (and row element) name: the schema's main table, else the
    /// first row's element name.
    pub name: Option<String>,
    /// Columns in schema order. A row may lack any of them (a null value is
    /// an absent element).
    pub columns: Vec<Column>,
}

impl TableSchema {
    /// The declared column `name`.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Reads an `xs:schema` element whose start tag was just read: the
    /// `DataSet` element names its main table (`msdata:MainDataTable`), each
    /// table element lists its columns. Keeps the main table, else the first.
    pub(crate) fn read(events: &mut Events<'_>) -> Result<Self, String> {
        let mut main: Option<String> = None;
        let mut tables: Vec<(String, Vec<Column>)> = Vec::new();
        // Depth of the open table element, while inside one.
        let mut table_depth: Option<usize> = None;
        let mut depth = 1_usize;
        loop {
            match events.next()? {
                Event::Start(e) => {
                    depth += 1;
                    if local_name(&e) != "element" {
                        continue;
                    }
                    let dataset = attribute(&e, "IsDataSet")?
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
                    if dataset {
                        main = attribute(&e, "MainDataTable")?;
                    } else if table_depth.is_none()
                        && let Some(name) = attribute(&e, "name")?
                    {
                        check_schema_name("table", &name)?;
                        tables.push((name, Vec::new()));
                        table_depth = Some(depth);
                    }
                }
                Event::Empty(e) => {
                    if local_name(&e) != "element" {
                        continue;
                    }
                    if let (Some((_, columns)), Some(name)) =
                        (tables.last_mut(), attribute(&e, "name")?)
                        && table_depth.is_some()
                    {
                        check_schema_name("column", &name)?;
                        columns.push(Column {
                            name,
                            xsd_type: attribute(&e, "type")?,
                        });
                    }
                }
                Event::End(_) => {
                    if table_depth == Some(depth) {
                        table_depth = None;
                    }
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Event::Eof => return Err(events.eof()),
                _ => {}
            }
        }
        let chosen = match &main {
            Some(main) => tables.iter().position(|(name, _)| name == main),
            None => None,
        }
        .or(if tables.is_empty() { None } else { Some(0) });
        Ok(match chosen {
            Some(at) => {
                let (name, columns) = tables.swap_remove(at);
                TableSchema {
                    name: Some(name),
                    columns,
                }
            }
            // No table element: the main table's name is all there is, and
            // it names the rows' elements like a table element's would.
            None => {
                if let Some(main) = &main {
                    check_schema_name("table", main)?;
                }
                TableSchema {
                    name: main,
                    columns: Vec::new(),
                }
            }
        })
    }
}

/// A decoded `DataTable` result: its schema and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct DataTable<T> {
    /// Name and declared columns.
    pub schema: TableSchema,
    /// The rows, in document order.
    pub rows: Vec<T>,
}

impl<T> Default for DataTable<T> {
    fn default() -> Self {
        Self {
            schema: TableSchema::default(),
            rows: Vec::new(),
        }
    }
}

impl<T> DataTable<T> {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Iterate over the rows.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.rows.iter()
    }
}

impl<T: TableRow> DataTable<T> {
    /// Columns the schema declares that `T` does not know.
    #[must_use]
    pub fn unknown_columns(&self) -> Vec<&str> {
        self.schema
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|c| !T::COLUMNS.contains(c))
            .collect()
    }
}

impl<T> IntoIterator for DataTable<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<'t, T> IntoIterator for &'t DataTable<T> {
    type Item = &'t T;
    type IntoIter = std::slice::Iter<'t, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

/// A table or column name from the inline schema becomes an element name
/// of the rows (and of a reply written back): it must be an XML name.
fn check_schema_name(what: &str, name: &str) -> Result<(), String> {
    if super::write::is_xml_name(name) {
        Ok(())
    } else {
        Err(format!(
            "{what} name `{}` in the inline schema is not a valid XML name",
            super::snippet(&name.escape_debug().to_string())
        ))
    }
}
