//! Enums: open (an `Unknown` variant keeps codes the spec does not list),
//! with codes, labels and hand-rolled serde impls that round-trip unknowns.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, ident};
use crate::ir::{Code, Enum, EnumRepr, Service};

pub fn generate(service: &Service) -> TokenStream {
    let enums = service.enums.iter().map(enumeration);
    quote! {
        //! Enumerations of the service: codes with their labels.

        #(#enums)*
    }
}

fn enumeration(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let type_name = &e.name;
    let doc = doc_attrs(&e.doc, &format!("The `{}` codes.", e.name));
    let variants = e.values.iter().map(|v| {
        let variant = ident(&v.name);
        let code = code_text(&v.code);
        let mut lines = Vec::new();
        lines.push(format!(
            " {} (code {code}).",
            v.en.as_deref().unwrap_or(v.name.as_str())
        ));
        if let Some(source) = &v.source {
            lines.push(format!(" {source}"));
        }
        if let Some(ka) = &v.ka {
            lines.push(String::new());
            lines.push(format!(" Original: {ka}"));
        }
        quote!(#(#[doc = #lines])* #variant,)
    });
    let names: Vec<_> = e.values.iter().map(|v| ident(&v.name)).collect();
    let (code_ty, unknown_ty, derive_copy) = match e.repr {
        EnumRepr::Int => (quote!(i64), quote!(i64), quote!(Copy,)),
        EnumRepr::String => (quote!(&str), quote!(String), quote!()),
    };
    let codes: Vec<TokenStream> = e
        .values
        .iter()
        .map(|v| match &v.code {
            Code::Int(i) => {
                let lit = proc_macro2::Literal::i64_unsuffixed(*i);
                quote!(#lit)
            }
            Code::Str(s) => quote!(#s),
        })
        .collect();
    let (from_code_doc, case_fallback) = if e.case_insensitive {
        (
            quote! {
                /// The value for a wire code, in any ASCII case; codes the spec
                /// does not list become `Unknown`, as written.
            },
            quote! {
                #(if other.eq_ignore_ascii_case(#codes) { return Self::#names; })*
            },
        )
    } else {
        (
            quote! {
                /// The value for a wire code; codes the spec does not list become `Unknown`.
            },
            quote!(),
        )
    };
    let code_fn = match e.repr {
        EnumRepr::Int => quote! {
            /// The wire code.
            pub fn code(&self) -> i64 {
                match self {
                    #(Self::#names => #codes,)*
                    Self::Unknown(code) => *code,
                }
            }
            /// The value for a wire code; codes the spec does not list become `Unknown`.
            pub fn from_code(code: i64) -> Self {
                match code {
                    #(#codes => Self::#names,)*
                    other => Self::Unknown(other),
                }
            }
        },
        EnumRepr::String => quote! {
            /// The wire code.
            pub fn code(&self) -> &str {
                match self {
                    #(Self::#names => #codes,)*
                    Self::Unknown(code) => code.as_str(),
                }
            }
            #from_code_doc
            pub fn from_code(code: &str) -> Self {
                match code {
                    #(#codes => Self::#names,)*
                    other => {
                        #case_fallback
                        Self::Unknown(other.to_string())
                    }
                }
            }
        },
    };
    let label_fn = |which: &str| {
        let arms: Vec<TokenStream> = e
            .values
            .iter()
            .filter_map(|v| {
                let label = if which == "ka" { &v.ka } else { &v.en };
                let label = label.as_ref()?;
                let variant = ident(&v.name);
                Some(quote!(Self::#variant => Some(#label),))
            })
            .collect();
        if arms.is_empty() {
            return quote!(None);
        }
        quote! {
            match self {
                #(#arms)*
                _ => None,
            }
        }
    };
    let label_ka = label_fn("ka");
    let label_en = label_fn("en");
    let label_arms = e.values.iter().filter_map(|v| {
        let mut labels: Vec<&String> = [&v.ka, &v.en].into_iter().flatten().collect();
        labels.dedup();
        if labels.is_empty() {
            return None;
        }
        let variant = ident(&v.name);
        Some(quote!(#(#labels)|* => Some(Self::#variant),))
    });
    let serialize = match e.repr {
        EnumRepr::Int => quote!(serializer.serialize_i64(self.code())),
        EnumRepr::String => quote!(serializer.serialize_str(self.code())),
    };
    let expecting = format!("a code of {type_name}");
    let deserialize = match (e.repr, e.accept_labels) {
        (EnumRepr::Int, accept_labels) => {
            let text_arm = if accept_labels {
                quote! {
                    taxsdk_runtime::EnumCode::Text(text) => Self::from_label(&text).ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &#expecting)
                    }),
                }
            } else {
                quote! {
                    taxsdk_runtime::EnumCode::Text(text) => Err(serde::de::Error::invalid_value(
                        serde::de::Unexpected::Str(&text),
                        &#expecting,
                    )),
                }
            };
            quote! {
                match <taxsdk_runtime::EnumCode as serde::Deserialize>::deserialize(deserializer)? {
                    taxsdk_runtime::EnumCode::Int(code) => Ok(Self::from_code(code)),
                    #text_arm
                }
            }
        }
        (EnumRepr::String, true) => quote! {
            let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
            let value = Self::from_code(&code);
            Ok(match value {
                Self::Unknown(_) => Self::from_label(&code).unwrap_or(value),
                known => known,
            })
        },
        (EnumRepr::String, false) => quote! {
            let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
            Ok(Self::from_code(&code))
        },
    };
    // Lets list tables read the codes straight from a row's text.
    let int_code = (e.repr == EnumRepr::Int).then(|| {
        let from_wire_label = if e.accept_labels {
            quote!(Self::from_label(label))
        } else {
            quote! {
                let _ = label;
                None
            }
        };
        quote! {
            impl taxsdk_runtime::wire::IntCodeEnum for #name {
                fn from_code(code: i64) -> Self {
                    Self::from_code(code)
                }

                fn from_wire_label(label: &str) -> Option<Self> {
                    #from_wire_label
                }
            }
        }
    });
    let unknown_doc = format!(" A code this version of the spec does not list for `{type_name}`.");
    let _ = code_ty;
    quote! {
        #doc
        #[derive(Debug, Clone, #derive_copy PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            Unknown(#unknown_ty),
        }

        impl #name {
            /// Every value the spec lists, in spec order.
            pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

            #code_fn

            /// The original (Georgian) label, when the spec gives one.
            pub fn label_ka(&self) -> Option<&'static str> {
                #label_ka
            }

            /// The English label, when the spec gives one.
            pub fn label_en(&self) -> Option<&'static str> {
                #label_en
            }

            /// The value whose original or English label is `label`.
            pub fn from_label(label: &str) -> Option<Self> {
                match label.trim() {
                    #(#label_arms)*
                    _ => None,
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serialize
            }
        }

        #int_code

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #deserialize
            }
        }
    }
}

fn code_text(code: &Code) -> String {
    match code {
        Code::Int(i) => i.to_string(),
        Code::Str(s) => format!("\"{s}\""),
    }
}
