//! Checks of a document against the constraints its spec declares (lengths,
//! patterns, ranges, list sizes, conditional presence, business rules),
//! before anything is sent.
//!
//! Generated code implements [`Validate`] for every model whose spec has
//! constraints; [`Validate::validate`] walks the whole document and reports
//! every violation at once, each with its JSON path, the rule that failed and
//! the service's error code for it.
//!
//! ```
//! use taxsdk_runtime::validate::{Path, Report};
//!
//! let mut report = Report::new();
//! let path = Path::root().field("SellerDtls").field("LglNm");
//! report.length(&path, "AB", Some(3), Some(100), 2140);
//! let violations = report.finish().unwrap_err();
//! assert_eq!(violations.list()[0].path, "SellerDtls.LglNm");
//! assert_eq!(violations.list()[0].code, 2140);
//! ```

use std::collections::HashSet;
use std::fmt;
use std::hash::Hash;

pub use regex::Regex;
use rust_decimal::Decimal;

/// A model that can check itself against its spec's constraints.
pub trait Validate {
    /// Record every violation of `self` (found at `path`) in `report`.
    fn validate_at(&self, path: &Path, report: &mut Report);

    /// Check the whole document: `Ok` when nothing is wrong, else every
    /// violation found.
    fn validate(&self) -> Result<(), Violations> {
        let mut report = Report::new();
        self.validate_at(&Path::root(), &mut report);
        report.finish()
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, path: &Path, report: &mut Report) {
        if let Some(value) = self {
            value.validate_at(path, report);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, path: &Path, report: &mut Report) {
        for (index, value) in self.iter().enumerate() {
            value.validate_at(&path.index(index), report);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate_at(&self, path: &Path, report: &mut Report) {
        (**self).validate_at(path, report);
    }
}

/// A JSON path in wire names: `ItemList[2].HsnCd` (empty: the document).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    /// The document itself.
    pub fn root() -> Self {
        Path(String::new())
    }

    /// The member `name` of this object.
    #[must_use]
    pub fn field(&self, name: &str) -> Path {
        if self.0.is_empty() {
            Path(name.to_string())
        } else {
            Path(format!("{}.{name}", self.0))
        }
    }

    /// Element `index` of this list.
    #[must_use]
    pub fn index(&self, index: usize) -> Path {
        Path(format!("{}[{index}]", self.0))
    }

    /// The path as text (`""` for the document).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("(document)")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// Which kind of rule a violation broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// A required member is missing.
    Required,
    /// A member required because a sibling has a given value is missing.
    RequiredWhen {
        /// Wire name of the sibling.
        field: &'static str,
        /// The sibling's value that makes the member required.
        equals: &'static str,
    },
    /// Text length in characters outside `min..=max`.
    Length {
        /// Fewest characters allowed.
        min: Option<usize>,
        /// Most characters allowed.
        max: Option<usize>,
        /// Characters found.
        found: usize,
    },
    /// Text that does not match the pattern.
    Pattern(&'static str),
    /// Text that matches a pattern it must not match.
    NotPattern(&'static str),
    /// A number outside `min..=max` (decimal text).
    Range {
        /// Smallest value allowed.
        min: Option<&'static str>,
        /// Largest value allowed.
        max: Option<&'static str>,
    },
    /// A list with too few or too many elements.
    Items {
        /// Fewest elements allowed.
        min: Option<usize>,
        /// Most elements allowed.
        max: Option<usize>,
        /// Elements found.
        found: usize,
    },
    /// Two elements of a list share a member that must be unique.
    Unique(&'static str),
    /// A code the service does not document.
    UnknownCode,
    /// An arithmetic business rule: `left` must equal `right` within
    /// `tolerance`.
    Equal {
        /// The rule as the spec writes it, e.g. `AssAmt = TotAmt - Discount`.
        rule: &'static str,
        /// The value found on the left.
        left: Decimal,
        /// What the right side adds up to.
        right: Decimal,
        /// The absolute difference allowed.
        tolerance: Decimal,
    },
    /// A business rule checked by hand-written code, with its explanation.
    Check(String),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bounds =
            |f: &mut fmt::Formatter<'_>, min: Option<String>, max: Option<String>| match (min, max)
            {
                (Some(a), Some(b)) if a == b => write!(f, "exactly {a}"),
                (Some(a), Some(b)) => write!(f, "{a} to {b}"),
                (Some(a), None) => write!(f, "at least {a}"),
                (None, Some(b)) => write!(f, "at most {b}"),
                (None, None) => f.write_str("any"),
            };
        let text = |n: Option<usize>| n.map(|n| n.to_string());
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::RequiredWhen { field, equals } => {
                write!(f, "is required when {field} is {equals:?}")
            }
            Rule::Length { min, max, found } => {
                write!(f, "must have ")?;
                bounds(f, text(*min), text(*max))?;
                write!(f, " characters, has {found}")
            }
            Rule::Pattern(p) => write!(f, "must match {p}"),
            Rule::NotPattern(p) => write!(f, "must not match {p}"),
            Rule::Range { min, max } => {
                f.write_str("must be ")?;
                bounds(f, min.map(str::to_string), max.map(str::to_string))
            }
            Rule::Items { min, max, found } => {
                f.write_str("must have ")?;
                bounds(f, text(*min), text(*max))?;
                write!(f, " elements, has {found}")
            }
            Rule::Unique(member) => write!(f, "repeats {member} of an earlier element"),
            Rule::UnknownCode => f.write_str("is not a documented code"),
            Rule::Equal {
                rule,
                left,
                right,
                tolerance,
            } => {
                write!(f, "breaks {rule}: {left} against {right}")?;
                if !tolerance.is_zero() {
                    write!(f, " (tolerance {tolerance})")?;
                }
                Ok(())
            }
            Rule::Check(text) => f.write_str(text),
        }
    }
}

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, in wire names: `ItemList[0].HsnCd`.
    pub path: String,
    /// What was wrong.
    pub rule: Rule,
    /// The value found, as text (absent for missing members and lists).
    pub value: Option<String>,
    /// The service's error code for this violation (IRP: 2140, 2172, ...).
    pub code: i64,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        write!(f, "{path}")?;
        if let Some(value) = &self.value {
            write!(f, " = {value:?}")?;
        }
        write!(f, " {} (code {})", self.rule, self.code)
    }
}

/// Every violation of a document, in the order found (document order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// The violations.
    pub fn list(&self) -> &[Violation] {
        &self.0
    }

    /// The distinct error codes, in order of first appearance.
    pub fn codes(&self) -> Vec<i64> {
        let mut codes: Vec<i64> = Vec::new();
        for v in &self.0 {
            if !codes.contains(&v.code) {
                codes.push(v.code);
            }
        }
        codes
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} violation(s):", self.0.len())?;
        for v in &self.0 {
            write!(f, "\n  {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// Collects violations while a document is walked; the helpers below are
/// what generated `validate_at` bodies call.
#[derive(Debug, Default)]
pub struct Report {
    found: Vec<Violation>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Ok` if nothing was recorded.
    pub fn finish(self) -> Result<(), Violations> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(Violations(self.found))
        }
    }

    /// Record a violation.
    pub fn push(&mut self, path: &Path, rule: Rule, value: Option<String>, code: i64) {
        self.found.push(Violation {
            path: path.as_str().to_string(),
            rule,
            value,
            code,
        });
    }

    /// Violations so far.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// `value` has `min..=max` characters.
    pub fn length(
        &mut self,
        path: &Path,
        value: &str,
        min: Option<usize>,
        max: Option<usize>,
        code: i64,
    ) {
        let found = value.chars().count();
        if min.is_some_and(|m| found < m) || max.is_some_and(|m| found > m) {
            let rule = Rule::Length { min, max, found };
            self.push(path, rule, Some(value.to_string()), code);
        }
    }

    /// `value` matches `regex` (whose source is `pattern`). Generated code
    /// passes `None` only if the pattern failed to compile, which the spec
    /// loader rules out; the value then counts as not matching.
    pub fn pattern(
        &mut self,
        path: &Path,
        value: &str,
        regex: &Option<Regex>,
        pattern: &'static str,
        code: i64,
    ) {
        if !regex.as_ref().is_some_and(|r| r.is_match(value)) {
            self.push(path, Rule::Pattern(pattern), Some(value.to_string()), code);
        }
    }

    /// `value` does not match `regex` (whose source is `pattern`); as with
    /// [`Report::pattern`], a missing regex counts against the value.
    pub fn not_pattern(
        &mut self,
        path: &Path,
        value: &str,
        regex: &Option<Regex>,
        pattern: &'static str,
        code: i64,
    ) {
        if regex.as_ref().is_none_or(|r| r.is_match(value)) {
            let rule = Rule::NotPattern(pattern);
            self.push(path, rule, Some(value.to_string()), code);
        }
    }

    /// `value` lies in `min..=max` (bounds as decimal text, checked by the
    /// generator).
    pub fn range(
        &mut self,
        path: &Path,
        value: Decimal,
        min: Option<&'static str>,
        max: Option<&'static str>,
        code: i64,
    ) {
        let bound = |text: &str| text.parse::<Decimal>().ok();
        let below = min.and_then(bound).is_some_and(|m| value < m);
        let above = max.and_then(bound).is_some_and(|m| value > m);
        if below || above {
            let rule = Rule::Range { min, max };
            self.push(path, rule, Some(value.to_string()), code);
        }
    }

    /// A list of `found` elements has `min..=max`.
    pub fn items(
        &mut self,
        path: &Path,
        found: usize,
        min: Option<usize>,
        max: Option<usize>,
        code: i64,
    ) {
        if min.is_some_and(|m| found < m) || max.is_some_and(|m| found > m) {
            self.push(path, Rule::Items { min, max, found }, None, code);
        }
    }

    /// No two of `keys` (one per element of the list at `path`) are equal;
    /// each repeat is reported at its element.
    pub fn unique<'a, K: Eq + Hash + fmt::Display + 'a>(
        &mut self,
        path: &Path,
        member: &'static str,
        keys: impl IntoIterator<Item = Option<&'a K>>,
        code: i64,
    ) {
        let mut seen = HashSet::new();
        for (index, key) in keys.into_iter().enumerate() {
            if let Some(key) = key
                && !seen.insert(key)
            {
                let at = path.index(index).field(member);
                self.push(&at, Rule::Unique(member), Some(key.to_string()), code);
            }
        }
    }

    /// `left` equals `right` within `tolerance`.
    pub fn equal(
        &mut self,
        path: &Path,
        rule: &'static str,
        left: Decimal,
        right: Decimal,
        tolerance: Decimal,
        code: i64,
    ) {
        if (left - right).abs() > tolerance {
            let rule = Rule::Equal {
                rule,
                left,
                right,
                tolerance,
            };
            self.push(path, rule, None, code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_json() {
        let p = Path::root().field("ItemList").index(2).field("HsnCd");
        assert_eq!(p.as_str(), "ItemList[2].HsnCd");
        assert_eq!(Path::root().to_string(), "(document)");
    }

    #[test]
    fn every_helper_reports_what_it_checks() {
        let p = Path::root().field("X");
        let mut r = Report::new();
        r.length(&p, "ab", Some(3), Some(5), 1);
        r.length(&p, "abc", Some(3), Some(5), 99);
        r.length(&p, "ქართული", None, Some(7), 99);
        let re = Regex::new("^[0-9]+$").ok();
        r.pattern(&p, "12a", &re, "^[0-9]+$", 2);
        r.pattern(&p, "12", &re, "^[0-9]+$", 99);
        let zeros = Regex::new("^0+$").ok();
        r.not_pattern(&p, "00", &zeros, "^0+$", 3);
        r.range(&p, Decimal::new(10001, 2), Some("0"), Some("100"), 4);
        r.range(&p, Decimal::new(-1, 0), Some("0"), None, 5);
        r.range(&p, Decimal::new(100, 0), Some("0"), Some("100"), 99);
        r.items(&p, 0, Some(1), Some(1000), 6);
        r.unique(&p, "SlNo", [Some(&1), Some(&2), None, Some(&1)], 7);
        r.equal(
            &p,
            "A = B",
            Decimal::new(3, 0),
            Decimal::new(5, 0),
            Decimal::ONE,
            8,
        );
        r.equal(
            &p,
            "A = B",
            Decimal::new(3, 0),
            Decimal::new(4, 0),
            Decimal::ONE,
            99,
        );
        let v = r.finish().unwrap_err();
        assert_eq!(v.codes(), vec![1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(v.list()[6].path, "X[3].SlNo");
        let text = v.to_string();
        assert!(
            text.contains("X = \"ab\" must have 3 to 5 characters, has 2 (code 1)"),
            "{text}"
        );
        assert!(text.contains("must be 0 to 100"), "{text}");
        assert!(
            text.contains("breaks A = B: 3 against 5 (tolerance 1)"),
            "{text}"
        );
    }
}
