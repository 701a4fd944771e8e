//! Dial-a-ride scheduler (see crate docs).
