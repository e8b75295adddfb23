//! Splitting the raw text of one table row into the raw texts of its values.
//!
//! The table decoder asks `serde_json` for each row's raw text (one
//! validating pass, the same work as skipping the row) and then walks the
//! row here, while it is still in cache, handing each value's text to the
//! cell decoder. That costs one cheap scan of the row instead of a round
//! of `serde_json` calls per cell, which on a 50-column row was most of the
//! decode's time.
//!
//! The text has been checked by `serde_json` before it gets here, so the
//! walk only has to find where values end; it still never panics and
//! reports anything it cannot split as an error.

/// One value of a row: its raw JSON text (whitespace trimmed) and, for a
/// string, whether it holds escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawValueText<'de> {
    pub(crate) text: &'de str,
    pub(crate) escaped: bool,
}

/// The values of one JSON array, in order.
pub(crate) struct RowText<'de> {
    text: &'de str,
    at: usize,
    first: bool,
}

impl<'de> RowText<'de> {
    /// The values of `text`, which must be a JSON array.
    pub(crate) fn new(text: &'de str) -> Result<Self, &'static str> {
        let mut row = Self {
            text,
            at: 0,
            first: true,
        };
        row.skip_whitespace();
        if row.byte() != Some(b'[') {
            return Err("a row must be an array");
        }
        row.at += 1;
        Ok(row)
    }

    #[inline]
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.byte() {
            self.at += 1;
        }
    }

    /// The next value, or `None` at the closing bracket.
    #[cfg(test)]
    pub(crate) fn next_value(&mut self) -> Result<Option<RawValueText<'de>>, &'static str> {
        if !self.advance_to_value()? {
            return Ok(None);
        }
        self.take_value().map(Some)
    }

    /// Moves to the start of the next value (past the comma before it);
    /// `false` at the closing bracket.
    #[inline]
    pub(crate) fn advance_to_value(&mut self) -> Result<bool, &'static str> {
        self.skip_whitespace();
        match self.byte() {
            Some(b']') => return Ok(false),
            Some(b',') if !self.first => {
                self.at += 1;
                self.skip_whitespace();
            }
            Some(b) if self.first && b != b',' => {}
            _ => return Err("a row's values must be separated by commas"),
        }
        self.first = false;
        Ok(true)
    }

    /// The row's text from the current value on.
    #[inline]
    pub(crate) fn rest(&self) -> &'de str {
        self.text.get(self.at..).unwrap_or_default()
    }

    /// Past the current value, `len` bytes long, read by a quick cell reader
    /// from [`RowText::rest`].
    #[inline]
    pub(crate) fn skip_value(&mut self, len: usize) {
        self.at += len;
    }

    /// The current value (after [`RowText::advance_to_value`]).
    pub(crate) fn take_value(&mut self) -> Result<RawValueText<'de>, &'static str> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut escaped = false;
        match self.byte() {
            Some(b'"') => {
                escaped = self.skip_string()?;
            }
            Some(b'[' | b'{') => self.skip_nested()?,
            Some(_) => {
                while let Some(b) = bytes.get(self.at) {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.at += 1;
                }
                if self.at == start {
                    return Err("a row holds an empty value");
                }
            }
            None => return Err("a row ended inside a value"),
        }
        // Every boundary above is an ASCII byte, so the slice is text.
        let text = self
            .text
            .get(start..self.at)
            .ok_or("a row value is not text")?;
        Ok(RawValueText { text, escaped })
    }

    /// Past the string starting at `self.at`; whether it holds escapes.
    fn skip_string(&mut self) -> Result<bool, &'static str> {
        let bytes = self.text.as_bytes();
        let mut at = self.at + 1;
        let mut escaped = false;
        loop {
            let rest = bytes.get(at..).ok_or("a row ended inside a string")?;
            match memchr::memchr2(b'"', b'\\', rest) {
                Some(i) if rest[i] == b'"' => {
                    self.at = at + i + 1;
                    return Ok(escaped);
                }
                // A backslash: the byte after it is part of the escape.
                Some(i) => {
                    escaped = true;
                    at += i + 2;
                }
                None => return Err("a row ended inside a string"),
            }
        }
    }

    /// Past the array or object starting at `self.at`.
    fn skip_nested(&mut self) -> Result<(), &'static str> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        while let Some(&b) = bytes.get(self.at) {
            match b {
                b'"' => {
                    self.skip_string()?;
                    continue;
                }
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth = depth
                        .checked_sub(1)
                        .ok_or("a row's brackets do not match")?;
                    if depth == 0 {
                        self.at += 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
        Err("a row ended inside a nested value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Result<Vec<(&str, bool)>, &'static str> {
        let mut row = RowText::new(text)?;
        let mut values = Vec::new();
        while let Some(value) = row.next_value()? {
            values.push((value.text, value.escaped));
        }
        Ok(values)
    }

    #[test]
    fn splits_scalars_strings_and_nested_values() {
        let values =
            split(r#" [ 1 , -2.5e3,"a,b" ,"q\"]" , null,true, [1,["]",{"k":"}"}]], {"a":[]} ] "#);
        assert_eq!(
            values.unwrap(),
            vec![
                ("1", false),
                ("-2.5e3", false),
                (r#""a,b""#, false),
                (r#""q\"]""#, true),
                ("null", false),
                ("true", false),
                (r#"[1,["]",{"k":"}"}]]"#, false),
                (r#"{"a":[]}"#, false),
            ]
        );
        assert_eq!(split("[]").unwrap(), vec![]);
        assert_eq!(
            split("[\"ქართული\"]").unwrap(),
            vec![("\"ქართული\"", false)]
        );
        assert_eq!(split(r#"["\\"]"#).unwrap(), vec![(r#""\\""#, true)]);
    }

    #[test]
    fn broken_rows_are_errors_not_panics() {
        for text in [
            "", "1", "{}", "[", "[1", "[1,", "[,1]", "[1 2]", "[\"a", "[\"a\\", "[[1]", "[{]",
            "[]]", "[1,]]", "[\"\\u10", "[}]",
        ] {
            // Whatever it says, it must say it without panicking; the ones
            // that cannot be split must fail.
            let _ = split(text);
        }
        for text in [
            "", "1", "{}", "[", "[1", "[,1]", "[1 2]", "[\"a", "[[1]", "[}]",
        ] {
            assert!(split(text).is_err(), "{text:?}");
        }
    }
}
