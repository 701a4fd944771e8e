//! The transport use cases. Each takes the handles it needs (a [`Ctx`]: the [`Transport`]
//! handle, the core, the configuration, the road network), never the HTTP state.
//!
//! - [`handle`]: [`Transport`] (storage, SMS, templates, plan lock) and [`Ctx`].
//! - [`bookings`]: book (recurrence, eligibility, conflicts), cancel and change under the
//!   cut-off.
//! - [`plan_edit`]: the day's instance, storing the next plan version, and the same-day edits
//!   (a trip inserted or removed) that bookings, planning and delays share.
//! - [`planning`]: the day plan, the evening-before reminders.
//! - [`placing`]: where a trip fits by hand (each vehicle, its cost or why not), and the move.
//! - [`driver`]: the tablet's manifest day and actions (exactly once by client action id).
//! - [`positions`]: a GPS fix stored with its odometer step; the "arriving" message.
//! - [`delay`]: a late vehicle shifts its remaining stops; trips it can no longer serve in their
//!   window move to another vehicle or become a queue item.
//! - [`live`]: each change as a `transport_changed` event through the core (pushed live).
//! - [`messages`]: which rider SMS each step causes, through [`crate::sms::Sms::enqueue`].
//! - [`reports`]: the report over a range of days.
//! - [`tablet_messages`]: messages between dispatch and a driver (sent, acknowledged, kept in
//!   the vehicle's day).
//! - [`policy`]: eligibility at booking, the no-show / late-cancel count and flag, suspend and
//!   waive, the expiring certificates and their SMS reminder.
//! - [`replies`]: a rider's SMS reply (DA / NU / ANULEZ / UNDE / a note for dispatch).
//! - [`route_lines`]: the road geometry of a day's planned routes (per plan version).
//! - [`runs`]: the Mobilitate unit's runs (meal rounds, shuttles, supply runs) as trips.
//! - [`demo`]: synthetic riders and bookings.

pub(crate) mod bookings;
pub(crate) mod delay;
pub mod demo;
pub(crate) mod driver;
pub(crate) mod handle;
pub(crate) mod live;
pub(crate) mod messages;
pub(crate) mod placing;
pub(crate) mod plan_edit;
pub(crate) mod planning;
pub(crate) mod policy;
pub(crate) mod positions;
pub(crate) mod replies;
pub(crate) mod reports;
pub(crate) mod route_lines;
pub(crate) mod runs;
pub(crate) mod tablet_messages;

pub(crate) use handle::Ctx;
pub use handle::Transport;
