//! Writing SOAP messages with quick-xml's streaming writer: request and
//! reply envelopes, `DataTable` results and faults.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::table::TableSchema;
use super::{SoapError, SoapFault, SoapVersion, XSD_NAMESPACE, XSI_NAMESPACE};

/// Namespace of the `msdata:` attributes of .NET `DataSet` XML.
const MSDATA_NAMESPACE: &str = "urn:schemas-microsoft-com:xml-msdata";
/// Namespace of the `msprop:` attributes of .NET `DataSet` XML.
const MSPROP_NAMESPACE: &str = "urn:schemas-microsoft-com:xml-msprop";
/// Namespace of `diffgr:diffgram`.
const DIFFGRAM_NAMESPACE: &str = "urn:schemas-microsoft-com:xml-diffgram-v1";

/// Writes one SOAP envelope whose body holds one element with child
/// elements: a request (`<op xmlns="ns">`) or a reply
/// (`<opResponse xmlns="ns">`).
///
/// Children are written in call order (write them in WSDL order). Text is
/// escaped; a character XML 1.0 cannot carry is an error naming the element
/// and the position, never the value (it may be a password).
///
/// ```
/// # use taxsdk_runtime::soap::{EnvelopeWriter, SoapVersion};
/// let mut request = EnvelopeWriter::request(SoapVersion::Soap11, "http://tempuri.org/", "chek")?;
/// request.text("su", "user:206322102")?.text("sp", "p&ss")?.text("user_id", "0")?;
/// let body = String::from_utf8(request.finish()?).unwrap();
/// assert!(body.contains(r#"<chek xmlns="http://tempuri.org/"><su>user:206322102</su><sp>p&amp;ss</sp><user_id>0</user_id></chek>"#));
/// # Ok::<(), taxsdk_runtime::soap::SoapError>(())
/// ```
pub struct EnvelopeWriter {
    writer: Writer<Vec<u8>>,
    /// Elements to close, the body element first.
    open: Vec<String>,
}

impl std::fmt::Debug for EnvelopeWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The buffer may hold credentials.
        f.debug_struct("EnvelopeWriter")
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl EnvelopeWriter {
    /// Starts a request of `operation` in `namespace` (e.g.
    /// `http://tempuri.org/`).
    ///
    /// # Errors
    /// [`SoapError::Encode`] when `operation` is not an XML name or
    /// `namespace` holds a character XML cannot carry.
    pub fn request(
        version: SoapVersion,
        namespace: &str,
        operation: &str,
    ) -> Result<Self, SoapError> {
        Self::begin(version, namespace, operation)
    }

    /// Starts the reply of `operation`: `<{operation}Response xmlns="ns">`,
    /// exactly as .asmx services write it.
    ///
    /// # Errors
    /// As [`EnvelopeWriter::request`].
    pub fn response(
        version: SoapVersion,
        namespace: &str,
        operation: &str,
    ) -> Result<Self, SoapError> {
        Self::begin(version, namespace, &format!("{operation}Response"))
    }

    fn begin(version: SoapVersion, namespace: &str, element: &str) -> Result<Self, SoapError> {
        check_name(element)?;
        check_text("xmlns", namespace)?;
        let mut this = Self {
            writer: Writer::new(Vec::with_capacity(1024)),
            open: Vec::new(),
        };
        this.emit(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        let mut envelope = BytesStart::new("soap:Envelope");
        envelope.push_attribute(("xmlns:soap", version.namespace()));
        envelope.push_attribute(("xmlns:xsi", XSI_NAMESPACE));
        envelope.push_attribute(("xmlns:xsd", XSD_NAMESPACE));
        this.emit(Event::Start(envelope))?;
        this.emit(Event::Start(BytesStart::new("soap:Body")))?;
        let mut body = BytesStart::new(element);
        body.push_attribute(("xmlns", namespace));
        this.emit(Event::Start(body))?;
        this.open.push(element.to_owned());
        Ok(this)
    }

    /// Writes `<name>value</name>` (`<name/>` for an empty value); `value`
    /// is already formatted as the wire wants it.
    ///
    /// # Errors
    /// [`SoapError::Encode`] when `name` is not an XML name or `value` holds
    /// a character XML 1.0 cannot carry.
    pub fn text(&mut self, name: &str, value: &str) -> Result<&mut Self, SoapError> {
        check_name(name)?;
        check_text(name, value)?;
        self.text_unchecked(name, value)?;
        Ok(self)
    }

    /// [`EnvelopeWriter::text`] for `Some`; nothing for `None` (how .NET
    /// sends a null string).
    ///
    /// # Errors
    /// As [`EnvelopeWriter::text`].
    pub fn optional(&mut self, name: &str, value: Option<&str>) -> Result<&mut Self, SoapError> {
        match value {
            Some(value) => self.text(name, value),
            None => Ok(self),
        }
    }

    /// Writes `<name xsi:nil="true"/>`, a null for a nillable element.
    ///
    /// # Errors
    /// [`SoapError::Encode`] when `name` is not an XML name.
    pub fn nil(&mut self, name: &str) -> Result<&mut Self, SoapError> {
        check_name(name)?;
        let mut start = BytesStart::new(name);
        start.push_attribute(("xsi:nil", "true"));
        self.emit(Event::Empty(start))?;
        Ok(self)
    }

    /// Opens element `name` for nested children (e.g.
    /// `<advance_invoices><id>1</id></advance_invoices>`); close it with
    /// [`EnvelopeWriter::end`].
    ///
    /// # Errors
    /// [`SoapError::Encode`] when `name` is not an XML name.
    pub fn start(&mut self, name: &str) -> Result<&mut Self, SoapError> {
        check_name(name)?;
        self.emit(Event::Start(BytesStart::new(name)))?;
        self.open.push(name.to_owned());
        Ok(self)
    }

    /// Closes the element last opened with [`EnvelopeWriter::start`].
    ///
    /// # Errors
    /// [`SoapError::Encode`] when no such element is open.
    pub fn end(&mut self) -> Result<&mut Self, SoapError> {
        if self.open.len() < 2 {
            return Err(SoapError::Encode(
                "`end` without an element opened by `start`".into(),
            ));
        }
        if let Some(name) = self.open.pop() {
            self.emit(Event::End(BytesEnd::new(name)))?;
        }
        Ok(self)
    }

    /// Starts a `DataTable` result in element `element` (e.g.
    /// `get_invoice_descResult`): writes the inline schema of `schema` (its
    /// name, default `Table`, names the rows; columns without a type are
    /// `xs:string`). Write the rows with [`DataTableWriter::row`].
    ///
    /// # Errors
    /// [`SoapError::Encode`] when a name is not an XML name.
    pub fn data_table(
        &mut self,
        element: &str,
        schema: &TableSchema,
    ) -> Result<DataTableWriter<'_>, SoapError> {
        check_name(element)?;
        let table = schema.name.clone().unwrap_or_else(|| "Table".to_owned());
        check_name(&table)?;
        for column in &schema.columns {
            check_name(&column.name)?;
            if let Some(t) = &column.xsd_type {
                check_text(&column.name, t)?;
            }
        }
        self.emit(Event::Start(BytesStart::new(element)))?;
        self.write_schema(&table, schema)?;
        Ok(DataTableWriter {
            env: self,
            element: element.to_owned(),
            table,
            rows: 0,
            closed: false,
        })
    }

    /// The `xs:schema` of a one-table `NewDataSet`, as .NET writes it.
    fn write_schema(&mut self, table: &str, schema: &TableSchema) -> Result<(), SoapError> {
        let mut root = BytesStart::new("xs:schema");
        root.push_attribute(("id", "NewDataSet"));
        root.push_attribute(("xmlns", ""));
        root.push_attribute(("xmlns:xs", XSD_NAMESPACE));
        root.push_attribute(("xmlns:msdata", MSDATA_NAMESPACE));
        root.push_attribute(("xmlns:msprop", MSPROP_NAMESPACE));
        self.emit(Event::Start(root))?;
        let mut dataset = BytesStart::new("xs:element");
        dataset.push_attribute(("name", "NewDataSet"));
        dataset.push_attribute(("msdata:IsDataSet", "true"));
        dataset.push_attribute(("msdata:MainDataTable", table));
        dataset.push_attribute(("msdata:UseCurrentLocale", "true"));
        self.emit(Event::Start(dataset))?;
        self.emit(Event::Start(BytesStart::new("xs:complexType")))?;
        let mut choice = BytesStart::new("xs:choice");
        choice.push_attribute(("minOccurs", "0"));
        choice.push_attribute(("maxOccurs", "unbounded"));
        self.emit(Event::Start(choice))?;
        let mut element = BytesStart::new("xs:element");
        element.push_attribute(("name", table));
        element.push_attribute(("msprop:REFCursorName", "REFCursor"));
        self.emit(Event::Start(element))?;
        self.emit(Event::Start(BytesStart::new("xs:complexType")))?;
        self.emit(Event::Start(BytesStart::new("xs:sequence")))?;
        for column in &schema.columns {
            let mut c = BytesStart::new("xs:element");
            c.push_attribute(("name", column.name.as_str()));
            c.push_attribute(("type", column.xsd_type.as_deref().unwrap_or("xs:string")));
            c.push_attribute(("minOccurs", "0"));
            self.emit(Event::Empty(c))?;
        }
        for name in [
            "xs:sequence",
            "xs:complexType",
            "xs:element",
            "xs:choice",
            "xs:complexType",
            "xs:element",
            "xs:schema",
        ] {
            self.emit(Event::End(BytesEnd::new(name)))?;
        }
        Ok(())
    }

    /// Closes every open element and the envelope and returns the bytes.
    ///
    /// # Errors
    /// Never in practice (the buffer is memory); an I/O error of the writer
    /// would be [`SoapError::Encode`].
    pub fn finish(mut self) -> Result<Vec<u8>, SoapError> {
        while let Some(name) = self.open.pop() {
            self.emit(Event::End(BytesEnd::new(name)))?;
        }
        self.emit(Event::End(BytesEnd::new("soap:Body")))?;
        self.emit(Event::End(BytesEnd::new("soap:Envelope")))?;
        Ok(self.writer.into_inner())
    }

    /// `<name>value</name>` without checks.
    pub(crate) fn text_unchecked(&mut self, name: &str, value: &str) -> Result<(), SoapError> {
        if value.is_empty() {
            return self.emit(Event::Empty(BytesStart::new(name)));
        }
        self.emit(Event::Start(BytesStart::new(name)))?;
        self.emit(Event::Text(BytesText::from_escaped(partial_escape(value))))?;
        self.emit(Event::End(BytesEnd::new(name)))
    }

    fn emit(&mut self, event: Event<'_>) -> Result<(), SoapError> {
        self.writer
            .write_event(event)
            .map_err(|e| SoapError::Encode(format!("cannot write XML: {e}")))
    }
}

/// Writes the rows of a `DataTable` result; from
/// [`EnvelopeWriter::data_table`]. The table is closed by
/// [`DataTableWriter::finish`] or when the writer is dropped.
pub struct DataTableWriter<'w> {
    env: &'w mut EnvelopeWriter,
    element: String,
    table: String,
    rows: usize,
    closed: bool,
}

impl std::fmt::Debug for DataTableWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataTableWriter")
            .field("element", &self.element)
            .field("table", &self.table)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl DataTableWriter<'_> {
    /// Writes a row: each `(column, value)` in order; `None` (a null) is
    /// omitted, `""` is an empty element and a whitespace-only value gets
    /// `xml:space="preserve"`, as .NET writes them.
    ///
    /// # Errors
    /// [`SoapError::Encode`] when a column name is not an XML name or a
    /// value holds a character XML 1.0 cannot carry (nothing of the row is
    /// written then).
    pub fn row<'v>(
        &mut self,
        columns: impl IntoIterator<Item = (&'v str, Option<&'v str>)>,
    ) -> Result<&mut Self, SoapError> {
        let columns: Vec<(&str, &str)> = columns
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        for (name, value) in &columns {
            check_name(name)?;
            check_text(name, value)?;
        }
        if self.rows == 0 {
            let mut diffgram = BytesStart::new("diffgr:diffgram");
            diffgram.push_attribute(("xmlns:msdata", MSDATA_NAMESPACE));
            diffgram.push_attribute(("xmlns:diffgr", DIFFGRAM_NAMESPACE));
            self.env.emit(Event::Start(diffgram))?;
            let mut root = BytesStart::new("DocumentElement");
            root.push_attribute(("xmlns", ""));
            self.env.emit(Event::Start(root))?;
        }
        let mut row = BytesStart::new(self.table.as_str());
        let id = format!("{}{}", self.table, self.rows + 1);
        let order = self.rows.to_string();
        row.push_attribute(("diffgr:id", id.as_str()));
        row.push_attribute(("msdata:rowOrder", order.as_str()));
        self.env.emit(Event::Start(row))?;
        for (name, value) in columns {
            if !value.is_empty() && value.trim().is_empty() {
                let mut start = BytesStart::new(name);
                start.push_attribute(("xml:space", "preserve"));
                self.env.emit(Event::Start(start))?;
                self.env
                    .emit(Event::Text(BytesText::from_escaped(partial_escape(value))))?;
                self.env.emit(Event::End(BytesEnd::new(name)))?;
            } else {
                self.env.text_unchecked(name, value)?;
            }
        }
        self.env
            .emit(Event::End(BytesEnd::new(self.table.as_str())))?;
        self.rows += 1;
        Ok(self)
    }

    /// Rows written so far.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Closes the table (an empty `diffgr:diffgram` when it has no rows).
    ///
    /// # Errors
    /// As [`EnvelopeWriter::finish`].
    pub fn finish(mut self) -> Result<(), SoapError> {
        self.close()
    }

    fn close(&mut self) -> Result<(), SoapError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        if self.rows == 0 {
            let mut diffgram = BytesStart::new("diffgr:diffgram");
            diffgram.push_attribute(("xmlns:msdata", MSDATA_NAMESPACE));
            diffgram.push_attribute(("xmlns:diffgr", DIFFGRAM_NAMESPACE));
            self.env.emit(Event::Empty(diffgram))?;
        } else {
            self.env
                .emit(Event::End(BytesEnd::new("DocumentElement")))?;
            self.env
                .emit(Event::End(BytesEnd::new("diffgr:diffgram")))?;
        }
        self.env
            .emit(Event::End(BytesEnd::new(self.element.as_str())))
    }
}

impl Drop for DataTableWriter<'_> {
    fn drop(&mut self) {
        // Writing to memory cannot fail; closing here keeps the envelope
        // well-formed when `finish` was not called.
        let _ = self.close();
    }
}

/// A whole request envelope of `operation` with `params` (name and
/// formatted value, in WSDL order).
///
/// # Errors
/// As [`EnvelopeWriter::text`].
pub fn write_request(
    version: SoapVersion,
    namespace: &str,
    operation: &str,
    params: &[(&str, &str)],
) -> Result<Vec<u8>, SoapError> {
    let mut writer = EnvelopeWriter::request(version, namespace, operation)?;
    for (name, value) in params {
        writer.text(name, value)?;
    }
    writer.finish()
}

/// A fault envelope: SOAP 1.1 `faultcode`/`faultstring`/`faultactor`/
/// `detail`, or SOAP 1.2 `Code`/`Reason`/`Role`/`Detail` (after
/// `fault.version`). Characters XML cannot carry are replaced by U+FFFD.
#[must_use]
pub fn write_fault(fault: &SoapFault) -> Vec<u8> {
    let mut w = Writer::new(Vec::with_capacity(512));
    let mut events: Vec<Event<'_>> = Vec::new();
    let text = |s: &str| -> BytesText<'static> {
        BytesText::from_escaped(partial_escape(xml_safe(s).into_owned())).into_owned()
    };
    events.push(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    let mut envelope = BytesStart::new("soap:Envelope");
    envelope.push_attribute(("xmlns:soap", fault.version.namespace()));
    envelope.push_attribute(("xmlns:xsi", XSI_NAMESPACE));
    envelope.push_attribute(("xmlns:xsd", XSD_NAMESPACE));
    events.push(Event::Start(envelope));
    events.push(Event::Start(BytesStart::new("soap:Body")));
    events.push(Event::Start(BytesStart::new("soap:Fault")));
    let element = |events: &mut Vec<Event<'_>>, name: &'static str, value: &str| {
        events.push(Event::Start(BytesStart::new(name)));
        events.push(Event::Text(text(value)));
        events.push(Event::End(BytesEnd::new(name)));
    };
    match fault.version {
        SoapVersion::Soap11 => {
            element(&mut events, "faultcode", &fault.code);
            element(&mut events, "faultstring", &fault.message);
            if let Some(actor) = &fault.actor {
                element(&mut events, "faultactor", actor);
            }
            match &fault.detail {
                Some(detail) => element(&mut events, "detail", detail),
                None => events.push(Event::Empty(BytesStart::new("detail"))),
            }
        }
        SoapVersion::Soap12 => {
            events.push(Event::Start(BytesStart::new("soap:Code")));
            element(&mut events, "soap:Value", &fault.code);
            if let Some(subcode) = &fault.subcode {
                events.push(Event::Start(BytesStart::new("soap:Subcode")));
                element(&mut events, "soap:Value", subcode);
                events.push(Event::End(BytesEnd::new("soap:Subcode")));
            }
            events.push(Event::End(BytesEnd::new("soap:Code")));
            events.push(Event::Start(BytesStart::new("soap:Reason")));
            let mut reason = BytesStart::new("soap:Text");
            reason.push_attribute(("xml:lang", "en"));
            events.push(Event::Start(reason));
            events.push(Event::Text(text(&fault.message)));
            events.push(Event::End(BytesEnd::new("soap:Text")));
            events.push(Event::End(BytesEnd::new("soap:Reason")));
            if let Some(actor) = &fault.actor {
                element(&mut events, "soap:Role", actor);
            }
            match &fault.detail {
                Some(detail) => element(&mut events, "soap:Detail", detail),
                None => events.push(Event::Empty(BytesStart::new("soap:Detail"))),
            }
        }
    }
    for name in ["soap:Fault", "soap:Body", "soap:Envelope"] {
        events.push(Event::End(BytesEnd::new(name)));
    }
    for event in events {
        // Writing to memory cannot fail.
        let _ = w.write_event(event);
    }
    w.into_inner()
}

/// Whether XML 1.0 can carry `c`.
pub(crate) fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// `text` with characters XML cannot carry replaced by U+FFFD.
fn xml_safe(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if is_xml_char(c) { c } else { '\u{fffd}' })
                .collect(),
        )
    }
}

/// Refuses text XML 1.0 cannot carry, naming the element and the position
/// but not the text (it may be a secret).
fn check_text(element: &str, value: &str) -> Result<(), SoapError> {
    match text_problem(value) {
        None => Ok(()),
        Some(problem) => Err(SoapError::Encode(format!("`{element}`: {problem}"))),
    }
}

/// Why XML 1.0 cannot carry `value`, without quoting it.
pub(crate) fn text_problem(value: &str) -> Option<String> {
    let (at, c) = value.chars().enumerate().find(|(_, c)| !is_xml_char(*c))?;
    Some(format!(
        "character U+{:04X} at position {at} cannot be written in XML 1.0",
        u32::from(c)
    ))
}

/// Whether `name` is an element name this module reads and writes:
/// letters, digits, `_`, `-`, `.`, not starting with a digit, `-` or `.`;
/// one optional `prefix:`. The reader holds messages to the same rule, so
/// that what it reads can be written back.
pub(crate) fn is_xml_name(name: &str) -> bool {
    // Every element of every row passes here: ASCII names, nearly all of
    // them, are checked byte by byte without decoding characters.
    if name.is_ascii() {
        let valid_part = |part: &[u8]| {
            part.first()
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
                && part
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        };
        let bytes = name.as_bytes();
        return match bytes.iter().position(|&b| b == b':') {
            Some(at) => valid_part(&bytes[..at]) && valid_part(&bytes[at + 1..]),
            None => valid_part(bytes),
        };
    }
    let valid_part = |part: &str| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    match name.split_once(':') {
        Some((prefix, local)) => valid_part(prefix) && valid_part(local),
        None => valid_part(name),
    }
}

/// Refuses names that are not XML element names (letters, digits, `_`, `-`,
/// `.`, not starting with a digit, `-` or `.`; one optional `prefix:`).
pub(crate) fn check_name(name: &str) -> Result<(), SoapError> {
    if is_xml_name(name) {
        Ok(())
    } else {
        Err(SoapError::Encode(format!(
            "`{}` is not a valid XML element name",
            super::snippet(&name.escape_debug().to_string())
        )))
    }
}
