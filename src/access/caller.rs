//! Who is calling and what their role is: the vocabulary every access decision uses. How a
//! caller is recognised from a request (session cookie, bearer token) is the HTTP kit's business
//! (`http::auth`).

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// What a caller is allowed to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Dispatcher,
    Supervisor,
    Driver,
    Emiu,
    Admin,
    /// A TeleAsistență alarm receiver (a machine).
    Receiver,
    /// The telephony provider's webhooks (a machine).
    Telephony,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Dispatcher,
        Role::Supervisor,
        Role::Driver,
        Role::Emiu,
        Role::Admin,
        Role::Receiver,
        Role::Telephony,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Dispatcher => "dispatcher",
            Role::Supervisor => "supervisor",
            Role::Driver => "driver",
            Role::Emiu => "emiu",
            Role::Admin => "admin",
            Role::Receiver => "receiver",
            Role::Telephony => "telephony",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Account or credential name; recorded as the actor of every event they cause.
    pub name: String,
    pub role: Role,
    /// The resource a driver or EMIU member works as; limits what they see.
    pub resource: Option<String>,
}

impl Caller {
    /// Refuses with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "role {} may not do this",
                self.role.as_str()
            )))
        }
    }
}

/// Roles that work the dispatch queue.
pub const DISPATCH: &[Role] = &[Role::Dispatcher, Role::Supervisor, Role::Admin];
