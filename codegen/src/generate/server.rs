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
                        let service = &*service;
                        taxsdk_runtime::server::handle::<super::endpoints::#marker, _, _, _>(
                            &super::SERVICE,
                            &headers,
                            &body,
                            |context, error| service.malformed_request(context, error),
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
    // JSON services decode requests in the generic router; SOAP services
    // answer unreadable requests with their own faults.
    let malformed = service.soap.is_none().then(|| {
        quote! {
            /// The status for a request body that does not decode (`error`
            /// names the endpoint, the member, the value found there and
            /// why). By default the service's malformed-request code with
            /// HTTP 400; override it to answer some decode failures the way
            /// the service does (e.g. a value a checked newtype refuses).
            fn malformed_request(
                &self,
                context: taxsdk_runtime::server::RequestContext,
                error: &taxsdk_runtime::server::DecodeError,
            ) -> taxsdk_runtime::ServiceStatus {
                let _ = context;
                error.status(&super::SERVICE)
            }
        }
    });
    let router = match &service.soap {
        None => quote! {
            /// An axum router serving every endpoint of the spec with `service`.
            /// Unknown paths get the service's error envelope with HTTP 404.
            pub fn router<S: Service>(service: std::sync::Arc<S>) -> axum::Router {
                axum::Router::new()
                    #(#routes)*
                    .fallback(|| async { taxsdk_runtime::server::not_found(&super::SERVICE) })
                    .with_state(service)
            }
        },
        Some(binding) => soap_router(service, &binding.path),
    };
    quote! {
        //! Server trait and router.
        #![allow(unused_imports)]

        use super::enums::*;
        use super::models::*;
        use taxsdk_runtime::server::axum;

        #[doc = #title]
        pub trait Service: Send + Sync + 'static {
            #(#methods)*
            #malformed
        }

        #router
    }
}

/// The router of a SOAP service: every operation is a POST to `path`,
/// dispatched by its SOAPAction (or body element).
fn soap_router(service: &Service, path: &str) -> TokenStream {
    let arms = service.endpoints.iter().map(|e| {
        let name = ident(&e.rust_name);
        let marker = ident(&e.name);
        let endpoint = &e.name;
        quote! {
            #endpoint => taxsdk_runtime::server::handle_soap::<super::endpoints::#marker, _, _>(
                &super::SERVICE,
                &headers,
                &body,
                |context, request| async move { service.#name(context, request).await },
            )
            .await,
        }
    });
    let doc = format!(
        " An axum router serving every operation of the spec with `service`: SOAP 1.1 and 1.2 envelopes posted to `{path}`, dispatched by SOAPAction (or body element). Unknown operations get the `soap:Client` fault, unknown paths HTTP 404."
    );
    quote! {
        #[doc = #doc]
        pub fn router<S: Service>(service: std::sync::Arc<S>) -> axum::Router {
            axum::Router::new()
                .route(
                    #path,
                    axum::routing::post(
                        |axum::extract::State(service): axum::extract::State<std::sync::Arc<S>>,
                         headers: axum::http::HeaderMap,
                         body: axum::body::Bytes| async move {
                            let meta = match taxsdk_runtime::server::soap_operation(
                                super::endpoints::ALL,
                                &headers,
                                &body,
                            ) {
                                Ok(meta) => meta,
                                Err(fault) => return *fault,
                            };
                            match meta.name {
                                #(#arms)*
                                other => taxsdk_runtime::server::soap_fault(
                                    Default::default(),
                                    true,
                                    &format!("Server did not recognize the operation `{other}`."),
                                    500,
                                ),
                            }
                        },
                    ),
                )
                .fallback(|| async { taxsdk_runtime::server::not_found(&super::SERVICE) })
                .with_state(service)
        }
    }
}
