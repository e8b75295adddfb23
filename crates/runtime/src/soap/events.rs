//! The event stream every reader in this module walks: quick-xml events
//! borrowed from the message, without comments and declarations, with one
//! event of look-ahead and helpers to read an element's text or skip it.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

/// Nesting of elements beyond which a message is refused, so that hostile
/// input cannot exhaust the stack of the recursive value decoder.
pub(crate) const MAX_DEPTH: usize = 64;

/// The content of an element whose start tag has been read.
pub(crate) enum Content<'a> {
    /// Text only (possibly empty); the end tag has been read.
    Text(Cow<'a, str>),
    /// Child elements; the first child's start is the next event.
    Children,
}

/// quick-xml events of one message.
pub(crate) struct Events<'a> {
    reader: Reader<&'a [u8]>,
    peeked: Option<Event<'a>>,
}

impl<'a> Events<'a> {
    /// Events of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            reader: Reader::from_str(text),
            peeked: None,
        }
    }

    /// The next event that matters: comments, processing instructions, the
    /// XML declaration and doctypes are skipped.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Event<'a>, String> {
        if let Some(event) = self.peeked.take() {
            return Ok(event);
        }
        loop {
            match self.reader.read_event() {
                Ok(Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_)) => {}
                // quick-xml does not check names; a name read here may have
                // to be written back (a DataTable's columns).
                Ok(Event::Start(e) | Event::Empty(e)) if !super::write::is_xml_name(e.name().0) => {
                    return Err(format!(
                        "element name `{}` before byte {} is not a valid XML name",
                        super::snippet(&e.name().0.escape_debug().to_string()),
                        self.reader.buffer_position()
                    ));
                }
                Ok(event) => return Ok(event),
                Err(e) => {
                    return Err(format!(
                        "malformed XML at byte {}: {e}",
                        self.reader.error_position()
                    ));
                }
            }
        }
    }

    /// Makes `event` the next one again.
    pub(crate) fn push_back(&mut self, event: Event<'a>) {
        self.peeked = Some(event);
    }

    /// Error for a message that ends inside an element.
    pub(crate) fn eof(&self) -> String {
        format!(
            "the message ends at byte {} inside an unclosed element",
            self.reader.buffer_position()
        )
    }

    /// Reads the content of the element whose start tag was just read.
    ///
    /// Text is returned verbatim (entities resolved, XML line ends
    /// normalised): `xml:space` only tells .NET readers to keep
    /// whitespace-only values, which this reader always does. Whitespace
    /// before a first child element is layout, not content.
    #[inline]
    pub(crate) fn read_content(&mut self) -> Result<Content<'a>, String> {
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            match self.next()? {
                Event::Text(t) => push(&mut text, t.xml10_content()),
                Event::End(_) => return Ok(Content::Text(text.unwrap_or(Cow::Borrowed("")))),
                Event::GeneralRef(r) => {
                    let buf = text.get_or_insert(Cow::Borrowed("")).to_mut();
                    resolve(&r, buf)?;
                }
                Event::CData(c) => push(&mut text, c.xml10_content()),
                event @ (Event::Start(_) | Event::Empty(_)) => {
                    if let Some(t) = text.as_deref().filter(|t| !is_blank(t)) {
                        return Err(format!(
                            "text `{}` is mixed with child elements",
                            super::snippet(t)
                        ));
                    }
                    self.push_back(event);
                    return Ok(Content::Children);
                }
                Event::Eof => return Err(self.eof()),
                // Filtered out by `next`.
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Skips the rest of the element whose start tag was just read.
    pub(crate) fn skip(&mut self) -> Result<(), String> {
        let mut depth = 1_usize;
        loop {
            match self.next()? {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::Eof => return Err(self.eof()),
                _ => {}
            }
        }
    }
}

/// Appends a piece of text, borrowing while there is only one.
#[inline]
fn push<'a>(text: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>) {
    match text {
        None => *text = Some(piece),
        Some(t) => t.to_mut().push_str(&piece),
    }
}

/// Appends what an entity or character reference stands for.
fn resolve(r: &BytesRef<'_>, buf: &mut String) -> Result<(), String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) if !super::write::is_xml_char(c) => {
            return Err(format!(
                "character reference `&{};` stands for U+{:04X}, which XML 1.0 does not allow",
                &**r,
                u32::from(c)
            ));
        }
        Ok(Some(c)) => buf.push(c),
        Ok(None) => match resolve_predefined_entity(r) {
            Some(s) => buf.push_str(s),
            None => return Err(format!("unknown entity `&{};`", &**r)),
        },
        Err(e) => return Err(format!("invalid character reference `&{};`: {e}", &**r)),
    }
    Ok(())
}

/// Whether `text` is only XML whitespace.
pub(crate) fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The local name of an element (without its prefix).
#[inline]
pub(crate) fn local_name<'e>(e: &'e BytesStart<'_>) -> &'e str {
    let name = e.name().0;
    match name.find(':') {
        Some(at) => &name[at + 1..],
        None => name,
    }
}

/// The prefix of an element's name, if any.
pub(crate) fn prefix<'e>(e: &'e BytesStart<'_>) -> Option<&'e str> {
    e.name().0.split_once(':').map(|(p, _)| p)
}

/// The value of the attribute whose local name is `key` (any prefix, or
/// none).
pub(crate) fn attribute(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, String> {
    find_attribute(e, key, |name| name.rsplit(':').next() == Some(key))
}

/// The value of the attribute written exactly as `key` (`xmlns:soap`).
pub(crate) fn attribute_exact(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, String> {
    find_attribute(e, key, |name| name == key)
}

/// The normalised value of the first attribute whose name `matches`.
fn find_attribute(
    e: &BytesStart<'_>,
    key: &str,
    matches: impl Fn(&str) -> bool,
) -> Result<Option<String>, String> {
    if e.attributes_raw().is_empty() {
        return Ok(None);
    }
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| {
            format!(
                "malformed attribute in `<{}>`: {err}",
                super::snippet(e.name().0)
            )
        })?;
        if matches(attr.key.0) {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| format!("malformed value of attribute `{key}`: {err}"))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// Whether an element carries `xsi:nil="true"` (any prefix).
#[inline]
pub(crate) fn is_nil(e: &BytesStart<'_>) -> bool {
    // Column elements rarely have attributes: skip the attribute parser.
    let raw = e.attributes_raw();
    if raw.is_empty() || !raw.contains("nil") {
        return false;
    }
    e.attributes().with_checks(false).flatten().any(|a| {
        let key = a.key.0;
        let local = key.rsplit(':').next().unwrap_or(key);
        local == "nil" && key.contains(':') && matches!(a.value.trim(), "true" | "1")
    })
}
