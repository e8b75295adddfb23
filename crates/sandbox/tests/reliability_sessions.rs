//! Expired sessions: a one-step login kept for renewal logs in again by
//! itself (once for all the calls that met the expiry); a plain login or a
//! two-step session is never renewed behind the user (no new PIN is sent)
//! and its calls fail with the typed `SessionExpired`.

mod common;

use std::time::Duration;

use common::*;
use rsge_eapi::client::Client;
use rsge_eapi::{DeviceInfo, LoginOutcome};
use secrecy::SecretString;
use taxsdk_runtime::Error;
use taxsdk_sandbox::eapi::{self, Config, RunningSandbox};
use taxsdk_sandbox::faults::FaultConfig;

const TTL: Duration = Duration::from_secs(60);

/// A sandbox with a 60 s token lifetime and the fault layer at rate 0
/// (it counts requests by path).
async fn sandbox() -> RunningSandbox {
    eapi::spawn_with(Config {
        token_ttl: TTL,
        faults: Some(FaultConfig::new(0.0)),
        ..Config::default()
    })
    .await
    .expect("sandbox")
}

fn client_of(sb: &RunningSandbox) -> Client {
    Client::builder()
        .base_url(sb.base_url())
        .timeout(Duration::from_secs(10))
        .retry_policy(rsge_eapi::retry_policy())
        .build()
        .expect("client")
}

fn logins(sb: &RunningSandbox) -> u64 {
    sb.fault_stats()
        .expect("stats")
        .requests_to("/Users/Authenticate")
}

fn expire(sb: &RunningSandbox) {
    sb.sandbox().advance_clock(TTL + Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_one_step_login_is_renewed_once_for_all_waiting_calls() {
    let sb = sandbox().await;
    let client = client_of(&sb);
    let password = SecretString::from("123456");
    let outcome = client
        .login_with_renewal("tbilisi", &password)
        .await
        .unwrap();
    assert!(outcome.is_logged_in());
    assert!(client.transport().renews_sessions());
    client.get_units().await.unwrap();

    expire(&sb);
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_units().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().expect("renewed and repeated");
    }
    assert_eq!(client.transport().retry_stats().renewals, 1);
    assert_eq!(logins(&sb), 2);

    // A keyed write that meets the expiry is repeated after the renewal
    // with its key: one document.
    expire(&sb);
    let saved = client
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), None))
        .await
        .expect("saved after renewal");
    assert_eq!(sb.invoice_count(), 1);
    assert_eq!(
        saved.invoice_id,
        sb.sandbox().invoices().first().map(|i| i.id)
    );
    assert_eq!(client.transport().retry_stats().renewals, 2);

    // Logging out forgets the kept credentials.
    client.logout().await.unwrap();
    assert!(!client.transport().renews_sessions());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_login_is_not_renewed() {
    let sb = sandbox().await;
    let client = client_of(&sb);
    let password = SecretString::from("123456");
    // A plain login also replaces credentials kept for an earlier session.
    let kept = client
        .login_with_renewal("tbilisi", &password)
        .await
        .unwrap();
    assert!(kept.is_logged_in());
    assert!(
        client
            .login("tbilisi", &password, None)
            .await
            .unwrap()
            .is_logged_in()
    );
    assert!(!client.transport().renews_sessions());
    expire(&sb);
    let err = client.get_units().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert_eq!(err.service_code(), Some(-104));
    assert_eq!(logins(&sb), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_step_session_is_never_renewed_behind_the_user() {
    let sb = sandbox().await;
    let client = client_of(&sb);
    let password = SecretString::from("123456");
    let LoginOutcome::PinRequired { pin_token, .. } = client
        .login_with_renewal("satesto2", &password)
        .await
        .unwrap()
    else {
        panic!("satesto2 logs in with a PIN");
    };
    assert!(!client.transport().renews_sessions());
    let pin = SecretString::from(sb.last_pin("satesto2").expect("a PIN was sent"));
    client
        .complete_login(&pin_token, &pin, DeviceInfo::default())
        .await
        .unwrap();
    assert!(!client.transport().renews_sessions());
    client.get_units().await.unwrap();

    expire(&sb);
    let err = client.get_units().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    // No second login, so no second PIN went to the user's phone.
    assert_eq!(logins(&sb), 1);
    assert_eq!(client.transport().retry_stats().renewals, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_out_token_is_refused_and_not_renewed() {
    let sb = sandbox().await;
    let client = client_of(&sb);
    let kept = client
        .login_with_renewal("tbilisi", &SecretString::from("123456"))
        .await
        .unwrap();
    assert!(kept.is_logged_in());
    // Another holder of the same token signs it out.
    let other = client_of(&sb);
    other
        .transport()
        .set_token(client.transport().token().unwrap());
    other.sign_out().await.unwrap();
    // The kept login renews it: the service cannot tell signed out from expired.
    client.get_units().await.expect("renewed");
    assert_eq!(client.transport().retry_stats().renewals, 1);
    // Without kept credentials a signed-out token is simply refused.
    let plain = client_of(&sb);
    plain
        .transport()
        .set_token(client.transport().token().unwrap());
    client.logout().await.unwrap();
    let err = plain.get_units().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
}
