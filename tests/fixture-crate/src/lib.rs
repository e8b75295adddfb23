//! The generated code of the fixture spec `tests/fixtures/full`, compiled so
//! that every construct the generator emits is proven to build without
//! warnings. Checked for drift like every service crate.

#![deny(warnings, missing_docs)]

// Generated code is formatted by the generator (prettyplease), not rustfmt.
#[rustfmt::skip]
mod generated;
pub use generated::*;

/// Hand-written checks the fixture spec's rules name (`check:`).
mod rules {
    use taxsdk_runtime::validate::{Path, Report, Rule};

    use crate::models::ListItemsResponse;

    /// Rows must come in ascending ID order.
    pub(crate) fn rows_are_ordered(
        response: &ListItemsResponse,
        path: &Path,
        report: &mut Report,
        code: i64,
    ) {
        for (index, pair) in response.rows.windows(2).enumerate() {
            if pair[1].id < pair[0].id {
                report.push(
                    &path.field("Rows").index(index + 1).field("ID"),
                    Rule::Check("IDs must ascend".into()),
                    Some(pair[1].id.to_string()),
                    code,
                );
            }
        }
    }
}
