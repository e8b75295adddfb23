//! `validate.rs`: `taxsdk_runtime::validate::Validate` for every model with
//! constraints (its own or its sub-models'), from the spec's field
//! constraints, enum code lists and model rules.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ident;
use crate::ir::{Field, Model, Rule, RuleKind, Service, Step, Term, TermValue, Type};

/// Whether the service gets a `validate` module.
pub fn wanted(service: &Service) -> bool {
    service.schema_error.is_some()
        || service
            .models
            .iter()
            .any(|m| !m.rules.is_empty() || m.fields.iter().any(|f| !f.constraints.is_empty()))
}

pub fn generate(service: &Service) -> TokenStream {
    let checked = checked_models(service);
    let mut patterns = Patterns::default();
    let impls: Vec<TokenStream> = service
        .models
        .iter()
        .filter(|m| checked.contains(&m.name))
        .map(|m| model_impl(service, m, &checked, &mut patterns))
        .collect();
    let statics = patterns.list.iter().enumerate().map(|(i, p)| {
        let name = pattern_ident(i);
        let doc = format!(" `{p}`");
        quote! {
            #[doc = #doc]
            static #name: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(#p).ok());
        }
    });
    quote! {
        //! Checks of the spec's constraints before anything is sent:
        //! [`Validate`] for every model that has any.
        #![allow(unused_imports, clippy::all)]

        use std::sync::LazyLock;

        use taxsdk_runtime::rust_decimal::Decimal;
        use taxsdk_runtime::validate::Regex;
        pub use taxsdk_runtime::validate::{Path, Report, Rule, Validate, Violation, Violations};

        use super::enums::*;
        use super::models::*;

        #(#statics)*

        #(#impls)*
    }
}

/// Models that need an impl: those with constraints, rules or enum fields,
/// and every model containing one of them.
fn checked_models(service: &Service) -> BTreeSet<String> {
    let enums_checked = service.schema_error.is_some();
    let mut checked: BTreeSet<String> = service
        .models
        .iter()
        .filter(|m| {
            !m.rules.is_empty()
                || m.fields.iter().any(|f| {
                    !f.constraints.is_empty()
                        || (enums_checked && matches!(f.ty.scalar(), Type::Enum(_)))
                })
        })
        .map(|m| m.name.clone())
        .collect();
    loop {
        let before = checked.len();
        for m in &service.models {
            if m.fields
                .iter()
                .any(|f| matches!(f.ty.scalar(), Type::Model(inner) if checked.contains(inner)))
            {
                checked.insert(m.name.clone());
            }
        }
        if checked.len() == before {
            return checked;
        }
    }
}

#[derive(Default)]
struct Patterns {
    list: Vec<String>,
}

impl Patterns {
    fn ident_for(&mut self, pattern: &str) -> proc_macro2::Ident {
        let index = match self.list.iter().position(|p| p == pattern) {
            Some(i) => i,
            None => {
                self.list.push(pattern.to_string());
                self.list.len() - 1
            }
        };
        pattern_ident(index)
    }
}

fn pattern_ident(index: usize) -> proc_macro2::Ident {
    ident(&format!("PATTERN_{index}"))
}

fn model_impl(
    service: &Service,
    model: &Model,
    checked: &BTreeSet<String>,
    patterns: &mut Patterns,
) -> TokenStream {
    let name = ident(&model.name);
    let fields: Vec<TokenStream> = model
        .fields
        .iter()
        .filter(|f| f.credential.is_none())
        .map(|f| field_checks(service, model, f, checked, patterns))
        .collect();
    let rules = model.rules.iter().map(rule_check);
    quote! {
        impl Validate for #name {
            fn validate_at(&self, path: &Path, report: &mut Report) {
                #(#fields)*
                #(#rules)*
            }
        }
    }
}

fn code_of(service: &Service, field: &Field) -> i64 {
    field
        .constraints
        .error_code
        .or(service.schema_error)
        .unwrap_or_default()
}

fn opt_usize(n: Option<usize>) -> TokenStream {
    match n {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    }
}

fn opt_text(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

/// The checks of one field, on `value` (a reference to the present value).
fn field_checks(
    service: &Service,
    model: &Model,
    f: &Field,
    checked: &BTreeSet<String>,
    patterns: &mut Patterns,
) -> TokenStream {
    let c = &f.constraints;
    let code = code_of(service, f);
    let wire = &f.wire;
    let rust = ident(&f.rust);
    let mut checks: Vec<TokenStream> = Vec::new();
    if let Some(b) = &c.length {
        let (min, max) = (opt_usize(b.min), opt_usize(b.max));
        checks.push(quote!(report.length(&at, value, #min, #max, #code);));
    }
    if let Some(p) = &c.pattern {
        let re = patterns.ident_for(p);
        checks.push(quote!(report.pattern(&at, value, &#re, #p, #code);));
    }
    if let Some(p) = &c.not_pattern {
        let re = patterns.ident_for(p);
        checks.push(quote!(report.not_pattern(&at, value, &#re, #p, #code);));
    }
    if let Some(b) = &c.range {
        let (min, max) = (opt_text(&b.min), opt_text(&b.max));
        let number = match f.ty {
            Type::Decimal => quote!(*value),
            _ => quote!(Decimal::from(*value)),
        };
        checks.push(quote!(report.range(&at, #number, #min, #max, #code);));
    }
    if let Some(b) = &c.items {
        let (min, max) = (opt_usize(b.min), opt_usize(b.max));
        checks.push(quote!(report.items(&at, value.len(), #min, #max, #code);));
    }
    if let (Some(member), Type::List(inner)) = (&c.unique, &f.ty)
        && let Type::Model(element) = inner.as_ref()
        && let Some(element) = service.model(element)
        && let Some(key) = element.fields.iter().find(|x| &x.wire == member)
    {
        let key_rust = ident(&key.rust);
        let key = if key.is_option() {
            quote!(e.#key_rust.as_ref())
        } else {
            quote!(Some(&e.#key_rust))
        };
        checks.push(quote!(report.unique(&at, #member, value.iter().map(|e| #key), #code);));
    }
    if service.schema_error.is_some()
        && let Type::Enum(e) = f.ty.scalar()
    {
        let enum_ident = ident(e);
        let unknown = quote! {
            if let #enum_ident::Unknown(code) = item {
                report.push(&at, Rule::UnknownCode, Some(code.to_string()), #code);
            }
        };
        checks.push(match &f.ty {
            Type::Enum(_) => quote!(let item = value; #unknown),
            _ => quote! {
                for item in value.iter() { #unknown }
            },
        });
    }
    let nested = match &f.ty {
        Type::Model(m) => Some(m),
        Type::List(inner) => match inner.as_ref() {
            Type::Model(m) => Some(m),
            _ => None,
        },
        _ => None,
    };
    if nested.is_some_and(|m| checked.contains(m)) {
        checks.push(quote!(value.validate_at(&at, report);));
    }
    let required_when = c.required_when.as_ref().and_then(|(sibling, equals)| {
        let s = model.fields.iter().find(|x| &x.wire == sibling)?;
        let s_rust = ident(&s.rust);
        let matches = match (&s.ty, s.is_option()) {
            (Type::Enum(_), true) => {
                quote!(self.#s_rust.as_ref().map(|s| s.code()) == Some(#equals))
            }
            (Type::Enum(_), false) => quote!(self.#s_rust.code() == #equals),
            (_, true) => quote!(self.#s_rust.as_deref() == Some(#equals)),
            (_, false) => quote!(self.#s_rust == #equals),
        };
        let sibling = sibling.as_str();
        Some(quote! {
            if self.#rust.is_none() && #matches {
                report.push(
                    &path.field(#wire),
                    Rule::RequiredWhen { field: #sibling, equals: #equals },
                    None,
                    #code,
                );
            }
        })
    });
    if checks.is_empty() {
        return quote!(#required_when);
    }
    let body = quote! {
        let at = path.field(#wire);
        #(#checks)*
    };
    let access = if f.is_option() {
        quote!(if let Some(value) = &self.#rust { #body })
    } else {
        quote!({ let value = &self.#rust; #body })
    };
    quote!(#access #required_when)
}

/// A rule's check: arithmetic from the spec, or the crate's hand-written
/// `rules::{name}`.
fn rule_check(rule: &Rule) -> TokenStream {
    let code = rule.code;
    match &rule.kind {
        RuleKind::Check(name) => {
            let function = ident(name);
            quote!(crate::rules::#function(self, path, report, #code);)
        }
        RuleKind::Equal {
            text,
            left,
            right,
            tolerance,
        } => {
            let (l, r) = (sum(left), sum(right));
            let tolerance = decimal_literal(tolerance);
            // Report at the left side's field when it is one.
            let at = match left.as_slice() {
                [
                    Term {
                        negative: false,
                        value: TermValue::Path(steps),
                    },
                ] => {
                    let wires = steps.iter().map(|s| s.wire.as_str());
                    quote!(&path #(.field(#wires))*)
                }
                _ => quote!(path),
            };
            quote! {
                report.equal(#at, #text, #l, #r, #tolerance, #code);
            }
        }
    }
}

fn sum(terms: &[Term]) -> TokenStream {
    let mut out = TokenStream::new();
    for (i, t) in terms.iter().enumerate() {
        let value = match &t.value {
            TermValue::Path(steps) => number(quote!(self), steps),
            TermValue::Sum { list, field } => {
                let (list, optional) = place(quote!(self), list);
                let each = number(quote!(e), field);
                let elements = if optional {
                    quote!(#list.into_iter().flatten())
                } else {
                    quote!(#list.iter())
                };
                quote!(#elements.map(|e| #each).sum::<Decimal>())
            }
        };
        out.extend(match (i, t.negative) {
            (0, false) => value,
            (_, true) => quote!(- #value),
            (_, false) => quote!(+ #value),
        });
    }
    out
}

/// The value at the end of `steps` from `base`: a place expression, or an
/// `Option<&T>` once an optional field was crossed (the flag).
fn place(base: TokenStream, steps: &[Step]) -> (TokenStream, bool) {
    steps.iter().fold((base, false), |(acc, optional), s| {
        let f = ident(&s.rust);
        match (optional, s.optional) {
            (false, false) => (quote!(#acc.#f), false),
            (false, true) => (quote!(#acc.#f.as_ref()), true),
            (true, true) => (quote!(#acc.and_then(|x| x.#f.as_ref())), true),
            (true, false) => (quote!(#acc.map(|x| &x.#f)), true),
        }
    })
}

/// The number at the end of `steps` as a `Decimal` (absent: zero).
fn number(base: TokenStream, steps: &[Step]) -> TokenStream {
    let (value, optional) = place(base, steps);
    let integer = steps.last().is_some_and(|s| s.integer);
    match (optional, integer) {
        (false, false) => value,
        (false, true) => quote!(Decimal::from(#value)),
        (true, false) => quote!(#value.copied().unwrap_or_default()),
        (true, true) => quote!(#value.map_or(Decimal::ZERO, |v| Decimal::from(*v))),
    }
}

/// A `Decimal` constant for decimal text the loader checked.
fn decimal_literal(text: &str) -> TokenStream {
    let value: rust_decimal::Decimal = text.parse().unwrap_or_default();
    let mantissa = Literal::i128_unsuffixed(value.mantissa());
    let scale = value.scale();
    quote!(Decimal::from_i128_with_scale(#mantissa, #scale))
}
