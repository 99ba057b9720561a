//! The demo's work logs: each team's sign-off chain and logs of the last
//! days in every state.

use super::*;

/// Each team's sign-off chain, and work logs of the last days in every state:
/// approved with an evaluation, waiting at the cashier, waiting at the
/// department head, and returned.
pub(super) async fn add_worklogs(store: &Store, admin: &Actor, ids: &[(UserId, Role)]) -> Result<()> {
    use kam_core::worklog::{Decision, Entry, Input, Step};
    let id_of = |name: &str| USERS.iter().position(|u| u.0 == name).map(|i| ids[i].0).unwrap_or_default();
    let actor_of = |name: &str| {
        let i = USERS.iter().position(|u| u.0 == name).unwrap_or_default();
        async move { store.user(ids[i].0).await.map(|u| u.actor()) }
    };
    let teams = store.teams().await?;
    for t in &teams {
        let head = if t.name == EAST { "zhangwei" } else { "lina" };
        let mut chain =
            vec![(Step::Cashier, id_of("sunli")), (Step::DeptHead, id_of(head)), (Step::Vp, id_of("huangtao"))];
        if t.name == EAST {
            chain.push((Step::Accountant, id_of("qianhui")));
        }
        store.set_signoff_chain(admin, t.id, &chain).await?;
    }
    let today = store.today();
    let day = |n: i64| (today - time::Duration::days(n)).to_string();
    let entry = |account: AccountId, pairs: &[(&'static str, Value)]| Entry {
        id: None,
        account_id: Some(account),
        contact_id: None,
        rec: pairs.iter().cloned().collect(),
    };
    // (rep, days ago, how far it got)
    let plan: &[(&str, i64, &str)] = &[
        ("wangfang", 2, "approved"),
        ("wangfang", 1, "at_cashier"),
        ("liuyang", 1, "at_cashier"),
        ("chenjing", 1, "at_head"),
        ("zhaolei", 1, "returned"),
    ];
    for (rep, ago, state) in plan {
        let by = actor_of(rep).await?;
        let mine = store
            .list_accounts(
                &by,
                &crate::accounts::AccountFilter {
                    page: 1,
                    per_page: 3,
                    owner_id: Some(by.user_id),
                    ..Default::default()
                },
            )
            .await?
            .items;
        let Some(first) = mine.first() else { continue };
        let second = mine.get(1).unwrap_or(first);
        let input = Input {
            rec: [
                ("log_date", text(day(*ago))),
                ("market_analysis", text("客户下游订单回暖，二季度备货量预计上升 10%；竞品降价 3% 抢单。")),
                ("product_analysis", text("新款包装规格受欢迎；客户希望缩短交期到 7 天。")),
            ]
            .into_iter()
            .collect(),
            visits: vec![
                entry(
                    first.id,
                    &[
                        ("person", text("采购部经理")),
                        ("time_from", text("09:30")),
                        ("time_to", text("11:00")),
                        ("content", text("沟通下季度采购计划与价格调整")),
                        ("result", text("同意先试用新规格，下周回复数量")),
                    ],
                ),
                entry(
                    second.id,
                    &[
                        ("time_from", text("14:00")),
                        ("time_to", text("15:30")),
                        ("content", text("回访设备使用情况，收集质量反馈")),
                        ("result", text("无质量问题，提出培训需求")),
                    ],
                ),
            ],
            collections: vec![entry(
                first.id,
                &[
                    ("collection_time", text("16:00")),
                    ("contract_no", text(format!("HT-{}-{:03}", today.year(), first.id))),
                    ("product", text("工业包装膜")),
                    ("quantity", text("1200")),
                    ("contract_amount", Value::Int(36_000_000)),
                    ("paid_amount", Value::Int(12_000_000)),
                ],
            )],
            affairs: vec![Entry {
                id: None,
                account_id: None,
                contact_id: None,
                rec: [
                    ("department", text("财务部")),
                    ("matter", text("核对上月发票与回款")),
                    ("completion", text("done")),
                ]
                .into_iter()
                .collect(),
            }],
        };
        let log = store.create_worklog(&by, input).await?;
        store.submit_worklog(&by, log.id).await?;
        let sign = |who: &'static str, d: Decision, comment: Option<&'static str>, eval: Option<&'static str>| {
            let id = log.id;
            async move {
                let a = actor_of(who).await?;
                store.sign_worklog(&a, id, d, comment, eval).await
            }
        };
        let head = if *rep == "chenjing" || *rep == "zhaolei" { "lina" } else { "zhangwei" };
        match *state {
            "approved" => {
                sign("sunli", Decision::Approve, Some("回款已核对"), None).await?;
                sign("qianhui", Decision::Approve, None, None).await?;
                sign(head, Decision::Approve, None, Some("拜访安排合理，回款跟进及时，继续保持。")).await?;
                sign("huangtao", Decision::Approve, Some("同意"), None).await?;
            }
            "at_head" => {
                sign("sunli", Decision::Approve, None, None).await?;
            }
            "returned" => {
                sign("sunli", Decision::Approve, None, None).await?;
                sign(head, Decision::Return, Some("请补充客户提出的培训需求的安排，再重新提交。"), None).await?;
            }
            _ => {}
        }
    }
    Ok(())
}
