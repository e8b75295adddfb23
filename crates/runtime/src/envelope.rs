//! The status envelope (`{"DATA": ..., "STATUS": {"ID": 0, "TEXT": "..."}}`)
//! with wire names taken from the spec at run time, so one implementation
//! serves every service that wraps its replies.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::EnvelopeShape;

/// A reply split into its parts; the payload stays raw JSON until the status
/// says it is worth decoding.
#[derive(Debug)]
pub struct RawReply<'a> {
    /// The payload, if present and not `null`.
    pub data: Option<&'a RawValue>,
    /// The status code, if the status object was present.
    pub code: Option<i64>,
    /// The status text (empty when absent).
    pub text: String,
}

/// Split a reply body by `shape`. Fails when the body is not a JSON object;
/// unknown keys are skipped.
pub fn split<'a>(shape: &EnvelopeShape, body: &'a str) -> Result<RawReply<'a>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let reply = deserializer.deserialize_map(ReplyVisitor { shape })?;
    deserializer.end()?;
    Ok(reply)
}

/// The payload of a successful reply, decoded in a single pass, or `None`
/// when anything is off (error status, missing or undecodable payload): the
/// caller then takes the careful two-pass route of [`split`], which explains.
pub fn decode_success<'a, T: serde::Deserialize<'a>>(
    shape: &EnvelopeShape,
    body: &'a str,
) -> Option<T> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let data = deserializer
        .deserialize_map(SuccessVisitor::<T> {
            shape,
            data: std::marker::PhantomData,
        })
        .ok()??;
    deserializer.end().ok()?;
    Some(data)
}

struct SuccessVisitor<'s, T> {
    shape: &'s EnvelopeShape,
    data: std::marker::PhantomData<T>,
}

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for SuccessVisitor<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an object with `{}` and `{}`",
            self.shape.data, self.shape.status
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut data = None;
        let mut code = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.shape.data {
                data = Some(map.next_value::<T>()?);
            } else if key == self.shape.status {
                code = map.next_value_seed(StatusSeed { shape: self.shape })?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(data.filter(|_| code == Some(self.shape.success)))
    }
}

struct ReplyVisitor<'s> {
    shape: &'s EnvelopeShape,
}

impl<'de, 's> Visitor<'de> for ReplyVisitor<'s> {
    type Value = RawReply<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an object with `{}` and `{}`",
            self.shape.data, self.shape.status
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut reply = RawReply {
            data: None,
            code: None,
            text: String::new(),
        };
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.shape.data {
                let raw: &'de RawValue = map.next_value()?;
                reply.data = (raw.get() != "null").then_some(raw);
            } else if key == self.shape.status {
                let (code, text) = map.next_value_seed(StatusSeed { shape: self.shape })?;
                reply.code = code;
                reply.text = text;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(reply)
    }
}

struct StatusSeed<'s> {
    shape: &'s EnvelopeShape,
}

impl<'de> DeserializeSeed<'de> for StatusSeed<'_> {
    type Value = (Option<i64>, String);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StatusSeed<'_> {
    type Value = (Option<i64>, String);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a status object with `{}` and `{}`",
            self.shape.code, self.shape.text
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut code = None;
        let mut text = String::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.shape.code {
                let value: crate::EnumCode = map.next_value()?;
                code = match value {
                    crate::EnumCode::Int(c) => Some(c),
                    crate::EnumCode::Text(t) => {
                        return Err(de::Error::invalid_value(
                            de::Unexpected::Str(&t),
                            &"an integer status code",
                        ));
                    }
                };
            } else if key == self.shape.text {
                text = map.next_value::<Option<String>>()?.unwrap_or_default();
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok((code, text))
    }
}

/// Writes `{DATA: data, STATUS: {ID: code, TEXT: text}}` with the shape's names.
pub struct Wrapped<'a, T> {
    /// The wire names.
    pub shape: &'a EnvelopeShape,
    /// The payload.
    pub data: &'a T,
    /// Status code.
    pub code: i64,
    /// Status text.
    pub text: &'a str,
}

impl<T: Serialize> Serialize for Wrapped<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(self.shape.data, self.data)?;
        map.serialize_entry(
            self.shape.status,
            &Status {
                shape: self.shape,
                code: self.code,
                text: self.text,
            },
        )?;
        map.end()
    }
}

struct Status<'a> {
    shape: &'a EnvelopeShape,
    code: i64,
    text: &'a str,
}

impl Serialize for Status<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(self.shape.code, &self.code)?;
        map.serialize_entry(self.shape.text, self.text)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: EnvelopeShape = EnvelopeShape {
        data: "DATA",
        status: "STATUS",
        code: "ID",
        text: "TEXT",
        success: 0,
        malformed_request: -1,
    };

    #[test]
    fn splits_payload_and_status() {
        let body = r#"{"DATA":{"A":[1,2]},"X":1,"STATUS":{"ID":-2,"TEXT":"არასწორი ქმედება"}}"#;
        let reply = split(&SHAPE, body).unwrap();
        assert_eq!(reply.data.unwrap().get(), r#"{"A":[1,2]}"#);
        assert_eq!(reply.code, Some(-2));
        assert_eq!(reply.text, "არასწორი ქმედება");
    }

    #[test]
    fn null_payload_and_missing_status() {
        let reply = split(&SHAPE, r#"{"DATA":null}"#).unwrap();
        assert!(reply.data.is_none());
        assert_eq!(reply.code, None);
    }

    #[test]
    fn rejects_non_objects() {
        assert!(split(&SHAPE, "<html>502</html>").is_err());
        assert!(split(&SHAPE, "[1]").is_err());
        assert!(split(&SHAPE, r#"{"STATUS":{"ID":"x"}}"#).is_err());
    }

    #[test]
    fn writes_with_the_shape_names() {
        let data = serde_json::json!({"A": 1});
        let text = serde_json::to_string(&Wrapped {
            shape: &SHAPE,
            data: &data,
            code: 0,
            text: "ok",
        })
        .unwrap();
        assert_eq!(text, r#"{"DATA":{"A":1},"STATUS":{"ID":0,"TEXT":"ok"}}"#);
    }
}
