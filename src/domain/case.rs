//! The case file of an item: what was done about it beyond the lifecycle — the call's category,
//! TeleAsistență follow-up steps, referrals, scheduled follow-ups, safe contact, the EMIU risk
//! assessment, measures and report. Each record is one `case_recorded` event in the log, so the
//! file is durable, ordered, attributed and pushed like everything else.

use chrono::{DateTime, Utc};
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
    RiskAssessed {
        yes: Vec<String>,
        score: u32,
        level: String,
    },
    /// A measure the team took (`hospital_transport`, `called_112`, `police_notified`,
    /// `shelter_placement`).
    Measure {
        measure: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shelter_id: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
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
            CaseRecord::FollowUpScheduled { .. } => "follow_up_scheduled",
            CaseRecord::SafeContact { .. } => "safe_contact",
            CaseRecord::RiskAssessed { .. } => "risk_assessed",
            CaseRecord::Measure { .. } => "measure",
            CaseRecord::Report { .. } => "report",
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
            | CaseRecord::ReferralAcknowledged { .. } => self.clone(),
            other => CaseRecord::Withheld {
                of: other.tag().to_owned(),
            },
        }
    }
}
