//! SOAP 1.1/1.2 document/literal messages and .NET `DataTable` results, as
//! `.asmx` services such as RS.ge NtosService speak them.
//!
//! Everything streams over quick-xml events; no document tree is built, so
//! a reply holding a 10,000-row table costs one pass over its bytes.
//!
//! - Requests: [`EnvelopeWriter::request`] (or [`write_request`]) writes the
//!   envelope `<op xmlns="ns"><param>text</param>...</op>`, parameter by
//!   parameter or from a typed struct ([`EnvelopeWriter::fields`]);
//!   [`soap_action`] and [`SoapVersion::content_type`] give the headers.
//! - Replies: [`BodyReader::reply`] finds `<opResponse>` (a `soap:Fault`
//!   becomes [`SoapError::Fault`], an HTML gateway page
//!   [`SoapError::NotSoap`]), then [`BodyReader::decode`] reads the result
//!   and the out parameters, by element name, into any
//!   `T: DeserializeOwned`, and [`BodyReader::table`], [`BodyReader::rows`]
//!   or [`BodyReader::for_each_row`] read a `DataTable` result (inline
//!   schema, then `diffgr:diffgram` rows) into typed rows.
//! - Servers (the sandbox): [`BodyReader::request`] reads a request (in any
//!   parameter order), [`EnvelopeWriter::response`] writes a reply (with
//!   [`EnvelopeWriter::fields`] for a typed result and out parameters, and
//!   [`EnvelopeWriter::data_table`] plus [`DataTableWriter::row`] or
//!   [`DataTableWriter::serialize_row`] for table results), and
//!   [`write_fault`] a fault; [`request_action`] reads the action headers.
//!
//! A sequence is either the children of one element (`<ids><id>1</id>
//! <id>2</id></ids>` into `Vec<i32>`) or, for a field holding text, the
//! element repeated (`struct Ids { id: Vec<i32> }` reads and writes
//! `<id>1</id><id>2</id>`).
//!
//! Element text reaches `serde` as a string, so the codecs of
//! [`crate::wire`] (lenient numbers, boolean strings, date formats,
//! [`EmptyAsNone`](crate::wire::EmptyAsNone)) decode it as they decode JSON
//! strings. An absent element is an absent map key (`#[serde(default)]`
//! makes it optional), an empty element is `""`, and `xsi:nil="true"` is
//! `None`.

mod de;
mod events;
mod read;
mod ser;
mod table;
mod write;

use std::fmt;

pub use read::{BodyReader, Rows};
pub use table::{Column, DataTable, TableSchema};
pub use write::{DataTableWriter, EnvelopeWriter, write_fault, write_request};

use crate::Error;

/// Namespace of SOAP 1.1 envelopes.
pub const SOAP11_NAMESPACE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// Namespace of SOAP 1.2 envelopes.
pub const SOAP12_NAMESPACE: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Namespace of `xsi:` attributes (`xsi:nil`, `xsi:type`).
pub const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// Namespace of XML Schema (`xs:`/`xsd:`).
pub const XSD_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema";

/// How much of a value or body an error message quotes.
const SNIPPET: usize = 120;

/// The SOAP version of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SoapVersion {
    /// SOAP 1.1: `text/xml`, action in the `SOAPAction` header.
    #[default]
    Soap11,
    /// SOAP 1.2: `application/soap+xml`, action in the content type.
    Soap12,
}

impl SoapVersion {
    /// The envelope namespace.
    #[must_use]
    pub const fn namespace(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => SOAP11_NAMESPACE,
            SoapVersion::Soap12 => SOAP12_NAMESPACE,
        }
    }

    /// The version whose envelope namespace is `namespace`.
    #[must_use]
    pub fn from_namespace(namespace: &str) -> Option<Self> {
        match namespace {
            SOAP11_NAMESPACE => Some(SoapVersion::Soap11),
            SOAP12_NAMESPACE => Some(SoapVersion::Soap12),
            _ => None,
        }
    }

    /// The version a request's `Content-Type` announces (`text/xml` is 1.1,
    /// `application/soap+xml` is 1.2), ignoring parameters and case.
    #[must_use]
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let media = content_type.split(';').next().unwrap_or_default().trim();
        if media.eq_ignore_ascii_case("text/xml") {
            Some(SoapVersion::Soap11)
        } else if media.eq_ignore_ascii_case("application/soap+xml") {
            Some(SoapVersion::Soap12)
        } else {
            None
        }
    }

    /// The `Content-Type` of a message calling `action` (SOAP 1.2 carries
    /// the action there; SOAP 1.1 in [`SoapVersion::soap_action_header`]).
    #[must_use]
    pub fn content_type(self, action: &str) -> String {
        match self {
            SoapVersion::Soap11 => "text/xml; charset=utf-8".to_owned(),
            SoapVersion::Soap12 => {
                format!("application/soap+xml; charset=utf-8; action=\"{action}\"")
            }
        }
    }

    /// The value of the `SOAPAction` header (quoted, as .NET clients send
    /// it) for SOAP 1.1; SOAP 1.2 sends no such header.
    #[must_use]
    pub fn soap_action_header(self, action: &str) -> Option<String> {
        match self {
            SoapVersion::Soap11 => Some(format!("\"{action}\"")),
            SoapVersion::Soap12 => None,
        }
    }
}

impl fmt::Display for SoapVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SoapVersion::Soap11 => "SOAP 1.1",
            SoapVersion::Soap12 => "SOAP 1.2",
        })
    }
}

/// The action of `operation` in `namespace` as .asmx services name it:
/// `http://tempuri.org/` + `chek` = `http://tempuri.org/chek` (a `/` is put
/// between them when the namespace does not end with one).
#[must_use]
pub fn soap_action(namespace: &str, operation: &str) -> String {
    if namespace.ends_with('/') {
        format!("{namespace}{operation}")
    } else {
        format!("{namespace}/{operation}")
    }
}

/// The action a request names: its `SOAPAction` header (quoted or not, as
/// clients send both) or else the `action` parameter of a SOAP 1.2
/// `Content-Type`. `None` when neither names one.
#[must_use]
pub fn request_action<'h>(
    soap_action: Option<&'h str>,
    content_type: Option<&'h str>,
) -> Option<&'h str> {
    let unquote = |v: &'h str| {
        let v = v.trim();
        v.strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v)
    };
    if let Some(action) = soap_action.map(unquote).filter(|a| !a.is_empty()) {
        return Some(action);
    }
    content_type?
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("action"))
        .map(|(_, v)| unquote(v))
        .filter(|a| !a.is_empty())
}

/// A SOAP fault: the service (or a server it calls) failed with an
/// exception. .asmx services answer HTTP 500 with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SoapFault {
    /// The envelope's version.
    pub version: SoapVersion,
    /// `faultcode` (1.1) or `Code/Value` (1.2), as sent: `soap:Server`.
    pub code: String,
    /// `Code/Subcode/Value` (1.2 only).
    pub subcode: Option<String>,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2).
    pub message: String,
    /// `faultactor` (1.1) or `Role` (1.2).
    pub actor: Option<String>,
    /// The text of `detail` (1.1) or `Detail` (1.2), trimmed; `None` when
    /// absent or empty.
    pub detail: Option<String>,
}

impl fmt::Display for SoapFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Where and why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecodeError {
    /// Element path of the offending value, e.g.
    /// `get_invoice_descResult.invoices_descs[3].G_NUMBER` (rows count from
    /// 0); empty for the message as a whole.
    pub path: String,
    /// What was wrong.
    pub message: String,
    /// Index (from 0) of the `DataTable` row, for row errors.
    pub row: Option<usize>,
    /// Element name of the offending column or out parameter.
    pub column: Option<String>,
    /// The offending text (cut after 120 characters).
    pub value: Option<String>,
}

impl DecodeError {
    /// An error about the message at `path`.
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            ..Self::default()
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

/// Why a SOAP message could not be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SoapError {
    /// The message is a SOAP fault.
    #[error("SOAP fault {0}")]
    Fault(Box<SoapFault>),
    /// The body is not a SOAP envelope (an HTML error page of a gateway,
    /// an empty body, another XML document...).
    #[error("expected a SOAP envelope (soap:Envelope), found {found}")]
    NotSoap {
        /// What the body is, with its first characters.
        found: String,
    },
    /// A SOAP envelope whose content is not what was expected or holds a
    /// value that cannot be read.
    #[error("cannot decode the SOAP message {0}")]
    Decode(Box<DecodeError>),
    /// The request could not be written (an invalid element name, a
    /// character XML cannot carry).
    #[error("cannot encode the SOAP message: {0}")]
    Encode(String),
}

impl SoapError {
    /// A decoding error at `path`.
    pub(crate) fn decode(path: impl Into<String>, message: impl Into<String>) -> Self {
        SoapError::Decode(Box::new(DecodeError::at(path, message)))
    }

    /// The fault, for [`SoapError::Fault`].
    #[must_use]
    pub fn fault(&self) -> Option<&SoapFault> {
        match self {
            SoapError::Fault(fault) => Some(fault),
            _ => None,
        }
    }

    /// This error as the runtime's [`Error`] for a call of `endpoint` whose
    /// reply came with HTTP `http_status`: a fault becomes [`Error::Fault`];
    /// a body that is not SOAP becomes [`Error::Http`] on an error status
    /// and [`Error::Decode`] on a success status, like any unreadable reply.
    #[must_use]
    pub fn into_error(self, endpoint: &'static str, http_status: u16) -> Error {
        let success = (200..300).contains(&http_status);
        match self {
            SoapError::Fault(fault) => Error::Fault {
                endpoint,
                code: fault.code,
                message: fault.message,
                http_status,
            },
            SoapError::NotSoap { found } if !success => Error::Http {
                endpoint,
                status: http_status,
                body: found,
            },
            SoapError::NotSoap { found } => Error::Decode {
                endpoint,
                path: ".".into(),
                message: format!("expected a SOAP envelope (soap:Envelope), found {found}"),
            },
            SoapError::Decode(e) if !success => Error::Http {
                endpoint,
                status: http_status,
                body: e.to_string(),
            },
            SoapError::Decode(e) => Error::Decode {
                endpoint,
                path: if e.path.is_empty() {
                    ".".into()
                } else {
                    e.path
                },
                message: e.message,
            },
            SoapError::Encode(message) => Error::Encode { endpoint, message },
        }
    }
}

/// Whether `body` is one whole XML document whose root is a SOAP
/// `Envelope`: the service's complete answer, rather than an HTML page or
/// a reply cut short. Tells an unreadable answer from a lost one (retries).
#[cfg(feature = "client")]
pub(crate) fn is_whole_envelope(body: &[u8]) -> bool {
    use quick_xml::events::Event;

    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let mut events = events::Events::new(text);
    let (mut depth, mut roots) = (0_usize, 0_usize);
    loop {
        match events.next() {
            Ok(Event::Start(e)) => {
                if depth == 0 {
                    roots += 1;
                    if roots > 1 || events::local_name(&e) != "Envelope" {
                        return false;
                    }
                }
                depth += 1;
            }
            Ok(Event::End(_)) => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Ok(Event::Empty(_)) if depth == 0 => return false,
            Ok(Event::Text(t)) if depth == 0 && !events::is_blank(&t.xml10_content()) => {
                return false;
            }
            Ok(Event::Eof) => return roots == 1 && depth == 0,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

/// `text` trimmed and cut after [`SNIPPET`] characters, for error messages.
pub(crate) fn snippet(text: &str) -> String {
    snippet_raw(text.trim())
}

/// `text` cut after [`SNIPPET`] characters, whitespace kept.
pub(crate) fn snippet_raw(text: &str) -> String {
    match text.char_indices().nth(SNIPPET) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(all(test, feature = "client"))]
mod tests {
    use super::is_whole_envelope;

    #[test]
    fn whole_envelopes_are_told_from_pages_and_cut_replies() {
        let whole = r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult></chekResponse></soap:Body></soap:Envelope>"#;
        assert!(is_whole_envelope(whole.as_bytes()));
        assert!(is_whole_envelope(format!("\n{whole}\n").as_bytes()));
        for (at, _) in whole.char_indices().skip(1) {
            assert!(!is_whole_envelope(&whole.as_bytes()[..at]), "cut at {at}");
        }
        for other in [
            "",
            "<html><body>502 Bad Gateway</body></html>",
            "<soap:Envelope xmlns:soap=\"x\"/>",
            "<Envelope></Envelope><Envelope></Envelope>",
            "<Envelope></Envelope> trailing",
            "<Envelope><a></b></Envelope>",
        ] {
            assert!(!is_whole_envelope(other.as_bytes()), "{other}");
        }
        assert!(!is_whole_envelope(&[0xff, 0xfe]));
    }
}
