//! The validated intermediate representation the generators work from.
//! Everything here has passed the loader's checks: names resolve, wire and
//! Rust names are unique, encodings fit their types.

use std::path::PathBuf;

/// Documentation of an item: optional original (Georgian) and English text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub original: Option<String>,
    pub en: Option<String>,
}

impl Doc {
    pub fn is_empty(&self) -> bool {
        self.original.is_none() && self.en.is_none()
    }
}

/// One service: everything one spec folder describes.
#[derive(Debug, Clone)]
pub struct Service {
    /// Crate name, e.g. `rsge-eapi`.
    pub name: String,
    pub title: String,
    pub doc: Doc,
    pub document_version: Option<String>,
    pub document_date: Option<String>,
    pub base_urls: Vec<BaseUrl>,
    pub auth: Auth,
    pub envelope: Option<Envelope>,
    /// The encrypted JSON envelope (IRP), for services with `auth: session`.
    pub encrypted_envelope: Option<EncryptedEnvelope>,
    /// The code of a violated field constraint without its own `error_code`.
    pub schema_error: Option<i64>,
    /// The SOAP binding, for services whose endpoints are SOAP operations.
    pub soap: Option<SoapService>,
    pub endpoints: Vec<Endpoint>,
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    /// Hand-written scalar types fields may name.
    pub newtypes: Vec<Newtype>,
    pub errors: Vec<ErrorCode>,
    pub examples: Vec<Example>,
    /// The folder the spec was read from.
    pub dir: PathBuf,
    /// Date formats used by fields, in order of first use (one marker type each).
    pub date_formats: Vec<DateFormat>,
}

impl Service {
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == name)
    }
    pub fn enumeration(&self, name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.name == name)
    }
    pub fn newtype(&self, name: &str) -> Option<&Newtype> {
        self.newtypes.iter().find(|n| n.name == name)
    }
}

/// A hand-written scalar type of the service crate, declared in the spec
/// (`newtypes:`): the generator names it and leaves its serde impl, checks
/// and conversions to the crate.
#[derive(Debug, Clone, PartialEq)]
pub struct Newtype {
    /// The spec name fields use in `type:`, e.g. `Tin`.
    pub name: String,
    /// Path of the Rust type, e.g. `crate::Tin`.
    pub rust: String,
    /// What it is on the wire.
    pub wire: NewtypeWire,
    /// The pattern its values match (documentation and OpenAPI; the type
    /// itself checks them).
    pub pattern: Option<String>,
    pub doc: Doc,
}

/// The wire form of a newtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewtypeWire {
    /// A JSON string.
    String,
}

impl NewtypeWire {
    /// The name the spec uses.
    pub fn spec_name(self) -> &'static str {
        match self {
            NewtypeWire::String => "string",
        }
    }
}

#[derive(Debug, Clone)]
pub struct BaseUrl {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    Bearer,
    /// Service-user credentials travel as request parameters (the fields
    /// marked `credential:`); the client holds them and adds them to every call.
    ServiceUser,
    /// A hand-written session in the service crate logs in and signs or
    /// encrypts every call (IRP); the generator emits no transport for it.
    Session,
}

/// The IRP's envelope: request `{data: ...}`, reply `{status, data, errors, info}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedEnvelope {
    pub status: String,
    pub data: String,
    pub errors: String,
    pub info: String,
    pub success: i64,
}

/// The service-level SOAP binding (document/literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapService {
    /// The client's default SOAP version.
    pub version: SoapVersion,
    /// Target namespace of the body elements, e.g. `http://tempuri.org/`.
    pub namespace: String,
    /// Path of the one endpoint URL below the base URL.
    pub path: String,
    /// The service's own WSDL, copied verbatim into the generated folder.
    pub wsdl: Option<Wsdl>,
}

/// A WSDL file of the spec folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wsdl {
    /// Its file name, kept for the copy (`ntosservice.wsdl`).
    pub file: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    Soap11,
    Soap12,
}

impl SoapVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "1.1",
            SoapVersion::Soap12 => "1.2",
        }
    }
}

/// An endpoint's SOAP operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapOperation {
    /// Body element of the request; the reply is `{operation}Response`.
    pub operation: String,
    /// The SOAPAction.
    pub action: String,
}

impl SoapOperation {
    /// Wire name of the reply's result element.
    pub fn result_element(&self) -> String {
        format!("{}Result", self.operation)
    }
}

/// Which service-user credential a request parameter carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    User,
    Password,
}

#[derive(Debug, Clone)]
pub struct Envelope {
    pub data: String,
    pub status: String,
    pub code: String,
    pub text: String,
    pub success: i64,
    pub malformed_request: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    /// PascalCase name from the spec, e.g. `SaveInvoice`.
    pub name: String,
    /// snake_case Rust method name.
    pub rust_name: String,
    /// HTTP method and path below the base URL (for SOAP: POST to the
    /// service's one path).
    pub method: Method,
    pub path: String,
    /// The SOAP operation, for endpoints of a SOAP service.
    pub soap: Option<SoapOperation>,
    /// Type of the request body: a model, or a list or map of models.
    pub request: Option<Type>,
    /// Type of the reply payload.
    pub response: Option<Type>,
    pub auth: bool,
    /// Wire name of the request field carrying the idempotency key.
    pub idempotency_key: Option<String>,
    pub errors: Vec<i64>,
    pub doc: Doc,
    /// Example files (relative to the spec folder) that belong to this endpoint.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub doc: Doc,
    pub fields: Vec<Field>,
    /// Business rules checked by the generated `validate()`.
    pub rules: Vec<Rule>,
    /// Absent optional members are written as `null` instead of left out.
    pub write_nulls: bool,
}

impl Model {
    /// The fields of the generated Rust struct: all but the credentials,
    /// which the client adds to the request itself.
    pub fn struct_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.credential.is_none())
    }

    /// The field carrying credential `which`, if any.
    pub fn credential(&self, which: Credential) -> Option<&Field> {
        self.fields.iter().find(|f| f.credential == Some(which))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    Output,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Type,
    pub encoding: Encoding,
    pub presence: Presence,
    pub default: Option<DefaultValue>,
    pub empty_as_absent: bool,
    pub sensitive: bool,
    /// A service-user credential the client fills in (SOAP request parameters):
    /// not a field of the generated struct.
    pub credential: Option<Credential>,
    /// Name of a `datatable<Row>` field's table (its row element), when known.
    pub table: Option<String>,
    /// Where a request field travels.
    pub location: Location,
    /// Checks of the generated `validate()`.
    pub constraints: Constraints,
    pub doc: Doc,
}

/// Where a request field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Location {
    #[default]
    Body,
    /// Substituted for `{wire}` in the endpoint's path.
    Path,
    Query,
    Header,
}

/// A field's declared constraints (all optional); bounds are inclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Characters, for strings.
    pub length: Option<Bounds<usize>>,
    pub pattern: Option<String>,
    pub not_pattern: Option<String>,
    /// Decimal text bounds, for numbers.
    pub range: Option<Bounds<String>>,
    /// Elements, for lists.
    pub items: Option<Bounds<usize>>,
    /// A member (wire name) of a list's model elements that must differ.
    pub unique: Option<String>,
    /// Required when the sibling (wire name) has this code.
    pub required_when: Option<(String, String)>,
    /// The service's code for a violation (default: the service's schema error).
    pub error_code: Option<i64>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bounds<T> {
    pub min: Option<T>,
    pub max: Option<T>,
}

/// A business rule of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub code: i64,
    pub doc: Doc,
    pub kind: RuleKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// `left` = `right` within `tolerance` (decimal text); `text` is the
    /// rule as written.
    Equal {
        text: String,
        left: Vec<Term>,
        right: Vec<Term>,
        tolerance: String,
    },
    /// Implemented by hand: `crate::rules::{name}`.
    Check(String),
}

/// One signed term of a rule's sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub negative: bool,
    pub value: TermValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TermValue {
    /// A number reached through these fields (absent: 0).
    Path(Vec<Step>),
    /// The sum of `field` over the elements of the list at `list`.
    Sum { list: Vec<Step>, field: Vec<Step> },
}

/// One field on a rule's path.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub wire: String,
    pub rust: String,
    /// The Rust field is `Option<T>`.
    pub optional: bool,
    /// The last step's number is an integer (`i32`/`i64`), not a `Decimal`.
    pub integer: bool,
}

impl Field {
    /// Whether the Rust field is `Option<T>`.
    /// A DataTable never is: a missing result is an empty table.
    pub fn is_option(&self) -> bool {
        self.default.is_none()
            && self.presence != Presence::Required
            && !matches!(self.ty, Type::DataTable(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Bool(bool),
    Int(i64),
    /// Decimal text, kept exact.
    Decimal(String),
    Str(String),
    /// An enum value: enum name and variant name.
    EnumVariant(String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    String,
    Bool,
    I32,
    I64,
    Decimal,
    Date(usize),
    DateTime(usize),
    DateRange(usize),
    YearMonth(usize),
    Uuid,
    Json,
    List(Box<Type>),
    Map(Box<Type>),
    /// `{Fields, Rows}` table whose rows decode into the named model.
    Table(String),
    /// A .NET DataTable (inline schema + diffgram) whose rows decode into the
    /// named model (`None`: `map<string>` rows, column name to text): the
    /// result of a SOAP operation.
    DataTable(Option<String>),
    Model(String),
    Enum(String),
    /// A hand-written scalar type (spec `newtypes:`): its own serde impl
    /// reads and writes it.
    Newtype {
        /// The spec name, e.g. `Tin`.
        name: String,
        /// Path of the Rust type, e.g. `crate::Tin` (see [`Newtype::rust`]).
        rust: String,
    },
}

impl Type {
    /// The innermost non-container type.
    pub fn scalar(&self) -> &Type {
        match self {
            Type::List(inner) | Type::Map(inner) => inner.scalar(),
            other => other,
        }
    }
}

/// A date format: the spec's notation and its chrono translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    pub spec: String,
    pub chrono: String,
    pub range_separator: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Native,
    LenientNumber,
    StringNumber,
    BoolString,
    BoolInt,
    LenientString,
}

impl Encoding {
    /// The name the spec uses for the encoding (`none` when there is none).
    pub fn spec_name(self) -> &'static str {
        match self {
            Encoding::Native => "none",
            Encoding::LenientNumber => "lenient_number",
            Encoding::StringNumber => "string_number",
            Encoding::BoolString => "bool_string",
            Encoding::BoolInt => "bool_int",
            Encoding::LenientString => "lenient_string",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub name: String,
    pub repr: EnumRepr,
    pub accept_labels: bool,
    /// String codes are read in any ASCII case.
    pub case_insensitive: bool,
    pub doc: Doc,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    Int,
    String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Code {
    Int(i64),
    Str(String),
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub code: Code,
    pub name: String,
    pub ka: Option<String>,
    pub en: Option<String>,
    /// Where the value comes from, when the spec says (`Source: ...` text).
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: i64,
    pub text: Option<String>,
    pub meaning: String,
    pub http_status: Option<u16>,
    pub kind: ErrorKind,
}

/// How a client should treat an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An ordinary service error.
    Service,
    /// Credentials, PIN or rights were refused.
    Authentication,
    /// The session token is missing, unknown or expired: log in again.
    Session,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleKind {
    Request,
    Response,
}

#[derive(Debug, Clone)]
pub struct Example {
    /// Path relative to the spec folder, e.g. `examples/save-invoice.request.json`.
    pub file: String,
    pub endpoint: String,
    pub kind: ExampleKind,
    pub doc: Doc,
    pub repairs: Vec<String>,
    pub reencoded: Option<String>,
    pub normalizations: Vec<String>,
}
