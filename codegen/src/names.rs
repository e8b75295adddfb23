//! Rust names derived from wire names (heck), with keyword escaping.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, 2024 edition) that cannot be field or
/// method names without escaping.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// snake_case identifier for a field or method; keywords get a trailing `_`.
/// Returns `None` when nothing usable is left (then the spec needs `rust:`).
pub fn snake(wire: &str) -> Option<String> {
    let name = wire.to_snake_case();
    if !is_identifier(&name) {
        return None;
    }
    Some(escape_keyword(name))
}

/// Whether `name` is already a usable snake_case identifier.
pub fn is_snake(name: &str) -> bool {
    is_identifier(name) && name.to_snake_case() == name.trim_end_matches('_')
}

/// Whether `name` is a PascalCase type or variant name.
pub fn is_pascal(name: &str) -> bool {
    is_identifier(name) && name.to_upper_camel_case() == name
}

pub fn escape_keyword(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    name != "_" && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_snake_case_from_wire_names() {
        assert_eq!(snake("TIN_SELLER").as_deref(), Some("tin_seller"));
        assert_eq!(snake("TotInvVal").as_deref(), Some("tot_inv_val"));
        assert_eq!(snake("EXCISE_CODE ").as_deref(), Some("excise_code"));
        assert_eq!(snake("type").as_deref(), Some("type_"));
        assert_eq!(snake("2FA"), None);
        assert_eq!(snake("()"), None);
    }

    #[test]
    fn recognises_case_styles() {
        assert!(is_pascal("SaveInvoice"));
        assert!(!is_pascal("saveInvoice"));
        assert!(is_snake("save_invoice"));
        assert!(is_snake("type_"));
        assert!(!is_snake("SaveInvoice"));
    }
}
