//! The daily work log 业务工作日志 (附表九): one per rep per day, with visit
//! entries, market and product analysis, collection entries and internal
//! affairs; and its sign-off chain 出纳 → 会计 → 部门主管 → 主管副总, configured
//! per team. Pure rules here: the entries' fields and checks, who may read,
//! write, submit and sign, and what a signature does.

use crate::TeamId;
use serde::Serialize;

use crate::UserId;
use crate::access::{Actor, Role};
use crate::fields::{
    EnumDef, FieldDef, FieldErrors, Kind, Raw, Record, Value, missing_required, parse_record, parse_time,
};

/// The log's own fields.
pub static FIELDS: &[FieldDef] = &[
    FieldDef::new("log_date", Kind::Date, "log").required(),
    FieldDef::new("market_analysis", Kind::LongText, "analysis"),
    FieldDef::new("product_analysis", Kind::LongText, "analysis"),
];

/// 客户拜访记录: account (and optionally one of its contacts) outside the
/// registry; who was met, from–to, what was discussed, the result, a note.
pub static VISIT_FIELDS: &[FieldDef] = &[
    FieldDef::new("person", Kind::Text(100), "visits"),
    FieldDef::new("time_from", Kind::Time, "visits").required(),
    FieldDef::new("time_to", Kind::Time, "visits").required(),
    FieldDef::new("content", Kind::LongText, "visits").required(),
    FieldDef::new("result", Kind::LongText, "visits"),
    FieldDef::new("note", Kind::Text(500), "visits"),
];

/// 销售回款记录: account outside the registry; free-standing until the ledger
/// exists (the contract number is text, not a link).
pub static COLLECTION_FIELDS: &[FieldDef] = &[
    FieldDef::new("collection_time", Kind::Time, "collections"),
    FieldDef::new("contract_no", Kind::Text(50), "collections"),
    FieldDef::new("product", Kind::Text(100), "collections"),
    FieldDef::new("quantity", Kind::Quantity, "collections"),
    FieldDef::new("contract_amount", Kind::Money, "collections"),
    FieldDef::new("paid_amount", Kind::Money, "collections").required(),
    FieldDef::new("note", Kind::Text(500), "collections"),
];

pub static AFFAIR_STATUS: EnumDef = EnumDef { name: "affair_status", values: &["done", "in_progress", "not_started"] };

/// 公司内部事务: the department worked with, the matter, how far it got.
pub static AFFAIR_FIELDS: &[FieldDef] = &[
    FieldDef::new("department", Kind::Text(100), "affairs").required(),
    FieldDef::new("matter", Kind::Text(500), "affairs").required(),
    FieldDef::new("completion", Kind::Enum(&AFFAIR_STATUS), "affairs").required(),
    FieldDef::new("note", Kind::Text(500), "affairs"),
];

/// Most entries of one kind a log holds.
pub const MAX_ENTRIES: usize = 50;

/// One entry row: its id when it is already stored, the account it is about
/// (visits and collections), a contact of that account (visits), its fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub id: Option<i64>,
    pub account_id: Option<crate::AccountId>,
    pub contact_id: Option<crate::ContactId>,
    pub rec: Record,
}

/// A whole log as written by its author.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub rec: Record,
    pub visits: Vec<Entry>,
    pub collections: Vec<Entry>,
    pub affairs: Vec<Entry>,
}

/// The three entry sections: name (as in API keys and error paths), fields,
/// whether an entry names an account.
pub const SECTIONS: [(&str, &[FieldDef], bool); 3] =
    [("visits", VISIT_FIELDS, true), ("collections", COLLECTION_FIELDS, true), ("affairs", AFFAIR_FIELDS, false)];

/// The audit entity and message-key stem of a section's entries.
pub fn entity_of(section: &str) -> &'static str {
    match section {
        "visits" => "worklog_visit",
        "collections" => "worklog_collection",
        _ => "worklog_affair",
    }
}

impl Input {
    pub fn section(&self, name: &str) -> &[Entry] {
        match name {
            "visits" => &self.visits,
            "collections" => &self.collections,
            _ => &self.affairs,
        }
    }
}

/// Parses the fields of one row (the log itself, or an entry) as a whole:
/// a field not given is empty. Errors are keyed `<prefix>.<field>` (just
/// `<field>` when the prefix is empty).
pub fn parse_row<'a>(
    defs: &'static [FieldDef],
    get: impl Fn(&str) -> Option<Raw<'a>>,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Record {
    let mut own = FieldErrors::default();
    let mut rec = parse_record(defs, get, &mut own);
    for d in defs {
        rec.entry(d.name).or_insert(if matches!(d.kind, Kind::Bool) { Value::Bool(false) } else { Value::Null });
    }
    for (k, v) in own.0 {
        errors.add(&if prefix.is_empty() { k } else { format!("{prefix}.{k}") }, v);
    }
    rec
}

/// Checks the entries of a log: required fields, an account where one is
/// needed, a visit ending after it starts. Errors are keyed `visits.0.time_to`.
pub fn check(input: &Input) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (name, defs, needs_account) in SECTIONS {
        let entries = input.section(name);
        if entries.len() > MAX_ENTRIES {
            errors.add(name, "err.too_many");
        }
        for (i, e) in entries.iter().enumerate() {
            for (field, key) in missing_required(defs, &e.rec, true).0 {
                errors.add(&format!("{name}.{i}.{field}"), key);
            }
            if needs_account && e.account_id.is_none() {
                errors.add(&format!("{name}.{i}.account_id"), "err.required");
            }
        }
    }
    for (i, e) in input.visits.iter().enumerate() {
        let t = |f: &str| e.rec.get(f).and_then(Value::as_text).and_then(parse_time);
        if let (Some(from), Some(to)) = (t("time_from"), t("time_to"))
            && to <= from
        {
            errors.add(&format!("visits.{i}.time_to"), "err.time_order");
        }
    }
    errors
}

/// A step of the sign-off chain, in the order of the paper form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 出纳
    Cashier,
    /// 会计
    Accountant,
    /// 部门主管
    DeptHead,
    /// 主管副总
    Vp,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Cashier, Step::Accountant, Step::DeptHead, Step::Vp];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Cashier => "cashier",
            Step::Accountant => "accountant",
            Step::DeptHead => "dept_head",
            Step::Vp => "vp",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written; only the author sees changes.
    Draft,
    /// In the sign-off chain; nobody edits it.
    Submitted,
    /// Sent back by a signer; the author may edit and submit it again.
    Returned,
    /// Every step approved.
    Approved,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Draft, Status::Submitted, Status::Returned, Status::Approved];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the author may still change the log.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Return,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Return => "return",
        }
    }
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "approve" => Some(Decision::Approve),
            "return" => Some(Decision::Return),
            _ => None,
        }
    }
}

/// One signature slot of one submission round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signoff {
    pub round: i64,
    pub step: Step,
    pub signer_id: UserId,
    pub decision: Option<Decision>,
    pub comment: Option<String>,
    pub decided_at: Option<String>,
}

/// The chain a submission runs through: the team's configured steps in form
/// order, leaving out steps the author would sign themselves (nobody signs
/// their own log). An empty chain cannot be submitted.
pub fn chain_for(configured: &[(Step, UserId)], author_id: UserId) -> Result<Vec<(Step, UserId)>, &'static str> {
    let mut chain: Vec<(Step, UserId)> =
        configured.iter().copied().filter(|(_, signer)| *signer != author_id).collect();
    chain.sort_by_key(|(s, _)| *s);
    chain.dedup_by_key(|(s, _)| *s);
    if chain.is_empty() { Err("err.worklog_no_chain") } else { Ok(chain) }
}

/// The step whose signer writes the supervisor's evaluation 主管评价: the
/// department head, or the vice president when the chain has no department head.
pub fn evaluation_step(round: &[Signoff]) -> Option<Step> {
    round.iter().map(|s| s.step).filter(|s| matches!(s, Step::DeptHead | Step::Vp)).min()
}

/// The slot waiting for a signature in the current round.
pub fn next(round: &[Signoff]) -> Option<&Signoff> {
    round.iter().filter(|s| s.decision.is_none()).min_by_key(|s| s.step)
}

/// What a signature does.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    pub step: Step,
    pub status: Status,
    /// The evaluation to store with the log (at the evaluation step).
    pub evaluation: Option<String>,
}

/// Why a signature is refused: a message key, or field errors.
#[derive(Debug, Clone, PartialEq)]
pub enum SignError {
    Rule(&'static str),
    Fields(FieldErrors),
}

/// The rules of signing: the log must be in the chain, the actor must be the
/// signer of the next open step, a return needs a comment, and approving at
/// the evaluation step needs the evaluation.
pub fn sign(
    status: Status,
    round: &[Signoff],
    actor_id: UserId,
    decision: Decision,
    comment: Option<&str>,
    evaluation: Option<&str>,
) -> Result<Signed, SignError> {
    if status != Status::Submitted {
        return Err(SignError::Rule("err.worklog_not_in_signoff"));
    }
    let Some(slot) = next(round) else { return Err(SignError::Rule("err.worklog_not_in_signoff")) };
    if slot.signer_id != actor_id {
        return Err(SignError::Rule("err.worklog_not_your_turn"));
    }
    let filled = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut errors = FieldErrors::default();
    let evaluates = evaluation_step(round) == Some(slot.step);
    let evaluation = filled(evaluation);
    match decision {
        Decision::Return if filled(comment).is_none() => errors.add("comment", "err.required"),
        Decision::Approve if evaluates && evaluation.is_none() => errors.add("evaluation", "err.required"),
        _ => {}
    }
    if comment.is_some_and(|c| c.chars().count() > 2000) {
        errors.add("comment", "err.too_long_2000");
    }
    if evaluation.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        errors.add("evaluation", "err.too_long_2000");
    }
    if !errors.is_empty() {
        return Err(SignError::Fields(errors));
    }
    let last = round.iter().filter(|s| s.decision.is_none()).count() == 1;
    let status = match decision {
        Decision::Return => Status::Returned,
        Decision::Approve if last => Status::Approved,
        Decision::Approve => Status::Submitted,
    };
    let evaluation = if evaluates && decision == Decision::Approve { evaluation } else { None };
    Ok(Signed { step: slot.step, status, evaluation })
}

/// Who may write work logs at all: reps and their managers.
pub fn can_write(actor: &Actor) -> bool {
    matches!(actor.role, Role::Sales | Role::Manager)
}

/// What the policy needs to know about one log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub author_id: UserId,
    pub author_team_id: Option<TeamId>,
    /// The actor signs (or signed) one of its steps.
    pub actor_signs: bool,
}

/// Reading a log: its author, the manager of the author's team, whoever is in
/// its chain, and admin and auditors.
pub fn can_read(actor: &Actor, f: &Facts) -> bool {
    match actor.role {
        Role::Admin | Role::Auditor => true,
        Role::Manager => {
            f.author_id == actor.user_id
                || f.actor_signs
                || (actor.team_id.is_some() && f.author_team_id == actor.team_id)
        }
        _ => f.author_id == actor.user_id || f.actor_signs,
    }
}

/// Changing or submitting: the author, while the log is a draft or returned.
pub fn can_edit(actor: &Actor, f: &Facts, status: Status) -> bool {
    actor.user_id == f.author_id && can_write(actor) && status.editable()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::parse;

    const REP: UserId = UserId(3);
    const CASHIER: UserId = UserId(8);
    const ACCOUNTANT: UserId = UserId(9);
    const HEAD: UserId = UserId(2);
    const VP: UserId = UserId(11);

    fn full() -> Vec<(Step, UserId)> {
        vec![(Step::Vp, VP), (Step::Cashier, CASHIER), (Step::DeptHead, HEAD), (Step::Accountant, ACCOUNTANT)]
    }

    fn round(n: i64, chain: &[(Step, UserId)]) -> Vec<Signoff> {
        chain
            .iter()
            .map(|(step, signer)| Signoff {
                round: n,
                step: *step,
                signer_id: *signer,
                decision: None,
                comment: None,
                decided_at: None,
            })
            .collect()
    }

    /// Applies a signature the way the store does.
    fn apply(r: &mut [Signoff], s: &Signed, decision: Decision) {
        let slot = r.iter_mut().find(|x| x.step == s.step).unwrap();
        slot.decision = Some(decision);
    }

    #[test]
    fn the_chain_runs_in_form_order_and_skips_the_author() {
        let chain = chain_for(&full(), REP).unwrap();
        let steps: Vec<Step> = chain.iter().map(|c| c.0).collect();
        assert_eq!(steps, Step::ALL);
        // The department head's own log skips their step; the VP evaluates.
        let own = chain_for(&full(), HEAD).unwrap();
        assert!(own.iter().all(|(_, s)| *s != HEAD));
        assert_eq!(evaluation_step(&round(1, &own)), Some(Step::Vp));
        assert_eq!(chain_for(&[], REP), Err("err.worklog_no_chain"));
        assert_eq!(chain_for(&[(Step::DeptHead, REP)], REP), Err("err.worklog_no_chain"));
    }

    #[test]
    fn approve_step_by_step_with_the_evaluation() {
        let chain = chain_for(&full(), REP).unwrap();
        let mut r = round(1, &chain);
        let mut status = Status::Submitted;
        // Only the cashier may sign first.
        for who in [ACCOUNTANT, HEAD, VP, REP] {
            assert_eq!(
                sign(status, &r, who, Decision::Approve, None, Some("好")),
                Err(SignError::Rule("err.worklog_not_your_turn"))
            );
        }
        for (who, step) in [(CASHIER, Step::Cashier), (ACCOUNTANT, Step::Accountant)] {
            let s = sign(status, &r, who, Decision::Approve, None, None).unwrap();
            assert_eq!((s.step, s.status, s.evaluation.clone()), (step, Status::Submitted, None));
            apply(&mut r, &s, Decision::Approve);
        }
        // The department head must write the evaluation.
        let Err(SignError::Fields(e)) = sign(status, &r, HEAD, Decision::Approve, None, Some("  ")) else {
            panic!("evaluation required")
        };
        assert_eq!(e.0.get("evaluation"), Some(&"err.required"));
        let s = sign(status, &r, HEAD, Decision::Approve, Some("可以"), Some("拜访充分，回款及时")).unwrap();
        assert_eq!(s.evaluation.as_deref(), Some("拜访充分，回款及时"));
        apply(&mut r, &s, Decision::Approve);
        assert_eq!(next(&r).map(|x| x.signer_id), Some(VP));
        let s = sign(status, &r, VP, Decision::Approve, None, None).unwrap();
        assert_eq!((s.status, s.evaluation.clone()), (Status::Approved, None));
        apply(&mut r, &s, Decision::Approve);
        status = s.status;
        assert_eq!(
            sign(status, &r, VP, Decision::Approve, None, None),
            Err(SignError::Rule("err.worklog_not_in_signoff")),
            "an approved log takes no more signatures"
        );
    }

    #[test]
    fn return_needs_a_comment_and_resubmission_starts_a_new_round() {
        let chain = chain_for(&full(), REP).unwrap();
        let mut r1 = round(1, &chain);
        let s = sign(Status::Submitted, &r1, CASHIER, Decision::Approve, None, None).unwrap();
        apply(&mut r1, &s, Decision::Approve);
        let Err(SignError::Fields(e)) = sign(Status::Submitted, &r1, ACCOUNTANT, Decision::Return, Some(""), None)
        else {
            panic!("comment required")
        };
        assert_eq!(e.0.get("comment"), Some(&"err.required"));
        let s = sign(Status::Submitted, &r1, ACCOUNTANT, Decision::Return, Some("回款金额与合同不符"), None).unwrap();
        assert_eq!(s.status, Status::Returned);
        apply(&mut r1, &s, Decision::Return);
        // Returned: editable by the author, no signatures taken.
        assert!(Status::Returned.editable());
        assert_eq!(
            sign(Status::Returned, &r1, HEAD, Decision::Approve, None, Some("x")),
            Err(SignError::Rule("err.worklog_not_in_signoff"))
        );
        // Resubmitted: a fresh round from the first step again.
        let r2 = round(2, &chain);
        assert_eq!(next(&r2).map(|x| (x.step, x.signer_id)), Some((Step::Cashier, CASHIER)));
        assert!(sign(Status::Submitted, &r2, CASHIER, Decision::Approve, None, None).is_ok());
    }

    #[test]
    fn a_short_chain_of_the_department_head_alone() {
        let chain = chain_for(&[(Step::DeptHead, HEAD)], REP).unwrap();
        let r = round(1, &chain);
        let s = sign(Status::Submitted, &r, HEAD, Decision::Approve, None, Some("良好")).unwrap();
        assert_eq!(s.status, Status::Approved);
        assert!(!Status::Submitted.editable() && !Status::Approved.editable());
    }

    #[test]
    fn who_may_read_and_edit() {
        let rep = Actor { user_id: REP, role: Role::Sales, team_id: Some(TeamId(10)) };
        let colleague = Actor { user_id: UserId(4), role: Role::Sales, team_id: Some(TeamId(10)) };
        let head = Actor { user_id: HEAD, role: Role::Manager, team_id: Some(TeamId(10)) };
        let other_head = Actor { user_id: UserId(5), role: Role::Manager, team_id: Some(TeamId(20)) };
        let cashier = Actor { user_id: CASHIER, role: Role::Finance, team_id: None };
        let auditor = Actor { user_id: UserId(12), role: Role::Auditor, team_id: None };
        let f = Facts { author_id: REP, author_team_id: Some(TeamId(10)), actor_signs: false };
        assert!(can_read(&rep, &f) && can_read(&head, &f) && can_read(&auditor, &f));
        assert!(!can_read(&colleague, &f), "a colleague's log");
        assert!(!can_read(&other_head, &f), "another team's log");
        assert!(!can_read(&cashier, &f), "finance only when in the chain");
        assert!(can_read(&cashier, &Facts { actor_signs: true, ..f }));
        assert!(can_edit(&rep, &f, Status::Draft) && can_edit(&rep, &f, Status::Returned));
        assert!(!can_edit(&rep, &f, Status::Submitted) && !can_edit(&rep, &f, Status::Approved));
        assert!(!can_edit(&head, &f, Status::Draft), "the manager reads, the rep writes");
        assert!(!can_write(&cashier));
    }

    #[test]
    fn entries_are_checked_row_by_row() {
        let text = |defs: &'static [FieldDef], name: &str, v: &str| {
            let d = defs.iter().find(|d| d.name == name).unwrap();
            (d.name, parse(d, crate::fields::Raw::Form(v)).unwrap())
        };
        let visit = |from: &str, to: &str| Entry {
            account_id: Some(crate::AccountId(1)),
            rec: [
                text(VISIT_FIELDS, "time_from", from),
                text(VISIT_FIELDS, "time_to", to),
                text(VISIT_FIELDS, "content", "谈年度框架协议"),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        };
        let mut input = Input { visits: vec![visit("09:00", "10:30")], ..Default::default() };
        assert!(check(&input).is_empty());
        input.visits.push(visit("14:00", "13:00"));
        input.visits.push(Entry { account_id: None, ..visit("15:00", "16:00") });
        input.affairs.push(Entry::default());
        let e = check(&input);
        assert_eq!(e.0.get("visits.1.time_to"), Some(&"err.time_order"));
        assert_eq!(e.0.get("visits.2.account_id"), Some(&"err.required"));
        assert_eq!(e.0.get("affairs.0.department"), Some(&"err.required"));
        assert_eq!(e.0.get("affairs.0.completion"), Some(&"err.required"));
        assert!(!e.0.contains_key("visits.0.time_to"));
    }
}
