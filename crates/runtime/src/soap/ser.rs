//! A `serde` serializer writing values as XML elements, the inverse of the
//! element deserializer: a struct's fields become child elements in field
//! order, a scalar becomes text, `None` is omitted, a sequence is the
//! element repeated.
//!
//! Scalars are written as the codecs of [`crate::wire`] hand them over
//! (`"true"`, `731937`, `15.25`, formatted dates), so a typed request or
//! reply struct goes on the wire exactly as its JSON twin would, minus the
//! quotes.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap, SerializeSeq, SerializeStruct, Serializer};

use super::write::{DataTableWriter, EnvelopeWriter, check_name, text_problem};

/// Struct name under which `serde_json` (feature `arbitrary_precision`)
/// hands out a number's text, as [`crate::wire::LenientNumber`] writes
/// decimals.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Error of the element serializer: what was wrong and under which fields
/// (innermost first).
#[derive(Debug)]
pub(crate) struct SerError {
    message: String,
    path: Vec<String>,
}

impl SerError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            path: Vec::new(),
        }
    }

    fn within(mut self, name: &str) -> Self {
        self.path.push(name.to_owned());
        self
    }

    /// The message with its element path (`outer.inner: message`).
    pub(crate) fn describe(&self) -> String {
        if self.path.is_empty() {
            return self.message.clone();
        }
        let path: Vec<&str> = self.path.iter().rev().map(String::as_str).collect();
        format!("`{}`: {}", path.join("."), self.message)
    }
}

impl From<super::SoapError> for SerError {
    fn from(e: super::SoapError) -> Self {
        match e {
            super::SoapError::Encode(message) => Self::new(message),
            other => Self::new(other.to_string()),
        }
    }
}

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg.to_string())
    }
}

impl EnvelopeWriter {
    /// Writes each field of `value` (a struct or map) as a child element,
    /// in field order: scalars as text, `None` omitted, nested structs as
    /// nested elements, sequences as the element repeated
    /// (`struct Ids { id: Vec<i32> }` is `<id>1</id><id>2</id>`). Typed
    /// requests (in WSDL field order) and replies (the result field, then
    /// the out parameters) go on the wire this way.
    ///
    /// # Errors
    /// [`SoapError::Encode`](super::SoapError::Encode) naming the field when
    /// `value` is not a struct or map, a value cannot be text (bytes, enum
    /// variants with data), or a text cannot be written.
    pub fn fields<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<&mut Self, super::SoapError> {
        value
            .serialize(TopSer { env: self })
            .map_err(|e| super::SoapError::Encode(e.describe()))?;
        Ok(self)
    }
}

impl DataTableWriter<'_> {
    /// Writes a row from `row` (a struct or map of scalars): each field is a
    /// column, in field order; `None` is a null (omitted).
    ///
    /// # Errors
    /// [`SoapError::Encode`](super::SoapError::Encode) naming the column
    /// when `row` is not a struct or map, a value is not a scalar, or a
    /// text cannot be written.
    pub fn serialize_row<T: Serialize + ?Sized>(
        &mut self,
        row: &T,
    ) -> Result<&mut Self, super::SoapError> {
        let mut columns = RowSer {
            columns: Vec::new(),
            key: None,
        };
        row.serialize(&mut columns)
            .map_err(|e| super::SoapError::Encode(e.describe()))?;
        self.row(
            columns
                .columns
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_deref())),
        )
    }
}

/// The error for a value that is not what the position allows.
fn unsupported(what: &str, expected: &str) -> SerError {
    SerError::new(format!("cannot write {what} as {expected}"))
}

// ---------------------------------------------------------------------------
// Scalars to text
// ---------------------------------------------------------------------------

/// A scalar to its text; `None` for a null.
struct TextSer;

impl Serializer for TextSer {
    type Ok = Option<String>;
    type Error = SerError;
    type SerializeSeq = Impossible<Option<String>, SerError>;
    type SerializeTuple = Impossible<Option<String>, SerError>;
    type SerializeTupleStruct = Impossible<Option<String>, SerError>;
    type SerializeTupleVariant = Impossible<Option<String>, SerError>;
    type SerializeMap = Impossible<Option<String>, SerError>;
    type SerializeStruct = NumberText;
    type SerializeStructVariant = Impossible<Option<String>, SerError>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, SerError> {
        Ok(Some(if v { "true" } else { "false" }.to_owned()))
    }

    fn serialize_i8(self, v: i8) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_i16(self, v: i16) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_i32(self, v: i32) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_i64(self, v: i64) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_i128(self, v: i128) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_u8(self, v: u8) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_u16(self, v: u16) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_u32(self, v: u32) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_u64(self, v: u64) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_u128(self, v: u128) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_f32(self, v: f32) -> Result<Self::Ok, SerError> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<Self::Ok, SerError> {
        if v.is_finite() {
            Ok(Some(v.to_string()))
        } else {
            Err(SerError::new(format!(
                "cannot write the non-finite number {v}"
            )))
        }
    }

    fn serialize_char(self, v: char) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<Self::Ok, SerError> {
        Ok(Some(v.to_owned()))
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<Self::Ok, SerError> {
        Err(unsupported("bytes", "text"))
    }

    fn serialize_none(self) -> Result<Self::Ok, SerError> {
        Ok(None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, SerError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Self::Ok, SerError> {
        Ok(Some(String::new()))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Self::Ok, SerError> {
        Ok(Some(String::new()))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, SerError> {
        Ok(Some(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, SerError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Self::Ok, SerError> {
        Err(unsupported("an enum variant with data", "text"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(unsupported("a sequence", "text"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(unsupported("a tuple", "text"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(unsupported("a tuple", "text"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(unsupported("an enum variant with data", "text"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(unsupported("a map", "text"))
    }

    fn serialize_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        if name == NUMBER_TOKEN {
            Ok(NumberText(None))
        } else {
            Err(unsupported(&format!("struct `{name}`"), "text"))
        }
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(unsupported("an enum variant with data", "text"))
    }
}

/// The text of an arbitrary-precision number.
struct NumberText(Option<String>);

impl SerializeStruct for NumberText {
    type Ok = Option<String>;
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.0 = value.serialize(TextSer)?;
        Ok(())
    }

    fn end(self) -> Result<Option<String>, SerError> {
        Ok(self.0)
    }
}

// ---------------------------------------------------------------------------
// Values to elements
// ---------------------------------------------------------------------------

/// The top level: a struct or map whose fields are written as elements
/// where the writer stands.
struct TopSer<'w> {
    env: &'w mut EnvelopeWriter,
}

/// A value written as element `name` (nothing for `None`).
struct ElementSer<'w, 'n> {
    env: &'w mut EnvelopeWriter,
    name: &'n str,
}

impl ElementSer<'_, '_> {
    fn text(self, text: Option<String>) -> Result<(), SerError> {
        let Some(text) = text else {
            return Ok(());
        };
        check_name(self.name)?;
        if let Some(problem) = text_problem(&text) {
            // The caller adds the element's name.
            return Err(SerError::new(problem));
        }
        self.env.text_unchecked(self.name, &text)?;
        Ok(())
    }
}

/// Fields of a struct or map, each written as an element; closes the
/// enclosing element at the end when `close`.
struct FieldsSer<'w> {
    env: &'w mut EnvelopeWriter,
    key: Option<String>,
    close: bool,
}

impl FieldsSer<'_> {
    fn end_fields(self) -> Result<(), SerError> {
        if self.close {
            self.env.end()?;
        }
        Ok(())
    }
}

impl SerializeStruct for FieldsSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        value
            .serialize(ElementSer {
                env: self.env,
                name: key,
            })
            .map_err(|e| e.within(key))
    }

    fn end(self) -> Result<(), SerError> {
        self.end_fields()
    }
}

impl SerializeMap for FieldsSer<'_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.key = key.serialize(TextSer)?;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let Some(key) = self.key.take() else {
            return Err(SerError::new("a map key is null"));
        };
        value
            .serialize(ElementSer {
                env: self.env,
                name: &key,
            })
            .map_err(|e| e.within(&key))
    }

    fn end(self) -> Result<(), SerError> {
        self.end_fields()
    }
}

/// A struct as an element: the number token's text, or nested elements.
enum StructSer<'w, 'n> {
    Number(NumberText, ElementSer<'w, 'n>),
    Fields(FieldsSer<'w>),
}

impl SerializeStruct for StructSer<'_, '_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        match self {
            StructSer::Number(text, _) => text.serialize_field(key, value),
            StructSer::Fields(fields) => fields.serialize_field(key, value),
        }
    }

    fn end(self) -> Result<(), SerError> {
        match self {
            StructSer::Number(text, element) => element.text(text.0),
            StructSer::Fields(fields) => SerializeStruct::end(fields),
        }
    }
}

/// Items of a sequence, each written as the same element.
struct RepeatSer<'w, 'n> {
    env: &'w mut EnvelopeWriter,
    name: &'n str,
}

impl SerializeSeq for RepeatSer<'_, '_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        value.serialize(ElementSer {
            env: self.env,
            name: self.name,
        })
    }

    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

impl ser::SerializeTuple for RepeatSer<'_, '_> {
    type Ok = ();
    type Error = SerError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

/// Scalars of an element serializer go through [`TextSer`].
macro_rules! scalars_as_text {
    ($($method:ident($t:ty)),* $(,)?) => {$(
        fn $method(self, v: $t) -> Result<(), SerError> {
            let text = TextSer.$method(v)?;
            self.text(text)
        }
    )*};
}

impl<'w, 'n> Serializer for ElementSer<'w, 'n> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = RepeatSer<'w, 'n>;
    type SerializeTuple = RepeatSer<'w, 'n>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = FieldsSer<'w>;
    type SerializeStruct = StructSer<'w, 'n>;
    type SerializeStructVariant = Impossible<(), SerError>;

    scalars_as_text! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_f32(f32),
        serialize_f64(f64), serialize_char(char), serialize_str(&str), serialize_bytes(&[u8]),
    }

    fn serialize_none(self) -> Result<(), SerError> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SerError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), SerError> {
        self.text(Some(String::new()))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), SerError> {
        self.text(Some(String::new()))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), SerError> {
        self.text(Some(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), SerError> {
        Err(unsupported("an enum variant with data", "an element"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Ok(RepeatSer {
            env: self.env,
            name: self.name,
        })
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Ok(RepeatSer {
            env: self.env,
            name: self.name,
        })
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(unsupported("a tuple struct", "an element"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(unsupported("an enum variant with data", "an element"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        self.env.start(self.name)?;
        Ok(FieldsSer {
            env: self.env,
            key: None,
            close: true,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        if name == NUMBER_TOKEN {
            return Ok(StructSer::Number(NumberText(None), self));
        }
        self.env.start(self.name)?;
        Ok(StructSer::Fields(FieldsSer {
            env: self.env,
            key: None,
            close: true,
        }))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(unsupported("an enum variant with data", "an element"))
    }
}

/// Anything but a struct, a map or nothing at the top level.
fn not_fields() -> SerError {
    SerError::new("expected a struct or map whose fields are the elements")
}

impl<'w> Serializer for TopSer<'w> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Impossible<(), SerError>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = FieldsSer<'w>;
    type SerializeStruct = FieldsSer<'w>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn serialize_bool(self, _v: bool) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_i8(self, _v: i8) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_i16(self, _v: i16) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_i32(self, _v: i32) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_i64(self, _v: i64) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_u8(self, _v: u8) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_u16(self, _v: u16) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_u32(self, _v: u32) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_u64(self, _v: u64) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_f32(self, _v: f32) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_f64(self, _v: f64) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_char(self, _v: char) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_str(self, _v: &str) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_none(self) -> Result<(), SerError> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SerError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), SerError> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), SerError> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), SerError> {
        Err(not_fields())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(not_fields())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(not_fields())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(not_fields())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(not_fields())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Ok(FieldsSer {
            env: self.env,
            key: None,
            close: false,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        Ok(FieldsSer {
            env: self.env,
            key: None,
            close: false,
        })
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(not_fields())
    }
}

// ---------------------------------------------------------------------------
// Rows to columns
// ---------------------------------------------------------------------------

/// Collects a row's columns: field name and text (`None` for a null).
struct RowSer {
    columns: Vec<(String, Option<String>)>,
    key: Option<String>,
}

impl SerializeStruct for &mut RowSer {
    type Ok = ();
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        let text = value.serialize(TextSer).map_err(|e| e.within(key))?;
        self.columns.push((key.to_owned(), text));
        Ok(())
    }

    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

impl SerializeMap for &mut RowSer {
    type Ok = ();
    type Error = SerError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.key = key.serialize(TextSer)?;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let Some(key) = self.key.take() else {
            return Err(SerError::new("a column name is null"));
        };
        let text = value.serialize(TextSer).map_err(|e| e.within(&key))?;
        self.columns.push((key, text));
        Ok(())
    }

    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

/// Anything but a struct or map as a row.
fn not_row() -> SerError {
    SerError::new("expected a struct or map whose fields are the columns")
}

impl<'r> Serializer for &'r mut RowSer {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Impossible<(), SerError>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = &'r mut RowSer;
    type SerializeStruct = &'r mut RowSer;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn serialize_bool(self, _v: bool) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_i8(self, _v: i8) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_i16(self, _v: i16) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_i32(self, _v: i32) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_i64(self, _v: i64) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_u8(self, _v: u8) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_u16(self, _v: u16) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_u32(self, _v: u32) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_u64(self, _v: u64) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_f32(self, _v: f32) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_f64(self, _v: f64) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_char(self, _v: char) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_str(self, _v: &str) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_none(self) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SerError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), SerError> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), SerError> {
        Err(not_row())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(not_row())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(not_row())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(not_row())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(not_row())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Ok(self)
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(not_row())
    }
}
