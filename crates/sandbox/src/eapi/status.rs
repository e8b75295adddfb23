//! The statuses the sandbox answers, with the spec's texts and HTTP statuses.

use taxsdk_runtime::ServiceStatus;

/// Invalid user name or password. Not in the document or the spec (which only
/// say "-1xx"); chosen by the sandbox from the authentication range.
pub const BAD_CREDENTIALS: i64 = -100;
/// Wrong PIN (spec -102).
pub const BAD_PIN: i64 = -102;
/// Missing, unknown or expired token (spec -104).
pub const BAD_TOKEN: i64 = -104;
/// Unknown or expired PIN_TOKEN (spec -108).
pub const PIN_EXPIRED: i64 = -108;
/// System error (spec -1).
pub const SYSTEM: i64 = -1;
/// Invalid action (spec -2): illegal transition, invalid document, unknown
/// or invisible document.
pub const INVALID: i64 = -2;
/// A test account used a TIN other than the two test TINs (spec -3).
pub const TEST_TIN: i64 = -3;
/// ClearBarCodes failed (spec -5).
pub const CLEAR_FAILED: i64 = -5;
/// Unknown TransactionId (spec -6).
pub const UNKNOWN_TRANSACTION: i64 = -6;
/// A call with this TransactionId is still running (spec -7).
pub const IN_PROGRESS: i64 = -7;
/// The (sub-)user lacks the tax-document module or the method's right
/// (spec -105).
pub const NO_RIGHTS: i64 = -105;
/// Seller TIN equals buyer TIN (spec -200).
pub const SELLER_IS_BUYER: i64 = -200;
/// Buyer TIN equals transport company TIN (spec -202).
pub const BUYER_IS_CARRIER: i64 = -202;

/// Texts for codes whose text neither the document nor the spec knows. They
/// are the sandbox's own wording (Georgian, in the style of the known ones).
fn fallback_text(code: i64) -> &'static str {
    match code {
        BAD_CREDENTIALS => "მომხმარებლის სახელი ან პაროლი არასწორია",
        BAD_PIN => "კოდი არასწორია",
        PIN_EXPIRED => "კოდს ვადა გაუვიდა",
        CLEAR_FAILED => "შტრიხკოდების ინფორმაციის წაშლა ვერ მოხერხდა",
        UNKNOWN_TRANSACTION => "ტრანზაქცია ვერ მოიძებნა",
        NO_RIGHTS => "მომხმარებელს არ აქვს ამ ოპერაციის შესრულების უფლება",
        SELLER_IS_BUYER => "გამყიდველის და მყიდველის საიდენტიფიკაციო კოდები ემთხვევა",
        BUYER_IS_CARRIER => "მყიდველის და გადამზიდის საიდენტიფიკაციო კოდები ემთხვევა",
        _ => "შეცდომა",
    }
}

/// The status `code` with the spec's text and HTTP status; codes the spec
/// does not list get the sandbox's text and the HTTP status of their range
/// (-1xx: 401, others: 400).
pub fn status(code: i64) -> ServiceStatus {
    let known = rsge_eapi::SERVICE.error(code);
    let text = known
        .and_then(|e| e.text)
        .unwrap_or_else(|| fallback_text(code));
    let http = known
        .and_then(|e| e.http_status)
        .unwrap_or(if (-199..=-100).contains(&code) {
            401
        } else {
            400
        });
    ServiceStatus::new(code, text, http)
}

/// `-2` with the spec's text; `why` goes to the log (the envelope has no room
/// for details, and the sandbox keeps the service's text unchanged).
pub fn invalid(why: impl AsRef<str>) -> ServiceStatus {
    tracing::info!(reason = why.as_ref(), "answering -2");
    status(INVALID)
}
