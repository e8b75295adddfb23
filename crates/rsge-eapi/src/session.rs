//! Login, two-step (PIN) login and logout on top of the generated
//! `authenticate`, `authenticate_pin` and `sign_out`: they keep the session
//! token in the client's transport so that every later call carries it, and
//! keep passwords, PINs and tokens out of `Debug` and error text.

use std::fmt;

use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use taxsdk_runtime::{Endpoint, Error};

use crate::client::Client;
use crate::endpoints;
use crate::models::{AuthenticatePinRequest, AuthenticateRequest};

/// What [`Client::login`] achieved.
#[derive(Debug, Clone)]
#[must_use = "a PinRequired outcome still needs `complete_login`"]
pub enum LoginOutcome {
    /// Logged in: the client now holds the access token.
    LoggedIn {
        /// Seconds until the token expires if unused (the service renews it
        /// on every authenticated call).
        expires_in: Option<i64>,
        /// The masked mobile number, when the service sends a non-empty one.
        masked_mobile: Option<String>,
    },
    /// The account uses two-step login: a PIN was sent by SMS; pass it with
    /// `pin_token` to [`Client::complete_login`].
    PinRequired {
        /// The temporary token of this login attempt.
        pin_token: PinToken,
        /// Where the PIN went (e.g. `*** *** *28`), to show the user.
        masked_mobile: Option<String>,
    },
}

impl LoginOutcome {
    /// Whether the client is logged in (no PIN step left).
    pub fn is_logged_in(&self) -> bool {
        matches!(self, LoginOutcome::LoggedIn { .. })
    }
}

/// The temporary token between [`Client::login`] and
/// [`Client::complete_login`]. Its `Debug` is redacted; keep it as a secret
/// (e.g. in a server-side session while the user types the PIN).
#[derive(Clone)]
pub struct PinToken(SecretString);

impl PinToken {
    /// Wrap a PIN token kept elsewhere (e.g. restored from a session store).
    pub fn new(token: SecretString) -> Self {
        PinToken(token)
    }

    /// The token text, to store it; it is sent only by `complete_login`.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for PinToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinToken(<redacted>)")
    }
}

impl From<SecretString> for PinToken {
    fn from(token: SecretString) -> Self {
        PinToken(token)
    }
}

/// The device to remember at the PIN step, so that the next
/// [`Client::login`] with the same `device_code` skips the PIN.
///
/// Leave everything `None` to not remember the device. Only `device_code`
/// matters to the service; the others are shown to the user in the portal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    /// A GUID the application chooses and keeps per device.
    pub device_code: Option<String>,
    /// Where the login comes from (e.g. "Tbilisi, Georgia").
    pub address: Option<String>,
    /// The browser or program (e.g. "Chrome 73").
    pub browser: Option<String>,
    /// The operating system (e.g. "Windows 10").
    pub oper_system: Option<String>,
}

impl DeviceInfo {
    /// Remember the device under `device_code` (a GUID you keep), nothing else.
    pub fn remember(device_code: impl Into<String>) -> Self {
        DeviceInfo {
            device_code: Some(device_code.into()),
            ..DeviceInfo::default()
        }
    }
}

/// A non-empty string, or `None`: the service sends `""` for "no value".
fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

impl Client {
    /// Log in with user name and password (`/Users/Authenticate`).
    ///
    /// Without two-step login (or with a `device_code` remembered at an
    /// earlier PIN step) this stores the access token in the client and
    /// returns [`LoginOutcome::LoggedIn`]; otherwise it returns
    /// [`LoginOutcome::PinRequired`] and the PIN goes to the user's phone.
    /// The current token (if any) is replaced only when a new one arrives:
    /// a failed login or a pending PIN leaves it as it was.
    ///
    /// Wrong credentials come back as an error carrying the service's -1xx
    /// code and text (HTTP 401); see [`Error::service_code`].
    ///
    /// The session is not renewed by itself when it expires; see
    /// [`Client::login_with_renewal`] for one-step accounts.
    pub async fn login(
        &self,
        username: &str,
        password: &SecretString,
        device_code: Option<&str>,
    ) -> Result<LoginOutcome, Error> {
        let outcome = self.sign_in(username, password, device_code).await?;
        if outcome.is_logged_in() {
            // A new session: credentials kept for the old one must go.
            self.transport().set_reauthenticator(None);
        }
        Ok(outcome)
    }

    /// Authenticate and, when a token comes back, store it; leaves the
    /// session renewal as it is (used by the renewal itself).
    pub(crate) async fn sign_in(
        &self,
        username: &str,
        password: &SecretString,
        device_code: Option<&str>,
    ) -> Result<LoginOutcome, Error> {
        let mut request = AuthenticateRequest {
            username: username.trim().to_string(),
            password: password.expose_secret().to_string(),
            device_code: device_code
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
        };
        let reply = self.authenticate(&request).await;
        request.password.zeroize();
        let reply = reply?;
        let masked_mobile = non_empty(reply.masked_mobile);
        if let Some(token) = non_empty(reply.access_token) {
            self.transport().set_token(SecretString::from(token));
            return Ok(LoginOutcome::LoggedIn {
                expires_in: reply.expires_in.map(i64::from),
                masked_mobile,
            });
        }
        if let Some(pin_token) = non_empty(reply.pin_token) {
            return Ok(LoginOutcome::PinRequired {
                pin_token: PinToken(SecretString::from(pin_token)),
                masked_mobile,
            });
        }
        Err(Error::Decode {
            endpoint: endpoints::Authenticate::META.name,
            path: "DATA".into(),
            message: "the reply carries neither ACCESS_TOKEN nor PIN_TOKEN".into(),
        })
    }

    /// Finish a two-step login with the PIN the user received
    /// (`/Users/AuthenticatePin`), store the access token, and return its
    /// lifetime in seconds when the service says.
    ///
    /// `device` remembers this device for later logins; pass
    /// `DeviceInfo::default()` to not remember it. A wrong or expired PIN
    /// comes back as an error carrying the service's code (-102 / -108).
    pub async fn complete_login(
        &self,
        pin_token: &PinToken,
        pin: &SecretString,
        device: DeviceInfo,
    ) -> Result<Option<i64>, Error> {
        let mut request = AuthenticatePinRequest {
            pin_token: pin_token.expose_secret().to_string(),
            pin: pin.expose_secret().trim().to_string(),
            device_code: non_empty(device.device_code),
            address: non_empty(device.address),
            browser: non_empty(device.browser),
            oper_system: non_empty(device.oper_system),
        };
        let reply = self.authenticate_pin(&request).await;
        request.pin.zeroize();
        request.pin_token.zeroize();
        let reply = reply?;
        let Some(token) = non_empty(reply.access_token) else {
            return Err(Error::Decode {
                endpoint: endpoints::AuthenticatePin::META.name,
                path: "DATA.ACCESS_TOKEN".into(),
                message: "the reply carries no ACCESS_TOKEN".into(),
            });
        };
        self.transport().set_token(SecretString::from(token));
        // A session that needed a PIN is never renewed behind the user.
        self.transport().set_reauthenticator(None);
        Ok(reply.expires_in.map(i64::from))
    }

    /// Log out (`/Users/SignOut`) and forget the token (and credentials
    /// kept by [`Client::login_with_renewal`]), even when the call
    /// fails (a token the caller asked to drop must not linger); returns the
    /// call's result. Without a token it does nothing and returns `Ok`.
    ///
    /// If another task logs in while the call runs, its new token is kept.
    pub async fn logout(&self) -> Result<(), Error> {
        let Some(signed_out) = self.transport().token() else {
            return Ok(());
        };
        let result = self.sign_out().await;
        let still_same = self
            .transport()
            .token()
            .is_some_and(|current| current.expose_secret() == signed_out.expose_secret());
        if still_same {
            self.transport().clear_token();
            self.transport().set_reauthenticator(None);
        }
        result.map(|_| ())
    }

    /// Whether the client holds a session token. It may still have expired
    /// on the service side (after `expires_in` seconds without a call).
    pub fn is_authenticated(&self) -> bool {
        self.transport().is_authenticated()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_pin_token() {
        let outcome = LoginOutcome::PinRequired {
            pin_token: PinToken::new(SecretString::from("roTFAvUvlyLFHDqYOKAp-10042019171434")),
            masked_mobile: Some("*** *** *28".into()),
        };
        let text = format!("{outcome:?}");
        assert!(!text.contains("roTFAv"), "{text}");
        assert!(
            text.contains("PinToken(<redacted>)") && text.contains("*28"),
            "{text}"
        );
        assert!(!outcome.is_logged_in());
    }

    #[test]
    fn device_info_remember() {
        let device = DeviceInfo::remember("df63cf1b-7417-49c1-87fb-e82037364746");
        assert_eq!(
            device.device_code.as_deref(),
            Some("df63cf1b-7417-49c1-87fb-e82037364746")
        );
        assert_eq!(device.browser, None);
    }

    #[test]
    fn empty_strings_are_none() {
        assert_eq!(non_empty(Some(String::new())), None);
        assert_eq!(non_empty(Some(" ".into())), None);
        assert_eq!(non_empty(Some("x".into())), Some("x".into()));
    }
}
