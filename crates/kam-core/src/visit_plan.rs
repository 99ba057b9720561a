//! Visit plans 客户拜访计划 (附表二): per account per year up to twelve planned
//! visits, each with the actual date of the visit record that fulfilled it,
//! and the plan-versus-actual count for any period.

use serde::Serialize;
use time::{Date, Duration};

/// Visits per account and year on the form.
pub const SLOTS: usize = 12;

/// A visit-plan sheet (附表三) row: the year and its twelve planned dates.
pub static IMPORT_FIELDS: &[crate::fields::FieldDef] = &{
    use crate::fields::{FieldDef, Kind};
    [
        FieldDef::new("year", Kind::Int(2000, 2100), "plan").required(),
        FieldDef::new("planned_1", Kind::Date, "plan"),
        FieldDef::new("planned_2", Kind::Date, "plan"),
        FieldDef::new("planned_3", Kind::Date, "plan"),
        FieldDef::new("planned_4", Kind::Date, "plan"),
        FieldDef::new("planned_5", Kind::Date, "plan"),
        FieldDef::new("planned_6", Kind::Date, "plan"),
        FieldDef::new("planned_7", Kind::Date, "plan"),
        FieldDef::new("planned_8", Kind::Date, "plan"),
        FieldDef::new("planned_9", Kind::Date, "plan"),
        FieldDef::new("planned_10", Kind::Date, "plan"),
        FieldDef::new("planned_11", Kind::Date, "plan"),
        FieldDef::new("planned_12", Kind::Date, "plan"),
    ]
};
/// A visit this many days after its planned date is still on time, and a
/// visit up to this many days before a planned date fulfils it.
pub const GRACE_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Slot {
    pub planned: Option<Date>,
    pub actual: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotState {
    OnTime,
    Late,
    Missed,
    Pending,
    Unplanned,
}

pub fn state(slot: &Slot, today: Date) -> SlotState {
    match (slot.planned, slot.actual) {
        (None, _) => SlotState::Unplanned,
        (Some(p), Some(a)) if a <= p + Duration::days(GRACE_DAYS) => SlotState::OnTime,
        (Some(_), Some(_)) => SlotState::Late,
        (Some(p), None) if today > p + Duration::days(GRACE_DAYS) => SlotState::Missed,
        (Some(_), None) => SlotState::Pending,
    }
}

/// Plan versus actual over the slots planned within a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    pub planned: i64,
    pub on_time: i64,
    pub late: i64,
    pub missed: i64,
    pub pending: i64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.planned += other.planned;
        self.on_time += other.on_time;
        self.late += other.late;
        self.missed += other.missed;
        self.pending += other.pending;
    }
}

/// Counts the slots whose planned date falls in `from..=to`.
pub fn tally(slots: &[Slot], from: Date, to: Date, today: Date) -> Tally {
    let mut t = Tally::default();
    for s in slots.iter().filter(|s| s.planned.is_some_and(|p| p >= from && p <= to)) {
        t.planned += 1;
        match state(s, today) {
            SlotState::OnTime => t.on_time += 1,
            SlotState::Late => t.late += 1,
            SlotState::Missed => t.missed += 1,
            SlotState::Pending => t.pending += 1,
            SlotState::Unplanned => {}
        }
    }
    t
}

/// The slot a visit on `visited` fulfils: of the open slots (planned, not yet
/// fulfilled) planned no later than `GRACE_DAYS` after the visit, the one
/// planned nearest the visit — the earlier of two equally near. So a visit on
/// 12 November fulfils the slot of 10 November, not an older one left open
/// (which stays missed, as it was); a visit a few days early fulfils the slot
/// ahead of it; a visit with no open slot in reach is an extra visit and
/// fulfils none.
pub fn fulfils(slots: &[Slot], visited: Date) -> Option<usize> {
    slots
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match (s.planned, s.actual) {
            (Some(p), None) if p <= visited + Duration::days(GRACE_DAYS) => Some((i, p)),
            _ => None,
        })
        .min_by_key(|(_, p)| ((*p - visited).whole_days().abs(), *p))
        .map(|(i, _)| i)
}

/// Where a newly planned date goes: nowhere if already planned, else the first
/// empty slot.
pub fn place(slots: &[Slot], planned: Date) -> Option<usize> {
    if slots.iter().any(|s| s.planned == Some(planned)) {
        return None;
    }
    slots.iter().position(|s| s.planned.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn slot(p: Option<Date>, a: Option<Date>) -> Slot {
        Slot { planned: p, actual: a }
    }

    #[test]
    fn grace_runs_across_the_year_end_and_the_leap_day() {
        let late_dec = slot(Some(date!(2026 - 12 - 28)), None);
        assert_eq!(state(&late_dec, date!(2027 - 01 - 04)), SlotState::Pending, "seven days' grace into January");
        assert_eq!(state(&late_dec, date!(2027 - 01 - 05)), SlotState::Missed);
        let feb = slot(Some(date!(2028 - 02 - 23)), Some(date!(2028 - 03 - 01)));
        assert_eq!(state(&feb, date!(2028 - 03 - 10)), SlotState::OnTime, "23 Feb + 7 days is 1 March in a leap year");
        let feb = slot(Some(date!(2027 - 02 - 22)), Some(date!(2027 - 03 - 02)));
        assert_eq!(state(&feb, date!(2027 - 03 - 10)), SlotState::Late, "22 Feb + 7 days is 1 March otherwise");
        let year = [late_dec, slot(Some(date!(2026 - 01 - 01)), Some(date!(2026 - 01 - 01)))];
        let t = tally(&year, date!(2026 - 01 - 01), date!(2026 - 12 - 31), date!(2027 - 01 - 05));
        assert_eq!((t.planned, t.on_time, t.missed), (2, 1, 1));
    }

    #[test]
    fn on_time_late_missed_pending() {
        let today = date!(2026 - 11 - 28);
        assert_eq!(state(&slot(Some(date!(2026 - 03 - 01)), Some(date!(2026 - 03 - 08))), today), SlotState::OnTime);
        assert_eq!(state(&slot(Some(date!(2026 - 03 - 01)), Some(date!(2026 - 03 - 09))), today), SlotState::Late);
        assert_eq!(state(&slot(Some(date!(2026 - 11 - 20)), None), today), SlotState::Missed);
        assert_eq!(state(&slot(Some(date!(2026 - 11 - 21)), None), today), SlotState::Pending, "still within grace");
        assert_eq!(state(&slot(None, Some(today)), today), SlotState::Unplanned);
    }

    #[test]
    fn tally_counts_only_the_period() {
        let today = date!(2026 - 11 - 28);
        let slots = [
            slot(Some(date!(2026 - 01 - 10)), Some(date!(2026 - 01 - 10))),
            slot(Some(date!(2026 - 02 - 10)), Some(date!(2026 - 03 - 01))),
            slot(Some(date!(2026 - 03 - 10)), None),
            slot(Some(date!(2026 - 12 - 10)), None),
            slot(None, None),
        ];
        let q1 = tally(&slots, date!(2026 - 01 - 01), date!(2026 - 03 - 31), today);
        assert_eq!(q1, Tally { planned: 3, on_time: 1, late: 1, missed: 1, pending: 0 });
        let year = tally(&slots, date!(2026 - 01 - 01), date!(2026 - 12 - 31), today);
        assert_eq!((year.planned, year.pending), (4, 1));
    }

    #[test]
    fn a_visit_fulfils_the_open_slot_nearest_its_date() {
        // Planned on the 10th of every month, nothing fulfilled yet.
        let monthly: Vec<Slot> = (1..=12u8)
            .map(|m| slot(Date::from_calendar_date(2026, time::Month::try_from(m).unwrap(), 10).ok(), None))
            .collect();
        assert_eq!(fulfils(&monthly, date!(2026 - 11 - 12)), Some(10), "late by two days: November, not January");
        assert_eq!(fulfils(&monthly, date!(2026 - 11 - 05)), Some(10), "early by five days: November's slot");
        assert_eq!(fulfils(&monthly, date!(2026 - 11 - 25)), Some(10), "late by 15 days: still November (nearest)");
        assert_eq!(fulfils(&monthly, date!(2026 - 12 - 04)), Some(11), "six days early for December");
        // November done: a second visit that month is nearest to the open December slot if in reach, else October's.
        let mut done = monthly.clone();
        done[10].actual = Some(date!(2026 - 11 - 12));
        assert_eq!(fulfils(&done, date!(2026 - 11 - 20)), Some(9), "October's open slot, late");
        // Every slot fulfilled: an extra visit fulfils none.
        let all: Vec<Slot> = monthly.iter().map(|s| Slot { actual: s.planned, ..*s }).collect();
        assert_eq!(fulfils(&all, date!(2026 - 11 - 12)), None);
        // Equally near: the earlier.
        let two = [slot(Some(date!(2026 - 03 - 13)), None), slot(Some(date!(2026 - 03 - 07)), None)];
        assert_eq!(fulfils(&two, date!(2026 - 03 - 10)), Some(1));
    }

    #[test]
    fn visits_fulfil_an_open_slot_in_reach() {
        let slots = [
            slot(Some(date!(2026 - 05 - 01)), None),
            slot(Some(date!(2026 - 02 - 01)), Some(date!(2026 - 02 - 01))),
            slot(Some(date!(2026 - 03 - 01)), None),
        ];
        assert_eq!(fulfils(&slots, date!(2026 - 03 - 03)), Some(2));
        assert_eq!(fulfils(&slots, date!(2026 - 02 - 25)), Some(2), "up to a week early still counts");
        assert_eq!(fulfils(&slots, date!(2026 - 01 - 15)), None, "too early for any plan");
        assert_eq!(place(&slots, date!(2026 - 03 - 01)), None, "already planned");
        let mut with_gap = slots.to_vec();
        with_gap.push(Slot::default());
        assert_eq!(place(&with_gap, date!(2026 - 09 - 01)), Some(3));
    }
}
