//! Reading an uploaded workbook for an import: .xlsx, .xls and .ods through
//! calamine, .csv in UTF-8 (with or without a BOM) or GBK/GB18030 (what
//! Chinese Excel writes); refused before it is unpacked when it is too large,
//! a zip bomb, or more rows and columns than an import takes. Then the header
//! is found and mapped and every cell made form text (`kam_core::import`),
//! with the field labels and choice labels of both languages.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use kam_core::fields::FieldDef;
use kam_core::import::{self, ACCOUNT_REF, ACCOUNT_REF_ALIASES, Column, ImportKind};
use kam_store::imports::{ImportInput, PlanRow, ROWS_WINDOW, RowFilter};

use crate::i18n::{Lang, t};

/// The largest upload an import takes.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;
/// The most a zipped workbook may unpack to.
pub const MAX_UNZIPPED: u64 = 200 * 1024 * 1024;

/// One sheet of a workbook, its cells as text.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub names: Vec<String>,
    pub name: Option<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads the file's sheet (`sheet`, or the first), or a message key.
pub fn read(file_name: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Sheet, &'static str> {
    if bytes.len() > MAX_UPLOAD {
        return Err("err.import_too_large");
    }
    if bytes.is_empty() {
        return Err("err.import_empty");
    }
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"PK") {
        check_unzipped(bytes, MAX_UNZIPPED)?;
        workbook(bytes, sheet)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        workbook(bytes, sheet)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || std::str::from_utf8(bytes).is_ok() {
        csv_sheet(bytes)
    } else {
        csv_sheet(bytes).map_err(|_| "err.import_unreadable")
    }
}

/// A sheet's cells as text, by row.
pub type Grid = Vec<Vec<String>>;

/// Every sheet of a workbook (a dossier coming back), with the same limits
/// as `read`: size, the zip bomb check, rows × columns per sheet.
pub fn read_book(bytes: &[u8]) -> Result<Vec<(String, Grid)>, &'static str> {
    if bytes.len() > MAX_UPLOAD {
        return Err("err.import_too_large");
    }
    if bytes.starts_with(b"PK") {
        check_unzipped(bytes, MAX_UNZIPPED)?;
    } else if !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("err.import_unreadable");
    }
    let mut wb =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| "err.import_unreadable")?;
    let mut out = Vec::new();
    for name in wb.sheet_names().to_vec() {
        let range = wb.worksheet_range(&name).map_err(|_| "err.import_unreadable")?;
        let (h, w) = range.get_size();
        if h > import::MAX_ROWS + 50 || w > import::MAX_COLUMNS {
            return Err("err.import_too_many_cells");
        }
        out.push((name, range.rows().map(|r| r.iter().map(cell_text).collect()).collect()));
    }
    Ok(out)
}

/// Unpacks every entry into nothing, counting: more than `cap` in all
/// is a zip bomb, refused with memory bounded by the copy buffer.
fn check_unzipped(bytes: &[u8], cap: u64) -> Result<(), &'static str> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "err.import_unreadable")?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| "err.import_unreadable")?;
        let left = cap.saturating_sub(total);
        let n = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(|_| "err.import_unreadable")?;
        total += n;
        if total > cap {
            return Err("err.import_zip_bomb");
        }
    }
    Ok(())
}

fn workbook(bytes: &[u8], sheet: Option<&str>) -> Result<Sheet, &'static str> {
    let mut wb =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| "err.import_unreadable")?;
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(_) => return Err("err.import_no_sheet"),
        None => names.first().cloned().ok_or("err.import_empty")?,
    };
    let range = wb.worksheet_range(&name).map_err(|_| "err.import_unreadable")?;
    let (h, w) = range.get_size();
    if h > import::MAX_ROWS + 50 || w > import::MAX_COLUMNS {
        return Err("err.import_too_many_cells");
    }
    let rows = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
    Ok(Sheet { names, name: Some(name), rows })
}

/// A cell as the text it shows: whole numbers without ".0", dates as ISO dates.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "true" } else { "false" }.into(),
        // A date cell is its date; one with a time of day keeps it (2026-11-10 09:05).
        Data::DateTime(d) => {
            let serial = d.as_f64();
            let day = import::date_text(&serial.floor().to_string());
            match (day, import::datetime_text(&serial.to_string())) {
                (Some(day), _) if serial.fract() == 0.0 => day,
                (_, Some(at)) => at.replacen('T', " ", 1),
                _ => serial.to_string(),
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// The text of a CSV file: UTF-8 (a BOM dropped), else GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn csv_sheet(bytes: &[u8]) -> Result<Sheet, &'static str> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|_| "err.import_unreadable")?;
        if rec.len() > import::MAX_COLUMNS || rows.len() > import::MAX_ROWS + 50 {
            return Err("err.import_too_many_cells");
        }
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(Sheet { names: Vec::new(), name: None, rows })
}

/// A field's labels in both languages.
fn labels(kind: ImportKind) -> impl Fn(&FieldDef) -> Vec<String> {
    move |d: &FieldDef| {
        let key = kind.label_key(d.name);
        [Lang::Zh, Lang::En].iter().map(|l| t(*l, &key).to_string()).filter(|s| *s != key).collect()
    }
}

/// A choice's labels in both languages.
pub(crate) fn choice_labels(e: &str, v: &str) -> Vec<String> {
    let key = format!("enum.{e}.{v}");
    [Lang::Zh, Lang::En].iter().map(|l| t(*l, &key).to_string()).filter(|s| *s != key).collect()
}

/// The field (or the account reference) a header names for this kind.
pub fn field_of(kind: ImportKind, header: &str) -> Option<&'static str> {
    let labels = labels(kind);
    let found = kind.field_sets().iter().find_map(|(defs, aliases)| import::field_for(defs, aliases, &labels, header));
    found.or_else(|| {
        let k = import::key(header);
        (kind.has_account_ref() && !k.is_empty() && ACCOUNT_REF_ALIASES.iter().any(|a| import::key(a) == k))
            .then_some(ACCOUNT_REF)
    })
}

/// What the user says of the columns, over the automatic matches: a saved
/// mapping (header key → field) and, over that, fields by column index; a
/// field name, or "" to leave a column out.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub by_header: BTreeMap<String, String>,
    pub by_index: BTreeMap<usize, String>,
}

impl Overrides {
    pub fn by_index(by_index: BTreeMap<usize, String>) -> Self {
        Overrides { by_index, ..Default::default() }
    }

    /// What the user's `mapping` says (the page's choice, the API's part,
    /// `kam import --mapping`): a saved mapping's name, or a JSON object of
    /// column index → field. Refused as the `mapping` field.
    pub async fn of(
        store: &kam_store::Store,
        actor: &kam_core::Actor,
        kind: ImportKind,
        mapping: Option<&str>,
    ) -> Result<Overrides, kam_store::StoreError> {
        use kam_store::StoreError;
        let mut o = Overrides::default();
        match mapping.map(str::trim).filter(|m| !m.is_empty()) {
            None => {}
            Some(m) if m.starts_with('{') => {
                let map: BTreeMap<String, String> =
                    serde_json::from_str(m).map_err(|_| StoreError::field("mapping", "err.type_object"))?;
                o.by_index = map.into_iter().filter_map(|(k, v)| k.parse().ok().map(|i| (i, v))).collect();
            }
            Some(name) => {
                o.by_header = match store.import_mapping(actor, kind, name).await {
                    Ok(found) => found.columns,
                    Err(StoreError::NotFound) => {
                        return Err(StoreError::field("mapping", "err.import_mapping_unknown"));
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(o)
    }
}

/// The header and its mapping (automatic, then the user's `overrides`).
pub fn columns(kind: ImportKind, rows: &[Vec<String>], overrides: &Overrides) -> Option<(usize, Vec<Column>)> {
    let valid = |f: &str| kind.def(f).is_some() || (kind.has_account_ref() && f == ACCOUNT_REF);
    let saved = |h: &str| overrides.by_header.get(&import::key(h)).map(String::as_str);
    // A header the saved mapping names (even to leave it out) is a header.
    // Columns given by index: the first row that holds anything is the header.
    let first_filled = || rows.iter().take(30).position(|r| r.iter().any(|c| !c.trim().is_empty()));
    let header = import::header_row(rows, &|h| saved(h).is_some() || field_of(kind, h).is_some())
        .or_else(|| if overrides.by_index.is_empty() { None } else { first_filled() })?;
    let mut cols = import::map_columns(&rows[header], &|h| match saved(h) {
        Some(f) if valid(f) => kind.def(f).map(|d| d.name).or(Some(ACCOUNT_REF)),
        Some(_) => None,
        None => field_of(kind, h),
    });
    for (i, f) in &overrides.by_index {
        if let Some(c) = cols.get_mut(*i)
            && (f.is_empty() || valid(f))
        {
            c.field = (!f.is_empty()).then(|| f.clone());
        }
    }
    Some((header, cols))
}

/// The check's input: every data row as field → form text.
pub fn plan(
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
    sheet: &Sheet,
    overrides: &Overrides,
) -> Result<ImportInput, &'static str> {
    let (header, cols) = columns(kind, &sheet.rows, overrides).ok_or("err.import_no_header")?;
    let rows = import::data_rows(&sheet.rows, header)
        .into_iter()
        .map(|(n, cells)| {
            let mut values = BTreeMap::new();
            for (i, c) in cols.iter().enumerate() {
                let (Some(field), Some(cell)) = (&c.field, cells.get(i)) else { continue };
                let text = match kind.def(field) {
                    Some(def) => import::form_text(def, cell, &choice_labels),
                    None => import::fold(cell),
                };
                values.insert(field.clone(), text);
            }
            (n, values)
        })
        .collect();
    Ok(ImportInput {
        kind,
        file_name: safe_file_name(file_name),
        sha256: kam_core::secret::digest_bytes(bytes),
        sheet: sheet.name.clone(),
        columns: cols,
        rows,
    })
}

/// From this many rows a commit runs in the background: the answer comes at
/// once, and its progress is read from the import (`Store::import_progress`).
pub const BACKGROUND_ROWS: i64 = 2_000;

/// Commits an import, the page's and the API's way: a small one at once (the
/// committed import), a large one in the background (None: it has started).
/// What can be refused up front is refused here, before anything starts.
pub async fn commit(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    id: i64,
    choices: kam_store::imports::Choices,
) -> Result<Option<kam_store::imports::Import>, kam_store::StoreError> {
    use kam_store::StoreError;
    let imp = store.import_summary(actor, id).await?;
    if imp.total_rows < BACKGROUND_ROWS {
        return store.commit_import(actor, id, choices).await.map(Some);
    }
    if imp.created_by != actor.user_id {
        return Err(StoreError::Forbidden("err.forbidden"));
    }
    // Marked as started here, before the task runs: a second request finds it running.
    if imp.status != "checked" || !store.begin_import_progress(id, imp.total_rows as usize) {
        return Err(StoreError::Conflict("err.import_not_checked"));
    }
    let (store, actor) = (store.clone(), actor.clone());
    tokio::spawn(async move {
        // The outcome is on the import (committed) or on its progress (why it failed).
        if store.commit_import(&actor, id, choices).await.is_err() {
            store.abandon_import_progress(id);
        }
    });
    Ok(None)
}

/// A file name as kept and shown: its last path part, without control
/// characters, at most 120 characters.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() { "upload".into() } else { clean }
}

/// A refused cell as the user reads it: "邮箱：邮箱格式不正确".
pub fn reason(lang: Lang, kind: ImportKind, e: &kam_store::imports::CellError) -> String {
    let field = if e.field == ACCOUNT_REF {
        t(lang, "import.account_ref").to_string()
    } else {
        t(lang, &kind.label_key(&e.field)).to_string()
    };
    let why = t(lang, &e.message).trim_end_matches(['。', '.']);
    format!("{field}{}{why}", t(lang, "import.reason_sep"))
}

/// Every row of an import of `filter`, read a page at a time.
pub async fn rows_of(
    store: &kam_store::Store,
    actor: &kam_core::Actor,
    id: i64,
    filter: RowFilter,
) -> kam_store::Result<Vec<PlanRow>> {
    let mut out = Vec::new();
    loop {
        let page = store.import_rows(actor, id, filter, out.len(), ROWS_WINDOW).await?;
        let last = page.len() < ROWS_WINDOW;
        out.extend(page);
        if last {
            return Ok(out);
        }
    }
}

/// The rows a check refused, as a workbook to fix and upload again: the
/// mapped columns under their own headers, and the reasons in the last column.
pub fn bad_rows_xlsx(
    lang: Lang,
    imp: &kam_store::imports::Import,
    bad: &[PlanRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = crate::workbook::Book::new(lang);
    let mut sheet = book.sheet(t(lang, "import.bad_rows_sheet"))?;
    let cols: Vec<&Column> = imp.columns.iter().filter(|c| c.field.is_some()).collect();
    for (i, c) in cols.iter().enumerate() {
        sheet.text(0, i as u16, &c.header)?;
    }
    sheet.text(0, cols.len() as u16, t(lang, "import.reason"))?;
    for (n, r) in bad.iter().enumerate() {
        let row = n as u32 + 1;
        for (i, c) in cols.iter().enumerate() {
            let field = c.field.as_deref().unwrap_or_default();
            sheet.text(row, i as u16, r.values.get(field).map(String::as_str).unwrap_or_default())?;
        }
        let why: Vec<String> = r.errors.iter().map(|e| reason(lang, imp.kind, e)).collect();
        sheet.text(row, cols.len() as u16, &format!("{} {}：{}", t(lang, "import.row"), r.row, why.join("；")))?;
    }
    sheet.widths(&[(0, 28.0), (cols.len() as u16, 48.0)])?;
    drop(sheet);
    book.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect()
    }

    #[test]
    fn gbk_and_utf8_with_a_bom_read_the_same() {
        let text = "公司名称,联系电话\n华东机械,021-5555\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&gbk), text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom), text);
        let s = read("客户.csv", &gbk, None).unwrap();
        assert_eq!(s.rows[1], vec!["华东机械", "021-5555"]);
    }

    #[test]
    fn labels_and_variants_map_and_cells_become_form_text() {
        let rows = grid(&[
            &["客户管理工作表", "", "", ""],
            &["企业名称", "客户等级", "客户类型", "备注"],
            &["华东机械", "A 类", "经销商", "=HYPERLINK(\"x\")"],
        ]);
        let sheet = Sheet { names: vec![], name: None, rows };
        let input = plan(ImportKind::Accounts, "../../客户.xlsx", b"x", &sheet, &Overrides::default()).unwrap();
        assert_eq!(input.file_name, "客户.xlsx");
        let fields: Vec<Option<&str>> = input.columns.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(fields, vec![Some("name"), Some("grade"), Some("customer_type"), Some("notes")]);
        let (n, values) = &input.rows[0];
        assert_eq!(*n, 3);
        assert_eq!(values["grade"], "A");
        assert_eq!(values["customer_type"], "distributor");
    }

    #[test]
    fn every_kind_maps_its_sheets_usual_headers() {
        assert_eq!(field_of(ImportKind::Competitors, "竞争对手"), Some("competitor"));
        assert_eq!(field_of(ImportKind::Competitors, "所占比例 %"), Some("share_pct"));
        assert_eq!(field_of(ImportKind::Orders, "产品编码"), Some("product"));
        assert_eq!(field_of(ImportKind::Orders, "含税单价"), Some("unit_price"));
        assert_eq!(field_of(ImportKind::Interactions, "联系方式"), Some("channel"));
        assert_eq!(field_of(ImportKind::Visits, "拜访日期"), Some("visited_at"));
        assert_eq!(field_of(ImportKind::Contracts, "到期日期"), Some("valid_to"));
        assert_eq!(field_of(ImportKind::Products, "物料编码"), Some("code"));
        assert_eq!(field_of(ImportKind::VisitPlans, "年度"), Some("year"));
        assert_eq!(field_of(ImportKind::VisitPlans, "第 3 次计划"), Some("planned_3"));
        assert_eq!(field_of(ImportKind::VisitPlans, "12月"), Some("planned_12"));
        assert_eq!(field_of(ImportKind::Targets, "业务员"), Some("subject"));
        assert_eq!(field_of(ImportKind::Targets, "十二月"), Some("m12"));
        assert_eq!(field_of(ImportKind::Targets, "3月目标"), Some("m03"));
        assert_eq!(field_of(ImportKind::Capability, "客情"), Some("customer_relationship"));
        assert_eq!(field_of(ImportKind::Capability, "代理市场占有率"), Some("market_share"));
        assert_eq!(field_of(ImportKind::Capability, "月份"), Some("month"));
        for kind in ImportKind::ALL {
            let expected = kind.has_account_ref().then_some(ACCOUNT_REF);
            assert_eq!(field_of(kind, "所属客户"), expected, "{kind:?}");
        }
    }

    #[test]
    fn a_contact_sheet_names_its_account_column() {
        assert_eq!(field_of(ImportKind::Contacts, "所属客户"), Some(ACCOUNT_REF));
        assert_eq!(field_of(ImportKind::Contacts, "职务"), Some("title"));
        assert_eq!(field_of(ImportKind::Accounts, "所属客户"), None);
        let mut over = BTreeMap::new();
        over.insert(1usize, String::new());
        let (_, cols) =
            columns(ImportKind::Contacts, &grid(&[&["公司名称", "姓名", "手机"]]), &Overrides::by_index(over)).unwrap();
        assert_eq!(cols[0].field.as_deref(), Some(ACCOUNT_REF));
        assert_eq!(cols[1].field, None, "the user left the column out");
    }

    #[test]
    fn a_saved_mapping_names_the_columns_in_any_order() {
        // Headers no automatic match knows, in another order than when saved.
        let saved: BTreeMap<String, String> =
            [("甲方全称", "name"), ("分级", "grade"), ("内部编号", "")].map(|(k, v)| (import::key(k), v.into())).into();
        let over = Overrides { by_header: saved, ..Default::default() };
        let rows = grid(&[&["内部编号", "分级", "甲方全称 "], &["7", "A", "华东机械"]]);
        let (header, cols) = columns(ImportKind::Accounts, &rows, &over).unwrap();
        assert_eq!(header, 0);
        let fields: Vec<Option<&str>> = cols.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(fields, vec![None, Some("grade"), Some("name")]);
        // A saved field this kind has not is no field.
        let bad: BTreeMap<String, String> = [(import::key("甲方全称"), "salary".to_string())].into();
        let over = Overrides { by_header: bad, ..Default::default() };
        let (_, cols) = columns(ImportKind::Accounts, &grid(&[&["甲方全称", "等级"]]), &over).unwrap_or_default();
        assert!(cols.iter().all(|c| c.field.as_deref() != Some("salary")));
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_read() {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..10 {
                z.write_all(&zeros).unwrap();
            }
            z.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < 64 * 1024, "small on the wire: {} bytes", bytes.len());
        // The same check `read` runs with its 200 MiB cap, here with 8 MiB.
        assert_eq!(check_unzipped(&bytes, 8 * 1024 * 1024).unwrap_err(), "err.import_zip_bomb");
        assert_eq!(check_unzipped(&bytes, 16 * 1024 * 1024), Ok(()));
    }
}
