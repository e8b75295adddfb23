//! spec/rsge-ntos/ agrees with the service's own WSDL (a copy lives beside
//! the spec as `ntosservice.wsdl`, the authority for shapes): every
//! operation in WSDL order, its SOAPAction in both bindings, every parameter
//! and out parameter by name, order, XSD type and occurrence, and the two
//! complex types.

use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use taxsdk_codegen::ir::{self, EnumRepr, Type};

/// An element of the WSDL: local name, attributes, children. The test reads
/// a 125 kB file, so a small tree is fine here.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn node(start: &BytesStart<'_>) -> Node {
    let name = start.local_name().as_ref().to_owned();
    let attrs = start
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            let key = a.key.as_ref().to_owned();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .expect("attribute value")
                .into_owned();
            (key, value)
        })
        .collect();
    Node {
        name,
        attrs,
        children: Vec::new(),
    }
}

fn parse(text: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed WSDL") {
            Event::Start(e) => stack.push(node(&e)),
            Event::Empty(e) => {
                let n = node(&e);
                stack.last_mut().expect("open element").children.push(n);
            }
            Event::End(_) => {
                let done = stack.pop().expect("open element");
                stack.last_mut().expect("parent").children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut document = stack.pop().expect("document");
    document.children.remove(0)
}

/// One child element of a WSDL message element.
#[derive(Debug)]
struct Param {
    name: String,
    /// `s:int`, `tns:Response`, `DataTable` (schema + diffgram) or `anyType`.
    xsd: String,
    min_occurs: String,
    max_occurs: String,
    nillable: bool,
}

fn params(element: &Node) -> Vec<Param> {
    let Some(sequence) = element
        .child("complexType")
        .and_then(|c| c.child("sequence"))
    else {
        return Vec::new();
    };
    sequence
        .all("element")
        .map(|e| {
            let xsd = match e.attr("type") {
                Some(t) => t.to_string(),
                None => {
                    let anys = e
                        .child("complexType")
                        .and_then(|c| c.child("sequence"))
                        .map(|s| s.all("any").count())
                        .unwrap_or(0);
                    if anys == 2 {
                        "DataTable".into()
                    } else {
                        assert_eq!(anys, 0, "{e:?}");
                        "anyType".into()
                    }
                }
            };
            Param {
                name: e.attr("name").expect("element name").to_string(),
                xsd,
                min_occurs: e.attr("minOccurs").unwrap_or("1").to_string(),
                max_occurs: e.attr("maxOccurs").unwrap_or("1").to_string(),
                nillable: e.attr("nillable") == Some("true"),
            }
        })
        .collect()
}

/// The XSD type the WSDL must give a spec field.
fn expected_xsd(spec: &ir::Service, ty: &Type) -> String {
    match ty {
        Type::String => "s:string".into(),
        Type::Bool => "s:boolean".into(),
        Type::I32 => "s:int".into(),
        Type::I64 => "s:long".into(),
        Type::Decimal => "s:decimal".into(),
        Type::DateTime(_) => "s:dateTime".into(),
        Type::Json => "anyType".into(),
        Type::DataTable(_) => "DataTable".into(),
        Type::Model(name) => format!("tns:{name}"),
        Type::List(inner) => expected_xsd(spec, inner),
        Type::Enum(name) => match spec.enumeration(name).map(|e| e.repr) {
            Some(EnumRepr::Int) => "s:int".into(),
            _ => "s:string".into(),
        },
        other => format!("(no XSD type for {other:?})"),
    }
}

/// Compares the fields of `model` with the WSDL's children of one element;
/// every disagreement is pushed to `problems`.
fn compare(
    spec: &ir::Service,
    what: &str,
    model: Option<&ir::Model>,
    wsdl: &[Param],
    problems: &mut Vec<String>,
) {
    let fields: Vec<&ir::Field> = model.map(|m| m.fields.iter().collect()).unwrap_or_default();
    let spec_names: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
    let wsdl_names: Vec<&str> = wsdl.iter().map(|p| p.name.as_str()).collect();
    if spec_names != wsdl_names {
        problems.push(format!(
            "{what}: elements differ\n  spec: {spec_names:?}\n  WSDL: {wsdl_names:?}"
        ));
        return;
    }
    for (f, p) in fields.iter().zip(wsdl) {
        let xsd = expected_xsd(spec, &f.ty);
        if xsd != p.xsd {
            problems.push(format!(
                "{what}.{}: spec type {xsd}, WSDL {}",
                f.wire, p.xsd
            ));
        }
        let list = matches!(f.ty, Type::List(_));
        if list != (p.max_occurs == "unbounded") {
            problems.push(format!(
                "{what}.{}: spec list {list}, WSDL maxOccurs {}",
                f.wire, p.max_occurs
            ));
        }
        // Elements the WSDL requires are never `Option` in the spec (value
        // types read a missing element as their default); optional ones are
        // `Option`, or a DataTable (empty when missing).
        let required = p.min_occurs == "1" && !p.nillable;
        let option_like = f.is_option() || matches!(f.ty, Type::DataTable(_));
        if required == option_like {
            problems.push(format!(
                "{what}.{}: WSDL minOccurs {}{}, spec {}",
                f.wire,
                p.min_occurs,
                if p.nillable { " nillable" } else { "" },
                if option_like { "optional" } else { "required" }
            ));
        }
    }
}

#[test]
fn the_spec_agrees_with_the_wsdl() {
    let spec_dir = taxsdk_tests::workspace_root().join("spec/rsge-ntos");
    let spec = taxsdk_tests::load("spec/rsge-ntos");
    let text = std::fs::read_to_string(spec_dir.join("ntosservice.wsdl")).expect("WSDL copy");
    let wsdl = parse(&text);
    assert_eq!(wsdl.name, "definitions");
    let namespace = wsdl.attr("targetNamespace").expect("targetNamespace");
    let binding = spec.soap.as_ref().expect("a SOAP binding");
    assert_eq!(binding.namespace, namespace);
    assert_eq!(binding.version, ir::SoapVersion::Soap11);

    let schema = wsdl
        .child("types")
        .and_then(|t| t.child("schema"))
        .expect("types/schema");
    assert_eq!(schema.attr("elementFormDefault"), Some("qualified"));
    let element = |name: &str| {
        schema
            .all("element")
            .find(|e| e.attr("name") == Some(name))
            .unwrap_or_else(|| panic!("WSDL has no element {name}"))
    };

    // Operations: all 55, in WSDL order.
    let port_type = wsdl.child("portType").expect("portType");
    let operations: Vec<&str> = port_type
        .all("operation")
        .map(|o| o.attr("name").expect("operation name"))
        .collect();
    assert_eq!(operations.len(), 55);
    let endpoints: Vec<&str> = spec
        .endpoints
        .iter()
        .map(|e| e.soap.as_ref().expect("SOAP endpoint").operation.as_str())
        .collect();
    assert_eq!(endpoints, operations, "operations differ from the WSDL's");

    // Both bindings give every operation the same SOAPAction as the spec.
    let bindings: Vec<&Node> = wsdl.all("binding").collect();
    assert_eq!(bindings.len(), 2, "SOAP 1.1 and SOAP 1.2 bindings");
    let mut problems = Vec::new();
    for binding in &bindings {
        for op in binding.all("operation") {
            let name = op.attr("name").unwrap_or_default();
            let action = op
                .child("operation")
                .and_then(|o| o.attr("soapAction"))
                .unwrap_or_default();
            let endpoint = spec
                .endpoints
                .iter()
                .find(|e| e.soap.as_ref().is_some_and(|s| s.operation == name));
            match endpoint.and_then(|e| e.soap.as_ref()) {
                Some(s) if s.action == action => {}
                Some(s) => {
                    problems.push(format!("{name}: spec action {}, WSDL {action}", s.action))
                }
                None => problems.push(format!("{name}: not in the spec")),
            }
        }
    }

    // The endpoint URL: base URL + path = the WSDL's soap:address.
    let service = wsdl.child("service").expect("service");
    for port in service.all("port") {
        let location = port
            .child("address")
            .and_then(|a| a.attr("location"))
            .expect("address");
        assert_eq!(
            format!("{}{}", spec.base_urls[0].url, binding.path),
            location
        );
    }

    for e in &spec.endpoints {
        let op = e.soap.as_ref().expect("SOAP endpoint");
        // The Rust method is the operation's own name.
        if e.rust_name != op.operation {
            problems.push(format!(
                "{}: method {} is not the operation's name",
                op.operation, e.rust_name
            ));
        }
        let model = |ty: &Option<Type>| match ty {
            Some(Type::Model(m)) => spec.model(m),
            _ => None,
        };
        compare(
            &spec,
            &op.operation,
            model(&e.request),
            &params(element(&op.operation)),
            &mut problems,
        );
        let response = format!("{}Response", op.operation);
        compare(
            &spec,
            &response,
            model(&e.response),
            &params(element(&response)),
            &mut problems,
        );
    }

    // The WSDL's complex types are models of the same name.
    let complex_types: Vec<&Node> = schema.all("complexType").collect();
    assert_eq!(complex_types.len(), 2);
    for ct in complex_types {
        let name = ct.attr("name").expect("complexType name");
        let wrapper = Node {
            children: vec![Node {
                name: "complexType".into(),
                attrs: Vec::new(),
                children: ct.children.iter().map(clone_node).collect(),
            }],
            ..Node::default()
        };
        compare(
            &spec,
            name,
            spec.model(name),
            &params(&wrapper),
            &mut problems,
        );
    }

    assert!(
        problems.is_empty(),
        "spec/rsge-ntos disagrees with ntosservice.wsdl:\n{}",
        problems.join("\n")
    );
}

fn clone_node(n: &Node) -> Node {
    Node {
        name: n.name.clone(),
        attrs: n.attrs.clone(),
        children: n.children.iter().map(clone_node).collect(),
    }
}

/// The credentials are the caller's `su`/`sp` everywhere but in the two
/// operations that create or change a service user, where they are the new
/// user's (ordinary parameters).
#[test]
fn credentials_are_the_callers_su_and_sp() {
    let spec = taxsdk_tests::load("spec/rsge-ntos");
    let mut with = 0;
    for e in &spec.endpoints {
        let Some(Type::Model(m)) = &e.request else {
            continue;
        };
        let model = spec.model(m).expect("request model");
        let user = model
            .credential(ir::Credential::User)
            .map(|f| f.wire.as_str());
        let password = model
            .credential(ir::Credential::Password)
            .map(|f| f.wire.as_str());
        let has_su = model.fields.iter().any(|f| f.wire == "su");
        match e.name.as_str() {
            "CreateSerUser" | "UpdateSerUser" => {
                assert_eq!((user, password), (None, None), "{}", e.name);
                assert!(!e.auth);
            }
            _ if has_su => {
                assert_eq!((user, password), (Some("su"), Some("sp")), "{}", e.name);
                assert!(e.auth, "{}", e.name);
                with += 1;
            }
            _ => assert!(!e.auth, "{}", e.name),
        }
    }
    // Every operation but what_is_my_ip, the three main-user ones and
    // get_ser_users_notes takes the service user.
    assert_eq!(with, 50);
    assert!(
        Path::new(&taxsdk_tests::workspace_root().join("spec/rsge-ntos/ntosservice.wsdl"))
            .is_file()
    );
}
