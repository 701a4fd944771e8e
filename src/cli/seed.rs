//! Synthetic demo data: the fleet of the adapted-transport service, its drivers, the EMIU team,
//! and one credential per role. Everything here is invented; no real person is described.

use tracing::info;

use crate::access::Role;
use crate::core::{Command, CoreError};
use crate::domain::{Resource, ResourceId, ResourceKind, ResourceStatus};
use crate::http::session::hash_password;
use crate::state::AppState;
use crate::store::UserRecord;
use crate::web::auth::{new_token, token_hash};
use routing::travel::LonLat;

/// Depot of the adapted-transport fleet (synthetic position near the DAS offices).
const DEPOT: LonLat = LonLat {
    lon: 21.2087,
    lat: 45.7537,
};

fn resources() -> Vec<Resource> {
    let mut out = Vec::new();
    for i in 1..=8u32 {
        // Five vans take two wheelchairs; three are minibuses for seated riders.
        let (seats, wheelchairs, model) = if i <= 5 {
            (4, 2, "Ford Transit adaptat")
        } else {
            (7, 0, "Opel Vivaro")
        };
        out.push(resource(
            &format!("VAN-{i:02}"),
            ResourceKind::Vehicle,
            &format!("{model} TM-{:02}-DAS", 10 + i),
            seats,
            wheelchairs,
        ));
        out.push(resource(
            &format!("SOFER-{i:02}"),
            ResourceKind::Driver,
            &format!("Șofer {i:02}"),
            0,
            0,
        ));
    }
    out.push(resource(
        "EMIU-1",
        ResourceKind::EmiuTeam,
        "Echipa EMIU 1",
        0,
        0,
    ));
    out.push(resource(
        "EMIU-2",
        ResourceKind::EmiuTeam,
        "Echipa EMIU 2",
        0,
        0,
    ));
    out
}

fn resource(id: &str, kind: ResourceKind, name: &str, seats: u32, wc: u32) -> Resource {
    Resource {
        id: ResourceId(id.to_owned()),
        kind,
        name: name.to_owned(),
        seats,
        wheelchair_places: wc,
        status: ResourceStatus::Available,
        current_item: None,
        position: Some(DEPOT),
        version: 0,
    }
}

/// Demo console users: (username, display name, role, resource they work as).
const USERS: &[(&str, &str, Role, Option<&str>)] = &[
    ("dispecer1", "Dispecer Unu", Role::Dispatcher, None),
    ("dispecer2", "Dispecer Doi", Role::Dispatcher, None),
    ("supervizor1", "Supervizor Unu", Role::Supervisor, None),
    ("sofer1", "Șofer Unu", Role::Driver, Some("SOFER-01")),
    ("emiu1", "Membru EMIU Unu", Role::Emiu, Some("EMIU-1")),
    ("admin1", "Administrator", Role::Admin, None),
];

/// A random password that is easy to read aloud: four groups of four lowercase letters/digits.
pub fn new_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect()
        })
        .collect();
    groups.join("-")
}

/// Registers the demo resources that are missing and, unless `quiet_if_present` finds them
/// all there already, (re)creates the demo users with fresh passwords and the demo machine
/// credentials with fresh tokens, and prints them.
pub async fn seed(state: &AppState, quiet_if_present: bool) -> anyhow::Result<()> {
    let mut added = 0;
    for r in resources() {
        match state
            .core
            .execute("seed-demo", Command::RegisterResource { resource: r })
            .await
        {
            Ok(_) => added += 1,
            Err(CoreError::Conflict { .. }) => {}
            Err(e) => return Err(anyhow::anyhow!("seeding resources: {e}")),
        }
    }
    info!(added, "demo resources registered");
    crate::teleasistenta::demo::seed(state.emergency.as_ref()).await?;
    crate::outbound::demo::seed(state.emergency.as_ref()).await?;
    let transport = &state.transport;
    crate::transport::demo::seed_fleet(transport.store.as_ref(), &state.config.transport).await?;
    let (today, _) = crate::transport::local_now(state);
    let network = state.network.get().cloned();
    let weeks = state.config.transport.recurrence_weeks;
    let trips = crate::transport::demo::seed_riders(
        transport.store.as_ref(),
        // From the day after tomorrow: tomorrow stays free for bookings made by hand (a
        // trainee's first day, the browser test).
        today + chrono::Duration::days(2),
        weeks,
        network.as_deref(),
    )
    .await?;
    info!(trips, "demo riders and recurring trips registered");
    if quiet_if_present && added == 0 {
        println!(
            "demo data already present; set passwords with `dispecer user add NAME --role ROLE` \
             and tokens with `dispecer token add NAME ROLE`"
        );
        return Ok(());
    }
    println!("Demo users (console logins; synthetic data only):");
    for (username, display, role, resource) in USERS {
        let password = new_password();
        state
            .store
            .put_user(&UserRecord {
                username: (*username).into(),
                display_name: (*display).into(),
                role: role.as_str().into(),
                password_hash: hash_password(&password)?,
                resource_id: resource.map(str::to_owned),
            })
            .await?;
        println!("  {:<11} {username:<12} {password}", role.as_str());
    }
    println!("Demo machine credentials (bearer tokens):");
    for role in [Role::Receiver, Role::Telephony] {
        let name = format!("demo-{}", role.as_str());
        let token = new_token();
        state
            .store
            .put_credential(&name, role.as_str(), &token_hash(&token))
            .await?;
        println!("  {:<11} {name:<16} {token}", role.as_str());
    }
    Ok(())
}
