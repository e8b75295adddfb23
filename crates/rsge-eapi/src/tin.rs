//! [`Tin`]: a Georgian taxpayer identification number, checked once so that
//! a typo fails here, with the value named, instead of as a service error
//! (-3, -200, ...) after a round trip.

use std::fmt;
use std::str::FromStr;

/// A Georgian taxpayer identification number: 9 digits for an organisation
/// (საიდენტიფიკაციო კოდი) or 11 digits for a person (პირადი ნომერი).
///
/// Only the shape is checked (the service owns the register). Leading zeros
/// are kept, which is why it is text and not a number. On the wire it is a
/// plain JSON string; deserializing checks it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tin(String);

impl Tin {
    /// Length of an organisation's identification code.
    pub const ORGANISATION_LEN: usize = 9;
    /// Length of a person's personal number.
    pub const PERSONAL_LEN: usize = 11;

    /// Check `value` (surrounding whitespace is trimmed, as pasted numbers
    /// often carry it) and wrap it.
    pub fn new(value: &str) -> Result<Tin, TinError> {
        let trimmed = value.trim();
        let digits_only = trimmed.bytes().all(|b| b.is_ascii_digit());
        if digits_only && matches!(trimmed.len(), Self::ORGANISATION_LEN | Self::PERSONAL_LEN) {
            Ok(Tin(trimmed.to_string()))
        } else {
            Err(TinError {
                value: trimmed.to_string(),
            })
        }
    }

    /// The digits, as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a person's 11-digit personal number (not a 9-digit
    /// organisation code): persons and organisations are treated differently
    /// by, e.g., the VAT-payer lookup.
    pub fn is_personal(&self) -> bool {
        self.0.len() == Self::PERSONAL_LEN
    }

    /// Whether this is an organisation's 9-digit identification code.
    pub fn is_organisation(&self) -> bool {
        self.0.len() == Self::ORGANISATION_LEN
    }

    /// The digits as an owned string, e.g. for a generated model's field.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Tin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Tin {
    type Err = TinError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tin::new(s)
    }
}

impl TryFrom<&str> for Tin {
    type Error = TinError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Tin::new(value)
    }
}

impl TryFrom<String> for Tin {
    type Error = TinError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Tin::new(&value)
    }
}

/// Reads as the digits: `Option<Tin>::as_deref()` gives `Option<&str>`.
impl std::ops::Deref for Tin {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Tin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Tin> for String {
    fn from(tin: Tin) -> String {
        tin.0
    }
}

impl PartialEq<str> for Tin {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Tin {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl serde::Serialize for Tin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Tin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Tin::new(&text).map_err(serde::de::Error::custom)
    }
}

/// A string that is not a [`Tin`]; names the (trimmed) value and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TinError {
    value: String,
}

impl TinError {
    /// The rejected value, trimmed.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for TinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TIN `{}` must be 9 or 11 digits", self.value)
    }
}

impl std::error::Error for TinError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_nine_and_eleven_digits() {
        let org = Tin::new("206322102").unwrap();
        assert_eq!(org.as_str(), "206322102");
        assert!(org.is_organisation() && !org.is_personal());
        let person = Tin::new("12345678910").unwrap();
        assert!(person.is_personal() && !person.is_organisation());
        // Leading zeros are significant and kept.
        assert_eq!(Tin::new("01024012345").unwrap().as_str(), "01024012345");
    }

    #[test]
    fn trims_whitespace() {
        assert_eq!(Tin::new("  206322102\n").unwrap(), "206322102");
    }

    #[test]
    fn rejects_other_shapes_naming_value_and_rule() {
        let err = Tin::new("12ab").unwrap_err();
        assert_eq!(err.to_string(), "TIN `12ab` must be 9 or 11 digits");
        assert_eq!(err.value(), "12ab");
        for bad in [
            "",
            "   ",
            "20632210",
            "2063221020",
            "123456789101",
            "20632210x",
            "206 322 102",
            "+20632210",
            "-20632210",
            "２０６３２２１０２", // full-width digits
            "٢٠٦٣٢٢١٠٢",          // Arabic-Indic digits
        ] {
            let err = Tin::new(bad).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("TIN `{}`", bad.trim())),
                "{err}"
            );
        }
        assert_eq!(
            Tin::new(" 12 ").unwrap_err().to_string(),
            "TIN `12` must be 9 or 11 digits"
        );
    }

    #[test]
    fn display_from_str_and_conversions() {
        let tin: Tin = "206322102".parse().unwrap();
        assert_eq!(tin.to_string(), "206322102");
        assert_eq!(format!("{tin}"), "206322102");
        assert!("bad".parse::<Tin>().is_err());
        assert_eq!(
            Tin::try_from("12345678910").unwrap().as_ref(),
            "12345678910"
        );
        assert_eq!(
            String::from(Tin::try_from(String::from("206322102")).unwrap()),
            "206322102"
        );
    }

    #[test]
    fn serde_is_a_checked_string() {
        let tin = Tin::new("206322102").unwrap();
        assert_eq!(serde_json::to_string(&tin).unwrap(), r#""206322102""#);
        let back: Tin = serde_json::from_str(r#""12345678910""#).unwrap();
        assert!(back.is_personal());
        let trimmed: Tin = serde_json::from_str(r#"" 206322102 ""#).unwrap();
        assert_eq!(trimmed, "206322102");
        let err = serde_json::from_str::<Tin>(r#""12ab""#).unwrap_err();
        assert!(
            err.to_string()
                .contains("TIN `12ab` must be 9 or 11 digits"),
            "{err}"
        );
        // A number would lose leading zeros: only strings are accepted.
        assert!(serde_json::from_str::<Tin>("206322102").is_err());
        // Escaped strings (not borrowable) work too.
        let escaped: Tin = serde_json::from_str(r#""\u0032\u00306322102""#).unwrap();
        assert_eq!(escaped, "206322102");
    }
}
