//! Secrets stay secret: a whole session (two-step login with a PIN, a
//! session renewed with a kept password, saves through faults and
//! retries, list, logout) runs with every tracing event of client and
//! sandbox captured at TRACE, and no password, PIN, PIN token or access
//! token appears in the capture (the sandbox's simulated SMS, which is
//! how the PIN reaches the "phone", excepted), nor in the `Debug` of the
//! client, outcomes and errors.

mod common;

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use rsge_eapi::client::Client;
use rsge_eapi::enums::InvoiceListType;
use rsge_eapi::models::ListInvoicesRequest;
use rsge_eapi::{DeviceInfo, LoginOutcome};
use secrecy::{ExposeSecret, SecretString};
use taxsdk_sandbox::eapi::{self, Config, UserSeed};
use taxsdk_sandbox::faults::FaultConfig;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const ONE_STEP_PASSWORD: &str = "pw-Kx3#m1-one-step";
const TWO_STEP_PASSWORD: &str = "pw-Zq9!x7-two-step";

/// One captured event or span: its target and each field as `name=value`.
#[derive(Debug, Clone)]
struct Captured {
    target: String,
    fields: Vec<(String, String)>,
}

impl Captured {
    fn text(&self) -> String {
        let mut text = self.target.clone();
        for (name, value) in &self.fields {
            let _ = write!(text, " {name}={value}");
        }
        text
    }

    fn is_sandbox_sms(&self) -> bool {
        self.fields
            .iter()
            .any(|(n, v)| n == "message" && v.contains("sandbox SMS"))
    }
}

/// A subscriber that records everything, at every level.
#[derive(Default)]
struct Capture {
    records: Arc<Mutex<Vec<Captured>>>,
    next_id: AtomicU64,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl Capture {
    fn push(&self, target: &str, record: impl FnOnce(&mut Fields<'_>)) {
        let mut fields = Vec::new();
        record(&mut Fields(&mut fields));
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Captured {
                target: target.to_string(),
                fields,
            });
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.push(span.metadata().target(), |f| span.record(f));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        self.push("(span record)", |f| values.record(f));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.push(event.metadata().target(), |f| event.record(f));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Whether `text` holds `pin` as a number of its own (not inside a longer
/// run of digits such as a port).
fn holds_number(text: &str, pin: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|part| part == pin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_debug_or_errors() {
    let capture = Capture::default();
    let records = capture.records.clone();
    tracing::subscriber::set_global_default(capture).expect("the only subscriber");

    let mut two_step = UserSeed::new("redact.two", TWO_STEP_PASSWORD, BUYER_TIN);
    two_step.two_step = true;
    let users = vec![
        UserSeed::new("redact.one", ONE_STEP_PASSWORD, SELLER_TIN),
        two_step,
    ];
    let sb = eapi::spawn_with(Config {
        users,
        token_ttl: Duration::from_secs(60),
        faults: Some(FaultConfig::new(0.25).seed(3)),
        ..Config::default()
    })
    .await
    .unwrap();
    // Fast retries, and enough of them for the faults of a short session.
    let policy = rsge_eapi::retry_policy()
        .max_attempts(12)
        .backoff(Duration::from_millis(5), Duration::from_millis(50))
        .polling(Duration::from_millis(20), Duration::from_secs(20));
    let client = Client::builder()
        .base_url(sb.base_url())
        .timeout(Duration::from_millis(800))
        .retry_policy(policy.clone())
        .build()
        .unwrap();
    let mut secrets: Vec<String> = vec![ONE_STEP_PASSWORD.into(), TWO_STEP_PASSWORD.into()];
    let mut debug = Vec::new();

    // One-step, kept for renewal: saves through faults, expiry, renewal.
    let one = client
        .login_with_renewal("redact.one", &SecretString::from(ONE_STEP_PASSWORD))
        .await
        .expect("login");
    debug.push(format!("{one:?}"));
    secrets.push(
        client
            .transport()
            .token()
            .unwrap()
            .expose_secret()
            .to_string(),
    );
    for _ in 0..5 {
        match client
            .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), None))
            .await
        {
            Ok(reply) => debug.push(format!("{reply:?}")),
            Err(e) => debug.push(format!("{e:?} / {e}")),
        }
    }
    sb.sandbox().advance_clock(Duration::from_secs(61));
    client.get_units().await.expect("renewed");
    secrets.push(
        client
            .transport()
            .token()
            .unwrap()
            .expose_secret()
            .to_string(),
    );
    debug.push(format!("{client:?}"));
    debug.push(format!("{:?}", client.transport()));
    let retries = client.transport().retry_stats();
    assert!(retries.attempts > retries.calls, "no retries: {retries:?}");
    assert_eq!(retries.renewals, 1, "{retries:?}");
    assert!(sb.fault_stats().unwrap().faulted() > 0);
    client.logout().await.ok();

    // Two-step with a PIN, without faults in the way of the PIN step.
    let quiet = eapi::spawn_with(Config {
        users: vec![{
            let mut u = UserSeed::new("redact.two", TWO_STEP_PASSWORD, BUYER_TIN);
            u.two_step = true;
            u
        }],
        ..Config::default()
    })
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(quiet.base_url())
        .retry_policy(policy)
        .build()
        .unwrap();
    // What the two-step part shows, checked for the (short) PIN as well.
    let mut pin_debug = Vec::new();
    let outcome = client
        .login("redact.two", &SecretString::from(TWO_STEP_PASSWORD), None)
        .await
        .unwrap();
    pin_debug.push(format!("{outcome:?}"));
    let LoginOutcome::PinRequired { pin_token, .. } = outcome else {
        panic!("a PIN is required");
    };
    secrets.push(pin_token.expose_secret().to_string());
    let pin = quiet.last_pin("redact.two").expect("a PIN was sent");
    // A wrong PIN first: its error must not echo the PIN either.
    let wrong = if pin == "0000" { "1111" } else { "0000" };
    let err = client
        .complete_login(
            &pin_token,
            &SecretString::from(wrong),
            DeviceInfo::default(),
        )
        .await
        .unwrap_err();
    pin_debug.push(format!("{err:?} / {err}"));
    client
        .complete_login(
            &pin_token,
            &SecretString::from(pin.clone()),
            DeviceInfo::default(),
        )
        .await
        .expect("PIN accepted");
    secrets.push(
        client
            .transport()
            .token()
            .unwrap()
            .expose_secret()
            .to_string(),
    );
    let list = client
        .list_invoices(&ListInvoicesRequest {
            type_: InvoiceListType::Received,
            ..Default::default()
        })
        .await
        .unwrap();
    pin_debug.push(format!("{list:?}"));
    pin_debug.push(format!("{client:?}"));
    let stale = client.transport().token().unwrap();
    client.logout().await.unwrap();
    client.transport().set_token(stale);
    let err = client.get_units().await.unwrap_err();
    pin_debug.push(format!("{err:?} / {err}"));
    debug.extend(pin_debug.iter().cloned());

    let records = records.lock().unwrap().clone();
    // The capture saw both sides: the sandbox's SMS and the client's retries.
    assert!(
        records.iter().any(Captured::is_sandbox_sms),
        "no SMS captured"
    );
    assert!(
        records
            .iter()
            .any(|r| r.target.starts_with("taxsdk_runtime")),
        "no client event captured"
    );
    for secret in &secrets {
        assert!(secret.len() >= 12, "a distinctive secret: {secret}");
        for record in &records {
            assert!(
                !record.text().contains(secret.as_str()),
                "secret in the log: {}",
                record.text()
            );
        }
        for text in &debug {
            assert!(
                !text.contains(secret.as_str()),
                "secret in Debug/Display: {text}"
            );
        }
    }
    // The PIN is short: look for it as a number of its own in our crates'
    // events (not in third-party byte counts) and in what the two-step
    // part shows (not in the invoice ids of the first part).
    for record in records.iter().filter(|r| !r.is_sandbox_sms()) {
        let ours = record.target.starts_with("taxsdk") || record.target.starts_with("rsge");
        assert!(
            !(ours && holds_number(&record.text(), &pin)),
            "the PIN in the log: {}",
            record.text()
        );
    }
    for text in &pin_debug {
        assert!(
            !holds_number(text, &pin),
            "the PIN in Debug/Display: {text}"
        );
    }
}
