//! The risk-assessment form: structured yes/no items, each with a weight; the weights of the
//! items answered yes add up to a score, and the score gives the risk level. The weights and
//! bands are the service's own working values, kept here so that the form, the API and the
//! report all use the same ones.

use serde::Serialize;

/// One question of the form.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RiskItem {
    pub id: &'static str,
    pub weight: u32,
    pub ro: &'static str,
    pub en: &'static str,
}

pub(crate) const ITEMS: &[RiskItem] = &[
    RiskItem {
        id: "physical_violence",
        weight: 2,
        ro: "Violență fizică în incidentul actual",
        en: "Physical violence in this incident",
    },
    RiskItem {
        id: "injuries",
        weight: 2,
        ro: "Victima are leziuni",
        en: "The victim is injured",
    },
    RiskItem {
        id: "strangulation",
        weight: 3,
        ro: "Tentativă de strangulare sau sufocare",
        en: "Attempted strangulation or suffocation",
    },
    RiskItem {
        id: "threat_to_kill",
        weight: 3,
        ro: "Amenințări cu moartea",
        en: "Threats to kill",
    },
    RiskItem {
        id: "weapon",
        weight: 3,
        ro: "Agresorul are sau a folosit o armă",
        en: "The aggressor has or used a weapon",
    },
    RiskItem {
        id: "escalation",
        weight: 2,
        ro: "Violența s-a agravat sau este mai frecventă",
        en: "The violence is escalating or more frequent",
    },
    RiskItem {
        id: "separation",
        weight: 2,
        ro: "Separare recentă sau intenție de separare",
        en: "Recent or intended separation",
    },
    RiskItem {
        id: "pregnancy",
        weight: 2,
        ro: "Victima este însărcinată",
        en: "The victim is pregnant",
    },
    RiskItem {
        id: "children_present",
        weight: 1,
        ro: "Copii prezenți sau expuși violenței",
        en: "Children present or exposed",
    },
    RiskItem {
        id: "substance_abuse",
        weight: 1,
        ro: "Agresorul consumă alcool sau droguri",
        en: "The aggressor abuses alcohol or drugs",
    },
    RiskItem {
        id: "order_breached",
        weight: 2,
        ro: "Agresorul a încălcat un ordin de protecție",
        en: "The aggressor breached a protection order",
    },
    RiskItem {
        id: "victim_fears",
        weight: 2,
        ro: "Victima se teme pentru viața ei",
        en: "The victim fears for her life",
    },
    RiskItem {
        id: "isolation",
        weight: 1,
        ro: "Victima nu are sprijin (familie, prieteni)",
        en: "The victim has no support (family, friends)",
    },
];

/// Scores at or above these give `medium` and `high`.
pub(crate) const MEDIUM_FROM: u32 = 5;
pub(crate) const HIGH_FROM: u32 = 10;

/// The risk level of a score.
pub(crate) fn level(score: u32) -> &'static str {
    if score >= HIGH_FROM {
        "high"
    } else if score >= MEDIUM_FROM {
        "medium"
    } else {
        "low"
    }
}

/// The red-flag items: any one answered yes makes the level `high` whatever the score (threats to
/// kill, a weapon, strangulation, escalation, pregnancy).
pub(crate) const RED_FLAGS: &[&str] = &[
    "threat_to_kill",
    "weapon",
    "strangulation",
    "escalation",
    "pregnancy",
];

/// The levels, lowest first.
pub(crate) const LEVELS: &[&str] = &["low", "medium", "high"];

/// An assessment as it is recorded.
#[derive(Debug, PartialEq)]
pub(crate) struct Assessment {
    pub yes: Vec<String>,
    pub score: u32,
    /// What the score alone gives.
    pub score_level: &'static str,
    /// The red-flag items answered yes.
    pub red_flags: Vec<String>,
    /// The level that holds: the override, else `high` with a red flag, else the score's.
    pub level: String,
    pub override_level: Option<String>,
    pub override_reason: String,
}

/// Why an assessment is refused: the field and what is wrong with it.
pub(crate) type Refusal = (&'static str, String);

/// Scores the answers, applies the red flags, then the team's professional judgement: an
/// `override_level` needs its `reason` (at least 10 characters), and may not lower a level a red
/// flag set.
pub(crate) fn judge(
    yes: &[String],
    override_level: Option<&str>,
    reason: &str,
) -> Result<Assessment, Refusal> {
    let (yes, score, score_level) = assess(yes).map_err(|m| ("yes", m))?;
    let red_flags: Vec<String> = yes
        .iter()
        .filter(|id| RED_FLAGS.contains(&id.as_str()))
        .cloned()
        .collect();
    let by_answers = if red_flags.is_empty() {
        score_level
    } else {
        "high"
    };
    let reason = reason.trim();
    let level = match override_level {
        None => {
            if !reason.is_empty() {
                return Err((
                    "override_reason",
                    "a reason is given only with an override_level".into(),
                ));
            }
            by_answers.to_owned()
        }
        Some(l) => {
            let Some(rank) = LEVELS.iter().position(|x| *x == l) else {
                return Err((
                    "override_level",
                    format!("must be one of {}", LEVELS.join(", ")),
                ));
            };
            if reason.chars().count() < 10 {
                return Err((
                    "override_reason",
                    "a professional-judgement override needs its reason (at least 10 characters)"
                        .into(),
                ));
            }
            if !red_flags.is_empty() && rank < LEVELS.len() - 1 {
                return Err((
                    "override_level",
                    "a red-flag answer keeps the level high".into(),
                ));
            }
            LEVELS[rank].to_owned()
        }
    };
    Ok(Assessment {
        yes,
        score,
        score_level,
        red_flags,
        level,
        override_level: override_level.map(str::to_owned),
        override_reason: reason.to_owned(),
    })
}

/// Scores the items answered yes; an unknown id is an error naming it.
pub(crate) fn assess(yes: &[String]) -> Result<(Vec<String>, u32, &'static str), String> {
    let mut ids: Vec<String> = Vec::new();
    let mut score = 0;
    for id in yes {
        let item = ITEMS.iter().find(|i| i.id == id).ok_or_else(|| {
            format!(
                "unknown risk item {:?}",
                id.chars().take(40).collect::<String>()
            )
        })?;
        if !ids.contains(id) {
            ids.push(id.clone());
            score += item.weight;
        }
    }
    Ok((ids, score, level(score)))
}

#[cfg(test)]
mod tests {
    use crate::emiu::risk::*;

    #[test]
    fn the_weights_of_the_items_answered_yes_add_up_to_the_level() {
        let (_, s, l) = assess(&[]).unwrap();
        assert_eq!((s, l), (0, "low"));
        let (_, s, l) = assess(&["threat_to_kill".into(), "weapon".into()]).unwrap();
        assert_eq!((s, l), (6, "medium"));
        let yes: Vec<String> = ["strangulation", "threat_to_kill", "weapon", "victim_fears"]
            .map(String::from)
            .to_vec();
        let (ids, s, l) = assess(&yes).unwrap();
        assert_eq!((ids.len(), s, l), (4, 11, "high"));
        // A repeated answer counts once.
        let (_, s, _) = assess(&["weapon".into(), "weapon".into()]).unwrap();
        assert_eq!(s, 3);
        assert!(assess(&["nope".into()]).is_err());
    }

    #[test]
    fn a_red_flag_sets_high_whatever_the_score() {
        let a = judge(&["pregnancy".into()], None, "").unwrap();
        assert_eq!(
            (a.score, a.score_level, a.level.as_str()),
            (2, "low", "high")
        );
        assert_eq!(a.red_flags, ["pregnancy"]);
        let a = judge(&["isolation".into()], None, "").unwrap();
        assert_eq!(a.level, "low");
        assert!(a.red_flags.is_empty());
        assert!(RED_FLAGS.iter().all(|f| ITEMS.iter().any(|i| i.id == *f)));
    }

    #[test]
    fn an_override_needs_its_reason_and_never_lowers_a_red_flag() {
        let yes = ["isolation".to_owned()];
        assert_eq!(
            judge(&yes, Some("high"), "").unwrap_err().0,
            "override_reason"
        );
        assert_eq!(
            judge(&yes, Some("urgent"), "motiv suficient de lung")
                .unwrap_err()
                .0,
            "override_level"
        );
        assert_eq!(
            judge(&yes, None, "motiv fără nivel").unwrap_err().0,
            "override_reason"
        );
        let a = judge(&yes, Some("high"), "agresorul a ieșit din arest azi").unwrap();
        assert_eq!((a.score_level, a.level.as_str()), ("low", "high"));
        let flag = ["weapon".to_owned()];
        assert_eq!(
            judge(&flag, Some("low"), "victima minimalizează")
                .unwrap_err()
                .0,
            "override_level"
        );
    }

    #[test]
    fn item_ids_are_unique() {
        let mut ids: Vec<_> = ITEMS.iter().map(|i| i.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ITEMS.len());
    }
}
