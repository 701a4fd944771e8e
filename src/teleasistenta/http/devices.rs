//! The device registry. Devices hold personal and medical data: only the dispatch roles read
//! them, and every read is audited.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use crate::access::{self, Caller, Role, Visibility, DISPATCH};
use crate::domain::parse;
use crate::domain::{Details, Item, Status};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::emergency::{Carer, DeviceRecord};
use crate::store::AuditRecord;
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::{
    DeviceList, DeviceSummary, DeviceView, LookupAnswer, OpenAlarm,
};
use crate::web::view::audit;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeviceDto {
    pub device_id: String,
    pub beneficiary: String,
    pub address: String,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
    pub phone: String,
    #[serde(default)]
    pub carers: Vec<Carer>,
    #[serde(default)]
    pub medical_notes: String,
    #[serde(default)]
    pub access_notes: String,
    #[serde(default)]
    pub key_safe: String,
    /// Seconds between check-ins; the configured default when absent.
    #[serde(default)]
    pub checkin_period_s: Option<i64>,
}

impl DeviceDto {
    fn parse(self, default_period: i64) -> Result<DeviceRecord> {
        let device_id = parse::identifier("device_id", &self.device_id, 64)?;
        let beneficiary = parse::text("beneficiary", &self.beneficiary, 200)?;
        if beneficiary.is_empty() {
            return Err(Error::validation("beneficiary", "must not be empty"));
        }
        let place = parse::PlaceDto {
            address: Some(self.address),
            lon: self.lon,
            lat: self.lat,
        }
        .parse("address")?;
        let address = place
            .address
            .ok_or_else(|| Error::validation("address", "must not be empty"))?;
        let phone = parse::phone("phone", &self.phone)?;
        if self.carers.len() > 10 {
            return Err(Error::validation("carers", "at most 10 carers"));
        }
        let mut carers = Vec::new();
        for (i, c) in self.carers.into_iter().enumerate() {
            let name = parse::text(&format!("carers[{i}].name"), &c.name, 200)?;
            if name.is_empty() {
                return Err(Error::validation(
                    format!("carers[{i}].name"),
                    "must not be empty",
                ));
            }
            carers.push(Carer {
                name,
                phone: parse::phone(&format!("carers[{i}].phone"), &c.phone)?,
                relation: parse::text(&format!("carers[{i}].relation"), &c.relation, 100)?,
            });
        }
        let period = self.checkin_period_s.unwrap_or(default_period);
        if !(1..=7 * 86_400).contains(&period) {
            return Err(Error::validation(
                "checkin_period_s",
                "must be 1 second to 7 days",
            ));
        }
        Ok(DeviceRecord {
            device_id,
            beneficiary,
            address,
            lon: place.position.map(|p| p.lon),
            lat: place.position.map(|p| p.lat),
            phone,
            carers,
            medical_notes: parse::text("medical_notes", &self.medical_notes, 4000)?,
            access_notes: parse::text("access_notes", &self.access_notes, 4000)?,
            key_safe: parse::text("key_safe", &self.key_safe, 500)?,
            checkin_period_s: period,
            last_checkin_at: Utc::now(),
            battery_pct: None,
            missed_raised_for: None,
            low_battery_raised: false,
        })
    }
}

/// `POST /api/v1/teleasistenta/devices`: registers or updates a device (201).
#[utoipa::path(
    post,
    path = "/api/v1/teleasistenta/devices",
    tag = "teleasistenta",
    operation_id = "register_device",
    description = "Registers or updates a device, its beneficiary and carers (kept: its check-in history). Roles: dispatcher, supervisor, admin.",
    request_body = DeviceDto,
    responses(
        (status = 201, description = "Stored", body = DeviceRecord),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<DeviceDto>,
) -> Result<(StatusCode, Json<DeviceRecord>)> {
    caller.require(&[Role::Supervisor, Role::Admin, Role::Dispatcher])?;
    let device = dto.parse(state.config.teleasistenta.default_checkin_period_s)?;
    state.emergency.put_device(&device).await?;
    let stored = state
        .emergency
        .device(&device.device_id)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("device vanished after registration")))?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn audit_device(state: &AppState, caller: &Caller, action: &str) -> Result<()> {
    state
        .store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: action.into(),
            item_id: None,
            outcome: "allowed".into(),
        })
        .await?;
    Ok(())
}

/// `GET /api/v1/teleasistenta/devices/{id}`: the device, its beneficiary and carers, and the
/// device's alarms still open.
#[utoipa::path(
    get,
    path = "/api/v1/teleasistenta/devices/{id}",
    tag = "teleasistenta",
    operation_id = "get_device",
    description = "A device with its beneficiary, carers and medical notes (personal data: the read is audited), and its open alarms. Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The device id, 1-64 of letters, digits and `-_.:/`")),
    responses(
        (status = 200, body = crate::web::schemas::emergency::DeviceView),
        (status = 404, description = "No such device", body = ErrorBody),
        (status = 422, description = "`id` is not a device id", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<DeviceView>> {
    caller.require(DISPATCH)?;
    let id = parse::identifier("id", &id, 64)?;
    audit_device(&state, &caller, &format!("view_device:{id}")).await?;
    let device = state
        .emergency
        .device(&id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("device {id}")))?;
    let open_items = state.core.read(|s| {
        s.items()
            .filter(|i| i.status != Status::Closed)
            .filter(|i| matches!(&i.details, Details::Alert { device_id, .. } if *device_id == id))
            .map(|i| OpenAlarm {
                id: i.id,
                category: i.category.clone(),
                status: i.status,
                level: i.priority.level,
            })
            .collect()
    });
    Ok(Json(DeviceView { device, open_items }))
}

/// `GET /api/v1/teleasistenta/devices`: ids, check-in state and battery (no personal data).
#[utoipa::path(
    get,
    path = "/api/v1/teleasistenta/devices",
    tag = "teleasistenta",
    operation_id = "list_devices",
    description = "Every device: id, check-in period, last check-in and battery (no personal data). Roles: dispatcher, supervisor, admin.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::DeviceList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<DeviceList>> {
    caller.require(DISPATCH)?;
    let devices = state
        .emergency
        .devices()
        .await?
        .into_iter()
        .map(|d| DeviceSummary {
            device_id: d.device_id,
            checkin_period_s: d.checkin_period_s,
            last_checkin_at: d.last_checkin_at,
            battery_pct: d.battery_pct,
        })
        .collect();
    Ok(Json(DeviceList { devices }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LookupQuery {
    /// The number, as dialled (spaces, dashes, dots and brackets are ignored).
    #[param(pattern = "^\\+?[0-9]{3,15}$")]
    pub phone: String,
}

/// `GET /api/v1/teleasistenta/lookup?phone=`: whose number it is (beneficiary or carer), and
/// the history of items from that number.
#[utoipa::path(
    get,
    path = "/api/v1/teleasistenta/lookup",
    tag = "teleasistenta",
    operation_id = "lookup_phone",
    description = "Whose number it is (beneficiary or carer of which devices) and the latest 50 items from it the caller may see (audited). Roles: dispatcher, supervisor, admin.",
    params(LookupQuery),
    responses(
        (status = 200, body = crate::web::schemas::emergency::LookupAnswer),
        (status = 422, description = "`phone` is missing or not a phone number", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn lookup(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<LookupQuery>,
) -> Result<Json<LookupAnswer>> {
    caller.require(DISPATCH)?;
    let phone = parse::phone("phone", &q.phone)?;
    audit_device(&state, &caller, "lookup_phone").await?;
    let devices = state.emergency.devices_by_phone(&phone).await?;
    let ids: Vec<&str> = devices.iter().map(|d| d.device_id.as_str()).collect();
    // A protected case is listed only to whoever sees it in full: even a redacted entry would
    // tell that this number belongs to a domestic-violence case. What is listed of one is
    // audited as a read of that case.
    let history: Vec<Item> = state.core.read(|s| {
        let mut items: Vec<_> = s
            .items()
            .filter(|i| match &i.details {
                Details::Call { caller_number, .. } => *caller_number == phone,
                Details::Callback { phone: p, .. } => *p == phone,
                Details::Alert { device_id, .. } => ids.contains(&device_id.as_str()),
                _ => false,
            })
            .filter(|i| {
                !access::is_sensitive(i) || access::visibility(&caller, i) == Visibility::Full
            })
            .filter_map(|i| access::view(&caller, i).map(|v| v.into_owned()))
            .collect();
        items.sort_by_key(|i| std::cmp::Reverse(i.times.received));
        items.truncate(50);
        items
    });
    for item in history.iter().filter(|i| access::is_sensitive(i)) {
        audit(
            state.store.as_ref(),
            &caller,
            "lookup_phone",
            item.id,
            Visibility::Full,
        )
        .await?;
    }
    Ok(Json(LookupAnswer {
        phone,
        devices,
        history,
    }))
}
