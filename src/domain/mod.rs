//! Domain vocabulary: identifiers, closed enums, items and resources. Plain data, no I/O.

pub mod beds;
mod case;
pub mod geo;
mod ids;
mod item;
mod kinds;
pub mod outcomes;
pub mod parse;
mod resource;

pub use case::CaseRecord;
pub use ids::{ItemId, ResourceId, Seq};
pub use item::{
    ArrivalClock, Details, Fact, Item, MobilityNeeds, Note, Place, Priority, Subject, Timestamps,
};
pub use kinds::{
    AlarmType, CallCategory, CallChannel, ItemKind, Level, Reporter, ResourceKind, ResourceStatus,
    Status,
};
pub use resource::Resource;
