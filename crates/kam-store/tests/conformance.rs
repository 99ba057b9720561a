//! The storage conformance suite: every story runs on SQLite and, when
//! KAM_TEST_POSTGRES_URL is set, on PostgreSQL.

use kam_core::EntryId;
use kam_core::ProductId;
use kam_core::UserId;
use kam_core::{AccountId, Actor, Record, Role, Value};
use kam_store::accounts::{AccountFilter, AccountInput};
use kam_store::{Store, StoreError, testing};

kam_store::on_both_engines!(
    migrations_are_idempotent,
    scope_filters_lists_counts_and_search,
    credit_code_is_unique_among_live_accounts,
    similar_names_are_found,
    parent_cycles_are_refused,
    field_level_write_rules_hold,
    every_write_is_audited_and_audit_is_append_only,
    pool_claim_limit_release_and_handover,
    contacts_span_accounts_and_are_found_by_two_characters,
    sessions_and_tokens_end_on_logout_and_disable,
    two_instances_share_state,
    concurrent_writers_each_finish_in_one_connection,
    competitors_and_business_partners,
    demo_generates_a_company,
    failed_write_leaves_nothing_behind,
    activities_follow_account_scope_and_are_audited,
    survey_trend_by_month,
    reminders_follow_ups_birthdays_done_and_snooze,
    account_timeline_merges_kinds_newest_first,
    complaints_workflow_deadlines_and_steps,
    visits_track_objections_and_next_planned_dates,
    visit_plans_fill_from_visits_and_count_plan_versus_actual,
    market_activities_show_participants_within_scope,
    worklogs_sign_off_chain_visits_and_scope,
    ledger_is_append_only_and_balances_are_derived,
    orders_price_lines_check_credit_and_post_on_delivery,
    concurrent_orders_never_pass_the_credit_limit,
    statements_snapshot_chain_and_settle_disputes,
    contracts_amendments_attachments_sla_and_expiry,
    credit_assessment_override_and_form_five,
    the_day_turns_at_china_midnight,
    sessions_and_throttling_follow_the_clock,
    seeing_a_contact_is_no_licence_to_tie_it,
    repeats_huge_pages_and_racing_generations_are_answered,
    auditors_only_read,
    names_and_ties_of_unseen_accounts_stay_unseen,
    reversals_cancel_in_aging_credit_and_form_five,
    business_dates_and_the_credit_check_follow_the_rules,
    drafts_are_voided_or_regenerated_and_first_statements_list_open_items,
    settings_are_the_admins_and_currencies_must_be_enabled,
    a_visit_fills_the_planned_slot_nearest_its_date,
    search_finds_contracts_and_the_text_of_activities_within_scope,
    unique_constraints_are_answered_by_name,
    imports_check_commit_all_or_nothing_and_undo,
    imports_of_many_rows_are_read_a_page_at_a_time,
    a_missing_then_a_given_percentage_write_on_one_connection,
    imports_update_duplicates_and_tie_contacts_to_accounts,
    imports_post_ledger_entries_and_undo_by_reversal,
    imports_write_products_and_orders_with_lines,
    imports_write_activities_of_every_kind,
    imports_write_contracts,
    imports_write_competitor_positions,
    imports_write_visit_plans,
    imports_write_targets,
    imports_write_capability_scores,
    import_mappings_are_saved_replaced_and_scoped,
    each_duplicate_row_gets_its_own_choice,
    merging_accounts_moves_every_dependent_record,
    racing_merges_of_one_pair_leave_one_account,
    merging_contacts_moves_ties_and_mentions,
    capability_months_are_scored_within_scope_and_audited,
    capability_suggestions_come_from_orders_complaints_and_credit,
    classification_ranks_revenue_and_accepts_the_class,
    completeness_names_what_is_missing,
    health_explains_itself_within_scope,
    targets_roll_up_and_attain_within_scope,
    forecasts_fit_the_history_and_stay_in_scope,
    lifecycle_and_churn_follow_the_rules_within_scope,
    dashboards_count_complaints_plans_holds_and_statements_within_scope,
    share_history_is_dated_scoped_and_sets_the_latest_position,
    market_analyses_and_the_region_view_within_scope,
    sales_report_counts_delivered_orders_within_scope,
);

#[path = "conformance/imports.rs"]
mod imports;
use imports::*;
#[path = "conformance/capability.rs"]
mod capability;
use capability::*;
#[path = "conformance/classification.rs"]
mod classification;
use classification::*;
#[path = "conformance/completeness.rs"]
mod completeness;
use completeness::*;
#[path = "conformance/health.rs"]
mod health;
use health::*;
#[path = "conformance/targets.rs"]
mod targets;
use targets::*;
#[path = "conformance/forecasts.rs"]
mod forecasts;
use forecasts::*;
#[path = "conformance/lifecycle.rs"]
mod lifecycle;
use lifecycle::*;
#[path = "conformance/merges.rs"]
mod merges;
use merges::*;
#[path = "conformance/dashboards.rs"]
mod dashboards;
use dashboards::*;
#[path = "conformance/shares.rs"]
mod shares;
use shares::*;
#[path = "conformance/market_analyses.rs"]
mod market_analyses;
use market_analyses::*;

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn rec(pairs: &[(&'static str, Value)]) -> Record {
    pairs.iter().cloned().collect()
}

struct World {
    admin: Actor,
    m1: Actor,
    rep1: Actor,
    rep2: Actor,
    rep3: Actor,
    fin: Actor,
}

async fn actor(s: &Store, id: UserId) -> Actor {
    s.user(id).await.unwrap().actor()
}

async fn world(s: &Store) -> World {
    let admin = testing::user(s, "admin", Role::Admin, None).await;
    let m1 = testing::user(s, "m1", Role::Manager, Some("East")).await;
    let rep1 = testing::user(s, "rep1", Role::Sales, Some("East")).await;
    let rep2 = testing::user(s, "rep2", Role::Sales, Some("East")).await;
    let rep3 = testing::user(s, "rep3", Role::Sales, Some("South")).await;
    let fin = testing::user(s, "fin", Role::Finance, None).await;
    World {
        admin: actor(s, admin).await,
        m1: actor(s, m1).await,
        rep1: actor(s, rep1).await,
        rep2: actor(s, rep2).await,
        rep3: actor(s, rep3).await,
        fin: actor(s, fin).await,
    }
}

async fn account(s: &Store, by: &Actor, name: &str) -> AccountId {
    s.create_account(by, AccountInput { rec: rec(&[("name", text(name))]), ..Default::default() }).await.unwrap().id
}

async fn migrations_are_idempotent(s: Store) {
    s.migrate().await.unwrap();
    s.migrate().await.unwrap();
    s.ping().await.unwrap();
}

async fn scope_filters_lists_counts_and_search(s: Store) {
    let w = world(&s).await;
    let a1 = account(&s, &w.rep1, "杭州华信化工有限公司").await;
    let a2 = account(&s, &w.rep2, "宁波恒通电子有限公司").await;
    let a3 = account(&s, &w.rep3, "广州明远精密机械有限公司").await;
    let pool = s
        .create_account(
            &w.admin,
            AccountInput { rec: rec(&[("name", text("苏州永盛建材有限公司"))]), ..Default::default() },
        )
        .await
        .unwrap()
        .id;
    let f = AccountFilter { page: 1, per_page: 50, ..Default::default() };
    let ids = |p: kam_store::accounts::Page<kam_store::accounts::Account>| {
        let mut v: Vec<AccountId> = p.items.iter().map(|a| a.id).collect();
        v.sort();
        (v, p.total)
    };
    assert_eq!(ids(s.list_accounts(&w.rep1, &f).await.unwrap()), (vec![a1], 1), "rep: own only");
    assert_eq!(ids(s.list_accounts(&w.m1, &f).await.unwrap()), (vec![a1, a2], 2), "manager: the team's");
    let pf = AccountFilter { pool: true, page: 1, per_page: 10, ..Default::default() };
    assert_eq!(ids(s.list_accounts(&w.rep1, &pf).await.unwrap()), (vec![pool], 1), "reps see the pool in its own view");
    assert_eq!(s.account(&w.rep1, pool).await.unwrap().owner_id, None, "and may open a pool account");
    assert_eq!(ids(s.list_accounts(&w.fin, &f).await.unwrap()).1, 4, "finance: all");
    assert!(matches!(s.account(&w.rep1, a2).await, Err(StoreError::NotFound)), "colleague's account is not found");
    assert!(matches!(s.account(&w.m1, a3).await, Err(StoreError::NotFound)), "other team's account is not found");
    // Search obeys the same scope.
    assert!(s.search(&w.rep1, "恒通", 20).await.unwrap().is_empty());
    assert_eq!(s.search(&w.m1, "恒通", 20).await.unwrap().len(), 1);
    assert_eq!(s.count_accounts(&w.rep3, &f).await.unwrap(), 1);
    // Sharing opens one account read-only.
    s.share_account(&w.rep2, a2, w.rep1.user_id).await.unwrap();
    let shared = s.account(&w.rep1, a2).await.unwrap();
    assert!(shared.shared_with_me);
    let r =
        s.update_account(&w.rep1, a2, AccountInput { rec: rec(&[("grade", text("A"))]), ..Default::default() }).await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))));
    // Filters and paging.
    s.update_account(&w.admin, a3, AccountInput { rec: rec(&[("grade", text("A"))]), ..Default::default() })
        .await
        .unwrap();
    let fa = AccountFilter { grade: Some("A".into()), page: 1, per_page: 1, ..Default::default() };
    let p = s.list_accounts(&w.fin, &fa).await.unwrap();
    assert_eq!((p.total, p.items.len()), (1, 1));
    let pf = AccountFilter { pool: true, page: 1, per_page: 10, ..Default::default() };
    assert_eq!(ids(s.list_accounts(&w.fin, &pf).await.unwrap()).0, vec![pool]);
}

async fn credit_code_is_unique_among_live_accounts(s: Store) {
    let w = world(&s).await;
    let mk = |name: &str| AccountInput {
        rec: rec(&[("name", text(name)), ("credit_code", text("91350100M000100Y43"))]),
        ..Default::default()
    };
    let a = s.create_account(&w.rep1, mk("甲公司")).await.unwrap();
    match s.create_account(&w.rep3, mk("乙公司")).await {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.0.get("credit_code"), Some(&"err.credit_code.taken"))
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    s.delete_account(&w.admin, a.id).await.unwrap();
    s.create_account(&w.rep3, mk("乙公司")).await.expect("the code is free once the first is archived");
}

async fn similar_names_are_found(s: Store) {
    let w = world(&s).await;
    let id = account(&s, &w.rep3, "杭州华信化工有限公司").await;
    let sim = s.similar_accounts("杭州华信化工股份有限公司", None).await.unwrap();
    assert_eq!(sim.iter().map(|x| x.id).collect::<Vec<_>>(), vec![id], "found even outside the rep's scope");
    assert!(s.similar_accounts("北京天成物流有限公司", None).await.unwrap().is_empty());
    assert!(s.similar_accounts("杭州华信化工有限公司", Some(id)).await.unwrap().is_empty());
}

async fn parent_cycles_are_refused(s: Store) {
    let w = world(&s).await;
    let g = account(&s, &w.admin, "集团总部").await;
    let c = s
        .create_account(
            &w.admin,
            AccountInput { rec: rec(&[("name", text("子公司"))]), parent: Some(Some(g)), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(c.parent_id, Some(g));
    let r = s.update_account(&w.admin, g, AccountInput { parent: Some(Some(c.id)), ..Default::default() }).await;
    match r {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("parent_id"), Some(&"err.parent_cycle")),
        other => panic!("expected cycle error, got {other:?}"),
    }
    let r = s.update_account(&w.admin, g, AccountInput { parent: Some(Some(g)), ..Default::default() }).await;
    assert!(matches!(r, Err(StoreError::Invalid(_))));
    assert!(matches!(s.delete_account(&w.admin, g).await, Err(StoreError::Conflict("err.has_children"))));
}

async fn field_level_write_rules_hold(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "客户甲").await;
    let r = s
        .update_account(
            &w.rep1,
            a,
            AccountInput { rec: rec(&[("credit_limit", Value::Int(100))]), ..Default::default() },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "sales may not write credit fields");
    let r =
        s.update_account(&w.fin, a, AccountInput { rec: rec(&[("name", text("改名"))]), ..Default::default() }).await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "finance may not write general fields");
    let ok = s
        .update_account(
            &w.fin,
            a,
            AccountInput { rec: rec(&[("credit_limit", Value::Int(5_000_000))]), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(ok.rec.get("credit_limit"), Some(&Value::Int(5_000_000)));
    let r =
        s.update_account(&w.rep1, a, AccountInput { owner: Some(Some(w.rep2.user_id)), ..Default::default() }).await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "a rep cannot give an account away");
    let r = s
        .create_account(
            &w.rep1,
            AccountInput { rec: rec(&[("name", text("x"))]), owner: Some(Some(w.rep2.user_id)), ..Default::default() },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))));
    let r = s.create_account(&w.fin, AccountInput { rec: rec(&[("name", text("y"))]), ..Default::default() }).await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "finance does not create accounts");
    // A manager assigns within the team.
    let b = s
        .create_account(
            &w.m1,
            AccountInput {
                rec: rec(&[("name", text("客户乙"))]),
                owner: Some(Some(w.rep2.user_id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(b.owner_id, Some(w.rep2.user_id));
    let r = s
        .create_account(
            &w.m1,
            AccountInput {
                rec: rec(&[("name", text("客户丙"))]),
                owner: Some(Some(w.rep3.user_id)),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "not to another team");
}

async fn every_write_is_audited_and_audit_is_append_only(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "审计客户").await;
    s.update_account(&w.rep1, a, AccountInput { rec: rec(&[("grade", text("B"))]), ..Default::default() })
        .await
        .unwrap();
    let c = s.create_contact(&w.rep1, a, rec(&[("name", text("李强"))]), Record::new()).await.unwrap();
    s.update_contact(&w.rep1, c.id, rec(&[("mobile", text("13800000000"))])).await.unwrap();
    let h = s.account_history(a).await.unwrap();
    let actions: Vec<(&str, &str)> = h.iter().map(|r| (r.entity.as_str(), r.action.as_str())).collect();
    assert_eq!(
        actions,
        vec![("contact", "update"), ("contact", "create"), ("account", "update"), ("account", "create")]
    );
    assert_eq!(h[2].changes["grade"], serde_json::json!([null, "B"]));
    assert_eq!(h[2].actor_id, Some(w.rep1.user_id));
    let (upd, del) = s.try_tamper_audit(h[0].id).await;
    assert!(upd.is_err(), "audit rows cannot be updated");
    assert!(del.is_err(), "audit rows cannot be deleted");
    assert_eq!(s.account_history(a).await.unwrap().len(), 4);
}

async fn pool_claim_limit_release_and_handover(s: Store) {
    let w = world(&s).await;
    let p1 = s
        .create_account(&w.admin, AccountInput { rec: rec(&[("name", text("公海一"))]), ..Default::default() })
        .await
        .unwrap();
    let p2 = s
        .create_account(&w.admin, AccountInput { rec: rec(&[("name", text("公海二"))]), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(p1.owner_id, None, "an admin's new account goes to the pool");
    s.set_setting(Some(w.admin.user_id), "pool.claim_limit", "1").await.unwrap();
    let got = s.claim_account(&w.rep1, p1.id).await.unwrap();
    assert_eq!(got.owner_id, Some(w.rep1.user_id));
    assert!(matches!(s.claim_account(&w.rep1, p2.id).await, Err(StoreError::Conflict("err.claim_limit"))));
    assert!(
        matches!(s.claim_account(&w.rep2, p1.id).await, Err(StoreError::NotFound)),
        "claimed: gone from rep2's view"
    );
    s.release_account(&w.rep1, p1.id).await.unwrap();
    assert_eq!(s.account(&w.rep2, p1.id).await.unwrap().owner_id, None);
    s.claim_account(&w.rep1, p2.id).await.unwrap();
    account(&s, &w.rep1, "自建客户").await;
    assert!(matches!(s.handover(&w.rep1, w.rep1.user_id, w.rep2.user_id).await, Err(StoreError::Forbidden(_))));
    assert!(
        matches!(s.handover(&w.m1, w.rep1.user_id, w.rep3.user_id).await, Err(StoreError::Forbidden(_))),
        "not across teams"
    );
    assert_eq!(s.handover(&w.m1, w.rep1.user_id, w.rep2.user_id).await.unwrap(), 2);
    let f = AccountFilter { page: 1, per_page: 50, owner_id: Some(w.rep1.user_id), ..Default::default() };
    assert_eq!(s.list_accounts(&w.admin, &f).await.unwrap().total, 0);
    let actions: Vec<String> = s.account_history(p2.id).await.unwrap().into_iter().map(|r| r.action).collect();
    assert_eq!(actions, vec!["handover", "claim", "create"]);
}

async fn contacts_span_accounts_and_are_found_by_two_characters(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "甲方公司").await;
    let b = account(&s, &w.rep1, "乙方公司").await;
    let other = account(&s, &w.rep3, "丙方公司").await;
    let link =
        rec(&[("title", text("总经理")), ("buying_role", text("decision_maker")), ("is_primary", Value::Bool(true))]);
    let c = s
        .create_contact(
            &w.rep1,
            a,
            rec(&[("name", text("王芳")), ("mobile", text("13912345678")), ("birth_date", text("1975-03-08"))]),
            link,
        )
        .await
        .unwrap();
    s.link_contact(&w.rep1, b, c.id, rec(&[("title", text("董事")), ("buying_role", text("influencer"))]))
        .await
        .unwrap();
    let got = s.contact(&w.rep1, c.id).await.unwrap();
    assert_eq!(got.accounts.len(), 2);
    assert!(got.actor_owns_account);
    let hits = s.search(&w.rep1, "王芳", 10).await.unwrap();
    assert!(hits.iter().any(|h| h.entity == "contact" && h.id == c.id.0), "two-character name");
    let hits = s.search(&w.rep1, "1234", 10).await.unwrap();
    assert!(hits.iter().any(|h| h.id == c.id.0), "part of a phone number");
    assert!(s.search(&w.rep3, "王芳", 10).await.unwrap().is_empty(), "out of scope");
    assert!(matches!(s.contact(&w.rep3, c.id).await, Err(StoreError::NotFound)));
    // Personal fields: another rep who can edit a shared-in account but owns none may not write them.
    let r = s
        .create_contact(&w.rep3, other, rec(&[("name", text("赵六")), ("hobbies", text("钓鱼"))]), Record::new())
        .await;
    assert!(r.is_ok(), "the owner may write personal fields");
    // Only one primary contact per account.
    let c2 = s
        .create_contact(&w.rep1, a, rec(&[("name", text("李四"))]), rec(&[("is_primary", Value::Bool(true))]))
        .await
        .unwrap();
    let list = s.account_contacts(&w.rep1, a).await.unwrap();
    let primaries: Vec<kam_core::ContactId> = list
        .iter()
        .filter(|c| c.accounts.iter().any(|l| l.account_id == a && l.rec.get("is_primary") == Some(&Value::Bool(true))))
        .map(|c| c.id)
        .collect();
    assert_eq!(primaries, vec![c2.id]);
    s.unlink_contact(&w.rep1, a, c.id).await.unwrap();
    s.unlink_contact(&w.rep1, b, c.id).await.unwrap();
    assert!(matches!(s.contact(&w.admin, c.id).await, Err(StoreError::NotFound)), "archived without accounts");
    assert!(s.search(&w.admin, "王芳", 10).await.unwrap().is_empty());
}

async fn sessions_and_tokens_end_on_logout_and_disable(s: Store) {
    let w = world(&s).await;
    let t1 = s.create_session(w.rep1.user_id).await.unwrap();
    let t2 = s.create_session(w.rep1.user_id).await.unwrap();
    assert_eq!(s.session(&t1).await.unwrap().unwrap().user.id, w.rep1.user_id);
    s.logout(&t1, w.rep1.user_id).await.unwrap();
    assert!(s.session(&t1).await.unwrap().is_none());
    let tok = s.create_token("rep1", "cli").await.unwrap();
    assert_eq!(s.token_user(&tok).await.unwrap().unwrap().id, w.rep1.user_id);
    let tok2 = s.create_token("rep1", "second").await.unwrap();
    assert_eq!(s.revoke_tokens(Some(w.admin.user_id), w.rep1.user_id).await.unwrap(), 2);
    assert!(s.token_user(&tok2).await.unwrap().is_none(), "revoked");
    let tok = s.create_token("rep1", "third").await.unwrap();
    s.disable_user(Some(w.admin.user_id), "rep1").await.unwrap();
    assert!(s.session(&t2).await.unwrap().is_none());
    assert!(s.token_user(&tok).await.unwrap().is_none());
    assert!(s.token_user("kam_nonsense").await.unwrap().is_none());
    // Throttling counters live in the database.
    s.record_failure(&["user:rep2", "ip:127.0.0.1"]).await.unwrap();
    assert_eq!(s.recent_failures("user:rep2", time::Duration::minutes(15)).await.unwrap(), 1);
}

async fn two_instances_share_state(s: Store) {
    let w = world(&s).await;
    let token = s.create_session(w.rep1.user_id).await.unwrap();
    let a = account(&s, &w.rep1, "共享客户").await;
    let other = s.clone_fresh_pool().await.unwrap();
    assert_eq!(other.session(&token).await.unwrap().unwrap().user.id, w.rep1.user_id);
    assert_eq!(other.account(&w.rep1, a).await.unwrap().name(), "共享客户");
    other.logout(&token, w.rep1.user_id).await.unwrap();
    assert!(s.session(&token).await.unwrap().is_none());
}

/// A write reads what it checks in its own transaction: sixteen writers at
/// once, each creating an account for an owner, all succeed. (The owner was
/// read on a second pooled connection while the transaction held the first:
/// with every connection held by a writer waiting for the lock, the transaction
/// waited for a connection until the others gave up — "database is locked"
/// after ten seconds on SQLite, a pool timeout on PostgreSQL. The SQLite test
/// stores have one connection, so any such read fails the suite at once.)
async fn concurrent_writers_each_finish_in_one_connection(s: Store) {
    let w = world(&s).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (s, m1, owner) = (s.clone(), w.m1.clone(), w.rep1.user_id);
        tasks.push(tokio::spawn(async move {
            let name = Value::Text(format!("并发客户{i}"));
            let input = AccountInput { rec: rec(&[("name", name)]), owner: Some(Some(owner)), parent: None };
            s.create_account(&m1, input).await
        }));
    }
    for t in tasks {
        let acc = t.await.unwrap().expect("every writer finishes");
        assert_eq!(acc.owner_id, Some(w.rep1.user_id));
    }
}

async fn competitors_and_business_partners(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "竞争客户").await;
    let comp = s.create_competitor(&w.rep1, rec(&[("name", text("东方材料"))])).await.unwrap();
    assert!(matches!(
        s.create_competitor(&w.rep2, rec(&[("name", text("东方材料"))])).await,
        Err(StoreError::Invalid(_))
    ));
    s.set_position(&w.rep1, a, comp.id, rec(&[("share_pct", Value::Float(35.0)), ("policy", text("月结60天"))]))
        .await
        .unwrap();
    s.set_position(&w.rep1, a, comp.id, rec(&[("share_pct", Value::Float(40.0))])).await.unwrap();
    let ps = s.positions(&w.rep1, a).await.unwrap();
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].rec.get("share_pct"), Some(&Value::Float(40.0)));
    assert!(matches!(s.set_position(&w.rep2, a, comp.id, Record::new()).await, Err(StoreError::NotFound)));
    let pid = s
        .add_partner(
            &w.rep1,
            a,
            rec(&[("kind", text("supplier")), ("name", text("某供应商")), ("share_pct", Value::Float(20.0))]),
        )
        .await
        .unwrap();
    assert_eq!(s.partners(&w.rep1, a).await.unwrap().len(), 1);
    s.remove_partner(&w.rep1, a, pid).await.unwrap();
    s.remove_position(&w.rep1, a, ps[0].id).await.unwrap();
    assert_eq!(s.competitors(&w.rep1).await.unwrap()[0].account_count, 0);
    let kinds: Vec<String> = s.account_history(a).await.unwrap().into_iter().map(|r| r.entity).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "competitor_position").count(), 3);
    assert_eq!(kinds.iter().filter(|k| *k == "account_partner").count(), 2);
}

async fn demo_generates_a_company(s: Store) {
    let report = kam_store::demo::generate(&s, 12).await.unwrap();
    assert_eq!(report.accounts, 12);
    assert!(report.contacts >= 12);
    let roles: std::collections::HashSet<Role> = report.logins.iter().map(|l| l.role).collect();
    assert_eq!(roles.len(), 6, "every role");
    assert_eq!(s.teams().await.unwrap().len(), 2);
    let admin = s.user_by_username("admin").await.unwrap().unwrap();
    assert!(kam_core::secret::verify_password(&report.password, &admin.password_hash));
    let all =
        s.list_accounts(&admin.actor(), &AccountFilter { page: 1, per_page: 100, ..Default::default() }).await.unwrap();
    assert_eq!(all.total, 12);
    assert!(all.items.iter().all(|a| {
        a.rec
            .get("credit_code")
            .and_then(Value::as_text)
            .is_some_and(|c| kam_core::credit_code::CreditCode::parse(c).is_ok())
    }));
    assert!(s.is_demo().await.unwrap());
    assert!(
        matches!(kam_store::demo::generate(&s, 1).await, Err(StoreError::Conflict(_))),
        "only on an empty database"
    );
}

async fn failed_write_leaves_nothing_behind(s: Store) {
    let w = world(&s).await;
    let before = s.recent_audit(1000).await.unwrap().len();
    let r = s
        .create_account(
            &w.admin,
            AccountInput {
                rec: rec(&[("name", text("坏父级"))]),
                parent: Some(Some(AccountId(999_999))),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))));
    assert_eq!(s.recent_audit(1000).await.unwrap().len(), before);
    assert!(s.search(&w.admin, "坏父级", 5).await.unwrap().is_empty());
}

async fn activities_follow_account_scope_and_are_audited(s: Store) {
    use kam_core::activity::{INTERACTION, SERVICE_RECORD};
    use kam_store::activity::ActivityFilter;
    let w = world(&s).await;
    let svc = testing::user(&s, "svc", Role::Service, None).await;
    let svc = actor(&s, svc).await;
    let a = account(&s, &w.rep1, "活动客户").await;
    let call = rec(&[
        ("occurred_at", text("2026-11-20T10:30")),
        ("channel", text("phone")),
        ("subject", text("年度采购计划")),
        ("follow_up_date", text("2026-12-01")),
    ]);
    let i = s.create_activity(&INTERACTION, &w.rep1, a, call.clone()).await.unwrap();
    assert_eq!(i.account_name, "活动客户");
    assert!(matches!(s.activity(&INTERACTION, &w.rep2, i.id).await, Err(StoreError::NotFound)), "a colleague's");
    assert!(matches!(s.create_activity(&INTERACTION, &w.rep2, a, call.clone()).await, Err(StoreError::NotFound)));
    assert!(matches!(s.create_activity(&INTERACTION, &w.fin, a, call.clone()).await, Err(StoreError::Forbidden(_))));
    s.create_activity(&INTERACTION, &w.m1, a, call.clone()).await.expect("the manager records on the team's account");
    let visit = rec(&[
        ("service_type", text("installation")),
        ("occurred_at", text("2026-11-21T09:00")),
        ("content", text("安装调试")),
    ]);
    let sr = s.create_activity(&SERVICE_RECORD, &svc, a, visit).await.expect("service staff record service");
    match s.create_activity(&INTERACTION, &w.rep1, a, rec(&[("subject", text("x"))])).await {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.0.get("occurred_at"), Some(&"err.required"));
            assert_eq!(e.0.get("channel"), Some(&"err.required"));
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    let f = ActivityFilter { account_id: Some(a), page: 1, per_page: 10 };
    let list = s.list_activities(&INTERACTION, &w.rep1, &f).await.unwrap();
    assert_eq!(list.total, 2);
    assert_eq!(
        s.list_activities(&INTERACTION, &w.rep3, &ActivityFilter { page: 1, per_page: 10, ..Default::default() })
            .await
            .unwrap()
            .total,
        0,
        "other team"
    );
    let upd = s.update_activity(&INTERACTION, &w.rep1, i.id, rec(&[("result", text("已报价"))])).await.unwrap();
    assert_eq!(upd.rec.get("result"), Some(&text("已报价")));
    assert!(matches!(
        s.update_activity(&INTERACTION, &w.rep1, i.id, rec(&[("subject", Value::Null)])).await,
        Err(StoreError::Invalid(_))
    ));
    s.delete_activity(&SERVICE_RECORD, &svc, sr.id).await.unwrap();
    assert!(matches!(s.activity(&SERVICE_RECORD, &w.admin, sr.id).await, Err(StoreError::NotFound)));
    let h: Vec<(String, String)> =
        s.account_history(a).await.unwrap().into_iter().map(|r| (r.entity, r.action)).collect();
    let count = |e: &str, act: &str| h.iter().filter(|(x, y)| x == e && y == act).count();
    assert_eq!((count("interaction", "create"), count("interaction", "update")), (2, 1));
    assert_eq!((count("service_record", "create"), count("service_record", "delete")), (1, 1));
}

async fn survey_trend_by_month(s: Store) {
    use kam_core::activity::SURVEY;
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "满意度客户").await;
    let b = account(&s, &w.rep3, "别队客户").await;
    for (acc, by, day, overall, nps) in [
        (a, &w.rep1, "2026-10-05", 4, Some(9)),
        (a, &w.rep1, "2026-10-20", 5, Some(10)),
        (a, &w.rep1, "2026-10-28", 3, Some(5)),
        (a, &w.rep1, "2026-11-02", 2, None),
        (b, &w.rep3, "2026-11-03", 5, Some(10)),
    ] {
        let mut r = rec(&[("surveyed_on", text(day)), ("overall", Value::Int(overall))]);
        if let Some(n) = nps {
            r.insert("nps", Value::Int(n));
        }
        s.create_activity(&SURVEY, by, acc, r).await.unwrap();
    }
    let t = s.survey_trend(&w.rep1, None).await.unwrap();
    assert_eq!(t.len(), 2, "rep1 sees only their account's surveys");
    assert_eq!((t[0].month.as_str(), t[0].responses, t[0].average, t[0].nps), ("2026-10", 3, Some(4.0), Some(33)));
    assert_eq!((t[1].month.as_str(), t[1].responses, t[1].average, t[1].nps), ("2026-11", 1, Some(2.0), None));
    let all = s.survey_trend(&w.admin, None).await.unwrap();
    assert_eq!((all[1].responses, all[1].average, all[1].nps), (2, Some(3.5), Some(100)));
    assert_eq!(s.survey_trend(&w.admin, Some(b)).await.unwrap().len(), 1);
    match s.create_activity(&SURVEY, &w.rep1, a, rec(&[("surveyed_on", text("2026-11-05"))])).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("overall"), Some(&"err.required")),
        other => panic!("{other:?}"),
    }
}

async fn reminders_follow_ups_birthdays_done_and_snooze(s: Store) {
    use kam_core::activity::INTERACTION;
    use time::macros::date;
    let w = world(&s).await;
    let rep1 = s.user(w.rep1.user_id).await.unwrap();
    let rep2 = s.user(w.rep2.user_id).await.unwrap();
    let a = account(&s, &w.rep1, "提醒客户").await;
    let call = |day: &str, next: &str| {
        rec(&[
            ("occurred_at", text("2026-11-01T09:00")),
            ("channel", text("phone")),
            ("subject", text("电话")),
            ("next_step", text(next)),
            ("follow_up_date", text(day)),
        ])
    };
    let old = s.create_activity(&INTERACTION, &w.rep1, a, call("2026-11-20", "寄送报价")).await.unwrap();
    s.create_activity(&INTERACTION, &w.rep1, a, call("2026-11-28", "回访")).await.unwrap();
    s.create_activity(&INTERACTION, &w.m1, a, call("2027-03-01", "年后拜访")).await.unwrap();
    s.create_contact(
        &w.rep1,
        a,
        rec(&[("name", text("钱总")), ("birth_date", text("1968-11-30"))]),
        rec(&[("buying_role", text("decision_maker"))]),
    )
    .await
    .unwrap();
    s.create_contact(
        &w.rep1,
        a,
        rec(&[("name", text("孙工")), ("birth_date", text("1980-11-29"))]),
        rec(&[("buying_role", text("user"))]),
    )
    .await
    .unwrap();
    let today = date!(2026 - 11 - 28);
    let r = s.reminders(&rep1, today, 7).await.unwrap();
    let got: Vec<(&str, &str, bool)> = r.iter().map(|x| (x.title.as_str(), x.due.as_str(), x.overdue)).collect();
    assert_eq!(
        got,
        vec![("寄送报价", "2026-11-20", true), ("回访", "2026-11-28", false), ("钱总", "2026-11-30", false)],
        "a manager's follow-up on rep1's account is rep1's; only decision makers' birthdays"
    );
    assert!(s.reminders(&rep2, today, 7).await.unwrap().is_empty(), "nothing for a colleague");
    let key = format!("follow_up-{}", old.id);
    s.answer_reminder(&rep1.actor(), &key, false, Some(date!(2026 - 12 - 02))).await.unwrap();
    let r = s.reminders(&rep1, today, 7).await.unwrap();
    assert_eq!(r.last().map(|x| (x.title.as_str(), x.due.as_str())), Some(("寄送报价", "2026-12-02")), "snoozed");
    s.answer_reminder(&rep1.actor(), &key, true, None).await.unwrap();
    assert_eq!(s.reminders(&rep1, today, 7).await.unwrap().len(), 2, "done");
    assert!(matches!(s.answer_reminder(&rep1.actor(), "nonsense", true, None).await, Err(StoreError::NotFound)));
    // Calendar feeds.
    let t1 = s.create_calendar_feed(&rep1.actor()).await.unwrap();
    assert_eq!(s.calendar_feed_user(&t1).await.unwrap().map(|u| u.id), Some(rep1.id));
    let t2 = s.create_calendar_feed(&rep1.actor()).await.unwrap();
    assert!(s.calendar_feed_user(&t1).await.unwrap().is_none(), "a new secret replaces the old");
    s.revoke_calendar_feed(&rep1.actor()).await.unwrap();
    assert!(s.calendar_feed_user(&t2).await.unwrap().is_none());
    assert!(!s.has_calendar_feed(rep1.id).await.unwrap());
}

async fn account_timeline_merges_kinds_newest_first(s: Store) {
    use kam_core::activity::{INTERACTION, NEED, SERVICE_RECORD};
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "时间线客户").await;
    s.create_activity(
        &INTERACTION,
        &w.rep1,
        a,
        rec(&[("occurred_at", text("2026-11-10T09:00")), ("channel", text("visit")), ("subject", text("首次拜访"))]),
    )
    .await
    .unwrap();
    s.create_activity(&NEED, &w.rep1, a, rec(&[("analysed_on", text("2026-11-12")), ("needs", text("环保材料"))]))
        .await
        .unwrap();
    s.create_activity(
        &SERVICE_RECORD,
        &w.rep1,
        a,
        rec(&[
            ("service_type", text("training")),
            ("occurred_at", text("2026-11-15T14:00")),
            ("content", text("培训")),
        ]),
    )
    .await
    .unwrap();
    // Orders and contracts are on the timeline too, by their own dates.
    s.create_contract(
        &w.rep1,
        a,
        rec(&[
            ("contract_no", text("TL-1")),
            ("contract_type", text("sales")),
            ("title", text("年度合同")),
            ("signed_on", text("2026-11-13")),
        ]),
    )
    .await
    .unwrap();
    let p = s
        .create_product(
            &w.admin,
            rec(&[("code", text("TL-P")), ("name", text("膜")), ("unit", text("Kg")), ("list_price", Value::Int(100))]),
        )
        .await
        .unwrap();
    let line = kam_store::orders::LineInput { product_id: Some(p.id), rec: rec(&[("quantity", text("1"))]) };
    let order = kam_store::orders::OrderInput { rec: rec(&[("order_date", text("2026-11-11"))]), lines: vec![line] };
    s.create_order(&w.rep1, a, order).await.unwrap();
    let all = s.account_timeline(&w.rep1, a, &[], 50).await.unwrap();
    let kinds: Vec<&str> = all.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, vec!["service_record", "contract", "need", "order", "interaction"]);
    let when: Vec<&str> = all.iter().map(|i| i.when.as_str()).collect();
    assert_eq!(when, vec!["2026-11-15T14:00", "2026-11-13", "2026-11-12", "2026-11-11", "2026-11-10T09:00"]);
    let only = s.account_timeline(&w.rep1, a, &["interaction"], 50).await.unwrap();
    assert_eq!(only.len(), 1);
    let money = s.account_timeline(&w.rep1, a, &["order", "contract"], 50).await.unwrap();
    assert_eq!(money.iter().map(|i| i.kind).collect::<Vec<_>>(), vec!["contract", "order"]);
    assert!(matches!(s.account_timeline(&w.rep2, a, &[], 50).await, Err(StoreError::NotFound)));
    assert_eq!(s.account_timeline(&w.rep1, a, &[], 2).await.unwrap().len(), 2);
}

async fn complaints_workflow_deadlines_and_steps(s: Store) {
    use kam_core::complaint::COMPLAINT;
    let w = world(&s).await;
    let svc = testing::user(&s, "svc", Role::Service, None).await;
    let svc = actor(&s, svc).await;
    let a = account(&s, &w.rep1, "投诉客户").await;
    let card = rec(&[
        ("received_at", text("2026-01-31T20:00")),
        ("complainant", text("李经理")),
        ("subject", text("交货延迟")),
        ("content", text("第三批货晚到五天")),
        ("priority", text("urgent")),
    ]);
    let c = s.create_activity(&COMPLAINT, &svc, a, card).await.expect("service staff take complaints of any account");
    assert_eq!(c.rec.get("status"), Some(&text("received")));
    assert_eq!(c.rec.get("reply_due"), Some(&text("2026-02-01T00:00")));
    assert_eq!(c.rec.get("resolve_due"), Some(&text("2026-02-01T20:00")));
    assert!(
        matches!(s.activity(&COMPLAINT, &w.rep2, c.id).await, Err(StoreError::NotFound)),
        "a colleague of the owner does not see it"
    );
    assert!(s.activity(&COMPLAINT, &w.rep1, c.id).await.is_ok(), "the owner does");
    assert!(matches!(
        s.transition_complaint(&svc, c.id, "closed", None).await,
        Err(StoreError::Conflict("err.transition"))
    ));
    for to in ["analysing", "handling"] {
        s.transition_complaint(&svc, c.id, to, Some("进展")).await.unwrap();
    }
    // Issue 10: no reply before the complaint says how it was handled and what came of it.
    match s.transition_complaint(&svc, c.id, "replied", None).await {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.0.keys().collect::<Vec<_>>(), ["remedy", "result"], "{e:?}");
        }
        other => panic!("a reply without remedy and result: {other:?}"),
    }
    s.update_activity(&COMPLAINT, &svc, c.id, rec(&[("remedy", text("补发两箱")), ("result", text("客户已收货"))]))
        .await
        .unwrap();
    s.transition_complaint(&svc, c.id, "replied", Some("进展")).await.unwrap();
    let replied = s.activity(&COMPLAINT, &w.rep1, c.id).await.unwrap();
    assert_eq!(replied.rec.get("replied_by"), Some(&text("svc")), "replying fills replied by/at");
    assert!(replied.rec.get("replied_at").and_then(Value::as_text).is_some());
    assert!(matches!(s.transition_complaint(&w.fin, c.id, "closed", None).await, Err(StoreError::Forbidden(_))));
    s.transition_complaint(&w.rep1, c.id, "closed", None).await.unwrap();
    s.transition_complaint(&w.m1, c.id, "analysing", Some("客户再次投诉")).await.expect("reopened");
    let steps: Vec<String> = s.complaint_steps(&w.rep1, c.id).await.unwrap().into_iter().map(|x| x.to_status).collect();
    assert_eq!(steps, vec!["received", "analysing", "handling", "replied", "closed", "analysing"]);
    // Changing the priority moves the deadlines; editing notes does not.
    let up = s.update_activity(&COMPLAINT, &w.rep1, c.id, rec(&[("priority", text("low"))])).await.unwrap();
    assert_eq!(up.rec.get("resolve_due"), Some(&text("2026-02-20T09:00")), "14 working days from Monday 09:00");
    assert_eq!(up.rec.get("status"), Some(&text("analysing")), "editing never moves the status");
    let h: Vec<String> =
        s.account_history(a).await.unwrap().into_iter().filter(|r| r.entity == "complaint").map(|r| r.action).collect();
    assert_eq!(h.len(), 8, "create, the handling written, four moves, the reopening and the edit: {h:?}");
}

async fn visits_track_objections_and_next_planned_dates(s: Store) {
    use kam_core::activity::VISIT;
    use time::macros::date;
    let w = world(&s).await;
    let rep1 = s.user(w.rep1.user_id).await.unwrap();
    let a = account(&s, &w.rep1, "拜访客户").await;
    let v = s
        .create_activity(
            &VISIT,
            &w.rep1,
            a,
            rec(&[
                ("visited_at", text("2026-11-20T10:00")),
                ("sequence", Value::Int(1)),
                ("goal", text("介绍新产品")),
                ("objections", text("价格偏高")),
                ("resolution_plan", text("申请阶梯价")),
                ("next_planned", text("2026-12-05")),
            ]),
        )
        .await
        .unwrap();
    let r = s.reminders(&rep1, date!(2026 - 12 - 01), 7).await.unwrap();
    let kinds: Vec<(&str, &str)> = r.iter().map(|x| (x.kind.as_str(), x.due.as_str())).collect();
    assert_eq!(kinds, vec![("objection", "2026-12-05"), ("planned_visit", "2026-12-05")]);
    s.update_activity(&VISIT, &w.rep1, v.id, rec(&[("objection_resolved", Value::Bool(true))])).await.unwrap();
    let r = s.reminders(&rep1, date!(2026 - 12 - 01), 7).await.unwrap();
    assert_eq!(
        r.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>(),
        vec!["planned_visit"],
        "a resolved objection is no longer tracked"
    );
    let w2 = s
        .create_activity(
            &VISIT,
            &w.rep1,
            a,
            rec(&[("visited_at", text("2026-11-25T10:00")), ("goal", text("回访")), ("objections", text("交期"))]),
        )
        .await
        .unwrap();
    let r = s.reminders(&rep1, date!(2026 - 12 - 03), 0).await.unwrap();
    assert!(
        r.iter().any(|x| x.key == format!("objection-{}", w2.id) && x.due == "2026-12-02" && x.overdue),
        "a week after the visit without a next date"
    );
}

async fn visit_plans_fill_from_visits_and_count_plan_versus_actual(s: Store) {
    use kam_core::activity::VISIT;
    use time::macros::date;
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "计划客户").await;
    let b = account(&s, &w.rep3, "别队计划客户").await;
    let planned = [Some(date!(2026 - 01 - 15)), Some(date!(2026 - 03 - 15)), Some(date!(2026 - 06 - 15)), None];
    let p = s.set_visit_plan(&w.rep1, a, 2026, &planned).await.unwrap();
    assert_eq!(p.slots.len(), 12);
    assert!(
        matches!(s.set_visit_plan(&w.rep1, a, 2026, &[Some(date!(2027 - 01 - 01))]).await, Err(StoreError::Invalid(_))),
        "dates of another year"
    );
    assert!(matches!(s.set_visit_plan(&w.rep1, b, 2026, &planned).await, Err(StoreError::NotFound)));
    s.set_visit_plan(&w.rep3, b, 2026, &[Some(date!(2026 - 02 - 01))]).await.unwrap();
    let visit = |day: &str, next: Option<&str>| {
        let mut r = rec(&[("visited_at", text(&format!("{day}T10:00"))), ("goal", text("拜访"))]);
        if let Some(n) = next {
            r.insert("next_planned", text(n));
        }
        r
    };
    s.create_activity(&VISIT, &w.rep1, a, visit("2026-01-16", None)).await.unwrap();
    s.create_activity(&VISIT, &w.rep1, a, visit("2026-04-01", Some("2026-09-01"))).await.unwrap();
    let p = s.visit_plan(&w.rep1, a, 2026).await.unwrap();
    assert_eq!(p.slots[0].actual, Some(date!(2026 - 01 - 16)), "on time");
    assert_eq!(p.slots[1].actual, Some(date!(2026 - 04 - 01)), "late for March");
    assert_eq!(p.slots[2].actual, None);
    assert_eq!(p.slots[3].planned, Some(date!(2026 - 09 - 01)), "the next planned date joins the plan");
    let sum = s
        .visit_plan_summary(&w.rep1, date!(2026 - 01 - 01), date!(2026 - 12 - 31), date!(2026 - 11 - 28))
        .await
        .unwrap();
    assert_eq!(sum.len(), 1, "only the rep's own plans");
    let t = sum[0].tally;
    assert_eq!((t.planned, t.on_time, t.late, t.missed, t.pending), (4, 1, 1, 2, 0));
    let all = s
        .visit_plan_summary(&w.admin, date!(2026 - 01 - 01), date!(2026 - 03 - 31), date!(2026 - 11 - 28))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(s.visit_plans(&w.admin, 2026, None).await.unwrap().len(), 2);
    assert_eq!(s.visit_plans(&w.m1, 2026, None).await.unwrap().len(), 1, "the manager's team");

    // Issue 10: a plan slot falling due is on the rep's Today; once visited it is gone; a slot a
    // visit record planned is named once, by that record.
    let c = account(&s, &w.rep1, "今日计划客户").await;
    s.set_visit_plan(&w.rep1, c, 2026, &[Some(date!(2026 - 11 - 30)), Some(date!(2026 - 12 - 20))]).await.unwrap();
    let rep1 = s.user(w.rep1.user_id).await.unwrap();
    let today = date!(2026 - 11 - 28);
    let due = |r: &[kam_core::reminder::Reminder]| {
        r.iter().filter(|x| x.title == "今日计划客户").map(|x| x.key.clone()).collect::<Vec<_>>()
    };
    let r = s.reminders(&rep1, today, 7).await.unwrap();
    assert_eq!(due(&r).len(), 1, "the slot of the 30th, not the one of the 20th: {:?}", due(&r));
    assert!(due(&r)[0].starts_with("planned_visit-") && due(&r)[0].ends_with("-1"), "{:?}", due(&r));
    s.answer_reminder(&w.rep1, &due(&r)[0], true, None).await.unwrap();
    assert!(due(&s.reminders(&rep1, today, 7).await.unwrap()).is_empty(), "a plan slot's reminder can be answered");
    s.create_activity(&VISIT, &w.rep1, c, visit("2026-11-29", Some("2026-12-01"))).await.unwrap();
    // The day's visit records, for the day's work log: the rep's own, that day only.
    let day = s.visits_recorded_on(&w.rep1, date!(2026 - 11 - 29)).await.unwrap();
    assert_eq!(
        day.iter().map(|v| (v.account_id, v.visited_at.as_str())).collect::<Vec<_>>(),
        [(c, "2026-11-29T10:00")]
    );
    assert!(s.visits_recorded_on(&w.rep3, date!(2026 - 11 - 29)).await.unwrap().is_empty(), "not another rep's");
    let r = s.reminders(&rep1, today, 7).await.unwrap();
    let keys = due(&r);
    assert_eq!(keys.len(), 1, "the visit's planned date, named once: {keys:?}");
    assert_eq!(keys[0].matches('-').count(), 1, "named by the visit record: {keys:?}");
    assert!(s.account_history(a).await.unwrap().iter().any(|r| r.entity == "visit_plan"));
}

async fn market_activities_show_participants_within_scope(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "参会客户甲").await;
    let b = account(&s, &w.rep3, "参会客户乙").await;
    let c = s.create_contact(&w.rep1, a, rec(&[("name", text("吴总"))]), Record::new()).await.unwrap();
    let ev = s
        .create_market_activity(
            &w.m1,
            rec(&[
                ("title", text("2026 新品发布会")),
                ("kind", text("seminar")),
                ("starts_on", text("2026-10-18")),
                ("place", text("杭州")),
            ]),
        )
        .await
        .unwrap();
    assert!(matches!(
        s.create_market_activity(&w.fin, rec(&[("title", text("x"))])).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.create_market_activity(&w.rep1, rec(&[("title", text("x"))])).await,
        Err(StoreError::Invalid(_))
    ));
    s.add_participant(&w.rep1, ev.id, a, Some(c.id), Some("签到")).await.unwrap();
    s.add_participant(&w.rep3, ev.id, b, None, None).await.unwrap();
    assert!(
        matches!(s.add_participant(&w.rep1, ev.id, b, None, None).await, Err(StoreError::Invalid(_))),
        "not the rep's account"
    );
    assert!(matches!(s.add_participant(&w.rep1, ev.id, a, Some(c.id), None).await, Err(StoreError::Conflict(_))));
    let seen = s.market_activity(&w.rep1, ev.id).await.unwrap();
    assert_eq!(
        seen.participants.iter().map(|p| p.account_id).collect::<Vec<_>>(),
        vec![a],
        "other teams' participants stay hidden"
    );
    assert_eq!(seen.participants[0].contact_name.as_deref(), Some("吴总"));
    assert_eq!(s.market_activity(&w.admin, ev.id).await.unwrap().participants.len(), 2);
    assert_eq!(s.account_market_activities(&w.rep1, a).await.unwrap().len(), 1);
    assert!(matches!(s.account_market_activities(&w.rep1, b).await, Err(StoreError::NotFound)));
    let pid = seen.participants[0].id;
    s.remove_participant(&w.rep1, ev.id, pid).await.unwrap();
    assert!(s.account_history(a).await.unwrap().iter().any(|r| r.entity == "market_activity" && r.action == "unlink"));
    s.update_market_activity(&w.rep1, ev.id, rec(&[("outcome", text("签约 3 家"))])).await.unwrap();
    assert_eq!(s.market_activities(&w.rep1, 1, 10).await.unwrap().total, 1);
}

fn entry(account: Option<AccountId>, pairs: &[(&'static str, Value)]) -> kam_core::worklog::Entry {
    kam_core::worklog::Entry { id: None, account_id: account, contact_id: None, rec: rec(pairs) }
}

async fn worklogs_sign_off_chain_visits_and_scope(s: Store) {
    use kam_core::worklog::{Decision, Input, Status, Step};
    use kam_store::worklogs::WorklogFilter;
    let w = world(&s).await;
    let acc = testing::user(&s, "acc", Role::Finance, None).await;
    let acc = actor(&s, acc).await;
    let vp = testing::user(&s, "vp", Role::Manager, None).await;
    let vp = actor(&s, vp).await;
    let east = w.rep1.team_id.unwrap();
    let a = account(&s, &w.rep1, "日志客户").await;
    let other = account(&s, &w.rep3, "别队客户").await;
    let day = "2026-11-20";
    let visit = entry(
        Some(a),
        &[
            ("person", text("李总")),
            ("time_from", text("09:00")),
            ("time_to", text("10:30")),
            ("content", text("洽谈明年框架协议\n价格与交期")),
            ("result", text("同意下周报价")),
        ],
    );
    let mut input = Input {
        rec: rec(&[("log_date", text(day)), ("market_analysis", text("华东需求回暖"))]),
        visits: vec![visit.clone()],
        collections: vec![entry(
            Some(a),
            &[("contract_no", text("HT-2026-018")), ("quantity", text("12.5")), ("paid_amount", Value::Int(1_250_000))],
        )],
        affairs: vec![entry(
            None,
            &[("department", text("财务部")), ("matter", text("核对发票")), ("completion", text("done"))],
        )],
    };
    // Only the rep's own accounts; finance writes no logs.
    let mut bad = input.clone();
    bad.visits[0].account_id = Some(other);
    assert!(
        matches!(s.create_worklog(&w.rep1, bad).await, Err(StoreError::Invalid(e)) if e.0.contains_key("visits.0.account_id"))
    );
    assert!(matches!(s.create_worklog(&w.fin, input.clone()).await, Err(StoreError::Forbidden(_))));
    let log = s.create_worklog(&w.rep1, input.clone()).await.unwrap();
    assert_eq!((log.status, log.visits.len(), log.collections.len(), log.affairs.len()), (Status::Draft, 1, 1, 1));
    assert_eq!(log.collections[0].rec["quantity"], text("12.5"));
    assert!(
        matches!(s.create_worklog(&w.rep1, input.clone()).await, Err(StoreError::Invalid(e)) if e.0.contains_key("log_date"))
    );
    // Editing keeps entry ids: the visit entry is updated, a second one added, the affair removed.
    input.visits[0].id = Some(log.visits[0].id);
    input.visits[0].rec.insert("result", text("同意下周报价，先送样"));
    input.visits.push(entry(
        Some(a),
        &[("time_from", text("14:00")), ("time_to", text("15:00")), ("content", text("回访设备使用"))],
    ));
    input.collections[0].id = Some(log.collections[0].id);
    input.affairs.clear();
    let log = s.update_worklog(&w.rep1, log.id, input.clone()).await.unwrap();
    assert_eq!(log.visits.len(), 2);
    assert_eq!(log.visits[0].id, input.visits[0].id.unwrap());
    assert!(log.affairs.is_empty());
    // The visit record is made from the entry, once.
    let v = s.visit_from_entry(&w.rep1, log.id, log.visits[0].id).await.unwrap();
    assert_eq!(s.visit_from_entry(&w.rep1, log.id, log.visits[0].id).await.unwrap(), v);
    let rec_v = s.activity(&kam_core::activity::VISIT, &w.rep1, v).await.unwrap();
    assert_eq!(rec_v.rec["visited_at"], text("2026-11-20T09:00"));
    assert_eq!(rec_v.rec["ended_at"], text("2026-11-20T10:30"));
    assert_eq!(rec_v.rec["goal"], text("洽谈明年框架协议"));
    assert_eq!(rec_v.rec["interviewees"], text("李总"));
    assert!(matches!(s.visit_from_entry(&w.m1, log.id, log.visits[0].id).await, Err(StoreError::Forbidden(_))));
    // No chain configured yet: submitting is refused and nothing changes.
    assert!(matches!(s.submit_worklog(&w.rep1, log.id).await, Err(StoreError::Conflict("err.worklog_no_chain"))));
    assert!(matches!(
        s.set_signoff_chain(&w.m1, east, &[(Step::DeptHead, w.m1.user_id)]).await,
        Err(StoreError::Forbidden(_))
    ));
    s.set_signoff_chain(
        &w.admin,
        east,
        &[
            (Step::Vp, vp.user_id),
            (Step::Cashier, w.fin.user_id),
            (Step::Accountant, acc.user_id),
            (Step::DeptHead, w.m1.user_id),
        ],
    )
    .await
    .unwrap();
    let chain: Vec<Step> = s.signoff_chain(east).await.unwrap().iter().map(|c| c.step).collect();
    assert_eq!(chain, Step::ALL);
    // Before submission only the author and the team's manager see it.
    assert!(matches!(s.worklog(&w.fin, log.id).await, Err(StoreError::NotFound)));
    assert!(matches!(s.worklog(&w.rep2, log.id).await, Err(StoreError::NotFound)));
    assert!(matches!(s.worklog(&w.rep3, log.id).await, Err(StoreError::NotFound)));
    s.worklog(&w.m1, log.id).await.unwrap();
    let log = s.submit_worklog(&w.rep1, log.id).await.unwrap();
    assert_eq!((log.status, log.round, log.next_signer_id), (Status::Submitted, 1, Some(w.fin.user_id)));
    assert!(matches!(s.update_worklog(&w.rep1, log.id, input.clone()).await, Err(StoreError::Forbidden(_))));
    // The cashier now sees it and has a reminder; the accountant must wait.
    assert_eq!(s.worklogs(&w.fin, &WorklogFilter { awaiting_me: true, ..Default::default() }).await.unwrap().total, 1);
    assert_eq!(s.worklogs(&acc, &WorklogFilter { awaiting_me: true, ..Default::default() }).await.unwrap().total, 0);
    let today = s.today();
    let fin_user = s.user(w.fin.user_id).await.unwrap();
    assert!(s.reminders(&fin_user, today, 7).await.unwrap().iter().any(|r| r.key == format!("signoff-{}-1", log.id)));
    assert!(matches!(
        s.sign_worklog(&acc, log.id, Decision::Approve, None, None).await,
        Err(StoreError::Conflict("err.worklog_not_your_turn"))
    ));
    s.sign_worklog(&w.fin, log.id, Decision::Approve, Some("回款已到账"), None).await.unwrap();
    let log = s.sign_worklog(&acc, log.id, Decision::Return, Some("合同金额漏填"), None).await.unwrap();
    assert_eq!(log.status, Status::Returned);
    // Returned: the rep corrects and resubmits; a fresh round starts at the cashier.
    input.collections[0].rec.insert("contract_amount", Value::Int(5_000_000));
    s.update_worklog(&w.rep1, log.id, input.clone()).await.unwrap();
    let log = s.submit_worklog(&w.rep1, log.id).await.unwrap();
    assert_eq!((log.round, log.next_signer_id), (2, Some(w.fin.user_id)));
    s.sign_worklog(&w.fin, log.id, Decision::Approve, None, None).await.unwrap();
    s.sign_worklog(&acc, log.id, Decision::Approve, None, None).await.unwrap();
    assert!(matches!(
        s.sign_worklog(&w.m1, log.id, Decision::Approve, None, None).await,
        Err(StoreError::Invalid(e)) if e.0.contains_key("evaluation")
    ));
    s.sign_worklog(&w.m1, log.id, Decision::Approve, None, Some("拜访扎实，回款及时")).await.unwrap();
    let log = s.sign_worklog(&vp, log.id, Decision::Approve, Some("同意"), None).await.unwrap();
    assert_eq!(log.status, Status::Approved);
    assert_eq!(log.evaluation.as_deref(), Some("拜访扎实，回款及时"));
    assert_eq!(log.signoffs.len(), 8, "two rounds of four slots");
    assert_eq!(log.signoffs[1].slot.comment.as_deref(), Some("合同金额漏填"));
    // Signatures stand: the database refuses changing or removing them.
    let (upd, del) = s.try_tamper_signoffs(log.id).await;
    assert!(upd.is_err() && del.is_err());
    // Everything is in the log's history and the entries in the account's.
    let h = s.entity_history(&w.admin, "worklog", log.id.0).await.unwrap();
    let actions: Vec<&str> = h.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["create", "submit", "approve", "return", "submit", "approve", "approve", "approve", "approve"]
    );
    let acc_h = s.account_history(a).await.unwrap();
    assert!(acc_h.iter().any(|r| r.entity == "worklog_visit" && r.action == "link"));
    assert!(acc_h.iter().any(|r| r.entity == "worklog_collection" && r.action == "update"));
    // Lists: the manager sees the team's, another team's manager-less rep nothing.
    assert_eq!(s.worklogs(&w.m1, &WorklogFilter::default()).await.unwrap().total, 1);
    assert_eq!(s.worklogs(&w.rep3, &WorklogFilter::default()).await.unwrap().total, 0);
    assert_eq!(s.worklogs(&w.rep2, &WorklogFilter::default()).await.unwrap().total, 0);
    let mine = s.worklogs(&w.rep1, &WorklogFilter { status: Some(Status::Approved), ..Default::default() }).await;
    let mine = mine.unwrap();
    assert_eq!((mine.total, mine.items[0].visit_count, mine.items[0].paid_total), (1, 2, 1_250_000));
    // The cashier posts the day's collection to the ledger as a payment, once; the rep cannot.
    let cid = log.collections[0].id;
    assert!(matches!(s.post_collection(&w.rep1, log.id, cid, "回单").await, Err(StoreError::Forbidden(_))));
    assert!(matches!(s.post_collection(&w.fin, log.id, cid, "  ").await, Err(StoreError::Invalid(_))), "a reason");
    let lid = s.post_collection(&w.fin, log.id, cid, "银行回单已到").await.unwrap();
    let posted = s.ledger_entry(&w.fin, lid).await.unwrap();
    assert_eq!((posted.text("kind"), posted.amount(), posted.text("entry_date")), ("payment", -1_250_000, day));
    assert!(matches!(s.post_collection(&w.fin, log.id, cid, "再记").await, Err(StoreError::Conflict(_))));
    assert_eq!(s.worklog(&w.rep1, log.id).await.unwrap().collections[0].ledger_entry_id, Some(lid));
    // A draft never submitted can be deleted; a signed log cannot.
    assert!(matches!(s.delete_worklog(&w.rep1, log.id).await, Err(StoreError::Forbidden(_))));
    let d2 = s
        .create_worklog(&w.rep1, Input { rec: rec(&[("log_date", text("2026-11-21"))]), ..Default::default() })
        .await
        .unwrap();
    assert!(matches!(s.submit_worklog(&w.rep1, d2.id).await, Err(StoreError::Conflict("err.worklog_empty"))));
    s.delete_worklog(&w.rep1, d2.id).await.unwrap();
    assert!(s.worklog_of_day(&w.rep1, "2026-11-21").await.unwrap().is_none());
}

async fn money_world(s: &Store) -> (World, AccountId, ProductId) {
    let w = world(s).await;
    let a = account(s, &w.rep1, "账务客户").await;
    // Finance sets the credit terms.
    let terms = rec(&[("credit_limit", Value::Int(1_000_000)), ("payment_terms_days", Value::Int(30))]);
    s.update_account(&w.fin, a, AccountInput { rec: terms, ..Default::default() }).await.unwrap();
    let p = s
        .create_product(
            &w.admin,
            rec(&[
                ("code", text("P-001")),
                ("name", text("工业包装膜")),
                ("unit", text("Kg")),
                ("list_price", Value::Int(1_130)),
            ]),
        )
        .await
        .unwrap();
    (w, a, p.id)
}

fn post(kind: &str, date: &str, figure: i64) -> Record {
    rec(&[("entry_date", text(date)), ("kind", text(kind)), ("amount", Value::Int(figure))])
}

async fn ledger_is_append_only_and_balances_are_derived(s: Store) {
    let (w, a, _) = money_world(&s).await;
    assert!(matches!(
        s.post_entry(&w.rep1, a, post("payment", "2026-11-01", 100)).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.post_entry(&w.fin, a, post("payment", "2026-11-01", 0)).await,
        Err(StoreError::Invalid(e)) if e.0.contains_key("amount")
    ));
    let inv = s.post_entry(&w.fin, a, post("invoice", "2026-10-01", 500_000)).await.unwrap();
    assert_eq!(inv.rec["due_date"], text("2026-10-31"), "due after the payment terms");
    assert_eq!(inv.rec["currency"], text("CNY"));
    let pay = s.post_entry(&w.fin, a, post("payment", "2026-10-20", 200_000)).await.unwrap();
    assert_eq!(pay.amount(), -200_000, "a payment lowers what is owed");
    s.post_entry(&w.fin, a, post("return", "2026-10-25", 50_000)).await.unwrap();
    // A wrong payment is corrected by reversal, never by editing.
    let wrong = s.post_entry(&w.fin, a, post("payment", "2026-10-28", 99_999)).await.unwrap();
    let day = kam_core::time_util::parse_date("2026-10-29").unwrap();
    assert!(
        matches!(s.reverse_entry(&w.fin, wrong.id, day, Some("  ")).await, Err(StoreError::Invalid(e)) if e.0.get("note") == Some(&"err.reason_required")),
        "a reversal says why"
    );
    let rev = s.reverse_entry(&w.fin, wrong.id, day, Some("金额录错")).await.unwrap();
    assert_eq!((rev.amount(), rev.reverses_id), (99_999, Some(wrong.id)));
    assert!(matches!(
        s.reverse_entry(&w.fin, wrong.id, day, None).await,
        Err(StoreError::Conflict("err.already_reversed"))
    ));
    assert!(matches!(
        s.reverse_entry(&w.fin, rev.id, day, None).await,
        Err(StoreError::Conflict("err.reverse_reversal"))
    ));
    let (upd, del) = s.try_tamper_ledger(inv.id).await;
    assert!(upd.is_err() && del.is_err(), "the database refuses changing posted entries");
    let ledgers = s.ledgers(&w.rep1, a).await.unwrap();
    assert_eq!(ledgers.len(), 1);
    let l = &ledgers[0];
    assert_eq!(l.balance, 250_000);
    assert_eq!(l.entries.last().unwrap().1, l.balance, "the running balance ends at the balance");
    assert_eq!(l.entries.iter().map(|(e, _)| e.amount()).sum::<i64>(), l.balance);
    // Sales read their accounts' ledgers; another team's rep and service staff do not.
    assert!(matches!(s.ledgers(&w.rep3, a).await, Err(StoreError::NotFound)));
    let svc = testing::user(&s, "svc", Role::Service, None).await;
    let svc = actor(&s, svc).await;
    assert!(matches!(s.ledgers(&svc, a).await, Err(StoreError::NotFound)));
    // Receivables as of 2026-11-30: 250 000 open on an invoice due 10-31 → 30 days, overdue.
    let as_of = kam_core::time_util::parse_date("2026-11-30").unwrap();
    let r = s.receivables(&w.fin, as_of).await.unwrap();
    let mine = r.iter().find(|x| x.account_id == a).unwrap();
    assert_eq!((mine.balance, mine.aging.d0_30, mine.aging.overdue), (250_000, 250_000, 250_000));
    assert!(s.receivables(&w.rep3, as_of).await.unwrap().iter().all(|x| x.account_id != a));
    let from = kam_core::time_util::parse_date("2026-10-01").unwrap();
    let c = s.collections(&w.fin, from, as_of).await.unwrap();
    let rep1 = c.iter().find(|x| x.owner_id == Some(w.rep1.user_id)).unwrap();
    assert_eq!((rep1.collected, rep1.payments), (200_000, 3), "the reversed payment nets out");
    // A pseudo-random run of postings and reversals: the balance is always the sum.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let b = account(&s, &w.rep1, "随机账户").await;
    let mut expect = 0i64;
    let mut ids = Vec::new();
    for i in 0..40 {
        let kind = kam_core::ledger::ENTRY_KIND.values[(next() % 7) as usize];
        if kind == "opening_balance" && i > 0 {
            continue;
        }
        let fig = (next() % 1_000_000 + 1) as i64;
        let e = s.post_entry(&w.fin, b, post(kind, &format!("2026-09-{:02}", 1 + i % 28), fig)).await.unwrap();
        expect += e.amount();
        ids.push(e);
        if next() % 4 == 0 {
            let victim = &ids[(next() % ids.len() as u64) as usize];
            if victim.reverses_id.is_none()
                && let Ok(r) = s.reverse_entry(&w.fin, victim.id, day, Some("并发冲销")).await
            {
                expect += r.amount();
            }
        }
        let l = s.ledgers(&w.fin, b).await.unwrap();
        assert_eq!(l[0].balance, expect);
    }
}

async fn orders_price_lines_check_credit_and_post_on_delivery(s: Store) {
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    let line = |qty: &str, price: i64| LineInput {
        product_id: Some(p),
        rec: rec(&[("quantity", text(qty)), ("unit_price", Value::Int(price))]),
    };
    let input = |lines: Vec<LineInput>| OrderInput { rec: rec(&[("order_date", text("2026-11-02"))]), lines };
    assert!(
        matches!(s.create_order(&w.rep1, a, input(vec![])).await, Err(StoreError::Invalid(e)) if e.0.contains_key("lines"))
    );
    assert!(matches!(s.create_order(&w.fin, a, input(vec![line("1", 100)])).await, Err(StoreError::Forbidden(_))));
    assert!(matches!(
        s.create_order(&w.rep2, a, input(vec![line("1", 100)])).await,
        Err(StoreError::Forbidden(_) | StoreError::NotFound)
    ));
    // 300 kg at ¥11.30: ¥3,390.00 with 13 % VAT included, ¥3,000.00 without.
    let o = s.create_order(&w.rep1, a, input(vec![line("300", 1_130)])).await.unwrap();
    assert_eq!((o.status.as_str(), o.total_with_tax, o.total_without_tax, o.tax), ("placed", 339_000, 300_000, 39_000));
    assert!(o.number.starts_with("SO20261102-"));
    // Over the limit (1 000 000 = ¥10,000): held until finance releases it.
    let big = s.create_order(&w.rep1, a, input(vec![line("600", 1_130)])).await.unwrap();
    assert_eq!(big.status, "credit_hold");
    assert_eq!(big.credit_exposure, Some(339_000 + 678_000));
    // Issue 10: on Today of those who may release it (finance, the team's manager), not of the rep.
    let today = s.today();
    let held_for = async |actor: &kam_core::Actor| {
        let user = s.user(actor.user_id).await.unwrap();
        s.reminders(&user, today, 7).await.unwrap().into_iter().any(|r| r.key == format!("held_order-{}", big.id))
    };
    assert!(held_for(&w.fin).await && held_for(&w.m1).await, "finance and the manager see the held order");
    assert!(!held_for(&w.rep1).await, "the rep cannot release it");
    assert!(matches!(
        s.transition_order(&w.rep1, big.id, "placed", "2026-11-03", None).await,
        Err(StoreError::Forbidden(_))
    ));
    let big = s.transition_order(&w.fin, big.id, "placed", "2026-11-03", Some("老客户，特批")).await.unwrap();
    assert_eq!(big.status, "placed");
    assert!(big.approved_by_name.is_some());
    // Steps: only allowed moves.
    assert!(matches!(
        s.transition_order(&w.rep1, o.id, "delivered", "2026-11-04", None).await,
        Err(StoreError::Conflict(_))
    ));
    s.transition_order(&w.rep1, o.id, "in_production", "2026-11-04", None).await.unwrap();
    s.transition_order(&w.rep1, o.id, "shipped", "2026-11-06", None).await.unwrap();
    let o = s.transition_order(&w.rep1, o.id, "delivered", "2026-11-08", None).await.unwrap();
    assert_eq!(
        o.steps.iter().map(|x| x.to_status.as_str()).collect::<Vec<_>>(),
        ["placed", "in_production", "shipped", "delivered"]
    );
    // Delivery posted the invoice, due after 30 days.
    let l = &s.ledgers(&w.fin, a).await.unwrap()[0];
    let (inv, _) = &l.entries[0];
    assert_eq!(
        (inv.text("kind"), inv.amount(), inv.text("due_date"), inv.order_id),
        ("invoice", 339_000, "2026-12-08", Some(o.id))
    );
    // A return of a delivered order posts the credit note.
    s.transition_order(&w.rep1, o.id, "returned", "2026-11-10", Some("规格不符")).await.unwrap();
    assert_eq!(s.ledgers(&w.fin, a).await.unwrap()[0].balance, 0);
    let h = s.account_history(a).await.unwrap();
    assert!(h.iter().any(|r| r.entity == "order" && r.action == "approve"));
    assert!(h.iter().any(|r| r.entity == "ledger_entry" && r.action == "create"));
    assert_eq!(
        s.orders(&w.rep1, &kam_store::orders::OrderFilter { account_id: Some(a), ..Default::default() })
            .await
            .unwrap()
            .total,
        2
    );
    assert!(matches!(s.order(&w.rep3, o.id).await, Err(StoreError::NotFound)));
}

async fn concurrent_orders_never_pass_the_credit_limit(s: Store) {
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    // Each order is ¥1,130.00; the limit of ¥10,000.00 admits eight.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = s.clone();
        let rep = w.rep1.clone();
        tasks.push(tokio::spawn(async move {
            let input = OrderInput {
                rec: rec(&[("order_date", text("2026-11-02"))]),
                lines: vec![LineInput {
                    product_id: Some(p),
                    rec: rec(&[("quantity", text("100")), ("unit_price", Value::Int(1_130))]),
                }],
            };
            s.create_order(&rep, a, input).await
        }));
    }
    let mut acknowledged = Vec::new();
    for t in tasks {
        acknowledged.push(t.await.unwrap().expect("every order is answered"));
    }
    let placed = acknowledged.iter().filter(|o| o.status == "placed").count();
    assert_eq!(placed, 8, "exactly as many as fit under the limit");
    let stored = s
        .orders(&w.admin, &kam_store::orders::OrderFilter { account_id: Some(a), per_page: 100, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(stored.total, 20, "no acknowledged order is lost");
    let open: i64 = stored.items.iter().filter(|o| o.status == "placed").map(|o| o.total_with_tax).sum();
    assert!(open <= 1_000_000);
}

async fn statements_snapshot_chain_and_settle_disputes(s: Store) {
    use kam_core::statement::Answer;
    use kam_store::statements::{Resolution, StatementFilter};
    let (w, a, _) = money_world(&s).await;
    let b = account(&s, &w.rep3, "对账客户乙").await;
    s.post_entry(&w.fin, a, post("opening_balance", "2026-09-01", 100_000)).await.unwrap();
    s.post_entry(&w.fin, a, post("invoice", "2026-10-05", 50_000)).await.unwrap();
    let pay = s.post_entry(&w.fin, a, post("payment", "2026-10-20", 30_000)).await.unwrap();
    s.post_entry(&w.fin, b, post("invoice", "2026-10-08", 70_000)).await.unwrap();
    assert!(matches!(s.generate_statements(&w.rep1, "2026-10", None).await, Err(StoreError::Forbidden(_))));
    assert!(matches!(s.generate_statements(&w.fin, "2026-13", None).await, Err(StoreError::Invalid(_))));
    let g = s.generate_statements(&w.fin, "2026-10", None).await.unwrap();
    assert_eq!(g.created.len(), 2);
    let again = s.generate_statements(&w.fin, "2026-10", None).await.unwrap();
    assert_eq!((again.created.len(), again.existing), (0, 2), "one statement per account and month");
    let oct =
        s.statements(&w.fin, &StatementFilter { period: Some("2026-10".into()), ..Default::default() }).await.unwrap();
    let sa = oct.items.iter().find(|x| x.account_id == a).unwrap().id;
    let sa = s.statement(&w.fin, sa).await.unwrap();
    assert_eq!((sa.opening, sa.closing, sa.lines.len(), sa.status.as_str()), (100_000, 120_000, 2, "draft"));
    // The whole month adds up to the change in receivables it covers.
    let change: i64 = oct.items.iter().map(|x| x.closing - x.opening).sum();
    assert_eq!(change, 50_000 - 30_000 + 70_000);
    // Sales read their own accounts' statements only.
    s.statement(&w.rep1, sa.id).await.unwrap();
    assert!(matches!(s.statement(&w.rep3, sa.id).await, Err(StoreError::NotFound)));
    assert_eq!(s.statements(&w.rep3, &StatementFilter::default()).await.unwrap().total, 1);
    // Sent, then the customer disputes the payment line: they say ¥280.00.
    assert!(matches!(
        s.answer_statement(&w.fin, sa.id, &[]).await,
        Err(StoreError::Conflict("err.statement_not_sent"))
    ));
    s.send_statement(&w.fin, sa.id).await.unwrap();
    let pay_line = sa.lines.iter().find(|l| l.entry_id == pay.id).unwrap().id;
    let dispute = Answer::Disputed { customer_amount: -28_000, note: "我方实际只付了 280 元".into() };
    let st = s.answer_statement(&w.fin, sa.id, &[(pay_line, dispute)]).await.unwrap();
    assert_eq!(st.status, "disputed");
    assert_eq!(st.lines.iter().filter(|l| l.answer.as_deref() == Some("agreed")).count(), 1);
    // Settled by an adjustment entry: the customer's figure, posted today.
    let st = s.resolve_line(&w.fin, sa.id, pay_line, Resolution::Adjust, Some("按客户回单调整")).await.unwrap();
    assert_eq!(st.status, "resolved");
    let adj = st.lines.iter().find(|l| l.id == pay_line).unwrap().adjustment_entry_id.unwrap();
    let adj = s.ledger_entry(&w.fin, adj).await.unwrap();
    assert_eq!((adj.text("kind"), adj.amount()), ("adjustment_up", 2_000));
    assert_eq!(s.statement(&w.fin, sa.id).await.unwrap().closing, 120_000, "the confirmed month is never rewritten");
    // The other account confirms at once.
    let sb = oct.items.iter().find(|x| x.account_id == b).unwrap().id;
    s.send_statement(&w.fin, sb).await.unwrap();
    assert_eq!(s.answer_statement(&w.fin, sb, &[]).await.unwrap().status, "confirmed");
    assert!(matches!(s.answer_statement(&w.fin, sb, &[]).await, Err(StoreError::Conflict(_))));
    // A correction dated October but posted later lands in November; statements chain.
    s.post_entry(&w.fin, a, post("discount", "2026-10-31", 5_000)).await.unwrap();
    s.post_entry(&w.fin, a, post("invoice", "2026-11-10", 10_000)).await.unwrap();
    let nov = s.generate_statements(&w.fin, "2026-11", Some(&[a])).await.unwrap();
    assert_eq!(nov.created.len(), 1);
    let n = s.statement(&w.fin, nov.created[0]).await.unwrap();
    assert_eq!(n.opening, 120_000, "opens at October's closing");
    assert_eq!(n.lines.iter().map(|l| l.amount).collect::<Vec<_>>(), vec![-5_000, 10_000, 2_000]);
    assert_eq!(n.closing, s.ledgers(&w.fin, a).await.unwrap()[0].balance, "the chain ends at the ledger's balance");
    // An earlier month can no longer be generated for that account.
    assert_eq!(s.generate_statements(&w.fin, "2026-09", Some(&[a])).await.unwrap().created.len(), 0);
    let h = s.account_history(a).await.unwrap();
    assert!(h.iter().any(|r| r.entity == "statement" && r.action == "update"));
}

async fn contracts_amendments_attachments_sla_and_expiry(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "合同客户").await;
    let today = s.today();
    let day = |n: i64| (today + time::Duration::days(n)).to_string();
    let base = rec(&[
        ("contract_no", text("HT-2026-001")),
        ("contract_type", text("sla")),
        ("title", text("年度服务级别协议")),
        ("valid_from", text(&day(-300))),
        ("valid_to", text(&day(45))),
        ("amount", Value::Int(12_000_000)),
        ("sla_reply_urgent", Value::Int(2)),
        ("sla_resolve_urgent", Value::Int(10)),
    ]);
    assert!(matches!(s.create_contract(&w.rep3, a, base.clone()).await, Err(StoreError::NotFound)));
    let mut bad = base.clone();
    bad.insert("valid_to", text(&day(-400)));
    assert!(
        matches!(s.create_contract(&w.rep1, a, bad).await, Err(StoreError::Invalid(e)) if e.0.contains_key("valid_to"))
    );
    let c = s.create_contract(&w.rep1, a, base.clone()).await.unwrap();
    assert_eq!(c.status, "draft");
    assert!(
        matches!(s.create_contract(&w.rep1, a, base).await, Err(StoreError::Invalid(e)) if e.0.contains_key("contract_no"))
    );
    let c = s.transition_contract(&w.rep1, c.id, "active").await.unwrap();
    assert_eq!(c.status, "active");
    // In force: the contract, not the default, sets an urgent complaint's deadlines.
    let complaint = rec(&[
        ("received_at", text(&format!("{}T09:00", day(0)))),
        ("complainant", text("李总")),
        ("subject", text("设备停机")),
        ("content", text("产线停机两小时")),
        ("priority", text("urgent")),
    ]);
    let k = s.create_activity(&kam_core::complaint::COMPLAINT, &w.rep1, a, complaint).await.unwrap();
    assert_eq!(k.rec["reply_due"], text(&format!("{}T11:00", day(0))), "2 hours by contract (default 4)");
    assert_eq!(k.rec["resolve_due"], text(&format!("{}T19:00", day(0))));
    // Active: terms change only by amendment, recorded with its delta.
    assert!(matches!(
        s.update_contract(&w.rep1, c.id, rec(&[("title", text("改名"))])).await,
        Err(StoreError::Conflict("err.contract_amend_only"))
    ));
    let c = s
        .amend_contract(
            &w.rep1,
            c.id,
            rec(&[
                ("amended_on", text(&day(-10))),
                ("change", text("增加两台设备的维保")),
                ("amount_delta", Value::Int(-1_500_000)),
            ]),
        )
        .await
        .unwrap();
    assert_eq!((c.amendments.len(), c.current_amount), (1, Some(10_500_000)));
    assert_eq!(c.rec["amount"], Value::Int(12_000_000), "the signed amount stays as signed");
    // The list agrees with the contract: the amount in force, amendments included.
    let listed = s.contracts(&w.rep1, Some(c.account_id)).await.unwrap();
    assert_eq!(listed.iter().find(|x| x.id == c.id).and_then(|x| x.current_amount), Some(10_500_000));
    assert_eq!(
        s.contracts(&w.admin, None).await.unwrap().iter().find(|x| x.id == c.id).unwrap().current_amount,
        Some(10_500_000)
    );
    // Attachments: checked by their bytes and size; read within scope only.
    let pdf = b"%PDF-1.7 signed scan".to_vec();
    let att = s.attach_to_contract(&w.rep1, c.id, "合同扫描件.pdf", pdf.clone()).await.unwrap();
    assert_eq!((att.content_type.as_str(), att.size), ("application/pdf", pdf.len() as i64));
    assert!(matches!(
        s.attach_to_contract(&w.rep1, c.id, "fake.pdf", b"MZ\x90\x00 not a pdf".to_vec()).await,
        Err(StoreError::Invalid(e)) if e.0.get("file") == Some(&"err.file_type")
    ));
    let huge = [b"%PDF-".to_vec(), vec![0u8; kam_core::contract::MAX_ATTACHMENT_BYTES]].concat();
    assert!(
        matches!(s.attach_to_contract(&w.rep1, c.id, "big.pdf", huge).await, Err(StoreError::Invalid(e)) if e.0.get("file") == Some(&"err.file_too_large"))
    );
    let (_, body) = s.contract_attachment(&w.rep1, c.id, att.id).await.unwrap();
    assert_eq!(body, pdf);
    assert!(matches!(s.contract_attachment(&w.rep3, c.id, att.id).await, Err(StoreError::NotFound)));
    // Ending in 45 days: the 60-day reminder is due for the owner.
    let owner = s.user(w.rep1.user_id).await.unwrap();
    let r = s.reminders(&owner, today, 7).await.unwrap();
    assert!(
        r.iter().any(|x| x.key == format!("contract-{}-60", c.id)),
        "{:?}",
        r.iter().map(|x| &x.key).collect::<Vec<_>>()
    );
    // Terminated: no longer in force, the default applies again.
    s.transition_contract(&w.rep1, c.id, "terminated").await.unwrap();
    assert!(matches!(s.transition_contract(&w.rep1, c.id, "active").await, Err(StoreError::Conflict(_))));
    let complaint = rec(&[
        ("received_at", text(&format!("{}T09:00", day(0)))),
        ("complainant", text("李总")),
        ("subject", text("再次停机")),
        ("content", text("x")),
        ("priority", text("urgent")),
    ]);
    let k = s.create_activity(&kam_core::complaint::COMPLAINT, &w.rep1, a, complaint).await.unwrap();
    assert_eq!(k.rec["reply_due"], text(&format!("{}T13:00", day(0))));
    assert!(!s.reminders(&owner, today, 7).await.unwrap().iter().any(|x| x.key.starts_with("contract-")));
    let h = s.account_history(a).await.unwrap();
    assert!(h.iter().any(|r| r.entity == "contract_amendment"));
    assert!(h.iter().any(|r| r.entity == "contract_attachment" && r.action == "export"), "downloads are audited");
}

async fn credit_assessment_override_and_form_five(s: Store) {
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    let ratio = rec(&[("asset_liability_ratio", Value::Float(45.0))]);
    s.update_account(&w.fin, a, AccountInput { rec: ratio, ..Default::default() }).await.unwrap();
    let since = rec(&[("cooperation_since", text("2019-03-01"))]);
    s.update_account(&w.rep1, a, AccountInput { rec: since, ..Default::default() }).await.unwrap();
    s.post_entry(&w.fin, a, post("opening_balance", "2025-12-15", 80_000)).await.unwrap();
    let mut c =
        rec(&[("contract_no", text("HT-2026-088")), ("contract_type", text("sales")), ("title", text("年度销售合同"))]);
    c.insert("amount", Value::Int(1_000_000));
    let ct = s.create_contract(&w.rep1, a, c).await.unwrap();
    s.transition_contract(&w.rep1, ct.id, "active").await.unwrap();
    s.amend_contract(
        &w.rep1,
        ct.id,
        rec(&[
            ("amended_on", text("2026-04-01")),
            ("change", text("单价下调 2%")),
            ("amount_delta", Value::Int(-20_000)),
        ]),
    )
    .await
    .unwrap();
    let o = s
        .create_order(
            &w.rep1,
            a,
            OrderInput {
                rec: rec(&[("order_date", text("2026-03-01")), ("contract_no", text("HT-2026-088"))]),
                lines: vec![LineInput {
                    product_id: Some(p),
                    rec: rec(&[("quantity", text("500")), ("unit_price", Value::Int(1_130))]),
                }],
            },
        )
        .await
        .unwrap();
    s.transition_order(&w.rep1, o.id, "shipped", "2026-03-05", None).await.unwrap();
    s.transition_order(&w.rep1, o.id, "delivered", "2026-03-08", None).await.unwrap();
    s.post_entry(&w.fin, a, post("payment", "2026-04-01", 300_000)).await.unwrap();
    s.post_entry(&w.fin, a, post("discount", "2026-04-02", 5_000)).await.unwrap();
    // The assessment: five factors, a rating, last year's beside it.
    let v = s.credit(&w.rep1, a, "2026-11").await.unwrap();
    assert_eq!(v.current.factors.len(), 5);
    assert_eq!(v.current.score, v.current.factors.iter().map(|f| f.points).sum::<i64>());
    assert_eq!(v.current.as_of.to_string(), "2026-11-28", "the month under way, as of today");
    assert_eq!(v.last_year.as_of.to_string(), "2025-11-28");
    assert!(matches!(s.credit(&w.rep3, a, "2026-11").await, Err(StoreError::NotFound)));
    assert!(matches!(s.credit(&w.fin, a, "2026-99").await, Err(StoreError::Invalid(_))));
    // Finance overrides, with a reason; the account's limit follows.
    assert!(matches!(
        s.override_credit(&w.rep1, a, "2026-11", "A", 5_000_000, "x").await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(
        matches!(s.override_credit(&w.fin, a, "2026-11", "E", 5_000_000, " ").await, Err(StoreError::Invalid(e)) if e.0.contains_key("rating") && e.0.contains_key("reason"))
    );
    let v = s.override_credit(&w.fin, a, "2026-11", "B", 5_000_000, "集团担保").await.unwrap();
    assert_eq!((v.rating.as_str(), v.credit_limit), ("B", Some(5_000_000)));
    assert_eq!(v.overridden.as_ref().map(|o| o.reason.as_str()), Some("集团担保"));
    assert_eq!(s.account(&w.rep1, a).await.unwrap().rec["credit_limit"], Value::Int(5_000_000));
    // 附表五: the delivery with its contract, amendment and quantity; the collection; running totals.
    let f = s.performance(&w.rep1, a, 2026).await.unwrap();
    assert_eq!(f.rows.len(), 2);
    let d = &f.rows[0];
    assert_eq!(
        (d.seq, d.contract_no.as_str(), d.quantity.as_str(), d.value),
        (Some(1), "HT-2026-088", "500 Kg", 565_000)
    );
    assert!(d.amendments.contains("单价下调 2%"));
    assert_eq!(
        (f.rows[1].collected, f.rows[1].cumulative_sales, f.rows[1].cumulative_collected),
        (300_000, 565_000, 300_000)
    );
    assert_eq!((f.total_sales, f.total_collected, f.opening, f.other), (565_000, 300_000, 80_000, -5_000));
    assert_eq!(f.closing, f.opening + f.total_sales - f.total_collected + f.other);
    assert_eq!(f.closing, s.ledgers(&w.fin, a).await.unwrap()[0].balance, "agrees with the ledger to the cent");
    assert_eq!(f.rating, "B");
    assert_eq!(f.overridden.as_ref().map(|o| o.since.as_str()), Some("2026-11"));
    // The override stands until finance changes it: not lapsing at the month's
    // end, nor at the year's (16:30 UTC on 31 December is New Year's Day in China).
    let oct = s.credit(&w.fin, a, "2026-10").await.unwrap();
    assert!(oct.overridden.is_none(), "a month before the override keeps its computed rating");
    assert_eq!(oct.rating, oct.current.rating.to_string());
    s.clock().set(time::macros::datetime!(2026-12-31 16:30 UTC));
    let dec = s.credit(&w.fin, a, "2026-12").await.unwrap();
    assert_eq!((dec.rating.as_str(), dec.overridden.as_ref().map(|o| o.since.as_str())), ("B", Some("2026-11")));
    let f = s.performance(&w.rep1, a, 2026).await.unwrap();
    assert_eq!(f.rating, "B", "附表五 at the year's end shows the override in effect");
    let f = s.performance(&w.rep1, a, 2027).await.unwrap();
    // New Year's Day 2027 is assessed as of that day, against 1 January 2026, before any override.
    let jan = s.credit(&w.fin, a, "2027-01").await.unwrap();
    assert_eq!(
        (jan.current.as_of.to_string(), jan.last_year.as_of.to_string()),
        ("2027-01-01".into(), "2026-01-01".into())
    );
    assert!(s.credit(&w.fin, a, "2026-01").await.unwrap().overridden.is_none());
    assert_eq!((f.rating.as_str(), f.rating_last_year.as_str()), ("B", jan.last_year.rating.to_string().as_str()));
    // Not for a month that has not begun (its limit would hold now, its rating later).
    assert!(
        matches!(s.override_credit(&w.fin, a, "2027-02", "A", 1, "x").await, Err(StoreError::Invalid(e)) if e.0.get("period") == Some(&"err.future_period"))
    );
    // Finance changes it in January: from then on the new rating, before it the old one.
    let jan = s.override_credit(&w.fin, a, "2027-01", "C", 2_000_000, "逾期增加").await.unwrap();
    assert_eq!((jan.rating.as_str(), jan.credit_limit), ("C", Some(2_000_000)));
    assert_eq!(s.credit(&w.fin, a, "2026-12").await.unwrap().rating, "B");
    assert_eq!(s.credit(&w.fin, a, "2027-06").await.unwrap().rating, "C");
    let next_year = s.credit(&w.fin, a, "2027-11").await.unwrap();
    assert_eq!((next_year.rating.as_str(), next_year.last_year_rating.as_str()), ("C", "B"));
}

/// "Today" is China time by the application's clock: at 16:00 UTC the next
/// day begins for statements, work logs, contract expiry and birthdays, and
/// every timestamp written is the clock's.
async fn the_day_turns_at_china_midnight(s: Store) {
    use kam_core::statement::Answer;
    use kam_core::worklog::Input;
    use kam_store::statements::Resolution;
    use time::macros::datetime;
    let (w, a, _) = money_world(&s).await;
    let b = account(&s, &w.rep1, "跨月客户乙").await;
    let clock = s.clock().clone();
    // November's statements, each with one disputed payment.
    clock.set(datetime!(2026-11-30 15:59:59 UTC));
    assert_eq!(s.today().to_string(), "2026-11-30");
    let mut lines = Vec::new();
    for acc in [a, b] {
        s.post_entry(&w.fin, acc, post("invoice", "2026-11-02", 50_000)).await.unwrap();
        let pay = s.post_entry(&w.fin, acc, post("payment", "2026-11-20", 30_000)).await.unwrap();
        let g = s.generate_statements(&w.fin, "2026-11", Some(&[acc])).await.unwrap();
        let st = s.statement(&w.fin, g.created[0]).await.unwrap();
        s.send_statement(&w.fin, st.id).await.unwrap();
        let line = st.lines.iter().find(|l| l.entry_id == pay.id).unwrap().id;
        let dispute = Answer::Disputed { customer_amount: -29_000, note: "少付一千".into() };
        s.answer_statement(&w.fin, st.id, &[(line, dispute)]).await.unwrap();
        lines.push((st.id, line));
    }
    assert!(
        matches!(s.generate_statements(&w.fin, "2026-12", Some(&[a])).await, Err(StoreError::Invalid(_))),
        "December has not begun in China"
    );
    // One second before midnight the adjustment is dated 30 November ...
    let st = s.resolve_line(&w.fin, lines[0].0, lines[0].1, Resolution::Adjust, Some("按回单调整")).await.unwrap();
    let adj = st.lines.iter().find(|l| l.id == lines[0].1).unwrap().adjustment_entry_id.unwrap();
    let adj = s.ledger_entry(&w.fin, adj).await.unwrap();
    assert_eq!((adj.text("entry_date"), adj.created_at.as_str()), ("2026-11-30", "2026-11-30T15:59:59Z"));
    // ... at 16:00 UTC it is 1 December in China.
    clock.advance(time::Duration::seconds(1));
    let st = s.resolve_line(&w.fin, lines[1].0, lines[1].1, Resolution::Adjust, Some("按回单调整")).await.unwrap();
    let adj2 = st.lines.iter().find(|l| l.id == lines[1].1).unwrap().adjustment_entry_id.unwrap();
    assert_eq!(s.ledger_entry(&w.fin, adj2).await.unwrap().text("entry_date"), "2026-12-01");
    // Both land in December's statements (November's were already drawn up).
    let dec = s.generate_statements(&w.fin, "2026-12", None).await.unwrap();
    assert_eq!(dec.created.len(), 2);
    for id in dec.created {
        let st = s.statement(&w.fin, id).await.unwrap();
        assert_eq!((st.opening, st.lines.iter().map(|l| l.amount).collect::<Vec<_>>()), (20_000, vec![1_000]));
    }
    let h = s.account_history(b).await.unwrap();
    assert_eq!(h[0].at, "2026-11-30T16:00:00Z", "the audit trail is stamped by the same clock");

    // Work logs: New Year's Day cannot be written until it has begun in China.
    clock.set(datetime!(2026-12-31 15:59:59 UTC));
    let day = || Input { rec: rec(&[("log_date", text("2027-01-01"))]), ..Default::default() };
    assert!(
        matches!(s.create_worklog(&w.rep1, day()).await, Err(StoreError::Invalid(e)) if e.0.get("log_date") == Some(&"err.future_date"))
    );
    // A contract that ends on New Year's Eve is in force through it ...
    let c = rec(&[
        ("contract_no", text("HT-2026-YE")),
        ("contract_type", text("sales")),
        ("title", text("年度合同")),
        ("valid_from", text("2026-01-01")),
        ("valid_to", text("2026-12-31")),
    ]);
    let c = s.create_contract(&w.rep1, a, c).await.unwrap();
    let c = s.transition_contract(&w.rep1, c.id, "active").await.unwrap();
    assert_eq!(c.status, "active");
    clock.advance(time::Duration::seconds(1));
    s.create_worklog(&w.rep1, day()).await.unwrap();
    // ... and expired once 2027 has begun.
    assert_eq!(s.contract(&w.rep1, c.id).await.unwrap().status, "expired");

    // A decision maker born on 29 February is reminded on 28 February in other years.
    s.create_contact(
        &w.rep1,
        a,
        rec(&[("name", text("闰日生的周总")), ("birth_date", text("1988-02-29"))]),
        rec(&[("buying_role", text("decision_maker"))]),
    )
    .await
    .unwrap();
    let owner = s.user(w.rep1.user_id).await.unwrap();
    let birthdays = |r: Vec<kam_core::reminder::Reminder>| {
        r.into_iter().filter(|x| x.key.starts_with("birthday-")).map(|x| x.due).collect::<Vec<_>>()
    };
    clock.set(datetime!(2027-02-27 15:59 UTC));
    assert!(birthdays(s.reminders(&owner, s.today(), 0).await.unwrap()).is_empty());
    clock.set(datetime!(2027-02-27 16:00 UTC));
    assert_eq!(birthdays(s.reminders(&owner, s.today(), 0).await.unwrap()), vec!["2027-02-28"]);
    clock.set(datetime!(2028-02-28 16:00 UTC));
    assert_eq!(
        birthdays(s.reminders(&owner, s.today(), 0).await.unwrap()),
        vec!["2028-02-29"],
        "its own day in a leap year"
    );
}

async fn sessions_and_throttling_follow_the_clock(s: Store) {
    use kam_store::users::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT};
    let w = world(&s).await;
    let clock = s.clock().clone();
    let t = s.create_session(w.rep1.user_id).await.unwrap();
    clock.advance(IDLE_TIMEOUT - time::Duration::seconds(1));
    assert!(s.session(&t).await.unwrap().is_some(), "used just before the idle timeout: refreshed");
    clock.advance(IDLE_TIMEOUT - time::Duration::seconds(1));
    assert!(s.session(&t).await.unwrap().is_some());
    clock.advance(IDLE_TIMEOUT);
    assert!(s.session(&t).await.unwrap().is_none(), "idle too long");
    // However busy, a session ends after the absolute timeout.
    let t = s.create_session(w.rep1.user_id).await.unwrap();
    let step = time::Duration::hours(6);
    let mut used = time::Duration::ZERO;
    while used + step < ABSOLUTE_TIMEOUT {
        clock.advance(step);
        used += step;
        assert!(s.session(&t).await.unwrap().is_some(), "after {used}");
    }
    clock.advance(time::Duration::hours(6));
    assert!(s.session(&t).await.unwrap().is_none());
    // Failed logins count within their window of the clock's time.
    s.record_failure(&["user:rep2"]).await.unwrap();
    assert_eq!(s.recent_failures("user:rep2", time::Duration::minutes(15)).await.unwrap(), 1);
    clock.advance(time::Duration::minutes(16));
    assert_eq!(s.recent_failures("user:rep2", time::Duration::minutes(15)).await.unwrap(), 0);
}

/// Issue 9, item 1: a contact on an account shared read-only, or on a pool
/// account, cannot be tied to one's own account (which would hand over its
/// personal fields and the right to change or archive it).
async fn seeing_a_contact_is_no_licence_to_tie_it(s: Store) {
    let w = world(&s).await;
    let theirs = account(&s, &w.rep2, "别人的客户").await;
    let mine = account(&s, &w.rep1, "我的客户").await;
    let c = s
        .create_contact(
            &w.rep2,
            theirs,
            rec(&[("name", text("秦总")), ("birth_date", text("1975-05-05")), ("home_address", text("南京市某小区"))]),
            rec(&[("title", text("总经理"))]),
        )
        .await
        .unwrap();
    s.share_account(&w.rep2, theirs, w.rep1.user_id).await.unwrap();
    let seen = s.contact(&w.rep1, c.id).await.unwrap();
    assert!(!seen.actor_owns_account && !seen.actor_can_edit, "read-only through the share");
    assert!(matches!(s.link_contact(&w.rep1, mine, c.id, Record::new()).await, Err(StoreError::Forbidden(_))));
    let after = s.contact(&w.rep1, c.id).await.unwrap();
    assert_eq!(after.accounts.len(), 1, "no tie was written");
    assert!(!after.actor_owns_account && !after.actor_can_edit);
    assert!(matches!(
        s.update_contact(&w.rep1, c.id, rec(&[("name", text("改名"))])).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(s.delete_contact(&w.rep1, c.id).await, Err(StoreError::Forbidden(_))));
    // A pool account's contact neither.
    let pool = account(&s, &w.rep2, "公海客户").await;
    let pc = s.create_contact(&w.rep2, pool, rec(&[("name", text("公海联系人"))]), Record::new()).await.unwrap();
    s.release_account(&w.rep2, pool).await.unwrap();
    s.contact(&w.rep1, pc.id).await.unwrap();
    assert!(matches!(s.link_contact(&w.rep1, mine, pc.id, Record::new()).await, Err(StoreError::Forbidden(_))));
    // Who may edit the contact may tie it: its owner, and the team's manager.
    s.link_contact(&w.rep2, pool, c.id, Record::new()).await.unwrap_err();
    let other = account(&s, &w.rep2, "别人的第二个客户").await;
    assert_eq!(s.link_contact(&w.rep2, other, c.id, Record::new()).await.unwrap().accounts.len(), 2);
    let m_acc = account(&s, &w.m1, "经理的客户").await;
    assert_eq!(s.link_contact(&w.m1, m_acc, c.id, Record::new()).await.unwrap().accounts.len(), 3);
    // Changing an existing tie on one's own account stays possible.
    let retitled = s.link_contact(&w.rep2, theirs, c.id, rec(&[("title", text("董事长"))])).await.unwrap();
    assert!(retitled.accounts.iter().any(|l| l.rec.get("title") == Some(&text("董事长"))));
}

/// Issue 9, item 4: what used to be a server error is an answer.
async fn repeats_huge_pages_and_racing_generations_are_answered(s: Store) {
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "竞争客户").await;
    let comp = s.create_competitor(&w.rep1, rec(&[("name", text("对手甲"))])).await.unwrap();
    // The same position twice with nothing but the competitor: the second changes nothing.
    s.set_position(&w.rep1, a, comp.id, Record::new()).await.unwrap();
    s.set_position(&w.rep1, a, comp.id, Record::new()).await.unwrap();
    assert_eq!(s.positions(&w.rep1, a).await.unwrap().len(), 1);
    // A page number past any end is an empty page, not an overflow.
    let f = AccountFilter { page: i64::MAX, per_page: 50, ..Default::default() };
    let p = s.list_accounts(&w.admin, &f).await.unwrap();
    assert!(p.items.is_empty() && p.total == 1);
    let f = kam_store::contacts::ContactFilter { page: i64::MAX, per_page: 50, ..Default::default() };
    assert!(s.list_contacts(&w.admin, &f).await.unwrap().items.is_empty());
    // Six generations of one month at once: each answers, one set of statements results.
    s.post_entry(&w.fin, a, post("invoice", "2026-11-03", 10_000)).await.unwrap();
    for i in 0..20 {
        let b = account(&s, &w.rep2, &format!("对账客户{i}")).await;
        s.post_entry(&w.fin, b, post("invoice", "2026-11-04", 1_000 + i)).await.unwrap();
    }
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (s, fin) = (s.clone(), w.fin.clone());
        tasks.push(tokio::spawn(async move { s.generate_statements(&fin, "2026-11", None).await }));
    }
    let mut created = 0;
    for t in tasks {
        created += t.await.unwrap().expect("every generation is answered").created.len();
    }
    assert_eq!(created, 21, "one statement per account and month");
}

/// Issue 9, item 6: the auditor reads everything and writes nothing, not even
/// reminder answers or a calendar feed.
async fn auditors_only_read(s: Store) {
    let w = world(&s).await;
    let au = testing::user(&s, "auditor", Role::Auditor, None).await;
    let au = actor(&s, au).await;
    for r in [
        s.answer_reminder(&au, "follow_up-999999", true, None).await,
        s.answer_reminder(&au, "follow_up-1", false, Some(time::macros::date!(2026 - 12 - 30))).await,
        s.revoke_calendar_feed(&au).await,
    ] {
        assert!(matches!(r, Err(StoreError::Forbidden("err.read_only"))), "{r:?}");
    }
    assert!(matches!(s.create_calendar_feed(&au).await, Err(StoreError::Forbidden("err.read_only"))));
    assert!(matches!(
        s.create_account(&au, AccountInput { rec: rec(&[("name", text("审计建的"))]), ..Default::default() }).await,
        Err(StoreError::Forbidden(_))
    ));
    let _ = w;
}

/// Issue 9, item 5: an account's parent the reader cannot see is not named;
/// a contact's history leaves out its rows at accounts the reader cannot see.
async fn names_and_ties_of_unseen_accounts_stay_unseen(s: Store) {
    let w = world(&s).await;
    let group = account(&s, &w.rep3, "华南集团总部").await;
    let child = account(&s, &w.rep1, "华东子公司").await;
    s.update_account(&w.admin, child, AccountInput { parent: Some(Some(group)), ..Default::default() }).await.unwrap();
    assert_eq!(s.account(&w.admin, child).await.unwrap().parent_name.as_deref(), Some("华南集团总部"));
    let seen = s.account(&w.rep1, child).await.unwrap();
    assert_eq!((seen.parent_id, seen.parent_name), (Some(group), None), "the tie, not the name");
    let listed = s.list_accounts(&w.rep1, &AccountFilter { per_page: 50, ..Default::default() }).await.unwrap();
    assert!(listed.items.iter().all(|a| a.parent_name.is_none()));
    // A contact at both: rep1 reads its history without the South account's rows.
    let c = s.create_contact(&w.rep1, child, rec(&[("name", text("两地联系人"))]), Record::new()).await.unwrap();
    s.link_contact(&w.admin, group, c.id, rec(&[("title", text("华南采购总监"))])).await.unwrap();
    let mine = s.entity_history(&w.rep1, "contact", c.id.0).await.unwrap();
    assert!(mine.iter().all(|r| r.account_id != Some(group)), "{mine:?}");
    assert!(!format!("{mine:?}").contains("华南采购总监"));
    let all = s.entity_history(&w.admin, "contact", c.id.0).await.unwrap();
    assert!(all.iter().any(|r| r.account_id == Some(group)));
}

/// Issue 9, item 10: a reversal and its original cancel each other in aging,
/// the credit factors and 附表五 (both stay in the ledger); a reversal cannot
/// be dated before its original.
async fn reversals_cancel_in_aging_credit_and_form_five(s: Store) {
    use time::macros::date;
    let (w, a, _) = money_world(&s).await;
    let mut inv = post("invoice", "2026-03-01", 7_777);
    inv.insert("due_date", text("2026-04-01"));
    let wrong = s.post_entry(&w.fin, a, inv).await.unwrap();
    assert!(
        matches!(s.reverse_entry(&w.fin, wrong.id, date!(2026 - 02 - 28), None).await, Err(StoreError::Invalid(e)) if e.0.get("entry_date") == Some(&"err.before_original"))
    );
    s.reverse_entry(&w.fin, wrong.id, date!(2026 - 03 - 05), Some("开错发票")).await.unwrap();
    let mut old = post("invoice", "2026-05-01", 50_000);
    old.insert("due_date", text("2026-06-01"));
    s.post_entry(&w.fin, a, old).await.unwrap();
    let pay = s.post_entry(&w.fin, a, post("payment", "2026-11-01", 50_000)).await.unwrap();
    s.reverse_entry(&w.fin, pay.id, date!(2026 - 11 - 02), Some("银行退票")).await.unwrap();
    // The ledger keeps all five; the balance is the old invoice.
    let ledger = &s.ledgers(&w.fin, a).await.unwrap()[0];
    assert_eq!((ledger.entries.len(), ledger.balance), (5, 50_000));
    // Aging: the bounced payment does not make the old debt look young.
    let r = s.receivables(&w.fin, date!(2026 - 11 - 28)).await.unwrap();
    let r = r.iter().find(|x| x.account_id == a).unwrap();
    assert_eq!((r.aging.max_days_overdue, r.aging.overdue, r.aging.d90_plus), (180, 50_000, 50_000));
    let c = s.credit(&w.fin, a, "2026-11").await.unwrap();
    let days = c.current.factors.iter().find(|f| f.key == "days_overdue").unwrap();
    assert_eq!(days.value, Some(180.0));
    // 附表五: one delivery, no negative delivery, no negative collection.
    let f = s.performance(&w.fin, a, 2026).await.unwrap();
    assert_eq!(f.rows.iter().map(|r| (r.value, r.collected)).collect::<Vec<_>>(), vec![(50_000, 0)]);
    assert_eq!((f.total_sales, f.total_collected, f.other), (50_000, 0, 0));
    assert_eq!(f.closing, ledger.balance, "agrees with the ledger");
    assert_eq!(f.closing, f.opening + f.total_sales - f.total_collected + f.other);
}

/// Issue 9, item 10: business dates lie in a window (2000-01-01 to a year
/// ahead), a due date follows its entry, a delivery follows its order, a
/// zero-value delivery posts no invoice, and a future-dated payment frees no
/// credit today.
async fn business_dates_and_the_credit_check_follow_the_rules(s: Store) {
    use kam_store::orders::{LineInput, OrderInput};
    let (w, a, p) = money_world(&s).await;
    let field_err = |r: Result<kam_store::ledger::LedgerEntry, StoreError>, f: &str, k: &str| {
        assert!(matches!(&r, Err(StoreError::Invalid(e)) if e.0.get(f) == Some(&k)), "{f} {k}: {r:?}");
    };
    field_err(s.post_entry(&w.fin, a, post("payment", "1900-01-01", 100)).await, "entry_date", "err.date_window");
    field_err(s.post_entry(&w.fin, a, post("payment", "2030-01-01", 100)).await, "entry_date", "err.date_window");
    // An instance that keeps older books sets its own window.
    let wide = s.clone().with_date_window(kam_core::ledger::DateWindow {
        earliest: time::macros::date!(1995 - 01 - 01),
        days_ahead: 366,
    });
    assert!(wide.post_entry(&w.fin, a, post("opening_balance", "1998-12-31", 100)).await.is_ok());
    field_err(wide.post_entry(&w.fin, a, post("payment", "1994-12-31", 100)).await, "entry_date", "err.date_window");
    let mut early_due = post("invoice", "2026-11-10", 100);
    early_due.insert("due_date", text("2026-11-01"));
    field_err(s.post_entry(&w.fin, a, early_due).await, "due_date", "err.due_before_date");
    let order = |date: &str, discount: f64| OrderInput {
        rec: rec(&[("order_date", text(date))]),
        lines: vec![LineInput {
            product_id: Some(p),
            rec: rec(&[
                ("quantity", text("10")),
                ("unit_price", Value::Int(1_130)),
                ("discount_pct", Value::Float(discount)),
            ]),
        }],
    };
    assert!(
        matches!(s.create_order(&w.rep1, a, order("2030-05-01", 0.0)).await, Err(StoreError::Invalid(e)) if e.0.contains_key("order_date"))
    );
    let o = s.create_order(&w.rep1, a, order("2026-11-20", 0.0)).await.unwrap();
    s.transition_order(&w.rep1, o.id, "shipped", "2026-11-21", None).await.unwrap();
    assert!(matches!(
        s.transition_order(&w.rep1, o.id, "delivered", "2026-11-19", None).await,
        Err(StoreError::Invalid(e)) if e.0.get("on_date") == Some(&"err.before_order")
    ));
    // A gift: delivered at a 100 % discount, no zero invoice in the ledger.
    let gift = s.create_order(&w.rep1, a, order("2026-11-20", 100.0)).await.unwrap();
    assert_eq!(gift.total_with_tax, 0);
    s.transition_order(&w.rep1, gift.id, "shipped", "2026-11-21", None).await.unwrap();
    s.transition_order(&w.rep1, gift.id, "delivered", "2026-11-22", None).await.unwrap();
    assert!(s.ledgers(&w.fin, a).await.unwrap().iter().all(|l| l.entries.iter().all(|(e, _)| e.amount() != 0)));
    // The limit is ¥10,000.00; ¥9,800.00 is owed. A payment dated next month frees nothing today.
    s.post_entry(&w.fin, a, post("invoice", "2026-11-01", 980_000)).await.unwrap();
    s.post_entry(&w.fin, a, post("payment", "2026-12-15", 980_000)).await.unwrap();
    let held = s.create_order(&w.rep1, a, order("2026-11-28", 0.0)).await.unwrap();
    assert_eq!(held.status, "credit_hold", "¥9,800 owed + ¥113 open + ¥113 is over the limit until the payment's day");
    s.clock().set(time::macros::datetime!(2026-12-15 02:00 UTC));
    let placed = s.create_order(&w.rep1, a, order("2026-12-15", 0.0)).await.unwrap();
    assert_eq!(placed.status, "placed", "on its day the payment counts");
}

async fn drafts_are_voided_or_regenerated_and_first_statements_list_open_items(s: Store) {
    let (w, a, _) = money_world(&s).await;
    // Before October: two invoices and a payment that clears the first and part of the second.
    let i1 = s.post_entry(&w.fin, a, post("invoice", "2026-08-05", 40_000)).await.unwrap();
    let i2 = s.post_entry(&w.fin, a, post("invoice", "2026-09-05", 60_000)).await.unwrap();
    s.post_entry(&w.fin, a, post("payment", "2026-09-20", 50_000)).await.unwrap();
    s.post_entry(&w.fin, a, post("invoice", "2026-10-05", 10_000)).await.unwrap();
    let g = s.generate_statements(&w.fin, "2026-10", Some(&[a])).await.unwrap();
    let st = s.statement(&w.fin, g.created[0]).await.unwrap();
    assert_eq!(st.opening, 50_000);
    // The opening balance is what is still open: ¥500 of the September invoice.
    let items: Vec<(EntryId, i64)> = st.opening_items.iter().map(|o| (o.entry_id, o.open)).collect();
    assert_eq!(items, vec![(i2.id, 10_000 + 40_000)], "FIFO: the payment cleared {} first", i1.id);
    assert_eq!(st.opening_items.iter().map(|o| o.open).sum::<i64>() + st.opening_unapplied, st.opening);
    // A late entry dated October: the draft is regenerated and now lists it.
    s.post_entry(&w.fin, a, post("invoice", "2026-10-30", 5_000)).await.unwrap();
    assert!(matches!(s.regenerate_statement(&w.rep1, st.id).await, Err(StoreError::Forbidden(_))));
    let new = s.regenerate_statement(&w.fin, st.id).await.unwrap().expect("a new draft");
    assert_ne!(new, st.id);
    assert!(matches!(s.statement(&w.fin, st.id).await, Err(StoreError::NotFound)), "the old draft is gone");
    let n = s.statement(&w.fin, new).await.unwrap();
    assert_eq!((n.opening, n.closing, n.lines.len()), (50_000, 65_000, 2));
    // November's draft exists: October's can no longer be voided (the chain would break).
    s.post_entry(&w.fin, a, post("payment", "2026-11-10", 5_000)).await.unwrap();
    let nov = s.generate_statements(&w.fin, "2026-11", Some(&[a])).await.unwrap().created[0];
    assert!(s.statement(&w.fin, nov).await.unwrap().opening_items.is_empty(), "later statements open at the closing");
    assert!(matches!(s.void_statement(&w.fin, new).await, Err(StoreError::Conflict("err.statement_not_latest"))));
    s.void_statement(&w.fin, nov).await.unwrap();
    // Voiding releases the entries: November is generated again with the same figures.
    let again = s.generate_statements(&w.fin, "2026-11", Some(&[a])).await.unwrap().created[0];
    let again = s.statement(&w.fin, again).await.unwrap();
    assert_eq!((again.opening, again.closing), (65_000, 60_000));
    // A sent statement is the customer's: neither voided nor regenerated.
    s.send_statement(&w.fin, again.id).await.unwrap();
    assert!(matches!(s.void_statement(&w.fin, again.id).await, Err(StoreError::Conflict("err.statement_not_draft"))));
    assert!(matches!(
        s.regenerate_statement(&w.fin, again.id).await,
        Err(StoreError::Conflict("err.statement_not_draft"))
    ));
    let h = s.account_history(a).await.unwrap();
    assert_eq!(h.iter().filter(|r| r.entity == "statement" && r.action == "delete").count(), 2, "voids are audited");
}

async fn settings_are_the_admins_and_currencies_must_be_enabled(s: Store) {
    use kam_core::settings::{Company, WorkingHours};
    use kam_store::settings::SettingsChange;
    let (w, a, _) = money_world(&s).await;
    assert_eq!(s.currencies().await.unwrap(), vec!["CNY", "USD", "EUR", "HKD"]);
    assert_eq!(s.working_hours().await.unwrap(), WorkingHours::default());
    let company =
        Company {
            name: "福州大客户科技有限公司".into(), bank_account: "3501 0000 1234".into(), ..Default::default()
        };
    let change = SettingsChange {
        company: Some(company.clone()),
        working_hours: Some(WorkingHours::new("08:30", "17:30", [true, true, true, true, true, true, false]).unwrap()),
        currencies: Some("usd".into()),
        abc: None,
        health: None,
        churn_factor: None,
    };
    assert!(matches!(s.save_settings(&w.fin, &change).await, Err(StoreError::Forbidden(_))));
    // A bad part refuses the whole save.
    let bad = SettingsChange { currencies: Some("XYZ".into()), ..change.clone() };
    assert!(matches!(s.save_settings(&w.admin, &bad).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.company().await.unwrap(), Company::default(), "nothing of a refused save is kept");
    s.save_settings(&w.admin, &change).await.unwrap();
    assert_eq!(s.company().await.unwrap(), company);
    assert_eq!(s.currencies().await.unwrap(), vec!["CNY", "USD"]);
    assert_eq!(s.working_hours().await.unwrap().start_text(), "08:30");
    // EUR is no longer enabled: a new entry in it is refused, CNY and USD pass.
    let mut eur = post("invoice", "2026-11-02", 1_000);
    eur.insert("currency", text("EUR"));
    match s.post_entry(&w.fin, a, eur).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("currency"), Some(&"err.currency_disabled")),
        other => panic!("EUR is disabled: {other:?}"),
    }
    let mut usd = post("invoice", "2026-11-02", 1_000);
    usd.insert("currency", text("USD"));
    s.post_entry(&w.fin, a, usd).await.unwrap();
    // Complaint deadlines count in the new working hours (Saturday now works).
    use kam_core::complaint::COMPLAINT;
    let svc = w.admin.clone();
    let c = s
        .create_activity(
            &COMPLAINT,
            &svc,
            a,
            rec(&[
                ("received_at", text("2026-11-27T17:00")),
                ("priority", text("high")),
                ("complainant", text("李经理")),
                ("subject", text("包装破损")),
                ("content", text("三箱破损")),
            ]),
        )
        .await
        .unwrap();
    // Friday 17:00 + 8 working hours: 0.5 h on Friday, 7.5 h on Saturday from 08:30.
    assert_eq!(c.rec.get("reply_due"), Some(&text("2026-11-28T16:00")));
    // The save is one audit row naming each setting it changed, by the admin.
    let audit = s.recent_audit(50).await.unwrap();
    let saved: Vec<_> = audit.iter().filter(|r| r.entity == "setting").collect();
    assert_eq!(saved.len(), 1, "the refused save wrote nothing, the good one one row");
    assert_eq!(saved[0].actor_id, Some(w.admin.user_id));
    for key in ["company.name", "company.bank_account", "complaint.working_hours", "currencies"] {
        assert!(saved[0].changes.get(key).is_some(), "{key} in {}", saved[0].changes);
    }
}

async fn a_visit_fills_the_planned_slot_nearest_its_date(s: Store) {
    use kam_core::activity::VISIT;
    use time::macros::date;
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "每月拜访客户").await;
    let monthly: Vec<Option<time::Date>> =
        (1..=12u8).map(|m| time::Date::from_calendar_date(2026, time::Month::try_from(m).unwrap(), 10).ok()).collect();
    s.set_visit_plan(&w.rep1, a, 2026, &monthly).await.unwrap();
    let visit = rec(&[("visited_at", text("2026-11-12T10:00")), ("goal", text("月度拜访"))]);
    s.create_activity(&VISIT, &w.rep1, a, visit).await.unwrap();
    let p = s.visit_plan(&w.rep1, a, 2026).await.unwrap();
    let filled: Vec<usize> = p.slots.iter().enumerate().filter(|(_, x)| x.actual.is_some()).map(|(i, _)| i).collect();
    assert_eq!(filled, vec![10], "November's slot, not January's");
    assert_eq!(p.slots[10].actual, Some(date!(2026 - 11 - 12)));
    let t = s
        .visit_plan_summary(&w.rep1, date!(2026 - 11 - 01), date!(2026 - 11 - 30), date!(2026 - 11 - 28))
        .await
        .unwrap()[0]
        .tally;
    assert_eq!((t.planned, t.on_time, t.missed), (1, 1, 0), "plan versus actual for November holds");
}

async fn search_finds_contracts_and_the_text_of_activities_within_scope(s: Store) {
    use kam_core::activity::{INTERACTION, VISIT};
    use kam_core::complaint::COMPLAINT;
    let w = world(&s).await;
    let a = account(&s, &w.rep1, "检索客户").await;
    let c = s
        .create_contract(
            &w.rep1,
            a,
            rec(&[
                ("contract_no", text("HT-2026-0815")),
                ("title", text("年度框架采购协议")),
                ("contract_type", text("framework")),
            ]),
        )
        .await
        .unwrap();
    let v = s
        .create_activity(
            &VISIT,
            &w.rep1,
            a,
            rec(&[("visited_at", text("2026-11-20T10:00")), ("goal", text("讨论冷链包装方案"))]),
        )
        .await
        .unwrap();
    let i = s
        .create_activity(
            &INTERACTION,
            &w.rep1,
            a,
            rec(&[
                ("occurred_at", text("2026-11-21T09:00")),
                ("channel", text("phone")),
                ("subject", text("报价跟进")),
                ("content", text("客户提到竞品低价策略")),
            ]),
        )
        .await
        .unwrap();
    let k = s
        .create_activity(
            &COMPLAINT,
            &w.admin,
            a,
            rec(&[
                ("received_at", text("2026-11-22T09:00")),
                ("complainant", text("王主任")),
                ("subject", text("包装渗漏")),
                ("content", text("冷藏箱密封条老化")),
                ("priority", text("normal")),
            ]),
        )
        .await
        .unwrap();
    let found = |hits: Vec<kam_store::search::Hit>| hits.into_iter().map(|h| (h.entity, h.id)).collect::<Vec<_>>();
    assert!(
        found(s.search(&w.rep1, "0815", 20).await.unwrap()).contains(&("contract".into(), c.id.0)),
        "by contract number"
    );
    assert!(found(s.search(&w.rep1, "框架采购", 20).await.unwrap()).contains(&("contract".into(), c.id.0)), "by title");
    assert!(found(s.search(&w.rep1, "冷链", 20).await.unwrap()).contains(&("visit".into(), v.id.0)), "a visit's text");
    assert!(
        found(s.search(&w.rep1, "竞品低价", 20).await.unwrap()).contains(&("interaction".into(), i.id.0)),
        "its content"
    );
    assert!(
        found(s.search(&w.rep1, "密封条", 20).await.unwrap()).contains(&("complaint".into(), k.id.0)),
        "a complaint"
    );
    // Another team's rep finds none of it.
    for q in ["0815", "冷链", "竞品低价", "密封条"] {
        assert!(s.search(&w.rep3, q, 20).await.unwrap().is_empty(), "{q} is outside rep3's scope");
    }
    // An edit re-indexes; a deletion takes it out.
    s.update_activity(&VISIT, &w.rep1, v.id, rec(&[("goal", text("讨论周转箱回收"))])).await.unwrap();
    assert!(!found(s.search(&w.rep1, "冷链", 20).await.unwrap()).contains(&("visit".into(), v.id.0)));
    assert!(found(s.search(&w.rep1, "周转箱", 20).await.unwrap()).contains(&("visit".into(), v.id.0)));
    s.delete_activity(&INTERACTION, &w.rep1, i.id).await.unwrap();
    assert!(s.search(&w.rep1, "竞品低价", 20).await.unwrap().is_empty());
}

/// Each unique constraint is recognised by its name (PostgreSQL) or its
/// columns (SQLite) and answered on its own field; an account's credit code
/// and a product's code do not stand for each other.
async fn unique_constraints_are_answered_by_name(s: Store) {
    let w = world(&s).await;
    let user = |name| kam_store::users::NewUser {
        username: name,
        display_name: "重名",
        role: Role::Sales,
        team: Some("East"),
        password_hash: "x".into(),
    };
    match s.create_user(user("rep1")).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("username"), Some(&"err.taken")),
        other => panic!("{other:?}"),
    }
    let product = |code: &str| {
        rec(&[("code", text(code)), ("name", text("膜")), ("unit", text("Kg")), ("list_price", Value::Int(100))])
    };
    s.create_product(&w.admin, product("U-1")).await.unwrap();
    match s.create_product(&w.admin, product("U-1")).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("code"), Some(&"err.duplicate_code")),
        other => panic!("{other:?}"),
    }
    // The same text as a product code and an account's credit code breaks nothing.
    let code = "91350100M000100Y43";
    s.create_product(&w.admin, product(code)).await.unwrap();
    let input =
        AccountInput { rec: rec(&[("name", text("唯一客户")), ("credit_code", text(code))]), ..Default::default() };
    s.create_account(&w.rep1, input).await.unwrap();
    let again =
        AccountInput { rec: rec(&[("name", text("另一客户")), ("credit_code", text(code))]), ..Default::default() };
    match s.create_account(&w.rep2, again).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.get("credit_code"), Some(&"err.credit_code.taken")),
        other => panic!("{other:?}"),
    }
}
