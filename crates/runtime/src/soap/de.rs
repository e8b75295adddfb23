//! A `serde` deserializer over XML elements, read straight from the event
//! stream: an element with children is a map of child element name to
//! value (in document order, repeated names allowed) or a sequence of its
//! children's values; an element with text is that text.
//!
//! Text is handed to visitors with `visit_str`, so the codecs of
//! [`crate::wire`] read it as they read JSON strings; typed requests
//! (`deserialize_i64`, `deserialize_bool`...) parse it. Only non-borrowing
//! `visit_*` calls are made, so this deserializer serves any lifetime and
//! `T: DeserializeOwned`.

use std::fmt;

use quick_xml::events::{BytesStart, Event};
use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::events::{Content, Events, MAX_DEPTH, is_blank, is_nil, local_name};

/// Error of the element deserializer: what was wrong, under which elements
/// (innermost first) and with which text.
#[derive(Debug)]
pub(crate) struct DeError {
    /// What was wrong.
    pub(crate) message: String,
    /// Element names from the offending one outwards.
    pub(crate) path: Vec<String>,
    /// The offending text, when a text value could not be read.
    pub(crate) value: Option<String>,
}

impl DeError {
    fn new(message: String) -> Self {
        Self {
            message,
            path: Vec::new(),
            value: None,
        }
    }

    /// Records the text that could not be read (the innermost one wins).
    fn with_value(mut self, text: &str) -> Self {
        if self.value.is_none() {
            self.value = Some(super::snippet_raw(text));
        }
        self
    }

    /// Records that the error happened inside element `name`.
    fn within(mut self, name: &str) -> Self {
        self.path.push(name.to_owned());
        self
    }
}

impl From<String> for DeError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        Self::new(format!("missing element `{field}`"))
    }
}

/// How an element was opened.
#[derive(Clone, Copy)]
enum Open {
    /// `<a/>`: no content.
    Empty,
    /// `<a>`: content and an end tag follow.
    Start,
}

/// Hands the content of element `start` (its start tag just read) to `f`
/// as the fitting deserializer; text errors carry the text.
fn content_value<'a, T>(
    events: &mut Events<'a>,
    start: &BytesStart<'_>,
    open: Open,
    depth: usize,
    f: impl FnOnce(AnyDe<'_, '_, 'a>) -> Result<T, DeError>,
) -> Result<T, DeError> {
    match (open, is_nil(start)) {
        (Open::Empty, true) => f(AnyDe::Nil),
        (Open::Start, true) => {
            events.skip()?;
            f(AnyDe::Nil)
        }
        (Open::Empty, false) => f(AnyDe::Text("")).map_err(|e| e.with_value("")),
        (Open::Start, false) => match events.read_content()? {
            Content::Text(text) => f(AnyDe::Text(&text)).map_err(|e| e.with_value(&text)),
            Content::Children => f(AnyDe::Element(ElementDe::new(events, depth + 1))),
        },
    }
}

/// Decodes the value of element `start` (its start tag just read) with
/// `seed`; errors name the element and, for text, the text.
fn element_value<'de, S: DeserializeSeed<'de>>(
    events: &mut Events<'_>,
    start: &BytesStart<'_>,
    open: Open,
    depth: usize,
    seed: S,
) -> Result<S::Value, DeError> {
    content_value(events, start, open, depth, |d| seed.deserialize(d))
        .map_err(|e| e.within(local_name(start)))
}

/// The value of a map entry: the element's content, or, for a sequence,
/// either its children (`<ids><id>1</id><id>2</id></ids>`) or, when it
/// holds text, it and the siblings of the same name that follow it
/// (`<id>1</id><id>2</id>`, an unbounded element of the WSDL).
struct EntryDe<'r, 'a> {
    events: &'r mut Events<'a>,
    start: BytesStart<'a>,
    open: Open,
    depth: usize,
}

impl EntryDe<'_, '_> {
    fn resolve<T>(
        self,
        f: impl FnOnce(AnyDe<'_, '_, '_>) -> Result<T, DeError>,
    ) -> Result<T, DeError> {
        let EntryDe {
            events,
            start,
            open,
            depth,
        } = self;
        content_value(events, &start, open, depth, f).map_err(|e| e.within(local_name(&start)))
    }

    fn sequence<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let EntryDe {
            events,
            start,
            open,
            depth,
        } = self;
        let name = local_name(&start);
        let result = match (open, is_nil(&start)) {
            (Open::Start, true) => match events.skip() {
                Ok(()) => visitor.visit_seq(EmptySeq),
                Err(e) => Err(DeError::new(e)),
            },
            (Open::Empty, _) => visitor.visit_seq(EmptySeq),
            (Open::Start, false) => match events.read_content() {
                Ok(Content::Children) => ElementDe::new(events, depth + 1).deserialize_seq(visitor),
                Ok(Content::Text(text)) => {
                    let mut seq = SiblingSeq {
                        events,
                        name,
                        first: Some(text),
                        depth,
                    };
                    visitor.visit_seq(&mut seq)
                }
                Err(e) => Err(DeError::new(e)),
            },
        };
        result.map_err(|e| e.within(name))
    }
}

/// Forwards `Deserializer` methods of [`EntryDe`] to its content.
macro_rules! forward_entry {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, DeError> {
            self.resolve(|d| d.$method($($arg,)* visitor))
        }
    )*};
}

impl<'de> Deserializer<'de> for EntryDe<'_, '_> {
    type Error = DeError;

    forward_entry! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(), deserialize_ignored_any(),
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if is_nil(&self.start) {
            self.resolve(|d| d.deserialize_option(visitor))
        } else {
            // Keep the entry (not its content) so `Option<Vec<_>>` still
            // gathers repeated siblings.
            visitor.visit_some(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }
}

/// Items of a sequence spelled as repeated sibling elements: the first
/// one's text, then each following sibling of the same name.
struct SiblingSeq<'r, 'a, 'n> {
    events: &'r mut Events<'a>,
    name: &'n str,
    first: Option<std::borrow::Cow<'a, str>>,
    depth: usize,
}

impl<'de> SeqAccess<'de> for SiblingSeq<'_, '_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if let Some(text) = self.first.take() {
            return seed
                .deserialize(TextDe(&text))
                .map(Some)
                .map_err(|e| e.with_value(&text));
        }
        loop {
            let (start, open) = match self.events.next()? {
                Event::Text(t) if is_blank(&t) => continue,
                Event::Start(e) if local_name(&e) == self.name => (e, Open::Start),
                Event::Empty(e) if local_name(&e) == self.name => (e, Open::Empty),
                other => {
                    self.events.push_back(other);
                    return Ok(None);
                }
            };
            return content_value(self.events, &start, open, self.depth, |d| {
                seed.deserialize(d)
            })
            .map(Some);
        }
    }
}

/// A sequence without items.
struct EmptySeq;

impl<'de> SeqAccess<'de> for EmptySeq {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        _seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        Ok(None)
    }
}

/// The content of an element: nothing (`xsi:nil`), text, or children.
enum AnyDe<'x, 'r, 'a> {
    Nil,
    Text(&'x str),
    Element(ElementDe<'r, 'a>),
}

/// Forwards `Deserializer` methods of [`AnyDe`] to the variant's own.
macro_rules! forward_any {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, DeError> {
            match self {
                AnyDe::Nil => NilDe.$method($($arg,)* visitor),
                AnyDe::Text(text) => TextDe(text).$method($($arg,)* visitor),
                AnyDe::Element(element) => element.$method($($arg,)* visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for AnyDe<'_, '_, '_> {
    type Error = DeError;

    forward_any! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(),
        deserialize_tuple(len: usize), deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_map(), deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(), deserialize_ignored_any(),
    }
}

/// An element whose start tag has been read and whose content (children,
/// or text for the map/sequence forms' empty case) follows.
pub(crate) struct ElementDe<'r, 'a> {
    events: &'r mut Events<'a>,
    depth: usize,
}

impl<'r, 'a> ElementDe<'r, 'a> {
    /// The element just opened, at nesting `depth`.
    pub(crate) fn new(events: &'r mut Events<'a>, depth: usize) -> Self {
        Self { events, depth }
    }

    fn check_depth(&self) -> Result<(), DeError> {
        if self.depth > MAX_DEPTH {
            return Err(DeError::new(format!(
                "elements are nested more than {MAX_DEPTH} deep"
            )));
        }
        Ok(())
    }
}

impl<'de> Deserializer<'de> for ElementDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.check_depth()?;
        let mut map = ElementMap {
            events: self.events,
            depth: self.depth,
            pending: None,
            ended: false,
        };
        let value = visitor.visit_map(&mut map)?;
        map.finish()?;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.check_depth()?;
        let mut seq = ElementSeq {
            events: self.events,
            depth: self.depth,
            ended: false,
        };
        let value = visitor.visit_seq(&mut seq)?;
        seq.finish()?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.events.skip()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct enum identifier
    }
}

/// The children of an element as map entries.
struct ElementMap<'r, 'a> {
    events: &'r mut Events<'a>,
    depth: usize,
    /// The start tag of the entry whose key was read and whose value was not.
    pending: Option<(BytesStart<'a>, Open)>,
    /// Whether the element's end tag has been read.
    ended: bool,
}

impl ElementMap<'_, '_> {
    /// Consumes what the visitor left: a pending value, further children,
    /// the end tag.
    fn finish(&mut self) -> Result<(), DeError> {
        if let Some((_, Open::Start)) = self.pending.take() {
            self.events.skip()?;
        }
        if !self.ended {
            self.events.skip()?;
            self.ended = true;
        }
        Ok(())
    }
}

impl<'de> MapAccess<'de> for ElementMap<'_, '_> {
    type Error = DeError;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if let Some((_, Open::Start)) = self.pending.take() {
            // The visitor skipped a value.
            self.events.skip()?;
        }
        if self.ended {
            return Ok(None);
        }
        loop {
            let (start, open) = match self.events.next()? {
                Event::Start(e) => (e, Open::Start),
                Event::Empty(e) => (e, Open::Empty),
                Event::End(_) => {
                    self.ended = true;
                    return Ok(None);
                }
                Event::Text(t) if is_blank(&t) => continue,
                Event::Text(t) => {
                    return Err(DeError::new(format!(
                        "text `{}` is mixed with child elements",
                        super::snippet(&t)
                    )));
                }
                Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(DeError::new("text is mixed with child elements".into()));
                }
                Event::Eof => return Err(DeError::new(self.events.eof())),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {
                    continue;
                }
            };
            let key = seed.deserialize(KeyDe(local_name(&start)))?;
            self.pending = Some((start, open));
            return Ok(Some(key));
        }
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((start, open)) = self.pending.take() else {
            return Err(DeError::new(
                "a map value was asked for before its key".into(),
            ));
        };
        seed.deserialize(EntryDe {
            events: self.events,
            start,
            open,
            depth: self.depth,
        })
    }
}

/// The children of an element as the items of a sequence (`<ids><id>1</id>
/// <id>2</id></ids>` is `[1, 2]`), whatever their names.
struct ElementSeq<'r, 'a> {
    events: &'r mut Events<'a>,
    depth: usize,
    ended: bool,
}

impl ElementSeq<'_, '_> {
    fn finish(&mut self) -> Result<(), DeError> {
        if !self.ended {
            self.events.skip()?;
            self.ended = true;
        }
        Ok(())
    }
}

impl<'de> SeqAccess<'de> for ElementSeq<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.ended {
            return Ok(None);
        }
        loop {
            let (start, open) = match self.events.next()? {
                Event::Start(e) => (e, Open::Start),
                Event::Empty(e) => (e, Open::Empty),
                Event::End(_) => {
                    self.ended = true;
                    return Ok(None);
                }
                Event::Text(t) if is_blank(&t) => continue,
                Event::Eof => return Err(DeError::new(self.events.eof())),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {
                    continue;
                }
                _ => return Err(DeError::new("text is mixed with child elements".into())),
            };
            return element_value(self.events, &start, open, self.depth, seed).map(Some);
        }
    }
}

/// A map key: an element's local name.
struct KeyDe<'x>(&'x str);

impl<'de> Deserializer<'de> for KeyDe<'_> {
    type Error = DeError;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum ignored_any
    }
}

/// An element with `xsi:nil="true"`: `None`, or `null` to `deserialize_any`.
struct NilDe;

impl<'de> Deserializer<'de> for NilDe {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The text of an element.
pub(crate) struct TextDe<'x>(pub(crate) &'x str);

impl TextDe<'_> {
    fn invalid(&self, expected: &str) -> DeError {
        de::Error::invalid_value(de::Unexpected::Str(self.0), &expected)
    }
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident: $t:ty, $what:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.0.trim().parse::<$t>() {
                Ok(v) => visitor.$visit(v),
                Err(_) => Err(self.invalid($what)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for TextDe<'_> {
    type Error = DeError;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // xs:boolean is `true`/`false`/`1`/`0`; .NET also writes `True`.
        let t = self.0.trim();
        if t.eq_ignore_ascii_case("true") || t == "1" {
            visitor.visit_bool(true)
        } else if t.eq_ignore_ascii_case("false") || t == "0" {
            visitor.visit_bool(false)
        } else {
            Err(self.invalid("a boolean (true, false, 1 or 0)"))
        }
    }

    parse_number! {
        deserialize_i8 => visit_i8: i8, "an integer in the range of i8";
        deserialize_i16 => visit_i16: i16, "an integer in the range of i16";
        deserialize_i32 => visit_i32: i32, "an integer in the range of i32";
        deserialize_i64 => visit_i64: i64, "an integer in the range of i64";
        deserialize_i128 => visit_i128: i128, "an integer in the range of i128";
        deserialize_u8 => visit_u8: u8, "an integer in the range of u8";
        deserialize_u16 => visit_u16: u16, "an integer in the range of u16";
        deserialize_u32 => visit_u32: u32, "an integer in the range of u32";
        deserialize_u64 => visit_u64: u64, "an integer in the range of u64";
        deserialize_u128 => visit_u128: u128, "an integer in the range of u128";
        deserialize_f32 => visit_f32: f32, "a number";
        deserialize_f64 => visit_f64: f64, "a number";
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let mut chars = self.0.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => Err(self.invalid("a single character")),
        }
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bytes(self.0.as_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bytes(self.0.as_bytes())
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // An element with no children is an empty map (`<Response/>`).
        if is_blank(self.0) {
            visitor.visit_map(de::value::MapDeserializer::<
                std::iter::Empty<(&str, &str)>,
                DeError,
            >::new(std::iter::empty()))
        } else {
            visitor.visit_str(self.0)
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // An element with no children is an empty list.
        if is_blank(self.0) {
            visitor.visit_seq(
                de::value::SeqDeserializer::<std::iter::Empty<&str>, DeError>::new(
                    std::iter::empty(),
                ),
            )
        } else {
            visitor.visit_str(self.0)
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // A unit variant named by the text.
        visitor.visit_enum(self.0.into_deserializer())
    }

    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    #[inline]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}
