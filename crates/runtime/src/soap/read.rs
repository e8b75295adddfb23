//! Reading SOAP messages: locate the body element (or the fault), then
//! decode its children or stream a `DataTable` result row by row.

use std::marker::PhantomData;

use quick_xml::events::{BytesStart, Event};
use serde::de::DeserializeOwned;

use super::de::{DeError, ElementDe, TextDe};
use super::events::{Content, Events, attribute_exact, is_blank, is_nil, local_name, prefix};
use super::table::{DataTable, TableSchema};
use super::{DecodeError, SoapError, SoapFault, SoapVersion, snippet};

/// Where a [`BodyReader`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Inside the body element, before its next child.
    Children,
    /// Inside a `DataTable` result with `open` elements still open: 3 while
    /// rows follow (the rows' parent, `diffgr:diffgram`, the result).
    Table { open: usize },
    /// The body element has been read to its end.
    Done,
    /// A read failed part-way; the position in the message is unknown.
    Failed,
}

/// A SOAP message opened at its body element, e.g. `<chekResponse>` of a
/// reply or `<chek>` of a request, whose children are read next.
///
/// ```
/// # use taxsdk_runtime::soap::BodyReader;
/// #[derive(serde::Deserialize)]
/// struct Chek {
///     #[serde(rename = "chekResult")]
///     ok: bool,
///     user_id: i32,
/// }
/// let body = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
///   <chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult><user_id>783</user_id><sua>9</sua></chekResponse>
/// </soap:Body></soap:Envelope>"#;
/// let reply: Chek = BodyReader::reply(body, "chek")?.decode()?;
/// assert!(reply.ok);
/// assert_eq!(reply.user_id, 783);
/// # Ok::<(), taxsdk_runtime::soap::SoapError>(())
/// ```
pub struct BodyReader<'a> {
    events: Events<'a>,
    version: SoapVersion,
    element: String,
    namespace: Option<String>,
    /// Element name of the result (`{op}Result`), for replies.
    result: Option<String>,
    state: State,
}

impl std::fmt::Debug for BodyReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyReader")
            .field("version", &self.version)
            .field("element", &self.element)
            .field("namespace", &self.namespace)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<'a> BodyReader<'a> {
    /// Opens the reply of `operation`: the body must hold
    /// `<{operation}Response>`.
    ///
    /// # Errors
    /// [`SoapError::Fault`] when the body holds a fault,
    /// [`SoapError::NotSoap`] when the body is not a SOAP envelope (an HTML
    /// page, empty, not XML), [`SoapError::Decode`] when the envelope holds
    /// something else or is malformed.
    pub fn reply(body: &'a [u8], operation: &str) -> Result<Self, SoapError> {
        let mut reader = Self::open(body)?;
        let expected = format!("{operation}Response");
        if reader.element != expected {
            return Err(SoapError::decode(
                "",
                format!(
                    "expected `<{expected}>` in soap:Body, found `<{}>`",
                    reader.element
                ),
            ));
        }
        reader.result = Some(format!("{operation}Result"));
        Ok(reader)
    }

    /// Opens a request: the body element names the operation
    /// ([`BodyReader::element`]) and its children are the parameters.
    ///
    /// # Errors
    /// As [`BodyReader::reply`].
    pub fn request(body: &'a [u8]) -> Result<Self, SoapError> {
        Self::open(body)
    }

    /// The envelope's SOAP version.
    #[must_use]
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// Local name of the body element (`chekResponse`, `chek`).
    #[must_use]
    pub fn element(&self) -> &str {
        &self.element
    }

    /// Default namespace declared on the body element
    /// (`http://tempuri.org/`), if any.
    #[must_use]
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Decodes the remaining children of the body element into `T`, as a
    /// map from element name to value: the result and the out parameters
    /// of a reply (`chekResult`, `user_id`, `sua`), the parameters of a
    /// request. Order does not matter; an absent element is an absent field
    /// (use `#[serde(default)]`), an empty one is `""`, `xsi:nil` is `None`;
    /// child elements make nested maps (or sequences, for `Vec` fields).
    ///
    /// A `DataTable` result read with [`BodyReader::rows`] before is
    /// skipped to its end first.
    ///
    /// # Errors
    /// [`SoapError::Decode`] naming the element and the text that could
    /// not be read, or a malformed message.
    pub fn decode<T: DeserializeOwned>(mut self) -> Result<T, SoapError> {
        self.finish_table()?;
        let decoded = match self.state {
            State::Children => T::deserialize(ElementDe::new(&mut self.events, 1)),
            State::Done => T::deserialize(TextDe("")),
            State::Table { .. } | State::Failed => return Err(self.failed()),
        };
        decoded.map_err(|e| convert(e, &self.element, None, None))
    }

    /// Reads the `DataTable` result (`{op}Result`: an inline schema, then a
    /// `diffgr:diffgram`) into rows of `T`.
    ///
    /// A missing result, an empty diffgram and a diffgram without rows are
    /// empty tables. Out parameters after the table can be read with
    /// [`BodyReader::decode`].
    ///
    /// # Errors
    /// [`SoapError::Decode`] naming the row (from 0), the column and its
    /// text when a value cannot be read, or a malformed message.
    pub fn table<T: DeserializeOwned>(&mut self) -> Result<DataTable<T>, SoapError> {
        let mut rows = self.rows::<T>()?;
        let mut out = Vec::new();
        for row in &mut rows {
            out.push(row?);
        }
        Ok(DataTable {
            schema: rows.into_schema(),
            rows: out,
        })
    }

    /// Like [`BodyReader::table`] but hands each row to `f` as it is
    /// decoded, so a huge table is never held in memory; returns the
    /// table's schema.
    ///
    /// # Errors
    /// As [`BodyReader::table`]; rows before a failing one have been handed
    /// to `f`.
    pub fn for_each_row<T: DeserializeOwned>(
        &mut self,
        mut f: impl FnMut(T),
    ) -> Result<TableSchema, SoapError> {
        let mut rows = self.rows::<T>()?;
        for row in &mut rows {
            f(row?);
        }
        Ok(rows.into_schema())
    }

    /// Opens the `DataTable` result and returns an iterator over its rows,
    /// decoded one at a time. Dropping the iterator early is fine:
    /// [`BodyReader::decode`] skips the rest of the table.
    ///
    /// # Errors
    /// [`SoapError::Decode`] when the message is malformed before the first
    /// row.
    pub fn rows<T: DeserializeOwned>(&mut self) -> Result<Rows<'_, 'a, T>, SoapError> {
        let schema = match self.open_table() {
            Ok(schema) => schema,
            Err(e) => {
                self.state = State::Failed;
                return Err(e);
            }
        };
        let done = !matches!(self.state, State::Table { .. });
        Ok(Rows {
            reader: self,
            schema,
            index: 0,
            done,
            row: PhantomData,
        })
    }

    /// The error for reading on after a failure.
    fn failed(&self) -> SoapError {
        SoapError::decode(
            self.element.clone(),
            "an earlier error left the reader inside the message",
        )
    }

    /// A decoding error inside the body element.
    fn error(&mut self, message: String) -> SoapError {
        self.state = State::Failed;
        SoapError::decode(self.element.clone(), message)
    }

    /// Skips what is left of a table being read.
    fn finish_table(&mut self) -> Result<(), SoapError> {
        if let State::Table { open } = self.state {
            for _ in 0..open {
                if let Err(e) = self.events.skip() {
                    return Err(self.error(e));
                }
            }
            self.state = State::Children;
        }
        Ok(())
    }

    /// Finds the result, reads its schema and enters its rows (state
    /// `Table { open: 3 }`), or leaves the state at `Children`/`Done` when
    /// there are no rows.
    fn open_table(&mut self) -> Result<TableSchema, SoapError> {
        self.finish_table()?;
        match self.state {
            State::Children => {}
            State::Done => return Ok(TableSchema::default()),
            State::Table { .. } | State::Failed => return Err(self.failed()),
        }
        let result_name = self.result.clone();
        let start = loop {
            match self.events.next().map_err(|e| self.error(e))? {
                Event::Start(e) if result_name.as_deref().is_none_or(|r| local_name(&e) == r) => {
                    break e;
                }
                // An empty result: an empty table.
                Event::Empty(e) if result_name.as_deref().is_none_or(|r| local_name(&e) == r) => {
                    return Ok(TableSchema::default());
                }
                // No result element (a null table): leave the element for
                // `decode`.
                event @ (Event::Start(_) | Event::Empty(_)) => {
                    self.events.push_back(event);
                    return Ok(TableSchema::default());
                }
                Event::End(_) => {
                    self.state = State::Done;
                    return Ok(TableSchema::default());
                }
                Event::Text(t) if is_blank(&t) => {}
                Event::Eof => {
                    let eof = self.events.eof();
                    return Err(self.error(eof));
                }
                _ => return Err(self.error("text among the reply's elements".into())),
            }
        };
        let name = local_name(&start).to_owned();
        let path = |message: String| SoapError::decode(name.clone(), message);
        if is_nil(&start) {
            self.events.skip().map_err(path)?;
            return Ok(TableSchema::default());
        }
        let mut schema = TableSchema::default();
        loop {
            match self.events.next().map_err(path)? {
                Event::Start(e) if local_name(&e) == "schema" => {
                    schema = TableSchema::read(&mut self.events).map_err(path)?;
                }
                Event::Start(e) if local_name(&e) == "diffgram" => {
                    // Without rows' parent the diffgram has ended: look on.
                    match self.enter_rows() {
                        Ok(true) => {
                            self.state = State::Table { open: 3 };
                            return Ok(schema);
                        }
                        Ok(false) => {}
                        Err(e) => return Err(path(e)),
                    }
                }
                Event::Start(_) => self.events.skip().map_err(path)?,
                Event::End(_) => return Ok(schema),
                Event::Eof => return Err(path(self.events.eof())),
                Event::Text(t) if !is_blank(&t) => {
                    return Err(path(format!(
                        "expected a DataTable (xs:schema and diffgr:diffgram), found text `{}`",
                        snippet(&t)
                    )));
                }
                _ => {}
            }
        }
    }

    /// Inside `diffgr:diffgram`, finds the rows' parent element
    /// (`DocumentElement` or `NewDataSet`) and opens it: `true`. `false`
    /// when the diffgram ends without one (its end tag is read).
    fn enter_rows(&mut self) -> Result<bool, String> {
        loop {
            match self.events.next()? {
                // `diffgr:before` / `diffgr:errors` hold old versions and
                // errors of changed rows, not rows.
                Event::Start(e) if prefix(&e) == Some("diffgr") => self.events.skip()?,
                Event::Start(_) => return Ok(true),
                Event::End(_) => return Ok(false),
                Event::Eof => return Err(self.events.eof()),
                _ => {}
            }
        }
    }

    /// Opens the envelope and returns a reader positioned in the body's
    /// first element.
    fn open(body: &'a [u8]) -> Result<Self, SoapError> {
        let text = simdutf8::compat::from_utf8(body).map_err(|e| SoapError::NotSoap {
            found: format!(
                "a body that is not UTF-8 text (invalid byte at {})",
                e.valid_up_to()
            ),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        sniff(text)?;
        if let Some(at) = forbidden_char(text) {
            let c = text[at..].chars().next().unwrap_or_default();
            return Err(SoapError::decode(
                "soap:Envelope",
                format!(
                    "character U+{:04X} at byte {at} is not allowed in XML 1.0",
                    u32::from(c)
                ),
            ));
        }
        let mut events = Events::new(text);
        let envelope = find_envelope(&mut events, text)?;
        let version = envelope_version(&envelope)?;
        drop(envelope);
        let bad = |message: String| SoapError::decode("soap:Envelope", message);
        // Optional soap:Header, then soap:Body.
        loop {
            match events.next().map_err(bad)? {
                Event::Start(e) if local_name(&e) == "Body" => break,
                Event::Start(e) if local_name(&e) == "Header" => events.skip().map_err(bad)?,
                Event::Empty(e) if local_name(&e) == "Header" => {}
                Event::Empty(e) if local_name(&e) == "Body" => {
                    return Err(bad("soap:Body is empty".into()));
                }
                Event::Start(e) | Event::Empty(e) => {
                    return Err(bad(format!(
                        "expected soap:Body, found `<{}>`",
                        snippet(e.name().0)
                    )));
                }
                Event::End(_) | Event::Eof => return Err(bad("there is no soap:Body".into())),
                Event::Text(t) if !is_blank(&t) => {
                    return Err(bad(format!("unexpected text `{}`", snippet(&t))));
                }
                _ => {}
            }
        }
        let bad = |message: String| SoapError::decode("soap:Body", message);
        let (start, empty) = loop {
            match events.next().map_err(bad)? {
                Event::Start(e) => break (e, false),
                Event::Empty(e) => break (e, true),
                Event::End(_) => return Err(bad("soap:Body is empty".into())),
                Event::Eof => return Err(bad(events.eof())),
                Event::Text(t) if !is_blank(&t) => {
                    return Err(bad(format!("unexpected text `{}`", snippet(&t))));
                }
                _ => {}
            }
        };
        if local_name(&start) == "Fault" {
            let mut fault = SoapFault {
                version,
                ..SoapFault::default()
            };
            if !empty {
                read_fault(&mut events, &mut fault)
                    .map_err(|e| SoapError::decode("soap:Fault", e))?;
            }
            return Err(SoapError::Fault(Box::new(fault)));
        }
        let namespace = attribute_exact(&start, "xmlns").map_err(bad)?;
        Ok(Self {
            version,
            element: local_name(&start).to_owned(),
            namespace,
            result: None,
            state: if empty { State::Done } else { State::Children },
            events,
        })
    }
}

/// Rows of a `DataTable` result, decoded one at a time; from
/// [`BodyReader::rows`]. Stops after the first error.
pub struct Rows<'r, 'a, T> {
    reader: &'r mut BodyReader<'a>,
    schema: TableSchema,
    index: usize,
    done: bool,
    row: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Rows<'_, '_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("schema", &self.schema)
            .field("index", &self.index)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> Rows<'_, '_, T> {
    /// The table's schema; its name is completed from the first row when
    /// the schema does not give it.
    #[must_use]
    pub fn schema(&self) -> &TableSchema {
        &self.schema
    }

    /// The schema, once the rows have been read.
    #[must_use]
    pub fn into_schema(self) -> TableSchema {
        self.schema
    }

    /// Rows decoded so far.
    #[must_use]
    pub fn count_so_far(&self) -> usize {
        self.index
    }

    /// The error for row `index` (element `start`), marking the reader failed.
    fn row_error(&mut self, start: &BytesStart<'_>, e: DeError) -> SoapError {
        self.done = true;
        self.reader.state = State::Failed;
        let result = self.reader.result.as_deref().unwrap_or("table");
        let prefix = format!("{result}.{}[{}]", local_name(start), self.index);
        convert(e, &prefix, Some(self.index), Some(&self.schema))
    }

    /// The rows' parent has ended: skip the rest of the result.
    fn end(&mut self) -> Option<Result<T, SoapError>> {
        self.done = true;
        self.reader.state = State::Table { open: 2 };
        self.reader.finish_table().err().map(Err)
    }

    /// A message error, marking the reader failed.
    fn fail(&mut self, message: String) -> Option<Result<T, SoapError>> {
        self.done = true;
        let result = self.reader.result.clone().unwrap_or_default();
        self.reader.state = State::Failed;
        Some(Err(SoapError::decode(result, message)))
    }
}

impl<T: DeserializeOwned> Iterator for Rows<'_, '_, T> {
    type Item = Result<T, SoapError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.reader.state != (State::Table { open: 3 }) {
            self.done = true;
            return None;
        }
        loop {
            let event = match self.reader.events.next() {
                Ok(event) => event,
                Err(e) => return self.fail(e),
            };
            let (start, decoded) = match event {
                Event::Start(start) => {
                    let decoded = T::deserialize(ElementDe::new(&mut self.reader.events, 4));
                    (start, decoded)
                }
                Event::Empty(start) => {
                    let decoded = T::deserialize(TextDe(""));
                    (start, decoded)
                }
                Event::End(_) => return self.end(),
                Event::Text(t) if is_blank(&t) => continue,
                Event::Eof => {
                    let eof = self.reader.events.eof();
                    return self.fail(eof);
                }
                _ => return self.fail("text among the table's rows".into()),
            };
            return Some(match decoded {
                Ok(row) => {
                    if self.schema.name.is_none() {
                        self.schema.name = Some(local_name(&start).to_owned());
                    }
                    self.index += 1;
                    Ok(row)
                }
                Err(e) => Err(self.row_error(&start, e)),
            });
        }
    }
}

/// Converts an element deserializer error under `prefix` (the body element,
/// or the row) into a [`SoapError::Decode`].
fn convert(
    e: DeError,
    prefix: &str,
    row: Option<usize>,
    schema: Option<&TableSchema>,
) -> SoapError {
    let mut path = prefix.to_owned();
    for name in e.path.iter().rev() {
        path.push('.');
        path.push_str(name);
    }
    // The outermost element under the row is the column.
    let column = if row.is_some() {
        e.path.last().cloned()
    } else {
        e.path.first().cloned()
    };
    let declared = schema
        .zip(column.as_deref())
        .and_then(|(s, c)| s.column(c))
        .and_then(|c| c.xsd_type.as_deref());
    let message = match (&e.value, declared) {
        (Some(v), Some(t)) => format!("value `{v}` (declared {t}): {}", e.message),
        (Some(v), None) => format!("value `{v}`: {}", e.message),
        (None, _) => e.message,
    };
    SoapError::Decode(Box::new(DecodeError {
        path,
        message,
        row,
        column,
        value: e.value,
    }))
}

/// Refuses bodies that cannot be a SOAP envelope, saying what they are.
/// The byte offset of the first character XML 1.0 does not allow (C0
/// controls but tab, LF and CR; U+FFFE; U+FFFF), which quick-xml passes
/// through: a message holding one is not XML, and a value read from it
/// could not be written back.
fn forbidden_char(text: &str) -> Option<usize> {
    // Most blocks hold no C0 control but tab, LF and CR, and no 0xEF lead
    // byte: a branch-free test of each block (which the compiler
    // vectorises) skips those, and only the others are searched byte by
    // byte.
    const BLOCK: usize = 64;
    let bytes = text.as_bytes();
    let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | (b == 0xef);
    let mut start = 0;
    for block in bytes.chunks(BLOCK) {
        if block.iter().fold(false, |any, &b| any | suspect(b))
            && let Some(at) = forbidden_char_from(bytes, start, start + block.len())
        {
            return Some(at);
        }
        start += block.len();
    }
    None
}

/// [`forbidden_char`] byte by byte, for the bytes `from..to` of `bytes`
/// (a character may run past `to`).
fn forbidden_char_from(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    bytes[from..to].iter().enumerate().find_map(|(offset, &b)| {
        let at = from + offset;
        let forbidden = match b {
            b'\t' | b'\n' | b'\r' => false,
            0..=0x1f => true,
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
            0xef => {
                bytes.get(at + 1) == Some(&0xbf) && matches!(bytes.get(at + 2), Some(0xbe | 0xbf))
            }
            _ => false,
        };
        forbidden.then_some(at)
    })
}

fn sniff(text: &str) -> Result<(), SoapError> {
    let start = text.trim_start();
    if start.is_empty() {
        return Err(SoapError::NotSoap {
            found: "an empty body".into(),
        });
    }
    if !start.starts_with('<') {
        return Err(SoapError::NotSoap {
            found: format!("text `{}`", snippet(start)),
        });
    }
    let head = start.get(..14).unwrap_or(start);
    if head.to_ascii_lowercase().starts_with("<!doctype html")
        || head.to_ascii_lowercase().starts_with("<html")
    {
        return Err(SoapError::NotSoap {
            found: format!("an HTML page `{}`", snippet(start)),
        });
    }
    Ok(())
}

/// Reads up to the root element, which must be an `Envelope`.
fn find_envelope<'a>(events: &mut Events<'a>, text: &str) -> Result<BytesStart<'a>, SoapError> {
    let not_soap = |found: String| SoapError::NotSoap { found };
    loop {
        let event = events
            .next()
            .map_err(|e| not_soap(format!("malformed XML ({e})")))?;
        match event {
            Event::Start(e) if local_name(&e) == "Envelope" => return Ok(e),
            Event::Empty(e) if local_name(&e) == "Envelope" => {
                return Err(SoapError::decode("soap:Envelope", "the envelope is empty"));
            }
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().0;
                return Err(not_soap(if name.eq_ignore_ascii_case("html") {
                    format!("an HTML page `{}`", snippet(text))
                } else {
                    format!(
                        "an XML document whose root element is `<{}>`",
                        snippet(name)
                    )
                }));
            }
            Event::Text(t) if is_blank(&t) => {}
            Event::Eof => return Err(not_soap("an XML document without elements".into())),
            _ => return Err(not_soap(format!("text `{}`", snippet(text)))),
        }
    }
}

/// The version the envelope's namespace names (SOAP 1.1 when the prefix is
/// not declared on it).
fn envelope_version(envelope: &BytesStart<'_>) -> Result<SoapVersion, SoapError> {
    let key = match prefix(envelope) {
        Some(p) => format!("xmlns:{p}"),
        None => "xmlns".to_owned(),
    };
    match attribute_exact(envelope, &key).map_err(|e| SoapError::decode("soap:Envelope", e))? {
        None => Ok(SoapVersion::Soap11),
        Some(ns) => SoapVersion::from_namespace(&ns).ok_or_else(|| {
            SoapError::decode(
                "soap:Envelope",
                format!(
                    "unknown envelope namespace `{}` (expected SOAP 1.1 `{}` or SOAP 1.2 `{}`)",
                    snippet(&ns),
                    super::SOAP11_NAMESPACE,
                    super::SOAP12_NAMESPACE
                ),
            )
        }),
    }
}

/// Reads a fault's children (SOAP 1.1 `faultcode`, `faultstring`,
/// `faultactor`, `detail`; SOAP 1.2 `Code/Value`, `Code/Subcode/Value`,
/// `Reason/Text`, `Role`, `Detail`).
fn read_fault(events: &mut Events<'_>, fault: &mut SoapFault) -> Result<(), String> {
    children(events, &mut |events, name, empty| {
        if empty {
            return Ok(());
        }
        match name {
            "faultcode" => fault.code = text_of(events)?,
            "faultstring" => fault.message = text_of(events)?,
            "faultactor" | "Role" => fault.actor = Some(text_of(events)?),
            "detail" | "Detail" => {
                let detail = all_text(events)?;
                fault.detail = (!detail.is_empty()).then_some(detail);
            }
            "Code" => children(events, &mut |events, name, empty| match (name, empty) {
                ("Value", false) => {
                    fault.code = text_of(events)?;
                    Ok(())
                }
                ("Subcode", false) => children(events, &mut |events, name, empty| {
                    match (name, empty) {
                        ("Value", false) if fault.subcode.is_none() => {
                            fault.subcode = Some(text_of(events)?);
                        }
                        (_, false) => events.skip()?,
                        _ => {}
                    }
                    Ok(())
                }),
                (_, false) => events.skip(),
                _ => Ok(()),
            })?,
            "Reason" => children(events, &mut |events, name, empty| {
                match (name, empty) {
                    ("Text", false) if fault.message.is_empty() => {
                        fault.message = text_of(events)?;
                    }
                    (_, false) => events.skip()?,
                    _ => {}
                }
                Ok(())
            })?,
            _ => events.skip()?,
        }
        Ok(())
    })
}

/// Calls `f` with each child element of the element just opened (`f`
/// must read a non-empty child to its end), until the end tag.
fn children(
    events: &mut Events<'_>,
    f: &mut dyn FnMut(&mut Events<'_>, &str, bool) -> Result<(), String>,
) -> Result<(), String> {
    loop {
        match events.next()? {
            Event::Start(e) => f(events, local_name(&e), false)?,
            Event::Empty(e) => f(events, local_name(&e), true)?,
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(events.eof()),
            _ => {}
        }
    }
}

/// The trimmed text of the element just opened (its children's text when
/// it has children).
fn text_of(events: &mut Events<'_>) -> Result<String, String> {
    match events.read_content()? {
        Content::Text(t) => Ok(t.trim().to_owned()),
        Content::Children => all_text(events),
    }
}

/// All text inside the element just opened: the trimmed text of each
/// element, joined by spaces.
fn all_text(events: &mut Events<'_>) -> Result<String, String> {
    fn flush(out: &mut String, run: &mut String) {
        let piece = run.trim();
        if !piece.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(piece);
        }
        run.clear();
    }
    let mut out = String::new();
    let mut run = String::new();
    let mut depth = 1_usize;
    loop {
        match events.next()? {
            Event::Start(_) => {
                flush(&mut out, &mut run);
                depth += 1;
            }
            Event::End(_) => {
                flush(&mut out, &mut run);
                depth -= 1;
                if depth == 0 {
                    return Ok(out);
                }
            }
            Event::Text(t) => run.push_str(&t.xml10_content()),
            Event::CData(c) => run.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    run.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    run.push_str(s);
                }
            }
            Event::Eof => return Err(events.eof()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first forbidden character, one character at a time.
    fn naive(text: &str) -> Option<usize> {
        text.char_indices()
            .find(|&(_, c)| {
                matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}')
                    || c == '\u{fffe}'
                    || c == '\u{ffff}'
            })
            .map(|(at, _)| at)
    }

    #[test]
    fn forbidden_chars_are_found_in_any_block() {
        let filler = "ა<a>\t\r\n b</a>\u{f8ff}\u{fffd}";
        for len in [0, 1, 61, 62, 63, 64, 65, 127, 128, 200] {
            let base: String = filler.chars().cycle().take(len).collect();
            for bad in ["\u{0}", "\u{1f}", "\u{b}", "\u{fffe}", "\u{ffff}"] {
                let text = format!("{base}{bad}tail");
                assert_eq!(forbidden_char(&text), naive(&text), "{len} {bad:?}");
                assert_eq!(forbidden_char(&text), Some(base.len()), "{len} {bad:?}");
            }
            assert_eq!(forbidden_char(&base), None, "{len}");
        }
    }
}
