//! Client: one async method per endpoint over `taxsdk_runtime::client::Transport`.

use proc_macro2::TokenStream;
use quote::quote;

use super::endpoints::{request_type, response_type};
use super::{doc_attrs, ident};
use crate::ir::{Endpoint, Service};

pub fn generate(service: &Service) -> TokenStream {
    let methods = service.endpoints.iter().map(method);
    let title = format!(" Async client of {}.", service.title);
    quote! {
        //! The async client: one method per endpoint.
        #![allow(unused_imports)]

        use super::endpoints;
        use super::enums::*;
        use super::models::*;

        #[doc = #title]
        ///
        /// Cheap to clone: clones share the connection pool and the session.
        #[derive(Debug, Clone)]
        pub struct Client {
            transport: taxsdk_runtime::client::Transport,
        }

        impl From<taxsdk_runtime::client::Transport> for Client {
            fn from(transport: taxsdk_runtime::client::Transport) -> Self {
                Self { transport }
            }
        }

        impl Client {
            /// A builder with the service's default base URL.
            pub fn builder() -> taxsdk_runtime::client::ClientBuilder<Self> {
                taxsdk_runtime::client::ClientBuilder::new(&super::SERVICE)
            }

            /// The transport: base URL, session token, HTTP client.
            pub fn transport(&self) -> &taxsdk_runtime::client::Transport {
                &self.transport
            }

            #(#methods)*
        }
    }
}

fn method(e: &Endpoint) -> TokenStream {
    let name = ident(&e.rust_name);
    let marker = ident(&e.name);
    let doc = doc_attrs(&e.doc, &format!("Call `{}`.", e.name));
    let route = super::endpoints::route_doc(e);
    let response = response_type(e);
    let auth_note = match (e.auth, &e.soap) {
        (true, Some(_)) => " Sends the client's service-user credentials.",
        (false, Some(_)) => " Needs no service-user credentials.",
        (true, None) => " Needs a session token (log in first).",
        (false, None) => " Needs no session token.",
    };
    let (params, arg) = match &e.request {
        Some(_) => {
            let request = request_type(e);
            (quote!(request: &#request), quote!(request))
        }
        None => (quote!(), quote!(&taxsdk_runtime::Empty)),
    };
    quote! {
        #doc
        #[doc = ""]
        #[doc = #route]
        #[doc = #auth_note]
        pub async fn #name(&self, #params) -> Result<#response, taxsdk_runtime::Error> {
            self.transport.call::<endpoints::#marker>(#arg).await
        }
    }
}
