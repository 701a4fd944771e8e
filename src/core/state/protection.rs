//! Domestic-violence protection: the case each item belongs to (`Item::dv_case`), and the
//! numbers of each case, so that what comes later from them is as sensitive as the case.

use super::live::LiveState;
use super::view::StateView;
use crate::domain::{CaseRecord, Item, ItemId};
use crate::events::{Event, StoredEvent};

/// The domestic-violence case an item is or derives from, judged on the state: a DV call is its
/// own case; a callback or incident raised about a protected item, and a call or callback from a
/// number of a case, belong to that case.
pub(crate) fn derived_case(state: &impl StateView, item: &Item) -> Option<ItemId> {
    if item.is_dv_call() {
        return Some(item.id);
    }
    item.related()
        .and_then(|r| state.item(&r))
        .and_then(|r| r.dv_case)
        .or_else(|| item.phone().and_then(|p| state.dv_case_of_phone(p)))
}

/// Whether a string is a number a case can be tied to (not `withheld`).
fn is_number(phone: &str) -> bool {
    !phone.is_empty() && phone.chars().all(|c| c == '+' || c.is_ascii_digit())
}

impl LiveState {
    /// Keeps `Item::dv_case` true after an event: the item of the event is tied to its case
    /// (created from a case's number, categorised domestic violence, ...), the numbers the event
    /// names join the case's, and every item already in the state that is now tied to a case
    /// through a number or a related item is marked too. The marks only ever grow.
    pub(super) fn protect(&mut self, e: &StoredEvent) {
        let Some(id) = e.event.item_id() else {
            return;
        };
        let Some(item) = self.items.get(&id) else {
            return;
        };
        if let Event::ItemPurged { .. } = e.event {
            if let Some(case) = item.dv_case {
                self.forget_purged(case);
            }
            return;
        }
        let was = item.dv_case;
        let Some(case) = was.or_else(|| derived_case(self, item)) else {
            return;
        };
        let mut phones: Vec<String> = item.phone().map(str::to_owned).into_iter().collect();
        if let Event::CaseRecorded { record, .. } = &e.event {
            match record {
                CaseRecord::SafeContact { phones: more } => phones.extend(more.iter().cloned()),
                CaseRecord::FollowUpScheduled { phone, .. } => phones.push(phone.clone()),
                _ => {}
            }
        }
        if let Some(item) = self.items.get_mut(&id) {
            item.dv_case = Some(case);
        }
        let mut grew = was.is_none();
        for phone in phones.into_iter().filter(|p| is_number(p)) {
            if let std::collections::hash_map::Entry::Vacant(e) = self.dv_phones.entry(phone) {
                e.insert(case);
                grew = true;
            }
        }
        if grew {
            self.spread();
        }
    }

    /// Once every item of a case is purged, its numbers no longer tie new calls to it (as in a
    /// state rebuilt from the rewritten log, where they are withheld). The items keep their
    /// mark.
    fn forget_purged(&mut self, case: ItemId) {
        let all_purged = self
            .items
            .values()
            .filter(|i| i.dv_case == Some(case))
            .all(|i| i.redacted);
        if all_purged {
            self.dv_phones.retain(|_, c| *c != case);
        }
    }

    /// Marks every item tied to a case through its number or the item it was raised about, and
    /// ties the numbers of those items to the case too, until nothing changes (a callback of a newly marked call, ...). Cases are categorised
    /// rarely, so a scan of the items is cheap enough.
    fn spread(&mut self) {
        loop {
            let marks: Vec<(ItemId, ItemId)> = self
                .items
                .values()
                .filter(|i| i.dv_case.is_none())
                .filter_map(|i| derived_case(&*self, i).map(|c| (i.id, c)))
                .collect();
            if marks.is_empty() {
                return;
            }
            for (id, case) in marks {
                if let Some(item) = self.items.get_mut(&id) {
                    item.dv_case = Some(case);
                    if let Some(phone) = item.phone().filter(|p| is_number(p)) {
                        self.dv_phones.entry(phone.to_owned()).or_insert(case);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CallCategory, Details, Level, Priority, Status, Timestamps};
    use chrono::Utc;

    fn call(number: &str, category: CallCategory) -> Item {
        let details = Details::Call {
            caller_number: number.into(),
            category,
            immediate_danger: false,
            location: None,
            notes: "n".into(),
            channel: Default::default(),
            reporter: Default::default(),
        };
        item(details)
    }

    fn item(details: Details) -> Item {
        Item {
            id: ItemId::new(),
            kind: details.kind(),
            category: details.category(),
            status: Status::New,
            priority: Priority {
                level: Level::P2,
                rule: "r".into(),
                reason: "r".into(),
                respond_within_s: 60,
                facts: vec![],
            },
            deadline: Utc::now(),
            breached: false,
            times: Timestamps::default(),
            details,
            assigned_to: vec![],
            handler: None,
            outcome: None,
            notes: vec![],
            version: 0,
            redacted: false,
            rate_limited: false,
            dv_case: None,
            subject: None,
            repeats: 0,
            repeats_unseen: 0,
            arrival: None,
        }
    }

    /// Applies an event as the core would after deciding it.
    fn commit(state: &mut LiveState, event: Event) {
        let e = StoredEvent {
            seq: state.seq.next(),
            at: Utc::now(),
            actor: "t".into(),
            event,
        };
        state.apply_committed(&e);
    }

    fn create(state: &mut LiveState, mut item: Item) -> ItemId {
        item.dv_case = derived_case(state, &item);
        let id = item.id;
        commit(
            state,
            Event::ItemCreated {
                item: Box::new(item),
            },
        );
        id
    }

    fn case_of(state: &LiveState, id: ItemId) -> Option<ItemId> {
        state.item(&id).and_then(|i| i.dv_case)
    }

    #[test]
    fn a_call_categorised_domestic_violence_later_protects_what_came_from_its_number() {
        // Arrange: two unclassified calls from one number, a callback about the first, and a
        // call from another number.
        let mut state = LiveState::default();
        let first = create(&mut state, call("+40721000001", CallCategory::Unclassified));
        let earlier = create(&mut state, call("+40721000001", CallCategory::Unclassified));
        let callback = create(
            &mut state,
            item(Details::Callback {
                phone: "+40721000009".into(),
                reason: "missed_call".into(),
                related: Some(first),
            }),
        );
        let other = create(&mut state, call("+40721000002", CallCategory::Unclassified));
        assert_eq!(case_of(&state, first), None);

        // Act
        commit(
            &mut state,
            Event::CaseRecorded {
                item_id: first,
                record: CaseRecord::Categorised {
                    category: CallCategory::DomesticViolence,
                },
            },
        );

        // Assert
        assert_eq!(case_of(&state, first), Some(first));
        assert_eq!(case_of(&state, earlier), Some(first));
        assert_eq!(case_of(&state, callback), Some(first));
        assert_eq!(case_of(&state, other), None);
        // What comes later from the case's numbers, the callback's included, is born protected.
        let later = create(&mut state, call("+40721000001", CallCategory::Unclassified));
        let sms = create(&mut state, call("+40721000009", CallCategory::Unclassified));
        assert_eq!(case_of(&state, later), Some(first));
        assert_eq!(case_of(&state, sms), Some(first));
    }

    #[test]
    fn numbers_named_by_a_case_file_are_tied_to_the_case_and_withheld_is_not() {
        let mut state = LiveState::default();
        let case = create(&mut state, call("withheld", CallCategory::DomesticViolence));
        assert_eq!(case_of(&state, case), Some(case));
        commit(
            &mut state,
            Event::CaseRecorded {
                item_id: case,
                record: CaseRecord::SafeContact {
                    phones: vec!["+40721000003".into()],
                },
            },
        );
        commit(
            &mut state,
            Event::CaseRecorded {
                item_id: case,
                record: CaseRecord::FollowUpScheduled {
                    follow_up_id: uuid::Uuid::now_v7(),
                    due: Utc::now(),
                    phone: "+40721000004".into(),
                },
            },
        );
        let from_safe = create(&mut state, call("+40721000003", CallCategory::Unclassified));
        let from_follow_up = create(&mut state, call("+40721000004", CallCategory::Unclassified));
        let anonymous = create(&mut state, call("withheld", CallCategory::Unclassified));
        assert_eq!(case_of(&state, from_safe), Some(case));
        assert_eq!(case_of(&state, from_follow_up), Some(case));
        assert_eq!(case_of(&state, anonymous), None);
    }

    #[test]
    fn a_purged_item_is_redacted_in_memory_and_a_fully_purged_case_frees_its_numbers() {
        // Arrange: a DV call and a later call from its number, both closed.
        let mut state = LiveState::default();
        let case = create(
            &mut state,
            call("+40721000031", CallCategory::DomesticViolence),
        );
        let later = create(&mut state, call("+40721000031", CallCategory::Unclassified));
        assert_eq!(case_of(&state, later), Some(case));
        for id in [case, later] {
            commit(
                &mut state,
                Event::Closed {
                    item_id: id,
                    outcome: "advice_given".into(),
                    released: vec![],
                },
            );
        }

        // Act: the case's first item purged, then the second.
        commit(&mut state, Event::ItemPurged { item_id: case });
        let ties_after_one = state.dv_case_of_phone("+40721000031");
        commit(&mut state, Event::ItemPurged { item_id: later });

        // Assert: redacted in memory, status and outcome kept; the number is free only once
        // every item of the case is purged.
        let purged = state.item(&case).unwrap();
        assert!(purged.redacted);
        assert_eq!(purged.phone(), Some(crate::access::WITHHELD));
        assert_eq!(purged.status, Status::Closed);
        assert_eq!(purged.outcome.as_deref(), Some("advice_given"));
        assert_eq!(purged.dv_case, Some(case));
        assert_eq!(ties_after_one, Some(case));
        assert_eq!(state.dv_case_of_phone("+40721000031"), None);
    }
}
