//! The API contract: an OpenAPI 3.1 document generated from the handlers' annotations (utoipa),
//! served at `GET /api/v1/openapi.json` (public: it describes shapes, never data) and committed
//! as `docs/openapi.json`. The API test `openapi::the_served_document_matches_docs_openapi_json`
//! fails when the two differ; `dispecer openapi > docs/openapi.json` regenerates the file.
//!
//! The shapes of the answers are in `web::schemas`; this module only assembles the document.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

/// The generated document. Paths are listed here; each handler carries its own annotation.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "dispecer",
        description = "Dispatch service of DAS Timișoara: intake of TeleAsistență alarms, \
            call cards and transport bookings; the prioritised queue; item actions; resources; \
            the map; adapted transport; the telephony webhooks; TeleAsistență devices and \
            workflow; EMIU cases; referrals and follow-ups; answer-time reports. Every error has the body `{\"error\": {\"code\", \"message\", \"field\", \"reason\"}}` (`reason`: a snake_case code of why, on the refusals a console explains). \
            Live events come over the websocket `GET /ws` (see its description).",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only"),
    ),
    paths(
        crate::intake::alerts::post,
        crate::intake::calls::post,
        crate::intake::bookings::post,
        super::items::queue_view,
        super::items::item,
        super::items::item_events,
        super::items::item_audit,
        crate::assign::items::acknowledge,
        crate::assign::bulk::acknowledge,
        crate::assign::items::assign,
        crate::assign::items::start,
        crate::assign::items::close,
        crate::assign::items::note,
        crate::assign::candidates::candidates,
        crate::assign::dial::dial,
        crate::assign::dial::outbound_twiml,
        crate::assign::dial::outbound_done,
        crate::supervisor::http::overview,
        crate::supervisor::http::reassign,
        crate::supervisor::http::unassign,
        crate::assign::resources::resources,
        crate::assign::resources::register,
        crate::assign::resources::resource_status,
        crate::assign::resources::resource_position,
        super::session::login,
        super::session::logout,
        super::session::me,
        super::map::map,
        super::map::geocode,
        super::map::reverse,
        super::map::route,
        crate::push::upgrade,
        super::health::healthz,
        super::health::readyz,
        super::health::metrics,
        openapi_json,
        crate::transport::http::riders::list,
        crate::transport::http::riders::create,
        crate::transport::http::riders::one,
        crate::transport::http::riders::vehicles,
        crate::transport::http::riders::put_vehicle,
        crate::transport::http::bookings::create,
        crate::transport::http::bookings::list,
        crate::transport::http::bookings::one,
        crate::transport::http::bookings::change,
        crate::transport::http::bookings::cancel,
        crate::transport::http::plans::show,
        crate::transport::http::plans::compute,
        crate::transport::http::plans::move_trip,
        crate::transport::http::plans::fits,
        crate::transport::http::plans::routes,
        crate::transport::http::plans::positions,
        crate::transport::http::plans::reminders,
        crate::transport::http::driver::manifest,
        crate::transport::http::driver::act,
        crate::transport::http::driver::position,
        crate::transport::http::messages::list,
        crate::transport::http::messages::send,
        crate::transport::http::messages::acknowledge,
        crate::transport::http::reports::json_report,
        crate::transport::http::reports::csv_report,
        crate::transport::http::policy::flagged,
        crate::transport::http::policy::expiring,
        crate::transport::http::policy::reminders,
        crate::transport::http::policy::history,
        crate::transport::http::policy::suspend,
        crate::transport::http::policy::waive,
        crate::transport::http::runs::create,
        crate::transport::http::runs::list,
        crate::transport::http::runs::cancel,
        crate::telephony::webhooks::voice,
        crate::telephony::webhooks::status,
        crate::telephony::webhooks::next,
        crate::telephony::webhooks::hold,
        crate::telephony::webhooks::sms,
        crate::teleasistenta::http::devices::list,
        crate::teleasistenta::http::devices::register,
        crate::teleasistenta::http::devices::one,
        crate::teleasistenta::http::devices::lookup,
        crate::teleasistenta::http::checkin::post,
        crate::teleasistenta::http::steps::post,
        crate::teleasistenta::http::steps::workflow,
        crate::teleasistenta::http::storm::get,
        crate::emiu::http::case::roster,
        crate::emiu::http::case::risk_form,
        crate::emiu::http::case::view,
        crate::emiu::http::records::risk,
        crate::emiu::http::records::measure,
        crate::emiu::http::records::report,
        crate::emiu::http::procedure::police_request,
        crate::emiu::http::procedure::on_scene,
        crate::emiu::http::procedure::accommodation,
        crate::emiu::http::procedure::protection_order,
        crate::emiu::http::procedure::legal_step,
        crate::emiu::http::procedure::hazard,
        crate::emiu::http::procedure::children,
        crate::emiu::http::procedure::close,
        crate::emiu::http::shelters::list,
        crate::referrals::http::referral::services,
        crate::referrals::http::referral::categorise,
        crate::referrals::http::referral::refer,
        crate::referrals::http::referral::acknowledge,
        crate::referrals::http::referral::list,
        crate::referrals::http::follow_up::schedule,
        crate::referrals::http::follow_up::list,
        crate::referrals::http::safe_contact::mark,
        crate::referrals::http::directory::search,
        crate::referrals::http::directory::get_one,
        crate::referrals::http::directory::create,
        crate::referrals::http::directory::update,
        crate::referrals::http::directory::deactivate,
        crate::referrals::http::inbox::list,
        crate::referrals::http::inbox::acknowledge,
        crate::referrals::http::inbox::outcome,
        crate::reports::http::get,
        crate::reports::http::activity::get,
        crate::reports::http::retention::purge_log,
        crate::receiver::http::accounts,
        crate::beds::http::registry::providers,
        crate::beds::http::registry::create_provider,
        crate::beds::http::registry::update_provider,
        crate::beds::http::registry::facilities,
        crate::beds::http::registry::facility,
        crate::beds::http::registry::create_facility,
        crate::beds::http::registry::update_facility,
        crate::beds::http::admissions::admit,
        crate::beds::http::admissions::discharge,
        crate::beds::http::admissions::arrived,
        crate::beds::http::admissions::list,
        crate::beds::http::admissions::overstays,
        crate::beds::http::cold::state,
        crate::beds::http::cold::switch,
        crate::beds::http::cold::temperature,
        crate::beds::http::outreach::view,
        crate::beds::http::outreach::hold,
        crate::outbound::http::calls::list,
        crate::outbound::http::calls::dial,
        crate::outbound::http::calls::outcome,
        crate::outbound::http::calls::profile,
        crate::outbound::http::calls::read_profile,
        crate::outbound::http::plans::schedules,
        crate::outbound::http::plans::create_schedule,
        crate::outbound::http::plans::stop_schedule,
        crate::outbound::http::plans::lists,
        crate::outbound::http::plans::create_list,
        crate::outbound::http::plans::preview,
        crate::outbound::http::plans::campaigns,
        crate::outbound::http::plans::create_campaign,
        crate::outbound::http::plans::campaign,
        crate::outbound::http::plans::start_campaign,
        crate::shifts::http::roster::list,
        crate::shifts::http::roster::create,
        crate::shifts::http::roster::update,
        crate::shifts::http::roster::delete,
        crate::shifts::http::roster::on_duty,
        crate::shifts::http::roster::people,
        crate::shifts::http::roster::contacts,
        crate::shifts::http::roster::put_contact,
        crate::shifts::http::roster::delete_contact,
        crate::shifts::http::handover::write,
        crate::shifts::http::handover::pending,
        crate::shifts::http::handover::acknowledge,
        crate::shifts::http::handover::history,
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "intake", description = "Work entering the queue"),
        (name = "queue", description = "Reading the queue and items (every read is audited)"),
        (name = "actions", description = "Acting on items"),
        (name = "resources", description = "Vehicles, drivers, EMIU teams"),
        (name = "session", description = "Login and logout"),
        (name = "map", description = "Map, address search, routes (© OpenStreetMap contributors)"),
        (name = "push", description = "Live events"),
        (name = "operations", description = "Probes, metrics, this document"),
        (name = "transport", description = "Adapted transport: riders, vehicles, bookings, day plans, the driver tablet, reports"),
        (name = "telephony", description = "The telephony provider's webhooks (signed, not bearer)"),
        (name = "teleasistenta", description = "TeleAsistență devices, check-ins, the alarm workflow, storms"),
        (name = "emiu", description = "EMIU cases: risk assessment, measures, reports, shelters"),
        (name = "referrals", description = "Call categories, referrals to services, follow-ups, safe contact"),
        (name = "reports", description = "Answer-time reports"),
        (name = "supervisor", description = "The supervisor's overview; reassigning and unassigning items"),
        (name = "receiver", description = "The SIA DC-09 alarm receiver's accounts"),
        (name = "beds", description = "The bed registry, admissions, the cold-weather mode, outreach"),
        (name = "outbound", description = "Outbound calls: wellbeing schedules, call lists, campaigns, dial and outcome"),
        (name = "roster", description = "The dispatchers' duty roster, who is on duty, handover notes"),
    )
)]
pub struct ApiDoc;

/// Names of the security schemes, as the handlers' annotations use them.
pub const BEARER: &str = "bearer";
pub const COOKIE: &str = "session_cookie";
pub const TWILIO: &str = "twilio_signature";

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some(
            "A machine token (`dsp_…`, from `dispecer token add`) or a tablet session token \
             (`dss_…`, from a login with `\"token\": true`)."
                .into(),
        );
        components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));
        components.add_security_scheme(
            COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::web::auth::SESSION_COOKIE,
                "The browser session from `POST /api/v1/session` (HttpOnly, SameSite=Strict).",
            ))),
        );
        components.add_security_scheme(
            TWILIO,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Twilio-Signature",
                "The telephony webhooks' authentication: base64 HMAC-SHA1, keyed with \
                 `telephony.auth_token`, of the public URL followed by the form parameters \
                 sorted by name (each name then its value). A missing or bad one is a 403.",
            ))),
        );
        components.add_security_scheme(
            "access_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "access_token",
                "The bearer token as a query parameter, for websocket clients that cannot set \
                 headers (`GET /ws` only).",
            ))),
        );
    }
}

/// The document as pretty JSON with a final newline: what `GET /api/v1/openapi.json` serves,
/// `dispecer openapi` prints and `docs/openapi.json` holds.
pub fn json() -> String {
    let text = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    // utoipa 5.5 writes a response link's fields in snake case, which OpenAPI tools ignore:
    // renamed to the specification's `operationId` / `operationRef`, so that schemathesis
    // follows the links. Only a link has these keys with a string value.
    let mut text = text
        .replace("\"operation_id\": \"", "\"operationId\": \"")
        .replace("\"operation_ref\": \"", "\"operationRef\": \"");
    text.push('\n');
    text
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(openapi_json))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object))
)]
pub(crate) async fn openapi_json() -> Json<serde_json::Value> {
    use std::sync::OnceLock;
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    Json(
        DOC.get_or_init(|| serde_json::from_str(&json()).unwrap_or_default())
            .clone(),
    )
}
