//! Reading a customer workbook the way people keep it: a title and blank rows
//! above the header, Chinese or English header names and their variants, and
//! cells typed every which way (full-width digits, thousands separators, ¥
//! signs, 是/否, Excel date serials, the labels of a choice instead of its
//! code). This module finds the header, maps columns to fields and turns each
//! cell into the text a person would have typed into the form; the form's own
//! parser (`fields::parse`) then decides, so an import is validated exactly as
//! the form is.

use crate::Role;
use crate::fields::{FieldDef, Kind};

/// What a sheet holds, one record type per import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Accounts,
    Contacts,
    /// Ledger entries: opening balances 期初余额 and the other kinds, finance's.
    Ledger,
    /// The price list 产品目录, by product code.
    Products,
    /// Orders with their lines, one line per row; rows with the same external
    /// order number on the same account are one order.
    Orders,
    /// The activity kinds, one record per row, each on the account its row names.
    Interactions,
    Visits,
    ServiceRecords,
    Complaints,
    Needs,
    Surveys,
    /// Contracts 合同, by contract number, each on the account its row names.
    Contracts,
    /// Competitors' positions at accounts 竞争对手情况: a competitor the
    /// shared list lacks is added to it.
    Competitors,
    /// Visit plans 拜访计划 (附表三): per account and year, the planned dates.
    VisitPlans,
    /// Sales targets 销售目标: per rep or team and year, the twelve months.
    Targets,
    /// Capability scores 附表六: per account, year and month, the 25 factors.
    Capability,
}

impl ImportKind {
    pub const ALL: [ImportKind; 16] = [
        ImportKind::Accounts,
        ImportKind::Contacts,
        ImportKind::Ledger,
        ImportKind::Products,
        ImportKind::Orders,
        ImportKind::Interactions,
        ImportKind::Visits,
        ImportKind::ServiceRecords,
        ImportKind::Complaints,
        ImportKind::Needs,
        ImportKind::Surveys,
        ImportKind::Contracts,
        ImportKind::Competitors,
        ImportKind::VisitPlans,
        ImportKind::Targets,
        ImportKind::Capability,
    ];

    /// The activity kind a sheet of this kind holds, if it holds one.
    pub fn activity(self) -> Option<&'static crate::activity::ActivityKind> {
        use crate::activity::*;
        match self {
            ImportKind::Interactions => Some(&INTERACTION),
            ImportKind::Visits => Some(&VISIT),
            ImportKind::ServiceRecords => Some(&SERVICE_RECORD),
            ImportKind::Complaints => Some(&crate::complaint::COMPLAINT),
            ImportKind::Needs => Some(&NEED),
            ImportKind::Surveys => Some(&SURVEY),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Accounts => "accounts",
            ImportKind::Contacts => "contacts",
            ImportKind::Ledger => "ledger",
            ImportKind::Products => "products",
            ImportKind::Orders => "orders",
            ImportKind::Interactions => "interactions",
            ImportKind::Visits => "visits",
            ImportKind::ServiceRecords => "service_records",
            ImportKind::Complaints => "complaints",
            ImportKind::Needs => "needs",
            ImportKind::Surveys => "surveys",
            ImportKind::Contracts => "contracts",
            ImportKind::Competitors => "competitors",
            ImportKind::VisitPlans => "visit_plans",
            ImportKind::Targets => "targets",
            ImportKind::Capability => "capability",
        }
    }

    /// Who may import this kind: whoever may create its records one by one.
    pub fn may(self, actor: &crate::Actor) -> bool {
        match self {
            ImportKind::Accounts | ImportKind::Contacts => actor.can_create_account(),
            ImportKind::Ledger => crate::ledger::can_post(actor),
            ImportKind::Products => crate::order::can_edit_products(actor),
            // Each row's account is checked as the order form checks it (`order::can_place`).
            ImportKind::Orders => matches!(actor.role, Role::Sales | Role::Manager | Role::Admin),
            // Per row: `can_record_activity` on its account, as the plan's form.
            ImportKind::VisitPlans => matches!(actor.role, Role::Sales | Role::Manager | Role::Admin | Role::Service),
            // Per row: `targets::can_set` for its rep or team.
            ImportKind::Targets => matches!(actor.role, Role::Manager | Role::Admin),
            // Per row: `capability::can_score` on its account.
            ImportKind::Capability => matches!(actor.role, Role::Sales | Role::Manager | Role::Admin),
            // Per row: editing its account's card.
            ImportKind::Competitors => matches!(actor.role, Role::Sales | Role::Manager | Role::Admin),
            // Per row: `contract::can_write` on its account.
            ImportKind::Contracts => matches!(actor.role, Role::Sales | Role::Manager | Role::Admin | Role::Finance),
            // Each row's account is checked as the form checks it (`can_record_activity`).
            _ => matches!(actor.role, Role::Sales | Role::Manager | Role::Admin | Role::Service),
        }
    }

    /// The kinds `actor` may import (none: no import page for them).
    pub fn for_actor(actor: &crate::Actor) -> Vec<ImportKind> {
        ImportKind::ALL.into_iter().filter(|k| k.may(actor)).collect()
    }

    pub fn parse(s: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The fields a sheet of this kind fills, each with the header names users
    /// give it, and for contacts the column naming the account.
    pub fn field_sets(self) -> &'static [(&'static [FieldDef], Aliases)] {
        static ACCOUNTS: [(&[FieldDef], Aliases); 1] = [(crate::account::FIELDS, ACCOUNT_ALIASES)];
        static CONTACTS: [(&[FieldDef], Aliases); 2] =
            [(crate::contact::FIELDS, CONTACT_ALIASES), (crate::contact::LINK_FIELDS, CONTACT_LINK_ALIASES)];
        static LEDGER: [(&[FieldDef], Aliases); 1] = [(crate::ledger::FIELDS, LEDGER_ALIASES)];
        static PRODUCTS: [(&[FieldDef], Aliases); 1] = [(crate::order::PRODUCT_FIELDS, PRODUCT_ALIASES)];
        static ORDERS: [(&[FieldDef], Aliases); 3] = [
            (crate::order::ORDER_FIELDS, ORDER_ALIASES),
            (crate::order::LINE_FIELDS, LINE_ALIASES),
            (crate::order::IMPORT_FIELDS, ORDER_IMPORT_ALIASES),
        ];
        static INTERACTIONS: [(&[FieldDef], Aliases); 1] = [(crate::activity::INTERACTION.fields, INTERACTION_ALIASES)];
        static VISITS: [(&[FieldDef], Aliases); 1] = [(crate::activity::VISIT.fields, VISIT_ALIASES)];
        static SERVICE: [(&[FieldDef], Aliases); 1] = [(crate::activity::SERVICE_RECORD.fields, SERVICE_ALIASES)];
        static COMPLAINTS: [(&[FieldDef], Aliases); 1] = [(crate::complaint::COMPLAINT.fields, COMPLAINT_ALIASES)];
        static NEEDS: [(&[FieldDef], Aliases); 1] = [(crate::activity::NEED.fields, NEED_ALIASES)];
        static SURVEYS: [(&[FieldDef], Aliases); 1] = [(crate::activity::SURVEY.fields, SURVEY_ALIASES)];
        static CONTRACTS: [(&[FieldDef], Aliases); 2] =
            [(crate::contract::FIELDS, CONTRACT_ALIASES), (crate::contract::IMPORT_FIELDS, CONTRACT_IMPORT_ALIASES)];
        static COMPETITORS: [(&[FieldDef], Aliases); 2] =
            [(crate::contact::POSITION_FIELDS, POSITION_ALIASES), (COMPETITOR_REF_FIELDS, COMPETITOR_REF_ALIASES)];
        static PLANS: [(&[FieldDef], Aliases); 1] = [(crate::visit_plan::IMPORT_FIELDS, VISIT_PLAN_ALIASES)];
        static TARGETS: [(&[FieldDef], Aliases); 1] = [(crate::targets::IMPORT_FIELDS, TARGET_ALIASES)];
        static CAPABILITY: [(&[FieldDef], Aliases); 1] = [(crate::capability::IMPORT_FIELDS, CAPABILITY_ALIASES)];
        match self {
            ImportKind::Targets => &TARGETS,
            ImportKind::Capability => &CAPABILITY,
            ImportKind::VisitPlans => &PLANS,
            ImportKind::Competitors => &COMPETITORS,
            ImportKind::Accounts => &ACCOUNTS,
            ImportKind::Contacts => &CONTACTS,
            ImportKind::Ledger => &LEDGER,
            ImportKind::Products => &PRODUCTS,
            ImportKind::Orders => &ORDERS,
            ImportKind::Interactions => &INTERACTIONS,
            ImportKind::Visits => &VISITS,
            ImportKind::ServiceRecords => &SERVICE,
            ImportKind::Complaints => &COMPLAINTS,
            ImportKind::Needs => &NEEDS,
            ImportKind::Surveys => &SURVEYS,
            ImportKind::Contracts => &CONTRACTS,
        }
    }

    /// The entity its fields are labelled under (`field.{entity}.{name}`).
    pub fn entity(self) -> &'static str {
        match self {
            ImportKind::Accounts => "account",
            ImportKind::Contacts => "contact",
            ImportKind::Ledger => "ledger_entry",
            ImportKind::Products => "product",
            ImportKind::Orders => "order",
            ImportKind::Contracts => "contract",
            // Positions are labelled `field.position.*`.
            ImportKind::Competitors => "position",
            ImportKind::VisitPlans => "visit_plan",
            ImportKind::Targets => "target",
            ImportKind::Capability => "capability",
            k => k.activity().map(|a| a.entity).unwrap_or("activity"),
        }
    }

    /// The message key of a field's label: `field.{entity}.{name}`, an order
    /// line's fields under `order_line`.
    pub fn label_key(self, field: &str) -> String {
        let line = self == ImportKind::Orders && crate::order::LINE_FIELDS.iter().any(|d| d.name == field);
        format!("field.{}.{field}", if line { "order_line" } else { self.entity() })
    }

    /// Whether a row naming a stored record may be written over it (accounts,
    /// products); elsewhere a duplicate is skipped or made anew.
    pub fn updates(self) -> bool {
        matches!(
            self,
            ImportKind::Accounts
                | ImportKind::Products
                | ImportKind::Competitors
                | ImportKind::VisitPlans
                | ImportKind::Targets
                | ImportKind::Capability
        )
    }

    /// Whether this kind has a column naming the account (by credit code or name).
    pub fn has_account_ref(self) -> bool {
        !matches!(self, ImportKind::Accounts | ImportKind::Products | ImportKind::Targets)
    }

    /// The field definition of a mapped column's field.
    pub fn def(self, field: &str) -> Option<&'static FieldDef> {
        self.field_sets().iter().flat_map(|(defs, _)| defs.iter()).find(|d| d.name == field)
    }
}

/// The most rows and columns an import reads (a larger sheet is refused).
pub const MAX_ROWS: usize = 200_000;
pub const MAX_COLUMNS: usize = 200;
/// How far down a header row is looked for.
const HEADER_SEARCH: usize = 30;

/// Half-width, trimmed, inner runs of white space made one space:
/// "ＡＢＣ　１２３" → "ABC 123".
pub fn fold(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' | '\u{a0}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key two header names or labels are compared by: folded, lower case,
/// without spaces, punctuation or a trailing colon ("公司名称：" = "公司 名称").
pub fn key(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Header names users give a field besides its label, by field name. Shared by
/// the kinds (an account's `phone` and a contact's `mobile` are different
/// fields, so each kind lists its own).
pub type Aliases = &'static [(&'static str, &'static [&'static str])];

pub static ACCOUNT_ALIASES: Aliases = &[
    ("name", &["公司名称", "企业名称", "客户名称", "单位名称", "客户", "公司", "company", "company name", "account"]),
    ("short_name", &["简称", "客户简称", "公司简称"]),
    ("credit_code", &["统一社会信用代码", "信用代码", "社会信用代码", "税号", "纳税人识别号", "uscc"]),
    ("industry", &["所属行业", "行业", "行业类别"]),
    ("customer_type", &["客户类型", "客户类别", "类型"]),
    ("grade", &["客户等级", "等级", "级别", "客户级别", "分类"]),
    ("nature", &["企业性质", "公司性质", "性质", "所有制"]),
    ("staff_count", &["员工人数", "人数", "员工数"]),
    ("province", &["省份", "省", "所在省"]),
    ("city", &["城市", "市", "所在城市"]),
    ("district", &["区县", "区", "县"]),
    ("street", &["地址", "详细地址", "公司地址", "街道地址", "address"]),
    ("postcode", &["邮编", "邮政编码"]),
    ("phone", &["联系电话", "电话", "公司电话", "座机", "总机", "tel", "telephone"]),
    ("fax", &["传真"]),
    ("email", &["邮箱", "电子邮箱", "电子邮件", "e-mail", "mail"]),
    ("website", &["网址", "网站", "主页", "web"]),
    ("business_scope", &["经营范围", "主营业务", "主营"]),
    ("notes", &["备注", "说明", "remark", "remarks"]),
    ("credit_limit", &["信用额度", "授信额度"]),
    ("payment_terms_days", &["账期", "账期天数", "付款期限"]),
    ("source", &["客户来源", "来源"]),
    ("cooperation_since", &["合作时间", "开始合作", "合作开始日期"]),
];

pub static CONTACT_ALIASES: Aliases = &[
    ("name", &["姓名", "联系人", "联系人姓名", "name", "contact"]),
    ("mobile", &["手机", "手机号", "手机号码", "移动电话", "联系电话", "mobile", "cell"]),
    ("phone", &["电话", "办公电话", "座机", "固定电话", "office phone", "tel"]),
    ("email", &["邮箱", "电子邮箱", "电子邮件", "e-mail"]),
    ("wechat", &["微信", "微信号"]),
    ("gender", &["性别"]),
    ("department", &["部门", "所在部门"]),
    ("birth_date", &["生日", "出生日期"]),
    ("hometown", &["籍贯", "家乡"]),
    ("hobbies", &["爱好", "兴趣爱好"]),
    ("notes", &["备注", "说明"]),
];

/// A contact's ties to the account (its title there, buying role, attitude).
pub static CONTACT_LINK_ALIASES: Aliases = &[
    ("title", &["职务", "职位", "岗位", "title", "position"]),
    ("buying_role", &["采购角色", "角色", "决策角色"]),
    ("attitude", &["态度", "对我方态度"]),
    ("is_primary", &["主要联系人", "首要联系人", "是否主要联系人"]),
];

/// Words sheets use for a choice besides its labels: (enum, code, words).
pub static CHOICE_ALIASES: &[(&str, &str, &[&str])] = &[
    ("entry_kind", "opening_balance", &["期初", "期初数", "上期结余", "opening"]),
    ("entry_kind", "invoice", &["发票", "开票", "销售", "货款", "应收"]),
    ("entry_kind", "payment", &["收款", "回款", "到款", "付款"]),
    ("entry_kind", "discount", &["折扣", "返利"]),
    ("entry_kind", "return", &["退货", "红字发票", "红冲"]),
    ("entry_kind", "adjustment_up", &["调增"]),
    ("entry_kind", "adjustment_down", &["调减"]),
    ("order_status", "placed", &["下单", "已确认", "待发货", "待生产"]),
    ("order_status", "shipped", &["已出库", "出库", "发货"]),
    ("order_status", "delivered", &["已完成", "完成", "已签收", "已收货", "交付"]),
    ("order_status", "cancelled", &["取消", "作废", "已作废"]),
    ("order_status", "returned", &["退货"]),
    ("payment_method", "bank_transfer", &["转账", "银行转账", "电汇"]),
    ("payment_method", "acceptance_bill", &["承兑", "承兑汇票", "汇票"]),
    ("payment_method", "cash", &["现金"]),
    ("payment_method", "cheque", &["支票"]),
];

/// A ledger sheet: 日期, 类型 (期初余额, 发票 …), 金额 and the references.
pub static LEDGER_ALIASES: Aliases = &[
    ("entry_date", &["日期", "记账日期", "业务日期", "发生日期", "date"]),
    ("kind", &["类型", "业务类型", "款项类型", "摘要类型", "type"]),
    ("amount", &["金额", "发生额", "余额", "期初余额", "amount"]),
    ("currency", &["币种", "币别", "currency"]),
    ("due_date", &["到期日", "应收日期", "到期日期", "due"]),
    ("payment_method", &["付款方式", "收款方式", "结算方式"]),
    ("voucher_no", &["凭证号", "凭证编号"]),
    ("invoice_no", &["发票号", "发票号码"]),
    ("contract_no", &["合同号", "合同编号"]),
    ("reference", &["单号", "参考号", "业务单号"]),
    ("note", &["备注", "摘要", "说明"]),
];

pub static PRODUCT_ALIASES: Aliases = &[
    ("code", &["产品编码", "产品代码", "物料编码", "物料号", "编码", "货号", "sku", "code"]),
    ("name", &["产品名称", "品名", "名称", "物料名称", "产品", "product"]),
    ("unit", &["单位", "计量单位", "unit"]),
    ("list_price", &["单价", "含税单价", "价格", "售价", "标准价", "price"]),
    ("tax_rate", &["税率", "增值税率", "vat"]),
    ("active", &["在售", "是否在售", "启用", "状态"]),
    ("note", &["备注", "说明"]),
];

/// Activity sheets: the words their columns go by.
pub static INTERACTION_ALIASES: Aliases = &[
    ("occurred_at", &["日期", "时间", "联系时间", "联系日期", "date"]),
    ("channel", &["方式", "联系方式", "渠道"]),
    ("subject", &["主题", "事由", "内容摘要", "subject"]),
    ("our_staff", &["我方人员", "业务员", "经办人"]),
    ("their_people", &["对方人员", "客户方人员", "联系人"]),
    ("content", &["内容", "详细内容", "沟通内容"]),
    ("result", &["结果", "成果"]),
    ("next_step", &["下一步", "后续安排"]),
    ("follow_up_date", &["跟进日期", "下次联系日期"]),
];

pub static VISIT_ALIASES: Aliases = &[
    ("visited_at", &["日期", "拜访日期", "拜访时间", "时间", "date"]),
    ("sequence", &["次数", "第几次"]),
    ("goal", &["目的", "拜访目的", "目标"]),
    ("interviewees", &["受访人", "拜访对象", "对象"]),
    ("topics", &["内容", "洽谈内容", "话题"]),
    ("result", &["结果", "成果"]),
    ("objections", &["异议", "客户异议"]),
    ("next_planned", &["下次拜访", "下次拜访日期"]),
];

pub static SERVICE_ALIASES: Aliases = &[
    ("service_type", &["类型", "服务类型", "服务项目"]),
    ("occurred_at", &["日期", "时间", "服务日期", "服务时间", "date"]),
    ("place", &["地点", "服务地点"]),
    ("staff", &["服务人员", "人员", "经办人"]),
    ("content", &["内容", "服务内容"]),
    ("result", &["结果", "服务结果"]),
    ("duration_minutes", &["时长", "用时", "分钟"]),
];

pub static COMPLAINT_ALIASES: Aliases = &[
    ("received_at", &["日期", "时间", "投诉日期", "投诉时间", "受理时间", "date"]),
    ("complainant", &["投诉人", "投诉方"]),
    ("received_by", &["受理人", "接待人"]),
    ("subject", &["主题", "投诉主题", "事由"]),
    ("content", &["内容", "投诉内容"]),
    ("priority", &["优先级", "紧急程度", "级别"]),
    ("handler", &["处理人", "负责人"]),
    ("analysis", &["原因分析", "分析"]),
    ("remedy", &["处理措施", "措施"]),
    ("result", &["处理结果", "结果"]),
];

pub static NEED_ALIASES: Aliases = &[
    ("analysed_on", &["日期", "分析日期", "date"]),
    ("needs", &["需求", "客户需求"]),
    ("purchase_motives", &["购买动机", "动机"]),
    ("preferences", &["偏好"]),
    ("decision_process", &["决策过程", "决策流程"]),
    ("budget", &["预算"]),
    ("timing", &["时间要求", "采购时间"]),
];

pub static SURVEY_ALIASES: Aliases = &[
    ("surveyed_on", &["日期", "调查日期", "date"]),
    ("respondent", &["受访人", "填表人"]),
    ("overall", &["总体满意度", "总体", "满意度"]),
    ("product", &["产品"]),
    ("delivery", &["交付", "交货"]),
    ("service", &["服务"]),
    ("price", &["价格"]),
    ("nps", &["推荐意愿", "nps"]),
    ("comments", &["意见", "评价"]),
    ("suggestions", &["建议"]),
];

pub static VISIT_PLAN_ALIASES: Aliases = &[
    ("year", &["年度", "年份", "计划年度", "year"]),
    ("planned_1", &["第1次", "第一次", "1月"]),
    ("planned_2", &["第2次", "第二次", "2月"]),
    ("planned_3", &["第3次", "第三次", "3月"]),
    ("planned_4", &["第4次", "第四次", "4月"]),
    ("planned_5", &["第5次", "第五次", "5月"]),
    ("planned_6", &["第6次", "第六次", "6月"]),
    ("planned_7", &["第7次", "第七次", "7月"]),
    ("planned_8", &["第8次", "第八次", "8月"]),
    ("planned_9", &["第9次", "第九次", "9月"]),
    ("planned_10", &["第10次", "第十次", "10月"]),
    ("planned_11", &["第11次", "第十一次", "11月"]),
    ("planned_12", &["第12次", "第十二次", "12月"]),
];

/// A target sheet: who (业务员 or 团队), the year, and a column per month.
pub static TARGET_ALIASES: Aliases = &[
    ("level", &["层级", "级别", "目标层级", "目标类型", "level"]),
    ("subject", &["业务员", "销售员", "销售代表", "姓名", "团队", "部门", "小组", "目标对象", "rep", "team", "name"]),
    ("year", &["年度", "年份", "目标年度", "year"]),
    ("m01", &["1月", "一月", "1月目标", "1月份", "jan"]),
    ("m02", &["2月", "二月", "2月目标", "2月份", "feb"]),
    ("m03", &["3月", "三月", "3月目标", "3月份", "mar"]),
    ("m04", &["4月", "四月", "4月目标", "4月份", "apr"]),
    ("m05", &["5月", "五月", "5月目标", "5月份", "may"]),
    ("m06", &["6月", "六月", "6月目标", "6月份", "jun"]),
    ("m07", &["7月", "七月", "7月目标", "7月份", "jul"]),
    ("m08", &["8月", "八月", "8月目标", "8月份", "aug"]),
    ("m09", &["9月", "九月", "9月目标", "9月份", "sep"]),
    ("m10", &["10月", "十月", "10月目标", "10月份", "oct"]),
    ("m11", &["11月", "十一月", "11月目标", "11月份", "nov"]),
    ("m12", &["12月", "十二月", "12月目标", "12月份", "dec"]),
];

/// A score sheet: the year, the month and the factors by their labels.
pub static CAPABILITY_ALIASES: Aliases =
    &[("year", &["年度", "年份", "year"]), ("month", &["月份", "月", "评估月份", "month"])];

/// The competitor a position sheet's row names, by its exact name.
pub static COMPETITOR_REF_FIELDS: &[FieldDef] = &[FieldDef::new("competitor", Kind::Text(200), "position").required()];

pub static COMPETITOR_REF_ALIASES: Aliases =
    &[("competitor", &["竞争对手", "竞争对手名称", "对手", "竞品厂家", "competitor"])];

pub static POSITION_ALIASES: Aliases = &[
    ("products", &["其产品", "竞品", "产品"]),
    ("prices", &["价格", "竞品价格"]),
    ("share_pct", &["所占比例", "份额", "占比", "市场份额"]),
    ("policy", &["政策", "销售政策"]),
    ("tech_requirements", &["技术要求"]),
    ("notes", &["备注", "说明"]),
];

pub static CONTRACT_ALIASES: Aliases = &[
    ("contract_no", &["合同号", "合同编号", "编号", "contract no"]),
    ("contract_type", &["合同类型", "类型", "类别"]),
    ("title", &["合同名称", "名称", "标题"]),
    ("signed_on", &["签订日期", "签约日期", "签订时间"]),
    ("valid_from", &["生效日期", "开始日期", "起始日期"]),
    ("valid_to", &["到期日期", "截止日期", "结束日期", "终止日期"]),
    ("amount", &["合同金额", "金额", "总金额"]),
    ("currency", &["币种", "币别"]),
    ("payment_terms", &["付款条款", "付款方式", "结算方式"]),
    ("delivery_terms", &["交货条款", "交付条款"]),
];

pub static CONTRACT_IMPORT_ALIASES: Aliases = &[("status", &["状态", "合同状态"])];

/// An order sheet (销售记录): the order's columns, repeated on each of its lines.
pub static ORDER_ALIASES: Aliases = &[
    ("order_date", &["日期", "下单日期", "订单日期", "销售日期", "开单日期", "date"]),
    ("external_no", &["订单号", "单号", "订单编号", "销售单号", "外部单号", "原单号", "order no", "order number"]),
    ("contract_no", &["合同号", "合同编号"]),
    ("payment_method", &["付款方式", "结算方式"]),
    ("currency", &["币种", "币别"]),
    ("delivery_date", &["交货日期", "提货日期", "发货日期", "送货日期"]),
    ("note", &["备注", "说明"]),
];

pub static LINE_ALIASES: Aliases = &[
    ("quantity", &["数量", "销量", "件数", "qty", "quantity"]),
    ("unit_price", &["单价", "含税单价", "售价", "price", "unit price"]),
    ("discount_pct", &["折扣", "折扣率", "discount"]),
    ("tax_rate", &["税率", "增值税率", "vat"]),
];

pub static ORDER_IMPORT_ALIASES: Aliases = &[
    (
        "product",
        &["产品", "产品编码", "产品代码", "产品名称", "品名", "物料编码", "物料名称", "货号", "product", "sku"],
    ),
    ("status", &["状态", "订单状态", "status"]),
];

/// The column of a contact sheet that names the contact's account (by credit
/// code or exact name), and the headers that say so.
pub const ACCOUNT_REF: &str = "account";
pub static ACCOUNT_REF_ALIASES: &[&str] = &[
    "公司名称",
    "企业名称",
    "客户名称",
    "单位名称",
    "所属客户",
    "所属公司",
    "客户",
    "公司",
    "统一社会信用代码",
    "信用代码",
    "account",
    "company",
];

/// A column of the sheet as mapped: the field it fills, if any.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub header: String,
    pub field: Option<String>,
}

/// The header row: the first of the top rows in which at least two cells (or
/// the only cell of a one-column sheet) name a field. Titles, dates and blank
/// rows above it are skipped.
pub fn header_row(rows: &[Vec<String>], names_field: &dyn Fn(&str) -> bool) -> Option<usize> {
    rows.iter().take(HEADER_SEARCH).position(|row| {
        let filled = row.iter().filter(|c| !c.trim().is_empty()).count();
        let named = row.iter().filter(|c| names_field(c)).count();
        named >= 2 || (named == 1 && filled == 1 && row.len() == 1)
    })
}

/// Maps each header to a field: its name, its label in any language, or one of
/// the aliases, compared by `key`. A field is given to the first column that
/// names it; a later column naming it again stays unmapped.
pub fn auto_map(
    defs: &[FieldDef],
    aliases: Aliases,
    labels: &dyn Fn(&FieldDef) -> Vec<String>,
    headers: &[String],
) -> Vec<Column> {
    map_columns(headers, &|h| field_for(defs, aliases, labels, h))
}

/// Each header (folded) with the field `field_of` names for it, the first
/// column that names a field taking it.
pub fn map_columns(headers: &[String], field_of: &dyn Fn(&str) -> Option<&'static str>) -> Vec<Column> {
    let mut taken: Vec<&str> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let field = field_of(h).filter(|f| !taken.contains(f));
            if let Some(f) = field {
                taken.push(f);
            }
            Column { header: fold(h), field: field.map(str::to_string) }
        })
        .collect()
}

/// The field a header names, if any.
pub fn field_for(
    defs: &[FieldDef],
    aliases: Aliases,
    labels: &dyn Fn(&FieldDef) -> Vec<String>,
    header: &str,
) -> Option<&'static str> {
    let k = key(header);
    if k.is_empty() {
        return None;
    }
    let by_name = defs.iter().find(|d| key(d.name) == k || labels(d).iter().any(|l| key(l) == k));
    by_name.map(|d| d.name).or_else(|| {
        aliases
            .iter()
            .find(|(_, names)| names.iter().any(|n| key(n) == k))
            .and_then(|(f, _)| defs.iter().find(|d| d.name == *f).map(|d| d.name))
    })
}

/// The text a person would have typed into the form for this cell:
/// choices by code or by any of their labels, yes/no in Chinese and English,
/// Excel date serials and dotted or Chinese dates as ISO dates, money and
/// counts without ¥ and thousands separators. What it cannot read it leaves
/// as it is, for the form's parser to refuse with its message.
pub fn form_text(def: &FieldDef, cell: &str, choice_labels: &dyn Fn(&str, &str) -> Vec<String>) -> String {
    let t = fold(cell);
    if t.is_empty() {
        return t;
    }
    match def.kind {
        Kind::Enum(e) => {
            let k = key(&t);
            let named = |v: &&&str| {
                let also = CHOICE_ALIASES.iter().filter(|(en, code, _)| *en == e.name && code == *v);
                key(v) == k
                    || choice_labels(e.name, v).iter().any(|l| key(l) == k)
                    || also.flat_map(|(_, _, names)| names.iter()).any(|n| key(n) == k)
            };
            e.values.iter().find(named).map(|v| v.to_string()).unwrap_or(t)
        }
        Kind::Bool => match key(&t).as_str() {
            "是" | "有" | "y" | "yes" | "true" | "1" | "√" | "✓" | "对" => "on".into(),
            _ => String::new(),
        },
        Kind::Date => date_text(&t).unwrap_or(t),
        Kind::DateTime => datetime_text(&t).unwrap_or(t),
        Kind::Money | Kind::MoneyDelta => {
            t.trim_end_matches('元').chars().filter(|c| !matches!(c, ',' | '¥' | '￥' | ' ')).collect()
        }
        Kind::Int(..) => {
            let s: String = t.trim_end_matches(['人', '天']).chars().filter(|c| !matches!(c, ',' | ' ')).collect();
            // "120.0", as spreadsheets store whole numbers.
            s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
        }
        Kind::CreditCode => t.replace(' ', "").to_uppercase(),
        Kind::Phone | Kind::Postcode => t.strip_suffix(".0").unwrap_or(&t).to_string(),
        _ => t,
    }
}

/// 45988 (an Excel serial), 2026/11/28, 2026.11.28, 2026年11月28日,
/// 2026-11-28 00:00:00 → 2026-11-28.
pub fn date_text(t: &str) -> Option<String> {
    if let Ok(serial) = t.parse::<f64>() {
        // Serials from 1900-03-01 to 9999: day 60 is Excel's phantom 1900-02-29.
        if (61.0..2_958_466.0).contains(&serial) {
            let base = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
            return Some((base + time::Duration::days(serial.floor() as i64)).to_string());
        }
        return None;
    }
    let head = t.split([' ', 'T']).next().unwrap_or(t);
    let parts: Vec<&str> = head.split(['-', '/', '.', '年', '月', '日']).filter(|p| !p.is_empty()).collect();
    let [y, m, d] = parts.as_slice() else { return None };
    let (y, m, d): (i32, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    Some(date.to_string())
}

/// 46336.375 (an Excel serial with its time), 2026/11/10 9:05, 2026年11月10日
/// 09:05:00, 2026-11-10 (midnight) → 2026-11-10T09:05.
pub fn datetime_text(t: &str) -> Option<String> {
    if let Ok(serial) = t.parse::<f64>() {
        let day = date_text(&serial.floor().to_string())?;
        let minutes = ((serial - serial.floor()) * 1440.0).round() as i64;
        let (h, m) = (minutes / 60, minutes % 60);
        return (h < 24).then(|| format!("{day}T{h:02}:{m:02}"));
    }
    let t = t.replacen('T', " ", 1);
    let (day, clock) = t.split_once(' ').map(|(d, c)| (d, c.trim())).unwrap_or((t.as_str(), ""));
    let day = date_text(day)?;
    if clock.is_empty() {
        return Some(format!("{day}T00:00"));
    }
    let mut parts = clock.split([':', '：', '时', '点', '分']).filter(|p| !p.is_empty());
    let h: u8 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next().map(|p| p.parse().ok()).unwrap_or(Some(0))?;
    (h < 24 && m < 60).then(|| format!("{day}T{h:02}:{m:02}"))
}

/// Rows below the header that hold anything, with their sheet row numbers
/// (1-based, as a spreadsheet shows them).
pub fn data_rows(rows: &[Vec<String>], header: usize) -> Vec<(usize, &Vec<String>)> {
    rows.iter()
        .enumerate()
        .skip(header + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| (i + 1, r))
        .collect()
}

/// Neutralises a cell bound for a spreadsheet: text beginning with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is prefixed with an apostrophe so the
/// program shows it instead of running it as a formula (OWASP CSV injection).
pub fn safe_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{s}")),
        _ => std::borrow::Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::FIELDS;

    fn no_labels(_: &FieldDef) -> Vec<String> {
        Vec::new()
    }
    fn zh_choice(e: &str, v: &str) -> Vec<String> {
        match (e, v) {
            ("grade", "A") => vec!["A 类".into()],
            ("customer_type", "distributor") => vec!["经销商".into()],
            ("nature", "state_owned") => vec!["国有企业".into()],
            _ => Vec::new(),
        }
    }
    fn def(name: &str) -> &'static FieldDef {
        FIELDS.iter().find(|d| d.name == name).unwrap()
    }

    #[test]
    fn folds_full_width_and_spaces() {
        assert_eq!(fold("  ＡＢＣ　１２３  "), "ABC 123");
        assert_eq!(key("公司 名称："), "公司名称");
        assert_eq!(key("E-Mail"), "email");
    }

    #[test]
    fn finds_the_header_below_a_title_and_maps_variants() {
        let rows: Vec<Vec<String>> = [
            vec!["2026 年客户管理工作表", "", ""],
            vec!["", "", ""],
            vec!["企业名称", "信用代码", "联系电话 "],
            vec!["华东机械", "91310000MA1FL0XQ2B", "021-5555"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        let names = |h: &str| field_for(FIELDS, ACCOUNT_ALIASES, &no_labels, h).is_some();
        let h = header_row(&rows, &names).unwrap();
        assert_eq!(h, 2);
        let cols = auto_map(FIELDS, ACCOUNT_ALIASES, &no_labels, &rows[h]);
        let mapped: Vec<Option<&str>> = cols.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(mapped, vec![Some("name"), Some("credit_code"), Some("phone")]);
        assert_eq!(data_rows(&rows, h).iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![4]);
    }

    #[test]
    fn a_field_goes_to_its_first_column_only() {
        let headers = vec!["公司名称".to_string(), "客户名称".to_string()];
        let cols = auto_map(FIELDS, ACCOUNT_ALIASES, &no_labels, &headers);
        assert_eq!(cols[0].field.as_deref(), Some("name"));
        assert_eq!(cols[1].field, None);
    }

    #[test]
    fn cells_become_what_the_form_would_get() {
        assert_eq!(form_text(def("grade"), "A类", &zh_choice), "A");
        assert_eq!(form_text(def("customer_type"), " 经销商 ", &zh_choice), "distributor");
        assert_eq!(form_text(def("nature"), "国有企业", &zh_choice), "state_owned");
        assert_eq!(
            form_text(def("grade"), "特级", &zh_choice),
            "特级",
            "unknown labels stay, for the parser to refuse"
        );
        assert_eq!(form_text(def("credit_limit"), "¥1,234,500.50", &zh_choice), "1234500.50");
        assert_eq!(form_text(def("staff_count"), "１，２００", &zh_choice), "1200");
        assert_eq!(form_text(def("staff_count"), "120.0", &zh_choice), "120");
        assert_eq!(form_text(def("cooperation_since"), "45988", &zh_choice), "2025-11-27");
        assert_eq!(form_text(def("cooperation_since"), "2024年2月29日", &zh_choice), "2024-02-29");
        assert_eq!(form_text(def("cooperation_since"), "2026/11/28 00:00:00", &zh_choice), "2026-11-28");
        assert_eq!(form_text(def("cooperation_since"), "2023.02.29", &zh_choice), "2023.02.29", "no such day");
        assert_eq!(form_text(def("credit_code"), "91310000ma1fl0xq2b ", &zh_choice), "91310000MA1FL0XQ2B");
    }

    #[test]
    fn ledger_words_name_their_kinds() {
        let kind = crate::ledger::FIELDS.iter().find(|d| d.name == "kind").unwrap();
        let none = |_: &str, _: &str| Vec::new();
        assert_eq!(form_text(kind, "期初", &none), "opening_balance");
        assert_eq!(form_text(kind, " 回款 ", &none), "payment");
        assert_eq!(form_text(kind, "开票", &none), "invoice");
        assert_eq!(form_text(kind, "invoice", &none), "invoice");
        assert_eq!(form_text(kind, "不知道", &none), "不知道");
    }

    #[test]
    fn date_times_in_the_ways_sheets_hold_them() {
        assert_eq!(datetime_text("46336.375").as_deref(), Some("2026-11-10T09:00"));
        assert_eq!(datetime_text("2026/11/10 9:05").as_deref(), Some("2026-11-10T09:05"));
        assert_eq!(datetime_text("2026年11月10日 09:05:00").as_deref(), Some("2026-11-10T09:05"));
        assert_eq!(datetime_text("2026-11-10").as_deref(), Some("2026-11-10T00:00"));
        assert_eq!(datetime_text("2028-02-29T23:59").as_deref(), Some("2028-02-29T23:59"));
        assert_eq!(datetime_text("2026-11-10 25:00"), None);
        assert_eq!(datetime_text("2027-02-29 10:00"), None);
    }

    #[test]
    fn leap_days_and_the_phantom_1900_leap_day() {
        assert_eq!(date_text("60"), None, "Excel's 1900-02-29 does not exist");
        assert_eq!(date_text("61").as_deref(), Some("1900-03-01"));
        assert_eq!(date_text("46812").as_deref(), Some("2028-02-29"));
        assert_eq!(date_text("2999-12-31").as_deref(), Some("2999-12-31"));
    }

    proptest::proptest! {
        /// Whatever text goes out, a spreadsheet never reads it as a formula,
        /// and nothing but the apostrophe is added.
        #[test]
        fn no_exported_text_starts_a_formula(s in ".{0,40}") {
            let out = safe_cell(&s);
            let first = out.chars().next();
            proptest::prop_assert!(!matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')));
            let quoted = format!("'{}", s);
            proptest::prop_assert!(out == s || out == quoted);
        }
    }

    #[test]
    fn formulas_never_leave_as_formulas() {
        for s in ["=1+1", "+86 138", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert!(safe_cell(s).starts_with('\''), "{s}");
        }
        assert_eq!(safe_cell("华东机械"), "华东机械");
        assert_eq!(safe_cell(""), "");
    }
}
