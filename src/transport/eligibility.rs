//! The eligibility vocabulary (issue 16, point 2): a rider's disability certificate (Law
//! 448/2006: degree and kind of disability, number, issuing body, validity), the rider's history
//! of what the no-show / late-cancel policy counts and what the supervisor decided, and the
//! policy's verdict on a rider. Plain data, stored as JSON documents.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The degree of disability (Law 448/2006, art. 86): `grav`, `accentuat`, `mediu`, `usor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityDegree {
    Grav,
    Accentuat,
    Mediu,
    Usor,
}

impl DisabilityDegree {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "grav" => Some(Self::Grav),
            "accentuat" => Some(Self::Accentuat),
            "mediu" => Some(Self::Mediu),
            "usor" => Some(Self::Usor),
            _ => None,
        }
    }
}

/// The kind of disability, as the evaluation commission writes it on the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityKind {
    Fizic,
    Vizual,
    Auditiv,
    Surdocecitate,
    Somatic,
    Mintal,
    Psihic,
    HivSida,
    Asociat,
    BoliRare,
}

impl DisabilityKind {
    pub const ALL: &'static str = "fizic, vizual, auditiv, surdocecitate, somatic, mintal, psihic, hiv_sida, asociat, boli_rare";

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "fizic" => Self::Fizic,
            "vizual" => Self::Vizual,
            "auditiv" => Self::Auditiv,
            "surdocecitate" => Self::Surdocecitate,
            "somatic" => Self::Somatic,
            "mintal" => Self::Mintal,
            "psihic" => Self::Psihic,
            "hiv_sida" => Self::HivSida,
            "asociat" => Self::Asociat,
            "boli_rare" => Self::BoliRare,
            _ => return None,
        })
    }
}

/// The certificate that makes a rider eligible ("certificat de încadrare în grad de handicap").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Certificate {
    pub degree: DisabilityDegree,
    pub kind: DisabilityKind,
    pub number: String,
    /// E.g. "Comisia de evaluare a persoanelor adulte cu handicap Timiș".
    pub issued_by: String,
    pub valid_from: NaiveDate,
    /// The last day it is valid; `None` for a permanent certificate.
    pub valid_until: Option<NaiveDate>,
}

impl Certificate {
    /// Valid on `date` (from its first to its last day).
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        date >= self.valid_from && self.valid_until.is_none_or(|u| date <= u)
    }
}

/// What happened to a rider that the policy counts or the supervisor decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiderEventKind {
    /// The driver found nobody at the pick-up (counted).
    NoShow,
    /// Cancelled less than `transport.policy.late_cancel_minutes` before the pick-up (counted).
    LateCancel,
    /// The count reached `transport.policy.max_events`: the supervisor is asked to decide.
    Flagged,
    /// The supervisor suspended the rider until a date.
    Suspended,
    /// The supervisor waived the count (and lifted a suspension).
    Waived,
    /// A booking was accepted against the policy by a supervisor's explicit override.
    Override,
    /// The rider answered an SMS (`data` says how it was read and what was done).
    SmsReply,
}

/// One entry of a rider's history, keyed by what caused it so it is recorded once
/// (`no_show:{trip}`, `late_cancel:{trip}`, `sms:{MessageSid}`, `suspend:{uuid}`...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiderEvent {
    pub key: String,
    pub rider_id: String,
    pub kind: RiderEventKind,
    pub at: DateTime<Utc>,
    /// Who: an account name, `driver:{name}`, `sms` or `policy`.
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trip_id: Option<String>,
    /// The supervisor's reason (suspend, waive, override), or the SMS action code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The last day of a suspension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The queue item a flag or an SMS note opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
}

/// The policy's verdict on a rider now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PolicyStatus {
    /// No-shows and late cancels in the window since the supervisor's last decision.
    pub counted: u32,
    /// The count reached the limit and the supervisor has not decided since.
    pub flagged: bool,
    /// Suspended until this day (inclusive), when a suspension is in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_until: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspension_reason: Option<String>,
}
