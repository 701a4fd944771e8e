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
    /// The staff of a service cases are referred to (a DAS unit or an NGO partner): their
    /// account's `resource` is the service's id, and they see only their service's inbox.
    Service,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Dispatcher,
        Role::Supervisor,
        Role::Driver,
        Role::Emiu,
        Role::Admin,
        Role::Receiver,
        Role::Telephony,
        Role::Service,
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
            Role::Service => "service",
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
    /// The resource a driver or EMIU member works as, or the service a service account
    /// belongs to; limits what they see.
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
