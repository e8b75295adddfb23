//! The spec files as written: serde structs mirroring `spec/README.md`, with
//! source positions kept (`Spanned`) wherever a later check may need to point
//! at a value. Validation into the IR happens in [`crate::load`].

use serde::Deserialize;
use serde_saphyr::Spanned;

/// One YAML file of a service folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    #[serde(default)]
    pub service: Option<Spanned<RawService>>,
    #[serde(default)]
    pub endpoints: Vec<Spanned<RawEndpoint>>,
    #[serde(default)]
    pub models: Vec<Spanned<RawModel>>,
    #[serde(default)]
    pub enums: Vec<Spanned<RawEnum>>,
    #[serde(default)]
    pub newtypes: Vec<Spanned<RawNewtype>>,
    #[serde(default)]
    pub errors: Vec<Spanned<RawError>>,
    #[serde(default)]
    pub examples: Vec<Spanned<RawExample>>,
}

/// Documentation: a plain English string or Georgian original plus English.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawDoc {
    Plain(String),
    Bilingual(BilingualDoc),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BilingualDoc {
    #[serde(default)]
    pub ka: Option<String>,
    #[serde(default)]
    pub en: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub name: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub document: Option<RawDocument>,
    pub base_urls: Vec<RawBaseUrl>,
    pub auth: Spanned<String>,
    #[serde(default)]
    pub envelope: Option<RawEnvelope>,
    #[serde(default)]
    pub encrypted_envelope: Option<Spanned<RawEncryptedEnvelope>>,
    #[serde(default)]
    pub soap: Option<Spanned<RawSoapService>>,
    /// The code a violated field constraint gets unless the field says
    /// `error_code:`.
    #[serde(default)]
    pub schema_error: Option<Spanned<i64>>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
}

/// An envelope whose payload travels encrypted under a session key (the
/// IRP's `{"Data": ...}` requests and `{Status, Data, ErrorDetails,
/// InfoDtls}` replies).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEncryptedEnvelope {
    pub status: String,
    pub data: String,
    pub errors: String,
    pub info: String,
    pub success: i64,
}

/// The service-level SOAP binding: every endpoint is an operation posted to
/// one URL (base URL + `path`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSoapService {
    pub version: Spanned<String>,
    pub namespace: Spanned<String>,
    pub path: Spanned<String>,
    /// File name of the service's WSDL, beside service.yaml.
    #[serde(default)]
    pub wsdl: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDocument {
    pub version: String,
    #[serde(default)]
    pub date: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBaseUrl {
    pub name: String,
    pub url: Spanned<String>,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnvelope {
    pub data: String,
    pub status: String,
    pub code: String,
    pub text: String,
    pub success: i64,
    pub malformed_request: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    pub name: Spanned<String>,
    #[serde(default)]
    pub http: Option<Spanned<RawHttp>>,
    #[serde(default)]
    pub soap: Option<Spanned<RawSoap>>,
    #[serde(default)]
    pub request: Option<Spanned<String>>,
    #[serde(default)]
    pub response: Option<Spanned<String>>,
    #[serde(default)]
    pub auth: Option<bool>,
    #[serde(default)]
    pub idempotency_key: Option<Spanned<String>>,
    #[serde(default)]
    pub errors: Vec<Spanned<i64>>,
    #[serde(default)]
    pub rust: Option<Spanned<String>>,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub method: Spanned<String>,
    pub path: Spanned<String>,
}

/// An endpoint's SOAP operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSoap {
    pub operation: Spanned<String>,
    pub action: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub name: Spanned<String>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
    pub fields: Vec<Spanned<RawField>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
    /// How absent optional members are written: `omit` (default) or
    /// `write` (as `null`, for replies of services that send them).
    #[serde(default)]
    pub nulls: Option<Spanned<String>>,
}

/// A business rule of a model: `equal`/`to` arithmetic, or a `check`
/// implemented by hand in the service crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub code: Spanned<i64>,
    #[serde(default)]
    pub equal: Option<Spanned<String>>,
    #[serde(default)]
    pub to: Option<Spanned<String>>,
    #[serde(default)]
    pub tolerance: Option<Spanned<RawScalar>>,
    #[serde(default)]
    pub check: Option<Spanned<String>>,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
}

/// `required_when: { field: IsServc, equals: "N" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequiredWhen {
    pub field: Spanned<String>,
    pub equals: Spanned<RawScalar>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub wire: Spanned<String>,
    #[serde(default)]
    pub rust: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    #[serde(default)]
    pub encoding: Option<Spanned<String>>,
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    #[serde(default)]
    pub separator: Option<Spanned<String>>,
    #[serde(default)]
    pub presence: Option<Spanned<String>>,
    #[serde(default)]
    pub default: Option<Spanned<RawScalar>>,
    #[serde(default)]
    pub empty_as_absent: Option<Spanned<bool>>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub credential: Option<Spanned<String>>,
    #[serde(default)]
    pub table: Option<Spanned<String>>,
    /// Where a request field travels: body (default), path, query or header.
    #[serde(default, rename = "in")]
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub length: Option<Spanned<RawScalar>>,
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub not_pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub range: Option<Spanned<RawScalar>>,
    #[serde(default)]
    pub items: Option<Spanned<RawScalar>>,
    #[serde(default)]
    pub unique: Option<Spanned<String>>,
    #[serde(default)]
    pub required_when: Option<Spanned<RawRequiredWhen>>,
    #[serde(default)]
    pub error_code: Option<Spanned<i64>>,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
}

/// A scalar YAML value (defaults, enum codes).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum RawScalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A hand-written scalar type of the service crate (a checked newtype such
/// as a taxpayer number): `type: Name` on a field resolves to `rust`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNewtype {
    pub name: Spanned<String>,
    /// Path of the type in the service crate, e.g. `crate::Tin`.
    pub rust: Spanned<String>,
    /// What it is on the wire (OpenAPI, diffs, docs): `string`.
    pub wire: Spanned<String>,
    /// The pattern its values match, for the OpenAPI schema and docs (the
    /// type itself checks them).
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    pub name: Spanned<String>,
    pub repr: Spanned<String>,
    #[serde(default)]
    pub accept_labels: bool,
    /// String codes read in any ASCII case.
    #[serde(default)]
    pub case_insensitive: Option<Spanned<bool>>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
    pub values: Vec<Spanned<RawEnumValue>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnumValue {
    pub code: Spanned<RawScalar>,
    pub name: Spanned<String>,
    #[serde(default)]
    pub ka: Option<String>,
    #[serde(default)]
    pub en: Option<String>,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawError {
    pub code: Spanned<i64>,
    #[serde(default)]
    pub text: Option<String>,
    pub meaning: String,
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExample {
    pub file: Spanned<String>,
    pub endpoint: Spanned<String>,
    pub kind: Spanned<String>,
    #[serde(default)]
    pub doc: Option<RawDoc>,
    #[serde(default)]
    pub repairs: Vec<String>,
    #[serde(default)]
    pub reencoded: Option<Spanned<String>>,
    #[serde(default)]
    pub normalizations: Vec<String>,
}
