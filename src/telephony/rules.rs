//! What the provider's callbacks mean: how a call ended up, and who called.

use crate::domain::parse;

/// The caller's number, or `withheld` for an anonymous or unparseable caller id.
pub(crate) fn caller_number(raw: Option<&str>) -> String {
    raw.and_then(|n| parse::phone("From", n).ok())
        .unwrap_or_else(|| "withheld".into())
}

/// How a call ended up, from whichever callback reports it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CallResult {
    Answered,
    Missed,
    /// Ringing, queued, or the call simply ended after it was answered.
    Other,
}

/// `DialCallStatus` (the `<Dial>` action), `QueueResult` (the `<Enqueue>` action) or
/// `CallStatus` (the status callback), in that order of precedence.
pub(crate) fn call_result(
    dial: Option<&str>,
    queue: Option<&str>,
    call: Option<&str>,
) -> CallResult {
    if let Some(d) = dial {
        return match d {
            "completed" | "answered" => CallResult::Answered,
            "busy" | "no-answer" | "failed" | "canceled" => CallResult::Missed,
            _ => CallResult::Other,
        };
    }
    if let Some(q) = queue {
        return match q {
            "bridged" | "bridging-in-process" => CallResult::Answered,
            "hangup" | "leave" | "error" | "system-error" => CallResult::Missed,
            _ => CallResult::Other,
        };
    }
    match call {
        Some("in-progress") | Some("answered") => CallResult::Answered,
        Some("busy" | "no-answer" | "failed" | "canceled") => CallResult::Missed,
        _ => CallResult::Other,
    }
}

#[cfg(test)]
mod tests {
    use crate::telephony::rules::*;

    #[test]
    fn dial_queue_and_call_statuses_map_to_answered_or_missed() {
        assert_eq!(
            call_result(Some("no-answer"), None, Some("completed")),
            CallResult::Missed
        );
        assert_eq!(
            call_result(Some("completed"), None, None),
            CallResult::Answered
        );
        assert_eq!(call_result(None, Some("hangup"), None), CallResult::Missed);
        assert_eq!(
            call_result(None, Some("bridged"), None),
            CallResult::Answered
        );
        assert_eq!(call_result(None, None, Some("busy")), CallResult::Missed);
        // The parent call's "completed" says only that it ended.
        assert_eq!(
            call_result(None, None, Some("completed")),
            CallResult::Other
        );
        assert_eq!(call_result(None, None, Some("ringing")), CallResult::Other);
    }
}
