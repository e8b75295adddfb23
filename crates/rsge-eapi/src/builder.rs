//! [`InvoiceBuilder`]: a new tax document for `SaveInvoice` /
//! `ActivateInvoice`, with goods-line amounts computed the way the service
//! computes them and the document's rules checked before the round trip.
//!
//! # Amounts
//!
//! For each goods line ([`GoodsLine`]):
//!
//! - `AMOUNT = QUANTITY × UNIT_PRICE`, rounded to 2 decimals.
//! - `VAT_AMOUNT` for [`VatType::Standard`]: the 18 % VAT *included* in
//!   `AMOUNT`, i.e. `AMOUNT × 18 / 118`, rounded to 2 decimals; 0 for
//!   [`VatType::ZeroRated`] and [`VatType::Exempt`].
//!
//! The document (eAPI 1.0.8) states no formula. What is followed here is
//! what its examples show: every example line has `AMOUNT = QUANTITY ×
//! UNIT_PRICE` (2 × 900.00 = 1800.00, 1 × 450.00 = 450.00) and a
//! `VAT_AMOUNT` equal to the VAT contained in that amount at Georgia's
//! standard rate of 18 % (1800.00 × 18/118 = 274.576… → 274.58; 450.00 ×
//! 18/118 = 68.644… → 68.64; the SaveInvoice example's total 3750 →
//! `AMOUNT_VAT` 572.03). The VAT is not added on top: `AMOUNT` is the
//! gross price the buyer pays. The document marks `VAT_AMOUNT` as an OUT
//! parameter (the service computes it), yet its request examples send it;
//! the builder sends it too, computed, so that what you see before saving is
//! what the service will show.
//!
//! # Rounding
//!
//! Money is `rust_decimal::Decimal` throughout (never `f64`) and is rounded
//! to 2 decimals **half away from zero** ("half-up": 0.125 → 0.13), by
//! [`round_money`]. Reason: this is the commercial rounding that accountants,
//! spreadsheets (`ROUND`) and the Georgian portal's users apply when they
//! check an invoice line by hand, and each line is checked on its own, so the
//! statistical bias banker's rounding avoids over long sums does not matter
//! here. (`Decimal::round_dp` defaults to banker's rounding, which is why the
//! strategy is explicit.) The two differ only on exact midpoints (x.xx5).

use std::fmt;

use chrono::NaiveDateTime;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::enums::{
    CorrectReason, InvoiceCategory, InvoiceType, SellerAction, TransCostPayer, TransportType,
    VatType,
};
use crate::models::{Invoice, InvoiceGoods, Unit};
use crate::tin::Tin;

/// Georgia's standard VAT rate (18 %), as a fraction: 0.18.
pub const STANDARD_VAT_RATE: Decimal = Decimal::from_parts(18, 0, 0, false, 2);

/// Round a money amount to 2 decimals, half away from zero (see the module
/// docs for why not banker's rounding).
pub fn round_money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The VAT contained in the gross `amount` for `vat_type`, rounded with
/// [`round_money`]: `amount × 18/118` for standard-rated goods, 0 for
/// zero-rated and exempt goods, `None` for a VAT type this crate does not know.
pub fn vat_included(amount: Decimal, vat_type: VatType) -> Option<Decimal> {
    match vat_type {
        VatType::Standard => {
            let rate = STANDARD_VAT_RATE;
            // amount × 0.18 / 1.18, divided last so nothing is lost early.
            let vat = amount.checked_mul(rate)?.checked_div(Decimal::ONE + rate)?;
            Some(round_money(vat))
        }
        VatType::ZeroRated | VatType::Exempt => Some(Decimal::ZERO),
        VatType::Unknown(_) => None,
    }
}

/// Unit of measure of a goods line: `UNIT_ID` (a `value` of `GetUnits`) and
/// its text `UNIT_TXT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodsUnit {
    /// The unit's id; [`GoodsUnit::OTHER`] for a unit named only by `text`.
    pub id: i32,
    /// The unit's name; required for [`GoodsUnit::OTHER`], sent with the
    /// standard units too (as the document's examples do) when given.
    pub text: Option<String>,
}

impl GoodsUnit {
    /// `UNIT_ID` of "other": the unit is named by `UNIT_TXT` alone.
    pub const OTHER: i32 = 99;

    /// A unit of the `GetUnits` list by id and label.
    pub fn new(id: i32, text: impl Into<String>) -> Self {
        GoodsUnit {
            id,
            text: Some(text.into()),
        }
    }

    /// A unit not in the `GetUnits` list, named by `text` (`UNIT_ID` 99).
    pub fn other(text: impl Into<String>) -> Self {
        GoodsUnit::new(Self::OTHER, text)
    }

    /// Piece (`UNIT_ID` 1, "ცალი"), the unit of the document's examples.
    pub fn piece() -> Self {
        GoodsUnit::new(1, "ცალი")
    }

    /// The unit of a `GetUnits` entry; `None` when it carries no id.
    pub fn from_unit(unit: &Unit) -> Option<Self> {
        Some(GoodsUnit {
            id: unit.value?,
            text: unit.label.clone(),
        })
    }
}

/// One goods or services line, before it becomes an
/// [`InvoiceGoods`](crate::models::InvoiceGoods) with computed amounts.
#[derive(Debug, Clone, PartialEq)]
pub struct GoodsLine {
    /// Name of the goods or service (`GOODS_NAME`).
    pub name: String,
    /// Unit of measure (`UNIT_ID`, `UNIT_TXT`).
    pub unit: GoodsUnit,
    /// Quantity (`QUANTITY`); must be greater than 0.
    pub quantity: Decimal,
    /// Gross price of one unit, VAT included (`UNIT_PRICE`); must not be negative.
    pub unit_price: Decimal,
    /// VAT treatment (`VAT_TYPE`).
    pub vat_type: VatType,
    /// Barcode (`BARCODE`), if the goods have one.
    pub barcode: Option<String>,
}

impl GoodsLine {
    /// A line without a barcode.
    pub fn new(
        name: impl Into<String>,
        unit: GoodsUnit,
        quantity: Decimal,
        unit_price: Decimal,
        vat_type: VatType,
    ) -> Self {
        GoodsLine {
            name: name.into(),
            unit,
            quantity,
            unit_price,
            vat_type,
            barcode: None,
        }
    }

    /// The same line with a barcode.
    #[must_use]
    pub fn with_barcode(mut self, barcode: impl Into<String>) -> Self {
        self.barcode = Some(barcode.into());
        self
    }

    /// `AMOUNT`: quantity × unit price, rounded; `None` if it overflows.
    pub fn amount(&self) -> Option<Decimal> {
        self.quantity.checked_mul(self.unit_price).map(round_money)
    }

    /// `VAT_AMOUNT`: the VAT included in [`amount`](Self::amount) (see
    /// [`vat_included`]); `None` on overflow or an unknown VAT type.
    pub fn vat_amount(&self) -> Option<Decimal> {
        vat_included(self.amount()?, self.vat_type)
    }

    /// Check the line (at position `index`) and turn it into the wire model.
    fn to_goods(&self, index: usize) -> Result<InvoiceGoods, InvoiceBuildError> {
        let field = |name: &str| format!("INVOICE_GOODS[{index}].{name}");
        if self.name.trim().is_empty() {
            return Err(InvoiceBuildError::Invalid {
                field: field("GOODS_NAME"),
                reason: "must not be empty".into(),
            });
        }
        let unit_text = self
            .unit
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if self.unit.id == GoodsUnit::OTHER && unit_text.is_none() {
            return Err(InvoiceBuildError::Invalid {
                field: field("UNIT_TXT"),
                reason: format!("must name the unit when UNIT_ID is {}", GoodsUnit::OTHER),
            });
        }
        if self.quantity <= Decimal::ZERO {
            return Err(InvoiceBuildError::Invalid {
                field: field("QUANTITY"),
                reason: format!("must be greater than 0, got {}", self.quantity),
            });
        }
        if self.unit_price.is_sign_negative() && !self.unit_price.is_zero() {
            return Err(InvoiceBuildError::Invalid {
                field: field("UNIT_PRICE"),
                reason: format!("must not be negative, got {}", self.unit_price),
            });
        }
        let amount = self.amount().ok_or_else(|| InvoiceBuildError::Invalid {
            field: field("AMOUNT"),
            reason: format!(
                "{} × {} is too large for a decimal",
                self.quantity, self.unit_price
            ),
        })?;
        let vat_amount = match self.vat_type {
            VatType::Unknown(code) => {
                return Err(InvoiceBuildError::Invalid {
                    field: field("VAT_TYPE"),
                    reason: format!(
                        "code {code} is not a VAT type this crate knows, so its VAT cannot be computed"
                    ),
                });
            }
            known => vat_included(amount, known).ok_or_else(|| InvoiceBuildError::Invalid {
                field: field("VAT_AMOUNT"),
                reason: format!("the VAT of {amount} is too large for a decimal"),
            })?,
        };
        Ok(InvoiceGoods {
            id: 0,
            invoice_id: 0,
            goods_name: Some(self.name.trim().to_string()),
            barcode: self
                .barcode
                .as_deref()
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(str::to_string),
            unit_id: Some(self.unit.id),
            unit_txt: unit_text.map(str::to_string),
            quantity: Some(self.quantity),
            unit_price: Some(self.unit_price),
            amount: Some(amount),
            vat_amount: Some(vat_amount),
            vat_type: Some(self.vat_type),
            ..InvoiceGoods::default()
        })
    }
}

/// Why [`InvoiceBuilder::build`] refused: the field (by its wire name, e.g.
/// `INV_CATEGORY` or `INVOICE_GOODS[1].QUANTITY`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvoiceBuildError {
    /// A required field was not set.
    Missing {
        /// Wire name of the field.
        field: String,
        /// The builder method that sets it.
        setter: &'static str,
    },
    /// A field's value breaks a rule of the document.
    Invalid {
        /// Wire name of the field.
        field: String,
        /// The rule, with the offending value.
        reason: String,
    },
}

impl InvoiceBuildError {
    /// Wire name of the offending field.
    pub fn field(&self) -> &str {
        match self {
            InvoiceBuildError::Missing { field, .. } | InvoiceBuildError::Invalid { field, .. } => {
                field
            }
        }
    }

    fn missing(field: &str, setter: &'static str) -> Self {
        InvoiceBuildError::Missing {
            field: field.to_string(),
            setter,
        }
    }

    fn invalid(field: &str, reason: impl Into<String>) -> Self {
        InvoiceBuildError::Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for InvoiceBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvoiceBuildError::Missing { field, setter } => {
                write!(
                    f,
                    "invoice field `{field}` is required: set it with `.{setter}(..)`"
                )
            }
            InvoiceBuildError::Invalid { field, reason } => {
                write!(f, "invoice field `{field}` is invalid: {reason}")
            }
        }
    }
}

impl std::error::Error for InvoiceBuildError {}

impl Invoice {
    /// Start a new document (ID 0, saved as a draft: `SELLER_ACTION` 0).
    pub fn builder() -> InvoiceBuilder {
        InvoiceBuilder::default()
    }
}

/// Builds a new [`Invoice`] for `SaveInvoice` (or save-and-activate).
///
/// Required: [`category`](Self::category), [`invoice_type`](Self::invoice_type),
/// [`operation_date`](Self::operation_date) (none of them for a
/// [correction](Self::correction_of), which the service takes from the
/// corrected document), [`seller`](Self::seller), and at least one goods line
/// (except for an advance document). [`build`](Self::build) names the first
/// missing or invalid field.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct InvoiceBuilder {
    invoice: Invoice,
    goods: Vec<GoodsLine>,
}

/// Trimmed text, `None` when empty.
fn text(value: impl Into<String>) -> Option<String> {
    let value = value.into();
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

impl InvoiceBuilder {
    /// `INV_CATEGORY`: goods/services, timber, petroleum products or advance.
    pub fn category(mut self, category: InvoiceCategory) -> Self {
        self.invoice.inv_category = Some(category);
        self
    }

    /// `INV_TYPE`: the kind of operation (with transport, without, ...).
    pub fn invoice_type(mut self, invoice_type: InvoiceType) -> Self {
        self.invoice.inv_type = Some(invoice_type);
        self
    }

    /// `OPERATION_DATE`: when the supply took place.
    pub fn operation_date(mut self, date: NaiveDateTime) -> Self {
        self.invoice.operation_date = Some(date);
        self
    }

    /// `INV_SERIE`: the series, if you use one.
    pub fn series(mut self, series: impl Into<String>) -> Self {
        self.invoice.inv_serie = text(series);
        self
    }

    /// `TIN_SELLER`: the seller (normally the logged-in taxpayer).
    pub fn seller(mut self, tin: Tin) -> Self {
        self.invoice.tin_seller = Some(tin);
        self
    }

    /// `TIN_BUYER`: a Georgian buyer (`FOREIGN_BUYER` false).
    pub fn buyer(mut self, tin: Tin) -> Self {
        self.invoice.tin_buyer = Some(tin.into_string());
        self.invoice.foreign_buyer = Some(false);
        self
    }

    /// `TIN_BUYER` for a foreign buyer, whose id is not a Georgian TIN
    /// (`FOREIGN_BUYER` true).
    pub fn foreign_buyer(mut self, id: impl Into<String>) -> Self {
        self.invoice.tin_buyer = Some(id.into().trim().to_string());
        self.invoice.foreign_buyer = Some(true);
        self
    }

    /// `INV_COMMENT`: a free-text note.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.invoice.inv_comment = text(comment);
        self
    }

    /// `TRANS_TYPE`: how the goods travel (road, rail, ...).
    pub fn transport_type(mut self, kind: TransportType) -> Self {
        self.invoice.trans_type = Some(kind);
        self
    }

    /// `TRANS_TYPE_TXT`: the kind of transport, required when
    /// [`transport_type`](Self::transport_type) is `Other`.
    pub fn transport_type_text(mut self, description: impl Into<String>) -> Self {
        self.invoice.trans_type_txt = text(description);
        self
    }

    /// `TRANS_START_DATE`: when transportation starts.
    pub fn transport_start_date(mut self, date: NaiveDateTime) -> Self {
        self.invoice.trans_start_date = Some(date);
        self
    }

    /// `TRANS_START_ADDRESS`: where transportation starts.
    pub fn start_address(mut self, address: impl Into<String>) -> Self {
        self.invoice.trans_start_address = text(address);
        self
    }

    /// `TRANS_END_ADDRESS`: where transportation ends.
    pub fn end_address(mut self, address: impl Into<String>) -> Self {
        self.invoice.trans_end_address = text(address);
        self
    }

    /// `TRANS_START_ADDRESS_NO`: registration number of the start place (or
    /// bunkering ship).
    pub fn start_address_no(mut self, number: impl Into<String>) -> Self {
        self.invoice.trans_start_address_no = text(number);
        self
    }

    /// `TRANS_END_ADDRESS_NO`: registration number of the end place (or
    /// bunkering ship).
    pub fn end_address_no(mut self, number: impl Into<String>) -> Self {
        self.invoice.trans_end_address_no = text(number);
        self
    }

    /// `TRANS_COMPANY_TIN`: the transport company; it must differ from the
    /// buyer (service code -202).
    pub fn carrier(mut self, tin: Tin) -> Self {
        self.invoice.trans_company_tin = Some(tin);
        self
    }

    /// `TRANS_DRIVER_TIN`: a Georgian driver's personal number
    /// (`TRANS_DRIVER_FOREIGN` false).
    pub fn driver(mut self, tin: Tin) -> Self {
        self.invoice.trans_driver_tin = Some(tin.into_string());
        self.invoice.trans_driver_foreign = Some(false);
        self
    }

    /// `TRANS_DRIVER_TIN` of a foreign driver, e.g. a passport number
    /// (`TRANS_DRIVER_FOREIGN` true).
    pub fn foreign_driver(mut self, id: impl Into<String>) -> Self {
        self.invoice.trans_driver_tin = text(id);
        self.invoice.trans_driver_foreign = Some(true);
        self
    }

    /// `TRANS_CAR_MODEL`: vehicle make.
    pub fn car_model(mut self, model: impl Into<String>) -> Self {
        self.invoice.trans_car_model = text(model);
        self
    }

    /// `TRANS_CAR_NO`: vehicle registration number.
    pub fn car_number(mut self, number: impl Into<String>) -> Self {
        self.invoice.trans_car_no = text(number);
        self
    }

    /// `TRANS_TRAILER_NO`: trailer number.
    pub fn trailer_number(mut self, number: impl Into<String>) -> Self {
        self.invoice.trans_trailer_no = text(number);
        self
    }

    /// `TRANS_COST`: the transport cost (kept as given, not rounded).
    pub fn transport_cost(mut self, cost: Decimal) -> Self {
        self.invoice.trans_cost = Some(cost);
        self
    }

    /// `TRANS_COST_PAYER`: who bears the transport cost.
    pub fn transport_cost_payer(mut self, payer: TransCostPayer) -> Self {
        self.invoice.trans_cost_payer = Some(payer);
        self
    }

    /// `PARENT_ID`: make this a sub-document of a distribution document; its
    /// type must then be "without transport" or "internal shipment".
    pub fn distribution_parent(mut self, parent_id: i64) -> Self {
        self.invoice.parent_id = Some(parent_id);
        self
    }

    /// `PREV_CORRECTION_ID` and `CORRECT_REASON_ID`: this document corrects
    /// document `previous_id`. Category, type and operation date are then
    /// not needed (the document says not to send them).
    pub fn correction_of(mut self, previous_id: i64, reason: CorrectReason) -> Self {
        self.invoice.prev_correction_id = Some(previous_id);
        self.invoice.correct_reason_id = Some(reason);
        self
    }

    /// Add a goods line: `AMOUNT` and `VAT_AMOUNT` are computed as the
    /// module docs describe (`unit_price` is the gross price, VAT included).
    pub fn add_goods(
        self,
        name: impl Into<String>,
        unit: GoodsUnit,
        quantity: Decimal,
        unit_price: Decimal,
        vat_type: VatType,
    ) -> Self {
        self.add_line(GoodsLine::new(name, unit, quantity, unit_price, vat_type))
    }

    /// Add a prepared goods line (e.g. one with a barcode).
    pub fn add_line(mut self, line: GoodsLine) -> Self {
        self.goods.push(line);
        self
    }

    /// Check the document and produce the [`Invoice`]; the error names the
    /// first missing or invalid field by its wire name.
    pub fn build(self) -> Result<Invoice, InvoiceBuildError> {
        let InvoiceBuilder { mut invoice, goods } = self;
        let correction = invoice.prev_correction_id.is_some();
        if !correction {
            if invoice.inv_category.is_none() {
                return Err(InvoiceBuildError::missing("INV_CATEGORY", "category"));
            }
            if invoice.inv_type.is_none() {
                return Err(InvoiceBuildError::missing("INV_TYPE", "invoice_type"));
            }
        }
        // An advance document is category 4 *and* type 6 (document, SaveInvoice).
        let advance_category = invoice.inv_category == Some(InvoiceCategory::Advance);
        let advance_type = invoice.inv_type == Some(InvoiceType::Advance);
        if invoice.inv_category.is_some()
            && invoice.inv_type.is_some()
            && advance_category != advance_type
        {
            return Err(InvoiceBuildError::invalid(
                "INV_TYPE",
                "an advance document needs category Advance (4) and type Advance (6) together",
            ));
        }
        if invoice.parent_id.is_some()
            && !matches!(
                invoice.inv_type,
                None | Some(InvoiceType::WithoutTransport | InvoiceType::InternalShipment)
            )
        {
            return Err(InvoiceBuildError::invalid(
                "INV_TYPE",
                "a distribution sub-document (PARENT_ID set) must be WithoutTransport or InternalShipment",
            ));
        }
        if !correction && invoice.operation_date.is_none() {
            return Err(InvoiceBuildError::missing(
                "OPERATION_DATE",
                "operation_date",
            ));
        }
        let Some(seller) = invoice.tin_seller.as_deref() else {
            return Err(InvoiceBuildError::missing("TIN_SELLER", "seller"));
        };
        if let Some(buyer) = invoice.tin_buyer.as_deref() {
            if buyer.is_empty() {
                return Err(InvoiceBuildError::invalid(
                    "TIN_BUYER",
                    "the foreign buyer's id must not be empty",
                ));
            }
            if buyer == seller {
                return Err(InvoiceBuildError::invalid(
                    "TIN_BUYER",
                    format!("`{buyer}` equals TIN_SELLER (the service answers -200)"),
                ));
            }
            if invoice.trans_company_tin.as_deref() == Some(buyer) {
                return Err(InvoiceBuildError::invalid(
                    "TRANS_COMPANY_TIN",
                    format!("`{buyer}` equals TIN_BUYER (the service answers -202)"),
                ));
            }
        }
        if invoice.trans_type == Some(TransportType::Other) && invoice.trans_type_txt.is_none() {
            return Err(InvoiceBuildError::missing(
                "TRANS_TYPE_TXT",
                "transport_type_text",
            ));
        }
        if invoice.trans_driver_foreign == Some(true) && invoice.trans_driver_tin.is_none() {
            return Err(InvoiceBuildError::invalid(
                "TRANS_DRIVER_TIN",
                "the foreign driver's id must not be empty",
            ));
        }
        if let Some(cost) = invoice.trans_cost
            && cost.is_sign_negative()
            && !cost.is_zero()
        {
            return Err(InvoiceBuildError::invalid(
                "TRANS_COST",
                format!("must not be negative, got {cost}"),
            ));
        }
        if goods.is_empty() && !correction && !advance_category {
            return Err(InvoiceBuildError::missing("INVOICE_GOODS", "add_goods"));
        }
        let lines = goods
            .iter()
            .enumerate()
            .map(|(index, line)| line.to_goods(index))
            .collect::<Result<Vec<_>, _>>()?;
        invoice.id = 0;
        invoice.seller_action = Some(SellerAction::Saved);
        invoice.invoice_goods = Some(lines);
        // The examples always send these lists, empty when unused.
        invoice.invoice_return.get_or_insert_with(Vec::new);
        invoice.invoice_advance.get_or_insert_with(Vec::new);
        invoice.invoice_oil_docs.get_or_insert_with(Vec::new);
        Ok(invoice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn the_documents_examples() {
        let fridge = GoodsLine::new(
            "მაცივარი",
            GoodsUnit::piece(),
            d("2"),
            d("900.00"),
            VatType::Standard,
        );
        assert_eq!(fridge.amount(), Some(d("1800.00")));
        assert_eq!(fridge.vat_amount(), Some(d("274.58")));
        let oven = GoodsLine::new(
            "მიკროტალღური",
            GoodsUnit::piece(),
            d("1"),
            d("450.00"),
            VatType::Standard,
        );
        assert_eq!(oven.vat_amount(), Some(d("68.64")));
        assert_eq!(
            vat_included(d("3750"), VatType::Standard),
            Some(d("572.03"))
        );
    }

    #[test]
    fn zero_rated_and_exempt_have_no_vat() {
        for vat in [VatType::ZeroRated, VatType::Exempt] {
            assert_eq!(vat_included(d("1800"), vat), Some(Decimal::ZERO));
        }
        assert_eq!(vat_included(d("1800"), VatType::Unknown(7)), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_money(d("0.125")), d("0.13"));
        assert_eq!(round_money(d("0.135")), d("0.14"));
        assert_eq!(round_money(d("-0.125")), d("-0.13"));
        assert_eq!(round_money(d("0.124999")), d("0.12"));
        // 3 × 0.335 = 1.005 → 1.01 (banker's would give 1.00).
        let line = GoodsLine::new("x", GoodsUnit::piece(), d("3"), d("0.335"), VatType::Exempt);
        assert_eq!(line.amount(), Some(d("1.01")));
    }

    #[test]
    fn overflow_is_none_not_a_panic() {
        let line = GoodsLine::new(
            "x",
            GoodsUnit::piece(),
            Decimal::MAX,
            d("2"),
            VatType::Standard,
        );
        assert_eq!(line.amount(), None);
        assert_eq!(line.vat_amount(), None);
    }
}
