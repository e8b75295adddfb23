//! The accounts the NtosService emulator starts with: the fact sheet's test
//! account and service users named like the real ones (`name:TIN`).

/// A main user: the RS.ge portal login that owns service users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MainUserSeed {
    /// The main user's id (`user_id` of every operation).
    pub user_id: i32,
    /// Login name (`user_name` of create_ser_user / get_ser_users).
    pub name: String,
    /// Password.
    pub password: String,
    /// The taxpayer it belongs to (must be in the registry, `Config::orgs`).
    pub tin: String,
}

/// A service user (`su`/`sp`).
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceUserSeed {
    /// Its own id (`sua` of chek).
    pub id: i32,
    /// Name, `name:TIN` by convention.
    pub name: String,
    /// Password.
    pub password: String,
    /// Its main user's id.
    pub user_id: i32,
    /// The IP address it is bound to (recorded, not enforced).
    pub ip: String,
    /// Notes.
    pub notes: String,
}

impl std::fmt::Debug for ServiceUserSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceUserSeed")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("user_id", &self.user_id)
            .field("ip", &self.ip)
            .field("notes", &self.notes)
            .finish()
    }
}

/// The fact sheet's main users: `tbilisi`/`123456` (TIN 206322102, un_id
/// 731937, user_id 783) and `satesto2`/`123456` (TIN 12345678910; its
/// user_id 784 is the sandbox's), plus the non-test `sandbox1`/`123456`
/// (fictional TIN 204000001, user_id 900) of the eAPI sandbox's registry.
pub fn default_main_users() -> Vec<MainUserSeed> {
    let user = |user_id, name: &str, tin: &str| MainUserSeed {
        user_id,
        name: name.into(),
        password: "123456".into(),
        tin: tin.into(),
    };
    vec![
        user(783, "tbilisi", "206322102"),
        user(784, "satesto2", "12345678910"),
        user(900, "sandbox1", "204000001"),
    ]
}

/// One service user per main user, named `name:TIN` with password
/// `123456` (the sandbox's choice; the fact sheet names no service user):
/// `tbilisi:206322102` (sua 1001), `satesto2:12345678910` (sua 1002),
/// `sandbox1:204000001` (sua 1003).
pub fn default_service_users() -> Vec<ServiceUserSeed> {
    let user = |id, name: &str, user_id| ServiceUserSeed {
        id,
        name: name.into(),
        password: "123456".into(),
        user_id,
        ip: "127.0.0.1".into(),
        notes: "sandbox".into(),
    };
    vec![
        user(1001, "tbilisi:206322102", 783),
        user(1002, "satesto2:12345678910", 784),
        user(1003, "sandbox1:204000001", 900),
    ]
}
