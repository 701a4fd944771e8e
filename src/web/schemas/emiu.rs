//! Shapes of the EMIU procedure's answers (police requests, protection orders, hazards,
//! closing), and the closed lists the API document offers for its inputs.

use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::ToSchema;

use crate::domain::ItemId;
use crate::store::emiu::HazardRecord;

/// A hazard noted at the case's address.
#[derive(Serialize, ToSchema)]
pub struct HazardAnswer {
    pub item_id: ItemId,
    pub hazard: HazardRecord,
}

fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .into()
}

/// `opp` (provisional, by the police) or `op` (by the court).
pub fn orders() -> Schema {
    one_of(crate::emiu::rules::ORDERS.iter().copied())
}

/// The legal steps.
pub fn legal_steps() -> Schema {
    one_of(crate::emiu::rules::LEGAL_STEPS.iter().copied())
}

/// The hazards a team is warned of.
pub fn hazards() -> Schema {
    one_of(crate::emiu::rules::HAZARDS.iter().copied())
}

/// The EMIU team's closing outcomes.
pub fn outcomes() -> Schema {
    one_of(crate::domain::outcomes::EMIU.iter().copied())
}

/// The risk levels an override may set.
pub fn levels() -> Schema {
    one_of(crate::emiu::risk::LEVELS.iter().copied())
}
