//! The roster's HTTP face.
//!
//! - [`roster`]: dispatchers' phones, shifts, who is on duty.
//! - [`handover`]: the handover note, its acknowledgements, the history.

pub(crate) mod handover;
pub(crate) mod roster;

use crate::shifts::service::Ctx;
use crate::state::AppState;

/// The use cases' handles, from the state.
pub(crate) fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        roster: state.roster.as_ref(),
        store: state.store.as_ref(),
        core: &state.core,
        emergency: state.emergency.as_ref(),
        config: &state.config.shifts,
    }
}
