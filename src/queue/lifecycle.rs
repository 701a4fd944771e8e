//! Item lifecycle: new → acknowledged → assigned → in progress → closed.

use crate::domain::Status;

/// Whether `from → to` is a legal step. Closing is allowed from any acknowledged state (a false
/// alarm is closed without sending anyone); nothing leaves `closed`, and nothing skips the
/// acknowledgement, which is what stops the response clock.
pub fn can_move(from: Status, to: Status) -> bool {
    use Status::*;
    matches!(
        (from, to),
        (New, Acknowledged)
            | (Acknowledged, Assigned)
            | (Assigned, Assigned)
            | (Assigned, InProgress)
            | (Acknowledged | Assigned | InProgress, Closed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn status() -> impl Strategy<Value = Status> {
        prop::sample::select(Status::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn nothing_leaves_closed_and_nothing_returns_to_new(a in status(), b in status()) {
            if a == Status::Closed { prop_assert!(!can_move(a, b)); }
            if b == Status::New { prop_assert!(!can_move(a, b)); }
        }
    }

    #[test]
    fn the_happy_path_is_legal() {
        use Status::*;
        for w in [New, Acknowledged, Assigned, InProgress, Closed].windows(2) {
            assert!(can_move(w[0], w[1]), "{:?}", w);
        }
        assert!(!can_move(New, Closed));
        assert!(!can_move(New, Assigned));
    }
}
