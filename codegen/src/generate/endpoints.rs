//! Endpoints: a marker type per endpoint tying its request and reply types
//! to its static description, plus a visitor over all of them.

use proc_macro2::TokenStream;
use quote::quote;

use super::models::rust_type;
use super::{doc_attrs, ident};
use crate::ir::{Credential, Endpoint, EnumRepr, Method, Service, Type};

pub fn generate(service: &Service) -> TokenStream {
    let markers = service.endpoints.iter().map(|e| marker(service, e));
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

/// The request members that travel outside the body (`in:` path, query
/// or header), for `EndpointMeta::params`.
fn params_meta(service: &Service, e: &Endpoint) -> Vec<TokenStream> {
    let Some(crate::ir::Type::Model(name)) = &e.request else {
        return Vec::new();
    };
    let Some(model) = service.model(name) else {
        return Vec::new();
    };
    model
        .struct_fields()
        .filter_map(|f| {
            let location = match f.location {
                crate::ir::Location::Body => return None,
                crate::ir::Location::Path => quote!(Path),
                crate::ir::Location::Query => quote!(Query),
                crate::ir::Location::Header => quote!(Header),
            };
            let wire = &f.wire;
            Some(quote! {
                taxsdk_runtime::Param {
                    wire: #wire,
                    location: taxsdk_runtime::ParamLocation::#location,
                }
            })
        })
        .collect()
}

pub(crate) fn response_type(e: &Endpoint) -> TokenStream {
    match &e.response {
        Some(ty) => rust_type(ty),
        None => quote!(taxsdk_runtime::Empty),
    }
}

fn marker(service: &Service, e: &Endpoint) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_attrs(&e.doc, &format!("The `{}` endpoint.", e.name));
    let route = route_doc(e);
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
    let soap = soap_meta(service, e);
    let soap_reply = soap_reply(service, e);
    let params = params_meta(service, e);
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
                soap: #soap,
                params: &[#(#params),*],
            };
            #soap_reply
        }
    }
}

/// `EndpointMeta::soap` of an endpoint: its operation, action, parameters
/// (credentials included, in order) and the credential parameters.
fn soap_meta(service: &Service, e: &Endpoint) -> TokenStream {
    let Some(op) = &e.soap else {
        return quote!(None);
    };
    let request = match &e.request {
        Some(Type::Model(m)) => service.model(m),
        _ => None,
    };
    let params: Vec<&str> = request
        .map(|m| m.fields.iter().map(|f| f.wire.as_str()).collect())
        .unwrap_or_default();
    let credential = |which: Credential| {
        super::opt_str(
            &request
                .and_then(|m| m.credential(which))
                .map(|f| f.wire.clone()),
        )
    };
    let user = credential(Credential::User);
    let password = credential(Credential::Password);
    let (operation, action) = (&op.operation, &op.action);
    quote! {
        taxsdk_runtime::EndpointMeta::soap_operation(#operation, #action, &[#(#params),*], #user, #password)
    }
}

/// For a SOAP reply whose result is a DataTable: how it is read (the table,
/// then the out parameters) and written (schema and rows, then the rest).
fn soap_reply(service: &Service, e: &Endpoint) -> TokenStream {
    let (Some(op), Some(Type::Model(name))) = (&e.soap, &e.response) else {
        return quote!();
    };
    let Some(model) = service.model(name) else {
        return quote!();
    };
    let result = op.result_element();
    let Some(field) = model.fields.iter().find(|f| f.wire == result) else {
        return quote!();
    };
    let Type::DataTable(row_name) = &field.ty else {
        return quote!();
    };
    let field_ident = ident(&field.rust);
    let response_ty = ident(name);
    let table_name = match &field.table {
        Some(t) => quote!(Some(#t.to_owned())),
        None => quote!(response.#field_ident.schema.name.clone()),
    };
    let (row_ty, schema) = match row_name.as_ref().and_then(|r| service.model(r)) {
        Some(row) => {
            let row_ty = ident(&row.name);
            let columns = row.struct_fields().map(|f| {
                let column = &f.wire;
                let xsd = xsd_column_type(service, &f.ty);
                quote!((#column, #xsd))
            });
            (
                quote!(#row_ty),
                quote! {
                    let columns: &[(&str, &str)] = &[#(#columns),*];
                    let schema = taxsdk_runtime::soap::TableSchema {
                        name: #table_name,
                        columns: columns
                            .iter()
                            .map(|(name, xsd)| taxsdk_runtime::soap::Column {
                                name: (*name).to_owned(),
                                xsd_type: Some((*xsd).to_owned()),
                            })
                            .collect(),
                    };
                },
            )
        }
        // Untyped rows: the columns the table was read with, else every
        // column the rows have.
        None => (
            quote!(std::collections::BTreeMap<String, String>),
            quote! {
                let mut schema = response.#field_ident.schema.clone();
                schema.name = #table_name;
                if schema.columns.is_empty() {
                    for row in &response.#field_ident.rows {
                        for column in row.keys() {
                            if schema.column(column).is_none() {
                                schema.columns.push(taxsdk_runtime::soap::Column {
                                    name: column.clone(),
                                    xsd_type: None,
                                });
                            }
                        }
                    }
                }
            },
        ),
    };
    quote! {
        fn read_soap_reply(
            mut reader: taxsdk_runtime::soap::BodyReader<'_>,
        ) -> Result<#response_ty, taxsdk_runtime::soap::SoapError> {
            let table = reader.table::<#row_ty>()?;
            let mut reply: #response_ty = reader.decode()?;
            reply.#field_ident = table;
            Ok(reply)
        }

        fn write_soap_reply(
            response: &#response_ty,
            writer: &mut taxsdk_runtime::soap::EnvelopeWriter,
        ) -> Result<(), taxsdk_runtime::soap::SoapError> {
            #schema
            let mut table = writer.data_table(#result, &schema)?;
            for row in &response.#field_ident.rows {
                table.serialize_row(row)?;
            }
            table.finish()?;
            writer.fields(response)?;
            Ok(())
        }
    }
}

/// The XML Schema type a DataTable's inline schema declares for a column,
/// as the service writes it: numbers are `xs:decimal` (Oracle NUMBER).
fn xsd_column_type(service: &Service, ty: &Type) -> &'static str {
    match ty {
        Type::I32 | Type::I64 | Type::Decimal => "xs:decimal",
        Type::Bool => "xs:boolean",
        Type::DateTime(_) | Type::Date(_) => "xs:dateTime",
        Type::Enum(name) => match service.enumeration(name).map(|e| e.repr) {
            Some(EnumRepr::Int) => "xs:decimal",
            _ => "xs:string",
        },
        _ => "xs:string",
    }
}

/// One doc line saying how the endpoint is called.
pub(crate) fn route_doc(e: &Endpoint) -> String {
    match &e.soap {
        Some(op) => format!(
            " SOAP operation `{}` (SOAPAction `{}`), `POST {}`",
            op.operation, op.action, e.path
        ),
        None => format!(" `{} {}`", e.method.as_str(), e.path),
    }
}
