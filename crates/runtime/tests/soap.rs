//! The SOAP codec on the messages of the NtosService fact sheet: scalar and
//! bool + out results, DataTable results, faults, gateway pages, escapes,
//! Georgian text, and request envelopes.
#![cfg(feature = "soap")]

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Deserialize;
use taxsdk_runtime::Error;
use taxsdk_runtime::soap::{
    BodyReader, Column, EnvelopeWriter, SoapError, SoapFault, SoapVersion, TableSchema,
    request_action, soap_action, write_fault, write_request,
};
use taxsdk_runtime::wire::{BoolString, DateFormat, DateTimeAs, EmptyAsNone, LenientNumber};

const NS: &str = "http://tempuri.org/";

/// A reply envelope as .asmx writes it, around `inner`.
fn reply(inner: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>{inner}</soap:Body></soap:Envelope>"#
    )
    .into_bytes()
}

struct Iso;
impl DateFormat for Iso {
    const FORMAT: &'static str = "%Y-%m-%dT%H:%M:%S";
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, s)
        .unwrap()
}

fn decode_err(e: SoapError) -> Box<taxsdk_runtime::soap::DecodeError> {
    match e {
        SoapError::Decode(d) => d,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Scalar and bool + out results
// ---------------------------------------------------------------------------

#[test]
fn scalar_result() {
    #[derive(Deserialize)]
    struct Ip {
        #[serde(rename = "what_is_my_ipResult")]
        ip: String,
    }
    let body = reply(
        r#"<what_is_my_ipResponse xmlns="http://tempuri.org/"><what_is_my_ipResult>95.104.12.7</what_is_my_ipResult></what_is_my_ipResponse>"#,
    );
    let reader = BodyReader::reply(&body, "what_is_my_ip").unwrap();
    assert_eq!(reader.version(), SoapVersion::Soap11);
    assert_eq!(reader.element(), "what_is_my_ipResponse");
    assert_eq!(reader.namespace(), Some(NS));
    let ip: Ip = reader.decode().unwrap();
    assert_eq!(ip.ip, "95.104.12.7");
}

#[test]
fn scalar_integer_and_text_results() {
    #[serde_with::serde_as]
    #[derive(Deserialize)]
    struct UnId {
        #[serde_as(as = "LenientNumber")]
        #[serde(rename = "get_un_id_from_tinResult")]
        un_id: i64,
        name: String,
    }
    let body = reply(
        r#"<get_un_id_from_tinResponse xmlns="http://tempuri.org/">
  <get_un_id_from_tinResult>731937</get_un_id_from_tinResult>
  <name>შპს თბილისი</name>
</get_un_id_from_tinResponse>"#,
    );
    let r: UnId = BodyReader::reply(&body, "get_un_id_from_tin")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(r.un_id, 731_937);
    assert_eq!(r.name, "შპს თბილისი");
}

#[test]
fn bool_result_with_out_values() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Chek {
        #[serde(rename = "chekResult")]
        ok: bool,
        user_id: i32,
        sua: i32,
    }
    let body = reply(
        r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult><user_id>783</user_id><sua>9</sua></chekResponse>"#,
    );
    let r: Chek = BodyReader::reply(&body, "chek").unwrap().decode().unwrap();
    assert_eq!(
        r,
        Chek {
            ok: true,
            user_id: 783,
            sua: 9
        }
    );
}

/// The fact sheet's `get_invoice` reply, through the shared wire codecs.
#[test]
fn get_invoice_reply_through_wire_codecs() {
    #[serde_with::serde_as]
    #[derive(Deserialize, Debug)]
    struct GetInvoice {
        #[serde_as(as = "BoolString")]
        #[serde(rename = "get_invoiceResult")]
        ok: bool,
        #[serde_as(as = "EmptyAsNone")]
        #[serde(default)]
        f_series: Option<String>,
        f_number: String,
        #[serde_as(as = "DateTimeAs<Iso>")]
        operation_dt: NaiveDateTime,
        #[serde_as(as = "DateTimeAs<Iso>")]
        reg_dt: NaiveDateTime,
        #[serde_as(as = "LenientNumber")]
        seller_un_id: i64,
        #[serde_as(as = "LenientNumber")]
        buyer_un_id: i64,
        #[serde_as(as = "EmptyAsNone")]
        #[serde(default)]
        overhead_no: Option<String>,
        #[serde_as(as = "DateTimeAs<Iso>")]
        overhead_dt: NaiveDateTime,
        #[serde_as(as = "LenientNumber")]
        status: i32,
        #[serde_as(as = "EmptyAsNone")]
        #[serde(default)]
        seq_num_s: Option<String>,
        #[serde_as(as = "LenientNumber")]
        k_id: i64,
        #[serde_as(as = "LenientNumber")]
        k_type: i32,
        #[serde_as(as = "EmptyAsNone<LenientNumber>")]
        #[serde(default)]
        dec_status: Option<i32>,
    }
    let body = reply(
        r#"<get_invoiceResponse xmlns="http://tempuri.org/"><get_invoiceResult>true</get_invoiceResult><f_series>AA</f_series><f_number>12345</f_number><operation_dt>2026-01-15T00:00:00</operation_dt><reg_dt>2026-01-15T10:30:00</reg_dt><seller_un_id>731937</seller_un_id><buyer_un_id>1149251</buyer_un_id><overhead_no/><overhead_dt>0001-01-01T00:00:00</overhead_dt><status>2</status><seq_num_s/><seq_num_b/><k_id>-1</k_id><r_un_id>0</r_un_id><k_type>-1</k_type><b_s_user_id>0</b_s_user_id><dec_status>0</dec_status></get_invoiceResponse>"#,
    );
    let r: GetInvoice = BodyReader::reply(&body, "get_invoice")
        .unwrap()
        .decode()
        .unwrap();
    assert!(r.ok);
    assert_eq!(r.f_series.as_deref(), Some("AA"));
    assert_eq!(r.f_number, "12345");
    assert_eq!(r.operation_dt, at(2026, 1, 15, 0, 0, 0));
    assert_eq!(r.reg_dt, at(2026, 1, 15, 10, 30, 0));
    assert_eq!((r.seller_un_id, r.buyer_un_id), (731_937, 1_149_251));
    assert_eq!(r.overhead_no, None);
    assert_eq!(r.overhead_dt, at(1, 1, 1, 0, 0, 0));
    assert_eq!(r.status, 2);
    assert_eq!(r.seq_num_s, None);
    assert_eq!((r.k_id, r.k_type), (-1, -1));
    assert_eq!(r.dec_status, Some(0));
}

#[test]
fn out_values_in_any_order_absent_and_nil() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Request {
        #[serde(rename = "get_invoice_requestResult")]
        ok: bool,
        #[serde(default)]
        bayer_un_id: Option<i32>,
        #[serde(default)]
        notes: Option<String>,
        #[serde(default)]
        overhead_no: Option<String>,
    }
    let body = reply(
        r#"<get_invoice_requestResponse xmlns="http://tempuri.org/"><notes xsi:nil="true"/><get_invoice_requestResult>false</get_invoice_requestResult><overhead_no></overhead_no></get_invoice_requestResponse>"#,
    );
    let r: Request = BodyReader::reply(&body, "get_invoice_request")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(
        r,
        Request {
            ok: false,
            bayer_un_id: None,
            notes: None,
            overhead_no: Some(String::new()),
        }
    );
}

#[test]
fn complex_result_is_a_nested_map() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Status {
        #[serde(rename = "Status")]
        status: String,
        #[serde(rename = "Message", default)]
        message: Option<String>,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct Attach {
        #[serde(rename = "attach_advance_invoiceResult")]
        result: Status,
    }
    let body = reply(
        r#"<attach_advance_invoiceResponse xmlns="http://tempuri.org/"><attach_advance_invoiceResult>
    <Status>200</Status>
    <Message>OK &amp; attached</Message>
  </attach_advance_invoiceResult></attach_advance_invoiceResponse>"#,
    );
    let r: Attach = BodyReader::reply(&body, "attach_advance_invoice")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(r.result.status, "200");
    assert_eq!(r.result.message.as_deref(), Some("OK & attached"));
}

#[test]
fn any_type_result_with_xsi_type_is_text() {
    #[derive(Deserialize)]
    struct DeclDate {
        #[serde(rename = "get_decl_dateResult")]
        date: String,
    }
    let body = reply(
        r#"<get_decl_dateResponse xmlns="http://tempuri.org/"><get_decl_dateResult xsi:type="xsd:dateTime">2024-05-15T00:00:00</get_decl_dateResult></get_decl_dateResponse>"#,
    );
    let r: DeclDate = BodyReader::reply(&body, "get_decl_date")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(r.date, "2024-05-15T00:00:00");
}

#[test]
fn empty_response_element() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Nothing {
        #[serde(rename = "change_barter_statusResult", default)]
        result: Option<String>,
    }
    let body = reply(r#"<change_barter_statusResponse xmlns="http://tempuri.org/" />"#);
    let r: Nothing = BodyReader::reply(&body, "change_barter_status")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(r, Nothing { result: None });
}

#[test]
fn unreadable_out_value_names_element_and_value() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Chek {
        #[serde(rename = "chekResult")]
        ok: bool,
        user_id: i32,
    }
    let body = reply(
        r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult><user_id>78x</user_id></chekResponse>"#,
    );
    let e = decode_err(
        BodyReader::reply(&body, "chek")
            .unwrap()
            .decode::<Chek>()
            .unwrap_err(),
    );
    assert_eq!(e.path, "chekResponse.user_id");
    assert_eq!(e.column.as_deref(), Some("user_id"));
    assert_eq!(e.value.as_deref(), Some("78x"));
    assert!(e.message.contains("`78x`"), "{}", e.message);
    let e = decode_err(
        BodyReader::reply(
            &reply(
                r#"<chekResponse xmlns="http://tempuri.org/"><user_id>1</user_id></chekResponse>"#,
            ),
            "chek",
        )
        .unwrap()
        .decode::<Chek>()
        .unwrap_err(),
    );
    assert!(e.message.contains("missing element `chekResult`"), "{e:?}");
}

#[test]
fn wrong_response_element_is_named() {
    let body = reply(
        r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult></chekResponse>"#,
    );
    let e = decode_err(BodyReader::reply(&body, "get_invoice").unwrap_err());
    assert!(
        e.message
            .contains("expected `<get_invoiceResponse>` in soap:Body, found `<chekResponse>`"),
        "{}",
        e.message
    );
}

// ---------------------------------------------------------------------------
// DataTable results
// ---------------------------------------------------------------------------

/// The row of `get_invoice_desc` (`invoices_descs`).
#[serde_with::serde_as]
#[derive(Deserialize, Debug, PartialEq)]
struct Line {
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "ID")]
    id: i64,
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "INV_ID")]
    inv_id: i64,
    #[serde(rename = "GOODS")]
    goods: String,
    #[serde(rename = "G_UNIT")]
    g_unit: String,
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "G_NUMBER")]
    g_number: Decimal,
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "FULL_AMOUNT")]
    full_amount: Decimal,
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "DRG_AMOUNT")]
    drg_amount: Decimal,
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(rename = "AQCIZI_AMOUNT", default)]
    aqcizi_amount: Option<Decimal>,
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(rename = "VAT_TYPE", default)]
    vat_type: Option<i32>,
}

const SCHEMA: &str = r#"<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:msprop="urn:schemas-microsoft-com:xml-msprop">
  <xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:MainDataTable="invoices_descs" msdata:UseCurrentLocale="true"><xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded">
   <xs:element name="invoices_descs" msprop:REFCursorName="REFCursor"><xs:complexType><xs:sequence>
    <xs:element name="ID" type="xs:decimal" minOccurs="0"/><xs:element name="INV_ID" type="xs:decimal" minOccurs="0"/><xs:element name="GOODS" type="xs:string" minOccurs="0"/><xs:element name="G_UNIT" type="xs:string" minOccurs="0"/><xs:element name="G_NUMBER" type="xs:decimal" minOccurs="0"/><xs:element name="FULL_AMOUNT" type="xs:decimal" minOccurs="0"/><xs:element name="DRG_AMOUNT" type="xs:decimal" minOccurs="0"/><xs:element name="AQCIZI_AMOUNT" type="xs:decimal" minOccurs="0"/><xs:element name="AKCIS_ID" type="xs:decimal" minOccurs="0"/><xs:element name="VAT_TYPE" type="xs:decimal" minOccurs="0"/><xs:element name="SDRG_AMOUNT" type="xs:decimal" minOccurs="0"/>
   </xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType></xs:element></xs:schema>"#;

fn desc_reply(rows: &str) -> Vec<u8> {
    reply(&format!(
        r#"<get_invoice_descResponse xmlns="http://tempuri.org/"><get_invoice_descResult>
 {SCHEMA}
 <diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1">
  <DocumentElement xmlns="">{rows}</DocumentElement></diffgr:diffgram>
</get_invoice_descResult></get_invoice_descResponse>"#
    ))
}

const ROWS: &str = r#"<invoices_descs diffgr:id="invoices_descs1" msdata:rowOrder="0">
   <ID>226635210</ID><INV_ID>33483243</INV_ID><GOODS>potato</GOODS><G_UNIT>kg</G_UNIT><G_NUMBER>10</G_NUMBER><FULL_AMOUNT>100</FULL_AMOUNT><DRG_AMOUNT>15.25</DRG_AMOUNT><VAT_TYPE>0</VAT_TYPE>
  </invoices_descs>
  <invoices_descs diffgr:id="invoices_descs2" msdata:rowOrder="1"><ID>226635211</ID><INV_ID>33483243</INV_ID><GOODS>IT კონსულტაცია</GOODS><G_UNIT>საათი</G_UNIT><G_NUMBER>40.5</G_NUMBER><FULL_AMOUNT>4000</FULL_AMOUNT><DRG_AMOUNT>610.17</DRG_AMOUNT><AQCIZI_AMOUNT>0</AQCIZI_AMOUNT></invoices_descs>
  <invoices_descs diffgr:id="invoices_descs3" msdata:rowOrder="2"><VAT_TYPE>2</VAT_TYPE><GOODS>A &amp; B &lt;pack&gt; &#x10D0;&#4304;</GOODS><ID>226635212</ID><INV_ID>33483243</INV_ID><G_UNIT><![CDATA[m<sup>2</sup>]]></G_UNIT><G_NUMBER>1.000</G_NUMBER><FULL_AMOUNT>572.03</FULL_AMOUNT><DRG_AMOUNT>-1</DRG_AMOUNT></invoices_descs>"#;

#[test]
fn data_table_with_several_rows() {
    let body = desc_reply(ROWS);
    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    let table = reader.table::<Line>().unwrap();
    assert_eq!(table.schema.name.as_deref(), Some("invoices_descs"));
    assert_eq!(table.schema.columns.len(), 11);
    assert_eq!(
        table.schema.column("DRG_AMOUNT"),
        Some(&Column {
            name: "DRG_AMOUNT".into(),
            xsd_type: Some("xs:decimal".into())
        })
    );
    assert_eq!(table.len(), 3);
    assert_eq!(
        table.rows[0],
        Line {
            id: 226_635_210,
            inv_id: 33_483_243,
            goods: "potato".into(),
            g_unit: "kg".into(),
            g_number: dec("10"),
            full_amount: dec("100"),
            drg_amount: dec("15.25"),
            aqcizi_amount: None,
            vat_type: Some(0),
        }
    );
    // Georgian text, absent columns.
    assert_eq!(table.rows[1].goods, "IT კონსულტაცია");
    assert_eq!(table.rows[1].g_unit, "საათი");
    assert_eq!(table.rows[1].g_number, dec("40.5"));
    assert_eq!(table.rows[1].aqcizi_amount, Some(Decimal::ZERO));
    assert_eq!(table.rows[1].vat_type, None);
    // Escapes, character references, CDATA, column order.
    assert_eq!(table.rows[2].goods, "A & B <pack> აა");
    assert_eq!(table.rows[2].g_unit, "m<sup>2</sup>");
    assert_eq!(table.rows[2].full_amount.to_string(), "572.03");
    assert_eq!(table.rows[2].drg_amount, dec("-1"));
    assert_eq!(table.rows[2].vat_type, Some(2));
}

#[test]
fn empty_data_tables() {
    // An empty diffgram element (the service's form).
    let empty = reply(&format!(
        r#"<get_invoice_descResponse xmlns="http://tempuri.org/"><get_invoice_descResult>{SCHEMA}<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1" /></get_invoice_descResult></get_invoice_descResponse>"#
    ));
    // A diffgram with an empty rows' parent.
    let no_rows = desc_reply("");
    // A diffgram without the rows' parent.
    let no_parent = reply(&format!(
        r#"<get_invoice_descResponse xmlns="http://tempuri.org/"><get_invoice_descResult>{SCHEMA}<diffgr:diffgram xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"></diffgr:diffgram></get_invoice_descResult></get_invoice_descResponse>"#
    ));
    // No result at all (a null table).
    let null = reply(r#"<get_invoice_descResponse xmlns="http://tempuri.org/" />"#);
    let nil = reply(
        r#"<get_invoice_descResponse xmlns="http://tempuri.org/"><get_invoice_descResult xsi:nil="true"/></get_invoice_descResponse>"#,
    );
    for (what, body) in [
        ("empty diffgram", &empty),
        ("no rows", &no_rows),
        ("no parent", &no_parent),
        ("null", &null),
        ("nil", &nil),
    ] {
        let mut reader = BodyReader::reply(body, "get_invoice_desc").unwrap();
        let table = reader.table::<Line>().unwrap();
        assert!(table.is_empty(), "{what}");
        #[derive(Deserialize)]
        struct Rest {}
        let _: Rest = reader.decode().unwrap();
    }
    let mut reader = BodyReader::reply(&empty, "get_invoice_desc").unwrap();
    let table = reader.table::<Line>().unwrap();
    assert_eq!(table.schema.name.as_deref(), Some("invoices_descs"));
    assert_eq!(table.schema.columns.len(), 11);
}

#[test]
fn unreadable_cell_names_row_column_and_value() {
    let rows = ROWS.replace("<G_NUMBER>40.5</G_NUMBER>", "<G_NUMBER>40,5</G_NUMBER>");
    let body = desc_reply(&rows);
    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    let e = decode_err(reader.table::<Line>().unwrap_err());
    assert_eq!(e.path, "get_invoice_descResult.invoices_descs[1].G_NUMBER");
    assert_eq!(e.row, Some(1));
    assert_eq!(e.column.as_deref(), Some("G_NUMBER"));
    assert_eq!(e.value.as_deref(), Some("40,5"));
    assert!(
        e.message
            .starts_with("value `40,5` (declared xs:decimal): invalid value: string \"40,5\""),
        "{}",
        e.message
    );
    // As the runtime error of a call.
    let err = SoapError::Decode(e).into_error("get_invoice_desc", 200);
    let text = err.to_string();
    assert!(
        text.starts_with(
            "get_invoice_desc: cannot decode the reply at `get_invoice_descResult.invoices_descs[1].G_NUMBER`: value `40,5`"
        ),
        "{text}"
    );
    // A missing required column.
    let rows = ROWS.replace("<GOODS>potato</GOODS>", "");
    let body = desc_reply(&rows);
    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    let e = decode_err(reader.table::<Line>().unwrap_err());
    assert_eq!(e.path, "get_invoice_descResult.invoices_descs[0]");
    assert_eq!(e.row, Some(0));
    assert!(
        e.message.contains("missing element `GOODS`"),
        "{}",
        e.message
    );
    // Reading on after a failure is refused, not garbage.
    assert!(reader.table::<Line>().is_err());
}

#[test]
fn rows_stream_one_at_a_time() {
    let body = desc_reply(ROWS);
    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    let mut ids = Vec::new();
    let schema = reader.for_each_row(|line: Line| ids.push(line.id)).unwrap();
    assert_eq!(ids, [226_635_210, 226_635_211, 226_635_212]);
    assert_eq!(schema.name.as_deref(), Some("invoices_descs"));

    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    let mut rows = reader.rows::<Line>().unwrap();
    assert_eq!(rows.schema().columns.len(), 11);
    let first = rows.next().unwrap().unwrap();
    assert_eq!(first.goods, "potato");
    assert_eq!(rows.count_so_far(), 1);
    assert_eq!(rows.count(), 2);
}

#[test]
fn rows_as_name_value_maps() {
    let body = desc_reply(ROWS);
    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    let table = reader.table::<BTreeMap<String, String>>().unwrap();
    assert_eq!(table.rows[0]["DRG_AMOUNT"], "15.25");
    assert_eq!(table.rows[2]["GOODS"], "A & B <pack> აა");
    assert!(!table.rows[1].contains_key("VAT_TYPE"));
}

/// `get_ser_users`: a table, then an out parameter; rows without a schema,
/// whitespace kept, the reader stopped early.
#[test]
fn table_then_out_parameter() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct User {
        #[serde(rename = "ID")]
        id: i64,
        #[serde(rename = "USER_NAME")]
        user_name: String,
        #[serde(rename = "NOTES", default)]
        notes: Option<String>,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct Outs {
        user_id: i32,
    }
    let body = reply(
        r#"<get_ser_usersResponse xmlns="http://tempuri.org/"><get_ser_usersResult><diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><NewDataSet xmlns=""><users diffgr:id="users1" msdata:rowOrder="0"><ID>1</ID><USER_NAME>tbilisi:206322102</USER_NAME><NOTES xml:space="preserve">  </NOTES></users><users diffgr:id="users2" msdata:rowOrder="1"><ID>2</ID><USER_NAME>two</USER_NAME></users></NewDataSet><diffgr:before><users diffgr:id="users1"><ID>9</ID></users></diffgr:before></diffgr:diffgram></get_ser_usersResult><user_id>783</user_id></get_ser_usersResponse>"#,
    );
    let mut reader = BodyReader::reply(&body, "get_ser_users").unwrap();
    let table = reader.table::<User>().unwrap();
    assert_eq!(table.schema.name.as_deref(), Some("users"));
    assert!(table.schema.columns.is_empty());
    assert_eq!(table.len(), 2);
    assert_eq!(table.rows[0].notes.as_deref(), Some("  "));
    assert_eq!(table.rows[1].notes, None);
    let outs: Outs = reader.decode().unwrap();
    assert_eq!(outs, Outs { user_id: 783 });

    // Stopping after the first row still reaches the out parameter.
    let mut reader = BodyReader::reply(&body, "get_ser_users").unwrap();
    let first = reader.rows::<User>().unwrap().next().unwrap().unwrap();
    assert_eq!(first.id, 1);
    let outs: Outs = reader.decode().unwrap();
    assert_eq!(outs.user_id, 783);

    // Decoding the result as a whole skips the table when not asked for.
    #[derive(Deserialize)]
    struct OnlyOuts {
        user_id: i32,
    }
    let outs: OnlyOuts = BodyReader::reply(&body, "get_ser_users")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(outs.user_id, 783);
}

// ---------------------------------------------------------------------------
// Faults and bodies that are not SOAP
// ---------------------------------------------------------------------------

#[test]
fn soap11_fault() {
    let body = reply(
        r#"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; ORA-01403: no data found</faultstring><detail /></soap:Fault>"#,
    );
    let e = BodyReader::reply(&body, "get_invoice").unwrap_err();
    let fault = e.fault().unwrap().clone();
    assert_eq!(fault.version, SoapVersion::Soap11);
    assert_eq!(fault.code, "soap:Server");
    assert_eq!(
        fault.message,
        "Server was unable to process request. ---> ORA-01403: no data found"
    );
    assert_eq!(fault.detail, None);
    let err = e.into_error("get_invoice", 500);
    assert!(matches!(
        &err,
        Error::Fault { code, http_status: 500, .. } if code == "soap:Server"
    ));
    assert_eq!(
        err.to_string(),
        "get_invoice: SOAP fault soap:Server: Server was unable to process request. ---> ORA-01403: no data found"
    );
}

#[test]
fn soap12_fault() {
    let body = r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value><soap:Subcode><soap:Value>x:Db</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="en">Server was unable to process request.</soap:Text><soap:Text xml:lang="ka">შეცდომა</soap:Text></soap:Reason><soap:Detail><a>one</a><b>two</b></soap:Detail></soap:Fault></soap:Body></soap:Envelope>"#;
    let fault = BodyReader::reply(body.as_bytes(), "chek")
        .unwrap_err()
        .fault()
        .unwrap()
        .clone();
    assert_eq!(
        fault,
        SoapFault {
            version: SoapVersion::Soap12,
            code: "soap:Receiver".into(),
            subcode: Some("x:Db".into()),
            message: "Server was unable to process request.".into(),
            actor: None,
            detail: Some("one two".into()),
        }
    );
}

#[test]
fn html_gateway_page() {
    let body = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let e = BodyReader::reply(body, "chek").unwrap_err();
    match &e {
        SoapError::NotSoap { found } => assert!(
            found.starts_with("an HTML page `<!DOCTYPE html>"),
            "{found}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("expected a SOAP envelope (soap:Envelope), found an HTML page"),
        "{e}"
    );
    assert!(matches!(
        e.clone().into_error("chek", 502),
        Error::Http { status: 502, .. }
    ));
    let err = e.into_error("chek", 200);
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(
        err.to_string().contains("expected a SOAP envelope"),
        "{err}"
    );

    let e =
        BodyReader::reply(b"<html><body>Service Unavailable</body></html>", "chek").unwrap_err();
    assert!(matches!(e, SoapError::NotSoap { .. }), "{e:?}");
}

#[test]
fn other_bodies_that_are_not_soap() {
    for (body, found) in [
        (&b""[..], "an empty body"),
        (b"  \n", "an empty body"),
        (b"{\"error\":1}", "text `{\"error\":1}`"),
        (
            b"<root><a/></root>",
            "an XML document whose root element is `<root>`",
        ),
        (
            b"\xff\xfe<",
            "a body that is not UTF-8 text (invalid byte at 0)",
        ),
    ] {
        match BodyReader::reply(body, "chek").unwrap_err() {
            SoapError::NotSoap { found: f } => assert_eq!(f, found),
            other => panic!("{other:?}"),
        }
    }
    // Malformed envelopes are decode errors with the position.
    let e = decode_err(
        BodyReader::reply(
            &reply(r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult>"#),
            "chek",
        )
        .and_then(|r| r.decode::<BTreeMap<String, String>>())
        .unwrap_err(),
    );
    assert!(e.message.contains("malformed XML at byte"), "{e:?}");
    let e = decode_err(
        BodyReader::reply(
            br#"<s:Envelope xmlns:s="urn:other"><s:Body/></s:Envelope>"#,
            "chek",
        )
        .unwrap_err(),
    );
    assert!(
        e.message.contains("unknown envelope namespace `urn:other`"),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

#[test]
fn request_envelope_bytes() {
    let body = write_request(
        SoapVersion::Soap11,
        NS,
        "chek",
        &[
            ("su", "tbilisi:206322102"),
            ("sp", "123456"),
            ("user_id", "0"),
        ],
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><chek xmlns="http://tempuri.org/"><su>tbilisi:206322102</su><sp>123456</sp><user_id>0</user_id></chek></soap:Body></soap:Envelope>"#
    );
    let body = write_request(SoapVersion::Soap12, NS, "what_is_my_ip", &[]).unwrap();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><what_is_my_ip xmlns="http://tempuri.org/"></what_is_my_ip></soap:Body></soap:Envelope>"#
    );
}

#[test]
fn request_text_is_escaped_and_nested_values_and_nil_written() {
    let mut w = EnvelopeWriter::request(SoapVersion::Soap11, NS, "save_invoice_desc").unwrap();
    w.text("goods", "A & B <pack> \"x\" 'y'\r\nკარტოფილი")
        .unwrap()
        .text("g_unit", "")
        .unwrap()
        .optional("note", None)
        .unwrap()
        .nil("advance_invoices")
        .unwrap()
        .start("ids")
        .unwrap()
        .text("id", "1")
        .unwrap()
        .text("id", "2")
        .unwrap()
        .end()
        .unwrap();
    let body = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(
        body.contains(
            "<goods>A &amp; B &lt;pack&gt; \"x\" 'y'&#13;\nკარტოფილი</goods><g_unit/><advance_invoices xsi:nil=\"true\"/><ids><id>1</id><id>2</id></ids></save_invoice_desc>"
        ),
        "{body}"
    );
    // What the server reads back is what was written.
    #[derive(Deserialize, Debug)]
    struct Params {
        goods: String,
        g_unit: String,
        #[serde(default)]
        note: Option<String>,
        advance_invoices: Option<Vec<i32>>,
        ids: Vec<i32>,
    }
    let reader = BodyReader::request(body.as_bytes()).unwrap();
    assert_eq!(reader.element(), "save_invoice_desc");
    let p: Params = reader.decode().unwrap();
    assert_eq!(p.goods, "A & B <pack> \"x\" 'y'\r\nკარტოფილი");
    assert_eq!(p.g_unit, "");
    assert_eq!(p.note, None);
    assert_eq!(p.advance_invoices, None);
    assert_eq!(p.ids, [1, 2]);
}

#[test]
fn request_errors_name_the_element_not_the_value() {
    let mut w = EnvelopeWriter::request(SoapVersion::Soap11, NS, "chek").unwrap();
    let e = w.text("sp", "sec\u{1}ret").unwrap_err();
    let text = e.to_string();
    assert_eq!(
        text,
        "cannot encode the SOAP message: `sp`: character U+0001 at position 3 cannot be written in XML 1.0"
    );
    assert!(!text.contains("sec"), "{text}");
    for bad in ["", "1abc", "a b", "a<b", "a:b:c", "-x"] {
        let e = w.text(bad, "1").unwrap_err();
        assert!(
            e.to_string().contains("is not a valid XML element name"),
            "{bad}: {e}"
        );
    }
    assert!(EnvelopeWriter::request(SoapVersion::Soap11, NS, "bad op").is_err());
    assert!(w.end().is_err());
    assert!(matches!(
        e_into(w.text("x", "\u{ffff}").unwrap_err()),
        Error::Encode {
            endpoint: "chek",
            ..
        }
    ));
    fn e_into(e: SoapError) -> Error {
        e.into_error("chek", 0)
    }
}

#[test]
fn request_reader_accepts_any_order_and_defaults() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct SaveInvoice {
        #[serde(default)]
        user_id: i32,
        #[serde(default)]
        invois_id: i64,
        su: String,
        sp: String,
        #[serde(default)]
        note: Option<String>,
    }
    // su/sp first and a note before them, as working clients send it.
    let body = r#"<?xml version="1.0"?>
<soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">
  <soap12:Header><x>ignored</x></soap12:Header>
  <soap12:Body>
    <save_invoice_n xmlns="http://tempuri.org/">
      <note>შენიშვნა</note>
      <su>u</su>
      <sp>p</sp>
      <invois_id>0</invois_id>
    </save_invoice_n>
  </soap12:Body>
</soap12:Envelope>"#;
    let reader = BodyReader::request(body.as_bytes()).unwrap();
    assert_eq!(reader.version(), SoapVersion::Soap12);
    assert_eq!(reader.element(), "save_invoice_n");
    assert_eq!(reader.namespace(), Some(NS));
    let p: SaveInvoice = reader.decode().unwrap();
    assert_eq!(
        p,
        SaveInvoice {
            user_id: 0,
            invois_id: 0,
            su: "u".into(),
            sp: "p".into(),
            note: Some("შენიშვნა".into()),
        }
    );
}

#[test]
fn actions_and_content_types() {
    assert_eq!(soap_action(NS, "chek"), "http://tempuri.org/chek");
    assert_eq!(soap_action("urn:x", "chek"), "urn:x/chek");
    let action = soap_action(NS, "chek");
    assert_eq!(
        SoapVersion::Soap11.content_type(&action),
        "text/xml; charset=utf-8"
    );
    assert_eq!(
        SoapVersion::Soap11.soap_action_header(&action).as_deref(),
        Some("\"http://tempuri.org/chek\"")
    );
    assert_eq!(
        SoapVersion::Soap12.content_type(&action),
        "application/soap+xml; charset=utf-8; action=\"http://tempuri.org/chek\""
    );
    assert_eq!(SoapVersion::Soap12.soap_action_header(&action), None);
    assert_eq!(
        SoapVersion::from_content_type("Text/XML; charset=utf-8"),
        Some(SoapVersion::Soap11)
    );
    assert_eq!(
        SoapVersion::from_content_type("application/soap+xml;charset=utf-8;action=\"x\""),
        Some(SoapVersion::Soap12)
    );
    assert_eq!(SoapVersion::from_content_type("application/json"), None);
    // Quoted and unquoted SOAPAction headers, and the 1.2 parameter.
    assert_eq!(
        request_action(Some("\"http://tempuri.org/chek\""), None),
        Some("http://tempuri.org/chek")
    );
    assert_eq!(
        request_action(Some("http://tempuri.org/chek"), Some("text/xml")),
        Some("http://tempuri.org/chek")
    );
    assert_eq!(
        request_action(
            None,
            Some("application/soap+xml; charset=utf-8; action=\"http://tempuri.org/chek\"")
        ),
        Some("http://tempuri.org/chek")
    );
    assert_eq!(request_action(Some("\"\""), Some("text/xml")), None);
}

// ---------------------------------------------------------------------------
// Server side: replies, tables and faults written, then read back
// ---------------------------------------------------------------------------

#[test]
fn written_table_reply_reads_back() {
    let schema = TableSchema {
        name: Some("invoices_descs".into()),
        columns: [
            "ID",
            "INV_ID",
            "GOODS",
            "G_UNIT",
            "G_NUMBER",
            "FULL_AMOUNT",
            "DRG_AMOUNT",
        ]
        .iter()
        .map(|c| Column {
            name: (*c).into(),
            xsd_type: Some(if matches!(*c, "GOODS" | "G_UNIT") {
                "xs:string".into()
            } else {
                "xs:decimal".into()
            }),
        })
        .collect(),
    };
    let mut w = EnvelopeWriter::response(SoapVersion::Soap11, NS, "get_invoice_desc").unwrap();
    {
        let mut table = w.data_table("get_invoice_descResult", &schema).unwrap();
        table
            .row([
                ("ID", Some("1")),
                ("INV_ID", Some("7")),
                ("GOODS", Some("კარტოფილი & <co>")),
                ("G_UNIT", Some("კგ")),
                ("G_NUMBER", Some("10")),
                ("FULL_AMOUNT", Some("100")),
                ("DRG_AMOUNT", Some("15.25")),
                ("AQCIZI_AMOUNT", None),
            ])
            .unwrap();
        table
            .row([
                ("ID", Some("2")),
                ("INV_ID", Some("7")),
                ("GOODS", Some(" ")),
                ("G_UNIT", Some("")),
                ("G_NUMBER", Some("1")),
                ("FULL_AMOUNT", Some("572.03")),
                ("DRG_AMOUNT", Some("0")),
            ])
            .unwrap();
        assert_eq!(table.rows(), 2);
        table.finish().unwrap();
    }
    let body = w.finish().unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(
        text.contains(r#"<get_invoice_descResponse xmlns="http://tempuri.org/"><get_invoice_descResult><xs:schema id="NewDataSet" xmlns="" "#),
        "{text}"
    );
    assert!(
        text.contains(r#"<DocumentElement xmlns=""><invoices_descs diffgr:id="invoices_descs1" msdata:rowOrder="0"><ID>1</ID>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<GOODS xml:space="preserve"> </GOODS><G_UNIT/>"#),
        "{text}"
    );
    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    let table = reader.table::<Line>().unwrap();
    assert_eq!(table.schema, schema);
    assert_eq!(table.rows[0].goods, "კარტოფილი & <co>");
    assert_eq!(table.rows[0].aqcizi_amount, None);
    assert_eq!(table.rows[1].goods, " ");
    assert_eq!(table.rows[1].g_unit, "");
    assert_eq!(table.rows[1].full_amount, dec("572.03"));

    // An empty table is an empty diffgram element; a dropped writer closes.
    let mut w = EnvelopeWriter::response(SoapVersion::Soap11, NS, "get_invoice_desc").unwrap();
    drop(w.data_table("get_invoice_descResult", &schema).unwrap());
    w.text("extra", "1").unwrap();
    let body = w.finish().unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(
        text.contains(r#"<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"/></get_invoice_descResult><extra>1</extra>"#),
        "{text}"
    );
    let mut reader = BodyReader::reply(&body, "get_invoice_desc").unwrap();
    assert!(reader.table::<Line>().unwrap().is_empty());
}

#[test]
fn written_scalar_reply_reads_back() {
    let mut w = EnvelopeWriter::response(SoapVersion::Soap11, NS, "chek").unwrap();
    w.text("chekResult", "true")
        .unwrap()
        .text("user_id", "783")
        .unwrap()
        .text("sua", "9")
        .unwrap();
    let body = w.finish().unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(
        text.contains(
            r#"<soap:Body><chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult>"#
        ),
        "{text}"
    );
    let map: BTreeMap<String, String> = BodyReader::reply(&body, "chek").unwrap().decode().unwrap();
    assert_eq!(map["user_id"], "783");
}

#[test]
fn written_faults_read_back() {
    for version in [SoapVersion::Soap11, SoapVersion::Soap12] {
        let fault = SoapFault {
            version,
            code: match version {
                SoapVersion::Soap11 => "soap:Server".into(),
                SoapVersion::Soap12 => "soap:Receiver".into(),
            },
            subcode: (version == SoapVersion::Soap12).then(|| "x:Sub".into()),
            message: "Server was unable to process request. ---> a < b & c".into(),
            actor: Some("urn:actor".into()),
            detail: Some("ORA-01403".into()),
        };
        let body = write_fault(&fault);
        let read = BodyReader::reply(&body, "chek").unwrap_err();
        assert_eq!(read.fault(), Some(&fault), "{version}");
    }
    // Characters XML cannot carry are replaced, not written.
    let body = write_fault(&SoapFault {
        code: "soap:Client".into(),
        message: "bad\u{0}byte".into(),
        ..SoapFault::default()
    });
    let read = BodyReader::reply(&body, "chek").unwrap_err();
    assert_eq!(read.fault().unwrap().message, "bad\u{fffd}byte");
}

#[test]
fn nesting_is_bounded() {
    let deep = format!(
        r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>{}1{}</chekResult></chekResponse>"#,
        "<a>".repeat(5_000),
        "</a>".repeat(5_000)
    );
    let body = reply(&deep);
    let e = decode_err(
        BodyReader::reply(&body, "chek")
            .unwrap()
            .decode::<serde_json::Value>()
            .unwrap_err(),
    );
    assert!(e.message.contains("nested more than 64 deep"), "{e:?}");
}

// ---------------------------------------------------------------------------
// Typed values through serde, both ways
// ---------------------------------------------------------------------------

struct DayFirst;
impl DateFormat for DayFirst {
    const FORMAT: &'static str = "%d-%m-%Y";
}

#[derive(serde::Serialize, Deserialize, Debug, PartialEq)]
struct AdvanceIds {
    id: Vec<i32>,
}

/// A request struct as the generator would emit it: WSDL order, wire codecs.
#[serde_with::serde_as]
#[derive(serde::Serialize, Deserialize, Debug, PartialEq)]
struct SaveDesc {
    user_id: i32,
    #[serde_as(as = "LenientNumber")]
    id: i64,
    su: String,
    sp: String,
    #[serde_as(as = "LenientNumber")]
    g_number: Decimal,
    #[serde_as(as = "LenientNumber")]
    full_amount: Decimal,
    #[serde_as(as = "BoolString")]
    flag: bool,
    #[serde_as(as = "DateTimeAs<Iso>")]
    operation_date: NaiveDateTime,
    #[serde_as(as = "Option<DateTimeAs<DayFirst>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    other_date: Option<NaiveDateTime>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    advance_invoices: Option<AdvanceIds>,
}

fn save_desc() -> SaveDesc {
    SaveDesc {
        user_id: 783,
        id: 0,
        su: "tbilisi:206322102".into(),
        sp: "p&<ss".into(),
        g_number: dec("40.50"),
        full_amount: dec("4000"),
        flag: true,
        operation_date: at(2026, 1, 15, 10, 30, 0),
        other_date: None,
        note: None,
        advance_invoices: Some(AdvanceIds { id: vec![11, 12] }),
    }
}

#[test]
fn typed_request_is_written_in_field_order_and_reads_back() {
    let request = save_desc();
    let mut w = EnvelopeWriter::request(SoapVersion::Soap11, NS, "save_invoice_desc").unwrap();
    w.fields(&request).unwrap();
    let body = w.finish().unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(
        text.contains(
            r#"<save_invoice_desc xmlns="http://tempuri.org/"><user_id>783</user_id><id>0</id><su>tbilisi:206322102</su><sp>p&amp;&lt;ss</sp><g_number>40.50</g_number><full_amount>4000</full_amount><flag>true</flag><operation_date>2026-01-15T10:30:00</operation_date><advance_invoices><id>11</id><id>12</id></advance_invoices></save_invoice_desc>"#
        ),
        "{text}"
    );
    let back: SaveDesc = BodyReader::request(&body).unwrap().decode().unwrap();
    assert_eq!(back, request);
}

#[test]
fn repeated_elements_read_as_sequences() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Detach {
        advance_invoices: Option<AdvanceIds>,
        #[serde(default)]
        st: Vec<i32>,
        #[serde(default)]
        wrapped: Vec<i32>,
        user_id: i32,
    }
    let body = reply(
        r#"<detach_advance_invoicesResponse xmlns="http://tempuri.org/"><advance_invoices><id>1</id>
  <id>2</id><id>3</id></advance_invoices><st>5</st><wrapped><int>7</int><int>8</int></wrapped><user_id>4</user_id></detach_advance_invoicesResponse>"#,
    );
    let d: Detach = BodyReader::reply(&body, "detach_advance_invoices")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(
        d,
        Detach {
            advance_invoices: Some(AdvanceIds { id: vec![1, 2, 3] }),
            st: vec![5],
            wrapped: vec![7, 8],
            user_id: 4,
        }
    );
    let nil = reply(
        r#"<detach_advance_invoicesResponse xmlns="http://tempuri.org/"><advance_invoices xsi:nil="true" /><user_id>4</user_id></detach_advance_invoicesResponse>"#,
    );
    let d: Detach = BodyReader::reply(&nil, "detach_advance_invoices")
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(d.advance_invoices, None);
    let bad = reply(
        r#"<x_Response xmlns="http://tempuri.org/"><advance_invoices><id>1</id><id>zwei</id></advance_invoices><user_id>4</user_id></x_Response>"#,
    );
    let e = decode_err(
        BodyReader::reply(&bad, "x_")
            .unwrap()
            .decode::<Detach>()
            .unwrap_err(),
    );
    assert_eq!(e.path, "x_Response.advance_invoices.id");
    assert_eq!(e.value.as_deref(), Some("zwei"));
}

#[test]
fn typed_reply_and_rows_are_written_and_read_back() {
    #[serde_with::serde_as]
    #[derive(serde::Serialize, Deserialize, Debug, PartialEq)]
    struct Chek {
        #[serde_as(as = "BoolString")]
        #[serde(rename = "chekResult")]
        ok: bool,
        user_id: i32,
        sua: i32,
    }
    let chek = Chek {
        ok: true,
        user_id: 783,
        sua: 9,
    };
    let mut w = EnvelopeWriter::response(SoapVersion::Soap11, NS, "chek").unwrap();
    w.fields(&chek).unwrap();
    let body = w.finish().unwrap();
    assert!(
        String::from_utf8(body.clone()).unwrap().contains(
            r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult><user_id>783</user_id><sua>9</sua></chekResponse>"#
        )
    );
    let back: Chek = BodyReader::reply(&body, "chek").unwrap().decode().unwrap();
    assert_eq!(back, chek);

    #[serde_with::serde_as]
    #[derive(serde::Serialize, Deserialize, Debug, PartialEq)]
    struct Row {
        #[serde_as(as = "LenientNumber")]
        #[serde(rename = "ID")]
        id: i64,
        #[serde_as(as = "EmptyAsNone")]
        #[serde(rename = "GOODS", default)]
        goods: Option<String>,
        #[serde_as(as = "EmptyAsNone<LenientNumber>")]
        #[serde(rename = "TANXA", default)]
        tanxa: Option<Decimal>,
        #[serde_as(as = "EmptyAsNone<DateTimeAs<Iso>>")]
        #[serde(rename = "REG_DT", default)]
        reg_dt: Option<NaiveDateTime>,
    }
    let rows = vec![
        Row {
            id: 1,
            goods: Some("კარტოფილი".into()),
            tanxa: Some(dec("572.03")),
            reg_dt: Some(at(2026, 1, 15, 10, 30, 0)),
        },
        Row {
            id: 2,
            goods: None,
            tanxa: None,
            reg_dt: None,
        },
    ];
    let schema = TableSchema {
        name: Some("invoices".into()),
        columns: vec![],
    };
    let mut w = EnvelopeWriter::response(SoapVersion::Soap12, NS, "get_seller_invoices").unwrap();
    let mut table = w.data_table("get_seller_invoicesResult", &schema).unwrap();
    for row in &rows {
        table.serialize_row(row).unwrap();
    }
    let e = table.serialize_row(&42).unwrap_err();
    assert!(e.to_string().contains("expected a struct or map"), "{e}");
    table.finish().unwrap();
    let body = w.finish().unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(
        text.contains(
            r#"<invoices diffgr:id="invoices2" msdata:rowOrder="1"><ID>2</ID></invoices>"#
        ),
        "{text}"
    );
    let mut reader = BodyReader::reply(&body, "get_seller_invoices").unwrap();
    assert_eq!(reader.version(), SoapVersion::Soap12);
    assert_eq!(reader.table::<Row>().unwrap().rows, rows);
}

#[test]
fn typed_values_that_cannot_be_written_are_named() {
    #[derive(serde::Serialize)]
    enum Shape {
        Data(i32),
    }
    #[derive(serde::Serialize)]
    struct Outer {
        inner: Inner,
    }
    #[derive(serde::Serialize)]
    struct Inner {
        bad: Shape,
    }
    let mut w = EnvelopeWriter::request(SoapVersion::Soap11, NS, "op").unwrap();
    let e = w
        .fields(&Outer {
            inner: Inner {
                bad: Shape::Data(1),
            },
        })
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot encode the SOAP message: `inner.bad`: cannot write an enum variant with data as an element"
    );
    let e = w.fields(&"text").unwrap_err();
    assert!(e.to_string().contains("expected a struct or map"), "{e}");
    #[derive(serde::Serialize)]
    struct Secret {
        sp: &'static str,
    }
    let e = w.fields(&Secret { sp: "pa\u{7}ss" }).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot encode the SOAP message: `sp`: character U+0007 at position 2 cannot be written in XML 1.0"
    );
}
