//! Demo data: a believable company with teams, users in every role, accounts
//! with Chinese names, contacts, competitors and business partners. The same
//! generator takes a size so it can build large data sets for benchmarks.
//! Deterministic for a given size, except the demo password.

use kam_core::AccountId;
use kam_core::ProductId;
use kam_core::UserId;
use kam_core::credit_code::check_char;
use kam_core::secret::{hash_password, random_token};
use kam_core::{Actor, Record, Role, Value};

use crate::accounts::AccountInput;
use crate::users::NewUser;
use crate::{Result, Store, StoreError};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
}

/// One demo login.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team: Option<String>,
}

/// What `generate` created.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub logins: Vec<DemoLogin>,
    pub password: String,
    pub accounts: usize,
    pub contacts: usize,
}

const EAST: &str = "华东销售部";
const SOUTH: &str = "华南销售部";

const USERS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin", "系统管理员", Role::Admin, None),
    ("zhangwei", "张伟", Role::Manager, Some(EAST)),
    ("wangfang", "王芳", Role::Sales, Some(EAST)),
    ("liuyang", "刘洋", Role::Sales, Some(EAST)),
    ("lina", "李娜", Role::Manager, Some(SOUTH)),
    ("chenjing", "陈静", Role::Sales, Some(SOUTH)),
    ("zhaolei", "赵磊", Role::Sales, Some(SOUTH)),
    ("sunli", "孙丽", Role::Finance, None),
    ("qianhui", "钱慧", Role::Finance, None),
    ("huangtao", "黄涛", Role::Manager, None),
    ("zhoujie", "周杰", Role::Service, None),
    ("wujun", "吴军", Role::Auditor, None),
];

const CITIES: &[(&str, &str, &str, &str, &str)] = &[
    ("浙江省", "杭州市", "滨江区", "310051", "0571"),
    ("浙江省", "宁波市", "鄞州区", "315100", "0574"),
    ("江苏省", "苏州市", "工业园区", "215000", "0512"),
    ("江苏省", "南京市", "江宁区", "211100", "025"),
    ("上海市", "上海市", "浦东新区", "200120", "021"),
    ("广东省", "广州市", "黄埔区", "510700", "020"),
    ("广东省", "深圳市", "南山区", "518057", "0755"),
    ("广东省", "佛山市", "顺德区", "528300", "0757"),
    ("福建省", "厦门市", "湖里区", "361006", "0592"),
    ("山东省", "青岛市", "黄岛区", "266500", "0532"),
];
const WORDS: &[&str] = &[
    "华信", "恒通", "明远", "东方", "鑫源", "宏达", "中联", "永盛", "金桥", "天成", "瑞丰", "海纳", "博远", "新锐",
    "汇丰", "安泰", "润华", "长江", "正泰", "立信", "嘉禾", "盛世", "国泰", "凯达", "科瑞", "远航", "同创", "银河",
];
const TRADES: &[(&str, &str)] = &[
    ("化工", "chemicals"),
    ("精密机械", "manufacturing"),
    ("电子科技", "electronics"),
    ("汽车零部件", "automotive"),
    ("建材", "construction"),
    ("食品", "food"),
    ("医药", "pharma"),
    ("纺织", "textiles"),
    ("物流", "logistics"),
    ("新能源", "energy"),
    ("信息技术", "it"),
];
const SUFFIX: &[&str] = &["有限公司", "股份有限公司", "集团有限公司", "制造有限公司"];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高",
];
const GIVEN: &[&str] = &[
    "强", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "建华", "志强",
    "秀英", "海燕", "晓东", "丽华",
];
const TITLES: &[(&str, &str)] = &[
    ("总经理", "decision_maker"),
    ("董事长", "decision_maker"),
    ("采购经理", "influencer"),
    ("技术总监", "influencer"),
    ("生产主管", "user"),
    ("财务经理", "gatekeeper"),
    ("总经理助理", "gatekeeper"),
];
const COMPETITORS: &[(&str, &str)] = &[
    ("东方材料科技有限公司", "工程塑料、改性材料"),
    ("华源化学股份有限公司", "溶剂、助剂"),
    ("远大精工集团", "精密零部件"),
    ("恒力新材料有限公司", "复合材料"),
    ("申联工业品有限公司", "工业品综合供应"),
    ("粤海贸易有限公司", "进口代理"),
];
const HOBBIES: &[&str] = &["高尔夫", "钓鱼", "茶道", "书法", "登山", "羽毛球", "摄影", "围棋"];

/// A valid unified social credit code from the generator.
fn credit_code(rng: &mut Rng, region: &str) -> String {
    const ALPHA: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = String::from("91");
    body.push_str(&region[..6.min(region.len())]);
    while body.len() < 8 {
        body.push('0');
    }
    for _ in 0..9 {
        body.push(ALPHA[rng.below(ALPHA.len())] as char);
    }
    let c = check_char(&body).unwrap_or('0');
    body.push(c);
    body
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A few records of the working day around today, so the Today page,
/// timelines, complaints and surveys have something to show.
async fn add_activities(store: &Store, by: &Actor, account: AccountId, rng: &mut Rng) -> Result<()> {
    use kam_core::activity::{INTERACTION, SURVEY, VISIT};
    use kam_core::complaint::COMPLAINT;
    let today = store.today();
    let day = |offset: i64| (today + time::Duration::days(offset)).to_string();
    if rng.chance(45) {
        let back = rng.below(20) as i64;
        let mut r = Record::new();
        r.insert("occurred_at", text(format!("{}T{:02}:30", day(-back), 9 + rng.below(8))));
        r.insert("channel", text(*rng.pick(&["phone", "wechat", "visit", "email", "meeting"])));
        r.insert(
            "subject",
            text(*rng.pick(&["年度采购计划沟通", "新产品介绍", "价格调整通知", "交期确认", "样品反馈"])),
        );
        r.insert("result", text(*rng.pick(&["客户有意向，待报价", "需要技术资料", "下月再议"])));
        r.insert("next_step", text(*rng.pick(&["发送报价单", "寄送样品", "安排技术交流", "电话回访"])));
        r.insert("follow_up_date", text(day(rng.below(10) as i64 - 4)));
        store.create_activity(&INTERACTION, by, account, r).await?;
    }
    if rng.chance(30) {
        let mut r = Record::new();
        r.insert("visited_at", text(format!("{}T10:00", day(-(rng.below(40) as i64)))));
        r.insert("sequence", Value::Int(1));
        r.insert("goal", text(*rng.pick(&["了解年度需求", "解决质量问题", "商谈框架协议"])));
        if rng.chance(50) {
            r.insert("objections", text(*rng.pick(&["认为价格偏高", "担心交期", "对售后响应不满意"])));
            r.insert("resolution_plan", text(*rng.pick(&["申请阶梯价格", "调整排产计划", "指定专人对接"])));
        }
        r.insert("next_planned", text(day(rng.below(30) as i64)));
        store.create_activity(&VISIT, by, account, r).await?;
    }
    if rng.chance(8) {
        let mut r = Record::new();
        r.insert("received_at", text(format!("{}T14:00", day(-(rng.below(6) as i64)))));
        r.insert("complainant", text(format!("{}经理", rng.pick(SURNAMES))));
        r.insert("subject", text(*rng.pick(&["交货延迟", "包装破损", "发票信息错误", "产品批次质量波动"])));
        r.insert("content", text("客户来电反映，要求尽快处理并回复。"));
        r.insert("priority", text(*rng.pick(&["urgent", "high", "normal", "normal", "low"])));
        store.create_activity(&COMPLAINT, by, account, r).await?;
    }
    if rng.chance(25) {
        for m in 0..3 {
            let mut r = Record::new();
            r.insert("surveyed_on", text(day(-30 * m - rng.below(20) as i64)));
            r.insert("overall", Value::Int(2 + rng.below(4) as i64));
            r.insert("nps", Value::Int(4 + rng.below(7) as i64));
            r.insert("product", Value::Int(2 + rng.below(4) as i64));
            r.insert("service", Value::Int(2 + rng.below(4) as i64));
            store.create_activity(&SURVEY, by, account, r).await?;
        }
    }
    Ok(())
}

/// Creates the demo company with `accounts` accounts. Refuses a database that
/// already has users.
pub async fn generate(store: &Store, accounts: usize) -> Result<DemoReport> {
    if store.user_count().await? > 0 {
        return Err(StoreError::Conflict("err.demo_not_empty"));
    }
    let password = format!("demo-{}", &random_token()[..10]);
    let hash = hash_password(&password).map_err(|_| StoreError::Config("hashing failed".into()))?;
    let mut ids = Vec::new();
    let mut logins = Vec::new();
    for (username, display, role, team) in USERS {
        let id = store
            .create_user(NewUser {
                username,
                display_name: display,
                role: *role,
                team: *team,
                password_hash: hash.clone(),
            })
            .await?;
        ids.push((id, *role));
        logins.push(DemoLogin {
            username: (*username).into(),
            display_name: (*display).into(),
            role: *role,
            team: team.map(Into::into),
        });
    }
    store.set_setting(None, "demo", "1").await?;
    let admin = Actor { user_id: ids[0].0, role: Role::Admin, team_id: None };
    // Reps and team managers own accounts; the vice president (no team) signs logs.
    let owners: Vec<UserId> = ids
        .iter()
        .zip(USERS)
        .filter(|((_, r), u)| matches!(r, Role::Sales | Role::Manager) && u.3.is_some())
        .map(|((id, _), _)| *id)
        .collect();

    let mut competitor_ids = Vec::new();
    for (name, products) in COMPETITORS {
        let mut rec = Record::new();
        rec.insert("name", text(*name));
        rec.insert("products", text(*products));
        competitor_ids.push(store.create_competitor(&admin, rec).await?.id);
    }

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ accounts as u64);
    let mut used_names = std::collections::HashSet::new();
    let mut account_ids: Vec<AccountId> = Vec::new();
    let mut contacts = 0;
    for i in 0..accounts {
        let (province, city, district, postcode, area) = *rng.pick(CITIES);
        let (trade, industry) = *rng.pick(TRADES);
        let city_short = city.trim_end_matches('市');
        let mut name = format!("{city_short}{}{trade}{}", rng.pick(WORDS), rng.pick(SUFFIX));
        if !used_names.insert(name.clone()) {
            name = format!("{city_short}{}{}{trade}{}", rng.pick(WORDS), rng.pick(WORDS), rng.pick(SUFFIX));
            if !used_names.insert(name.clone()) {
                name = format!("{city_short}{}{trade}第{}分公司", rng.pick(WORDS), i + 1);
                used_names.insert(name.clone());
            }
        }
        let mut rec = Record::new();
        rec.insert("name", text(name.clone()));
        rec.insert("short_name", text(name.chars().skip(city_short.chars().count()).take(4).collect::<String>()));
        let region = format!("{:06}", 330100 + rng.below(600000));
        rec.insert("credit_code", text(credit_code(&mut rng, &region)));
        rec.insert("industry", text(industry));
        rec.insert("customer_type", text(*rng.pick(&["end_user", "end_user", "distributor", "agent", "oem"])));
        rec.insert("grade", text(*rng.pick(&["A", "B", "B", "C", "C", "C", "D"])));
        rec.insert(
            "stage",
            text(*rng.pick(&["prospect", "acquisition", "cultivation", "retention", "retention", "winback"])),
        );
        rec.insert("nature", text(*rng.pick(&["private", "private", "state_owned", "foreign", "joint_venture"])));
        rec.insert("staff_count", Value::Int(50 + rng.below(5000) as i64));
        rec.insert("revenue_band", text(*rng.pick(&["lt10m", "10m_50m", "50m_200m", "200m_1b", "gt1b"])));
        rec.insert("province", text(province));
        rec.insert("city", text(city));
        rec.insert("district", text(district));
        rec.insert("street", text(format!("{}路{}号", rng.pick(WORDS), 1 + rng.below(999))));
        rec.insert("postcode", text(postcode));
        rec.insert("phone", text(format!("{area}-{}", 80_000_000 + rng.below(9_999_999))));
        rec.insert("source", text(*rng.pick(&["展会", "老客户推荐", "网络询盘", "行业协会", "陌生拜访"])));
        rec.insert("cooperation_since", text(format!("{}-{:02}-01", 2010 + rng.below(16), 1 + rng.below(12))));
        rec.insert("business_scope", text(format!("{trade}产品的研发、生产与销售")));
        rec.insert("usage_volume", text(format!("年用量约 {} 吨", 10 + rng.below(2000))));
        rec.insert("credit_limit", Value::Int(((10 + rng.below(490)) * 10_000 * 100) as i64));
        rec.insert("payment_terms_days", Value::Int(*rng.pick(&[30, 45, 60, 90])));
        rec.insert("asset_liability_ratio", Value::Float((30 + rng.below(50)) as f64));
        rec.insert("bank_name", text(format!("中国工商银行{city_short}分行")));
        rec.insert("bank_account", text(format!("1202{:015}", rng.next() % 1_000_000_000_000_000)));
        rec.insert("currency", text("CNY"));
        let owner = if rng.chance(18) { None } else { Some(*rng.pick(&owners)) };
        let parent = if i > 10 && rng.chance(6) { Some(account_ids[rng.below(10)]) } else { None };
        let acc = store.create_account(&admin, AccountInput { rec, owner: Some(owner), parent: Some(parent) }).await?;
        account_ids.push(acc.id);

        for k in 0..(1 + rng.below(3)) {
            let (title, role) = *rng.pick(TITLES);
            let mut c = Record::new();
            c.insert("name", text(format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))));
            c.insert("gender", text(*rng.pick(&["male", "female"])));
            c.insert("department", text(*rng.pick(&["总经办", "采购部", "技术部", "生产部", "财务部"])));
            c.insert(
                "mobile",
                text(format!("1{}{:08}", rng.pick(&["38", "39", "58", "86", "37"]), rng.next() % 100_000_000)),
            );
            c.insert(
                "birth_date",
                text(format!("{}-{:02}-{:02}", 1960 + rng.below(35), 1 + rng.below(12), 1 + rng.below(28))),
            );
            c.insert("education", text(*rng.pick(&["college", "bachelor", "bachelor", "master"])));
            c.insert("hobbies", text(*rng.pick(HOBBIES)));
            c.insert("hometown", text(rng.pick(CITIES).1));
            let mut link = Record::new();
            link.insert("title", text(title));
            link.insert("buying_role", text(role));
            link.insert("attitude", text(*rng.pick(&["champion", "supportive", "neutral", "neutral", "skeptical"])));
            link.insert("is_primary", Value::Bool(k == 0));
            store.create_contact(&admin, acc.id, c, link).await?;
            contacts += 1;
        }
        if rng.chance(60) {
            let cid = *rng.pick(&competitor_ids);
            let mut p = Record::new();
            p.insert("share_pct", Value::Float((10 + rng.below(50)) as f64));
            p.insert("prices", text(format!("比我方低 {}%", rng.below(12))));
            p.insert("policy", text(*rng.pick(&["月结60天，年底返点3%", "现款现货，量大优惠", "提供免费技术服务"])));
            store.set_position(&admin, acc.id, cid, p).await?;
        }
        if owner.is_some() {
            let owner_actor = Actor { user_id: owner.unwrap_or_default(), role: Role::Admin, team_id: None };
            add_activities(store, &owner_actor, acc.id, &mut rng).await?;
        }
        if rng.chance(40) {
            let mut p = Record::new();
            p.insert("kind", text("supplier"));
            p.insert(
                "name",
                text(format!("{}{}贸易有限公司", rng.pick(CITIES).1.trim_end_matches('市'), rng.pick(WORDS))),
            );
            p.insert("share_pct", Value::Float((10 + rng.below(40)) as f64));
            store.add_partner(&admin, acc.id, p).await?;
        }
    }
    add_worklogs(store, &admin, &ids).await?;
    add_money(store, &admin, &account_ids, &mut rng).await?;
    Ok(DemoReport { logins, password, accounts, contacts })
}

/// Products, and for the first accounts an opening balance, orders in every
/// state (delivered ones invoiced through the ledger) and payments, so that
/// receivables, aging and credit holds have something to show.
async fn add_money(store: &Store, admin: &Actor, accounts: &[AccountId], rng: &mut Rng) -> Result<()> {
    use crate::orders::{LineInput, OrderInput};
    let products: &[(&str, &str, &str, i64)] = &[
        ("BM-100", "工业包装膜", "Kg", 1_130),
        ("BM-200", "高阻隔复合膜", "Kg", 2_260),
        ("ZD-050", "缠绕膜 50cm", "卷", 4_520),
        ("JD-010", "胶带 48mm", "箱", 16_950),
        ("FW-001", "上门技术服务", "次", 106_000),
    ];
    let mut ids = Vec::new();
    for (code, name, unit, price) in products {
        let mut rec = Record::new();
        rec.insert("code", text(*code));
        rec.insert("name", text(*name));
        rec.insert("unit", text(*unit));
        rec.insert("list_price", Value::Int(*price));
        if code.starts_with("FW") {
            rec.insert("tax_rate", Value::Float(6.0));
        }
        ids.push(store.create_product(admin, rec).await?.id);
    }
    let today = store.today();
    let day = |n: i64| (today - time::Duration::days(n)).to_string();
    for (i, account) in accounts.iter().take(40).enumerate() {
        let acc = store.account(admin, *account).await?;
        if acc.owner_id.is_none() {
            continue;
        }
        let mut opening = Record::new();
        opening.insert("entry_date", text(day(120)));
        opening.insert("kind", text("opening_balance"));
        opening.insert("amount", Value::Int((rng.below(50) as i64 + 1) * 100_000));
        opening.insert("reference", text("系统上线期初余额"));
        opening.insert("due_date", text(day(90)));
        let opened = store.post_entry(admin, *account, opening).await?;
        if rng.chance(75) {
            // Most customers settled the old balance on time.
            let mut pay = Record::new();
            pay.insert("entry_date", text(day(100)));
            pay.insert("kind", text("payment"));
            pay.insert("amount", Value::Int(opened.amount()));
            pay.insert("payment_method", text("bank_transfer"));
            pay.insert("voucher_no", text(format!("PZ{}-O{i:03}", today.year())));
            store.post_entry(admin, *account, pay).await?;
        }
        if i < 24 {
            // A framework contract in force (some near their end), and for a few an SLA.
            let ends = if i % 4 == 0 { 40 + rng.below(50) as i64 } else { 200 + rng.below(300) as i64 };
            let mut c = Record::new();
            c.insert("contract_no", text(format!("KJ-{}-{:03}", today.year(), i)));
            c.insert("contract_type", text(if i % 6 == 0 { "sla" } else { "framework" }));
            c.insert("title", text(if i % 6 == 0 { "年度服务级别协议" } else { "年度采购框架协议" }));
            c.insert("signed_on", text(day(300)));
            c.insert("valid_from", text(day(300)));
            c.insert("valid_to", text((today + time::Duration::days(ends)).to_string()));
            c.insert("amount", Value::Int((rng.below(90) as i64 + 10) * 1_000_000));
            c.insert("payment_terms", text("货到验收合格后 30 天内付款"));
            if i % 6 == 0 {
                c.insert("sla_reply_urgent", Value::Int(2));
                c.insert("sla_resolve_urgent", Value::Int(12));
                c.insert("sla_reply_high", Value::Int(4));
                c.insert("sla_resolve_high", Value::Int(48));
            }
            let made = store.create_contract(admin, *account, c).await?;
            store.transition_contract(admin, made.id, "active").await?;
        }
        for k in 0..(1 + rng.below(3)) {
            let ago = 100 - (k as i64) * 30 - rng.below(10) as i64;
            let mut rec = Record::new();
            rec.insert("order_date", text(day(ago)));
            rec.insert("contract_no", text(format!("HT-{}-{:03}", today.year(), i * 3 + k)));
            rec.insert("payment_method", text(*rng.pick(&["bank_transfer", "acceptance_bill"])));
            let line = |p: ProductId, qty: usize| LineInput {
                product_id: Some(p),
                rec: [("quantity", text(qty.to_string()))].into_iter().collect(),
            };
            let lines =
                vec![line(*rng.pick(&ids[..4]), 50 + rng.below(400)), line(*rng.pick(&ids[..4]), 10 + rng.below(100))];
            let o = store.create_order(admin, *account, OrderInput { rec, lines }).await?;
            if o.status != "placed" {
                continue;
            }
            let steps: &[(&str, i64)] = match k {
                0 => &[("in_production", 3), ("shipped", 8), ("delivered", 10)],
                1 => &[("shipped", 5), ("delivered", 7)],
                _ => &[("in_production", 2)],
            };
            for (to, after) in steps {
                let on = day((ago - after).max(0));
                store.transition_order(admin, o.id, to, &on, None).await?;
            }
            if k == 0 && rng.chance(70) {
                let mut pay = Record::new();
                pay.insert("entry_date", text(day((ago - 40).max(0))));
                pay.insert("kind", text("payment"));
                pay.insert("amount", Value::Int(o.total_with_tax / 100 * (50 + rng.below(51) as i64)));
                pay.insert("payment_method", text("bank_transfer"));
                pay.insert("voucher_no", text(format!("PZ{}{:04}", today.year(), i * 7 + k)));
                store.post_entry(admin, *account, pay).await?;
            }
        }
    }
    // Last month's statements: generated, three sent, one confirmed, one disputed.
    let last = today.replace_day(1).map(|d| d - time::Duration::days(1)).unwrap_or(today);
    let period = kam_core::time_util::month_of(last);
    let made = store.generate_statements(admin, &period, None).await?;
    for (n, id) in made.created.iter().take(3).enumerate() {
        store.send_statement(admin, *id).await?;
        let st = store.statement(admin, *id).await?;
        match (n, st.lines.first()) {
            (0, _) => {
                store.answer_statement(admin, *id, &[]).await?;
            }
            (1, Some(line)) => {
                let answer = kam_core::statement::Answer::Disputed {
                    customer_amount: line.amount - line.amount.signum() * 50_000,
                    note: "客户称有一笔 500 元的折让未计入".into(),
                };
                store.answer_statement(admin, *id, &[(line.id, answer)]).await?;
            }
            _ => {}
        }
    }
    // One account at its limit, with an order waiting for credit approval.
    let mut owned = None;
    for a in accounts.iter().take(40) {
        if store.account(admin, *a).await?.owner_id.is_some() {
            owned = Some(*a);
            break;
        }
    }
    if let Some(first) = owned {
        let ledgers = store.ledgers(admin, first).await?;
        let balance = ledgers.first().map(|l| l.balance).unwrap_or(0);
        let mut terms = Record::new();
        terms.insert("credit_limit", Value::Int(balance.max(0) + 100_000));
        store.update_account(admin, first, crate::accounts::AccountInput { rec: terms, ..Default::default() }).await?;
        let mut rec = Record::new();
        rec.insert("order_date", text(day(1)));
        rec.insert("note", text("客户追加订单，超出信用额度"));
        let lines =
            vec![LineInput { product_id: Some(ids[1]), rec: [("quantity", text("200"))].into_iter().collect() }];
        store.create_order(admin, first, OrderInput { rec, lines }).await?;
    }
    Ok(())
}

/// Each team's sign-off chain, and work logs of the last days in every state:
/// approved with an evaluation, waiting at the cashier, waiting at the
/// department head, and returned.
async fn add_worklogs(store: &Store, admin: &Actor, ids: &[(UserId, Role)]) -> Result<()> {
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
