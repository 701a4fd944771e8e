//! The receiver's pure core: the DC-09 frame ([`frame`]) and the events it carries ([`events`]).

pub(crate) mod events;
pub(crate) mod frame;
