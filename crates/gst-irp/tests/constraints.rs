//! Every field constraint of INV-01 in spec/gst-irp, broken one at a time.
//!
//! The test reads the spec's own IR (so a constraint added to the spec is
//! tested without touching this file), starts from a valid invoice that
//! fills every section and field (`tests/data/invoice-maximal.json`), and
//! for each constraint of each field reachable from `Invoice` makes the
//! smallest change that breaks it. `Invoice::validate()` must then report
//! that rule at the field's JSON path with the code the portal answers
//! (the constraint's `error_code`, else the service's schema error 2140).
//! Code lists are open enums: an unknown code decodes and must be reported
//! as such. Required members are not `Option`s in the model: leaving one
//! out must fail decoding, naming the member.

use std::collections::BTreeSet;
use std::path::Path;

use gst_irp::models::Invoice;
use gst_irp::validate::{Rule, Validate, Violation};
use regex::Regex;
use serde_json::{Value, json};
use taxsdk_codegen::ir::{EnumRepr, Field, Presence, Service, Type};

const MAXIMAL: &str = include_str!("data/invoice-maximal.json");

fn spec() -> Service {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/gst-irp");
    taxsdk_codegen::load_service(&dir).unwrap_or_else(|d| panic!("spec/gst-irp: {d}"))
}

/// One step into the invoice's JSON: a member, or the first list element.
#[derive(Debug, Clone)]
enum Step {
    Member(String),
    First,
}

/// A constrained field of a model reachable from `Invoice`.
struct Site<'a> {
    steps: Vec<Step>,
    field: &'a Field,
}

impl Site<'_> {
    /// The path as violations name it: `ItemList[0].HsnCd`.
    fn path(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match step {
                Step::Member(name) if out.is_empty() => out.push_str(name),
                Step::Member(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                Step::First => out.push_str("[0]"),
            }
        }
        out
    }

    /// The object holding the field in `invoice`.
    fn parent<'v>(&self, invoice: &'v mut Value) -> &'v mut serde_json::Map<String, Value> {
        let mut at = invoice;
        for step in &self.steps[..self.steps.len() - 1] {
            at = match step {
                Step::Member(name) => at.get_mut(name.as_str()),
                Step::First => at.get_mut(0),
            }
            .unwrap_or_else(|| panic!("the maximal invoice has nothing at {}", self.path()));
        }
        at.as_object_mut()
            .unwrap_or_else(|| panic!("the parent of {} is not an object", self.path()))
    }

    fn wire(&self) -> &str {
        &self.field.wire
    }
}

/// Every field of `model` and the models below it, depth first.
fn sites<'a>(service: &'a Service, model: &str, steps: &[Step], out: &mut Vec<Site<'a>>) {
    let model = service
        .model(model)
        .unwrap_or_else(|| panic!("no model {model}"));
    for field in model.struct_fields() {
        let mut here = steps.to_vec();
        here.push(Step::Member(field.wire.clone()));
        out.push(Site {
            steps: here.clone(),
            field,
        });
        match &field.ty {
            Type::Model(inner) => sites(service, inner, &here, out),
            Type::List(element) => {
                if let Type::Model(inner) = element.as_ref() {
                    here.push(Step::First);
                    sites(service, inner, &here, out);
                }
            }
            _ => {}
        }
    }
}

/// A change that breaks one constraint, and the rule it must be reported as.
struct Break {
    what: String,
    value: Option<Value>,
    rule: fn(&Rule) -> bool,
    /// Where below the field the violation is reported (a duplicate: at
    /// the second element's member).
    below: String,
}

/// Texts tried, in order, where a pattern must fail or a `not_pattern`
/// must match.
const CANDIDATES: [&str; 12] = [
    "!",
    "0",
    "00",
    "-1",
    "a b",
    "ab@",
    "/ABC",
    "0INV-1",
    "URP",
    "A",
    "1",
    "\"quoted\"",
];

fn breaks(service: &Service, field: &Field, current: &Value) -> Vec<Break> {
    let c = &field.constraints;
    let mut out = Vec::new();
    // A code list is open (an unknown code still decodes) and validate()
    // refuses a code the spec does not list.
    if let Type::Enum(name) = &field.ty {
        let list = service
            .enums
            .iter()
            .find(|e| &e.name == name)
            .expect("a defined enum");
        let unknown = match list.repr {
            EnumRepr::Int => json!(987_654),
            EnumRepr::String => json!("ZZQ"),
        };
        out.push(Break {
            what: format!("{unknown} not in {name}"),
            value: Some(unknown),
            rule: |r| matches!(r, Rule::UnknownCode),
            below: String::new(),
        });
    }
    let text = current.as_str().unwrap_or("").to_string();
    if let Some(length) = &c.length {
        if let Some(max) = length.max {
            // Stay inside the pattern where it can: repeat the last character.
            let filler = text.chars().last().unwrap_or('A');
            let long: String = text
                .chars()
                .chain(std::iter::repeat(filler))
                .take(max + 1)
                .collect();
            out.push(Break {
                what: format!("{} characters (max {max})", max + 1),
                value: Some(json!(long)),
                rule: |r| matches!(r, Rule::Length { .. }),
                below: String::new(),
            });
        }
        if let Some(min) = length.min.filter(|&m| m > 1) {
            let short: String = text.chars().take(min - 1).collect();
            out.push(Break {
                what: format!("{} characters (min {min})", min - 1),
                value: Some(json!(short)),
                rule: |r| matches!(r, Rule::Length { .. }),
                below: String::new(),
            });
        }
    }
    if let Some(pattern) = &c.pattern {
        let regex = Regex::new(pattern).expect("the loader compiled it");
        let bad = CANDIDATES
            .iter()
            .find(|t| !regex.is_match(t))
            .unwrap_or_else(|| panic!("no candidate breaks `{pattern}` of {}", field.wire));
        out.push(Break {
            what: format!("{bad:?} against `{pattern}`"),
            value: Some(json!(bad)),
            rule: |r| matches!(r, Rule::Pattern(_)),
            below: String::new(),
        });
    }
    if let Some(pattern) = &c.not_pattern {
        let regex = Regex::new(pattern).expect("the loader compiled it");
        let bad = CANDIDATES
            .iter()
            .find(|t| regex.is_match(t))
            .unwrap_or_else(|| panic!("no candidate matches `{pattern}` of {}", field.wire));
        out.push(Break {
            what: format!("{bad:?} matching `{pattern}`"),
            value: Some(json!(bad)),
            rule: |r| matches!(r, Rule::NotPattern(_)),
            below: String::new(),
        });
    }
    if let Some(range) = &c.range {
        let step = if matches!(field.ty, Type::I32 | Type::I64) {
            "1"
        } else {
            "0.01"
        };
        let shift = |bound: &str, up: bool| -> Value {
            let bound: rust_decimal::Decimal = bound.parse().expect("decimal bound");
            let step: rust_decimal::Decimal = step.parse().unwrap_or_default();
            let value = if up { bound + step } else { bound - step };
            serde_json::from_str(&value.normalize().to_string()).expect("a JSON number")
        };
        if let Some(min) = &range.min {
            out.push(Break {
                what: format!("below {min}"),
                value: Some(shift(min, false)),
                rule: |r| matches!(r, Rule::Range { .. }),
                below: String::new(),
            });
        }
        if let Some(max) = &range.max {
            out.push(Break {
                what: format!("above {max}"),
                value: Some(shift(max, true)),
                rule: |r| matches!(r, Rule::Range { .. }),
                below: String::new(),
            });
        }
    }
    if let Some(items) = &c.items {
        let first = current.get(0).cloned().expect("a list with an element");
        if let Some(max) = items.max {
            let many: Vec<Value> = (0..=max)
                .map(|i| {
                    let mut element = first.clone();
                    if let Some(key) = &c.unique {
                        element[key.as_str()] = json!((i + 1).to_string());
                    }
                    element
                })
                .collect();
            out.push(Break {
                what: format!("{} elements (max {max})", max + 1),
                value: Some(Value::Array(many)),
                rule: |r| matches!(r, Rule::Items { .. }),
                below: String::new(),
            });
        }
        if let Some(min) = items.min.filter(|&m| m > 0) {
            out.push(Break {
                what: format!("{} elements (min {min})", min - 1),
                value: Some(Value::Array(vec![first.clone(); min - 1])),
                rule: |r| matches!(r, Rule::Items { .. }),
                below: String::new(),
            });
        }
    }
    if c.unique.is_some() {
        let first = current.get(0).cloned().expect("a list with an element");
        out.push(Break {
            what: "two equal elements".into(),
            value: Some(json!([first.clone(), first])),
            rule: |r| matches!(r, Rule::Unique(_)),
            below: format!("[1].{}", c.unique.as_deref().unwrap_or_default()),
        });
    }
    if field.presence == Presence::Required {
        out.push(Break {
            what: "left out".into(),
            value: None,
            rule: |_| false,
            below: String::new(),
        });
    }
    out
}

/// The violations of `invoice`, or the decode error.
fn check(invoice: Value) -> Result<Vec<Violation>, String> {
    let invoice: Invoice = serde_json::from_value(invoice).map_err(|e| e.to_string())?;
    Ok(invoice
        .validate()
        .map(|()| Vec::new())
        .unwrap_or_else(|v| v.list().to_vec()))
}

#[test]
fn the_maximal_invoice_is_valid_and_fills_every_field() {
    let maximal: Value = serde_json::from_str(MAXIMAL).unwrap();
    assert_eq!(check(maximal.clone()), Ok(vec![]));
    let service = spec();
    let mut all = Vec::new();
    sites(&service, "Invoice", &[], &mut all);
    let mut missing = Vec::new();
    for site in &all {
        let mut copy = maximal.clone();
        if !site.parent(&mut copy).contains_key(site.wire()) {
            missing.push(site.path());
        }
    }
    assert!(
        missing.is_empty(),
        "fields the maximal invoice leaves out: {missing:?}"
    );
}

#[test]
fn every_field_constraint_is_reported_the_way_the_portal_would() {
    let maximal: Value = serde_json::from_str(MAXIMAL).unwrap();
    let service = spec();
    let schema_error = service
        .schema_error
        .expect("spec/gst-irp has a schema_error");
    let mut all = Vec::new();
    sites(&service, "Invoice", &[], &mut all);

    let mut failures = Vec::new();
    let mut tested = BTreeSet::new();
    let mut cases = 0;
    for site in &all {
        let path = site.path();
        let code = site.field.constraints.error_code.unwrap_or(schema_error);
        let current = {
            let mut copy = maximal.clone();
            site.parent(&mut copy)[site.wire()].clone()
        };
        for b in breaks(&service, site.field, &current) {
            cases += 1;
            let mut invoice = maximal.clone();
            let parent = site.parent(&mut invoice);
            match &b.value {
                Some(value) => {
                    parent.insert(site.wire().to_string(), value.clone());
                }
                None => {
                    parent.remove(site.wire());
                }
            }
            let outcome = check(invoice);
            let ok = match (&b.value, &outcome) {
                (None, Err(e)) => e.contains(&format!("missing field `{}`", site.wire())),
                (Some(_), Ok(found)) => found.iter().any(|v| {
                    v.path == format!("{path}{}", b.below) && v.code == code && (b.rule)(&v.rule)
                }),
                _ => false,
            };
            if ok {
                tested.insert(path.clone());
            } else {
                failures.push(format!(
                    "{path} {}: expected code {code}, got {outcome:?}",
                    b.what
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} broken constraints not reported:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Guard against the walk silently finding nothing.
    assert!(cases > 150, "only {cases} cases");
    let constrained = all
        .iter()
        .filter(|s| {
            !s.field.constraints.is_empty()
                || s.field.presence == Presence::Required
                || matches!(s.field.ty, Type::Enum(_))
        })
        .count();
    assert_eq!(tested.len(), constrained - unbreakable(&all));
}

/// Constrained fields with nothing to break: a `required_when` alone (its
/// cases are in tests/validate.rs, they need the sibling's value).
fn unbreakable(all: &[Site<'_>]) -> usize {
    all.iter()
        .filter(|s| {
            let c = &s.field.constraints;
            s.field.presence != Presence::Required
                && !matches!(s.field.ty, Type::Enum(_))
                && c.length.is_none()
                && c.pattern.is_none()
                && c.not_pattern.is_none()
                && c.range.is_none()
                && c.items.is_none()
                && c.unique.is_none()
        })
        .filter(|s| !s.field.constraints.is_empty())
        .count()
}
