//! Seeded data: users, the organisation registry, units and actions.

use chrono::NaiveDate;
use rsge_eapi::enums::{BuyerAction, SellerAction};

/// A user account of the sandbox.
#[derive(Debug, Clone)]
pub struct UserSeed {
    /// Login name (matched trimmed and case-insensitively; the TIN is accepted too).
    pub username: String,
    /// Password.
    pub password: String,
    /// TIN of the user's organisation.
    pub tin: String,
    /// Whether login needs a PIN (two-step authentication).
    pub two_step: bool,
    /// Masked mobile number shown in the Authenticate reply.
    pub masked_mobile: String,
    /// A documented test account: using a TIN other than the test TINs as an
    /// invoice counterparty gives -3.
    pub test_account: bool,
}

impl UserSeed {
    /// A one-step, non-test account.
    pub fn new(username: &str, password: &str, tin: &str) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            tin: tin.into(),
            two_step: false,
            masked_mobile: "*** *** *00".into(),
            test_account: false,
        }
    }
}

/// An organisation (or person) of the registry behind /Org and the invoice names.
#[derive(Debug, Clone)]
pub struct OrgSeed {
    /// 9-digit identification number or 11-digit personal number.
    pub tin: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Day from which it is a VAT payer (`None`: not a VAT payer).
    pub vat_payer_since: Option<NaiveDate>,
    /// Diplomatic status.
    pub diplomat: bool,
    /// Internal RS.ge id (UnID, UNID_SELLER / UNID_BUYER).
    pub un_id: i64,
}

fn org(tin: &str, name: &str, address: &str, vat: Option<(i32, u32, u32)>, un_id: i64) -> OrgSeed {
    OrgSeed {
        tin: tin.into(),
        name: name.into(),
        address: address.into(),
        vat_payer_since: vat.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        diplomat: false,
        un_id,
    }
}

/// The two TINs test accounts may use (document, error -3).
pub const TEST_TINS: [&str; 2] = ["206322102", "12345678910"];

/// The documented test accounts plus one non-test account (`sandbox1`) for
/// the fictional VAT payer 204000001, which can invoice any TIN.
pub fn default_users() -> Vec<UserSeed> {
    vec![
        UserSeed {
            username: "tbilisi".into(),
            password: "123456".into(),
            tin: "206322102".into(),
            two_step: false,
            masked_mobile: "*** *** *16".into(),
            test_account: true,
        },
        UserSeed {
            username: "satesto2".into(),
            password: "123456".into(),
            tin: "12345678910".into(),
            two_step: true,
            masked_mobile: "*** *** *28".into(),
            test_account: true,
        },
        UserSeed::new("sandbox1", "123456", "204000001"),
    ]
}

/// The registry: the two test TINs (names, address and un_ids from the
/// document's examples) and fictional organisations: 9- and 11-digit, VAT
/// payers and not, a diplomat.
pub fn default_orgs() -> Vec<OrgSeed> {
    let mut diplomat = org(
        "01008000003",
        "დ. დიპლომატი",
        "თბილისი, ჭავჭავაძის გამზირი 1",
        None,
        900_005,
    );
    diplomat.diplomat = true;
    vec![
        org(
            "206322102",
            "სატესტო კოდი1",
            "ოზურგეთის რაიონი / შაუმიანის ",
            Some((2010, 1, 1)),
            731_937,
        ),
        org(
            "12345678910",
            "სატესტოk სატესტოk",
            "თბილისი",
            Some((2015, 1, 1)),
            1_149_251,
        ),
        org(
            "204000001",
            "შპს სენდბოქს ვაჭრობა",
            "თბილისი, რუსთაველის გამზირი 10",
            Some((2018, 7, 1)),
            900_001,
        ),
        org(
            "204000002",
            "შპს სენდბოქს მომსახურება",
            "ბათუმი, გორგილაძის ქუჩა 5",
            None,
            900_002,
        ),
        org(
            "01008000001",
            "ი.მ. გ. ბერიძე",
            "ქუთაისი, წერეთლის ქუჩა 3",
            Some((2020, 3, 1)),
            900_003,
        ),
        org(
            "01008000002",
            "ნ. ნაცვლიშვილი",
            "რუსთავი, მეგობრობის გამზირი 7",
            None,
            900_004,
        ),
        diplomat,
    ]
}

/// Units of measure: the first three are the document's example (its second
/// label is garbled; "კგ" is assumed), the rest are the sandbox's.
pub const UNITS: &[(i32, &str)] = &[
    (1, "ცალი"),
    (2, "კგ"),
    (3, "გრამი"),
    (4, "ლიტრი"),
    (5, "ტონა"),
    (6, "მეტრი"),
    (7, "კვ.მ"),
    (8, "კუბ.მ"),
    (99, "სხვა"),
];

/// Unit id meaning "other": the line's UNIT_TXT names it.
pub const UNIT_OTHER: i32 = 99;

/// Final statuses (GetActions, the ACTION column and filter). The first three
/// are the document's example; the others are the sandbox's numbering.
pub const ACTIONS: &[(i32, &str, SellerAction, BuyerAction)] = &[
    (1, "წაშლილი", SellerAction::Deleted, BuyerAction::Pending),
    (2, "შენახული", SellerAction::Saved, BuyerAction::Pending),
    (3, "აქტიური", SellerAction::Sent, BuyerAction::Pending),
    (
        4,
        "დადასტურებული",
        SellerAction::Sent,
        BuyerAction::Confirmed,
    ),
    (5, "უარყოფილი", SellerAction::Sent, BuyerAction::Refused),
    (
        6,
        "გაუქმებული",
        SellerAction::Cancelled,
        BuyerAction::Confirmed,
    ),
];

/// The action (id, name) of a seller/buyer state; any deleted document is "deleted".
pub fn action_of(seller: SellerAction, buyer: BuyerAction) -> (i32, &'static str) {
    if seller == SellerAction::Deleted {
        return (1, "წაშლილი");
    }
    ACTIONS
        .iter()
        .find(|(_, _, s, b)| *s == seller && *b == buyer)
        .map(|(id, name, _, _)| (*id, *name))
        .unwrap_or((0, ""))
}
