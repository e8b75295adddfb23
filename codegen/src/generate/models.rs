//! Models: one serde struct per spec model, with serde_with adapters from
//! `taxsdk_runtime::wire` for every non-obvious encoding.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, ident};
use crate::ir::{DefaultValue, Encoding, EnumRepr, Field, Model, Presence, Service, Type};

pub fn generate(service: &Service) -> TokenStream {
    let formats = service.date_formats.iter().enumerate().map(|(i, f)| {
        let name = format_ident!("Format{}", i);
        let chrono = &f.chrono;
        let sep = &f.range_separator;
        let doc = format!(" Wire format `{}`.", f.spec);
        quote! {
            #[doc = #doc]
            pub struct #name;
            impl taxsdk_runtime::wire::DateFormat for #name {
                const FORMAT: &'static str = #chrono;
                const RANGE_SEPARATOR: &'static str = #sep;
            }
        }
    });
    let formats_mod = if service.date_formats.is_empty() {
        quote!()
    } else {
        quote! {
            /// Date formats of the wire, as marker types for the date codecs.
            pub mod formats {
                #(#formats)*
            }
        }
    };
    let models = service.models.iter().map(|m| model(service, m));
    quote! {
        //! Models of the service's requests and replies.
        #![allow(unused_imports)]

        use super::enums::*;

        #formats_mod
        #(#models)*
    }
}

fn model(service: &Service, m: &Model) -> TokenStream {
    let name = ident(&m.name);
    let doc = doc_attrs(&m.doc, &format!("The `{}` object.", m.name));
    let fields = m.struct_fields().map(|f| field(service, &m.name, f));
    let has_sensitive = m.struct_fields().any(|f| f.sensitive);
    let derive_debug = if has_sensitive {
        quote!()
    } else {
        quote!(Debug,)
    };
    let debug_impl = has_sensitive.then(|| debug_impl(m));
    let default_impl = default_impl(service, m);
    // A plain `#[derive(Default)]` goes on the struct; a hand-rolled impl after it.
    let (derive_default, default_impl) = match default_impl {
        Some(tokens) if m.struct_fields().all(|f| f.default.is_none()) => (Some(tokens), None),
        other => (None, other),
    };
    let defaults = default_fns(m);
    let table_row = is_table_row(service, &m.name).then(|| table_row(service, m));
    quote! {
        #doc
        #[serde_with::serde_as]
        #[derive(#derive_debug Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #derive_default
        pub struct #name {
            #(#fields)*
        }
        #debug_impl
        #default_impl
        #defaults
        #table_row
    }
}

/// `TableRow` for a model used as `table<model>`. Models with a `Default`
/// also decode column by column: each arm reads its field exactly as the
/// derived `Deserialize` does (same adapter or default-reading function).
fn table_row(service: &Service, m: &Model) -> TokenStream {
    let name = ident(&m.name);
    let columns = m.struct_fields().map(|f| &f.wire);
    let required = m
        .struct_fields()
        .enumerate()
        .filter(|(_, f)| !f.is_option() && f.default.is_none())
        .map(|(i, _)| proc_macro2::Literal::usize_unsuffixed(i));
    let positional = has_default(service, m, &mut Vec::new()).then(|| {
        let arms = m.struct_fields().enumerate().map(|(i, f)| {
            let field = ident(&f.rust);
            let read = if f.default.is_some() {
                let read = read_fn_name(&m.name, f);
                quote!(#read(value)?)
            } else {
                let ty = rust_type(&f.ty);
                let ty = if f.is_option() { quote!(Option<#ty>) } else { ty };
                match serde_as_type(f) {
                    Some(adapter) => quote!(<#adapter as serde_with::DeserializeAs<'de, #ty>>::deserialize_as(value)?),
                    None => quote!(<#ty as serde::Deserialize<'de>>::deserialize(value)?),
                }
            };
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            quote!(#i => self.#field = #read,)
        });
        let quick_arms = m.struct_fields().enumerate().filter_map(|(i, f)| {
            let adapter = quick_adapter(service, f)?;
            let field = ident(&f.rust);
            let ty = rust_type(&f.ty);
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            Some(quote! {
                #i => {
                    let (value, len) =
                        <#adapter as taxsdk_runtime::wire::QuickCell<Option<#ty>>>::quick(text)?;
                    self.#field = value;
                    Some(len)
                }
            })
        });
        let quick_arms: Vec<_> = quick_arms.collect();
        let decode_quick = (!quick_arms.is_empty()).then(|| {
            quote! {
                fn decode_quick(&mut self, column: usize, text: &str) -> Option<usize> {
                    match column {
                        #(#quick_arms)*
                        _ => None,
                    }
                }
            }
        });
        quote! {
            fn empty_row() -> Option<Self> {
                Some(Self::default())
            }

            #decode_quick

            fn decode_column<'de, D: serde::Deserializer<'de>>(
                &mut self,
                column: usize,
                value: D,
            ) -> Result<(), D::Error> {
                match column {
                    #(#arms)*
                    _ => {
                        <serde::de::IgnoredAny as serde::Deserialize<'de>>::deserialize(value)?;
                    }
                }
                Ok(())
            }
        }
    });
    quote! {
        impl taxsdk_runtime::TableRow for #name {
            const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            const REQUIRED: &'static [usize] = &[#(#required),*];
            #positional
        }
    }
}

/// The adapter of a table column that `taxsdk_runtime::wire::QuickCell`
/// can read straight from the row's text: optional, empty-as-absent
/// strings, integers, decimals, dates and integer-coded enums, with the
/// adapter the field decodes with anyway (so both paths agree).
fn quick_adapter(service: &Service, f: &Field) -> Option<TokenStream> {
    if !f.is_option() || !f.empty_as_absent || f.default.is_some() {
        return None;
    }
    let quick = match (&f.ty, f.encoding) {
        (Type::String, Encoding::Native) => true,
        (Type::I32 | Type::I64, Encoding::LenientNumber | Encoding::StringNumber) => true,
        (Type::Decimal, Encoding::LenientNumber) => true,
        (Type::Date(_) | Type::DateTime(_), _) => true,
        (Type::Enum(name), Encoding::Native) => service
            .enums
            .iter()
            .any(|e| &e.name == name && e.repr == EnumRepr::Int),
        _ => false,
    };
    quick.then(|| serde_as_type(f)).flatten()
}

/// Whether some field of the spec is a `table<model>` or `datatable<model>`.
fn is_table_row(service: &Service, model: &str) -> bool {
    service.models.iter().any(|m| {
        m.fields.iter().any(|f| {
            matches!(f.ty.scalar(), Type::Table(row) if row == model)
                || matches!(f.ty.scalar(), Type::DataTable(Some(row)) if row == model)
        })
    })
}

/// Whether `model` writes absent optional members as `null` (spec
/// `nulls: write`).
fn write_nulls(service: &Service, model: &str) -> bool {
    service.model(model).is_some_and(|m| m.write_nulls)
}

fn field(service: &Service, model: &str, f: &Field) -> TokenStream {
    let name = ident(&f.rust);
    let wire = &f.wire;
    let presence_note = match (f.presence, &f.default) {
        (_, Some(_)) => " Taken as the spec's default when absent on the wire.",
        (Presence::Required, _) => "",
        (Presence::Optional, _) => "",
        (Presence::Output, _) => " Set by the service (output only); leave `None` in requests.",
    };
    let mut doc = doc_attrs(&f.doc, &format!("Wire field `{}`.", f.wire));
    if !presence_note.is_empty() {
        doc = quote!(#doc #[doc = ""] #[doc = #presence_note]);
    }
    let ty = rust_type(&f.ty);
    let ty = if f.is_option() {
        quote!(Option<#ty>)
    } else {
        ty
    };
    let has_adapter = adapter(&f.ty, f.encoding).is_some();
    // A field with a default reads through its own function (null also
    // means the default), so the adapter only serializes.
    let serde_as = serde_as_type(f).filter(|_| f.default.is_none()).map(|a| {
        let text = a.to_string().replace(' ', "");
        quote!(#[serde_as(as = #text)])
    });
    let serde = if matches!(f.ty, Type::DataTable(_)) {
        // Read and written by the endpoint's SOAP binding (schema + diffgram).
        quote!(#[serde(skip)])
    } else if f.is_option() && write_nulls(service, model) {
        quote!(#[serde(rename = #wire, default)])
    } else if f.is_option() {
        quote!(#[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")])
    } else if f.default.is_some() {
        let default = default_fn_name(model, f).to_string();
        let read = read_fn_name(model, f).to_string();
        if has_adapter {
            let write = write_fn_name(model, f).to_string();
            quote!(#[serde(rename = #wire, default = #default, deserialize_with = #read, serialize_with = #write)])
        } else {
            quote!(#[serde(rename = #wire, default = #default, deserialize_with = #read)])
        }
    } else {
        quote!(#[serde(rename = #wire)])
    };
    let _ = service;
    quote! {
        #doc
        #serde_as
        #serde
        pub #name: #ty,
    }
}

/// The `serde_as` adapter of a field (wrapping `Option` and empty-as-absent
/// around the type's own adapter), or `None` when serde's own impl is right.
fn serde_as_type(f: &Field) -> Option<TokenStream> {
    let field_adapter = adapter(&f.ty, f.encoding);
    if !f.is_option() {
        return field_adapter;
    }
    match (f.empty_as_absent, field_adapter) {
        (true, Some(a)) => Some(quote!(taxsdk_runtime::wire::EmptyAsNone<#a>)),
        (true, None) => Some(quote!(taxsdk_runtime::wire::EmptyAsNone)),
        (false, Some(a)) => Some(quote!(Option<#a>)),
        (false, None) => None,
    }
}

/// The Rust type of a spec type.
pub(crate) fn rust_type(ty: &Type) -> TokenStream {
    match ty {
        Type::String => quote!(String),
        Type::Bool => quote!(bool),
        Type::I32 => quote!(i32),
        Type::I64 => quote!(i64),
        Type::Decimal => quote!(rust_decimal::Decimal),
        Type::Date(_) => quote!(chrono::NaiveDate),
        Type::DateTime(_) => quote!(chrono::NaiveDateTime),
        Type::DateRange(_) => quote!(taxsdk_runtime::wire::DateRange),
        Type::YearMonth(_) => quote!(taxsdk_runtime::wire::YearMonth),
        Type::Uuid => quote!(uuid::Uuid),
        Type::Json => quote!(serde_json::Value),
        Type::List(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
        Type::Map(inner) => {
            let inner = rust_type(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Type::Table(row) => {
            let row = ident(row);
            quote!(taxsdk_runtime::Table<#row>)
        }
        Type::DataTable(Some(row)) => {
            let row = ident(row);
            quote!(taxsdk_runtime::soap::DataTable<#row>)
        }
        Type::DataTable(None) => {
            quote!(taxsdk_runtime::soap::DataTable<std::collections::BTreeMap<String, String>>)
        }
        Type::Model(name) | Type::Enum(name) => {
            let name = ident(name);
            quote!(#name)
        }
        Type::Newtype { rust, .. } => newtype_path(rust),
    }
}

/// A newtype's Rust path as tokens (the loader checked that it parses).
fn newtype_path(path: &str) -> TokenStream {
    match syn::parse_str::<syn::Path>(path) {
        Ok(path) => quote!(#path),
        Err(_) => {
            let message = format!("newtype path `{path}` is not a Rust path");
            quote!(compile_error!(#message))
        }
    }
}

/// The serde_with adapter for a type, or `None` when serde's own impl is right.
fn adapter(ty: &Type, encoding: Encoding) -> Option<TokenStream> {
    match ty {
        Type::List(inner) => adapter(inner, encoding).map(|a| quote!(Vec<#a>)),
        Type::Map(inner) => adapter(inner, encoding)
            .map(|a| quote!(std::collections::BTreeMap<serde_with::Same, #a>)),
        Type::Date(i) => {
            let f = format_ident!("Format{}", i);
            Some(quote!(taxsdk_runtime::wire::DateAs<formats::#f>))
        }
        Type::DateTime(i) => {
            let f = format_ident!("Format{}", i);
            Some(quote!(taxsdk_runtime::wire::DateTimeAs<formats::#f>))
        }
        Type::DateRange(i) => {
            let f = format_ident!("Format{}", i);
            Some(quote!(taxsdk_runtime::wire::DateRangeAs<formats::#f>))
        }
        Type::YearMonth(i) => {
            let f = format_ident!("Format{}", i);
            Some(quote!(taxsdk_runtime::wire::YearMonthAs<formats::#f>))
        }
        _ => match encoding {
            Encoding::Native => None,
            Encoding::LenientNumber => Some(quote!(taxsdk_runtime::wire::LenientNumber)),
            Encoding::StringNumber => Some(quote!(taxsdk_runtime::wire::StringNumber)),
            Encoding::BoolString => Some(quote!(taxsdk_runtime::wire::BoolString)),
            Encoding::BoolInt => Some(quote!(taxsdk_runtime::wire::BoolInt)),
            Encoding::LenientString => Some(quote!(taxsdk_runtime::wire::LenientString)),
        },
    }
}

fn debug_impl(m: &Model) -> TokenStream {
    let name = ident(&m.name);
    let type_name = &m.name;
    let fields = m.struct_fields().map(|f| {
        let field = ident(&f.rust);
        let label = &f.rust;
        if f.sensitive && f.is_option() {
            // Show whether a secret is there, never what it is.
            quote!(.field(#label, &self.#field.as_ref().map(|_| "<redacted>")))
        } else if f.sensitive {
            quote!(.field(#label, &"<redacted>"))
        } else {
            quote!(.field(#label, &self.#field))
        }
    });
    quote! {
        /// Secret fields are redacted.
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#type_name) #(#fields)* .finish()
            }
        }
    }
}

/// `Default` with the spec's defaults, when every required field's type has one.
fn default_impl(service: &Service, m: &Model) -> Option<TokenStream> {
    if !has_default(service, m, &mut Vec::new()) {
        return None;
    }
    let name = ident(&m.name);
    if m.struct_fields().all(|f| f.default.is_none()) {
        // Every field takes its type's default: derive it.
        return Some(quote!(#[derive(Default)]));
    }
    let fields = m.struct_fields().map(|f| {
        let field = ident(&f.rust);
        match &f.default {
            Some(_) => {
                let fun = default_fn_name(&m.name, f);
                quote!(#field: #fun(),)
            }
            None => quote!(#field: Default::default(),),
        }
    });
    Some(quote! {
        impl Default for #name {
            fn default() -> Self {
                Self { #(#fields)* }
            }
        }
    })
}

/// Whether every non-optional field of the model has a default value.
pub(crate) fn has_default(service: &Service, m: &Model, visiting: &mut Vec<String>) -> bool {
    if visiting.contains(&m.name) {
        return false;
    }
    visiting.push(m.name.clone());
    let ok = m
        .struct_fields()
        .filter(|f| !f.is_option() && f.default.is_none())
        .all(|f| type_has_default(service, &f.ty, visiting));
    visiting.pop();
    ok
}

fn type_has_default(service: &Service, ty: &Type, visiting: &mut Vec<String>) -> bool {
    match ty {
        // A hand-written newtype is checked: it has no default value.
        Type::Enum(_) | Type::DateRange(_) | Type::YearMonth(_) | Type::Newtype { .. } => false,
        Type::Model(name) => service
            .model(name)
            .is_some_and(|m| has_default(service, m, visiting)),
        Type::List(_) | Type::Map(_) => true,
        _ => true,
    }
}

fn default_fn_name(model: &str, f: &Field) -> proc_macro2::Ident {
    use heck::ToSnakeCase;
    format_ident!(
        "default_{}_{}",
        model.to_snake_case(),
        f.rust.trim_end_matches('_')
    )
}

fn write_fn_name(model: &str, f: &Field) -> proc_macro2::Ident {
    use heck::ToSnakeCase;
    format_ident!(
        "write_{}_{}",
        model.to_snake_case(),
        f.rust.trim_end_matches('_')
    )
}

fn read_fn_name(model: &str, f: &Field) -> proc_macro2::Ident {
    use heck::ToSnakeCase;
    format_ident!(
        "read_{}_{}",
        model.to_snake_case(),
        f.rust.trim_end_matches('_')
    )
}

fn default_fns(m: &Model) -> TokenStream {
    let fns = m.struct_fields().filter_map(|f| {
        let value = f.default.as_ref()?;
        let name = default_fn_name(&m.name, f);
        let read = read_fn_name(&m.name, f);
        let ty = rust_type(&f.ty);
        let encoding = adapter(&f.ty, f.encoding);
        let write = encoding.as_ref().map(|a| {
            let write = write_fn_name(&m.name, f);
            quote! {
                /// Writes the field in its wire encoding.
                fn #write<S: serde::Serializer>(value: &#ty, serializer: S) -> Result<S::Ok, S::Error> {
                    <#a as serde_with::SerializeAs<#ty>>::serialize_as(value, serializer)
                }
            }
        });
        let adapter = encoding.unwrap_or_else(|| quote!(serde_with::Same));
        let expr = match value {
            DefaultValue::Bool(b) => quote!(#b),
            DefaultValue::Int(i) => {
                let lit = proc_macro2::Literal::i64_unsuffixed(*i);
                quote!(#lit)
            }
            DefaultValue::Decimal(text) => {
                // Built from integer mantissa and scale: exact, no parsing at run time.
                let (mantissa, scale) = decimal_parts(text);
                let mantissa = proc_macro2::Literal::i64_unsuffixed(mantissa);
                quote!(rust_decimal::Decimal::from_i128_with_scale(#mantissa, #scale))
            }
            DefaultValue::Str(s) => quote!(String::from(#s)),
            DefaultValue::EnumVariant(e, v) => {
                let e = ident(e);
                let v = ident(v);
                quote!(#e::#v)
            }
        };
        Some(quote! {
            fn #name() -> #ty {
                #expr
            }

            /// Absent and `null` both mean the spec's default.
            fn #read<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<#ty, D::Error> {
                let value = <Option<#adapter> as serde_with::DeserializeAs<'de, Option<#ty>>>::deserialize_as(deserializer)?;
                Ok(value.unwrap_or_else(#name))
            }

            #write
        })
    });
    quote!(#(#fns)*)
}

/// Mantissa and scale of a decimal literal the loader validated (`-12.50`).
fn decimal_parts(text: &str) -> (i64, u32) {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = format!("{int}{frac}");
    (digits.parse().unwrap_or(0), frac.len() as u32)
}
