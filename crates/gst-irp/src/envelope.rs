//! The IRP's reply envelope: `Status`, `Data`, `ErrorDetails`, `InfoDtls`,
//! and the typed views of its error and info entries.
//!
//! Every reply is HTTP 200; `Status` 0 means refused, with every reason in
//! `ErrorDetails` ([`ServiceError`]), and `InfoDtls` carries extra facts
//! either way ([`Info`]: the existing IRN of a duplicate, e-way bill
//! errors, the computed distance).

use std::fmt;

use serde::ser::SerializeMap;
use serde_json::{Map, Value};

/// One entry of `ErrorDetails`: the IRP's code (a string such as `"2150"`)
/// and its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ErrorDetail {
    /// `ErrorCode`, e.g. `2150`.
    pub code: String,
    /// `ErrorMessage`, e.g. `Duplicate IRN`.
    pub message: String,
}

impl ErrorDetail {
    /// An entry from code and text.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorDetail {
            code: code.into(),
            message: message.into(),
        }
    }

    fn from_value(value: &Value) -> ErrorDetail {
        match value {
            Value::Object(map) => ErrorDetail {
                code: text_of(get_ci(map, "ErrorCode")).unwrap_or_default(),
                message: text_of(get_ci(map, "ErrorMessage")).unwrap_or_default(),
            },
            // Not the documented shape: keep what there is as the message.
            other => ErrorDetail {
                code: String::new(),
                message: text_of(Some(other)).unwrap_or_default(),
            },
        }
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code.is_empty(), self.message.is_empty()) {
            (false, false) => write!(f, "{} {}", self.code, self.message),
            (false, true) => f.write_str(&self.code),
            _ => f.write_str(&self.message),
        }
    }
}

impl serde::Serialize for ErrorDetail {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("ErrorCode", &self.code)?;
        map.serialize_entry("ErrorMessage", &self.message)?;
        map.end()
    }
}

/// `DUPIRN` info: the IRN already registered for the same document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DuplicateIrn {
    /// `AckNo` of the existing IRN.
    pub ack_no: i64,
    /// `AckDt` (`yyyy-MM-dd HH:mm:ss`).
    pub ack_dt: String,
    /// The existing `Irn`.
    pub irn: String,
}

/// One entry of `InfoDtls`, by its `InfCd`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Info {
    /// `DUPIRN`: the document already has an IRN (with error 2150).
    DuplicateIrn(DuplicateIrn),
    /// `EWBERR`: the IRN was generated but the e-way bill was not, for
    /// these reasons (e.g. 4019).
    EwbErrors(Vec<ErrorDetail>),
    /// `EWBPPD`: e.g. `Pin-Pin calc distance: 2467KM`.
    EwbDistance(String),
    /// `ADDNLNFO`: additional information text.
    Additional(String),
    /// Any other code, or a known code whose `Desc` is not the documented
    /// shape, kept as sent.
    Other {
        /// `InfCd`.
        code: String,
        /// `Desc`.
        desc: Value,
    },
}

impl Info {
    /// The `InfCd` of this entry.
    pub fn code(&self) -> &str {
        match self {
            Info::DuplicateIrn(_) => "DUPIRN",
            Info::EwbErrors(_) => "EWBERR",
            Info::EwbDistance(_) => "EWBPPD",
            Info::Additional(_) => "ADDNLNFO",
            Info::Other { code, .. } => code,
        }
    }

    /// Read one `{"InfCd", "Desc"}` entry. `Desc` may also arrive as a
    /// string holding JSON; it is unpacked for the structured kinds.
    pub fn from_value(value: &Value) -> Info {
        let Value::Object(map) = value else {
            return Info::Other {
                code: String::new(),
                desc: value.clone(),
            };
        };
        let code = text_of(get_ci(map, "InfCd")).unwrap_or_default();
        let desc = get_ci(map, "Desc").cloned().unwrap_or(Value::Null);
        let structured = unpack_json_string(&desc);
        let parsed = match code.to_ascii_uppercase().as_str() {
            "DUPIRN" => duplicate_irn(&structured).map(Info::DuplicateIrn),
            "EWBERR" => match &structured {
                Value::Array(items) => Some(Info::EwbErrors(
                    items.iter().map(ErrorDetail::from_value).collect(),
                )),
                Value::Object(_) => {
                    Some(Info::EwbErrors(vec![ErrorDetail::from_value(&structured)]))
                }
                _ => None,
            },
            "EWBPPD" => text_of(Some(&desc)).map(Info::EwbDistance),
            "ADDNLNFO" => text_of(Some(&desc)).map(Info::Additional),
            _ => None,
        };
        parsed.unwrap_or(Info::Other { code, desc })
    }

    /// The `Desc` value as the IRP writes it.
    pub fn desc(&self) -> Value {
        match self {
            Info::DuplicateIrn(d) => {
                let mut map = Map::new();
                map.insert("AckNo".into(), Value::from(d.ack_no));
                map.insert("AckDt".into(), Value::from(d.ack_dt.clone()));
                map.insert("Irn".into(), Value::from(d.irn.clone()));
                Value::Object(map)
            }
            Info::EwbErrors(errors) => Value::Array(
                errors
                    .iter()
                    .map(|e| {
                        let mut map = Map::new();
                        map.insert("ErrorCode".into(), Value::from(e.code.clone()));
                        map.insert("ErrorMessage".into(), Value::from(e.message.clone()));
                        Value::Object(map)
                    })
                    .collect(),
            ),
            Info::EwbDistance(text) | Info::Additional(text) => Value::from(text.clone()),
            Info::Other { desc, .. } => desc.clone(),
        }
    }
}

impl serde::Serialize for Info {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("InfCd", self.code())?;
        map.serialize_entry("Desc", &self.desc())?;
        map.end()
    }
}

fn duplicate_irn(desc: &Value) -> Option<DuplicateIrn> {
    let Value::Object(map) = desc else {
        return None;
    };
    let ack_no = match get_ci(map, "AckNo")? {
        Value::Number(n) => n.as_i64().or_else(|| n.to_string().parse().ok())?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some(DuplicateIrn {
        ack_no,
        ack_dt: text_of(get_ci(map, "AckDt")).unwrap_or_default(),
        irn: text_of(get_ci(map, "Irn"))?,
    })
}

/// A string that holds a JSON object or array, parsed; anything else as is.
fn unpack_json_string(value: &Value) -> Value {
    if let Value::String(text) = value
        && text.trim_start().starts_with(['{', '['])
        && let Ok(parsed) = serde_json::from_str(text)
    {
        return parsed;
    }
    value.clone()
}

/// Text of a string or number value.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A key looked up exactly, then case-insensitively (some gateways change
/// the case of the envelope's keys).
pub(crate) fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The IRP refused a request (`Status` 0): every `ErrorDetails` entry and
/// every `InfoDtls` entry of the reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceError {
    /// Every `ErrorDetails` entry, in order.
    pub errors: Vec<ErrorDetail>,
    /// Every `InfoDtls` entry (e.g. [`Info::DuplicateIrn`] with 2150).
    pub info: Vec<Info>,
}

impl ServiceError {
    /// Whether any entry has this code (e.g. `"2150"`).
    pub fn has_code(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// The codes of all entries, in order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().map(|e| e.code.as_str())
    }

    /// The existing IRN's details, when the IRP reported a duplicate.
    pub fn duplicate_irn(&self) -> Option<&DuplicateIrn> {
        self.info.iter().find_map(|i| match i {
            Info::DuplicateIrn(d) => Some(d),
            _ => None,
        })
    }

    /// Whether the session token was refused (1005: expired, or issued for
    /// another GSTIN or user): log in again.
    pub fn is_invalid_token(&self) -> bool {
        self.has_code("1005")
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the IRP refused the request: ")?;
        if self.errors.is_empty() {
            f.write_str("Status 0 without ErrorDetails")?;
        }
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        if let Some(d) = self.duplicate_irn() {
            write!(
                f,
                " (existing IRN {}, AckNo {}, AckDt {})",
                d.irn, d.ack_no, d.ack_dt
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// A reply envelope, read leniently: `Status` as number or string, the
/// lists as arrays, `null`, or strings holding JSON arrays.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub status_ok: bool,
    pub data: Value,
    pub errors: Vec<ErrorDetail>,
    pub info: Vec<Info>,
}

impl Envelope {
    /// Parse a reply body; the error says what is missing or wrong without
    /// quoting the body (it may carry a token).
    pub fn parse(body: &[u8]) -> Result<Envelope, String> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| format!("the body is not JSON ({e})"))?;
        let Value::Object(map) = value else {
            return Err("the body is not a JSON object".into());
        };
        let status = match get_ci(&map, "Status") {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(_) => return Err("`Status` is neither a number nor a string".into()),
            None => return Err("no `Status` field".into()),
        };
        let status_ok = match status.as_str() {
            "1" => true,
            "0" => false,
            other => return Err(format!("`Status` is `{other}`, expected 1 or 0")),
        };
        Ok(Envelope {
            status_ok,
            data: get_ci(&map, "Data").cloned().unwrap_or(Value::Null),
            errors: list(get_ci(&map, "ErrorDetails"))
                .iter()
                .map(ErrorDetail::from_value)
                .collect(),
            info: list(get_ci(&map, "InfoDtls"))
                .iter()
                .map(Info::from_value)
                .collect(),
        })
    }

    /// `Err` with every entry when `Status` is 0.
    pub fn into_result(self) -> Result<(Value, Vec<Info>), ServiceError> {
        if self.status_ok {
            Ok((self.data, self.info))
        } else {
            Err(ServiceError {
                errors: self.errors,
                info: self.info,
            })
        }
    }
}

fn list(value: Option<&Value>) -> Vec<Value> {
    match value.map(unpack_json_string) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(Value::String(s)) if s.trim().is_empty() => Vec::new(),
        Some(other) => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_irn_reply_carries_every_entry() {
        let body = br#"{"Status":0,"Data":null,
            "ErrorDetails":[{"ErrorCode":"2150","ErrorMessage":"Duplicate IRN"}],
            "InfoDtls":[{"InfCd":"DUPIRN","Desc":{"AckNo":12100028671,"AckDt":"2020-02-29 14:51:00","Irn":"bc368ad9"}}]}"#;
        let e = Envelope::parse(body).unwrap().into_result().unwrap_err();
        assert!(e.has_code("2150"));
        assert_eq!(e.codes().collect::<Vec<_>>(), ["2150"]);
        let d = e.duplicate_irn().unwrap();
        assert_eq!(d.ack_no, 12100028671);
        assert_eq!(d.irn, "bc368ad9");
        assert_eq!(
            e.to_string(),
            "the IRP refused the request: 2150 Duplicate IRN (existing IRN bc368ad9, AckNo 12100028671, AckDt 2020-02-29 14:51:00)"
        );
    }

    #[test]
    fn lenient_status_lists_and_info_kinds() {
        let body = br#"{"status":"1","Data":"abc","ErrorDetails":null,"Alert":null,
            "InfoDtls":"[{\"InfCd\":\"EWBPPD\",\"Desc\":\"Pin-Pin calc distance: 2467KM\"},{\"InfCd\":\"EWBERR\",\"Desc\":[{\"ErrorCode\":4019,\"ErrorMessage\":\"Transporter id needed\"}]},{\"InfCd\":\"ADDNLNFO\",\"Desc\":\"x\"},{\"InfCd\":\"NEW\",\"Desc\":{\"a\":1}}]"}"#;
        let (data, info) = Envelope::parse(body).unwrap().into_result().unwrap();
        assert_eq!(data, Value::from("abc"));
        assert_eq!(
            info[0],
            Info::EwbDistance("Pin-Pin calc distance: 2467KM".into())
        );
        assert_eq!(
            info[1],
            Info::EwbErrors(vec![ErrorDetail::new("4019", "Transporter id needed")])
        );
        assert_eq!(info[2], Info::Additional("x".into()));
        assert_eq!(info[3].code(), "NEW");
        // Serialization gives back the wire shape.
        let again: Vec<Info> = info
            .iter()
            .map(|i| Info::from_value(&serde_json::to_value(i).unwrap()))
            .collect();
        assert_eq!(again, info);
    }

    #[test]
    fn status_zero_with_several_errors() {
        let body = br#"{"Status":"0","ErrorDetails":[{"ErrorCode":"2182","ErrorMessage":"a"},{"ErrorCode":2189,"ErrorMessage":"b"}],"InfoDtls":null}"#;
        let e = Envelope::parse(body).unwrap().into_result().unwrap_err();
        assert_eq!(e.codes().collect::<Vec<_>>(), ["2182", "2189"]);
        assert_eq!(e.to_string(), "the IRP refused the request: 2182 a; 2189 b");
        assert!(e.info.is_empty());
    }

    #[test]
    fn bad_envelopes_say_what_is_wrong() {
        assert!(Envelope::parse(b"<html>").unwrap_err().contains("not JSON"));
        assert_eq!(
            Envelope::parse(b"[]").unwrap_err(),
            "the body is not a JSON object"
        );
        assert_eq!(Envelope::parse(b"{}").unwrap_err(), "no `Status` field");
        assert_eq!(
            Envelope::parse(br#"{"Status":2}"#).unwrap_err(),
            "`Status` is `2`, expected 1 or 0"
        );
    }
}
