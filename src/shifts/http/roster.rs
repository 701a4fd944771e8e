//! `/api/v1/roster/contacts`, `/api/v1/roster/shifts`, `/api/v1/roster/on-duty`: the roster as
//! supervisors keep it and everyone in dispatch reads it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{Caller, Role, DISPATCH};
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::shifts::rules;
use crate::shifts::service::{self, audit_of, ms, time, ROSTERED_ROLES};
use crate::state::AppState;
use crate::store::roster::{ContactRecord, ShiftRecord};
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// Roles that keep the roster.
pub(crate) const KEEPERS: &[Role] = &[Role::Supervisor, Role::Admin];

/// Someone on a shift.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MemberOut {
    pub username: String,
    /// The account's display name; the username when the account is gone or disabled.
    pub display_name: String,
    /// Whether a phone is on file: someone without one is not rung.
    pub has_phone: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ShiftOut {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub lead: String,
    /// In the order sequential ringing follows.
    pub members: Vec<MemberOut>,
    pub created_by: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ShiftList {
    pub shifts: Vec<ShiftOut>,
}

/// Who is on duty at `at`, and the shift after.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DutyOut {
    pub at: DateTime<Utc>,
    pub on_duty: Vec<ShiftOut>,
    /// Usernames in the order an incoming call rings them.
    pub people: Vec<String>,
    /// How many phones an incoming call would ring; 0: the configured desk number.
    pub phones: usize,
    pub next: Option<ShiftOut>,
}

/// The accounts a shift may name.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PeopleList {
    pub people: Vec<MemberOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ContactList {
    pub contacts: Vec<ContactRecord>,
}

/// Turns stored shifts into answers with display names and whether each has a phone.
pub(crate) async fn shifts_out(
    state: &AppState,
    shifts: Vec<ShiftRecord>,
) -> Result<Vec<ShiftOut>> {
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    let users = state.store.users_with_roles(ROSTERED_ROLES).await?;
    let contacts = state.roster.contacts().await?;
    Ok(shifts
        .into_iter()
        .map(|s| ShiftOut {
            id: s.id,
            starts_at: time(s.starts_ms),
            ends_at: time(s.ends_ms),
            lead: s.lead,
            members: s
                .members
                .into_iter()
                .map(|m| MemberOut {
                    display_name: users
                        .iter()
                        .find(|u| u.username == m)
                        .map(|u| u.display_name.clone())
                        .unwrap_or_else(|| m.clone()),
                    has_phone: contacts.iter().any(|c| c.username == m),
                    username: m,
                })
                .collect(),
            created_by: s.created_by,
        })
        .collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct RangeQuery {
    /// From (RFC 3339); default: 24 hours ago.
    from: Option<DateTime<Utc>>,
    /// Until (RFC 3339); default: 7 days after `from`. At most 62 days after `from`.
    to: Option<DateTime<Utc>>,
}

#[utoipa::path(
    get,
    path = "/api/v1/roster/shifts",
    tag = "roster",
    operation_id = "list_shifts",
    description = "The shifts overlapping `[from, to)`, by start, with their members (display name, whether a phone is on file) and lead. Roles: dispatcher, supervisor, admin.",
    params(RangeQuery),
    responses(
        (status = 200, body = ShiftList),
        (status = 422, description = "`to` before `from`, or more than 62 days after it", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<RangeQuery>,
) -> Result<Json<ShiftList>> {
    caller.require(DISPATCH)?;
    let from = q
        .from
        .unwrap_or_else(|| Utc::now() - chrono::Duration::days(1));
    let to = q.to.unwrap_or(from + chrono::Duration::days(7));
    if to <= from {
        return Err(Error::validation("to", "must be after from"));
    }
    if to - from > chrono::Duration::days(62) {
        return Err(Error::validation("to", "at most 62 days after from"));
    }
    let shifts = state.roster.shifts_between(ms(from), ms(to)).await?;
    Ok(Json(ShiftList {
        shifts: shifts_out(&state, shifts).await?,
    }))
}

/// A shift as a supervisor enters it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShiftDto {
    /// RFC 3339.
    starts_at: DateTime<Utc>,
    /// RFC 3339; after `starts_at`, at most 24 hours later.
    ends_at: DateTime<Utc>,
    /// One of `members`.
    #[schema(max_length = 100, example = "ana.popescu")]
    lead: String,
    /// Usernames of enabled dispatchers or supervisors, 1-20, in the order sequential ringing
    /// follows; nobody may be on another shift overlapping this one.
    #[schema(example = json!(["ana.popescu", "ion.ionescu"]))]
    members: Vec<String>,
}

fn record(caller: &Caller, id: Uuid, dto: ShiftDto) -> Result<ShiftRecord> {
    if dto.members.len() > rules::MAX_MEMBERS {
        return Err(Error::validation(
            "members",
            "at most 20 people on one shift",
        ));
    }
    let members = dto
        .members
        .iter()
        .map(|m| parse::identifier("members", m, 100))
        .collect::<Result<Vec<_>>>()?;
    Ok(ShiftRecord {
        id,
        starts_ms: ms(dto.starts_at),
        ends_ms: ms(dto.ends_at),
        lead: parse::identifier("lead", &dto.lead, 100)?,
        members,
        created_by: caller.name.clone(),
        updated_ms: ms(Utc::now()),
    })
}

async fn answer(state: &AppState, id: Uuid) -> Result<ShiftOut> {
    let shift = state
        .roster
        .shift(id)
        .await?
        .ok_or_else(|| Error::NotFound("shift".into()))?;
    shifts_out(state, vec![shift])
        .await?
        .pop()
        .ok_or_else(|| Error::NotFound("shift".into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/roster/shifts",
    tag = "roster",
    operation_id = "create_shift",
    description = "Adds a shift. Refused with 422 naming the field: `ends_at` not after `starts_at` or more than 24 hours later, `members` empty, repeated, not enabled dispatcher/supervisor accounts or someone already on an overlapping shift, `lead` not a member. Audited. Roles: supervisor, admin.",
    request_body = ShiftDto,
    responses((status = 201, body = ShiftOut), BodyRefusals, Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<ShiftDto>,
) -> Result<(StatusCode, Json<ShiftOut>)> {
    caller.require(KEEPERS)?;
    let shift = record(&caller, Uuid::now_v7(), dto)?;
    service::save_shift(super::ctx(&state), &caller, &shift, "roster_shift_created").await?;
    Ok((StatusCode::CREATED, Json(answer(&state, shift.id).await?)))
}

#[utoipa::path(
    put,
    path = "/api/v1/roster/shifts/{id}",
    tag = "roster",
    operation_id = "update_shift",
    description = "Changes a shift (times, lead, members), with the same checks as adding one. Audited. Roles: supervisor, admin.",
    params(("id" = Uuid, Path, description = "The shift id")),
    request_body = ShiftDto,
    responses(
        (status = 200, body = ShiftOut),
        (status = 404, description = "No such shift", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<Uuid>,
    AppJson(dto): AppJson<ShiftDto>,
) -> Result<Json<ShiftOut>> {
    caller.require(KEEPERS)?;
    let old = state
        .roster
        .shift(id)
        .await?
        .ok_or_else(|| Error::NotFound("shift".into()))?;
    let mut shift = record(&caller, id, dto)?;
    shift.created_by = old.created_by;
    service::save_shift(super::ctx(&state), &caller, &shift, "roster_shift_changed").await?;
    Ok(Json(answer(&state, id).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/roster/shifts/{id}",
    tag = "roster",
    operation_id = "delete_shift",
    description = "Removes a shift. A shift a handover note was written for or to is kept (409). Audited. Roles: supervisor, admin.",
    params(("id" = Uuid, Path, description = "The shift id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such shift", body = ErrorBody),
        (status = 409, description = "A handover note refers to the shift", body = ErrorBody),
        (status = 422, description = "The id is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<Uuid>,
) -> Result<StatusCode> {
    caller.require(KEEPERS)?;
    if state.roster.shift_has_handover(id).await? {
        return Err(Error::conflict_because(
            "shift_has_handover",
            "a handover note refers to this shift; it stays in the history",
        ));
    }
    let audit = audit_of(&caller, format!("roster_shift_deleted:{id}"));
    if state.roster.delete_shift(id, &audit).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound("shift".into()))
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct AtQuery {
    /// The moment (RFC 3339); default: now.
    at: Option<DateTime<Utc>>,
}

#[utoipa::path(
    get,
    path = "/api/v1/roster/on-duty",
    tag = "roster",
    operation_id = "on_duty",
    description = "Who is on duty at `at` (default now: shifts with `starts_at <= at < ends_at`), the order an incoming call rings them in, how many phones that is, and the next shift to start. Roles: dispatcher, supervisor, admin.",
    params(AtQuery),
    responses((status = 200, body = DutyOut), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn on_duty(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<AtQuery>,
) -> Result<Json<DutyOut>> {
    caller.require(DISPATCH)?;
    let at = q.at.unwrap_or_else(Utc::now);
    let duty = service::duty_at(state.roster.as_ref(), at).await?;
    let contacts = state.roster.contacts().await?;
    let phones = rules::lines(&duty.people, &contacts).len();
    let mut on = shifts_out(&state, duty.on_duty).await?;
    let next = match duty.next {
        Some(n) => shifts_out(&state, vec![n]).await?.pop(),
        None => None,
    };
    on.sort_by_key(|s| s.starts_at);
    Ok(Json(DutyOut {
        at,
        on_duty: on,
        people: duty.people,
        phones,
        next,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/roster/people",
    tag = "roster",
    operation_id = "list_rostered_people",
    description = "The enabled dispatcher and supervisor accounts a shift may name, by username, with whether a phone is on file. Roles: supervisor, admin.",
    responses((status = 200, body = PeopleList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn people(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PeopleList>> {
    caller.require(KEEPERS)?;
    let users = state.store.users_with_roles(ROSTERED_ROLES).await?;
    let contacts = state.roster.contacts().await?;
    Ok(Json(PeopleList {
        people: users
            .into_iter()
            .map(|u| MemberOut {
                has_phone: contacts.iter().any(|c| c.username == u.username),
                display_name: u.display_name,
                username: u.username,
            })
            .collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/roster/contacts",
    tag = "roster",
    operation_id = "list_dispatcher_contacts",
    description = "The dispatchers' phones and extensions (staff personal data: the read is audited, never logged). Roles: supervisor, admin.",
    responses((status = 200, body = ContactList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn contacts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ContactList>> {
    caller.require(KEEPERS)?;
    state
        .store
        .audit(&audit_of(&caller, "roster_contacts_read".into()))
        .await?;
    Ok(Json(ContactList {
        contacts: state.roster.contacts().await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactDto {
    /// The phone an incoming call rings (E.164, e.g. `+40256000101`).
    #[schema(example = "+40256000101")]
    phone: String,
    /// A PBX extension (1-8 digits), dialled as tones once the phone answers.
    #[serde(default)]
    #[schema(example = "104")]
    extension: Option<String>,
}

#[utoipa::path(
    put,
    path = "/api/v1/roster/contacts/{username}",
    tag = "roster",
    operation_id = "put_dispatcher_contact",
    description = "Sets a dispatcher's (or supervisor's) phone and extension. Audited (the number is never logged). Roles: supervisor, admin.",
    params(("username" = String, Path, description = "An enabled dispatcher or supervisor account")),
    request_body = ContactDto,
    responses(
        (status = 200, body = ContactRecord),
        (status = 404, description = "No such enabled dispatcher or supervisor", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn put_contact(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(username): PathParam<String>,
    AppJson(dto): AppJson<ContactDto>,
) -> Result<Json<ContactRecord>> {
    caller.require(KEEPERS)?;
    let phone = parse::phone("phone", &dto.phone)?;
    if !phone.starts_with('+') {
        return Err(Error::validation(
            "phone",
            "must be in international form, starting with +",
        ));
    }
    let extension = dto
        .extension
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(rules::extension)
        .transpose()
        .map_err(|r| Error::validation(r.field, r.message))?;
    let staff = state.store.users_with_roles(ROSTERED_ROLES).await?;
    if !staff.iter().any(|u| u.username == username) {
        return Err(Error::NotFound("dispatcher".into()));
    }
    let contact = ContactRecord {
        username: username.clone(),
        phone,
        extension,
        updated_by: caller.name.clone(),
        updated_ms: ms(Utc::now()),
    };
    let audit = audit_of(&caller, format!("roster_contact_set:{username}"));
    state.roster.put_contact(&contact, &audit).await?;
    Ok(Json(contact))
}

#[utoipa::path(
    delete,
    path = "/api/v1/roster/contacts/{username}",
    tag = "roster",
    operation_id = "delete_dispatcher_contact",
    description = "Removes a dispatcher's phone: they are no longer rung. Audited. Roles: supervisor, admin.",
    params(("username" = String, Path, description = "The account")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No phone on file for the account", body = ErrorBody),
        (status = 422, description = "`username` contains control characters", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn delete_contact(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(username): PathParam<String>,
) -> Result<StatusCode> {
    caller.require(KEEPERS)?;
    let audit = audit_of(&caller, format!("roster_contact_removed:{username}"));
    if state.roster.remove_contact(&username, &audit).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound("contact".into()))
    }
}
