//! The case file of an item: what was done about it beyond the lifecycle — the call's category,
//! TeleAsistență follow-up steps, referrals, scheduled follow-ups, safe contact, the EMIU risk
//! assessment, measures and report. Each record is one `case_recorded` event in the log, so the
//! file is durable, ordered, attributed and pushed like everything else.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CallCategory;

/// One entry of a case file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum CaseRecord {
    /// The dispatcher said what the call is about (an incoming call starts unclassified).
    Categorised {
        category: CallCategory,
    },
    /// A TeleAsistență follow-up step (`called_beneficiary`, `called_carer`, `carer_sent`,
    /// `team_sent`, `called_112`), with whether the person answered when it was a call.
    Step {
        step: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answered: Option<bool>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// The telephony provider reported the call answered or missed.
    CallStatus {
        status: String,
    },
    /// The case was referred to a DAS service (the referral row keeps its acknowledgement).
    Referred {
        referral_id: Uuid,
        service: String,
    },
    ReferralAcknowledged {
        referral_id: Uuid,
        service: String,
    },
    /// The service did not acknowledge the referral by `ack_due_at`: escalated to the
    /// supervisor with the `referral-overdue` queue item `item`.
    ReferralOverdue {
        referral_id: Uuid,
        service: String,
        ack_due_at: DateTime<Utc>,
        item: super::ItemId,
    },
    /// The outcome the service reported: `accepted`, `declined` (with a `reason` code) or
    /// `completed` (with a short `note`).
    ReferralOutcome {
        referral_id: Uuid,
        service: String,
        outcome: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// A keep-in-contact callback is scheduled.
    FollowUpScheduled {
        follow_up_id: Uuid,
        due: DateTime<Utc>,
        phone: String,
    },
    /// 'Do not call back / no SMS': the aggressor may hold the phone.
    SafeContact {
        phones: Vec<String>,
    },
    /// The EMIU risk assessment: the items answered yes, their score and the level it gives.
    /// `level` is the level that holds: `high` whatever the score when a red-flag item was
    /// answered yes (`red_flags`), or the team's professional judgement (`override_level`, with
    /// its mandatory `override_reason`); `score_level` is what the score alone gives. A
    /// re-assessment (`incident`: the new incident that prompted it) adds to the history.
    RiskAssessed {
        yes: Vec<String>,
        score: u32,
        level: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        red_flags: Vec<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        score_level: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        override_level: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        override_reason: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        incident: String,
    },
    /// The police asked for the team (a provisional protection order evicted the aggressor):
    /// the team is due on scene by `arrive_by` (the notice plus the configured minutes), and
    /// the police may ask for the aggressor to be accommodated.
    PoliceRequest {
        notified_at: DateTime<Utc>,
        arrive_by: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        opp_number: String,
        #[serde(default)]
        accommodation_requested: bool,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// The team is on scene: the arrival clock stops.
    OnScene {
        at: DateTime<Utc>,
    },
    /// Where the evicted aggressor was accommodated, at the police's request.
    AggressorAccommodated {
        place: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// A protection order: provisional (`opp`, by the police) or by the court (`op`), the
    /// people it covers, how many minors, and its expiry (a reminder item is raised
    /// `remind_on`).
    ProtectionOrder {
        order: String,
        number: String,
        issued_on: NaiveDate,
        expires_on: NaiveDate,
        remind_on: NaiveDate,
        #[serde(default)]
        people_covered: Vec<String>,
        #[serde(default)]
        minors: u32,
    },
    /// A legal step: `criminal_complaint`, `forensic_certificate` (certificat medico-legal),
    /// `prosecutor_notice`, `court_notice`.
    LegalStep {
        step: String,
        date: NaiveDate,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reference: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// A hazard at the case's address (kept by address for any team sent there).
    HazardNoted {
        hazard: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// How many children are present (the places a placement needs: adults + children).
    ChildrenPresent {
        count: u32,
    },
    /// A measure the team took (`hospital_transport`, `called_112`, `police_notified`,
    /// `shelter_placement`).
    Measure {
        measure: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shelter_id: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
        /// The places a placement took: the adults placed plus the children with them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        places: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        children: Option<u32>,
    },
    /// The team's intervention report.
    Report {
        text: String,
    },
    /// What a viewer who may only know that the case exists gets instead of a record.
    Withheld {
        of: String,
    },
}

impl CaseRecord {
    /// The record's tag, e.g. `risk_assessed`.
    pub fn tag(&self) -> &'static str {
        match self {
            CaseRecord::Categorised { .. } => "categorised",
            CaseRecord::Step { .. } => "step",
            CaseRecord::CallStatus { .. } => "call_status",
            CaseRecord::Referred { .. } => "referred",
            CaseRecord::ReferralAcknowledged { .. } => "referral_acknowledged",
            CaseRecord::ReferralOverdue { .. } => "referral_overdue",
            CaseRecord::ReferralOutcome { .. } => "referral_outcome",
            CaseRecord::FollowUpScheduled { .. } => "follow_up_scheduled",
            CaseRecord::SafeContact { .. } => "safe_contact",
            CaseRecord::RiskAssessed { .. } => "risk_assessed",
            CaseRecord::Measure { .. } => "measure",
            CaseRecord::Report { .. } => "report",
            CaseRecord::PoliceRequest { .. } => "police_request",
            CaseRecord::OnScene { .. } => "on_scene",
            CaseRecord::AggressorAccommodated { .. } => "aggressor_accommodated",
            CaseRecord::ProtectionOrder { .. } => "protection_order",
            CaseRecord::LegalStep { .. } => "legal_step",
            CaseRecord::HazardNoted { .. } => "hazard_noted",
            CaseRecord::ChildrenPresent { .. } => "children_present",
            CaseRecord::Withheld { .. } => "withheld",
        }
    }

    /// The record as shown to a viewer of a redacted case: only its kind. Categories, steps and
    /// referrals carry no personal data and stay; everything with a phone or free text goes.
    pub fn redacted(&self) -> CaseRecord {
        match self {
            CaseRecord::Categorised { .. }
            | CaseRecord::CallStatus { .. }
            | CaseRecord::Referred { .. }
            | CaseRecord::ReferralAcknowledged { .. }
            | CaseRecord::ReferralOverdue { .. } => self.clone(),
            // The outcome's code stays; the service's note is free text and goes.
            CaseRecord::ReferralOutcome {
                referral_id,
                service,
                outcome,
                reason,
                ..
            } => CaseRecord::ReferralOutcome {
                referral_id: *referral_id,
                service: service.clone(),
                outcome: outcome.clone(),
                reason: reason.clone(),
                note: String::new(),
            },
            other => CaseRecord::Withheld {
                of: other.tag().to_owned(),
            },
        }
    }
}
