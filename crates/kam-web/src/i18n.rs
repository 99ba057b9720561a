//! The two message tables (zh-CN default, English), embedded in the binary.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
    /// The first language of an Accept-Language header that we speak.
    pub fn from_accept(h: &str) -> Option<Lang> {
        h.split(',').filter_map(|part| Lang::parse(part.split(';').next().unwrap_or(""))).next()
    }
}

pub const ZH_CN: &str = include_str!("../locales/zh-CN.json");
pub const EN: &str = include_str!("../locales/en.json");

struct Tables {
    zh: HashMap<String, String>,
    en: HashMap<String, String>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| Tables {
        zh: serde_json::from_str(ZH_CN).expect("zh-CN.json is valid"),
        en: serde_json::from_str(EN).expect("en.json is valid"),
    })
}

/// The message for `key`, or the key itself when missing (tests keep that from happening).
pub fn t(lang: Lang, key: &str) -> &str {
    let table = match lang {
        Lang::Zh => &tables().zh,
        Lang::En => &tables().en,
    };
    table.get(key).map(String::as_str).unwrap_or(key)
}

pub fn has(key: &str) -> bool {
    tables().zh.contains_key(key)
}

/// The keys of both tables, for the test that they match.
pub fn keys(lang: Lang) -> Vec<String> {
    let mut k: Vec<String> = match lang {
        Lang::Zh => tables().zh.keys().cloned().collect(),
        Lang::En => tables().en.keys().cloned().collect(),
    };
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use kam_core::fields::{FieldDef, Kind};

    #[test]
    fn both_tables_have_the_same_keys() {
        assert_eq!(keys(Lang::Zh), keys(Lang::En));
    }

    fn check_defs(entity: &str, defs: &[FieldDef]) {
        for d in defs {
            let k = format!("field.{entity}.{}", d.name);
            assert!(has(&k), "missing {k}");
            if let Kind::Enum(e) = d.kind {
                for v in e.values {
                    let k = format!("enum.{}.{v}", e.name);
                    assert!(has(&k), "missing {k}");
                }
            }
            let g = format!("group.{}", d.group);
            assert!(has(&g) || d.group == "position" || d.group == "partner", "missing {g}");
        }
    }

    #[test]
    fn every_field_and_choice_has_a_label() {
        // Every field of every entity that leaves the server (the one registry).
        for e in kam_core::visibility::ENTITIES {
            for defs in e.fields {
                check_defs(e.labels, defs);
            }
        }
        for s in kam_core::contract::STATUS.values.iter().chain(kam_core::statement::STATUS.values) {
            assert!(has(&format!("enum.contract_status.{s}")) || has(&format!("enum.statement_status.{s}")), "{s}");
        }
        for s in kam_core::order::STATUS.values {
            assert!(has(&format!("enum.order_status.{s}")), "{s}");
        }
        for s in kam_core::worklog::Step::ALL {
            assert!(has(&format!("worklog.step.{}", s.as_str())));
            assert!(has(&format!("field.signoff_chain.{}", s.as_str())));
        }
        for s in kam_core::worklog::Status::ALL {
            assert!(has(&format!("worklog.status.{}", s.as_str())));
        }
        for k in kam_core::activity::KINDS {
            for key in ["title", "new", "edit"] {
                assert!(has(&format!("activity.{}.{key}", k.entity)), "{} {key}", k.entity);
            }
            assert!(has(&format!("tab.{}", k.resource)) && has(&format!("entity.{}", k.entity)));
        }
        for r in kam_core::Role::ALL {
            assert!(has(&format!("role.{}", r.as_str())));
        }
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept("fr, zh-CN;q=0.8"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept("fr"), None);
    }
}
