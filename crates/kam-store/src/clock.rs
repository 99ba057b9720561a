//! The application's clock: the one place KAM asks what time it is.
//!
//! kam-core never reads the system clock; its functions take "now" or
//! "today" as values. The store holds a [`Clock`] and every timestamp it
//! writes, every China-time "today" the pages, API, reminders, calendar feed
//! and demo data use, comes from it. Production runs on the system clock;
//! tests pin a [`Clock::fixed`] instant and move it on purpose (month ends,
//! year ends, the China-time midnight at 16:00 UTC, 29 February).

use std::sync::{Arc, Mutex};

use kam_core::time_util::{china_date, format_ts};
use time::{Date, Duration, OffsetDateTime};

/// A source of "now". Cheap to clone; clones of a fixed clock share its time.
#[derive(Clone, Debug)]
pub struct Clock(Arc<Source>);

#[derive(Debug)]
enum Source {
    System,
    Fixed(Mutex<OffsetDateTime>),
}

impl Clock {
    /// The system's wall clock (production).
    pub fn system() -> Clock {
        Clock(Arc::new(Source::System))
    }

    /// A clock that stands at `at` until it is [`set`](Clock::set) or
    /// [`advance`](Clock::advance)d.
    pub fn fixed(at: OffsetDateTime) -> Clock {
        Clock(Arc::new(Source::Fixed(Mutex::new(at))))
    }

    /// A fixed clock at an RFC 3339 instant, e.g. `2026-12-31T16:30:00Z`.
    ///
    /// # Panics
    /// On text that is not an RFC 3339 instant (a test's typo).
    pub fn at(rfc3339: &str) -> Clock {
        Clock::fixed(
            kam_core::time_util::parse_ts(rfc3339).unwrap_or_else(|| panic!("not an RFC 3339 instant: {rfc3339}")),
        )
    }

    /// The current instant.
    pub fn now(&self) -> OffsetDateTime {
        match &*self.0 {
            Source::System => OffsetDateTime::now_utc(),
            Source::Fixed(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// The current instant as stored (RFC 3339 UTC).
    pub fn now_text(&self) -> String {
        format_ts(self.now())
    }

    /// Today in China time (UTC+8): from 16:00 UTC it is already tomorrow.
    pub fn today(&self) -> Date {
        china_date(self.now())
    }

    /// Moves a fixed clock to `at`; a system clock cannot be moved.
    ///
    /// # Panics
    /// On the system clock.
    pub fn set(&self, at: OffsetDateTime) {
        match &*self.0 {
            Source::Fixed(t) => *t.lock().unwrap_or_else(|e| e.into_inner()) = at,
            Source::System => panic!("the system clock cannot be set"),
        }
    }

    /// Moves a fixed clock on by `by`.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_midnight_is_sixteen_hundred_utc() {
        let c = Clock::at("2026-12-31T15:59:59Z");
        assert_eq!(c.today().to_string(), "2026-12-31");
        c.advance(Duration::seconds(1));
        assert_eq!(c.today().to_string(), "2027-01-01");
        assert_eq!(c.now_text(), "2026-12-31T16:00:00Z");
    }

    #[test]
    fn clones_share_a_fixed_time() {
        let c = Clock::at("2028-02-28T20:00:00Z");
        let d = c.clone();
        c.advance(Duration::days(1));
        assert_eq!(d.today().to_string(), "2028-03-01");
        assert_eq!((d.now() - Duration::hours(5)).date().to_string(), "2028-02-29");
    }
}
