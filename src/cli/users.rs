//! `dispecer user …`: console and tablet accounts, managed on the host (never over HTTP).
//!
//! - `user add` creates a user, or updates one: a new password (given or generated) and the
//!   role, name and resource given. An update ends every session of the user (browser cookies
//!   and tablet tokens), in the same transaction: whoever held the old password, or a tablet
//!   with a token from it, is out. A disabled account stays disabled.
//! - `user disable` shuts an account: no login, and every session ends (a stolen tablet).
//!   `user enable` lets the user log in again; their old sessions stay ended.
//! - `user sessions end` ends every session of a user without touching the account.
//!
//! Sessions are checked against the database on each request, so all of this takes effect on
//! the next request, on every instance; an open websocket closes within
//! `auth.websocket_recheck_ms`. The functions here are what the commands run, so tests call
//! them in-process.

use anyhow::Context;
use std::path::Path;

use crate::access::Role;
use crate::config::Config;
use crate::store::{self, Store, UserRecord};

/// What `user add` is asked to set.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub username: String,
    /// dispatcher, supervisor, driver, emiu or admin.
    pub role: String,
    /// None: a new one is generated (and returned once).
    pub password: Option<String>,
    /// Display name; None keeps the current one (the username for a new user).
    pub name: Option<String>,
    /// The resource a driver or EMIU member works as; None keeps the current one, `""` clears it.
    pub resource: Option<String>,
}

/// What `user add` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    Created,
    Updated {
        /// Sessions (cookies and tablet tokens) that the change ended.
        sessions_ended: u64,
        /// The account is disabled and stays so.
        disabled: bool,
    },
}

#[derive(Clone, Debug)]
pub struct AddOutcome {
    pub added: Added,
    /// The password, when it was generated: shown once.
    pub generated_password: Option<String>,
}

fn no_such_user(username: &str) -> anyhow::Error {
    anyhow::anyhow!("no user {username:?}")
}

/// A person's role (machines get tokens, not accounts) and a well-formed username.
fn check_role_and_name(role: &str, username: &str) -> anyhow::Result<Role> {
    let role = Role::parse(role)
        .filter(|r| !matches!(r, Role::Receiver | Role::Telephony))
        .with_context(|| {
            format!("unknown role {role:?}; one of: dispatcher, supervisor, driver, emiu, admin, service")
        })?;
    crate::domain::parse::identifier("username", username, 64)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(role)
}

/// Creates or updates a user (see the module docs); an update ends the user's sessions.
pub async fn add(store: &dyn Store, new: NewUser) -> anyhow::Result<AddOutcome> {
    let role = check_role_and_name(&new.role, &new.username)?;
    let generated = new.password.is_none();
    let password = new.password.unwrap_or_else(super::seed::new_password);
    anyhow::ensure!(password.len() >= 8, "--password: at least 8 characters");
    anyhow::ensure!(password.len() <= 256, "--password: at most 256 characters");
    let password_hash = crate::http::session::hash_password(&password)?;
    let existing = store.find_account(&new.username).await?;
    let resource = match new.resource {
        Some(r) if r.is_empty() => None,
        Some(r) => Some(r),
        None => existing.as_ref().and_then(|a| a.user.resource_id.clone()),
    };
    anyhow::ensure!(
        role != Role::Service || resource.is_some(),
        "--resource: a service account needs the id of its service (see GET /api/v1/services)"
    );
    let display_name = new
        .name
        .or_else(|| existing.as_ref().map(|a| a.user.display_name.clone()))
        .unwrap_or_else(|| new.username.clone());
    let user = UserRecord {
        username: new.username,
        display_name,
        role: role.as_str().to_owned(),
        password_hash,
        resource_id: resource,
    };
    let added = match existing {
        None => {
            store.put_user(&user).await?;
            Added::Created
        }
        // An update always sets a new password (given or generated), so it always ends the
        // sessions: those opened with the old password, and those of the old role or resource.
        Some(account) => Added::Updated {
            sessions_ended: store.put_user_ending_sessions(&user).await?,
            disabled: account.disabled,
        },
    };
    Ok(AddOutcome {
        added,
        generated_password: generated.then_some(password),
    })
}

/// Disables an account and ends its sessions; returns how many sessions it ended.
pub async fn disable(store: &dyn Store, username: &str) -> anyhow::Result<u64> {
    store
        .disable_user(username, chrono::Utc::now())
        .await?
        .ok_or_else(|| no_such_user(username))
}

/// Lets a disabled user log in again (their old sessions stay ended).
pub async fn enable(store: &dyn Store, username: &str) -> anyhow::Result<()> {
    anyhow::ensure!(store.enable_user(username).await?, no_such_user(username));
    Ok(())
}

/// Ends every session (cookies and tablet tokens) of a user; returns how many.
pub async fn end_sessions(store: &dyn Store, username: &str) -> anyhow::Result<u64> {
    if store.find_account(username).await?.is_none() {
        return Err(no_such_user(username));
    }
    Ok(store.end_sessions(username).await?)
}

fn sessions(n: u64) -> String {
    match n {
        1 => "1 session".into(),
        n => format!("{n} sessions"),
    }
}

async fn open(config_file: Option<&Path>) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    let config = Config::load(config_file)?;
    store::connect(&config.store).await
}

/// `dispecer user add USERNAME --role ROLE [--password P] [--name N] [--resource R]`.
pub async fn add_command(config_file: Option<&Path>, new: NewUser) -> anyhow::Result<()> {
    let username = new.username.clone();
    let role = new.role.clone();
    // Checked before the database is opened, so a typo is reported without a connection.
    check_role_and_name(&role, &username)?;
    let store = open(config_file).await?;
    let outcome = add(&*store, new).await?;
    match outcome.added {
        Added::Created => println!("user {username} created (role {role})"),
        Added::Updated {
            sessions_ended,
            disabled,
        } => {
            println!(
                "user {username} updated (role {role}); {} ended",
                sessions(sessions_ended)
            );
            if disabled {
                println!(
                    "user {username} is disabled and stays so: `dispecer user enable {username}`"
                );
            }
        }
    }
    if let Some(password) = outcome.generated_password {
        println!("password (shown once): {password}");
    }
    Ok(())
}

/// `dispecer user disable USERNAME`.
pub async fn disable_command(config_file: Option<&Path>, username: &str) -> anyhow::Result<()> {
    let store = open(config_file).await?;
    let ended = disable(&*store, username).await?;
    println!("user {username} disabled; {} ended", sessions(ended));
    Ok(())
}

/// `dispecer user enable USERNAME`.
pub async fn enable_command(config_file: Option<&Path>, username: &str) -> anyhow::Result<()> {
    let store = open(config_file).await?;
    enable(&*store, username).await?;
    println!("user {username} enabled (may log in again; old sessions stay ended)");
    Ok(())
}

/// `dispecer user sessions end USERNAME`.
pub async fn end_sessions_command(
    config_file: Option<&Path>,
    username: &str,
) -> anyhow::Result<()> {
    let store = open(config_file).await?;
    let ended = end_sessions(&*store, username).await?;
    println!("{} of user {username} ended", sessions(ended));
    Ok(())
}
