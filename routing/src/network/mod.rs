//! Road network (see crate docs).
