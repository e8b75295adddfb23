//! [`Gstin`]: a checked GST identification number, and the table of
//! Indian state codes ([`State`], [`STATES`]).
//!
//! A GSTIN is 15 characters: two digits of state code, the holder's PAN
//! (ten characters), the entity number, a default `Z`, and a check
//! character computed by GSTN with the Luhn mod 36 algorithm over the
//! first 14. [`Gstin::new`] checks all of it, so a typo fails here with the
//! value and rule named instead of as IRP error 3028 after a round trip.
//! The IRP's own schema checks only `^[0-9]{2}[0-9A-Z]{13}$`, and its
//! sandbox hands out test GSTINs (such as `02AMBPG7773M002`) that fail the
//! check character: [`Gstin::new_lenient`] accepts those.

use std::fmt;
use std::str::FromStr;

/// The 36 characters of the GSTIN check alphabet, in value order.
const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// An Indian state or territory as GST codes it (the fact sheet's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct State {
    /// The numeric code (`Stcd`, `Pos`, the first two GSTIN digits).
    pub code: u8,
    /// Its name.
    pub name: &'static str,
}

impl State {
    /// The state with this numeric code, if the table lists it.
    pub fn from_code(code: u8) -> Option<&'static State> {
        STATES.iter().find(|s| s.code == code)
    }

    /// The state for a code as the IRP writes it: `"9"`, `"09"` or `" 29 "`.
    pub fn from_code_str(code: &str) -> Option<&'static State> {
        let code = code.trim();
        if code.is_empty() || code.len() > 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        code.parse().ok().and_then(State::from_code)
    }

    /// The code as two digits (`"09"`), the form GSTINs carry.
    pub fn code_str(&self) -> String {
        format!("{:02}", self.code)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02} {}", self.code, self.name)
    }
}

/// Code for supplies to or from outside India (`Pos`/`Stcd` of exports).
pub const OTHER_COUNTRIES: u8 = 96;

/// Every state code the IRP knows, in code order (fact sheet; 99 is listed
/// by gst_irn).
pub const STATES: &[State] = &[
    State {
        code: 1,
        name: "Jammu & Kashmir",
    },
    State {
        code: 2,
        name: "Himachal Pradesh",
    },
    State {
        code: 3,
        name: "Punjab",
    },
    State {
        code: 4,
        name: "Chandigarh",
    },
    State {
        code: 5,
        name: "Uttarakhand",
    },
    State {
        code: 6,
        name: "Haryana",
    },
    State {
        code: 7,
        name: "Delhi",
    },
    State {
        code: 8,
        name: "Rajasthan",
    },
    State {
        code: 9,
        name: "Uttar Pradesh",
    },
    State {
        code: 10,
        name: "Bihar",
    },
    State {
        code: 11,
        name: "Sikkim",
    },
    State {
        code: 12,
        name: "Arunachal Pradesh",
    },
    State {
        code: 13,
        name: "Nagaland",
    },
    State {
        code: 14,
        name: "Manipur",
    },
    State {
        code: 15,
        name: "Mizoram",
    },
    State {
        code: 16,
        name: "Tripura",
    },
    State {
        code: 17,
        name: "Meghalaya",
    },
    State {
        code: 18,
        name: "Assam",
    },
    State {
        code: 19,
        name: "West Bengal",
    },
    State {
        code: 20,
        name: "Jharkhand",
    },
    State {
        code: 21,
        name: "Odisha",
    },
    State {
        code: 22,
        name: "Chhattisgarh",
    },
    State {
        code: 23,
        name: "Madhya Pradesh",
    },
    State {
        code: 24,
        name: "Gujarat",
    },
    State {
        code: 25,
        name: "Daman & Diu (legacy)",
    },
    State {
        code: 26,
        name: "Dadra & Nagar Haveli and Daman & Diu",
    },
    State {
        code: 27,
        name: "Maharashtra",
    },
    State {
        code: 29,
        name: "Karnataka",
    },
    State {
        code: 30,
        name: "Goa",
    },
    State {
        code: 31,
        name: "Lakshadweep",
    },
    State {
        code: 32,
        name: "Kerala",
    },
    State {
        code: 33,
        name: "Tamil Nadu",
    },
    State {
        code: 34,
        name: "Puducherry",
    },
    State {
        code: 35,
        name: "Andaman & Nicobar",
    },
    State {
        code: 36,
        name: "Telangana",
    },
    State {
        code: 37,
        name: "Andhra Pradesh",
    },
    State {
        code: 38,
        name: "Ladakh",
    },
    State {
        code: OTHER_COUNTRIES,
        name: "Other Countries",
    },
    State {
        code: 97,
        name: "Other Territory",
    },
    State {
        code: 99,
        name: "Centre Jurisdiction",
    },
];

/// A GST identification number (15 characters, upper case).
///
/// On the wire it is a plain JSON string. Deserializing checks it with
/// [`Gstin::new_lenient`] (the IRP's own rule), because GSTINs the IRP and
/// its sandbox send back need not carry a valid check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gstin(String);

impl Gstin {
    /// Length of every GSTIN.
    pub const LEN: usize = 15;

    /// Check `value` fully and wrap it: surrounding whitespace is trimmed
    /// and letters are upper-cased; then the length, the IRP pattern
    /// `^[0-9]{2}[0-9A-Z]{13}$`, a known state code and the check character
    /// must all hold. The middle is not checked against the PAN shape:
    /// tax deductors (TAN), UN bodies and foreign suppliers have GSTINs of
    /// other shapes.
    pub fn new(value: &str) -> Result<Gstin, GstinError> {
        let gstin = Self::new_lenient(value)?;
        let text = gstin.as_str();
        let error = |rule: GstinRule| GstinError {
            value: text.to_string(),
            rule,
        };
        if State::from_code(gstin.state_code()).is_none() {
            return Err(error(GstinRule::StateCode(text[..2].to_string())));
        }
        let expected = check_character(&text[..14]).unwrap_or('?');
        let found = char::from(text.as_bytes()[14]);
        if expected != found {
            return Err(error(GstinRule::CheckCharacter { expected, found }));
        }
        Ok(gstin)
    }

    /// Check only what the IRP's schema checks: 15 characters matching
    /// `^[0-9]{2}[0-9A-Z]{13}$` (after trimming and upper-casing). For the
    /// sandbox's test GSTINs and for values the IRP sent back.
    pub fn new_lenient(value: &str) -> Result<Gstin, GstinError> {
        let text = value.trim().to_ascii_uppercase();
        let error = |rule: GstinRule| GstinError {
            value: text.clone(),
            rule,
        };
        let count = text.chars().count();
        if count != Self::LEN {
            return Err(error(GstinRule::Length(count)));
        }
        for (position, c) in text.chars().enumerate() {
            let ok = if position < 2 {
                c.is_ascii_digit()
            } else {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            };
            if !ok {
                return Err(error(GstinRule::Character {
                    position: position + 1,
                    found: c,
                }));
            }
        }
        Ok(Gstin(text))
    }

    /// The characters, as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned text, e.g. for a generated model's field.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The state code: the first two digits (`29` for `29AAACP7879D1Z0`).
    pub fn state_code(&self) -> u8 {
        // Both are ASCII digits, checked at construction.
        let b = self.0.as_bytes();
        (b[0] - b'0') * 10 + (b[1] - b'0')
    }

    /// The state of the state code, if the table lists it (always for a
    /// GSTIN made by [`Gstin::new`]).
    pub fn state(&self) -> Option<&'static State> {
        State::from_code(self.state_code())
    }

    /// Characters 3 to 12: the holder's PAN for a regular taxpayer (a TAN
    /// or another id for special registrations).
    pub fn pan(&self) -> &str {
        &self.0[2..12]
    }

    /// Whether the check character is right (always for [`Gstin::new`]).
    pub fn has_valid_check_character(&self) -> bool {
        check_character(&self.0[..14]) == Some(char::from(self.0.as_bytes()[14]))
    }
}

/// The GSTIN check character of the first 14 characters (Luhn mod 36, as
/// GSTN defines it): from the left, each character's value in `0-9A-Z` is
/// multiplied by 1 and 2 alternately, the quotient and remainder of each
/// product by 36 are summed, and the check value is `(36 - sum mod 36) mod
/// 36`. `None` when the input is not 14 characters of `0-9A-Z`.
pub fn check_character(first14: &str) -> Option<char> {
    let bytes = first14.as_bytes();
    if bytes.len() != 14 {
        return None;
    }
    let mut sum = 0u32;
    for (i, b) in bytes.iter().enumerate() {
        let value = ALPHABET.iter().position(|a| a == b)? as u32;
        let product = value * if i % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    Some(char::from(ALPHABET[((36 - sum % 36) % 36) as usize]))
}

impl fmt::Display for Gstin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Gstin {
    type Err = GstinError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gstin::new(s)
    }
}

impl TryFrom<&str> for Gstin {
    type Error = GstinError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Gstin::new(value)
    }
}

impl TryFrom<String> for Gstin {
    type Error = GstinError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Gstin::new(&value)
    }
}

impl AsRef<str> for Gstin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Gstin> for String {
    fn from(gstin: Gstin) -> String {
        gstin.0
    }
}

impl PartialEq<str> for Gstin {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Gstin {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl serde::Serialize for Gstin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Gstin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Gstin::new_lenient(&text).map_err(serde::de::Error::custom)
    }
}

/// Which GSTIN rule a value broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GstinRule {
    /// Not 15 characters (the count found).
    Length(usize),
    /// A character not allowed at its position (1-based): digits in 1-2,
    /// digits or upper-case letters after.
    Character {
        /// 1-based position.
        position: usize,
        /// The character found there.
        found: char,
    },
    /// The first two digits are not a known state code.
    StateCode(String),
    /// The 15th character is not the Luhn mod 36 check character.
    CheckCharacter {
        /// The right check character.
        expected: char,
        /// The one found.
        found: char,
    },
}

/// A string that is not a valid [`Gstin`]; names the (trimmed, upper-cased)
/// value and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GstinError {
    value: String,
    rule: GstinRule,
}

impl GstinError {
    /// The rejected value, trimmed and upper-cased.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The rule it breaks.
    pub fn rule(&self) -> &GstinRule {
        &self.rule
    }
}

impl fmt::Display for GstinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GSTIN `{}`: ", self.value)?;
        match &self.rule {
            GstinRule::Length(n) => write!(f, "must be 15 characters, got {n}"),
            GstinRule::Character { position, found } if *position <= 2 => write!(
                f,
                "character {position} `{found}` must be a digit (state code)"
            ),
            GstinRule::Character { position, found } => write!(
                f,
                "character {position} `{found}` must be a digit or an upper-case letter A-Z"
            ),
            GstinRule::StateCode(code) => write!(f, "state code `{code}` is not a known state"),
            GstinRule::CheckCharacter { expected, found } => write!(
                f,
                "check character (15th) is `{found}` but the first 14 characters give `{expected}` (Luhn mod 36)"
            ),
        }
    }
}

impl std::error::Error for GstinError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_gstins_pass_the_full_check() {
        for text in [
            "29AAACP7879D1Z0",
            "27AAPFU0939F1ZV",
            "27AAACR5055K1Z7",
            "09AAACH7409R1ZZ",
        ] {
            let gstin = Gstin::new(text).unwrap();
            assert_eq!(gstin, text);
            assert!(gstin.has_valid_check_character());
        }
        let g = Gstin::new(" 29aaacp7879d1z0 ").unwrap();
        assert_eq!(g.as_str(), "29AAACP7879D1Z0");
        assert_eq!(g.state_code(), 29);
        assert_eq!(g.state().unwrap().name, "Karnataka");
        assert_eq!(g.pan(), "AAACP7879D");
    }

    #[test]
    fn check_character_is_luhn_mod_36() {
        assert_eq!(check_character("29AAACP7879D1Z"), Some('0'));
        assert_eq!(check_character("27AAPFU0939F1Z"), Some('V'));
        assert_eq!(check_character("02AMBPG7773M00"), Some('W'));
        assert_eq!(check_character("short"), None);
        assert_eq!(check_character("29aaacp7879d1z"), None);
    }

    #[test]
    fn sandbox_gstins_pass_only_the_lenient_check() {
        let e = Gstin::new("02AMBPG7773M002").unwrap_err();
        assert_eq!(
            e.to_string(),
            "GSTIN `02AMBPG7773M002`: check character (15th) is `2` but the first 14 characters give `W` (Luhn mod 36)"
        );
        let g = Gstin::new_lenient("02AMBPG7773M002").unwrap();
        assert!(!g.has_valid_check_character());
        assert_eq!(g.state().unwrap().name, "Himachal Pradesh");
        let g: Gstin = serde_json::from_str("\"36AMBPG7773M002\"").unwrap();
        assert_eq!(serde_json::to_string(&g).unwrap(), "\"36AMBPG7773M002\"");
    }

    #[test]
    fn errors_name_value_and_rule() {
        let cases = [
            (
                "29AAACP7879D1Z",
                "GSTIN `29AAACP7879D1Z`: must be 15 characters, got 14",
            ),
            (
                "2XAAACP7879D1Z0",
                "GSTIN `2XAAACP7879D1Z0`: character 2 `X` must be a digit (state code)",
            ),
            (
                "29AAACP7879D1Z-",
                "GSTIN `29AAACP7879D1Z-`: character 15 `-` must be a digit or an upper-case letter A-Z",
            ),
            (
                "28AAACP7879D1Z0",
                "GSTIN `28AAACP7879D1Z0`: state code `28` is not a known state",
            ),
            ("URP", "GSTIN `URP`: must be 15 characters, got 3"),
        ];
        for (input, message) in cases {
            let e = Gstin::new(input).unwrap_err();
            assert_eq!(e.to_string(), message);
        }
        let e = Gstin::new("29AAACP7879D1Zé").unwrap_err();
        assert_eq!(
            e.rule(),
            &GstinRule::Character {
                position: 15,
                found: 'é'
            }
        );
        let e = serde_json::from_str::<Gstin>("\"29AAACP\"").unwrap_err();
        assert!(e.to_string().contains("must be 15 characters"), "{e}");
    }

    #[test]
    fn state_table_lookups() {
        assert_eq!(State::from_code(27).unwrap().name, "Maharashtra");
        assert_eq!(State::from_code_str("9").unwrap().name, "Uttar Pradesh");
        assert_eq!(State::from_code_str("09").unwrap().code, 9);
        assert_eq!(State::from_code_str("96").unwrap().code, OTHER_COUNTRIES);
        assert!(State::from_code_str("28").is_none());
        assert!(State::from_code_str("0").is_none());
        assert!(State::from_code_str("009").is_none());
        assert!(State::from_code_str("x").is_none());
        assert_eq!(State::from_code(7).unwrap().code_str(), "07");
        assert_eq!(State::from_code(7).unwrap().to_string(), "07 Delhi");
        assert!(STATES.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(STATES.len(), 40);
    }
}
