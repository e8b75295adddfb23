//! Building an e-invoice without doing its arithmetic by hand: lines from
//! quantity, price, discount and rate (IGST or CGST + SGST by the place of
//! supply), totals summed from the lines so that the portal's checks 2193,
//! 2182, 2189 and 2172 hold, and the buyer from a GSTIN lookup
//! ([`to_buyer`], as gst_irn's helper of the same name).
//!
//! ```
//! use chrono::NaiveDate;
//! use gst_irp::build::{InvoiceBuilder, Line};
//! use gst_irp::enums::{DocumentType, SupplyType, Unit};
//! use gst_irp::models::{BuyerDtls, SellerDtls};
//! use gst_irp::validate::Validate;
//! use rust_decimal::Decimal;
//!
//! let dec = |text: &str| text.parse::<Decimal>().unwrap();
//! # let seller = SellerDtls { gstin: "29AAACP7879D1Z0".into(), lgl_nm: "Seller Ltd".into(),
//! #     trd_nm: None, addr1: "1 Road".into(), addr2: None, loc: "Bengaluru".into(),
//! #     pin: 560001, stcd: "29".into(), ph: None, em: None };
//! # let buyer = BuyerDtls { gstin: "27AABCS1429B1ZU".into(), lgl_nm: "Buyer Ltd".into(),
//! #     trd_nm: None, pos: "27".into(), addr1: "2 Street".into(), addr2: None,
//! #     loc: "Mumbai".into(), pin: Some(400001), stcd: "27".into(), ph: None, em: None };
//! let invoice = InvoiceBuilder::new(
//!     SupplyType::B2b,
//!     DocumentType::Invoice,
//!     "INV/2025/001",
//!     NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
//!     seller,
//!     buyer,
//! )
//! .line(Line::goods("Steel rods", "72142090", dec("10"), Unit::Numbers, dec("250.00"), dec("18")))
//! .line(Line::service("Installation", "998719", dec("1000.00"), dec("18")).discount(dec("100")))
//! .build();
//! // Inter-state (Karnataka to Maharashtra): IGST on each line.
//! assert_eq!(invoice.val_dtls.igst_val, Some(dec("612.00")));
//! assert_eq!(invoice.val_dtls.tot_inv_val, dec("4012.00"));
//! assert!(invoice.validate().is_ok());
//! ```

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::enums::{DocumentType, SupplyType, Unit, YesNo};
use crate::models::{
    BuyerDtls, DocDtls, GstinDetails, Invoice, Item, SellerDtls, TranDtls, ValDtls,
};

/// The buyer of an invoice from the IRP's record of its GSTIN (a
/// GetGstinDetails reply) and the place of supply (a state code, `"96"`
/// for exports). Like gst_irn's `to_buyer`: `Addr1` joins the non-empty
/// building name, building number, floor and street with `", "`; `Stcd` is
/// the registered state.
pub fn to_buyer(details: &GstinDetails, place_of_supply: &str) -> BuyerDtls {
    let addr1 = [
        &details.addr_bnm,
        &details.addr_bno,
        &details.addr_flno,
        &details.addr_st,
    ]
    .into_iter()
    .flatten()
    .map(|part| part.trim())
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    BuyerDtls {
        gstin: details.gstin.clone(),
        lgl_nm: details.legal_name.clone(),
        trd_nm: details.trade_name.clone(),
        pos: place_of_supply.to_string(),
        addr1,
        addr2: None,
        loc: details.addr_loc.clone().unwrap_or_default(),
        pin: Some(details.addr_pncd),
        stcd: details.state_code.to_string(),
        ph: None,
        em: None,
    }
}

/// One invoice line before its amounts are worked out.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    description: String,
    hsn: String,
    service: bool,
    quantity: Option<Decimal>,
    unit: Option<Unit>,
    unit_price: Decimal,
    discount: Decimal,
    gst_rate: Decimal,
    cess_rate: Decimal,
}

impl Line {
    /// Goods: `quantity` of `unit` at `unit_price`, GST at `gst_rate`
    /// percent.
    pub fn goods(
        description: impl Into<String>,
        hsn: impl Into<String>,
        quantity: Decimal,
        unit: Unit,
        unit_price: Decimal,
        gst_rate: Decimal,
    ) -> Line {
        Line {
            description: description.into(),
            hsn: hsn.into(),
            service: false,
            quantity: Some(quantity),
            unit: Some(unit),
            unit_price,
            discount: Decimal::ZERO,
            gst_rate,
            cess_rate: Decimal::ZERO,
        }
    }

    /// A service for `amount`, GST at `gst_rate` percent (no quantity).
    pub fn service(
        description: impl Into<String>,
        sac: impl Into<String>,
        amount: Decimal,
        gst_rate: Decimal,
    ) -> Line {
        Line {
            description: description.into(),
            hsn: sac.into(),
            service: true,
            quantity: None,
            unit: None,
            unit_price: amount,
            discount: Decimal::ZERO,
            gst_rate,
            cess_rate: Decimal::ZERO,
        }
    }

    /// A discount on the line (before tax).
    pub fn discount(mut self, discount: Decimal) -> Line {
        self.discount = discount;
        self
    }

    /// Cess (ad valorem) at `rate` percent.
    pub fn cess(mut self, rate: Decimal) -> Line {
        self.cess_rate = rate;
        self
    }

    /// The line as the portal wants it, number `sl_no`, taxed as IGST when
    /// `inter_state` and as CGST + SGST (half each) otherwise.
    fn into_item(self, sl_no: usize, inter_state: bool) -> Item {
        let total = money(self.quantity.unwrap_or(Decimal::ONE) * self.unit_price);
        let assessable = total - self.discount;
        let tax = money(assessable * self.gst_rate / Decimal::ONE_HUNDRED);
        let (igst, cgst, sgst) = if inter_state {
            (tax, Decimal::ZERO, Decimal::ZERO)
        } else {
            // Split so that the halves add up to the tax to the paisa.
            let half = money(tax / Decimal::TWO);
            (Decimal::ZERO, half, tax - half)
        };
        let cess = money(assessable * self.cess_rate / Decimal::ONE_HUNDRED);
        Item {
            sl_no: sl_no.to_string(),
            prd_desc: Some(self.description),
            is_servc: if self.service { YesNo::Yes } else { YesNo::No },
            hsn_cd: self.hsn,
            barcde: None,
            qty: self.quantity,
            free_qty: None,
            unit: self.unit,
            unit_price: self.unit_price,
            tot_amt: total,
            discount: Some(self.discount),
            pre_tax_val: None,
            ass_amt: assessable,
            gst_rt: self.gst_rate,
            igst_amt: Some(igst),
            cgst_amt: Some(cgst),
            sgst_amt: Some(sgst),
            ces_rt: Some(self.cess_rate),
            ces_amt: Some(cess),
            ces_non_advl_amt: None,
            state_ces_rt: None,
            state_ces_amt: None,
            state_ces_non_advl_amt: None,
            oth_chrg: None,
            tot_item_val: assessable + igst + cgst + sgst + cess,
            ord_line_ref: None,
            org_cntry: None,
            prd_sl_no: None,
            bch_dtls: None,
            attrib_dtls: None,
        }
    }
}

/// Builds an [`Invoice`] (INV-01 version 1.1) from its parties and lines;
/// see the module docs.
#[derive(Debug, Clone)]
pub struct InvoiceBuilder {
    supply_type: SupplyType,
    doc_type: DocumentType,
    number: String,
    date: NaiveDate,
    seller: SellerDtls,
    buyer: BuyerDtls,
    lines: Vec<Line>,
    reverse_charge: bool,
    round_off: Decimal,
}

impl InvoiceBuilder {
    /// An invoice with no lines yet.
    pub fn new(
        supply_type: SupplyType,
        doc_type: DocumentType,
        number: impl Into<String>,
        date: NaiveDate,
        seller: SellerDtls,
        buyer: BuyerDtls,
    ) -> Self {
        InvoiceBuilder {
            supply_type,
            doc_type,
            number: number.into(),
            date,
            seller,
            buyer,
            lines: Vec::new(),
            reverse_charge: false,
            round_off: Decimal::ZERO,
        }
    }

    /// Add a line (numbered in the order added, from 1).
    pub fn line(mut self, line: Line) -> Self {
        self.lines.push(line);
        self
    }

    /// Tax payable by the buyer under reverse charge (`RegRev` Y).
    pub fn reverse_charge(mut self, on: bool) -> Self {
        self.reverse_charge = on;
        self
    }

    /// Round the invoice total to whole rupees (`RndOffAmt`), as most
    /// invoices print it.
    pub fn round_to_rupees(mut self) -> Self {
        self.round_off = Decimal::ONE;
        self
    }

    /// The invoice. IGST applies when the place of supply is not the
    /// seller's state (and always for SEZ and export supplies), CGST + SGST
    /// otherwise. Not validated here: call `validate()` (the client does).
    pub fn build(self) -> Invoice {
        let inter_state = self.buyer.pos.trim_start_matches('0')
            != self.seller.stcd.trim_start_matches('0')
            || !matches!(self.supply_type, SupplyType::B2b);
        let items: Vec<Item> = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| line.into_item(i + 1, inter_state))
            .collect();
        let sum = |field: fn(&Item) -> Option<Decimal>| -> Decimal {
            items.iter().filter_map(field).sum()
        };
        let assessable = sum(|i| Some(i.ass_amt));
        let items_total = sum(|i| Some(i.tot_item_val));
        let round_off = if self.round_off.is_zero() {
            Decimal::ZERO
        } else {
            items_total.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                - items_total
        };
        Invoice {
            version: "1.1".into(),
            irn: None,
            tran_dtls: TranDtls {
                tax_sch: "GST".into(),
                sup_typ: self.supply_type,
                reg_rev: Some(if self.reverse_charge {
                    YesNo::Yes
                } else {
                    YesNo::No
                }),
                ecm_gstin: None,
                igst_on_intra: None,
            },
            doc_dtls: DocDtls {
                typ: self.doc_type,
                no: self.number,
                dt: self.date,
            },
            seller_dtls: self.seller,
            buyer_dtls: self.buyer,
            disp_dtls: None,
            ship_dtls: None,
            val_dtls: ValDtls {
                ass_val: assessable,
                cgst_val: Some(sum(|i| i.cgst_amt)),
                sgst_val: Some(sum(|i| i.sgst_amt)),
                igst_val: Some(sum(|i| i.igst_amt)),
                ces_val: Some(sum(|i| i.ces_amt)),
                st_ces_val: None,
                discount: Some(Decimal::ZERO),
                oth_chrg: Some(Decimal::ZERO),
                rnd_off_amt: Some(round_off),
                tot_inv_val: items_total + round_off,
                tot_inv_val_fc: None,
            },
            item_list: items,
            pay_dtls: None,
            ref_dtls: None,
            addl_doc_dtls: None,
            exp_dtls: None,
            ewb_dtls: None,
        }
    }
}

/// Rupees and paise: two places, half away from zero.
fn money(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::{BlockStatus, GstinStatus};
    use crate::validate::Validate;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn seller() -> SellerDtls {
        SellerDtls {
            gstin: "29AAACP7879D1Z0".into(),
            lgl_nm: "Seller Ltd".into(),
            trd_nm: None,
            addr1: "1 Road".into(),
            addr2: None,
            loc: "Bengaluru".into(),
            pin: 560001,
            stcd: "29".into(),
            ph: None,
            em: None,
        }
    }

    fn details() -> GstinDetails {
        GstinDetails {
            gstin: "29AABCT1332L1ZD".into(),
            trade_name: Some("Local Traders".into()),
            legal_name: "Local Traders Private Limited".into(),
            addr_bnm: Some("Sunrise Towers".into()),
            addr_bno: Some("12".into()),
            addr_flno: None,
            addr_st: Some(" MG Road ".into()),
            addr_loc: Some("Bengaluru".into()),
            state_code: 29,
            addr_pncd: 560025,
            txp_type: "REG".into(),
            status: GstinStatus::Active,
            blk_status: Some(BlockStatus::Unblocked),
            dt_reg: None,
            dt_d_reg: None,
        }
    }

    #[test]
    fn to_buyer_joins_the_address_like_gst_irn() {
        let buyer = to_buyer(&details(), "29");
        assert_eq!(buyer.addr1, "Sunrise Towers, 12, MG Road");
        assert_eq!((buyer.pos.as_str(), buyer.stcd.as_str()), ("29", "29"));
        assert_eq!((buyer.loc.as_str(), buyer.pin), ("Bengaluru", Some(560025)));
        assert_eq!(buyer.lgl_nm, "Local Traders Private Limited");
    }

    #[test]
    fn an_intra_state_invoice_splits_the_tax_to_the_paisa_and_validates() {
        // 3 x 33.33 = 99.99; 5% = 5.00 (4.9995 rounded); halves 2.50 + 2.50.
        // 1 x 10.01 at 5% = 0.50 (0.5005): CGST 0.25 + SGST 0.25.
        let invoice = InvoiceBuilder::new(
            SupplyType::B2b,
            DocumentType::Invoice,
            "A-1",
            NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
            seller(),
            to_buyer(&details(), "29"),
        )
        .line(Line::goods(
            "Pens",
            "96081019",
            dec("3"),
            Unit::Numbers,
            dec("33.33"),
            dec("5"),
        ))
        .line(
            Line::goods(
                "Ink",
                "32159090",
                dec("1"),
                Unit::Numbers,
                dec("10.01"),
                dec("5"),
            )
            .cess(dec("1")),
        )
        .round_to_rupees()
        .build();
        let first = &invoice.item_list[0];
        assert_eq!((first.tot_amt, first.ass_amt), (dec("99.99"), dec("99.99")));
        assert_eq!(
            (first.cgst_amt, first.sgst_amt),
            (Some(dec("2.50")), Some(dec("2.50")))
        );
        assert_eq!(first.igst_amt, Some(Decimal::ZERO));
        let second = &invoice.item_list[1];
        assert_eq!(
            (second.cgst_amt, second.sgst_amt, second.ces_amt),
            (Some(dec("0.25")), Some(dec("0.25")), Some(dec("0.10")))
        );
        assert_eq!(second.sl_no, "2");
        // 99.99 + 5.00 + 10.01 + 0.50 + 0.10 = 115.60, rounded to 116.
        assert_eq!(invoice.val_dtls.rnd_off_amt, Some(dec("0.40")));
        assert_eq!(invoice.val_dtls.tot_inv_val, dec("116.00"));
        assert_eq!(invoice.validate().map_err(|v| v.to_string()), Ok(()));
    }

    #[test]
    fn a_place_of_supply_in_another_state_pays_igst() {
        // A Karnataka buyer, goods delivered in Maharashtra (Pos 27).
        let buyer = to_buyer(&details(), "27");
        let invoice = InvoiceBuilder::new(
            SupplyType::B2b,
            DocumentType::Invoice,
            "A-2",
            NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
            seller(),
            buyer,
        )
        .line(Line::service("Consulting", "998311", dec("1000"), dec("18")).discount(dec("100")))
        .build();
        let item = &invoice.item_list[0];
        assert_eq!(
            (item.ass_amt, item.igst_amt),
            (dec("900"), Some(dec("162.00")))
        );
        assert_eq!((item.qty, item.unit.as_ref()), (None, None));
        assert_eq!(invoice.val_dtls.tot_inv_val, dec("1062.00"));
        assert_eq!(invoice.validate().map_err(|v| v.to_string()), Ok(()));
    }
}
