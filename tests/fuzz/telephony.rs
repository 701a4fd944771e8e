//! Reserved for the telephony webhooks (issue 8): Twilio form bodies
//! (`application/x-www-form-urlencoded`) and the `X-Twilio-Signature` check. When that intake
//! lands, add targets here like those in `intake.rs`: mutated form bodies and signatures through
//! the real router, never a 5xx, and never a 2xx for a body whose signature does not match.
