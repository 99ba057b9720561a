//! The one way KAM writes a workbook (every .xlsx export uses it): a title
//! row, translated headers, money as numbers with two decimals, dates as
//! dates, column widths, and print setup (A4 landscape, fit to the width,
//! the header row repeated on every page).

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::i18n::{Lang, t};

/// A workbook being written in one language.
pub struct Book {
    wb: Workbook,
    pub lang: Lang,
}

impl Book {
    pub fn new(lang: Lang) -> Self {
        Book { wb: Workbook::new(), lang }
    }

    /// A new sheet (names longer than Excel's 31 characters are cut).
    pub fn sheet(&mut self, name: &str) -> Result<Sheet<'_>, XlsxError> {
        let lang = self.lang;
        let ws = self.wb.add_worksheet();
        let name: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        ws.set_name(name.as_str())?;
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        Ok(Sheet { ws, lang, f: Formats::new() })
    }

    /// A sheet made before, by its place in the book (0: the first), to write
    /// on: two sheets filled page by page from one list.
    pub fn sheet_at(&mut self, index: usize) -> Result<Sheet<'_>, XlsxError> {
        let lang = self.lang;
        let ws = self.wb.worksheet_from_index(index)?;
        Ok(Sheet { ws, lang, f: Formats::new() })
    }

    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.wb.save_to_buffer()
    }
}

struct Formats {
    title: Format,
    bold: Format,
    head: Format,
    money: Format,
    bold_money: Format,
    day: Format,
    boxed: Format,
    boxed_head: Format,
    boxed_text: Format,
    boxed_day: Format,
}

impl Formats {
    fn new() -> Self {
        let money = "#,##0.00";
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            head: Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_text_wrap(),
            money: Format::new().set_num_format(money),
            bold_money: Format::new().set_bold().set_num_format(money),
            day: Format::new().set_num_format("yyyy-mm-dd"),
            boxed: Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Center),
            boxed_text: Format::new()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            boxed_day: Format::new()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_num_format("mm-dd"),
            boxed_head: Format::new()
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
        }
    }
}

/// One sheet: cells are written by row and column (both from 0).
pub struct Sheet<'a> {
    ws: &'a mut Worksheet,
    pub lang: Lang,
    f: Formats,
}

/// Money in fen as the yuan figure a cell holds.
fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

impl Sheet<'_> {
    /// The sheet's title, in the first cell, large and bold.
    pub fn title(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(0, 0, text, &self.f.title)?;
        Ok(())
    }

    /// The translated headers of a table, one per column from 0; repeated on every printed page.
    pub fn headers(&mut self, row: u32, keys: &[&str]) -> Result<(), XlsxError> {
        for (c, k) in keys.iter().enumerate() {
            self.ws.write_string_with_format(row, c as u16, t(self.lang, k), &self.f.head)?;
        }
        self.ws.set_repeat_rows(row, row)?;
        Ok(())
    }

    /// A translated label.
    pub fn label(&mut self, row: u32, col: u16, key: &str) -> Result<(), XlsxError> {
        self.ws.write_string(row, col, t(self.lang, key))?;
        Ok(())
    }

    /// A translated label in bold (a total's name).
    pub fn bold_label(&mut self, row: u32, col: u16, key: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(row, col, t(self.lang, key), &self.f.bold)?;
        Ok(())
    }

    /// Text, never a formula: a leading `= + - @`, tab or CR is shown, not run.
    pub fn text(&mut self, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
        if !text.is_empty() {
            self.ws.write_string(row, col, &*kam_core::import::safe_cell(text))?;
        }
        Ok(())
    }

    pub fn number(&mut self, row: u32, col: u16, n: f64) -> Result<(), XlsxError> {
        self.ws.write_number(row, col, n)?;
        Ok(())
    }

    /// Money (fen) as a number with two decimals.
    pub fn money(&mut self, row: u32, col: u16, fen: i64) -> Result<(), XlsxError> {
        self.ws.write_number_with_format(row, col, yuan(fen), &self.f.money)?;
        Ok(())
    }

    /// Money (fen) in bold: a total.
    pub fn total(&mut self, row: u32, col: u16, fen: i64) -> Result<(), XlsxError> {
        self.ws.write_number_with_format(row, col, yuan(fen), &self.f.bold_money)?;
        Ok(())
    }

    /// A date (`YYYY-MM-DD`) as an Excel date; anything else as text.
    pub fn date(&mut self, row: u32, col: u16, d: &str) -> Result<(), XlsxError> {
        match ExcelDateTime::parse_from_str(d) {
            Ok(v) => self.ws.write_datetime_with_format(row, col, v, &self.f.day).map(|_| ()),
            Err(_) => self.text(row, col, d),
        }
    }

    /// A heading over a block of cells, as on a paper form: bold, centred, boxed.
    /// `from` and `to` are the block's top-left and bottom-right (row, column).
    pub fn heading(&mut self, from: (u32, u16), to: (u32, u16), text: &str) -> Result<(), XlsxError> {
        let text = kam_core::import::safe_cell(text);
        if from == to {
            self.ws.write_string_with_format(from.0, from.1, &*text, &self.f.boxed_head)?;
        } else {
            self.ws.merge_range(from.0, from.1, to.0, to.1, &text, &self.f.boxed_head)?;
        }
        Ok(())
    }

    /// A boxed cell of a form's grid: a number, or empty (still boxed).
    pub fn boxed(&mut self, row: u32, col: u16, n: Option<f64>) -> Result<(), XlsxError> {
        match n {
            Some(n) => self.ws.write_number_with_format(row, col, n, &self.f.boxed)?,
            None => self.ws.write_blank(row, col, &self.f.boxed)?,
        };
        Ok(())
    }

    /// A boxed cell of a form holding text (wrapped), empty when the text is.
    pub fn boxed_text(&mut self, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
        if text.is_empty() {
            self.ws.write_blank(row, col, &self.f.boxed_text)?;
        } else {
            self.ws.write_string_with_format(row, col, &*kam_core::import::safe_cell(text), &self.f.boxed_text)?;
        }
        Ok(())
    }

    /// A value over a block of a form's cells (merged, boxed, wrapped).
    pub fn boxed_span(&mut self, from: (u32, u16), to: (u32, u16), text: &str) -> Result<(), XlsxError> {
        if from == to {
            return self.boxed_text(from.0, from.1, text);
        }
        self.ws.merge_range(from.0, from.1, to.0, to.1, &kam_core::import::safe_cell(text), &self.f.boxed_text)?;
        Ok(())
    }

    /// A row's height, in points (for a form's tall boxes).
    pub fn height(&mut self, row: u32, points: f64) -> Result<(), XlsxError> {
        self.ws.set_row_height(row, points)?;
        Ok(())
    }

    /// A boxed cell of a form holding a date (`YYYY-MM-DD`), shown month-day; empty when there is none.
    pub fn boxed_date(&mut self, row: u32, col: u16, d: Option<&str>) -> Result<(), XlsxError> {
        match d.and_then(|d| ExcelDateTime::parse_from_str(d).ok()) {
            Some(v) => self.ws.write_datetime_with_format(row, col, v, &self.f.boxed_day).map(|_| ())?,
            None => self.ws.write_blank(row, col, &self.f.boxed).map(|_| ())?,
        }
        Ok(())
    }

    /// Printed on A4 across (landscape), fitted to the page's width.
    pub fn landscape(&mut self) -> Result<(), XlsxError> {
        self.ws.set_landscape();
        self.ws.set_paper_size(9);
        self.ws.set_print_fit_to_pages(1, 0);
        Ok(())
    }

    /// Rows repeated at the top of every printed page.
    pub fn repeat_rows(&mut self, first: u32, last: u32) -> Result<(), XlsxError> {
        self.ws.set_repeat_rows(first, last)?;
        Ok(())
    }

    /// Column widths, in characters.
    pub fn widths(&mut self, widths: &[(u16, f64)]) -> Result<(), XlsxError> {
        for (c, w) in widths {
            self.ws.set_column_width(*c, *w)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_holds_translated_headers_money_and_dates() {
        use calamine::{Data, Reader, Xlsx};
        let mut book = Book::new(Lang::En);
        let mut s = book.sheet("a/b:c").unwrap();
        s.title("Title").unwrap();
        s.headers(1, &["perf.seq", "perf.value"]).unwrap();
        s.money(2, 1, 123_456).unwrap();
        s.date(2, 0, "2026-02-28").unwrap();
        s.date(3, 0, "not a date").unwrap();
        let bytes = book.finish().unwrap();
        let mut x: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let r = x.worksheet_range("abc").unwrap();
        assert_eq!(r.get_value((1, 0)), Some(&Data::String("No.".into())));
        assert_eq!(r.get_value((2, 1)), Some(&Data::Float(1234.56)));
        assert!(matches!(r.get_value((2, 0)), Some(Data::DateTime(_))));
        assert_eq!(r.get_value((3, 0)), Some(&Data::String("not a date".into())));
    }
}
