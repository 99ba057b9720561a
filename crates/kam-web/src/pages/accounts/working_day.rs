//! The working-day tabs: one per activity kind (interactions, visits,
//! service records, complaints, needs, surveys), the market events the
//! account took part in, and the timeline of everything.

use kam_core::activity::{ActivityKind, KINDS};
use kam_store::activity::{TIMELINE_MONEY_KINDS, is_timeline_kind};

use super::show::TabCx;
use crate::error::PageError;
use crate::i18n::t;
use crate::pages::{activity, market};

pub struct ActivityTab {
    pub kind: &'static ActivityKind,
    pub rows: Vec<activity::Row>,
    /// Where to record a new one (href, label), for those who may.
    pub new: Option<(String, String)>,
    pub trend: Vec<kam_core::activity::SurveyMonth>,
    pub when_label: String,
    pub kind_label: String,
    pub title_label: String,
}

impl ActivityTab {
    /// A kind that fulfils the visit plan shows the plan and its print (附表三).
    pub fn is_visits(&self) -> bool {
        self.kind.hooks.fulfils_visit_plan
    }
}

pub struct Events {
    pub events: Vec<market::EventRow>,
}

pub struct Timeline {
    /// Filter links: (href, label, active).
    pub filters: Vec<(String, String, bool)>,
    pub rows: Vec<activity::Row>,
}

pub(super) async fn activity(cx: &TabCx<'_>, kind: &'static ActivityKind) -> Result<ActivityTab, PageError> {
    let (store, lang, id) = (&cx.state.store, cx.lang, cx.id());
    let f = kam_store::activity::ActivityFilter { account_id: Some(id), page: 1, per_page: 200 };
    let list = store.list_activities(kind, &cx.actor, &f).await?;
    let l = activity::labels(lang, kind);
    Ok(ActivityTab {
        kind,
        rows: activity::rows(lang, kind, &list.items, store.clock().now()),
        new: cx.actor.can_record_activity(&cx.account.facts()).then(|| {
            (format!("/accounts/{id}/{}/new", kind.resource), t(lang, &format!("activity.{}.new", kind.entity)).into())
        }),
        trend: activity::trend(cx.state, &cx.actor, kind, Some(id)).await,
        when_label: l.when_label,
        kind_label: l.kind_label,
        title_label: l.title_label,
    })
}

pub(super) async fn events(cx: &TabCx<'_>) -> Result<Events, PageError> {
    let list = cx.state.store.account_market_activities(&cx.actor, cx.id()).await?;
    Ok(Events { events: market::event_rows(cx.lang, &list) })
}

pub(super) async fn timeline(cx: &TabCx<'_>) -> Result<Timeline, PageError> {
    let (store, lang, id) = (&cx.state.store, cx.lang, cx.id());
    let chosen = cx.filter.kind.filter(|k| is_timeline_kind(k));
    let kinds: Vec<&str> = chosen.into_iter().collect();
    let items = store.account_timeline(&cx.actor, id, &kinds, 200).await?;
    let names = KINDS.iter().map(|k| k.entity).chain(TIMELINE_MONEY_KINDS);
    let filters = std::iter::once((
        format!("/accounts/{id}?tab=timeline"),
        t(lang, "timeline.all").to_string(),
        chosen.is_none(),
    ))
    .chain(names.map(|k| {
        (
            format!("/accounts/{id}?tab=timeline&kind={k}"),
            t(lang, &format!("entity.{k}")).to_string(),
            chosen == Some(k),
        )
    }))
    .collect();
    Ok(Timeline { filters, rows: activity::timeline_rows(lang, &cx.actor, &items, store.clock().now()) })
}
