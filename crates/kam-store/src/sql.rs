//! A small builder for dynamic SQL with numbered `$n` parameters, and the
//! mapping between field values and the types the `Any` driver carries.

use kam_core::fields::{FieldDef, Storage};
use kam_core::{Record, Value};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Arguments, AssertSqlSafe, Row};

/// One bound parameter, typed so a NULL carries its column's type.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Float(Option<f64>),
    Bytes(Vec<u8>),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(Some(s.to_string()))
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(Some(s))
    }
}
impl From<i64> for Arg {
    fn from(i: i64) -> Self {
        Arg::Int(Some(i))
    }
}
impl From<Option<f64>> for Arg {
    fn from(x: Option<f64>) -> Self {
        Arg::Float(x)
    }
}

impl From<Option<i64>> for Arg {
    fn from(i: Option<i64>) -> Self {
        Arg::Int(i)
    }
}
macro_rules! id_args {
    ($($id:ty),*) => {$(
        impl From<$id> for Arg {
            fn from(id: $id) -> Arg {
                Arg::Int(Some(id.0))
            }
        }

        impl From<Option<$id>> for Arg {
            fn from(id: Option<$id>) -> Arg {
                Arg::Int(id.map(|i| i.0))
            }
        }
    )*};
}

id_args!(
    kam_core::AccountId,
    kam_core::ContactId,
    kam_core::ContractId,
    kam_core::OrderId,
    kam_core::StatementId,
    kam_core::WorklogId,
    kam_core::UserId,
    kam_core::TeamId,
    kam_core::ActivityId,
    kam_core::EntryId,
    kam_core::ProductId,
    kam_core::CompetitorId,
    kam_core::EventId
);

/// An id column read as the field's type (a typed id or a plain `i64`).
pub fn id<T: From<i64>>(row: &sqlx::any::AnyRow, col: &str) -> crate::Result<T> {
    Ok(T::from(sqlx::Row::try_get::<i64, _>(row, col)?))
}

/// A nullable id column read as the field's type.
pub fn opt_id<T: From<i64>>(row: &sqlx::any::AnyRow, col: &str) -> crate::Result<Option<T>> {
    Ok(sqlx::Row::try_get::<Option<i64>, _>(row, col)?.map(T::from))
}

impl From<Option<String>> for Arg {
    fn from(s: Option<String>) -> Self {
        Arg::Text(s)
    }
}

/// A field value as a parameter of its column's storage type.
pub fn value_arg(v: &Value, storage: Storage) -> Arg {
    match (v, storage) {
        (Value::Text(s), _) => Arg::Text(Some(s.clone())),
        (Value::Int(i), Storage::Float) => Arg::Float(Some(*i as f64)),
        (Value::Int(i), _) => Arg::Int(Some(*i)),
        (Value::Float(f), _) => Arg::Float(Some(*f)),
        (Value::Bool(b), _) => Arg::Int(Some(i64::from(*b))),
        (Value::Null, Storage::Text) => Arg::Text(None),
        (Value::Null, Storage::Float) => Arg::Float(None),
        (Value::Null, Storage::Bool) => Arg::Int(Some(0)),
        (Value::Null, Storage::Int) => Arg::Int(None),
    }
}

#[derive(Debug, Default, Clone)]
pub struct Q {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Q {
    pub fn new(sql: &str) -> Self {
        Q { sql: sql.to_string(), args: Vec::new() }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }
    /// Adds a parameter and writes its placeholder.
    pub fn arg(&mut self, a: impl Into<Arg>) -> &mut Self {
        self.args.push(a.into());
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }
    /// Binds `items` as a comma-separated list (the inside of `IN (…)`).
    pub fn list<A: Into<Arg>>(&mut self, items: impl IntoIterator<Item = A>) -> &mut Self {
        for (i, a) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.arg(a);
        }
        self
    }

    pub fn arguments(&self) -> AnyArguments {
        let mut out = AnyArguments::default();
        for a in &self.args {
            // Adding owned values of the driver's own types cannot fail.
            let _ = match a {
                Arg::Text(v) => out.add(v.clone()),
                Arg::Int(v) => out.add(*v),
                Arg::Float(Some(x)) => out.add(*x),
                // sqlx 0.9's Any driver sends a NULL f64 to PostgreSQL as a
                // float4 NULL (and a NULL f32 as float8): the statement cached
                // on the connection then keeps float4, and the next number
                // (eight bytes) is refused with 22P03. A NULL f32 gives float8.
                Arg::Float(None) => out.add(None::<f32>),
                Arg::Bytes(v) => out.add(v.clone()),
            };
        }
        out
    }
    pub fn query(&self) -> sqlx::query::Query<'static, sqlx::Any, AnyArguments> {
        sqlx::query_with(AssertSqlSafe(self.sql.clone()), self.arguments())
    }
}

/// `alias.col1, alias.col2, …` for the fields of `defs`.
pub fn columns(defs: &[FieldDef], alias: &str) -> String {
    defs.iter().map(|d| format!("{alias}.{}", d.name)).collect::<Vec<_>>().join(", ")
}

/// Reads the fields of `defs` from a row selected with `columns`.
pub fn read_record(row: &AnyRow, defs: &'static [FieldDef]) -> Result<Record, sqlx::Error> {
    let mut rec = Record::new();
    for d in defs {
        let v = match d.storage() {
            Storage::Text => row.try_get::<Option<String>, _>(d.name)?.map(Value::Text),
            Storage::Int => row.try_get::<Option<i64>, _>(d.name)?.map(Value::Int),
            Storage::Float => row.try_get::<Option<f64>, _>(d.name)?.map(Value::Float),
            Storage::Bool => Some(Value::Bool(row.try_get::<Option<i64>, _>(d.name)?.unwrap_or(0) != 0)),
        };
        rec.insert(d.name, v.unwrap_or(Value::Null));
    }
    Ok(rec)
}

/// `INSERT INTO table (fields…, extra…) VALUES (…) RETURNING id`.
pub fn insert(table: &str, defs: &[FieldDef], rec: &Record, extra: &[(&str, Arg)]) -> Q {
    let mut cols = Vec::new();
    let mut q = Q::default();
    let mut placeholders = Vec::new();
    for d in defs {
        if let Some(v) = rec.get(d.name) {
            cols.push(d.name.to_string());
            q.args.push(value_arg(v, d.storage()));
            placeholders.push(format!("${}", q.args.len()));
        }
    }
    for (c, a) in extra {
        cols.push((*c).to_string());
        q.args.push(a.clone());
        placeholders.push(format!("${}", q.args.len()));
    }
    q.sql = format!("INSERT INTO {table} ({}) VALUES ({}) RETURNING id", cols.join(", "), placeholders.join(", "));
    q
}

/// `UPDATE table SET f = $n, … , extra… WHERE id = $m`.
pub fn update(table: &str, defs: &[FieldDef], rec: &Record, extra: &[(&str, Arg)], id: impl Into<i64>) -> Q {
    let id: i64 = id.into();
    let mut q = Q::default();
    let mut sets = Vec::new();
    for d in defs {
        if let Some(v) = rec.get(d.name) {
            q.args.push(value_arg(v, d.storage()));
            sets.push(format!("{} = ${}", d.name, q.args.len()));
        }
    }
    for (c, a) in extra {
        q.args.push(a.clone());
        sets.push(format!("{c} = ${}", q.args.len()));
    }
    if sets.is_empty() {
        // Nothing to change: still valid SQL (it touches the row, changing nothing).
        sets.push("id = id".to_string());
    }
    q.args.push(Arg::Int(Some(id)));
    q.sql = format!("UPDATE {table} SET {} WHERE id = ${}", sets.join(", "), q.args.len());
    q
}

/// The last page a list answers: beyond it (with at most 200 rows a page) a
/// list is empty, and OFFSET stays far from overflowing.
pub(crate) const MAX_PAGE: i64 = 100_000;

/// Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
