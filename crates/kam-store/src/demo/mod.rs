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

mod money;
mod worklogs;

use money::add_money;
use worklogs::add_worklogs;

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
            let share = (10 + rng.below(50)) as f64;
            p.insert("share_pct", Value::Float(share));
            p.insert("prices", text(format!("比我方低 {}%", rng.below(12))));
            p.insert("policy", text(*rng.pick(&["月结60天，年底返点3%", "现款现货，量大优惠", "提供免费技术服务"])));
            store.set_position(&admin, acc.id, cid, p).await?;
            if i < 40 {
                // A year of share history at the first accounts: the competitor gaining
                // on us quarter by quarter, its latest observation the position's share.
                let today = store.today();
                for (q, back) in [270i64, 180, 90, 30].into_iter().enumerate() {
                    let day = text((today - time::Duration::days(back)).to_string());
                    let theirs = share - 6.0 + 2.0 * q as f64;
                    let ours = (100.0 - share - 20.0 - 2.0 * q as f64).max(5.0);
                    for (who, pct, source) in [(Some(cid), theirs, "采购部访谈"), (None, ours, "客户用量推算")]
                    {
                        let mut h = Record::new();
                        h.insert("observed_on", day.clone());
                        h.insert("share_pct", Value::Float(pct.clamp(0.0, 100.0)));
                        h.insert("source", text(source));
                        store.record_share(&admin, acc.id, who, h).await?;
                    }
                }
            }
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
