//! Account activity records: the work done with an account, each a plain
//! record that belongs to one account and is read and written under that
//! account's access rules. One definition per kind (fields, table, API
//! resource); the store, pages and API serve every kind from it.
//!
//! Kinds so far: contact records 联系记录, service records 客户服务记录, needs
//! analysis 客户需求分析 (dated versions) and satisfaction surveys 满意度调查.

use crate::fields::{EnumDef, FieldDef, Kind, Record};

/// One kind of activity record.
#[derive(Debug)]
pub struct ActivityKind {
    /// Audit entity and message-key stem: `field.<entity>.<name>`, `activity.<entity>.*`.
    pub entity: &'static str,
    pub table: &'static str,
    /// The plural kebab-case path segment of pages and API.
    pub resource: &'static str,
    pub fields: &'static [FieldDef],
    pub groups: &'static [&'static str],
    /// The field shown as a record's title in lists.
    pub title: &'static str,
    /// The date-time field lists are ordered by, newest first.
    pub when: &'static str,
    /// Read-only columns the system keeps (a workflow status, deadlines).
    pub derived: &'static [FieldDef],
    /// Computes derived values from a new record (`before` None) or from the
    /// changed fields of a stored one.
    pub derive: Option<fn(&Record, Option<&Record>) -> Record>,
    /// What the kind does beyond storing its fields; the store, pages and
    /// API act on these, never on the kind's name.
    pub hooks: Hooks,
}

/// A kind's behaviour beyond its fields, declared with the kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hooks {
    /// A workflow with steps and deadlines (complaints 投诉): status moves
    /// along `complaint::next_steps`, each step is kept, missed deadlines are flagged.
    pub workflow: bool,
    /// The field naming the user who handles a record (checked against the active users).
    pub handler_field: Option<&'static str>,
    /// The account's contract in force may set the deadlines (its SLA).
    pub contract_deadlines: bool,
    /// A record fulfils the nearest open slot of the account's visit plan (see `visit_plan::fulfils`).
    pub fulfils_visit_plan: bool,
    /// Its scores are shown as a monthly trend (surveys: average and NPS by month).
    pub monthly_trend: bool,
}

impl Hooks {
    pub const NONE: Hooks = Hooks {
        workflow: false,
        handler_field: None,
        contract_deadlines: false,
        fulfils_visit_plan: false,
        monthly_trend: false,
    };
}

pub static CHANNEL: EnumDef =
    EnumDef { name: "channel", values: &["phone", "email", "meeting", "visit", "wechat", "other"] };

/// 联系记录: when, channel, our staff, their people, subject, content, result,
/// next step and a follow-up date (which becomes a reminder for the owner).
pub static INTERACTION: ActivityKind = ActivityKind {
    entity: "interaction",
    table: "interactions",
    resource: "interactions",
    fields: &[
        FieldDef::new("occurred_at", Kind::DateTime, "activity").required(),
        FieldDef::new("channel", Kind::Enum(&CHANNEL), "activity").required(),
        FieldDef::new("subject", Kind::Text(200), "activity").required(),
        FieldDef::new("our_staff", Kind::Text(200), "activity"),
        FieldDef::new("their_people", Kind::Text(200), "activity"),
        // The account's contacts who took part (links to their records).
        FieldDef::new("their_contacts", Kind::IdList, "activity"),
        FieldDef::new("content", Kind::LongText, "activity"),
        FieldDef::new("result", Kind::LongText, "activity"),
        FieldDef::new("next_step", Kind::Text(500), "follow_up"),
        FieldDef::new("follow_up_date", Kind::Date, "follow_up"),
    ],
    groups: &["activity", "follow_up"],
    title: "subject",
    when: "occurred_at",
    derived: &[],
    derive: None,
    hooks: Hooks::NONE,
};

pub static SERVICE_TYPE: EnumDef =
    EnumDef { name: "service_type", values: &["after_sales", "technical_support", "training", "installation"] };

/// 客户服务记录: type, when, where, staff, content, result, duration.
pub static SERVICE_RECORD: ActivityKind = ActivityKind {
    entity: "service_record",
    table: "service_records",
    resource: "service-records",
    fields: &[
        FieldDef::new("service_type", Kind::Enum(&SERVICE_TYPE), "activity").required(),
        FieldDef::new("occurred_at", Kind::DateTime, "activity").required(),
        FieldDef::new("place", Kind::Text(200), "activity"),
        FieldDef::new("staff", Kind::Text(200), "activity"),
        FieldDef::new("content", Kind::LongText, "activity").required(),
        FieldDef::new("result", Kind::LongText, "activity"),
        FieldDef::new("duration_minutes", Kind::Int(0, 100_000), "activity"),
    ],
    groups: &["activity"],
    title: "content",
    when: "occurred_at",
    derived: &[],
    derive: None,
    hooks: Hooks::NONE,
};

/// 拜访档案记录 (附表三): sequence, goal, interviewees, topics and problems,
/// result, open objections with a resolution plan (tracked until resolved),
/// end time, and the next planned date (which feeds the visit plan and reminders).
pub static VISIT: ActivityKind = ActivityKind {
    entity: "visit",
    table: "visits",
    resource: "visits",
    fields: &[
        FieldDef::new("visited_at", Kind::DateTime, "activity").required(),
        FieldDef::new("sequence", Kind::Int(1, 999), "activity"),
        FieldDef::new("goal", Kind::Text(500), "activity").required(),
        FieldDef::new("interviewees", Kind::Text(200), "activity"),
        FieldDef::new("topics", Kind::LongText, "activity"),
        FieldDef::new("result", Kind::LongText, "activity"),
        FieldDef::new("ended_at", Kind::DateTime, "activity"),
        FieldDef::new("objections", Kind::LongText, "objections"),
        FieldDef::new("resolution_plan", Kind::LongText, "objections"),
        FieldDef::new("objection_resolved", Kind::Bool, "objections"),
        FieldDef::new("next_planned", Kind::Date, "follow_up"),
    ],
    groups: &["activity", "objections", "follow_up"],
    title: "goal",
    when: "visited_at",
    derived: &[],
    derive: None,
    hooks: Hooks { fulfils_visit_plan: true, ..Hooks::NONE },
};

/// 客户需求分析: each record is one dated version of the analysis; the newest is current.
pub static NEED: ActivityKind = ActivityKind {
    entity: "need",
    table: "needs",
    resource: "needs",
    fields: &[
        FieldDef::new("analysed_on", Kind::Date, "activity").required(),
        FieldDef::new("needs", Kind::LongText, "activity").required(),
        FieldDef::new("purchase_motives", Kind::LongText, "activity"),
        FieldDef::new("preferences", Kind::LongText, "activity"),
        FieldDef::new("decision_process", Kind::LongText, "activity"),
        FieldDef::new("budget", Kind::Money, "activity"),
        FieldDef::new("timing", Kind::Text(200), "activity"),
    ],
    groups: &["activity"],
    title: "needs",
    when: "analysed_on",
    derived: &[],
    derive: None,
    hooks: Hooks::NONE,
};

/// 客户反馈/满意度调查: scores 1–5 overall and per dimension, NPS 0–10.
pub static SURVEY: ActivityKind = ActivityKind {
    entity: "survey",
    table: "surveys",
    resource: "surveys",
    fields: &[
        FieldDef::new("surveyed_on", Kind::Date, "activity").required(),
        FieldDef::new("respondent", Kind::Text(100), "activity"),
        FieldDef::new("overall", Kind::Int(1, 5), "scores").required(),
        FieldDef::new("product", Kind::Int(1, 5), "scores"),
        FieldDef::new("delivery", Kind::Int(1, 5), "scores"),
        FieldDef::new("service", Kind::Int(1, 5), "scores"),
        FieldDef::new("price", Kind::Int(1, 5), "scores"),
        FieldDef::new("nps", Kind::Int(0, 10), "scores"),
        FieldDef::new("comments", Kind::LongText, "activity"),
        FieldDef::new("suggestions", Kind::LongText, "activity"),
    ],
    groups: &["activity", "scores"],
    title: "respondent",
    when: "surveyed_on",
    derived: &[],
    derive: None,
    hooks: Hooks { monthly_trend: true, ..Hooks::NONE },
};

/// Every kind, in the order the account page shows their tabs.
pub static KINDS: &[&ActivityKind] =
    &[&INTERACTION, &VISIT, &SERVICE_RECORD, &crate::complaint::COMPLAINT, &NEED, &SURVEY];

/// One month of survey results.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SurveyMonth {
    /// `YYYY-MM`
    pub month: String,
    pub responses: i64,
    /// Average overall score (1–5), two decimals.
    pub average: Option<f64>,
    /// Net promoter score −100…100 over the responses that gave one.
    pub nps: Option<i64>,
    pub nps_responses: i64,
}

/// NPS: the share of promoters (9–10) minus the share of detractors (0–6), in
/// whole percent, rounded half away from zero.
pub fn nps(promoters: i64, detractors: i64, responses: i64) -> Option<i64> {
    if responses <= 0 {
        return None;
    }
    let diff = (promoters - detractors) as f64 * 100.0 / responses as f64;
    Some(diff.round() as i64)
}

/// Average of `sum` over `n`, two decimals.
pub fn average(sum: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| ((sum as f64 / n as f64) * 100.0).round() / 100.0)
}

pub fn by_resource(resource: &str) -> Option<&'static ActivityKind> {
    KINDS.iter().copied().find(|k| k.resource == resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kinds_hooks_name_what_it_has() {
        for k in KINDS {
            if k.hooks.workflow {
                assert!(crate::fields::def(k.derived, "status").is_some(), "{}: a workflow keeps a status", k.entity);
                assert!(k.derive.is_some(), "{}: a workflow derives its deadlines", k.entity);
            }
            if let Some(f) = k.hooks.handler_field {
                assert!(crate::fields::def(k.fields, f).is_some(), "{}: the handler is one of its fields", k.entity);
            }
            if k.hooks.fulfils_visit_plan {
                assert!(crate::fields::def(k.fields, "visited_at").is_some(), "{}: a visit has its date", k.entity);
            }
        }
        assert_eq!(KINDS.iter().filter(|k| k.hooks.workflow).count(), 1, "complaints have the workflow");
        assert!(VISIT.hooks.fulfils_visit_plan && crate::complaint::COMPLAINT.hooks.contract_deadlines);
        assert!(SURVEY.hooks.monthly_trend && KINDS.iter().filter(|k| k.hooks.monthly_trend).count() == 1);
    }

    #[test]
    fn net_promoter_score() {
        assert_eq!(nps(5, 2, 10), Some(30));
        assert_eq!(nps(0, 3, 3), Some(-100));
        assert_eq!(nps(1, 0, 3), Some(33));
        assert_eq!(nps(2, 1, 3), Some(33));
        assert_eq!(nps(0, 0, 0), None);
        assert_eq!(average(9, 2), Some(4.5));
        assert_eq!(average(10, 3), Some(3.33));
        assert_eq!(average(0, 0), None);
    }

    #[test]
    fn kinds_are_consistent() {
        for k in KINDS {
            assert!(crate::fields::def(k.fields, k.title).is_some(), "{} title", k.entity);
            let when = crate::fields::def(k.fields, k.when).expect("when field");
            assert!(matches!(when.kind, Kind::DateTime | Kind::Date), "{} orders by a date", k.entity);
            for f in k.fields {
                assert!(k.groups.contains(&f.group), "{}.{} group", k.entity, f.name);
            }
            assert_eq!(by_resource(k.resource).map(|x| x.entity), Some(k.entity));
        }
    }
}
