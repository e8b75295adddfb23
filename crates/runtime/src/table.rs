//! Column-oriented tables: `{"Fields": ["ID", ...], "Rows": [[1, ...], ...]}`
//! decoded straight into typed rows by zipping each row with the field names,
//! without building an intermediate JSON tree.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    value::StrDeserializer,
};
use serde::ser::{self, SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::cell::{CellSeed, RawCell, ReadRawText, read_raw};
use crate::row_text::RowText;

/// A row type of a [`Table`]: the generator implements it for every model
/// used as `table<Model>`, listing the model's wire names.
///
/// Generated rows also decode column by column: the table works out once
/// which column of the model each position of `Fields` is, and each cell
/// goes straight to [`TableRow::decode_column`], with no per-row key
/// matching. Rows whose model offers no [`TableRow::empty_row`] decode
/// through their own `Deserialize`, as a map from field name to value.
pub trait TableRow: Sized {
    /// Wire names of the columns the model knows, in spec order.
    const COLUMNS: &'static [&'static str];

    /// Indices into [`TableRow::COLUMNS`] of the columns a table must have
    /// (the model's required fields).
    const REQUIRED: &'static [usize] = &[];

    /// A row with no value read yet (every field absent or at its default),
    /// to fill with [`TableRow::decode_column`]; `None` to decode rows
    /// through the model's `Deserialize` instead.
    fn empty_row() -> Option<Self> {
        None
    }

    /// Reads the value of column `column` (an index into
    /// [`TableRow::COLUMNS`]) into the row, as the model's `Deserialize`
    /// reads that field.
    fn decode_column<'de, D: Deserializer<'de>>(
        &mut self,
        column: usize,
        value: D,
    ) -> Result<(), D::Error> {
        let _ = column;
        IgnoredAny::deserialize(value).map(drop)
    }

    /// Reads the value of column `column` straight from `text` (a row's raw
    /// JSON text from that value on) when the value has the column's usual
    /// shape, and returns the value's length; `None` leaves the value to
    /// [`TableRow::decode_column`], which reads every shape and reports
    /// errors. The generator implements it with [`crate::wire::QuickCell`]
    /// for the columns whose adapter has a quick reader.
    fn decode_quick(&mut self, column: usize, text: &str) -> Option<usize> {
        let _ = (column, text);
        None
    }
}

/// Wire key of the column names.
const FIELDS: &str = "Fields";
/// Wire key of the rows.
const ROWS: &str = "Rows";

/// A table reply: the column names as sent and the rows decoded into `T`.
///
/// Rows may be shorter than the column list (missing trailing values are
/// absent); a row longer than the column list is an error. Written back, each
/// row becomes an array in `fields` order, with `null` for absent values.
#[derive(Debug, Clone, PartialEq)]
pub struct Table<T> {
    /// Column names, in row order, exactly as sent.
    pub fields: Vec<String>,
    /// The rows.
    pub rows: Vec<T>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            fields: Vec::new(),
            rows: Vec::new(),
        }
    }
}

impl<T: TableRow> Table<T> {
    /// A table of `rows` with every column `T` knows.
    pub fn from_rows(rows: Vec<T>) -> Self {
        Self {
            fields: T::COLUMNS.iter().map(|c| (*c).to_string()).collect(),
            rows,
        }
    }

    /// Column names sent by the service that `T` does not know.
    pub fn unknown_columns(&self) -> Vec<&str> {
        self.fields
            .iter()
            .map(String::as_str)
            .filter(|f| !T::COLUMNS.contains(f))
            .collect()
    }
}

impl<T> Table<T> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Iterate over the rows.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.rows.iter()
    }
}

impl<T> IntoIterator for Table<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Table<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

impl<'de, T: TableRow + Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TableVisitor(PhantomData))
    }
}

struct TableVisitor<T>(PhantomData<T>);

impl<'de, T: TableRow + Deserialize<'de>> Visitor<'de> for TableVisitor<T> {
    type Value = Table<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table object with `Fields` and `Rows`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Table<T>, A::Error> {
        let mut fields: Option<Vec<String>> = None;
        let mut rows: Option<Vec<T>> = None;
        // Rows before Fields (not seen in practice) are kept raw until the
        // names arrive.
        let mut early_rows: Option<Vec<&'de RawValue>> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                FIELDS => fields = Some(map.next_value()?),
                ROWS => match &fields {
                    Some(names) => {
                        let plan = Plan::new::<T, A::Error>(names)?;
                        rows = Some(map.next_value_seed(RowsSeed::new(&plan))?);
                    }
                    None => early_rows = Some(map.next_value()?),
                },
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let fields = fields.ok_or_else(|| de::Error::missing_field(FIELDS))?;
        let rows = match (rows, early_rows) {
            (Some(rows), _) => rows,
            (None, Some(raw)) => {
                let plan = Plan::new::<T, A::Error>(&fields)?;
                raw.into_iter()
                    .enumerate()
                    .map(|(index, raw)| {
                        let mut d = serde_json::Deserializer::from_str(raw.get());
                        RowSeed::<T>::new(&plan, index)
                            .deserialize(&mut d)
                            .map_err(de::Error::custom)
                    })
                    .collect::<Result<_, _>>()?
            }
            (None, None) => return Err(de::Error::missing_field(ROWS)),
        };
        Ok(Table { fields, rows })
    }
}

/// How the positions of a table's `Fields` map onto the row model, worked
/// out once per table.
struct Plan<'f> {
    fields: &'f [String],
    /// For each position of `fields`, the model's column index (`None`: a
    /// column the model does not know, skipped); empty when rows decode
    /// through the model's `Deserialize`.
    targets: Vec<Option<usize>>,
    positional: bool,
}

impl<'f> Plan<'f> {
    fn new<T: TableRow, E: de::Error>(fields: &'f [String]) -> Result<Self, E> {
        let positional = T::empty_row().is_some();
        let mut targets = Vec::new();
        if positional {
            targets = fields
                .iter()
                .map(|name| T::COLUMNS.iter().position(|c| c == name))
                .collect();
            for (at, target) in targets.iter().enumerate() {
                if let Some(column) = target
                    && targets[..at].contains(target)
                {
                    return Err(E::duplicate_field(T::COLUMNS[*column]));
                }
            }
            if let Some(&missing) = T::REQUIRED
                .iter()
                .find(|&&column| !targets.contains(&Some(column)))
            {
                return Err(E::missing_field(T::COLUMNS[missing]));
            }
        }
        Ok(Self {
            fields,
            targets,
            positional,
        })
    }

    /// The name of the column at `position`, for errors.
    fn name(&self, position: usize) -> &str {
        self.fields.get(position).map_or("", |n| n.trim())
    }
}

/// Reads the `Rows` array, one row at a time.
struct RowsSeed<'p, 'f, T> {
    plan: &'p Plan<'f>,
    row: PhantomData<T>,
}

impl<'p, 'f, T> RowsSeed<'p, 'f, T> {
    fn new(plan: &'p Plan<'f>) -> Self {
        Self {
            plan,
            row: PhantomData,
        }
    }
}

impl<'de, T: TableRow + Deserialize<'de>> DeserializeSeed<'de> for RowsSeed<'_, '_, T> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: TableRow + Deserialize<'de>> Visitor<'de> for RowsSeed<'_, '_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        if self.plan.positional {
            loop {
                let Some(empty) = T::empty_row() else {
                    return Err(de::Error::custom("the row model has no empty row"));
                };
                // Filled in place: rows are large (a ListInvoices row is
                // about 1 KB); building each on the stack and pushing it
                // made the 100k-row decode ~10 ms slower (150 -> 160 ms).
                rows.push(empty);
                let index = rows.len() - 1;
                let row = RowInto {
                    plan: self.plan,
                    index,
                    row: &mut rows[index],
                };
                if seq.next_element_seed(RawRow(row))?.is_none() {
                    rows.pop();
                    break;
                }
            }
        } else {
            while let Some(row) = seq.next_element_seed(RowSeed::new(self.plan, rows.len()))? {
                rows.push(row);
            }
        }
        Ok(rows)
    }
}

/// Reads one row array as the object it stands for.
struct RowSeed<'p, 'f, T> {
    plan: &'p Plan<'f>,
    index: usize,
    row: PhantomData<T>,
}

impl<'p, 'f, T> RowSeed<'p, 'f, T> {
    fn new(plan: &'p Plan<'f>, index: usize) -> Self {
        Self {
            plan,
            index,
            row: PhantomData,
        }
    }
}

impl<'de, T: TableRow + Deserialize<'de>> DeserializeSeed<'de> for RowSeed<'_, '_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: TableRow + Deserialize<'de>> Visitor<'de> for RowSeed<'_, '_, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} as an array of values", self.index)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        if !self.plan.positional {
            return self.by_name(seq);
        }
        let Some(mut row) = T::empty_row() else {
            return Err(de::Error::custom("the row model has no empty row"));
        };
        RowInto {
            plan: self.plan,
            index: self.index,
            row: &mut row,
        }
        .by_column(seq)?;
        Ok(row)
    }
}

/// Reads one positional row into `row`, which starts out empty.
struct RowInto<'p, 'f, 'r, T> {
    plan: &'p Plan<'f>,
    index: usize,
    row: &'r mut T,
}

impl<'de, T: TableRow> DeserializeSeed<'de> for RowInto<'_, '_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: TableRow> Visitor<'de> for RowInto<'_, '_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} as an array of values", self.index)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.by_column(seq)
    }
}

impl<T: TableRow> RowInto<'_, '_, '_, T> {
    /// Each value straight into its column of the model.
    fn by_column<'de, A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (plan, index) = (self.plan, self.index);
        let mut position = 0;
        loop {
            let target = plan.targets.get(position).copied().flatten();
            let seed = CellSeed(ColumnSeed {
                row: &mut *self.row,
                target,
            });
            match seq.next_element_seed(seed) {
                Ok(Some(())) => position += 1,
                Ok(None) => break,
                Err(e) => {
                    let name = plan.name(position);
                    return Err(de::Error::custom(format_args!(
                        "row {index}: column `{name}`: {e}"
                    )));
                }
            }
        }
        self.finish(position)
    }

    /// Each value of the row's raw text straight into its column.
    fn by_column_text<E: de::Error>(self, raw: &str) -> Result<(), E> {
        let (plan, index) = (self.plan, self.index);
        let row = &mut *self.row;
        let mut values =
            RowText::new(raw).map_err(|e| E::custom(format_args!("row {index}: {e}")))?;
        let split_error = |position: usize, e: &str| {
            let name = plan.name(position);
            E::custom(format_args!("row {index}: column `{name}`: {e}"))
        };
        let mut position = 0;
        loop {
            match values.advance_to_value() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(split_error(position, e)),
            }
            let target = plan.targets.get(position).copied().flatten();
            if let Some(column) = target
                && let Some(len) = row.decode_quick(column, values.rest())
            {
                values.skip_value(len);
                position += 1;
                continue;
            }
            let value = values.take_value().map_err(|e| split_error(position, e))?;
            if let Some(column) = target {
                row.decode_column(column, RawCell::<E>::from_row(value))
                    .map_err(|e| {
                        let name = plan.name(position);
                        E::custom(format_args!("row {index}: column `{name}`: {e}"))
                    })?;
            }
            position += 1;
        }
        self.finish(position)
    }

    /// Checks the row's length after `values` values; the values a short
    /// row lacks read as null.
    fn finish<E: de::Error>(self, values: usize) -> Result<(), E> {
        let (plan, index) = (self.plan, self.index);
        if values > plan.fields.len() {
            return Err(too_long(index, values, plan.fields.len()));
        }
        for at in values..plan.fields.len() {
            if let Some(column) = plan.targets[at] {
                self.row
                    .decode_column(column, de::value::UnitDeserializer::<E>::new())
                    .map_err(|e| {
                        let name = plan.name(at);
                        de::Error::custom(format_args!(
                            "row {index}: column `{name}` (absent): {e}"
                        ))
                    })?;
            }
        }
        Ok(())
    }
}

/// A positional row read from its raw text when the deserializer can lend
/// it (see [`crate::row_text`]), value by value otherwise.
struct RawRow<'p, 'f, 'r, T>(RowInto<'p, 'f, 'r, T>);

impl<'de, T: TableRow> DeserializeSeed<'de> for RawRow<'_, '_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        read_raw(d, self.0)
    }
}

impl<'de, T: TableRow> ReadRawText<'de> for RowInto<'_, '_, '_, T> {
    fn read_raw_text<E: de::Error>(self, raw: &'de str) -> Result<(), E> {
        self.by_column_text(raw)
    }
}

impl<T> RowSeed<'_, '_, T> {
    /// Through the model's `Deserialize`, the row presented as a map.
    fn by_name<'de, A: SeqAccess<'de>>(&self, seq: A) -> Result<T, A::Error>
    where
        T: Deserialize<'de>,
    {
        let index = self.index;
        let fields = self.plan.fields;
        let mut access = RowAccess {
            seq,
            fields,
            column: 0,
            ended: false,
        };
        let row = T::deserialize(de::value::MapAccessDeserializer::new(&mut access))
            .map_err(|e| de::Error::custom(format_args!("row {index}: {e}")))?;
        // Values past the field list still have to be consumed (and counted).
        while !access.ended && access.seq.next_element::<IgnoredAny>()?.is_some() {
            access.column += 1;
        }
        if access.column > fields.len() {
            return Err(too_long(index, access.column, fields.len()));
        }
        Ok(row)
    }
}

fn too_long<E: de::Error>(index: usize, values: usize, fields: usize) -> E {
    E::custom(format_args!(
        "row {index} has {values} values for {fields} fields"
    ))
}

/// Reads one value into its column of the row, or skips it.
struct ColumnSeed<'r, T> {
    row: &'r mut T,
    target: Option<usize>,
}

impl<'de, T: TableRow> DeserializeSeed<'de> for ColumnSeed<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.target {
            Some(column) => self.row.decode_column(column, d),
            None => IgnoredAny::deserialize(d).map(drop),
        }
    }
}

/// Presents a row array as a map from field name to value.
struct RowAccess<'f, A> {
    seq: A,
    fields: &'f [String],
    column: usize,
    /// The row array ended before the field list did.
    ended: bool,
}

impl<'de, A: SeqAccess<'de>> MapAccess<'de> for &mut RowAccess<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        // The model reads keys until there are none; values past the field
        // list are counted (and rejected) by the caller.
        let Some(name) = self.fields.get(self.column) else {
            return Ok(None);
        };
        if self.ended {
            return Ok(None);
        }
        seed.deserialize(StrDeserializer::<A::Error>::new(name.as_str()))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let name = self.fields.get(self.column).map_or("", |n| n.trim());
        self.column += 1;
        let mut slot = Some(seed);
        let value = self
            .seq
            .next_element_seed(CellSeed(Take(&mut slot)))
            .map_err(|e| de::Error::custom(format_args!("column `{name}`: {e}")))?;
        if let Some(value) = value {
            return Ok(value);
        }
        // A short row: the missing trailing values read as null.
        self.ended = true;
        self.column -= 1;
        match slot.take() {
            Some(seed) => seed
                .deserialize(de::value::UnitDeserializer::<A::Error>::new())
                .map_err(|e| de::Error::custom(format_args!("column `{name}` (absent): {e}"))),
            None => Err(de::Error::custom("row value read twice")),
        }
    }
}

/// Lends a seed to `next_element_seed` so it is still there when the
/// array has already ended.
struct Take<'s, V>(&'s mut Option<V>);

impl<'de, V: DeserializeSeed<'de>> DeserializeSeed<'de> for Take<'_, V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        match self.0.take() {
            Some(seed) => seed.deserialize(d),
            None => Err(de::Error::custom("row value read twice")),
        }
    }
}

impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(FIELDS, &self.fields)?;
        map.serialize_entry(
            ROWS,
            &RowsOut {
                fields: &self.fields,
                rows: &self.rows,
            },
        )?;
        map.end()
    }
}

struct RowsOut<'a, T> {
    fields: &'a [String],
    rows: &'a [T],
}

impl<T: Serialize> Serialize for RowsOut<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.rows.len()))?;
        for row in self.rows {
            // Write the row as an object once, then lay its values out in
            // field order; absent values become null.
            let object = match serde_json::to_value(row).map_err(ser::Error::custom)? {
                serde_json::Value::Object(object) => object,
                other => {
                    return Err(ser::Error::custom(format_args!(
                        "a table row must serialize as an object, not {other}"
                    )));
                }
            };
            let values: Vec<&serde_json::Value> = self
                .fields
                .iter()
                .map(|f| object.get(f).unwrap_or(&serde_json::Value::Null))
                .collect();
            seq.serialize_element(&values)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize, Serialize)]
    struct Row {
        #[serde(rename = "ID")]
        id: i64,
        #[serde(rename = "NAME", default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    }

    impl TableRow for Row {
        const COLUMNS: &'static [&'static str] = &["ID", "NAME"];
    }

    #[test]
    fn zips_fields_with_rows() {
        let text = r#"{"Fields": ["ID", "EXTRA", "NAME"], "Rows": [[1, true, "a"], [2, null, null], [3]]}"#;
        let table: Table<Row> = serde_json::from_str(text).unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(
            table.rows[0],
            Row {
                id: 1,
                name: Some("a".into())
            }
        );
        assert_eq!(table.rows[1], Row { id: 2, name: None });
        assert_eq!(table.rows[2], Row { id: 3, name: None });
        assert_eq!(table.unknown_columns(), vec!["EXTRA"]);
        let back = serde_json::to_string(&table).unwrap();
        assert_eq!(
            back,
            r#"{"Fields":["ID","EXTRA","NAME"],"Rows":[[1,null,"a"],[2,null,null],[3,null,null]]}"#
        );
    }

    #[test]
    fn rows_before_fields_still_decode() {
        let text = r#"{"Rows": [[5, "x"]], "Fields": ["ID", "NAME"]}"#;
        let table: Table<Row> = serde_json::from_str(text).unwrap();
        assert_eq!(
            table.rows,
            vec![Row {
                id: 5,
                name: Some("x".into())
            }]
        );
    }

    #[test]
    fn errors_name_row_and_column() {
        let text = r#"{"Fields": ["ID", "NAME"], "Rows": [[]]}"#;
        let err = serde_json::from_str::<Table<Row>>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 0") && err.contains("ID"), "{err}");
        let text = r#"{"Fields": ["ID", "NAME"], "Rows": [[1, "a"], ["x", "b"]]}"#;
        let err = serde_json::from_str::<Table<Row>>(text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 1") && err.contains("column `ID`") && err.contains("x"),
            "{err}"
        );
        let text = r#"{"Fields": ["ID"], "Rows": [[1, "extra"]]}"#;
        let err = serde_json::from_str::<Table<Row>>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 0 has 2 values for 1 fields"), "{err}");
        let err = serde_json::from_str::<Table<Row>>(r#"{"Rows": []}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("Fields"), "{err}");
    }

    /// The same row, decoded column by column as generated rows are.
    #[derive(Debug, Default, PartialEq, Deserialize)]
    struct Positional {
        #[serde(rename = "ID")]
        id: i64,
        #[serde(rename = "NAME", default)]
        name: Option<String>,
    }

    impl TableRow for Positional {
        const COLUMNS: &'static [&'static str] = &["ID", "NAME"];
        const REQUIRED: &'static [usize] = &[0];

        fn empty_row() -> Option<Self> {
            Some(Self::default())
        }

        fn decode_column<'de, D: Deserializer<'de>>(
            &mut self,
            column: usize,
            value: D,
        ) -> Result<(), D::Error> {
            match column {
                0 => self.id = i64::deserialize(value)?,
                1 => self.name = Option::deserialize(value)?,
                _ => IgnoredAny::deserialize(value).map(drop)?,
            }
            Ok(())
        }
    }

    /// Both decoding routes give the same rows and the same errors.
    #[test]
    fn column_by_column_matches_by_name() {
        let good = [
            r#"{"Fields": ["ID", "EXTRA", "NAME"], "Rows": [[1, true, "a"], [2, null, null], [3]]}"#,
            r#"{"Rows": [["x", 5]], "Fields": ["NAME", "ID"]}"#,
            r#"{"Fields": ["NAME", "ID"], "Rows": [["\u10D0\n", 7], [" ", 8]]}"#,
            r#"{"Fields": ["ID"], "Rows": [[1], [2]]}"#,
            r#"{"Fields": ["ID", "EXTRA", "NAME"], "Rows": [ [ 1 , {"a": [1, "]"]} , "q\"x" ] , [2,[[]],"\\"]]}"#,
        ];
        for text in good {
            let by_name: Table<Row> = serde_json::from_str(text).unwrap();
            let by_column: Table<Positional> = serde_json::from_str(text).unwrap();
            let pairs = by_name.rows.iter().zip(&by_column.rows);
            assert_eq!(by_name.len(), by_column.len(), "{text}");
            for (a, b) in pairs {
                assert_eq!((a.id, &a.name), (b.id, &b.name), "{text}");
            }
            // Through a `serde_json::Value` (no borrowed raw text) too.
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let from_value: Table<Positional> = serde_json::from_value(value).unwrap();
            assert_eq!(from_value.rows, by_column.rows, "{text}");
        }
        let bad = [
            (r#"{"Fields": ["ID", "NAME"], "Rows": [[]]}"#, "row 0"),
            (
                r#"{"Fields": ["ID", "NAME"], "Rows": [[1, "a"], ["x", "b"]]}"#,
                "row 1: column `ID`",
            ),
            (
                r#"{"Fields": ["ID"], "Rows": [[1, "extra"]]}"#,
                "row 0 has 2 values for 1 fields",
            ),
            (r#"{"Rows": []}"#, "Fields"),
            (r#"{"Fields": ["ID"], "Rows": [5]}"#, "row 0"),
            (
                r#"{"Fields": ["NAME"], "Rows": [["a"]]}"#,
                "missing field `ID`",
            ),
            (
                r#"{"Fields": ["ID", "ID"], "Rows": []}"#,
                "duplicate field `ID`",
            ),
        ];
        for (text, expected) in bad {
            let err = serde_json::from_str::<Table<Positional>>(text)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn from_rows_uses_the_known_columns() {
        let table = Table::from_rows(vec![Row { id: 1, name: None }]);
        assert_eq!(
            serde_json::to_string(&table).unwrap(),
            r#"{"Fields":["ID","NAME"],"Rows":[[1,null]]}"#
        );
    }
}
