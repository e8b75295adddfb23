//! A deterministic ListInvoices reply of any size, in the documented row
//! shape with its quirks, for the decode benchmark and its smoke test.

const FIELDS: &[&str] = &[
    "SUBUSER_ID_SELLER",
    "UNID_SELLER",
    "SELLER_ACTION_TXT",
    "BUYER",
    "BUYER_VIEW_DATE",
    "ID",
    "INV_SERIE",
    "INV_NUMBER",
    "SEQNUM_SELLER",
    "SEQNUM_BUYER",
    "INV_CATEGORY_NAME",
    "INV_TYPE_NAME",
    "AMOUNT_FULL",
    "AMOUNT_EXCISE",
    "AMOUNT_VAT",
    "DOCMOSNOM_SELLER",
    "DOCMOSNOM_BUYER",
    "TRANS_START_ADDRESS",
    "TRANS_END_ADDRESS",
    "TRANS_START_ADDRESS_NO",
    "TRANS_END_ADDRESS_NO",
    "TRANS_NAME",
    "TRANS_COMPANY",
    "TRANS_DRIVER",
    "TRANS_CAR_MODEL",
    "TRANS_CAR_NO",
    "TRANS_TRAILER_NO",
    "TRANS_COST",
    "TRANS_COST_PAYER",
    "INV_COMMENT",
    "DELETE_DATE",
    "CREATE_DATE",
    "OPERATION_DATE",
    "ACTIVATE_DATE",
    "TRANS_START_DATE",
    "CONFIRM_DATE",
    "REFUSE_DATE",
    "DELIVERY_DATE",
    "REQUEST_CANCEL_DATE",
    "AGREE_CANCEL_DATE",
    "CORRECT_DATE",
    "CHANGE_DATE",
    "ACTION",
    "SELLER_ACTION",
    "BUYER_ACTION",
    "PARENT_INV_NUMBER",
    "CORRECT_REASON_ID",
    "TEMPLATE_NAME",
    "PREV_CORRECTION_ID",
    "NEXT_CORRECTION_ID",
];

/// The reply body: deterministic, varied per row. Ids and amounts are
/// floats (`28361.0`), INV_NUMBER a string, TRANS_COST_PAYER Georgian display
/// text, TRANS_COMPANY the `"()"` placeholder, empty dates null.
pub fn reply(rows: usize) -> Vec<u8> {
    let mut out = String::with_capacity(rows * 900);
    out.push_str(r#"{"DATA":{"Data":{"Fields":["#);
    for (i, f) in FIELDS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(f);
        out.push('"');
    }
    out.push_str(r#"],"Rows":["#);
    let payers = ["\"მყიდველი\"", "\"გამყიდველი\"", "null", "1.0"];
    let statuses = [
        "\"აქტიური\"",
        "\"დადასტურებული\"",
        "\"შენახული\"",
        "\"გაუქმებული\"",
    ];
    for r in 0..rows {
        if r > 0 {
            out.push(',');
        }
        let id = 28_000 + r;
        let day = 1 + r % 28;
        let month = 1 + r % 12;
        let cents = (r * 37) % 100;
        let amount = 100 + r % 9_000;
        let vat = amount * 18 / 118;
        out.push_str(&format!(
            concat!(
                "[0.0,731937.0,{status},\"სატესტოk სატესტოk(12345678910)\",null,{id}.0,null,\"{number}\",0.0,0.0,",
                "\"მიწოდება/მომსახურება\",\"ტრანსპორტირებით\",{amount}.{cents:02},0.0,{vat}.{cents:02},null,null,",
                "\"ჭავჭავაძის გამზირი 45\",\"თბილისი, რუსთაველის 12\",null,null,\"საავტომობილო\",\"()\",",
                "\"ს.ს(12345678910)\",\"IVECO ML 75 E 15P\",\"BB854FF\",\"gsfdsgdf\",null,{payer},\"კომენტარი {id}\",",
                "null,\"{day:02}-{month:02}-2019 13:40:07\",\"{day:02}-{month:02}-2019 00:00:00\",\"{day:02}-{month:02}-2019 13:40:07\",",
                "\"{day:02}-{month:02}-2019 12:04:26\",null,null,null,null,null,null,\"{day:02}-{month:02}-2019 13:40:07\",",
                "3.0,1.0,0.0,null,0.0,null,{prev}.0,0.0]"
            ),
            status = statuses[r % statuses.len()],
            id = id,
            number = 74_000 + r,
            amount = amount,
            vat = vat,
            cents = cents,
            payer = payers[r % payers.len()],
            day = day,
            month = month,
            prev = id.saturating_sub(1),
        ));
    }
    out.push_str(&format!(
        r#"]}},"Summary":{{"_Count":{rows}.0}}}},"STATUS":{{"ID":0,"TEXT":"ოპერაცია წარმატებით დასრულდა"}}}}"#
    ));
    out.into_bytes()
}
