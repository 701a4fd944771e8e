//! The search index and its ranking.

use super::normalize::{house_number, is_street_type, tokens};
use crate::network::osm::OsmData;
use crate::travel::LonLat;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What a search result is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    /// A street and house number.
    Address,
    /// A whole street (its middle), when no house number matched.
    Street,
    /// A district, neighbourhood or village (`place=*`).
    Place,
    /// A named facility: hospital, pharmacy, school...
    Poi,
}

/// One ranked answer to an address search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// As OSM spells it, e.g. "Strada Gheorghe Lazăr 24" or "Spitalul Clinic Municipal".
    pub label: String,
    pub kind: CandidateKind,
    pub position: LonLat,
    /// Higher is better; 1.0 or more is a full match of every word typed.
    pub score: f64,
    /// For points of interest, the OSM tag value (`hospital`, `pharmacy`...).
    pub category: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Street {
    label: String,
    tokens: Vec<String>,
    /// Middle of its longest way, if OSM has the street as a road; else of its addresses.
    position: Option<LonLat>,
    /// Indices into `addresses`.
    addresses: Vec<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AddressEntry {
    pub street: u32,
    pub housenumber: String,
    pub number_key: String,
    pub position: LonLat,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Named {
    label: String,
    tokens: Vec<String>,
    kind: CandidateKind,
    category: Option<String>,
    position: LonLat,
}

/// Everything address search needs, built once from the extract and cached with the graph.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Geocoder {
    streets: Vec<Street>,
    pub(crate) addresses: Vec<AddressEntry>,
    named: Vec<Named>,
}

/// How well the typed words match a name: each typed word scores 1 when equal to a word of
/// the name, 0.9 as its prefix (typing in progress), 0.8 one letter off; street-type words of
/// the name that were not typed only lower the score a little.
fn match_score(query: &[String], name: &[String]) -> f64 {
    if query.is_empty() || name.is_empty() {
        return 0.0;
    }
    let mut used = vec![false; name.len()];
    let mut sum = 0.0;
    for q in query {
        let mut best = (0.0, usize::MAX);
        for (i, n) in name.iter().enumerate() {
            let s = if n == q {
                1.0
            } else if q.len() >= 3 && n.starts_with(q.as_str()) {
                0.9
            } else if q.len() >= 5 && one_edit_apart(q, n) {
                0.8
            } else {
                0.0
            };
            if s > best.0 && !used[i] {
                best = (s, i);
            }
        }
        if best.1 != usize::MAX {
            used[best.1] = true;
        }
        sum += best.0;
    }
    let coverage_words: Vec<bool> = name
        .iter()
        .zip(&used)
        .filter(|(n, _)| !is_street_type(n))
        .map(|(_, u)| *u)
        .collect();
    let coverage = if coverage_words.is_empty() {
        1.0
    } else {
        coverage_words.iter().filter(|u| **u).count() as f64 / coverage_words.len() as f64
    };
    (sum / query.len() as f64) * (0.8 + 0.2 * coverage)
}

fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

impl Geocoder {
    pub(crate) fn build(osm: &OsmData) -> Self {
        let mut by_key: HashMap<Vec<String>, u32> = HashMap::new();
        let mut streets: Vec<Street> = Vec::new();
        let mut longest: Vec<f64> = Vec::new();
        let mut street_of = |name: &str, streets: &mut Vec<Street>, longest: &mut Vec<f64>| {
            let key = tokens(name);
            *by_key.entry(key.clone()).or_insert_with(|| {
                streets.push(Street {
                    label: name.to_string(),
                    tokens: key,
                    position: None,
                    addresses: Vec::new(),
                });
                longest.push(-1.0);
                (streets.len() - 1) as u32
            })
        };
        for w in &osm.ways {
            let Some(name) = &w.name else { continue };
            let pts: Vec<LonLat> = w
                .refs
                .iter()
                .filter_map(|r| osm.nodes.get(r).copied())
                .collect();
            if pts.is_empty() {
                continue;
            }
            let len: f64 = pts
                .windows(2)
                .map(|p| crate::network::geo::haversine_m(p[0], p[1]))
                .sum();
            let s = street_of(name, &mut streets, &mut longest) as usize;
            if len > longest[s] {
                longest[s] = len;
                streets[s].position = Some(pts[pts.len() / 2]);
            }
        }
        let mut addresses = Vec::new();
        for a in &osm.addresses {
            let s = street_of(&a.street, &mut streets, &mut longest);
            streets[s as usize].addresses.push(addresses.len() as u32);
            addresses.push(AddressEntry {
                street: s,
                housenumber: a.housenumber.clone(),
                number_key: house_number(&a.housenumber),
                position: a.position,
            });
        }
        let named = osm
            .pois
            .iter()
            .map(|p| Named {
                label: p.name.clone(),
                tokens: tokens(&p.name),
                kind: if p.is_place {
                    CandidateKind::Place
                } else {
                    CandidateKind::Poi
                },
                category: (!p.is_place).then(|| p.category.clone()),
                position: p.position,
            })
            .collect();
        Self {
            streets,
            addresses,
            named,
        }
    }

    pub(crate) fn street_label(&self, street: u32) -> &str {
        &self.streets[street as usize].label
    }

    /// Ranked candidates for what a dispatcher typed: "Str. Gheorghe Lazăr 24", "lazar 24",
    /// "spitalul judetean". Diacritics, case and street-type abbreviations do not matter.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Candidate> {
        let all = tokens(query);
        let number = all
            .iter()
            .find(|t| t.starts_with(|c: char| c.is_ascii_digit()));
        let words: Vec<String> = all.iter().filter(|t| Some(*t) != number).cloned().collect();
        let mut out: Vec<Candidate> = Vec::new();
        if !words.is_empty() {
            for s in &self.streets {
                let score = match_score(&words, &s.tokens);
                if score < 0.6 {
                    continue;
                }
                let mut found_number = false;
                if let Some(num) = number {
                    for &a in &s.addresses {
                        let a = &self.addresses[a as usize];
                        if &a.number_key == num {
                            found_number = true;
                            out.push(Candidate {
                                label: format!("{} {}", s.label, a.housenumber),
                                kind: CandidateKind::Address,
                                position: a.position,
                                score: score + 0.5,
                                category: None,
                            });
                        }
                    }
                }
                let position = s.position.or_else(|| {
                    s.addresses
                        .first()
                        .map(|&a| self.addresses[a as usize].position)
                });
                if let (Some(position), false) = (position, found_number) {
                    // A street without the typed number still helps, ranked below a full match.
                    let penalty = if number.is_some() { 0.3 } else { 0.0 };
                    out.push(Candidate {
                        label: s.label.clone(),
                        kind: CandidateKind::Street,
                        position,
                        score: score - penalty,
                        category: None,
                    });
                }
            }
        }
        for n in &self.named {
            let score = match_score(&all, &n.tokens);
            if score >= 0.6 {
                out.push(Candidate {
                    label: n.label.clone(),
                    kind: n.kind,
                    position: n.position,
                    // A facility's exact name beats a street that happens to share its words.
                    score: score + if score >= 0.99 { 0.1 } else { 0.0 },
                    category: n.category.clone(),
                });
            }
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.label.cmp(&b.label))
        });
        let mut seen = std::collections::HashSet::new();
        out.retain(|c| seen.insert((c.label.clone(), c.kind)));
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        tokens(s)
    }

    #[test]
    fn full_name_scores_higher_than_a_partial_one() {
        let name = t("Strada Gheorghe Lazăr");
        assert!(match_score(&t("gheorghe lazar"), &name) > match_score(&t("lazar"), &name));
        assert!(match_score(&t("lazar"), &name) >= 0.8);
    }

    #[test]
    fn a_typo_of_one_letter_still_matches() {
        assert!(match_score(&t("aradulu"), &t("Calea Aradului")) > 0.6);
        assert!(match_score(&t("timisoarra"), &t("Timișoara")) > 0.6);
    }

    #[test]
    fn unrelated_words_do_not_match() {
        assert!(match_score(&t("victoriei"), &t("Strada Gheorghe Lazăr")) < 0.1);
    }
}
