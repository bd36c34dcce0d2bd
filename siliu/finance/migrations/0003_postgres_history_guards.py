"""On PostgreSQL, triggers that make ledger history append-only.

- ``finance_entry`` and ``finance_cashdayclose``: no UPDATE, no DELETE.
- ``finance_transfer``: no DELETE; the only UPDATE allowed moves a pending transfer's ``state`` from
  ``pending`` to ``posted``/``voided``/``expired`` (with ``resolved_at``), every other column unchanged.

The error is SQLSTATE 23000 (integrity_constraint_violation), which Django raises as IntegrityError.
SQLite has no such triggers here: there the service layer is the guard (see the ADR 0002).
"""

from django.db import migrations

from siliu.core.migration_ops import postgresql_only

FORWARD = """
CREATE OR REPLACE FUNCTION finance_refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE OR REPLACE FUNCTION finance_transfer_resolve_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind = 'pending' AND OLD.state = 'pending'
       AND NEW.state IN ('posted', 'voided', 'expired')
       AND (NEW.id, NEW.kind, NEW.debit_account_id, NEW.credit_account_id, NEW.amount_fen,
            NEW.pending_transfer_id, NEW.linked, NEW.category, NEW.reference, NEW.timeout_seconds,
            NEW.expires_at, NEW.created_by_id, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.kind, OLD.debit_account_id, OLD.credit_account_id, OLD.amount_fen,
            OLD.pending_transfer_id, OLD.linked, OLD.category, OLD.reference, OLD.timeout_seconds,
            OLD.expires_at, OLD.created_by_id, OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'transfer %: only a pending transfer''s state may change, once', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER finance_entry_append_only BEFORE UPDATE OR DELETE ON finance_entry
    FOR EACH ROW EXECUTE FUNCTION finance_refuse_history_change();
CREATE TRIGGER finance_cashdayclose_append_only BEFORE UPDATE OR DELETE ON finance_cashdayclose
    FOR EACH ROW EXECUTE FUNCTION finance_refuse_history_change();
CREATE TRIGGER finance_transfer_no_delete BEFORE DELETE ON finance_transfer
    FOR EACH ROW EXECUTE FUNCTION finance_refuse_history_change();
CREATE TRIGGER finance_transfer_resolve_only BEFORE UPDATE ON finance_transfer
    FOR EACH ROW EXECUTE FUNCTION finance_transfer_resolve_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS finance_transfer_resolve_only ON finance_transfer;
DROP TRIGGER IF EXISTS finance_transfer_no_delete ON finance_transfer;
DROP TRIGGER IF EXISTS finance_cashdayclose_append_only ON finance_cashdayclose;
DROP TRIGGER IF EXISTS finance_entry_append_only ON finance_entry;
DROP FUNCTION IF EXISTS finance_transfer_resolve_only();
DROP FUNCTION IF EXISTS finance_refuse_history_change();
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_chart_of_accounts")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
