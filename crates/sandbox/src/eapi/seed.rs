//! Seeded data: users (and sub-users with their rights), the organisation
//! registry, units, actions, the excise catalogue and the barcode catalogues.

use chrono::NaiveDate;
use rsge_eapi::enums::{BuyerAction, SellerAction, VatType};
use rust_decimal::Decimal;

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
    /// `None`: the organisation's main user, with every right. `Some`: a
    /// sub-user of the organisation, limited to its rights (else -105).
    pub sub_user: Option<SubUser>,
}

impl UserSeed {
    /// A one-step, non-test main user.
    pub fn new(username: &str, password: &str, tin: &str) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            tin: tin.into(),
            two_step: false,
            masked_mobile: "*** *** *00".into(),
            test_account: false,
            sub_user: None,
        }
    }

    /// Whether the user may call a method that needs `permission`: main
    /// users always; sub-users with the tax-document module and that right.
    pub fn may(&self, permission: Permission) -> bool {
        self.sub_user
            .as_ref()
            .is_none_or(|s| s.invoice_module && s.permissions.contains(&permission))
    }

    /// SUBUSER_ID_SELLER of what this user creates: 0 for a main user.
    pub fn sub_user_id(&self) -> i64 {
        self.sub_user.as_ref().map_or(0, |s| s.id)
    }
}

/// A sub-user account: what the organisation's "user management" module
/// lets it do in the tax-document module (document, note under
/// Authenticate and the permissions under each /Invoice method).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubUser {
    /// Sub-user id (the SUBUSER_ID_SELLER column of documents it created).
    pub id: i64,
    /// Whether the tax-document (Invoice) module is enabled for it; without
    /// it every /Invoice method answers -105.
    pub invoice_module: bool,
    /// The rights it has in the module.
    pub permissions: Vec<Permission>,
}

/// A right of the tax-document module; each /Invoice method names the one
/// it needs (`[ნებართვა: ...]` in the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// წაკითხვა: GetActions, GetInvoice, ListInvoices, ListGoods,
    /// ListExcise, ListBarCodes, GetBarCode and (as documented) ClearBarCodes.
    Read,
    /// შექმნა/რედაქტირება: SaveInvoice, GetSeqNum, CreateDecl (and the save
    /// part of ActivateInvoice with ID 0).
    CreateEdit,
    /// გააქტიურება: ActivateInvoice, ActivateInvoices.
    Activate,
    /// წაშლა: DeleteInvoice.
    Delete,
    /// გაუქმება: CancelInvoice.
    Cancel,
    /// დადასტურება: ConfirmInvoice(s), RefuseInvoice(s).
    Confirm,
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

/// The documented test accounts, one non-test account (`sandbox1`) for the
/// fictional VAT payer 204000001, which can invoice any TIN, and two
/// sub-users (the sandbox's, not the document's): `tbilisi.operator` of
/// 206322102 may read and save but not activate, delete, cancel or confirm;
/// `sandbox1.guest` of 204000001 has no tax-document module at all.
pub fn default_users() -> Vec<UserSeed> {
    let tbilisi = UserSeed {
        username: "tbilisi".into(),
        password: "123456".into(),
        tin: "206322102".into(),
        two_step: false,
        masked_mobile: "*** *** *16".into(),
        test_account: true,
        sub_user: None,
    };
    let operator = UserSeed {
        username: "tbilisi.operator".into(),
        sub_user: Some(SubUser {
            id: 101,
            invoice_module: true,
            permissions: vec![Permission::Read, Permission::CreateEdit],
        }),
        ..tbilisi.clone()
    };
    let guest = UserSeed {
        sub_user: Some(SubUser {
            id: 201,
            invoice_module: false,
            permissions: Vec::new(),
        }),
        ..UserSeed::new("sandbox1.guest", "123456", "204000001")
    };
    vec![
        tbilisi,
        UserSeed {
            username: "satesto2".into(),
            password: "123456".into(),
            tin: "12345678910".into(),
            two_step: true,
            masked_mobile: "*** *** *28".into(),
            test_account: true,
            sub_user: None,
        },
        UserSeed::new("sandbox1", "123456", "204000001"),
        operator,
        guest,
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
    (7, CORRECTED, SellerAction::Corrected, BuyerAction::Pending),
];

/// Name of the corrected status (SELLER_ACTION 3), as in the document's
/// ListInvoices example.
pub const CORRECTED: &str = "კორექტირებული";

/// The action (id, name) of a seller/buyer state; any deleted document is
/// "deleted" and any corrected one "corrected", whatever the buyer did.
pub fn action_of(seller: SellerAction, buyer: BuyerAction) -> (i32, &'static str) {
    if seller == SellerAction::Deleted {
        return (1, "წაშლილი");
    }
    if seller == SellerAction::Corrected {
        return (7, CORRECTED);
    }
    ACTIONS
        .iter()
        .find(|(_, _, s, b)| *s == seller && *b == buyer)
        .map(|(id, name, _, _)| (*id, *name))
        .unwrap_or((0, ""))
}

/// A row of the excise catalogue (/Invoice/ListExcise; EXCISE_ID of goods lines).
#[derive(Debug, Clone, PartialEq)]
pub struct ExciseSeed {
    /// ID (the EXCISE_ID a goods line refers to).
    pub id: i64,
    /// PRODUCT_NAME, in the service's style "name (code) _ unit _ (rate)".
    pub product_name: String,
    /// UNIT_ID.
    pub unit_id: i32,
    /// UNIT_TEXT.
    pub unit_text: String,
    /// EXCISE_CODE (the goods code).
    pub excise_code: i64,
    /// EXCISE_RATE, GEL per unit.
    pub rate: Decimal,
    /// EFFECT_DATE: the first day the rate applies.
    pub effect_date: NaiveDate,
    /// END_DATE: the last day it applies (`None`: still in force).
    pub end_date: Option<NaiveDate>,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn excise(
    id: i64,
    name: &str,
    unit: (i32, &str),
    code: i64,
    rate: Decimal,
    effect: NaiveDate,
    end: Option<NaiveDate>,
) -> ExciseSeed {
    ExciseSeed {
        id,
        product_name: format!("{name} ({code}) _ {} _ ({rate})", unit.1),
        unit_id: unit.0,
        unit_text: unit.1.into(),
        excise_code: code,
        rate,
        effect_date: effect,
        end_date: end,
    }
}

/// A small excise catalogue: the document's two (expired) rows, ids 224 and
/// 226 with unit 99 "ლიტრი" as printed, and rows in force of the sandbox's
/// own (codes of the Georgian tariff, illustrative rates).
pub fn default_excise() -> Vec<ExciseSeed> {
    let litre = (99, "ლიტრი");
    let old = (day(2010, 8, 1), Some(day(2015, 2, 28)));
    let new = day(2015, 3, 1);
    vec![
        excise(
            224,
            "ეთილის სპირტი",
            litre,
            2207,
            Decimal::new(26, 1),
            old.0,
            old.1,
        ),
        excise(
            226,
            "ვისკი",
            litre,
            220_830,
            Decimal::new(5, 0),
            old.0,
            old.1,
        ),
        excise(
            301,
            "ეთილის სპირტი",
            litre,
            2207,
            Decimal::new(3, 0),
            new,
            None,
        ),
        excise(302, "ვისკი", litre, 220_830, Decimal::new(6, 0), new, None),
        excise(
            303,
            "ლუდი",
            litre,
            2203,
            Decimal::new(6, 1),
            day(2017, 1, 1),
            None,
        ),
        excise(
            310,
            "სიგარეტი ფილტრით",
            (99, "1000 ცალი"),
            240_220,
            Decimal::new(70, 0),
            day(2019, 7, 1),
            None,
        ),
        excise(
            320,
            "ბენზინი",
            (5, "ტონა"),
            271_012,
            Decimal::new(500, 0),
            day(2017, 1, 1),
            None,
        ),
        excise(
            321,
            "დიზელის საწვავი",
            (5, "ტონა"),
            271_019,
            Decimal::new(400, 0),
            day(2017, 1, 1),
            None,
        ),
    ]
}

/// A barcode of an organisation's catalogue, as seeded.
#[derive(Debug, Clone, PartialEq)]
pub struct BarCodeSeed {
    /// The owning organisation.
    pub tin: String,
    /// BARCODE.
    pub barcode: String,
    /// GOODS_NAME.
    pub goods_name: String,
    /// UNIT_ID.
    pub unit_id: i32,
    /// UNIT_TXT.
    pub unit_txt: String,
    /// VAT_TYPE.
    pub vat_type: VatType,
    /// UNIT_PRICE.
    pub unit_price: Decimal,
}

fn barcode(tin: &str, code: &str, name: &str, unit: (i32, &str), price: Decimal) -> BarCodeSeed {
    BarCodeSeed {
        tin: tin.into(),
        barcode: code.into(),
        goods_name: name.into(),
        unit_id: unit.0,
        unit_txt: unit.1.into(),
        vat_type: VatType::Standard,
        unit_price: price,
    }
}

/// Barcode catalogues: 206322102 has the document's ListBarCodes rows (in
/// its order, with the trailing space of "მიკროტალღური ") and its GetBarCode
/// example "55" (whose garbled UNIT_TXT "38" is replaced by unit 2's "კგ");
/// 12345678910 and 204000001 have a few of the sandbox's own.
pub fn default_barcodes() -> Vec<BarCodeSeed> {
    let piece = (1, "ცალი");
    vec![
        barcode("206322102", "0001", "მაცივარი", piece, Decimal::new(900, 0)),
        barcode(
            "206322102",
            "0003",
            "მიკროტალღური ",
            piece,
            Decimal::new(450, 0),
        ),
        barcode(
            "206322102",
            "0002",
            "ტელევიზორი",
            piece,
            Decimal::new(500, 0),
        ),
        barcode("206322102", "55", "xaxvi", (2, "კგ"), Decimal::new(1, 0)),
        barcode(
            "12345678910",
            "4860001000017",
            "პური",
            piece,
            Decimal::new(120, 2),
        ),
        barcode(
            "12345678910",
            "4860001000024",
            "რძე",
            (4, "ლიტრი"),
            Decimal::new(345, 2),
        ),
        barcode(
            "204000001",
            "4860019001001",
            "მინერალური წყალი",
            piece,
            Decimal::new(150, 2),
        ),
    ]
}
