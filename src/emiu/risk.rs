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
    fn item_ids_are_unique() {
        let mut ids: Vec<_> = ITEMS.iter().map(|i| i.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ITEMS.len());
    }
}
