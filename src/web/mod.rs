//! The HTTP kit every face uses: who is calling ([`auth`]), bodies and headers read with errors
//! that name the field ([`extract`]), the login throttle ([`throttle`]), how items leave in an
//! answer ([`view`]), and the shapes of the answers that the API document describes
//! ([`schemas`]). It names no feature's handlers; the router in `http` assembles them.

pub mod auth;
pub mod credential_cache;
pub mod extract;
pub mod schemas;
pub mod seen;
pub mod throttle;
pub mod view;
