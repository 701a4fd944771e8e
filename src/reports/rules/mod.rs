//! The pure cores of the reports: no I/O, plain functions over plain data.
//!
//! - [`answer_times`]: answer-time percentiles per channel against the dispatch standards.
//! - [`period`]: a month or quarter of Timișoara time (Europe/Bucharest) as UTC instants.
//! - [`activity`]: the monthly/quarterly activity report, one function per section.
//! - [`csv`]: the activity report as CSV for Romanian Excel.
//! - [`retention`]: what is past its schedule, and how an item's events are anonymised.

pub(crate) mod activity;
pub(crate) mod answer_times;
pub(crate) mod csv;
pub(crate) mod period;
pub(crate) mod retention;

pub(crate) use answer_times::percentiles;
pub(crate) use answer_times::ChannelReport;
