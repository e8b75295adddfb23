//! The service user and the lookups every integration starts with, on top
//! of the generated `chek`, `get_un_id_from_tin`, `get_tin_from_un_id`,
//! `get_org_name_from_un_id` and `get_un_id_from_user_id`: they turn the
//! service's `false` and `<= 0` answers into [`NtosError`]s.

use secrecy::SecretString;
use taxsdk_runtime::Error;

use crate::NtosError;
use crate::client::Client;
use crate::models::*;

/// What `chek` says about the service user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServiceUserIds {
    /// The main user's id: the `user_id` every other operation takes.
    pub user_id: i32,
    /// The service user's own id (`sua`).
    pub service_user_id: i32,
}

/// A taxpayer of the registry, as the un_id lookups answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Taxpayer {
    /// The internal taxpayer id.
    pub un_id: i32,
    /// The TIN (9 or 11 digits), when the lookup answers it.
    pub tin: Option<String>,
    /// The name, when the lookup answers it.
    pub name: Option<String>,
}

/// A non-empty, trimmed string, or `None`.
fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Checks the shape of a Georgian TIN: 9 digits (organisation) or 11
/// (person), surrounding whitespace ignored.
pub fn check_tin(tin: &str) -> Result<&str, NtosError> {
    let trimmed = tin.trim();
    if matches!(trimmed.len(), 9 | 11) && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        Ok(trimmed)
    } else {
        Err(NtosError::InvalidInput {
            field: "tin",
            value: trimmed.to_owned(),
            rule: "a TIN is 9 digits (organisation) or 11 digits (person)",
        })
    }
}

impl Client {
    /// A client of `base_url` (the service's host, e.g.
    /// `https://www.revenue.mof.ge` or a sandbox's `http://127.0.0.1:PORT`)
    /// acting as service user `su` (e.g. `tbilisi:206322102`) with password
    /// `sp`. For other settings use [`Client::builder`] with
    /// `.service_user(su, sp)`.
    pub fn connect(
        base_url: impl Into<String>,
        su: impl Into<String>,
        sp: SecretString,
    ) -> Result<Client, Error> {
        Client::builder()
            .base_url(base_url)
            .service_user(su, sp)
            .build()
    }

    /// Act as service user `su` with password `sp` from now on.
    pub fn set_service_user(&self, su: impl Into<String>, sp: SecretString) {
        self.transport().set_service_user(su, sp);
    }

    /// `chek`: whether the service accepts the service user, and the ids it
    /// answers. `false` becomes [`NtosError::BadCredentials`].
    pub async fn check_service_user(&self) -> Result<ServiceUserIds, NtosError> {
        let reply = self.chek(&ChekParams { user_id: 0 }).await?;
        if !reply.result {
            return Err(NtosError::BadCredentials {
                operation: "chek",
                user: self.transport().service_user_name().unwrap_or_default(),
            });
        }
        Ok(ServiceUserIds {
            user_id: reply.user_id,
            service_user_id: reply.sua,
        })
    }

    /// The taxpayer with TIN `tin` (`get_un_id_from_tin`): its un_id and
    /// name. A TIN of the wrong shape is refused before calling; a result
    /// <= 0 is [`NtosError::NotFound`].
    pub async fn un_id_from_tin(&self, user_id: i32, tin: &str) -> Result<Taxpayer, NtosError> {
        let tin = check_tin(tin)?;
        let reply = self
            .get_un_id_from_tin(&GetUnIdFromTinParams {
                user_id,
                tin: Some(tin.to_owned()),
            })
            .await?;
        if reply.result <= 0 {
            return Err(NtosError::not_found(
                "get_un_id_from_tin",
                format!("TIN {tin}"),
                i64::from(reply.result),
            ));
        }
        Ok(Taxpayer {
            un_id: reply.result,
            tin: Some(tin.to_owned()),
            name: text(reply.name),
        })
    }

    /// The taxpayer with un_id `un_id` (`get_tin_from_un_id`): its TIN and
    /// name. No TIN in the answer is [`NtosError::NotFound`].
    pub async fn tin_from_un_id(&self, user_id: i32, un_id: i32) -> Result<Taxpayer, NtosError> {
        let reply = self
            .get_tin_from_un_id(&GetTinFromUnIdParams { user_id, un_id })
            .await?;
        let tin = text(reply.result).filter(|t| t != "-1" && t != "0");
        let Some(tin) = tin else {
            return Err(NtosError::not_found(
                "get_tin_from_un_id",
                format!("un_id {un_id}"),
                -1,
            ));
        };
        Ok(Taxpayer {
            un_id,
            tin: Some(tin),
            name: text(reply.name),
        })
    }

    /// The name of the taxpayer with un_id `un_id`
    /// (`get_org_name_from_un_id`). No name is [`NtosError::NotFound`].
    pub async fn org_name_from_un_id(&self, user_id: i32, un_id: i32) -> Result<String, NtosError> {
        let reply = self
            .get_org_name_from_un_id(&GetOrgNameFromUnIdParams { user_id, un_id })
            .await?;
        text(reply.result).ok_or_else(|| {
            NtosError::not_found("get_org_name_from_un_id", format!("un_id {un_id}"), -1)
        })
    }

    /// The un_id of the main user's own taxpayer (`get_un_id_from_user_id`).
    pub async fn own_un_id(&self, user_id: i32) -> Result<i32, NtosError> {
        let reply = self
            .get_un_id_from_user_id(&GetUnIdFromUserIdParams { user_id })
            .await?;
        if reply.result <= 0 {
            return Err(NtosError::not_found(
                "get_un_id_from_user_id",
                format!("user_id {user_id}"),
                i64::from(reply.result),
            ));
        }
        Ok(reply.result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tin_shapes() {
        assert_eq!(check_tin(" 206322102 ").unwrap(), "206322102");
        assert_eq!(check_tin("12345678910").unwrap(), "12345678910");
        let err = check_tin("12ab").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid tin `12ab`: a TIN is 9 digits (organisation) or 11 digits (person)"
        );
        assert!(check_tin("2063221020").is_err());
    }

    #[test]
    fn debug_of_a_client_shows_no_password() {
        let client = Client::connect(
            "http://127.0.0.1:9",
            "tbilisi:206322102",
            SecretString::from("very-secret-sp"),
        )
        .unwrap();
        let text = format!("{client:?}");
        assert!(!text.contains("very-secret-sp"), "{text}");
        assert!(text.contains("tbilisi:206322102"), "{text}");
    }
}
