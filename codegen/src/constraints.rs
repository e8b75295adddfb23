//! Field constraints and model rules of the spec (`length`, `pattern`,
//! `range`, `items`, `rules: [{equal, to}]`, ...): parsing of their small
//! notations and resolution of rule paths against the models. The loader
//! reports the errors these functions return at the value's position.

use crate::ir::{Bounds, Doc, Field, Model, Presence, Step, Term, TermValue, Type};
use crate::spec::RawScalar;

/// The fact-sheet tags a `source:` key may carry, with what the docs say.
const SOURCES: &[(&str, &str)] = &[
    ("code", "a client library and its tests against the service"),
    ("NIC", "the operator's documentation"),
    ("obs", "real responses captured by other projects"),
    ("3p", "a third party's documentation; to be confirmed"),
    ("inf", "inference; to be confirmed"),
];

/// `doc` with a line saying where the fact comes from.
pub fn with_source(mut doc: Doc, source: &str) -> Result<Doc, String> {
    let Some((_, meaning)) = SOURCES.iter().find(|(tag, _)| *tag == source) else {
        let tags: Vec<&str> = SOURCES.iter().map(|(t, _)| *t).collect();
        return Err(format!(
            "unknown source `{source}`: expected one of {}",
            tags.join(", ")
        ));
    };
    let note = format!("Source: {meaning}.");
    doc.en = Some(match doc.en.take() {
        Some(en) => format!("{en}\n\n{note}"),
        None => note,
    });
    Ok(doc)
}

/// A count bound: `15` (exactly), `"3..100"`, `"..100"`, `"1.."`.
pub fn count_bounds(raw: &RawScalar) -> Result<Bounds<usize>, String> {
    let text = match raw {
        RawScalar::Int(n) if *n >= 0 => {
            let n = *n as usize;
            return Ok(Bounds {
                min: Some(n),
                max: Some(n),
            });
        }
        RawScalar::Str(s) => s.trim(),
        other => return Err(format!("expected a count or `min..max`, found {other:?}")),
    };
    let (min, max) = split_range(text)?;
    let count = |part: &str| -> Result<Option<usize>, String> {
        if part.is_empty() {
            return Ok(None);
        }
        part.parse::<usize>()
            .map(Some)
            .map_err(|_| format!("`{part}` in `{text}` is not a whole number"))
    };
    let bounds = Bounds {
        min: count(min)?,
        max: count(max)?,
    };
    check_order(&bounds, text)?;
    Ok(bounds)
}

/// A numeric range: `"0..999999999999.99"`, `"-99.99..99.99"`, `"100000.."`.
pub fn number_bounds(raw: &RawScalar) -> Result<Bounds<String>, String> {
    let RawScalar::Str(text) = raw else {
        return Err(format!("expected `min..max` as a string, found {raw:?}"));
    };
    let text = text.trim();
    let (min, max) = split_range(text)?;
    let number = |part: &str| -> Result<Option<String>, String> {
        if part.is_empty() {
            return Ok(None);
        }
        part.parse::<rust_decimal::Decimal>()
            .map(|_| Some(part.to_string()))
            .map_err(|_| format!("`{part}` in `{text}` is not a decimal number"))
    };
    let bounds = Bounds {
        min: number(min)?,
        max: number(max)?,
    };
    if let (Some(a), Some(b)) = (&bounds.min, &bounds.max) {
        let (a, b): (rust_decimal::Decimal, rust_decimal::Decimal) = (
            a.parse().map_err(|_| a.clone())?,
            b.parse().map_err(|_| b.clone())?,
        );
        if a > b {
            return Err(format!("`{text}`: the minimum is above the maximum"));
        }
    }
    Ok(bounds)
}

fn split_range(text: &str) -> Result<(&str, &str), String> {
    let Some((min, max)) = text.split_once("..") else {
        return Err(format!(
            "`{text}` is not `min..max` (either side may be left out)"
        ));
    };
    if min.is_empty() && max.is_empty() {
        return Err(format!("`{text}` bounds nothing"));
    }
    Ok((min.trim(), max.trim()))
}

fn check_order(bounds: &Bounds<usize>, text: &str) -> Result<(), String> {
    match (bounds.min, bounds.max) {
        (Some(a), Some(b)) if a > b => Err(format!("`{text}`: the minimum is above the maximum")),
        _ => Ok(()),
    }
}

/// A pattern the generated code compiles with the `regex` crate.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    regex::Regex::new(pattern).map(drop).map_err(|e| {
        let e = e.to_string();
        let hint = if pattern.contains("(?!") || pattern.contains("(?=") || pattern.contains("(?<")
        {
            " (look-around is not available: write the rest as `pattern` and the excluded form as `not_pattern`)"
        } else {
            ""
        };
        format!(
            "pattern `{pattern}` does not compile{hint}: {}",
            e.lines().last().unwrap_or("")
        )
    })
}

/// The terms of a rule side, e.g. `TotAmt - Discount` or
/// `sum(ItemList.TotItemVal) + ValDtls.OthChrg`, resolved from `model`.
pub fn parse_terms(text: &str, model: &Model, models: &[Model]) -> Result<Vec<Term>, String> {
    let mut terms = Vec::new();
    let mut rest = text.trim();
    let mut negative = false;
    if rest.is_empty() {
        return Err("an empty expression".into());
    }
    loop {
        let end = rest.find(['+', '-']).unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        let token = token.trim();
        if token.is_empty() {
            return Err(format!("`{text}`: a sign without a term before it"));
        }
        terms.push(Term {
            negative,
            value: term(token, model, models)?,
        });
        let after = after.trim_start();
        let Some(sign) = after.chars().next() else {
            break;
        };
        negative = sign == '-';
        rest = after[1..].trim_start();
        if rest.is_empty() {
            return Err(format!("`{text}` ends with a sign"));
        }
    }
    Ok(terms)
}

fn term(token: &str, model: &Model, models: &[Model]) -> Result<TermValue, String> {
    if let Some(inner) = token.strip_prefix("sum(").and_then(|t| t.strip_suffix(')')) {
        let inner = inner.trim();
        // The list is the longest prefix of the path that ends at a list.
        let names: Vec<&str> = inner.split('.').collect();
        let mut current = model;
        let mut list = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let field = member(current, name)?;
            list.push(step(field, false));
            match &field.ty {
                Type::List(element) => {
                    let Type::Model(element) = element.as_ref() else {
                        return Err(format!("`{name}` is a list of {element:?}, not of models"));
                    };
                    let element = find(models, element)?;
                    let rest = &names[i + 1..];
                    if rest.is_empty() {
                        return Err(format!(
                            "`sum({inner})` names the list but no number of its elements"
                        ));
                    }
                    let field = number_path(element, rest, models)?;
                    return Ok(TermValue::Sum { list, field });
                }
                Type::Model(next) => current = find(models, next)?,
                other => {
                    return Err(format!(
                        "`sum({inner})`: `{name}` is {other:?}, neither a model nor a list"
                    ));
                }
            }
        }
        return Err(format!("`sum({inner})` names no list"));
    }
    if token.contains(['(', ')', ' ', '*', '/']) {
        return Err(format!(
            "`{token}`: a term is a field path (`A.B`) or `sum(List.Field)`; only + and - join terms"
        ));
    }
    let names: Vec<&str> = token.split('.').collect();
    Ok(TermValue::Path(number_path(model, &names, models)?))
}

/// Steps through sub-models to a number field.
fn number_path(model: &Model, names: &[&str], models: &[Model]) -> Result<Vec<Step>, String> {
    let mut current = model;
    let mut steps = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let field = member(current, name)?;
        let last = i + 1 == names.len();
        match (&field.ty, last) {
            (Type::Decimal | Type::I32 | Type::I64, true) => {
                steps.push(step(field, field.ty != Type::Decimal));
            }
            (Type::Model(next), false) => {
                steps.push(step(field, false));
                current = find(models, next)?;
            }
            (other, true) => {
                return Err(format!(
                    "`{name}` of `{}` is {other:?}, not a number",
                    current.name
                ));
            }
            (other, false) => {
                return Err(format!(
                    "`{name}` of `{}` is {other:?}, not a model to step into",
                    current.name
                ));
            }
        }
    }
    Ok(steps)
}

fn member<'m>(model: &'m Model, wire: &str) -> Result<&'m Field, String> {
    model
        .fields
        .iter()
        .find(|f| f.wire == wire)
        .ok_or_else(|| format!("model `{}` has no field `{wire}`", model.name))
}

fn find<'m>(models: &'m [Model], name: &str) -> Result<&'m Model, String> {
    models
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| format!("model `{name}` is not defined"))
}

fn step(field: &Field, integer: bool) -> Step {
    Step {
        wire: field.wire.clone(),
        rust: field.rust.clone(),
        optional: field.is_option(),
        integer,
    }
}

/// Whether a field may carry `required_when` (it must be able to be absent).
pub fn can_be_absent(field: &Field) -> bool {
    field.presence != Presence::Required && field.default.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_read_both_notations() {
        let b = count_bounds(&RawScalar::Int(15)).unwrap();
        assert_eq!((b.min, b.max), (Some(15), Some(15)));
        let b = count_bounds(&RawScalar::Str("3..100".into())).unwrap();
        assert_eq!((b.min, b.max), (Some(3), Some(100)));
        let b = count_bounds(&RawScalar::Str("..100".into())).unwrap();
        assert_eq!((b.min, b.max), (None, Some(100)));
        assert!(count_bounds(&RawScalar::Str("5..3".into())).is_err());
        assert!(count_bounds(&RawScalar::Str("..".into())).is_err());
        assert!(count_bounds(&RawScalar::Str("a..3".into())).is_err());
        let r = number_bounds(&RawScalar::Str("-99.99..99.99".into())).unwrap();
        assert_eq!(
            (r.min.as_deref(), r.max.as_deref()),
            (Some("-99.99"), Some("99.99"))
        );
        assert!(number_bounds(&RawScalar::Str("1..x".into())).is_err());
        assert!(number_bounds(&RawScalar::Str("2..1".into())).is_err());
    }

    #[test]
    fn patterns_without_look_around_compile() {
        assert!(check_pattern("^[0-9]{1,2}$").is_ok());
        let e = check_pattern("^(?!0+$)[0-9]{1,2}$").unwrap_err();
        assert!(e.contains("not_pattern"), "{e}");
    }

    #[test]
    fn sources_are_tags() {
        let d = with_source(Doc::default(), "inf").unwrap();
        assert_eq!(d.en.as_deref(), Some("Source: inference; to be confirmed."));
        assert!(with_source(Doc::default(), "guess").is_err());
    }
}
