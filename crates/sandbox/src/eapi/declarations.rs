//! Declarations: GetSeqNum and CreateDecl.
//!
//! The real service answers the number of the taxpayer's VAT declaration for
//! a month. The sandbox has no declarations to file, so the number is derived
//! from the TIN and the month: stable across restarts without being stored,
//! and different per organisation and month.

use rsge_eapi::enums::SellerAction;
use taxsdk_runtime::ServiceStatus;
use taxsdk_runtime::wire::YearMonth;

use super::state::{Role, State};
use super::status::invalid;

/// The 8-digit declaration number of `tin` for `period` (the document's
/// example is 26466366).
pub fn seq_num(tin: &str, period: YearMonth) -> i64 {
    let org = tin
        .bytes()
        .fold(7_i64, |hash, b| (hash * 31 + i64::from(b)) % 9_000);
    (org + 1_000) * 10_000 + i64::from(period.year() % 100) * 100 + i64::from(period.month())
}

impl State {
    /// Attach the documents `ids` to the caller's declaration for `period`:
    /// SEQNUM_SELLER or SEQNUM_BUYER (by the caller's role) becomes the
    /// declaration number. All or nothing: one document that cannot be
    /// attached (unknown, not visible, never activated, deleted, or the
    /// caller is only the carrier) refuses the whole call with -2.
    pub fn create_declaration(
        &mut self,
        tin: &str,
        ids: &[i64],
        period: YearMonth,
    ) -> Result<i64, ServiceStatus> {
        if ids.is_empty() {
            return Err(invalid("Invoices is empty: nothing to attach"));
        }
        let mut targets = Vec::with_capacity(ids.len());
        for &id in ids {
            let (stored, role) = self.visible(id, tin)?;
            if !stored.was_activated() || stored.seller_action() == SellerAction::Deleted {
                return Err(invalid(format!(
                    "invoice {id} is not an active document and cannot go into a declaration"
                )));
            }
            if role == Role::Carrier {
                return Err(invalid(format!(
                    "invoice {id}: only its seller or buyer can declare it"
                )));
            }
            targets.push((id, role));
        }
        let number = seq_num(tin, period);
        for (id, role) in targets {
            if let Some(stored) = self.invoices.get_mut(&id) {
                match role {
                    Role::Seller => stored.inv.seqnum_seller = Some(number),
                    _ => stored.inv.seqnum_buyer = Some(number),
                }
            }
            self.mark_invoice(id);
        }
        Ok(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable_and_differ_by_month_and_organisation() {
        let jan = YearMonth::new(2019, 1).unwrap();
        let feb = YearMonth::new(2019, 2).unwrap();
        assert_eq!(seq_num("206322102", jan), seq_num("206322102", jan));
        assert_ne!(seq_num("206322102", jan), seq_num("206322102", feb));
        assert_ne!(seq_num("206322102", jan), seq_num("12345678910", jan));
        let n = seq_num("206322102", jan);
        assert!((10_000_000..100_000_000).contains(&n), "{n}");
    }
}
