//! The customer's side of a statement: sending it, the customer's answer line
//! by line (agreed, or disputed with their figure), and settling a disputed
//! line (accepted as it stands, or adjusted by a ledger entry of the difference).

use super::*;

impl Store {
    /// Marks a draft as sent to the customer.
    pub async fn send_statement(&self, actor: &Actor, id: StatementId) -> Result<Statement> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let mut tx = self.begin().await?;
        self.set_status(actor, &s, &["draft"], "sent", "sent_at", &mut tx).await?;
        tx.commit().await?;
        self.statement(actor, id).await
    }

    /// Records the customer's answer: lines not named are agreed.
    pub async fn answer_statement(
        &self,
        actor: &Actor,
        id: StatementId,
        answers: &[(i64, Answer)],
    ) -> Result<Statement> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let mut errors = kam_core::FieldErrors::default();
        for (line, _) in answers {
            if !s.lines.iter().any(|l| l.id == *line) {
                errors.add(&format!("lines.{line}"), "err.choice");
            }
        }
        errors.into_result(()).map_err(StoreError::Invalid)?;
        let all: Vec<(i64, Answer)> = s
            .lines
            .iter()
            .map(|l| {
                (l.id, answers.iter().find(|(id, _)| *id == l.id).map(|(_, a)| a.clone()).unwrap_or(Answer::Agreed))
            })
            .collect();
        let list: Vec<Answer> = all.iter().map(|(_, a)| a.clone()).collect();
        let to = statement::answer_status(&s.status, &list).map_err(|k| match k {
            "err.dispute_note" => StoreError::field("note", k),
            _ => StoreError::Conflict(k),
        })?;
        let mut tx = self.begin().await?;
        for (line, a) in &all {
            let mut q = Q::new("UPDATE statement_lines SET answer = ");
            match a {
                Answer::Agreed => {
                    q.arg("agreed").push(", customer_amount = NULL, note = NULL");
                }
                Answer::Disputed { customer_amount, note } => {
                    q.arg("disputed")
                        .push(", customer_amount = ")
                        .arg(*customer_amount)
                        .push(", note = ")
                        .arg(note.clone());
                }
            }
            q.push(" WHERE resolution IS NULL AND id = ").arg(*line);
            q.query().execute(&mut *tx).await?;
        }
        self.set_status(actor, &s, &["sent", "disputed"], to, "answered_at", &mut tx).await?;
        tx.commit().await?;
        self.statement(actor, id).await
    }

    /// Settles a disputed line: by posting the adjustment that takes the
    /// customer's figure (dated today, so it lands in the next statement), or
    /// by recording that the customer withdrew it. The statement is resolved
    /// when no dispute is left open.
    pub async fn resolve_line(
        &self,
        actor: &Actor,
        id: StatementId,
        line_id: i64,
        how: Resolution,
        note: Option<&str>,
    ) -> Result<Statement> {
        manager(actor)?;
        let s = self.statement(actor, id).await?;
        let line = s.lines.iter().find(|l| l.id == line_id).ok_or(StoreError::NotFound)?;
        if s.status != "disputed" || line.answer.as_deref() != Some("disputed") || line.resolution.is_some() {
            return Err(StoreError::Conflict("err.statement_state"));
        }
        // How a dispute was settled is said in words, for the customer file and the auditor.
        let note = Some(
            note.map(str::trim).filter(|n| !n.is_empty()).ok_or(StoreError::field("note", "err.reason_required"))?,
        );
        let mut tx = self.begin().await?;
        let mut adjustment = None;
        if how == Resolution::Adjust
            && let Some((kind, figure)) =
                statement::settlement(line.amount, line.customer_amount.unwrap_or(line.amount))
        {
            let mut rec = entry_record(kind, &self.today().to_string(), figure, &s.currency, None);
            rec.insert("reference", Value::Text(format!("对账单 {} 差异调整", s.period)));
            rec.insert("note", note.map(|n| Value::Text(n.chars().take(500).collect())).unwrap_or(Value::Null));
            adjustment = Some(self.insert_entry(&mut tx, actor, s.account_id, &rec, None, None).await?);
        }
        let mut q = Q::new("UPDATE statement_lines SET resolution = ");
        q.arg(if how == Resolution::Adjust { "adjusted" } else { "withdrawn" });
        q.push(", adjustment_entry_id = ").arg(adjustment).push(", resolution_note = ").arg(note.map(str::to_string));
        q.push(" WHERE resolution IS NULL AND id = ").arg(line_id);
        if q.query().execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Conflict("err.statement_state"));
        }
        let open = s
            .lines
            .iter()
            .filter(|l| l.id != line_id && l.answer.as_deref() == Some("disputed") && l.resolution.is_none())
            .count();
        let changes = [
            ("line", Value::Null, Value::Int(line_id)),
            (
                "resolution",
                Value::Null,
                Value::Text(if how == Resolution::Adjust { "adjusted".into() } else { "withdrawn".into() }),
            ),
        ];
        Entry::new(Some(actor.user_id), Action::Update, "statement", s.id)
            .account(Some(s.account_id))
            .changes(&changes)
            .write(&mut tx, self.clock())
            .await?;
        if statement::after_resolution(open) == "resolved" {
            self.set_status(actor, &s, &["disputed"], "resolved", "resolved_at", &mut tx).await?;
        }
        tx.commit().await?;
        self.statement(actor, id).await
    }
}
