//! Server side: a trait with one method per endpoint and an axum router that
//! decodes requests and encodes replies, so an implementation stops compiling
//! when the spec gains an endpoint.

use proc_macro2::TokenStream;
use quote::quote;

use super::endpoints::{request_type, response_type};
use super::{doc_attrs, ident};
use crate::ir::{Method, Service};

pub fn generate(service: &Service) -> TokenStream {
    let methods = service.endpoints.iter().map(|e| {
        let name = ident(&e.rust_name);
        let doc = doc_attrs(&e.doc, &format!("Handle `{}`.", e.name));
        let request = request_type(e);
        let response = response_type(e);
        quote! {
            #doc
            fn #name(
                &self,
                context: taxsdk_runtime::server::RequestContext,
                request: #request,
            ) -> impl std::future::Future<Output = Result<#response, taxsdk_runtime::ServiceStatus>> + Send;
        }
    });
    let routes = service.endpoints.iter().map(|e| {
        let name = ident(&e.rust_name);
        let marker = ident(&e.name);
        let path = &e.path;
        let method = match e.method {
            Method::Get => quote!(get),
            Method::Post => quote!(post),
            Method::Put => quote!(put),
            Method::Delete => quote!(delete),
        };
        quote! {
            .route(
                #path,
                axum::routing::#method(
                    |axum::extract::State(service): axum::extract::State<std::sync::Arc<S>>,
                     headers: axum::http::HeaderMap,
                     body: axum::body::Bytes| async move {
                        taxsdk_runtime::server::handle::<super::endpoints::#marker, _, _>(
                            &super::SERVICE,
                            &headers,
                            &body,
                            |context, request| async move { service.#name(context, request).await },
                        )
                        .await
                    },
                ),
            )
        }
    });
    let title = format!(
        " The server side of {}: implement it to serve the API.",
        service.title
    );
    quote! {
        //! Server trait and router.
        #![allow(unused_imports)]

        use super::enums::*;
        use super::models::*;
        use taxsdk_runtime::server::axum;

        #[doc = #title]
        pub trait Service: Send + Sync + 'static {
            #(#methods)*
        }

        /// An axum router serving every endpoint of the spec with `service`.
        /// Unknown paths get the service's error envelope with HTTP 404.
        pub fn router<S: Service>(service: std::sync::Arc<S>) -> axum::Router {
            axum::Router::new()
                #(#routes)*
                .fallback(|| async { taxsdk_runtime::server::not_found(&super::SERVICE) })
                .with_state(service)
        }
    }
}
