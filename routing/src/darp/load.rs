//! Loads and capacities: what a rider occupies and what a vehicle offers.
//!
//! Our vehicles carry seated riders and riders who stay in their wheelchair. A wheelchair place can
//! take a seated rider (a folding seat), but a seat can never take a wheelchair. So a load fits a
//! capacity exactly when
//!
//! - `wheelchair ≤ wheelchair_places` (wheelchairs only go to wheelchair places), and
//! - `seated + wheelchair ≤ seats + wheelchair_places` (seated riders fill the seats first, then
//!   whatever wheelchair places the wheelchairs left free).
//!
//! The second rule is the whole story because assigning seated riders greedily to seats first is
//! never worse than any other assignment. The Cordeau benchmark has seated riders only.

use serde::{Deserialize, Serialize};

/// What a request (or a whole vehicle at one moment) occupies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    /// Riders who need an ordinary seat (or can use a wheelchair place).
    pub seated: u32,
    /// Riders who travel in their wheelchair and need a wheelchair place.
    pub wheelchair: u32,
}

impl Load {
    /// A load of `n` seated riders, as in the Cordeau instances.
    pub fn seated(n: u32) -> Self {
        Self {
            seated: n,
            wheelchair: 0,
        }
    }

    /// A load of `n` wheelchair riders.
    pub fn wheelchair(n: u32) -> Self {
        Self {
            seated: 0,
            wheelchair: n,
        }
    }

    /// Component-wise sum, saturating so that bad input cannot overflow.
    pub fn plus(self, other: Load) -> Load {
        Load {
            seated: self.seated.saturating_add(other.seated),
            wheelchair: self.wheelchair.saturating_add(other.wheelchair),
        }
    }

    /// Component-wise difference, floored at zero.
    pub fn minus(self, other: Load) -> Load {
        Load {
            seated: self.seated.saturating_sub(other.seated),
            wheelchair: self.wheelchair.saturating_sub(other.wheelchair),
        }
    }

    /// True when nobody is on board.
    pub fn is_empty(self) -> bool {
        self.seated == 0 && self.wheelchair == 0
    }
}

/// What a vehicle offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// Ordinary seats (seated riders only).
    pub seats: u32,
    /// Wheelchair places (a wheelchair rider, or a seated rider on the folding seat).
    pub wheelchair_places: u32,
}

impl Capacity {
    /// A vehicle with `n` seats and no wheelchair place (the Cordeau fleet).
    pub fn seats(n: u32) -> Self {
        Self {
            seats: n,
            wheelchair_places: 0,
        }
    }

    /// Whether `load` can be on board at once (see the module docs for the rule).
    pub fn fits(self, load: Load) -> bool {
        let total = u64::from(load.seated) + u64::from(load.wheelchair);
        let places = u64::from(self.seats) + u64::from(self.wheelchair_places);
        load.wheelchair <= self.wheelchair_places && total <= places
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheelchair_place_takes_a_seated_rider_when_the_seats_are_full() {
        let van = Capacity {
            seats: 2,
            wheelchair_places: 1,
        };
        assert!(van.fits(Load::seated(3)));
        assert!(!van.fits(Load::seated(4)));
    }

    #[test]
    fn a_seat_never_takes_a_wheelchair() {
        let van = Capacity {
            seats: 6,
            wheelchair_places: 1,
        };
        assert!(van.fits(Load::wheelchair(1)));
        assert!(!van.fits(Load::wheelchair(2)));
    }

    #[test]
    fn wheelchairs_and_seated_riders_share_the_wheelchair_places() {
        let van = Capacity {
            seats: 1,
            wheelchair_places: 2,
        };
        let load = Load {
            seated: 2,
            wheelchair: 1,
        };
        assert!(van.fits(load));
        assert!(!van.fits(load.plus(Load::seated(1))));
    }
}
