//! Endpoints: a marker type per endpoint tying its request and reply types
//! to its static description, plus a visitor over all of them.

use proc_macro2::TokenStream;
use quote::quote;

use super::models::rust_type;
use super::{doc_attrs, ident};
use crate::ir::{Endpoint, Method, Service};

pub fn generate(service: &Service) -> TokenStream {
    let markers = service.endpoints.iter().map(marker);
    let names: Vec<_> = service.endpoints.iter().map(|e| ident(&e.name)).collect();
    quote! {
        //! One marker type per endpoint; see [`taxsdk_runtime::Endpoint`].
        #![allow(unused_imports)]

        use super::enums::*;
        use super::models::*;

        #(#markers)*

        /// Static descriptions of every endpoint, in spec order.
        pub const ALL: &[&taxsdk_runtime::EndpointMeta] = &[#(&<#names as taxsdk_runtime::Endpoint>::META),*];

        /// Call `visitor` once per endpoint, in spec order.
        pub fn visit<V: taxsdk_runtime::EndpointVisitor>(visitor: &mut V) {
            #(visitor.visit::<#names>();)*
        }
    }
}

pub(crate) fn request_type(e: &Endpoint) -> TokenStream {
    match &e.request {
        Some(ty) => rust_type(ty),
        None => quote!(taxsdk_runtime::Empty),
    }
}

pub(crate) fn response_type(e: &Endpoint) -> TokenStream {
    match &e.response {
        Some(ty) => rust_type(ty),
        None => quote!(taxsdk_runtime::Empty),
    }
}

fn marker(e: &Endpoint) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_attrs(&e.doc, &format!("The `{}` endpoint.", e.name));
    let route = format!(" `{} {}`", e.method.as_str(), e.path);
    let request = request_type(e);
    let response = response_type(e);
    let endpoint_name = &e.name;
    let path = &e.path;
    let method = match e.method {
        Method::Get => quote!(taxsdk_runtime::Method::Get),
        Method::Post => quote!(taxsdk_runtime::Method::Post),
        Method::Put => quote!(taxsdk_runtime::Method::Put),
        Method::Delete => quote!(taxsdk_runtime::Method::Delete),
    };
    let auth = e.auth;
    let key = super::opt_str(&e.idempotency_key);
    let errors = &e.errors;
    let has_request = e.request.is_some();
    let has_response = e.response.is_some();
    quote! {
        #doc
        #[doc = ""]
        #[doc = #route]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct #name;

        impl taxsdk_runtime::Endpoint for #name {
            type Request = #request;
            type Response = #response;
            const META: taxsdk_runtime::EndpointMeta = taxsdk_runtime::EndpointMeta {
                name: #endpoint_name,
                method: #method,
                path: #path,
                auth: #auth,
                idempotency_key: #key,
                errors: &[#(#errors),*],
                has_request: #has_request,
                has_response: #has_response,
            };
        }
    }
}
